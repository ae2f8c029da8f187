// Node-only: the executable snippets of docs/clients.md. Each is marked
// `<!-- snippet: NAME -->` and followed by a fenced code block.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const clientsDoc = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "docs", "clients.md");

export function snippet(name) {
  const doc = readFileSync(clientsDoc, "utf8");
  const marker = `<!-- snippet: ${name} -->`;
  const at = doc.indexOf(marker);
  if (at < 0) throw new Error(`docs/clients.md has no ${marker}`);
  const block = /^\s*```[^\n]*\n([\s\S]*?)\n```/.exec(doc.slice(at + marker.length));
  if (!block) throw new Error(`no fenced block after ${marker} in docs/clients.md`);
  return block[1] + "\n";
}
