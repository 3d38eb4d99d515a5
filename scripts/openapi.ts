// npm run openapi [-- <file>]: writes the OpenAPI document the service serves at /openapi.json to a
// file (docs/openapi.json in the repository) or to stdout. The app is built in memory (PGlite, no
// workers, nothing listening), so the document needs no running service and no database.
import { writeFileSync } from "node:fs";
import { createApp } from "../src/app.js";
import { loadConfig } from "../src/platform/config.js";

/** Paths in order, methods in a fixed order: the same code gives the same bytes. */
const METHODS = ["get", "put", "post", "patch", "delete", "options", "head"];
function sorted(document: Record<string, any>): Record<string, any> {
  const paths = Object.fromEntries(
    Object.keys(document.paths ?? {})
      .sort()
      .map((path) => {
        const item = document.paths[path];
        const keys = Object.keys(item).sort((a, b) => METHODS.indexOf(a) - METHODS.indexOf(b));
        return [path, Object.fromEntries(keys.map((key) => [key, item[key]]))];
      }),
  );
  const schemas = document.components?.schemas ?? {};
  const components = {
    ...document.components,
    schemas: Object.fromEntries(
      Object.keys(schemas)
        .sort()
        .map((name) => [name, schemas[name]]),
    ),
  };
  return { ...document, paths, components };
}

/** Builds the app as `npm start` would with TEST_CLOCK=on (its routes are documented, tagged as such). */
export async function openapiDocument(): Promise<Record<string, any>> {
  const config = loadConfig({
    AUTH_JWT_SECRET: "openapi-document-only-secret-not-used-for-anything",
    LOG_LEVEL: "silent",
    TEST_CLOCK: "on",
  });
  const app = await createApp(config, { dataDir: null });
  try {
    return sorted(JSON.parse(JSON.stringify(app.server.swagger())));
  } finally {
    await app.stop();
  }
}

const target = process.argv[2];
const text = `${JSON.stringify(await openapiDocument(), null, 2)}\n`;
if (target) writeFileSync(target, text);
else process.stdout.write(text);
