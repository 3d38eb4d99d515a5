import type { OrderableListing } from "./orders.sql.js";

/**
 * The course of each listing seen, per process. A listing's course never changes (a trigger
 * refuses it), so an order for a known listing reads the course's start with the listing itself.
 */
export class ListingCourses {
  private readonly courses = new Map<string, string>();
  constructor(private readonly limit = 50_000) {}
  courseOf(listingId: string): string | undefined {
    return this.courses.get(listingId);
  }
  remember(listings: Iterable<OrderableListing>): void {
    for (const listing of listings) {
      if (this.courses.size >= this.limit) this.courses.clear();
      this.courses.set(listing.listingId, listing.courseId);
    }
  }
}
