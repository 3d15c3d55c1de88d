-- Events (活动、讲座、报告会、云会议、云课堂): an organising unit's event with its audience,
-- capacity, registration window and whether staff approve each registration; registrations
-- of people on file (by themselves or by staff for them) or of accounts without a file, with
-- a waiting list in the order people came (position, from the event's seq); check-in by a
-- short code; attendance. The counts on the event row are kept in the same transaction as
-- every change, so a list never counts registrations.
CREATE TABLE events (
    id             INTEGER PRIMARY KEY,
    unit_id        INTEGER NOT NULL REFERENCES units(id),
    title          TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('lecture', 'meeting', 'class', 'visit', 'volunteer', 'culture', 'other')),
    description    TEXT NOT NULL DEFAULT '',
    starts_at      TEXT NOT NULL,
    ends_at        TEXT NOT NULL,
    place          TEXT,
    online_url     TEXT,
    -- Public: on the reading pages and open to any account; else only to its audience.
    public         BOOLEAN NOT NULL DEFAULT FALSE,
    -- NULL: no limit.
    capacity       INTEGER CHECK (capacity IS NULL OR capacity >= 0),
    -- The registration window (NULL: from now; until the start).
    opens_at       TEXT,
    closes_at      TEXT,
    approval       BOOLEAN NOT NULL DEFAULT FALSE,
    -- Person categories the audience is narrowed to, codes joined by commas ('' for all).
    categories     TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'cancelled')),
    cancel_reason  TEXT,
    registered     INTEGER NOT NULL DEFAULT 0,
    waiting        INTEGER NOT NULL DEFAULT 0,
    pending        INTEGER NOT NULL DEFAULT 0,
    attended       INTEGER NOT NULL DEFAULT 0,
    -- Taken by every registration (its position): the waiting order, and the row lock that
    -- serialises registrations of one event on PostgreSQL.
    seq            INTEGER NOT NULL DEFAULT 0,
    created_by     INTEGER NOT NULL REFERENCES accounts(id),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    reminded_day   BOOLEAN NOT NULL DEFAULT FALSE,
    reminded_hour  BOOLEAN NOT NULL DEFAULT FALSE,
    CHECK (ends_at > starts_at)
);
CREATE INDEX events_unit ON events(unit_id, starts_at);
CREATE INDEX events_start ON events(starts_at);

-- The units whose subtrees the event is for (the organiser's own unit when it is for all
-- below it).
CREATE TABLE event_units (
    event_id  INTEGER NOT NULL REFERENCES events(id),
    unit_id   INTEGER NOT NULL REFERENCES units(id),
    PRIMARY KEY (event_id, unit_id)
);
CREATE INDEX event_units_unit ON event_units(unit_id, event_id);

CREATE TABLE event_registrations (
    id             INTEGER PRIMARY KEY,
    event_id       INTEGER NOT NULL REFERENCES events(id),
    -- Who, once per event: 'person:N' for a file, 'account:N' for an account without one.
    who            TEXT NOT NULL,
    person_id      INTEGER REFERENCES people(id),
    -- The account told of changes: the person's own, or the staff member who registered a
    -- person without one.
    account_id     INTEGER REFERENCES accounts(id),
    state          TEXT NOT NULL CHECK (state IN ('pending', 'registered', 'waiting', 'cancelled', 'refused')),
    position       INTEGER NOT NULL,
    -- The short check-in code the QR code carries.
    code           TEXT NOT NULL UNIQUE,
    by_account     INTEGER REFERENCES accounts(id),
    walk_in        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    promoted_at    TEXT,
    cancelled_at   TEXT,
    checked_in_at  TEXT,
    checked_in_by  INTEGER REFERENCES accounts(id),
    UNIQUE (event_id, who)
);
CREATE INDEX event_registrations_queue ON event_registrations(event_id, state, position);
CREATE INDEX event_registrations_person ON event_registrations(person_id);
CREATE INDEX event_registrations_account ON event_registrations(account_id);
-- One's own registrations (the events page, the calendar feed).
CREATE INDEX event_registrations_who ON event_registrations(who, event_id);
