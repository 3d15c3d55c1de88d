-- The devices an account has logged in from (a hash of the browser's user agent): a login
-- from one not seen before tells the account (notification kind login_new_device), unless it
-- is the account's first.
CREATE TABLE account_devices (
    account_id  BIGINT NOT NULL REFERENCES accounts(id),
    device      TEXT NOT NULL,
    first_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (account_id, device)
);
