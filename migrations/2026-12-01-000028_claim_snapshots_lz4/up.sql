-- Migration 000024 set lz4 on the snapshot, but 000025's change of its type to json put the
-- column back on the default (pglz) without a word. pglz was then the largest single cost of
-- writing a claim window's items: 4.8% of all CPU over a 100,000-family window (perf), on the
-- one connection every batch's write goes through. lz4 again: window from 9.1-9.5 s to 8.0-8.7 s.
ALTER TABLE claim_items ALTER COLUMN snapshot SET COMPRESSION lz4;
