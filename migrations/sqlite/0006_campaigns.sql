-- Essay campaigns (征文) and the works library (作品库). A campaign is open to the members of
-- its unit's subtree between two dates; judges score the works without seeing who wrote
-- them; chosen works go to the campaign's column through the usual review and stay in the
-- library.
CREATE TABLE campaigns (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    column_id   INTEGER NOT NULL REFERENCES columns(id),
    title       TEXT NOT NULL,
    theme       TEXT NOT NULL,
    rules       TEXT,
    opens_on    TEXT NOT NULL,
    closes_on   TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('open', 'judging', 'finished')),
    created_by  INTEGER NOT NULL REFERENCES accounts(id),
    created_at  TEXT NOT NULL
);
CREATE INDEX campaigns_unit ON campaigns(unit_id);

CREATE TABLE campaign_judges (
    campaign_id  INTEGER NOT NULL REFERENCES campaigns(id),
    account_id   INTEGER NOT NULL REFERENCES accounts(id),
    PRIMARY KEY (campaign_id, account_id)
);

-- A member's work, with their consent to publish it. state: received → shortlisted →
-- chosen (sent to review as an article) ; works given straight to the library are 'library'.
CREATE TABLE works (
    id           INTEGER PRIMARY KEY,
    campaign_id  INTEGER REFERENCES campaigns(id),
    kind         TEXT NOT NULL CHECK (kind IN ('poem', 'essay', 'calligraphy', 'painting', 'recitation', 'video')),
    title        TEXT NOT NULL,
    body         TEXT NOT NULL,
    author_id    INTEGER NOT NULL REFERENCES accounts(id),
    unit_id      INTEGER NOT NULL REFERENCES units(id),
    consent      BOOLEAN NOT NULL CHECK (consent = TRUE),
    state        TEXT NOT NULL CHECK (state IN ('received', 'shortlisted', 'chosen', 'library')),
    article_id   INTEGER REFERENCES articles(id),
    created_at   TEXT NOT NULL
);
CREATE INDEX works_campaign ON works(campaign_id, id);
CREATE INDEX works_state ON works(state, id);

CREATE TABLE work_scores (
    work_id    INTEGER NOT NULL REFERENCES works(id),
    judge_id   INTEGER NOT NULL REFERENCES accounts(id),
    score      INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
    comment    TEXT,
    scored_at  TEXT NOT NULL,
    PRIMARY KEY (work_id, judge_id)
);

-- Files of a work (a recitation, a photo of calligraphy); they move to the article when the
-- work is chosen or taken into a column.
ALTER TABLE attachments ADD COLUMN work_id INTEGER REFERENCES works(id);
CREATE INDEX attachments_work ON attachments(work_id);
