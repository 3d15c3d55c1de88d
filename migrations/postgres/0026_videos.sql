-- Recordings and micro-lessons (微党课、微视频): a video file (an attachment) or a link, of a
-- unit, optionally the recording of one of its events; public (the reading pages) or for the
-- unit's subtree. Views are counted once per viewer and day (readers without an account too,
-- as article reads are), so a unit can say "20,000 views".
CREATE TABLE videos (
    id           BIGSERIAL PRIMARY KEY,
    unit_id      BIGINT NOT NULL REFERENCES units(id),
    event_id     BIGINT REFERENCES events(id),
    title        TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('recording', 'micro_lesson', 'micro_video')),
    description  TEXT NOT NULL DEFAULT '',
    url          TEXT,
    file_id      BIGINT REFERENCES attachments(id),
    public       BOOLEAN NOT NULL DEFAULT FALSE,
    views        BIGINT NOT NULL DEFAULT 0,
    created_by   BIGINT NOT NULL REFERENCES accounts(id),
    created_at   TIMESTAMPTZ NOT NULL,
    CHECK (url IS NOT NULL OR file_id IS NOT NULL)
);
CREATE INDEX videos_unit ON videos(unit_id, id);
CREATE INDEX videos_event ON videos(event_id);
CREATE INDEX videos_public ON videos(public, id);

CREATE TABLE video_views (
    video_id  BIGINT NOT NULL REFERENCES videos(id),
    day       TEXT NOT NULL,
    visitor   TEXT NOT NULL,
    PRIMARY KEY (video_id, day, visitor)
);
