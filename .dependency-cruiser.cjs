/** Layer rules (DESIGN.md §5), checked in CI by `npm run lint:layers`. */

// The pure domain modules (types, deciders, guards) are recognised by name: <noun>.domain.ts, with
// their unit tests beside them as <noun>.test.ts. A new domain file needs no entry anywhere.
const domainPath = "^src/contexts/.+[.]domain[.]ts$";

module.exports = {
  forbidden: [
    {
      name: "domain-is-pure",
      comment: "Domain code imports no infrastructure, HTTP, database, bus or application code.",
      severity: "error",
      from: { path: domainPath },
      to: {
        path: [
          "^src/platform/db/", "^src/platform/http/", "^src/platform/events/", "^src/platform/kernel[.]ts$",
          "^src/platform/ids[.]ts$", "^src/platform/clock[.]ts$",
          "[.]routes[.]ts$", "[.]sql[.]ts$", "[-/]api[.]ts$", "module[.]ts$",
          "^node_modules/(pg|fastify|@electric-sql|@nats-io|stripe|pino)/",
        ],
      },
    },
    {
      name: "no-cross-context-internals",
      comment: "A context talks to another only through published contracts (src/contracts) or a port it owns.",
      severity: "error",
      from: { path: "^src/contexts/([^/]+)/" },
      to: { path: "^src/contexts/([^/]+)/", pathNot: "^src/contexts/$1/" },
    },
    {
      name: "composition-root-uses-public-faces",
      comment:
        "The composition root (src/wiring.ts, src/modules.ts, src/app.ts, src/main.ts) sees a context only through its public face: " +
        "api.ts (what others may call) and module.ts (the factory, its routes, consumers and workers, and the port types it owns).",
      severity: "error",
      from: { path: "^src/[^/]+[.]ts$" },
      to: { path: "^src/contexts/", pathNot: "^src/contexts/[^/]+/(api|module)[.]ts$" },
    },
    {
      name: "platform-knows-no-business",
      comment: "The kernel has no business rules: it never imports a context.",
      severity: "error",
      from: { path: "^src/platform/" },
      to: { path: "^src/(contexts|contracts)/" },
    },
    {
      name: "contracts-are-leaves",
      comment: "Wire contracts depend only on the platform's event registry, never on a context.",
      severity: "error",
      from: { path: "^src/contracts/" },
      to: { path: "^src/contexts/" },
    },
    {
      name: "errors-table-is-pure",
      comment:
        "A context's errors.ts (its code → status table and typed reject/refuse) imports only the kernel's pure result and errors " +
        "modules, so its pure domain files may import it and stay pure.",
      severity: "error",
      from: { path: "^src/contexts/[^/]+/errors[.]ts$" },
      to: { pathNot: "^src/platform/(result|errors)[.]ts$" },
    },
    {
      name: "no-folder-cycles-in-a-context",
      comment:
        "The folders of a context (listings/, plans/, wallet/, payments/…) depend on each other one way: a loop means a shared " +
        "piece lives in the wrong folder. Move it to the folder both use (or the context's root), not a copy to each.",
      severity: "error",
      scope: "folder",
      from: { path: "^src/contexts/[^/]+/[^/]+$" },
      to: { path: "^src/contexts/[^/]+/[^/]+$", circular: true },
    },
    {
      name: "no-circular",
      severity: "error",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
  },
};
