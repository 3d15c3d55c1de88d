-- Domain events (a transactional outbox): written in the same transaction as the change they
-- describe; consumers on the job runner read them in order, each with its own cursor, and
-- keep what they derive (the first: per-unit daily counts) in the same transaction as the
-- cursor's advance, so an event counts once however often a consumer runs, on any node.
-- On PostgreSQL the order is the writing transaction's id, read only below the oldest
-- transaction still running (pg_snapshot_xmin): ids from a sequence can commit out of order.
-- SQLite has one writer at a time, so the row id is the order.
CREATE TABLE domain_events (
    id        BIGSERIAL PRIMARY KEY,
    at        TIMESTAMPTZ NOT NULL,
    kind      TEXT NOT NULL,
    unit_id   BIGINT,
    actor_id  BIGINT,
    subject   TEXT NOT NULL,
    payload   TEXT NOT NULL,
    txid BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint)
);
CREATE INDEX domain_events_order ON domain_events(txid, id);

CREATE TABLE event_cursors (
    consumer  TEXT PRIMARY KEY,
    position  BIGINT NOT NULL
);

-- Per unit and day (UTC): people filed (net of moves), visits recorded, visit tasks done,
-- articles published.
CREATE TABLE unit_daily (
    unit_id   BIGINT NOT NULL,
    day       TEXT NOT NULL,
    metric    TEXT NOT NULL,
    value     BIGINT NOT NULL,
    PRIMARY KEY (unit_id, day, metric)
);
