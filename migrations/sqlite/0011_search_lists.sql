-- Recent-match lists for frequent one- and two-character tokens (`search::lists`), so that
-- a query of one such token ranks its 200 most recent matches without FTS5's bm25, whose
-- document-frequency pass reads the whole posting list (2-3 ms for 月 over 311,000 poems).
--
-- `search_docs.len` is a document's number of tokens (bm25's document length; NULL until
-- the document is indexed again: the tokenizer version changed with this migration), and
-- `search_stats` counts the rows and tokens ever inserted into `search_fts` from here on,
-- as FTS5's own totals do (a contentless-delete table keeps them when a row is deleted),
-- which give bm25's average length: so the lists rank as `bm25()` does.
ALTER TABLE search_docs ADD COLUMN len INTEGER;
CREATE TABLE search_stats (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    docs    INTEGER NOT NULL,
    tokens  INTEGER NOT NULL
);
INSERT INTO search_stats (id, docs, tokens) VALUES (1, 0, 0);

-- A listed token of a kind. Every document of the kind holding the token whose
-- `search_docs.id` is at least `floor_id` is in `search_recent`; older ones were trimmed.
CREATE TABLE search_lists (
    id        INTEGER PRIMARY KEY,
    kind      TEXT NOT NULL,
    token     TEXT NOT NULL,
    floor_id  BIGINT NOT NULL,
    UNIQUE (kind, token)
);

-- One entry per (list, document): `sid` is `search_docs.id` (the recency order of the
-- search), `tf` the token's occurrences in the document, `len` the document's length.
CREATE TABLE search_recent (
    list    INTEGER NOT NULL,
    sid     INTEGER NOT NULL,
    doc_id  BIGINT NOT NULL,
    tf      INTEGER NOT NULL,
    len     INTEGER NOT NULL,
    PRIMARY KEY (list, sid)
) WITHOUT ROWID;
CREATE INDEX search_recent_sid ON search_recent (sid);

-- FTS5's own views of its index: document counts per token (to find the frequent ones) and
-- every occurrence (a token's frequency in each document, to fill a new list).
CREATE VIRTUAL TABLE search_vocab USING fts5vocab(search_fts, 'row');
CREATE VIRTUAL TABLE search_occurrences USING fts5vocab(search_fts, 'instance');
