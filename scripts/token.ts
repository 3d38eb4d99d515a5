// npm run token -- --sub usr_1 --tid ten_1 --roles learner[,org_admin] [--pid prv_1] [--ttl 12h]
import { parseArgs } from "node:util";
import { embeddedSecret } from "../src/app.js";
import { loadConfig } from "../src/platform/config.js";
import { mintToken } from "../src/platform/http/auth.js";

const { values } = parseArgs({
  options: {
    sub: { type: "string", default: "usr_1" },
    tid: { type: "string", default: "ten_1" },
    roles: { type: "string", default: "learner" },
    pid: { type: "string" },
    ttl: { type: "string", default: "12h" },
  },
});
const config = loadConfig();
if (config.auth.jwksUrl && !config.auth.secret) {
  console.error("AUTH_JWKS_URL is set: tokens come from your identity provider, not from this tool.");
  process.exit(2);
}
const secret = config.auth.secret ?? embeddedSecret(config.dataDir);
console.log(
  await mintToken(
    secret,
    { sub: values.sub!, tid: values.tid!, roles: values.roles!.split(",").filter(Boolean), pid: values.pid },
    values.ttl,
  ),
);
