-- The GIN index of the search tokens takes new entries straight into its tree instead of
-- a pending list. Every GIN search reads the whole pending list (up to 4 MB by default), and
-- after a burst of writes (20,000 poems indexed again) queries that took 0.1 ms took 1.6-5 ms;
-- with 162 pending pages, 0.43 ms (docs/PERFORMANCE.md). The price is paid by the writer:
-- 3,000 documents updated in 4.4 s instead of 2.4 s plus 0.2 s to flush the list later.
ALTER INDEX search_docs_tokens SET (fastupdate = off);
-- Turning it off does not flush what is pending already.
SELECT gin_clean_pending_list('search_docs_tokens'::regclass);
