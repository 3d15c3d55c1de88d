-- Foundation: units, accounts, roles, sessions, login throttling, tokens, audit trail, jobs.
-- Times are written by the application (RFC 3339 text on SQLite), never by column defaults,
-- so that both backends compare them the same way.

CREATE TABLE units (
    id          INTEGER PRIMARY KEY,
    parent_id   INTEGER REFERENCES units(id),
    path        TEXT NOT NULL UNIQUE,
    depth       INTEGER NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX units_parent ON units(parent_id);

CREATE TABLE accounts (
    id                   INTEGER PRIMARY KEY,
    username             TEXT NOT NULL UNIQUE,
    phone                TEXT UNIQUE,
    display_name         TEXT NOT NULL,
    unit_id              INTEGER REFERENCES units(id),
    password_hash        TEXT NOT NULL,
    password_changed_at  TEXT NOT NULL,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    -- One column holds the platform role, so one account can never hold two of them.
    platform_role        TEXT CHECK (platform_role IN ('system', 'security', 'audit')),
    totp_secret          TEXT,
    totp_last_step       INTEGER,
    totp_confirmed       BOOLEAN NOT NULL DEFAULT FALSE,
    locale               TEXT NOT NULL DEFAULT 'zh-CN',
    large_type           BOOLEAN NOT NULL DEFAULT FALSE,
    failed_logins        INTEGER NOT NULL DEFAULT 0,
    locked_until         TEXT,
    active               BOOLEAN NOT NULL DEFAULT TRUE,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
CREATE INDEX accounts_unit ON accounts(unit_id);

CREATE TABLE role_grants (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    role        TEXT NOT NULL CHECK (role IN ('unit_admin', 'staff', 'youth_care', 'editor', 'reviewer', 'correspondent', 'member')),
    granted_by  INTEGER REFERENCES accounts(id),
    granted_at  TEXT NOT NULL,
    revoked_at  TEXT,
    revoked_by  INTEGER REFERENCES accounts(id)
);
CREATE INDEX role_grants_account ON role_grants(account_id) WHERE revoked_at IS NULL;
CREATE UNIQUE INDEX role_grants_once ON role_grants(account_id, unit_id, role) WHERE revoked_at IS NULL;

CREATE TABLE sessions (
    id_hash       TEXT PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts(id),
    stage         TEXT NOT NULL CHECK (stage IN ('totp', 'password', 'full')),
    csrf_token    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    idle_secs     INTEGER NOT NULL,
    expires_at    TEXT NOT NULL,
    ip            TEXT,
    user_agent    TEXT
);
CREATE INDEX sessions_account ON sessions(account_id);

CREATE TABLE ip_attempts (
    ip            TEXT PRIMARY KEY,
    window_start  TEXT NOT NULL,
    failures      INTEGER NOT NULL
);

CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts(id),
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    prefix        TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    last_used_at  TEXT,
    revoked_at    TEXT
);
CREATE INDEX api_tokens_account ON api_tokens(account_id);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor_id    INTEGER,
    actor_name  TEXT NOT NULL,
    ip          TEXT NOT NULL,
    user_agent  TEXT NOT NULL,
    action      TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    unit_id     INTEGER,
    target      TEXT NOT NULL,
    detail      TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_actor ON audit_log(actor_id);
CREATE INDEX audit_log_action ON audit_log(action);

-- The head of the hash chain. Updating this one row inside each appending transaction
-- serialises appends on both backends, so the chain never forks.
CREATE TABLE audit_head (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    last_id      INTEGER NOT NULL,
    last_hash    TEXT NOT NULL,
    purged_upto  INTEGER NOT NULL,
    purged_hash  TEXT NOT NULL
);
INSERT INTO audit_head (id, last_id, last_hash, purged_upto, purged_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000',
        0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN OLD.id > (SELECT purged_upto FROM audit_head WHERE id = 1)
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE job_runs (
    job        TEXT NOT NULL,
    slot       TEXT NOT NULL,
    node       TEXT NOT NULL,
    started_at TEXT NOT NULL,
    PRIMARY KEY (job, slot)
);

-- Written by /readyz and the scheduler: proves the database accepts writes, and shows live nodes.
CREATE TABLE node_heartbeats (
    node     TEXT PRIMARY KEY,
    seen_at  TEXT NOT NULL
);

-- Small named values the server keeps, e.g. the last configuration it started with.
CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
