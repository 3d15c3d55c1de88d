-- Contact rounds (排查台账): in a heat wave, a flood or an epidemic, staff reach every person
-- of a subtree who matches a filter. The roster is snapshotted when the round starts
-- (round_people); every attempt is kept (round_attempts); each person ends safe, needing help
-- or unreachable. round_units holds each unit's counts by state, recounted in the same
-- transaction as every change, so the coverage page reads a few hundred rows, not 100,000.

-- A person unreachable in a round gets a visit task of the new reason 'round'; a notice that
-- must reach and stays unread, one of reason 'notice' (a phone call by the paired staff). SQLite cannot
-- change a CHECK constraint in place: the table is copied (nothing references it).
CREATE TABLE visit_tasks_new (
    id               INTEGER PRIMARY KEY,
    person_id        INTEGER NOT NULL REFERENCES people(id),
    reason           TEXT NOT NULL CHECK (reason IN ('hospital', 'bereavement', 'hardship', 'death', 'birthday', 'festival', 'interval', 'round', 'notice')),
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
INSERT INTO visit_tasks_new (id, person_id, reason, reason_key, window_start, due_on, assigned_to, status, created_at, closed_at, closed_by_visit)
SELECT id, person_id, reason, reason_key, window_start, due_on, assigned_to, status, created_at, closed_at, closed_by_visit FROM visit_tasks;
DROP TABLE visit_tasks;
ALTER TABLE visit_tasks_new RENAME TO visit_tasks;
CREATE INDEX visit_tasks_mine ON visit_tasks(assigned_to, status, due_on);
CREATE INDEX visit_tasks_open ON visit_tasks(status, due_on);
CREATE INDEX visit_tasks_person ON visit_tasks(person_id, status);

CREATE TABLE rounds (
    id            INTEGER PRIMARY KEY,
    unit_id       INTEGER NOT NULL REFERENCES units(id),
    reason        TEXT NOT NULL CHECK (reason IN ('epidemic', 'heat', 'cold', 'flood', 'festival', 'other')),
    title         TEXT NOT NULL,
    -- The filter as chosen (JSON: categories, tiers, living_alone, age_min, age_max).
    filter        TEXT NOT NULL,
    -- The last day (China time) by which everyone should be reached.
    deadline      TEXT NOT NULL,
    max_attempts  INTEGER NOT NULL CHECK (max_attempts BETWEEN 1 AND 9),
    status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    started_by    INTEGER NOT NULL REFERENCES accounts(id),
    started_at    TEXT NOT NULL,
    closed_by     INTEGER REFERENCES accounts(id),
    closed_at     TEXT,
    -- The day the deadline reminder went out (once).
    reminded_on   TEXT
);
CREATE INDEX rounds_unit ON rounds(unit_id, id);
CREATE INDEX rounds_open ON rounds(status, deadline);

CREATE TABLE round_people (
    round_id    INTEGER NOT NULL REFERENCES rounds(id),
    person_id   INTEGER NOT NULL REFERENCES people(id),
    -- The person's unit and paired staff member when added: coverage and "mine" hold still
    -- while a round runs.
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    staff_id    INTEGER REFERENCES accounts(id),
    state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'safe', 'needs_help', 'unreachable')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    failures    INTEGER NOT NULL DEFAULT 0,
    needs       TEXT,
    needs_note  TEXT,
    last_at     TEXT,
    last_by     INTEGER REFERENCES accounts(id),
    task_id     INTEGER REFERENCES visit_tasks(id),
    item_id     INTEGER REFERENCES care_items(id),
    added_at    TEXT NOT NULL,
    -- Added with the button after the start, not in the snapshot.
    late        BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (round_id, person_id)
);
CREATE INDEX round_people_list ON round_people(round_id, state, unit_id, person_id);
CREATE INDEX round_people_staff ON round_people(round_id, staff_id, state);
CREATE INDEX round_people_unit ON round_people(round_id, unit_id, state);
CREATE INDEX round_people_person ON round_people(person_id);

CREATE TABLE round_attempts (
    id          INTEGER PRIMARY KEY,
    round_id    INTEGER NOT NULL,
    person_id   INTEGER NOT NULL,
    channel     TEXT NOT NULL CHECK (channel IN ('phone', 'visit', 'video', 'message', 'family')),
    outcome     TEXT NOT NULL CHECK (outcome IN ('safe', 'needs_help', 'no_answer')),
    needs       TEXT,
    note        TEXT,
    by_id       INTEGER NOT NULL REFERENCES accounts(id),
    at          TEXT NOT NULL,
    FOREIGN KEY (round_id, person_id) REFERENCES round_people(round_id, person_id)
);
CREATE INDEX round_attempts_person ON round_attempts(round_id, person_id, id);

CREATE TABLE round_units (
    round_id     INTEGER NOT NULL REFERENCES rounds(id),
    unit_id      INTEGER NOT NULL REFERENCES units(id),
    pending      INTEGER NOT NULL DEFAULT 0,
    safe         INTEGER NOT NULL DEFAULT 0,
    needs_help   INTEGER NOT NULL DEFAULT 0,
    unreachable  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (round_id, unit_id)
);
