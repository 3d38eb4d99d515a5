/**
 * /docs/events: the AsyncAPI document as one plain HTML page, rendered on the server from the
 * document itself (no script, no CDN, nothing fetched), so a reader without AsyncAPI tooling sees
 * every wire type's subject, stream, partition key, fields and example. Every text from the
 * document is escaped: descriptions and examples are data, never markup.
 */
type Json = Record<string, any>;

const escape = (text: unknown): string =>
  String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const code = (text: unknown) => `<code>${escape(text)}</code>`;
const anchor = (type: string) => `t-${type.replace(/[^A-Za-z0-9_-]/g, "-")}`;

/** A field's type in a few words: `string (date-time)`, `integer ≥ 0`, `"card" | "wallet"`, `object`. */
function typeOf(schema: Json): string {
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  const branches = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(branches)) return branches.map(typeOf).join(" | ");
  if (schema.type === "array") return `array of ${typeOf(schema.items ?? {})}`;
  const details = [
    schema.format,
    schema.pattern && `pattern ${schema.pattern}`,
    schema.minimum !== undefined && `≥ ${schema.minimum}`,
    schema.maxLength !== undefined && `≤ ${schema.maxLength} chars`,
  ].filter(Boolean);
  return `${schema.type ?? "any"}${details.length ? ` (${details.join(", ")})` : ""}`;
}

/** One row per field, nested objects' fields under `parent.child`; a union's branches one after the other. */
function fieldRows(schema: Json, prefix = ""): string[] {
  const branches = schema.oneOf ?? schema.anyOf;
  if (Array.isArray(branches) && branches.every((b: Json) => b.type === "object"))
    return branches.flatMap((branch: Json, i: number) => [
      `<tr><td colspan="3"><em>shape ${i + 1} of ${branches.length}</em></td></tr>`,
      ...fieldRows(branch, prefix),
    ]);
  const required = new Set<string>(schema.required ?? []);
  return Object.entries<Json>(schema.properties ?? {}).flatMap(([name, field]) => {
    const path = `${prefix}${name}`;
    const row = `<tr><td>${code(path)}</td><td>${escape(typeOf(field))}</td><td>${required.has(name) ? "required" : "optional"}</td></tr>`;
    const items = field.type === "array" ? field.items : undefined;
    if (field.type === "object") return [row, ...fieldRows(field, `${path}.`)];
    if (items?.type === "object") return [row, ...fieldRows(items, `${path}[].`)];
    return [row];
  });
}

function section(document: Json, type: string): string {
  const message = document.components.messages[type];
  const schema = document.components.schemas[type] ?? {};
  const operations = Object.entries<Json>(document.operations)
    .filter(([, operation]) => operation.channel.$ref === `#/channels/${type}`)
    .map(([, operation]) => operation.action);
  const facts: Array<[string, string]> = [
    ["Subject", `${code(type)}, or ${code(`<NATS_PREFIX>.${type}`)}`],
    ["Stream", code(message["x-ghasi-stream"])],
    ["Partition key", code(message["x-ghasi-partition-key"] ?? "")],
    ["Retention", escape(message["x-ghasi-retention-class"])],
    ["Producer", escape(message["x-ghasi-producer"]) + (message["x-ghasi-upstream"] ? " (outside this engine)" : "")],
    ["Operations", escape(operations.join(", "))],
  ];
  if (message["x-ghasi-deprecated-by"])
    facts.push([
      "Deprecated",
      `replaced by <a href="#${anchor(message["x-ghasi-deprecated-by"])}">${code(message["x-ghasi-deprecated-by"])}</a>`,
    ]);
  if (message["x-ghasi-previous-version"])
    facts.push([
      "Previous version",
      `<a href="#${anchor(message["x-ghasi-previous-version"])}">${code(message["x-ghasi-previous-version"])}</a>`,
    ]);
  const example = message.examples?.[0]?.payload;
  return `<section id="${anchor(type)}">
<h2>${escape(type)}${message["x-ghasi-deprecated-by"] ? ' <small class="deprecated">deprecated</small>' : ""}</h2>
<p>${escape(message.summary ?? "")}</p>
<table class="facts">${facts.map(([name, value]) => `<tr><th>${name}</th><td>${value}</td></tr>`).join("")}</table>
<h3>Payload</h3>
<table><tr><th>Field</th><th>Type</th><th></th></tr>${fieldRows(schema).join("")}</table>
${example ? `<details><summary>Example envelope</summary><pre>${escape(JSON.stringify(example, null, 2))}</pre></details>` : ""}
</section>`;
}

export function eventsPage(document: Json): string {
  const types = Object.keys(document.channels);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(document.info.title)}</title>
<style>body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse;margin:.5rem 0}
td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;vertical-align:top}pre{background:#f6f6f6;padding:.5rem;overflow:auto}
.deprecated{color:#a33}section{border-top:1px solid #ccc;margin-top:1.5rem}</style></head>
<body>
<h1>${escape(document.info.title)} <small>${escape(document.info.version)}</small></h1>
<p>${escape(document.info.description)}</p>
<p>The machine-readable document: <a href="/asyncapi.json">/asyncapi.json</a> (AsyncAPI ${escape(document.asyncapi)}).</p>
<h2>Envelope fields</h2>
<table><tr><th>Field</th><th>Type</th><th></th></tr>${fieldRows(document.components.schemas.Envelope).join("")}</table>
<h2>Wire types</h2>
<ul>${types.map((type) => `<li><a href="#${anchor(type)}">${escape(type)}</a></li>`).join("")}</ul>
${types.map((type) => section(document, type)).join("\n")}
</body></html>
`;
}
