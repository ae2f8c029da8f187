// Node-only: the executable snippets of docs/clients.md. Each is marked
// `<!-- snippet: NAME -->` and followed by a fenced code block.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const clientsDoc = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "docs", "clients.md");

// docsEndpoint is the URL the docs' snippets call (the README's server); a test puts the URL
// of its own server in its place.
export const docsEndpoint = "http://127.0.0.1:4580";

export function snippet(name, url) {
  const doc = readFileSync(clientsDoc, "utf8");
  const marker = `<!-- snippet: ${name} -->`;
  const at = doc.indexOf(marker);
  if (at < 0) throw new Error(`docs/clients.md has no ${marker}`);
  const block = /^\s*```[^\n]*\n([\s\S]*?)\n```/.exec(doc.slice(at + marker.length));
  if (!block) throw new Error(`no fenced block after ${marker} in docs/clients.md`);
  if (!block[1].includes(docsEndpoint)) throw new Error(`${marker} does not call ${docsEndpoint}, the README's server`);
  return block[1].replaceAll(docsEndpoint, url) + "\n";
}
