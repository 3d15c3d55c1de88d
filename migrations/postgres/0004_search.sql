-- Full-text search over any kind of document (articles, works, …), written by
-- `search::index` in the same transaction as the document itself.
--
-- `tokens` is `to_tsvector('simple', …)` of the space-separated tokens made by
-- `search::text::index_tokens` (CJK bigrams and single characters, Latin words, jieba
-- words); 'simple' only lower-cases, so what Rust wrote is what is indexed. `version` is the
-- tokenizer version (`search::text::TEXT_TOKENS_VERSION`) the row was made with.
CREATE TABLE search_docs (
    kind        TEXT NOT NULL,
    doc_id      BIGINT NOT NULL,
    version     TEXT NOT NULL,
    tokens      TSVECTOR NOT NULL,
    PRIMARY KEY (kind, doc_id)
);
CREATE INDEX search_docs_tokens ON search_docs USING gin (tokens);
