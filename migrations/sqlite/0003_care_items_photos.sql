-- Service items of a care plan (一人一策): what is done for the person (family-doctor
-- contract, monthly call, medicine delivery …) and where each stands.
CREATE TABLE care_items (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES people(id),
    name        TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('planned', 'active', 'paused', 'done')),
    note        TEXT,
    created_by  INTEGER NOT NULL REFERENCES accounts(id),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX care_items_person ON care_items(person_id, id);

-- One photo per person file, re-encoded as a small JPEG on upload, so no camera metadata
-- (GPS position of the home, device) is kept.
CREATE TABLE person_photos (
    person_id   INTEGER PRIMARY KEY REFERENCES people(id),
    jpeg        BLOB NOT NULL,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    updated_at  TEXT NOT NULL
);

-- A mobile party member (流动党员) belongs to an online branch (网络党支部) as well as to
-- the unit that keeps the file.
ALTER TABLE people ADD COLUMN online_branch_id INTEGER REFERENCES units(id);
CREATE INDEX people_online_branch ON people(online_branch_id);
