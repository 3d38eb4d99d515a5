// npm run bench [-- --only relay,browse] [--modes embedded,postgres]
// Each scenario prints one table row per mode; README "Benchmarks" explains the figures.
import { parseArgs } from "node:util";
import { readdir } from "node:fs/promises";
import { benchEnv, cleanupAll, type BenchEnv, type Mode } from "./lib.js";

interface Scenario {
  name: string;
  modes?: Mode[];
  run(env: BenchEnv): Promise<Record<string, string | number>>;
}

const { values } = parseArgs({ options: { only: { type: "string" }, modes: { type: "string", default: "embedded,postgres" } } });
const only = values.only?.split(",");
const modes = values.modes!.split(",") as Mode[];

const files = (await readdir(new URL("./scenarios", import.meta.url))).filter((f) => f.endsWith(".ts")).sort();
const results: Array<Record<string, string | number>> = [];
for (const file of files) {
  const scenario = (await import(`./scenarios/${file}`)) as Scenario;
  if (only && !only.includes(scenario.name)) continue;
  for (const mode of modes) {
    if (scenario.modes && !scenario.modes.includes(mode)) continue;
    console.log(`\n## ${scenario.name} (${mode})`);
    try {
      const figures = await scenario.run(benchEnv(mode));
      console.table(figures);
      results.push({ scenario: scenario.name, mode, ...figures });
    } catch (error) {
      console.error(`${scenario.name} (${mode}) failed:`, error);
      results.push({ scenario: scenario.name, mode, error: String(error) });
    } finally {
      await cleanupAll();
    }
  }
}
console.log("\n# Summary");
for (const row of results) console.log(JSON.stringify(row));
process.exit(0);
