// Node-only: a schema of the model-generation corpus and what the Amplify tool chain made of
// it (internal/modelgen/testdata/corpus), so that both suites compare GetBackendAPIModels with
// the reference byte for byte.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const corpus = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "internal", "modelgen", "testdata", "corpus");

export function modelReference(name = "01-single-model") {
  const expected = JSON.parse(readFileSync(join(corpus, `${name}.expected.json`), "utf8"));
  return {
    schema: readFileSync(join(corpus, `${name}.graphql`), "utf8"),
    models: expected.metadata,
    introspection: expected.introspection,
  };
}
