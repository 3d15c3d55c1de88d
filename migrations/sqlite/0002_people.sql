-- People and precision care: person files with encrypted sensitive fields, categories,
-- care plans and visits.
-- Sensitive values (ID number, mobile, address, health, emergency contact) are stored only
-- as AES-GCM ciphertext (*_enc) plus, for look-ups, an HMAC blind index (*_idx) and the
-- masked form shown on screens (*_mask). The key is never in the database.

CREATE TABLE people (
    id               INTEGER PRIMARY KEY,
    unit_id          INTEGER NOT NULL REFERENCES units(id),
    name             TEXT NOT NULL,
    name_folded      TEXT NOT NULL,
    name_initials    TEXT NOT NULL,
    name_pinyin      TEXT NOT NULL,
    gender           TEXT CHECK (gender IN ('male', 'female')),
    birth_date       TEXT,
    id_number_enc    TEXT,
    id_number_idx    TEXT,
    id_number_mask   TEXT,
    mobile_enc       TEXT,
    mobile_idx       TEXT,
    mobile_mask      TEXT,
    address_enc      TEXT,
    health_enc       TEXT,
    emergency_enc    TEXT,
    former_employer  TEXT,
    post             TEXT,
    level            TEXT,
    party_join_date  TEXT,
    living           TEXT CHECK (living IN ('alone', 'empty_nest', 'with_family', 'care_home', 'relocated')),
    status           TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'moved', 'deceased')),
    died_on          TEXT,
    skills           TEXT,
    willing_to_serve BOOLEAN NOT NULL DEFAULT FALSE,
    -- Minors' files are visible only to youth-care roles; set from the category or the age.
    is_minor         BOOLEAN NOT NULL DEFAULT FALSE,
    account_id       INTEGER UNIQUE REFERENCES accounts(id),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX people_unit ON people(unit_id);
CREATE UNIQUE INDEX people_id_number ON people(id_number_idx);
CREATE INDEX people_mobile ON people(mobile_idx);
CREATE INDEX people_name_pinyin ON people(name_pinyin, id);

-- Name search index, written in the same transaction as the file: one row per distinct
-- character of the folded name (`c:王`), plus the pinyin initials (`i:wjg`) and full pinyin
-- (`p:wangjianguo`). Scanning one token in `sort_key` order finds the first page of matches
-- without reading every file.
CREATE TABLE person_search (
    token      TEXT NOT NULL,
    sort_key   TEXT NOT NULL,
    person_id  INTEGER NOT NULL REFERENCES people(id),
    PRIMARY KEY (token, sort_key, person_id)
);
CREATE INDEX person_search_person ON person_search(person_id);

CREATE TABLE person_categories (
    person_id  INTEGER NOT NULL REFERENCES people(id),
    category   TEXT NOT NULL CHECK (category IN ('lixiu', 'tuixiu', 'party_member', 'mobile_member', 'wulao', 'volunteer', 'youth')),
    PRIMARY KEY (person_id, category)
);
CREATE INDEX person_categories_category ON person_categories(category);

CREATE TABLE care_plans (
    person_id      INTEGER PRIMARY KEY REFERENCES people(id),
    tier           TEXT NOT NULL CHECK (tier IN ('key', 'regular', 'routine')),
    interval_days  INTEGER NOT NULL CHECK (interval_days BETWEEN 1 AND 3650),
    paired_staff   INTEGER REFERENCES accounts(id),
    notes          TEXT,
    -- Derived when a visit is recorded or the plan changes: the last contact, and the date
    -- by which the next one is due (last contact + interval). Never-contacted: NULL.
    last_contact_on TEXT,
    next_due_on     TEXT,
    updated_at     TEXT NOT NULL
);
CREATE INDEX care_plans_tier_due ON care_plans(tier, next_due_on);
CREATE INDEX care_plans_paired ON care_plans(paired_staff);

CREATE TABLE visits (
    id           INTEGER PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES people(id),
    visited_on   TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('home', 'phone', 'video', 'hospital')),
    visitors     TEXT NOT NULL,
    findings     TEXT NOT NULL,
    needs        TEXT,
    follow_up    TEXT,
    recorded_by  INTEGER NOT NULL REFERENCES accounts(id),
    created_at   TEXT NOT NULL
);
CREATE INDEX visits_person ON visits(person_id, visited_on);

-- Life events recorded on a file; they drive the must-visit rules.
CREATE TABLE life_events (
    id           INTEGER PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES people(id),
    kind         TEXT NOT NULL CHECK (kind IN ('hospitalised', 'discharged', 'bereavement', 'hardship', 'moved', 'died')),
    occurred_on  TEXT NOT NULL,
    note         TEXT,
    recorded_by  INTEGER NOT NULL REFERENCES accounts(id),
    created_at   TEXT NOT NULL
);
CREATE INDEX life_events_person ON life_events(person_id, occurred_on);
CREATE INDEX life_events_date ON life_events(occurred_on);

-- Hardship aid given (money in fen).
CREATE TABLE hardship_aid (
    id           INTEGER PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES people(id),
    kind         TEXT NOT NULL,
    amount_fen   BIGINT NOT NULL CHECK (amount_fen >= 0),
    approved_by  TEXT NOT NULL,
    granted_on   TEXT NOT NULL,
    note         TEXT,
    recorded_by  INTEGER NOT NULL REFERENCES accounts(id),
    created_at   TEXT NOT NULL
);
CREATE INDEX hardship_aid_person ON hardship_aid(person_id);

-- Must-visit rules (五必访) configured at a unit; the deepest configured ancestor applies.
CREATE TABLE care_rules (
    unit_id               INTEGER PRIMARY KEY REFERENCES units(id),
    key_days              INTEGER NOT NULL,
    regular_days          INTEGER NOT NULL,
    routine_days          INTEGER NOT NULL,
    hospital_days         INTEGER NOT NULL,
    bereavement_days      INTEGER NOT NULL,
    death_days            INTEGER NOT NULL,
    milestone_ages        TEXT NOT NULL,
    yearly_from_age       INTEGER NOT NULL,
    festival_window_days  INTEGER NOT NULL,
    updated_at            TEXT NOT NULL
);

-- Visit tasks made by the rules. (person, reason_key) is unique, so the generator can run
-- twice, or on two nodes at once, and each task exists once.
CREATE TABLE visit_tasks (
    id               INTEGER PRIMARY KEY,
    person_id        INTEGER NOT NULL REFERENCES people(id),
    reason           TEXT NOT NULL CHECK (reason IN ('hospital', 'bereavement', 'hardship', 'death', 'birthday', 'festival', 'interval')),
    reason_key       TEXT NOT NULL,
    window_start     TEXT NOT NULL,
    due_on           TEXT NOT NULL,
    assigned_to      INTEGER REFERENCES accounts(id),
    status           TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
    created_at       TEXT NOT NULL,
    closed_at        TEXT,
    closed_by_visit  INTEGER REFERENCES visits(id),
    UNIQUE (person_id, reason_key)
);
CREATE INDEX visit_tasks_mine ON visit_tasks(assigned_to, status, due_on);
CREATE INDEX visit_tasks_open ON visit_tasks(status, due_on);
CREATE INDEX visit_tasks_person ON visit_tasks(person_id, status);

-- Roster files between the preview and the commit of an import (kept in the database so any
-- node can finish what another began; removed at commit, or after a day by housekeeping).
CREATE TABLE import_uploads (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    filename    TEXT NOT NULL,
    data        BLOB NOT NULL,
    created_at  TEXT NOT NULL
);
