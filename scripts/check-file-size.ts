/**
 * CI check: no file in the code folders is longer than 400 lines. A longer file is a sign that it
 * holds more than one thing; split it where the things part (CONTRIBUTING.md).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

const LIMIT = 400;
const FOLDERS = ["src", "tests", "bench", "chaos", "scripts"];

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) yield* files(full);
    else yield full;
  }
}

const root = path.resolve(import.meta.dirname, "..");
const tooLong: string[] = [];
for (const folder of FOLDERS) {
  for (const file of files(path.join(root, folder))) {
    const text = readFileSync(file, "utf8");
    // Lines as an editor numbers them: a final newline does not start another line.
    const lines = text.length === 0 ? 0 : text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
    if (lines > LIMIT) tooLong.push(`${path.relative(root, file)}: ${lines} lines`);
  }
}
if (tooLong.length > 0) {
  console.error(`files over ${LIMIT} lines (split them where their parts separate):\n  ${tooLong.join("\n  ")}`);
  process.exit(1);
}
console.log(`no file over ${LIMIT} lines in ${FOLDERS.join(", ")}`);
