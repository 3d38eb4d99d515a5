// npx tsx scripts/asyncapi.ts --write | --check: the AsyncAPI document the service serves at /asyncapi.json.
// --write puts it in docs/asyncapi.json; --check validates it with @asyncapi/parser (no error allowed)
// and fails when docs/asyncapi.json differs from it (run --write and commit). With neither, stdout.
// The app is built in memory (PGlite, no workers, nothing listening), as scripts/openapi.ts does.
import { readFileSync, writeFileSync } from "node:fs";
import { DiagnosticSeverity, Parser } from "@asyncapi/parser";
import { createApp } from "../src/app.js";
import { loadConfig } from "../src/platform/config.js";

const FILE = new URL("../docs/asyncapi.json", import.meta.url);

export async function asyncApiText(): Promise<string> {
  const config = loadConfig({ AUTH_JWT_SECRET: "asyncapi-document-only-secret-not-used-for-anything", LOG_LEVEL: "silent" });
  const app = await createApp(config, { dataDir: null });
  try {
    const response = await app.server.inject({ method: "GET", url: "/asyncapi.json" });
    if (response.statusCode !== 200) throw new Error(`GET /asyncapi.json answered ${response.statusCode}`);
    return `${JSON.stringify(response.json(), null, 2)}\n`;
  } finally {
    await app.stop();
  }
}

/** Errors only fail: warnings are printed (information, such as "a newer AsyncAPI exists", is not). */
export async function asyncApiErrors(text: string): Promise<string[]> {
  const diagnostics = await new Parser().validate(text);
  for (const d of diagnostics.filter((d) => d.severity === DiagnosticSeverity.Warning))
    console.warn(`warning ${d.code} ${d.path.join(".")}: ${d.message}`);
  return diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error).map((d) => `${d.code} ${d.path.join(".")}: ${d.message}`);
}

const mode = process.argv[2];
const text = await asyncApiText();
if (mode === "--write") {
  writeFileSync(FILE, text);
} else if (mode === "--check") {
  const errors = await asyncApiErrors(text);
  errors.forEach((error) => console.error(error));
  const committed = readFileSync(FILE, "utf8");
  if (committed !== text) console.error("docs/asyncapi.json is stale: run `npx tsx scripts/asyncapi.ts --write` and commit it");
  if (errors.length > 0 || committed !== text) process.exit(1);
  console.log("docs/asyncapi.json: valid AsyncAPI 3.0, up to date");
} else {
  process.stdout.write(text);
}
