import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "./browse-cursor.domain.js";

describe("browse cursor", () => {
  it("round-trips the last rank and listing id exactly", () => {
    const cursor = { rank: 0.0607927, listingId: "lst_01" };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });
  it("refuses anything it did not issue", () => {
    for (const text of ["", "abc", Buffer.from("[1]").toString("base64url"), Buffer.from('["x","y"]').toString("base64url")])
      expect(decodeCursor(text)).toBeNull();
  });
});
