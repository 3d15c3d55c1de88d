-- Where an account is reached outside the inbox (its own choice, on the inbox page).
CREATE TABLE notify_addresses (
    account_id  BIGINT PRIMARY KEY REFERENCES accounts(id),
    email       TEXT,
    updated_at  TIMESTAMPTZ NOT NULL
);

-- A notification on its way by a channel other than the inbox: queued, claimed by one node
-- ('sending'), then sent or failed with the reason. One row per (notification, channel), so
-- a message goes out at most once by each channel; a transient failure puts it back in the
-- queue with a later next_at, a claim never answered (a node that died mid-send) ends as
-- failed rather than risk sending twice.
CREATE TABLE deliveries (
    id               BIGSERIAL PRIMARY KEY,
    notification_id  BIGINT NOT NULL REFERENCES notifications(id),
    channel          TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'wechat')),
    address          TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_at          TIMESTAMPTZ NOT NULL,
    claimed_at       TIMESTAMPTZ,
    sent_at          TIMESTAMPTZ,
    last_error       TEXT,
    created_at       TIMESTAMPTZ NOT NULL,
    UNIQUE (notification_id, channel)
);
CREATE INDEX deliveries_due ON deliveries(status, next_at);
