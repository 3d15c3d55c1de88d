-- Subtrees are found as a range of unit paths (`path >= p AND path < p || '~'`), served by
-- the unique index on the path. SQLite compares text bytewise (BINARY) already; the
-- PostgreSQL migration of the same number makes the column's collation "C" to match.
SELECT 1;
