-- The purchase saga updates an order's status three times on its way to fulfilled; none of the
-- updated columns is indexed, so with room on the page each update stays there (HOT) instead of
-- adding an entry to all three indexes.
ALTER TABLE marketplace.orders SET (fillfactor = 80);
