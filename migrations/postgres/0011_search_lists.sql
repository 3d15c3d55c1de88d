-- Recent-match lists for frequent one- and two-character tokens (`search::lists`), so that
-- a query of one such token ranks its 200 most recent matches without reading their rows:
-- finding them through the tsvector and GIN tested thousands of 1.4 KB rows for a word in
-- 2 % of 311,000 poems (12-15 ms), and ranking 200 rows read by key cost 1.3-3.5 ms.
--
-- A listed token of a kind. Every document of the kind holding the token whose `doc_id` is
-- at least `floor_id` is in `search_recent`; older ones were trimmed.
CREATE TABLE search_lists (
    kind      TEXT NOT NULL,
    token     TEXT NOT NULL,
    floor_id  BIGINT NOT NULL,
    PRIMARY KEY (kind, token)
);

-- One entry per (listed token, document), with the document's `ts_rank` for the token (the
-- same float4 the search computes from the tsvector).
CREATE TABLE search_recent (
    kind    TEXT NOT NULL,
    token   TEXT NOT NULL,
    doc_id  BIGINT NOT NULL,
    score   REAL NOT NULL,
    PRIMARY KEY (kind, token, doc_id)
);
