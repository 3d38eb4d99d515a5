import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { connect } from "@nats-io/transport-node";
import { jetstream } from "@nats-io/jetstream";
import { afterEach, describe, expect, it } from "vitest";
import { lockDataDir } from "../../src/platform/db/data-dir-lock.js";
import type { ContextModule } from "../../src/platform/module.js";
import { onNats, startTestApp, type TestApp } from "../support/test-app.js";

let t: TestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

describe("database", () => {
  it("runs as a role that is neither superuser nor table owner, so row-level security applies", async () => {
    t = await startTestApp();
    const role = await t.app.kernel.db.query<{ current_user: string; rolsuper: boolean; rolbypassrls: boolean }>(
      `SELECT current_user, r.rolsuper, r.rolbypassrls FROM pg_roles r WHERE r.rolname = current_user`,
    );
    expect(role.rows[0]).toEqual({ current_user: "ghasi_app", rolsuper: false, rolbypassrls: false });
    await expect(t.app.kernel.db.query(`CREATE TABLE platform.sneaky (id int)`)).rejects.toThrow();
  });

  it("scopes a transaction to the caller's tenant", async () => {
    t = await startTestApp();
    const scope = await t.app.kernel.db.tx(
      (tx) => tx.query<{ tenant: string }>(`SELECT current_setting('app.tenant_id', true) AS tenant`),
      { tenantId: "ten_42" },
    );
    expect(scope.rows[0]!.tenant).toBe("ten_42");
  });

  it("runs the same statement again after it failed inside a transaction, with rows and counts intact", async () => {
    t = await startTestApp();
    const { db } = t.app.kernel;
    const insert = `INSERT INTO platform.inbox (consumer, event_id) VALUES ($1, $2) RETURNING consumer, event_id`;
    const counted = await db.tx(async (tx) => {
      await tx.query(insert, ["test.prepared", "evt_1"]);
      // The duplicate fails inside a savepoint; the statement (prepared once per session) stays usable.
      await expect(tx.savepoint(() => tx.query(insert, ["test.prepared", "evt_1"]))).rejects.toThrow(/duplicate key/);
      const again = await tx.query<{ consumer: string; event_id: string }>(insert, ["test.prepared", "evt_2"]);
      const deleted = await tx.query(`DELETE FROM platform.inbox WHERE consumer = $1 AND event_id = ANY ($2::text[])`, [
        "test.prepared",
        ["evt_1", "evt_2", "evt_3"],
      ]);
      return { again: again.rows, deleted: deleted.rowCount };
    });
    expect(counted).toEqual({ again: [{ consumer: "test.prepared", event_id: "evt_2" }], deleted: 2 });
  });

  it("plans statements in transactions once per session and off sequential scans, and the relay's claim on every call", async () => {
    t = await startTestApp();
    const settings = async (options?: { customPlans?: boolean }) =>
      (
        await t!.app.kernel.db.tx(
          (tx) =>
            tx.query<{ mode: string; seqscan: string }>(
              `SELECT current_setting('plan_cache_mode') AS mode, current_setting('enable_seqscan') AS seqscan WHERE $1::int = 1`,
              [1],
            ),
          options,
        )
      ).rows[0];
    expect(await settings()).toEqual({ mode: "force_generic_plan", seqscan: "off" });
    expect(await settings({ customPlans: true })).toEqual({ mode: "force_custom_plan", seqscan: "on" });
    // Outside a transaction the session's defaults hold.
    expect(
      (await t.app.kernel.db.query(`SELECT current_setting('plan_cache_mode') AS mode, current_setting('enable_seqscan') AS seqscan`))
        .rows[0],
    ).toEqual({ mode: "auto", seqscan: "on" });
  });

  it("keeps a second process off a data directory in use", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "ghasi-lock-"));
    try {
      const release = lockDataDir(dir);
      // The lock file names this (live) process, as a second `npm start` would find it.
      expect(() => lockDataDir(dir)).toThrow(/in use by process/);
      release();
      lockDataDir(dir)();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("upstream events on the bus", () => {
  it.runIf(onNats)("applies an upstream event published straight to its NATS subject", async () => {
    const seen: string[] = [];
    const listener: ContextModule = {
      name: "listener",
      events: [],
      errors: {},
      install({ kernel }) {
        kernel.hub.register({
          name: "listener.versions",
          types: ["catalog.course_version.published.v1"],
          handle: async (_tx, event) => void seen.push(event.eventId),
        });
      },
    };
    t = await startTestApp({ modules: [listener] });
    const nc = await connect({ servers: process.env.NATS_URL });
    try {
      const envelope = {
        eventId: "evt_from_catalog",
        type: "catalog.course_version.published.v1",
        occurredAt: new Date().toISOString(),
        source: "catalog",
        aggregateType: "CourseVersion",
        aggregateId: "cv_9",
        tenantId: null,
        partitionKey: "crs_9",
        correlationId: "evt_from_catalog",
        causationId: null,
        retentionClass: "operational",
        payload: { courseId: "crs_9", courseVersionId: "cv_9" },
        metadata: {},
      };
      const js = jetstream(nc);
      const subject = `${t.config.natsPrefix}.catalog.course_version.published.v1`;
      await js.publish(subject, JSON.stringify(envelope), { msgID: envelope.eventId });
      await js.publish(subject, JSON.stringify(envelope), { msgID: `${envelope.eventId}-again` });
      const deadline = Date.now() + 10_000;
      while (seen.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(seen).toEqual(["evt_from_catalog"]);
    } finally {
      await nc.close();
    }
  });
});

describe("contract-breaking upstream events on the bus", () => {
  it.runIf(onNats)("dead-letters a payload that breaks its schema at once, with the reason", async () => {
    const listener: ContextModule = {
      name: "listener",
      events: [],
      errors: {},
      install({ kernel }) {
        kernel.hub.register({ name: "listener.versions", types: ["catalog.course_version.published.v1"], handle: async () => undefined });
      },
    };
    t = await startTestApp({ modules: [listener] });
    const nc = await connect({ servers: process.env.NATS_URL });
    try {
      const bad = {
        eventId: "evt_broken",
        type: "catalog.course_version.published.v1",
        occurredAt: new Date().toISOString(),
        source: "catalog",
        correlationId: "c",
        metadata: {},
        payload: { courseId: 42 },
      };
      await jetstream(nc).publish(`${t.config.natsPrefix}.catalog.course_version.published.v1`, JSON.stringify(bad), {
        msgID: bad.eventId,
      });
      const deadline = Date.now() + 10_000;
      let letters: Array<{ consumer: string; last_error: string }> = [];
      while (letters.length === 0 && Date.now() < deadline) {
        letters = (
          await t.app.kernel.db.query<{ consumer: string; last_error: string }>(
            `SELECT consumer, last_error FROM platform.dead_letters WHERE event_id = 'evt_broken' AND consumer = 'listener.versions'`,
          )
        ).rows;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(letters).toHaveLength(1);
      expect(letters[0]!.consumer).toBe("listener.versions");
      expect(letters[0]!.last_error).toContain("courseId");
    } finally {
      await nc.close();
    }
  });
});
