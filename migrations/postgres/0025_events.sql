-- Events (活动、讲座、报告会、云会议、云课堂): an organising unit's event with its audience,
-- capacity, registration window and whether staff approve each registration; registrations
-- of people on file (by themselves or by staff for them) or of accounts without a file, with
-- a waiting list in the order people came (position, from the event's seq); check-in by a
-- short code; attendance. The counts on the event row are kept in the same transaction as
-- every change, so a list never counts registrations.
CREATE TABLE events (
    id             BIGSERIAL PRIMARY KEY,
    unit_id        BIGINT NOT NULL REFERENCES units(id),
    title          TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('lecture', 'meeting', 'class', 'visit', 'volunteer', 'culture', 'other')),
    description    TEXT NOT NULL DEFAULT '',
    starts_at      TIMESTAMPTZ NOT NULL,
    ends_at        TIMESTAMPTZ NOT NULL,
    place          TEXT,
    online_url     TEXT,
    -- Public: on the reading pages and open to any account; else only to its audience.
    public         BOOLEAN NOT NULL DEFAULT FALSE,
    -- NULL: no limit.
    capacity       BIGINT CHECK (capacity IS NULL OR capacity >= 0),
    -- The registration window (NULL: from now; until the start).
    opens_at       TIMESTAMPTZ,
    closes_at      TIMESTAMPTZ,
    approval       BOOLEAN NOT NULL DEFAULT FALSE,
    -- Person categories the audience is narrowed to, codes joined by commas ('' for all).
    categories     TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'cancelled')),
    cancel_reason  TEXT,
    registered     BIGINT NOT NULL DEFAULT 0,
    waiting        BIGINT NOT NULL DEFAULT 0,
    pending        BIGINT NOT NULL DEFAULT 0,
    attended       BIGINT NOT NULL DEFAULT 0,
    -- Taken by every registration (its position): the waiting order, and the row lock that
    -- serialises registrations of one event on PostgreSQL.
    seq            BIGINT NOT NULL DEFAULT 0,
    created_by     BIGINT NOT NULL REFERENCES accounts(id),
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    reminded_day   BOOLEAN NOT NULL DEFAULT FALSE,
    reminded_hour  BOOLEAN NOT NULL DEFAULT FALSE,
    CHECK (ends_at > starts_at)
);
CREATE INDEX events_unit ON events(unit_id, starts_at);
CREATE INDEX events_start ON events(starts_at);

-- The units whose subtrees the event is for (the organiser's own unit when it is for all
-- below it).
CREATE TABLE event_units (
    event_id  BIGINT NOT NULL REFERENCES events(id),
    unit_id   BIGINT NOT NULL REFERENCES units(id),
    PRIMARY KEY (event_id, unit_id)
);
CREATE INDEX event_units_unit ON event_units(unit_id, event_id);

CREATE TABLE event_registrations (
    id             BIGSERIAL PRIMARY KEY,
    event_id       BIGINT NOT NULL REFERENCES events(id),
    -- Who, once per event: 'person:N' for a file, 'account:N' for an account without one.
    who            TEXT NOT NULL,
    person_id      BIGINT REFERENCES people(id),
    -- The account told of changes: the person's own, or the staff member who registered a
    -- person without one.
    account_id     BIGINT REFERENCES accounts(id),
    state          TEXT NOT NULL CHECK (state IN ('pending', 'registered', 'waiting', 'cancelled', 'refused')),
    position       BIGINT NOT NULL,
    -- The short check-in code the QR code carries.
    code           TEXT NOT NULL UNIQUE,
    by_account     BIGINT REFERENCES accounts(id),
    walk_in        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    promoted_at    TIMESTAMPTZ,
    cancelled_at   TIMESTAMPTZ,
    checked_in_at  TIMESTAMPTZ,
    checked_in_by  BIGINT REFERENCES accounts(id),
    UNIQUE (event_id, who)
);
CREATE INDEX event_registrations_queue ON event_registrations(event_id, state, position);
CREATE INDEX event_registrations_person ON event_registrations(person_id);
CREATE INDEX event_registrations_account ON event_registrations(account_id);
-- One's own registrations (the events page, the calendar feed).
CREATE INDEX event_registrations_who ON event_registrations(who, event_id);
