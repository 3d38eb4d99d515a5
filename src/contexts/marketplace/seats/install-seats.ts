import type { ModuleHost } from "../../../platform/module.js";
import { Poller } from "../../../platform/poller.js";
import { expireDueLicenses, nextLicenseExpiry } from "../licenses/expire-licenses.js";
import type { MarketplacePorts } from "../ports.js";
import type { SeatRules } from "./assign-seats.js";
import { runSeatJobs } from "./seat-jobs.js";
import { seatRoutes } from "./seats.routes.js";

/** Seat assignment and release, bulk seat jobs, and the license-expiry deadline worker. */
export function installSeats(host: ModuleHost, ports: MarketplacePorts, rules: SeatRules): void {
  const { kernel } = host;
  seatRoutes(host, ports.enrollments, rules);
  kernel.pollers.push(
    new Poller("marketplace.seat-jobs", kernel.config.sagaPollMs, () => runSeatJobs(kernel, ports.enrollments, rules), kernel.logger),
  );
  kernel.pollers.push(
    new Poller("marketplace.license-expiry", kernel.config.sagaPollMs, () => expireDueLicenses(kernel), kernel.logger, {
      nextDue: () => nextLicenseExpiry(kernel),
    }),
  );
}
