-- The audit chain's hash algorithm for new entries: 'sha256' (default) or 'sm3' for the
-- Chinese commercial suite ([crypto] suite = "sm"). `yinyao rekey` switches it, and the switch
-- is itself an entry of the chain; SM3 entries carry their hash as `sm3:<hex>`, so `verify`
-- checks each entry with the algorithm it was written with.
ALTER TABLE audit_head ADD COLUMN hash_algo TEXT NOT NULL DEFAULT 'sha256';
