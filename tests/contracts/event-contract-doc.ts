import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { seedFixture } from "./seed-events.fixture.js";
import type { Mapping, SeedFixture } from "./seed-contract.js";

/**
 * docs/event-contract.md's seed tables, rendered from the fixture so the doc cannot say one thing
 * and the test check another: seed-contract.test.ts fails when the doc's block differs, and
 * `npx tsx tests/contracts/event-contract-doc.ts --write` rewrites it.
 */
export const DOC_PATH = fileURLToPath(new URL("../../docs/event-contract.md", import.meta.url));
export const START = "<!-- seed tables: generated from tests/contracts/seed-events.fixture.ts, do not edit by hand -->";
export const END = "<!-- end of seed tables -->";

const cell = (text: string) => text.replaceAll("|", "\\|");
const code = (text: string) => `\`${text}\``;

/** A mapping that only renames to camelCase, said as the fixture says it (its why is the naming reason). */
function isRenameOnly(mapping: Mapping, namingWhy: string): boolean {
  return !("absent" in mapping) && !mapping.optional && mapping.why === namingWhy;
}

export function renderSeedTables(fixture: SeedFixture): string {
  // The naming reason is the one most mappings share; its rows go in the compact table.
  const counts = new Map<string, number>();
  for (const event of fixture.events) for (const m of event.mappings ?? []) counts.set(m.why, (counts.get(m.why) ?? 0) + 1);
  const namingWhy = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "";
  const source = (e: { seed: string; seedName?: string }) => cell(e.seedName ? `${e.seed} ${e.seedName}` : e.seed);
  const lines: string[] = [START, ""];

  lines.push(
    "### Field for field",
    "",
    "Every seed field is ours under the same name, as required as the seed makes it; where the seed says `number` for a count we send an integer.",
    "",
  );
  lines.push("| wire type | seed | fields |", "|---|---|---|");
  for (const event of fixture.events.filter((e) => !e.mappings?.length)) {
    lines.push(`| ${code(event.wireType)} | ${source(event)} | ${Object.keys(event.fields).join(", ")} |`);
  }

  lines.push("", "### Renamed to camelCase", "", `Why: ${namingWhy}.`, "");
  lines.push("| wire type | seed | seed field → our field |", "|---|---|---|");
  for (const event of fixture.events) {
    const renames = (event.mappings ?? []).filter((m) => isRenameOnly(m, namingWhy)) as Array<Mapping & { ourField: string }>;
    if (renames.length === 0) continue;
    lines.push(`| ${code(event.wireType)} | ${source(event)} | ${renames.map((m) => `${m.seedField} → ${m.ourField}`).join(", ")} |`);
  }

  lines.push("", "### Every other difference", "");
  lines.push("| wire type | seed | seed field | our field | why |", "|---|---|---|---|---|");
  for (const event of fixture.events) {
    for (const m of (event.mappings ?? []).filter((m) => !isRenameOnly(m, namingWhy))) {
      const ours = "absent" in m ? "— (not carried)" : `${m.ourField}${m.optional ? " (optional)" : ""}`;
      lines.push(`| ${code(event.wireType)} | ${source(event)} | ${m.seedField} | ${ours} | ${cell(m.why)} |`);
    }
  }

  lines.push("", "### Partition keys", "", "Events with the same key are published in order; a seed's ordering promise and ours.", "");
  lines.push("| wire type | seed | the seed orders by | ours | why |", "|---|---|---|---|---|");
  for (const event of fixture.events.filter((e) => e.partitionKey)) {
    const key = event.partitionKey!;
    const renamed = event.mappings?.find((m) => m.seedField === key.seedField && !("absent" in m)) as { ourField: string } | undefined;
    const ours = key.ourField ?? renamed?.ourField ?? key.seedField;
    lines.push(
      `| ${code(event.wireType)} | ${source(event)} | ${key.seedField} (${key.seed}) | ${ours} | ${cell(key.why ?? "as the seed says")} |`,
    );
  }

  lines.push("", "### Named by a seed without a payload", "", "Each must be a wire type the registry knows.", "");
  lines.push("| seed | direction | wire types |", "|---|---|---|");
  for (const group of fixture.named) lines.push(`| ${cell(group.seed)} | ${group.direction} | ${group.wireTypes.map(code).join(", ")} |`);

  lines.push("", "### Seed events we do not produce", "");
  lines.push("| seed | event | why |", "|---|---|---|");
  for (const entry of fixture.notProduced) lines.push(`| ${cell(entry.seed)} | ${code(entry.seedName)} | ${cell(entry.why)} |`);

  lines.push("", END);
  return lines.join("\n");
}

/** The doc's generated block as it stands, or undefined when the markers are missing. */
export function currentBlock(doc: string): string | undefined {
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  return start < 0 || end < start ? undefined : doc.slice(start, end + END.length);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && process.argv.includes("--write")) {
  const doc = readFileSync(DOC_PATH, "utf8");
  const block = currentBlock(doc);
  if (!block) throw new Error(`${DOC_PATH} has no "${START}" … "${END}" block`);
  writeFileSync(DOC_PATH, doc.replace(block, renderSeedTables(seedFixture)));
  console.log(`rewrote the seed tables in ${DOC_PATH}`);
}
