-- PostgreSQL's migration of the same number turns off the pending list of its GIN index of
-- the search tokens. FTS5 has no such list (it merges its segments itself): nothing to do.
SELECT 1;
