-- SMS, preferences and the registry (issue 19).
--
-- Deliveries may now be of a notice to a person in the registry without an account (by SMS
-- to the file's mobile): such a row names the notice and the person instead of a
-- notification. The address of an SMS is never the number: `account:<id>` or `person:<id>`,
-- and the sender decrypts the mobile just before sending. SQLite cannot relax NOT NULL in
-- place, so the table is copied (nothing references it).
CREATE TABLE deliveries_new (
    id               INTEGER PRIMARY KEY,
    notification_id  INTEGER REFERENCES notifications(id),
    notice_id        INTEGER REFERENCES notices(id),
    person_id        INTEGER REFERENCES people(id),
    channel          TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'wechat')),
    address          TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_at          TEXT NOT NULL,
    claimed_at       TEXT,
    sent_at          TEXT,
    last_error       TEXT,
    created_at       TEXT NOT NULL,
    CHECK (notification_id IS NOT NULL OR (notice_id IS NOT NULL AND person_id IS NOT NULL)),
    UNIQUE (notification_id, channel),
    UNIQUE (notice_id, person_id, channel)
);
INSERT INTO deliveries_new (id, notification_id, channel, address, status, attempts, next_at, claimed_at, sent_at, last_error, created_at)
SELECT id, notification_id, channel, address, status, attempts, next_at, claimed_at, sent_at, last_error, created_at FROM deliveries;
DROP TABLE deliveries;
ALTER TABLE deliveries_new RENAME TO deliveries;
CREATE INDEX deliveries_due ON deliveries(status, next_at);
-- The per-recipient rate limit counts an address's recent messages.
CREATE INDEX deliveries_address ON deliveries(address, channel, sent_at);

-- What an account chose, kind by kind, beyond the inbox (a row only where it differs from
-- the kind's default), and its quiet hours (China time; NULL: 21:00 to 08:00).
CREATE TABLE notify_prefs (
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    kind        TEXT NOT NULL,
    email       BOOLEAN NOT NULL,
    sms         BOOLEAN NOT NULL,
    wechat      BOOLEAN NOT NULL DEFAULT TRUE,
    PRIMARY KEY (account_id, kind)
);
ALTER TABLE notify_addresses ADD COLUMN quiet_from INTEGER CHECK (quiet_from BETWEEN 0 AND 23);
ALTER TABLE notify_addresses ADD COLUMN quiet_until INTEGER CHECK (quiet_until BETWEEN 0 AND 23);
-- Email once a day: the day's messages (but urgent ones) gathered into one email at 18:00.
ALTER TABLE notify_addresses ADD COLUMN digest BOOLEAN NOT NULL DEFAULT FALSE;

-- A notice may also go by SMS, and to people in the registry without an account (how many).
ALTER TABLE notices ADD COLUMN sms BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE notices ADD COLUMN registry INTEGER NOT NULL DEFAULT 0;

-- WeChat: the openid of the account's follow of the bureau's official account (公众号),
-- given by the OAuth snsapi_base flow when the person scans their binding code; and the
-- official account's access token, one for all nodes (WeChat invalidates the old one when a
-- new one is fetched).
ALTER TABLE notify_addresses ADD COLUMN wechat_openid TEXT;
CREATE UNIQUE INDEX notify_addresses_openid ON notify_addresses(wechat_openid);
CREATE TABLE wechat_tokens (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    token       TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);

-- A notice that must reach: unread in the inbox `fallback_hours` after it was sent, it goes
-- by SMS to those who have not read it (escalated_at); still unread as long again, each of
-- them becomes a phone call task for their paired staff member (tasked_at).
ALTER TABLE notices ADD COLUMN must_reach BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE notices ADD COLUMN fallback_hours INTEGER CHECK (fallback_hours BETWEEN 1 AND 168);
ALTER TABLE notices ADD COLUMN escalated_at TEXT;
ALTER TABLE notices ADD COLUMN tasked_at TEXT;
CREATE INDEX notices_must_reach ON notices(must_reach, tasked_at);
