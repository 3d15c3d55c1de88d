-- Notifications (the inbox): one row a message to one account, written by the notifications
-- consumer from domain events and by the daily digest. The text is not stored in one
-- language: the kind, the subject's words (an article's title, a role) and a note (a
-- reviewer's comment) are, and the page says them in the reader's language.
CREATE TABLE notifications (
    id          BIGSERIAL PRIMARY KEY,
    account_id  BIGINT NOT NULL REFERENCES accounts(id),
    kind        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    note        TEXT,
    link        TEXT,
    -- A message that must exist once (the digest of a day): unique per account.
    once_key    TEXT,
    created_at  TIMESTAMPTZ NOT NULL,
    read_at     TIMESTAMPTZ
);
CREATE INDEX notifications_inbox ON notifications(account_id, id);
CREATE INDEX notifications_unread ON notifications(account_id) WHERE read_at IS NULL;
CREATE UNIQUE INDEX notifications_once ON notifications(account_id, once_key) WHERE once_key IS NOT NULL;

-- The notifications consumer starts after the events written before it existed.
INSERT INTO event_cursors (consumer, position)
SELECT 'notify', COALESCE(MAX(txid), 0) FROM domain_events WHERE TRUE
ON CONFLICT (consumer) DO NOTHING;
