// reference-batch.js: run reference.js's generator on many schemas in one node process.
//
//   node reference-batch.js <reference dir> <file>...
//
// For each file prints one JSON line: {"file": ..., "ok": true, "out": <exactly what
// `node reference.js file` prints on stdout>} or {"file": ..., "ok": false, "error": <message>}.
// The generator calls and settings are copied from reference.js; TestDifferential also runs a
// sample of the schemas through reference.js itself to prove the two agree.
const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

const refDir = path.resolve(process.argv[2]);
const req = createRequire(path.join(refDir, 'reference.js'));
const { buildSchema, parse, visit } = req('graphql');
const { DefaultDirectives } = req('@aws-amplify/graphql-directives');
const base = '@aws-amplify/appsync-modelgen-plugin/lib';
const { METADATA_SCALAR_MAP } = req(base + '/scalars');
const { AppSyncModelIntrospectionVisitor } = req(base + '/visitors/appsync-model-introspection-visitor');
const { AppSyncJSONVisitor } = req(base + '/visitors/appsync-json-metadata-visitor');

const directives = DefaultDirectives.map((d) => d.definition).join('\n');
const scalars = ['AWSDate', 'AWSTime', 'AWSDateTime', 'AWSTimestamp', 'AWSEmail', 'AWSJSON', 'AWSURL', 'AWSPhone', 'AWSIPAddress']
  .map((s) => `scalar ${s}`).join('\n');

// The settings amplify-codegen uses when it builds models for a transformer v2 API (as in reference.js).
const settings = {
  isTimestampFieldsAdded: true,
  emitAuthProvider: true,
  generateIndexRules: true,
  handleListNullabilityTransparently: true,
  usePipelinedTransformer: true,
  transformerVersion: 2,
  respectPrimaryKeyAttributesOnConnectionField: true,
  improvePluralization: false,
  generateModelsForLazyLoadAndCustomSelectionSet: false,
};

// Warnings go to stderr in reference.js; keep stdout for the JSON lines.
console.warn = () => {};

function run(file) {
  const schema = fs.readFileSync(file, 'utf8');
  const built = buildSchema([schema, directives, scalars].join('\n'));
  const ast = parse(schema);
  const introspection = new AppSyncModelIntrospectionVisitor(built, { directives, scalars: METADATA_SCALAR_MAP, ...settings, target: 'introspection' }, {});
  visit(ast, { leave: introspection });
  const metadata = new AppSyncJSONVisitor(built, { directives, scalars: METADATA_SCALAR_MAP, ...settings, target: 'metadata', metadataTarget: 'javascript' }, {});
  visit(ast, { leave: metadata });
  return JSON.stringify({ introspection: JSON.parse(introspection.generate()), metadata: metadata.generate() });
}

const lines = [];
for (const file of process.argv.slice(3)) {
  try {
    lines.push(JSON.stringify({ file, ok: true, out: run(file) }));
  } catch (e) {
    lines.push(JSON.stringify({ file, ok: false, error: String((e && e.message) || e) }));
  }
}
process.stdout.write(lines.join('\n') + '\n');
