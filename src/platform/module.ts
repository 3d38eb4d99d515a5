import type { Authenticator } from "./http/auth.js";
import type { HttpServer } from "./http/server.js";
import type { EventDefinition } from "./events/registry.js";
import type { Kernel } from "./kernel.js";

export interface ModuleHost {
  kernel: Kernel;
  server: HttpServer;
  authenticator: Authenticator;
}

/** What a bounded context plugs into the app: its wire types, its refusal codes, and its wiring. */
export interface ContextModule {
  name: string;
  events: EventDefinition<string, any>[];
  /** Rejection code → HTTP status; merged into the one table the HTTP layer maps with. */
  errors: Readonly<Record<string, number>>;
  /** Registers routes, consumers and pollers; runs before the kernel starts its workers. */
  install(host: ModuleHost): void | Promise<void>;
}
