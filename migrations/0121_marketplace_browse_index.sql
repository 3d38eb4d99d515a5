-- Browse reads far outnumber listing writes: without the GIN pending list, every search hits the
-- index proper instead of also scanning unmerged entries (which grow until the next vacuum).
ALTER INDEX marketplace.listings_live_search SET (fastupdate = off);
