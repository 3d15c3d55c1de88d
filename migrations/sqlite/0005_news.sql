-- Publishing: columns (栏目) and special issues (专题) per unit, articles with every saved
-- version, the review trail, and per-unit review steps (one or two).

CREATE TABLE columns (
    id           INTEGER PRIMARY KEY,
    unit_id      INTEGER NOT NULL REFERENCES units(id),
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('column', 'special')),
    description  TEXT,
    active       BOOLEAN NOT NULL DEFAULT TRUE,
    created_at   TEXT NOT NULL,
    UNIQUE (unit_id, name)
);

-- Review steps configured at a unit; units below without their own follow the nearest
-- configured ancestor, else two steps.
CREATE TABLE review_settings (
    unit_id  INTEGER PRIMARY KEY REFERENCES units(id),
    steps    INTEGER NOT NULL CHECK (steps IN (1, 2))
);

-- An article's current state. Title, summary and body are those of the latest version.
-- state: draft → submitted → first_approved (two-step units) → approved (waiting for
-- publish_at) / published; rejected goes back to the author; withdrawn keeps the article
-- but hides it from the public.
CREATE TABLE articles (
    id               INTEGER PRIMARY KEY,
    column_id        INTEGER NOT NULL REFERENCES columns(id),
    unit_id          INTEGER NOT NULL REFERENCES units(id),
    title            TEXT NOT NULL,
    summary          TEXT,
    body_md          TEXT NOT NULL,
    body_html        TEXT NOT NULL,
    tags             TEXT NOT NULL DEFAULT '',
    source           TEXT,
    author_id        INTEGER NOT NULL REFERENCES accounts(id),
    correspondent_id INTEGER REFERENCES accounts(id),
    state            TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'first_approved', 'approved', 'published', 'rejected', 'withdrawn')),
    version          INTEGER NOT NULL,
    publish_at       TEXT,
    published_at     TEXT,
    -- The cover image: one of the article's image attachments.
    cover_id         INTEGER,
    first_reviewer   INTEGER REFERENCES accounts(id),
    withdrawn_reason TEXT,
    -- Imported articles: the text as it came, and the repairs made to it (JSON).
    original_text    TEXT,
    repairs          TEXT,
    read_count       INTEGER NOT NULL DEFAULT 0,
    like_count       INTEGER NOT NULL DEFAULT 0,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX articles_column_published ON articles(column_id, state, published_at);
CREATE INDEX articles_state_updated ON articles(state, updated_at);
CREATE INDEX articles_unit ON articles(unit_id);
CREATE INDEX articles_publish_at ON articles(state, publish_at);

-- Every saved version, never changed afterwards.
CREATE TABLE article_versions (
    article_id  INTEGER NOT NULL REFERENCES articles(id),
    version     INTEGER NOT NULL,
    title       TEXT NOT NULL,
    summary     TEXT,
    body_md     TEXT NOT NULL,
    tags        TEXT NOT NULL,
    saved_by    INTEGER NOT NULL REFERENCES accounts(id),
    saved_at    TEXT NOT NULL,
    PRIMARY KEY (article_id, version)
);

-- Who did what to an article and when (submit, approve, reject, publish, withdraw), with
-- the reviewer's comment; shown on the article and kept with the audit trail.
CREATE TABLE article_events (
    id          INTEGER PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES articles(id),
    action      TEXT NOT NULL,
    from_state  TEXT NOT NULL,
    to_state    TEXT NOT NULL,
    actor_id    INTEGER REFERENCES accounts(id),
    comment     TEXT,
    version     INTEGER NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX article_events_article ON article_events(article_id, id);

-- One read per visitor per day: (article, day, visitor hash).
CREATE TABLE article_reads (
    article_id  INTEGER NOT NULL REFERENCES articles(id),
    day         TEXT NOT NULL,
    visitor     TEXT NOT NULL,
    PRIMARY KEY (article_id, day, visitor)
);

-- Words a reviewer should look at twice (not an automatic rejection).
CREATE TABLE sensitive_words (
    word        TEXT PRIMARY KEY,
    added_by    INTEGER REFERENCES accounts(id),
    added_at    TEXT NOT NULL
);

-- Readers' comments. The public's wait for moderation (pending); comments by signed-in
-- accounts and staff replies appear at once. Enough reports send a comment back to pending.
CREATE TABLE article_comments (
    id           INTEGER PRIMARY KEY,
    article_id   INTEGER NOT NULL REFERENCES articles(id),
    parent_id    INTEGER REFERENCES article_comments(id),
    account_id   INTEGER REFERENCES accounts(id),
    author_name  TEXT NOT NULL,
    body         TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
    reports      INTEGER NOT NULL DEFAULT 0,
    visitor      TEXT NOT NULL,
    moderated_by INTEGER REFERENCES accounts(id),
    created_at   TEXT NOT NULL
);
CREATE INDEX article_comments_article ON article_comments(article_id, state, id);
CREATE INDEX article_comments_state ON article_comments(state, id);
CREATE INDEX article_comments_visitor ON article_comments(visitor, created_at);

-- One like per reader.
CREATE TABLE article_likes (
    article_id  INTEGER NOT NULL REFERENCES articles(id),
    visitor     TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (article_id, visitor)
);

-- One report per reader and comment.
CREATE TABLE comment_reports (
    comment_id  INTEGER NOT NULL REFERENCES article_comments(id),
    visitor     TEXT NOT NULL,
    PRIMARY KEY (comment_id, visitor)
);

-- Files attached to an article (images, audio, video), checked by their content on upload.
-- The bytes live in the upload directory (shared storage for several nodes) under
-- `storage_key`; the database keeps what they are.
CREATE TABLE attachments (
    id            INTEGER PRIMARY KEY,
    article_id    INTEGER REFERENCES articles(id),
    kind          TEXT NOT NULL CHECK (kind IN ('image', 'audio', 'video')),
    content_type  TEXT NOT NULL,
    size_bytes    BIGINT NOT NULL,
    sha256        TEXT NOT NULL,
    storage_key   TEXT NOT NULL UNIQUE,
    original_name TEXT NOT NULL,
    uploaded_by   INTEGER NOT NULL REFERENCES accounts(id),
    created_at    TEXT NOT NULL
);
CREATE INDEX attachments_article ON attachments(article_id, id);
