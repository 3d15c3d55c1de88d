-- Contact rounds (排查台账): in a heat wave, a flood or an epidemic, staff reach every person
-- of a subtree who matches a filter. The roster is snapshotted when the round starts
-- (round_people); every attempt is kept (round_attempts); each person ends safe, needing help
-- or unreachable. round_units holds each unit's counts by state, recounted in the same
-- transaction as every change, so the coverage page reads a few hundred rows, not 100,000.

-- A person unreachable in a round gets a visit task of the new reason 'round'; a notice that
-- must reach and stays unread, one of reason 'notice' (a phone call by the paired staff).
ALTER TABLE visit_tasks DROP CONSTRAINT visit_tasks_reason_check;
ALTER TABLE visit_tasks ADD CONSTRAINT visit_tasks_reason_check
    CHECK (reason IN ('hospital', 'bereavement', 'hardship', 'death', 'birthday', 'festival', 'interval', 'round', 'notice'));

CREATE TABLE rounds (
    id            BIGSERIAL PRIMARY KEY,
    unit_id       BIGINT NOT NULL REFERENCES units(id),
    reason        TEXT NOT NULL CHECK (reason IN ('epidemic', 'heat', 'cold', 'flood', 'festival', 'other')),
    title         TEXT NOT NULL,
    -- The filter as chosen (JSON: categories, tiers, living_alone, age_min, age_max).
    filter        TEXT NOT NULL,
    -- The last day (China time) by which everyone should be reached.
    deadline      TEXT NOT NULL,
    max_attempts  INTEGER NOT NULL CHECK (max_attempts BETWEEN 1 AND 9),
    status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    started_by    BIGINT NOT NULL REFERENCES accounts(id),
    started_at    TIMESTAMPTZ NOT NULL,
    closed_by     BIGINT REFERENCES accounts(id),
    closed_at     TIMESTAMPTZ,
    -- The day the deadline reminder went out (once).
    reminded_on   TEXT
);
CREATE INDEX rounds_unit ON rounds(unit_id, id);
CREATE INDEX rounds_open ON rounds(status, deadline);

CREATE TABLE round_people (
    round_id    BIGINT NOT NULL REFERENCES rounds(id),
    person_id   BIGINT NOT NULL REFERENCES people(id),
    -- The person's unit and paired staff member when added: coverage and "mine" hold still
    -- while a round runs.
    unit_id     BIGINT NOT NULL REFERENCES units(id),
    staff_id    BIGINT REFERENCES accounts(id),
    state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'safe', 'needs_help', 'unreachable')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    failures    INTEGER NOT NULL DEFAULT 0,
    needs       TEXT,
    needs_note  TEXT,
    last_at     TIMESTAMPTZ,
    last_by     BIGINT REFERENCES accounts(id),
    task_id     BIGINT REFERENCES visit_tasks(id),
    item_id     BIGINT REFERENCES care_items(id),
    added_at    TIMESTAMPTZ NOT NULL,
    -- Added with the button after the start, not in the snapshot.
    late        BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (round_id, person_id)
);
CREATE INDEX round_people_list ON round_people(round_id, state, unit_id, person_id);
CREATE INDEX round_people_staff ON round_people(round_id, staff_id, state);
CREATE INDEX round_people_unit ON round_people(round_id, unit_id, state);
CREATE INDEX round_people_person ON round_people(person_id);

CREATE TABLE round_attempts (
    id          BIGSERIAL PRIMARY KEY,
    round_id    BIGINT NOT NULL,
    person_id   BIGINT NOT NULL,
    channel     TEXT NOT NULL CHECK (channel IN ('phone', 'visit', 'video', 'message', 'family')),
    outcome     TEXT NOT NULL CHECK (outcome IN ('safe', 'needs_help', 'no_answer')),
    needs       TEXT,
    note        TEXT,
    by_id       BIGINT NOT NULL REFERENCES accounts(id),
    at          TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (round_id, person_id) REFERENCES round_people(round_id, person_id)
);
CREATE INDEX round_attempts_person ON round_attempts(round_id, person_id, id);

CREATE TABLE round_units (
    round_id     BIGINT NOT NULL REFERENCES rounds(id),
    unit_id      BIGINT NOT NULL REFERENCES units(id),
    pending      INTEGER NOT NULL DEFAULT 0,
    safe         INTEGER NOT NULL DEFAULT 0,
    needs_help   INTEGER NOT NULL DEFAULT 0,
    unreachable  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (round_id, unit_id)
);
