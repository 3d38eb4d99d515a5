/**
 * The opaque browse cursor: the (rank, listingId) of the last item served. Keyset pagination on
 * that pair is stable (listingId breaks rank ties), so pages never repeat or skip a listing.
 */
export interface BrowseCursor {
  rank: number;
  listingId: string;
}

export function encodeCursor(cursor: BrowseCursor): string {
  return Buffer.from(JSON.stringify([cursor.rank, cursor.listingId]), "utf8").toString("base64url");
}

/** `null` for anything that is not a cursor we issued (the route answers 400). */
export function decodeCursor(text: string): BrowseCursor | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    if (!Array.isArray(value) || value.length !== 2) return null;
    const [rank, listingId] = value as [unknown, unknown];
    if (
      typeof rank !== "number" ||
      !Number.isFinite(rank) ||
      typeof listingId !== "string" ||
      listingId.length === 0 ||
      listingId.length > 200
    )
      return null;
    return { rank, listingId };
  } catch {
    return null;
  }
}
