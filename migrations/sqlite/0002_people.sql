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
CREATE INDEX people_name_folded ON people(name_folded);
CREATE INDEX people_name_initials ON people(name_initials);

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
    updated_at     TEXT NOT NULL
);
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
