import type { ContextModule } from "./platform/module.js";

/** The bounded contexts this build runs, in start-up order. */
export const contextModules: ContextModule[] = [];
