-- Full-text search over any kind of document (articles, works, …), written by
-- `search::index` in the same transaction as the document itself.
--
-- `search_docs` maps a document (kind, doc_id) to the rowid of its row in `search_fts`
-- and records the tokenizer version it was indexed with (`search::text::TEXT_TOKENS_VERSION`),
-- so documents indexed by an older tokenizer can be found and re-indexed.
CREATE TABLE search_docs (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    doc_id      BIGINT NOT NULL,
    version     TEXT NOT NULL,
    UNIQUE (kind, doc_id)
);

-- The tokens come pre-made from `search::text::index_tokens` (CJK bigrams and single
-- characters, Latin words, jieba words), separated by spaces. The `ascii` tokenizer splits
-- only on ASCII spaces and punctuation and keeps every non-ASCII character, so what Rust
-- wrote is exactly what is indexed. Contentless: the text lives in the owner's table;
-- `contentless_delete` lets a document be replaced or removed by rowid.
CREATE VIRTUAL TABLE search_fts USING fts5(
    tokens,
    content = '',
    contentless_delete = 1,
    tokenize = 'ascii'
);
