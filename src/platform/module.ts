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

/**
 * What a module builds from its app's kernel when it is installed (an application API, the
 * dependencies its use cases share). The kernel is created from every module's events, so it does
 * not exist yet when the module is; createApp installs every module before it returns, and a read
 * before that is a wiring mistake, said loudly instead of answered with another app's state.
 */
export class BoundAtInstall<T> {
  private value: T | undefined;

  constructor(private readonly what: string) {}

  bind(value: T): T {
    if (this.value !== undefined) throw new Error(`${this.what} is installed once per app`);
    return (this.value = value);
  }

  get(): T {
    if (this.value === undefined) throw new Error(`${this.what} is read before its module was installed`);
    return this.value;
  }
}
