-- Notices to a unit's subtree (温馨提示): written by staff to the accounts below a unit
-- (people with an account, filtered by category, and/or staff accounts). Each recipient gets
-- a notification whose once_key is 'notice:<id>', which is how read figures are counted.
CREATE TABLE notices (
    id          BIGSERIAL PRIMARY KEY,
    unit_id     BIGINT NOT NULL REFERENCES units(id),
    author_id   BIGINT NOT NULL REFERENCES accounts(id),
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    audience    TEXT NOT NULL,
    recipients  INTEGER NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX notices_unit ON notices(unit_id, id);
CREATE INDEX notifications_by_key ON notifications(once_key) WHERE once_key IS NOT NULL;
