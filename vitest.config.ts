import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "tests/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Two cores: more workers only queue behind each other (and each holds a PGlite instance).
    maxWorkers: 2,
    reporters: ["default"],
  },
});
