// npm run migrate: applies pending migrations to DATABASE_URL, or to the embedded data directory.
import { loadConfig } from "../src/platform/config.js";
import { openDatabase } from "../src/platform/db/open.js";

const config = loadConfig();
const opened = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 1 });
await opened.release();
console.log(`migrations applied to ${config.databaseUrl ? "PostgreSQL" : config.dataDir}`);
