-- Staff mobile numbers are kept like person fields: encrypted with the field key, a blind
-- index (HMAC) for login by mobile, and the mask the screens show. The key lives outside the
-- database, so the numbers already stored in `phone` are sealed by the server at start-up
-- (`accounts::service::seal_clear_phones`), which then empties `phone`; nothing writes it
-- any more. (SQLite cannot drop a UNIQUE column, so it stays, empty.)
ALTER TABLE accounts ADD COLUMN phone_enc TEXT;
ALTER TABLE accounts ADD COLUMN phone_idx TEXT;
ALTER TABLE accounts ADD COLUMN phone_mask TEXT;
CREATE UNIQUE INDEX accounts_phone_idx ON accounts(phone_idx);
