import { describe, expect, it } from "vitest";
import { transactionOn } from "../../../platform/db/transaction.js";
import { grantLicensesAtCommit, revokeLicensesOfOrder, type NewLicense } from "./licenses.sql.js";
import { activeSiteLicense } from "./site-licenses.js";

const at = new Date("2026-12-01T10:00:00Z");
const license = (line: number): NewLicense => ({
  licenseId: `lcn_${line}`,
  orderId: "ord_1",
  line,
  tenantId: "ten_1",
  buyerUserId: "usr_1",
  listingId: "lst_1",
  courseId: "crs_1",
  courseVersionId: "cv_1",
  perpetualOffline: false,
  terms: { kind: "one_time", seatTotal: null, validFrom: at, validUntil: null, holder: "buyer" },
});

/** A connection that records statements; the UPDATE of written licences finds none (they are all still buffered). */
function recording() {
  const statements: Array<{ text: string; params: readonly unknown[] }> = [];
  const open = transactionOn({ query: async (text, params = []) => (statements.push({ text, params }), { rows: [], rowCount: 0 }) });
  /** The `state` column of the licences the pre-commit statement writes. */
  const writtenStates = () => statements.find((s) => s.text.includes("INSERT INTO marketplace.licenses"))?.params.at(-2);
  return { ...open, statements, writtenStates };
}

describe("licences granted with the transaction's deferred writes", () => {
  it("are written revoked when a compensation in the same transaction revokes them", async () => {
    const { tx, flushDeferred, writtenStates } = recording();
    grantLicensesAtCommit(tx, [license(0), license(1)], at);
    const revoked = await revokeLicensesOfOrder(tx, "ord_1", "order_failed", at);
    await flushDeferred();
    expect(revoked.map((l) => [l.licenseId, l.state])).toEqual([
      ["lcn_0", "revoked"],
      ["lcn_1", "revoked"],
    ]);
    expect(writtenStates()).toEqual(["revoked", "revoked"]);
  });

  it("are written active when the savepoint that revoked them rolls back", async () => {
    const { tx, flushDeferred, writtenStates } = recording();
    grantLicensesAtCommit(tx, [license(0)], at);
    await expect(
      tx.savepoint(async () => {
        await revokeLicensesOfOrder(tx, "ord_1", "order_failed", at);
        throw new Error("the step failed after revoking");
      }),
    ).rejects.toThrow("the step failed");
    await flushDeferred();
    expect(writtenStates()).toEqual(["active"]);
  });

  it("are one insert for every order of a consumer batch", async () => {
    const { tx, flushDeferred, statements } = recording();
    grantLicensesAtCommit(tx, [license(0)], at);
    grantLicensesAtCommit(tx, [{ ...license(0), licenseId: "lcn_b", orderId: "ord_2" }], at);
    await flushDeferred();
    expect(statements.filter((s) => s.text.includes("INSERT INTO marketplace.licenses"))).toHaveLength(1);
  });

  it("are written before a site-licence read in the same transaction, and no statement is added when none are buffered", async () => {
    const { tx, statements } = recording();
    await activeSiteLicense(tx, ["ten_1"], "crs_1", at);
    expect(statements.map((s) => s.text.includes("INSERT INTO marketplace.licenses"))).toEqual([false]);
    grantLicensesAtCommit(tx, [{ ...license(0), terms: { ...license(0).terms, kind: "site_license", holder: "tenant" } }], at);
    await activeSiteLicense(tx, ["ten_1"], "crs_1", at);
    expect(statements.slice(1).map((s) => s.text.includes("INSERT INTO marketplace.licenses"))).toEqual([true, false]);
  });
});
