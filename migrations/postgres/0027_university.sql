-- The seniors' university (老年大学): terms of a unit (dates, enrolment window, a priority
-- window for returning students, a limit of courses per person), courses (subject, fee,
-- prerequisites) in sections (teacher, weekly time, place or link, capacity), enrolments
-- of people on file with a waiting list as for events, class sessions generated from the
-- weekly schedule, attendance per session by the enrolment's check-in code, and materials.
CREATE TABLE terms (
    id                BIGSERIAL PRIMARY KEY,
    unit_id           BIGINT NOT NULL REFERENCES units(id),
    name              TEXT NOT NULL,
    starts_on         TEXT NOT NULL,
    ends_on           TEXT NOT NULL,
    enrol_opens_at    TIMESTAMPTZ NOT NULL,
    enrol_closes_at   TIMESTAMPTZ NOT NULL,
    -- Until then only returning students of a course may enrol in it (NULL: no priority).
    priority_until    TIMESTAMPTZ,
    course_limit      BIGINT NOT NULL CHECK (course_limit BETWEEN 1 AND 20),
    created_by        BIGINT NOT NULL REFERENCES accounts(id),
    created_at        TIMESTAMPTZ NOT NULL,
    CHECK (ends_on >= starts_on),
    CHECK (enrol_closes_at > enrol_opens_at)
);
CREATE INDEX terms_unit ON terms(unit_id, starts_on);

CREATE TABLE courses (
    id             BIGSERIAL PRIMARY KEY,
    term_id        BIGINT NOT NULL REFERENCES terms(id),
    subject        TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    fee_fen        BIGINT NOT NULL DEFAULT 0 CHECK (fee_fen >= 0),
    prerequisites  TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX courses_term ON courses(term_id, id);

CREATE TABLE course_sections (
    id           BIGSERIAL PRIMARY KEY,
    course_id    BIGINT NOT NULL REFERENCES courses(id),
    term_id      BIGINT NOT NULL REFERENCES terms(id),
    label        TEXT NOT NULL,
    teacher      TEXT NOT NULL,
    -- ISO weekday, 1 (Monday) to 7, and the hours, China time (HH:MM).
    weekday      BIGINT NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    starts_time  TEXT NOT NULL,
    ends_time    TEXT NOT NULL,
    place        TEXT,
    online_url   TEXT,
    capacity     BIGINT CHECK (capacity IS NULL OR capacity >= 0),
    enrolled     BIGINT NOT NULL DEFAULT 0,
    waiting      BIGINT NOT NULL DEFAULT 0,
    seq          BIGINT NOT NULL DEFAULT 0,
    CHECK (ends_time > starts_time)
);
CREATE INDEX course_sections_course ON course_sections(course_id, id);
CREATE INDEX course_sections_term ON course_sections(term_id);

CREATE TABLE enrolments (
    id             BIGSERIAL PRIMARY KEY,
    section_id     BIGINT NOT NULL REFERENCES course_sections(id),
    term_id        BIGINT NOT NULL REFERENCES terms(id),
    person_id      BIGINT NOT NULL REFERENCES people(id),
    -- The account told of a place: the person's own, or the staff member who enrolled them.
    account_id     BIGINT REFERENCES accounts(id),
    state          TEXT NOT NULL CHECK (state IN ('enrolled', 'waiting', 'cancelled')),
    position       BIGINT NOT NULL,
    is_returning   BOOLEAN NOT NULL DEFAULT FALSE,
    code           TEXT NOT NULL UNIQUE,
    by_account     BIGINT NOT NULL REFERENCES accounts(id),
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    promoted_at    TIMESTAMPTZ,
    cancelled_at   TIMESTAMPTZ,
    UNIQUE (section_id, person_id)
);
CREATE INDEX enrolments_queue ON enrolments(section_id, state, position);
CREATE INDEX enrolments_person ON enrolments(person_id, term_id, state);

CREATE TABLE class_sessions (
    id          BIGSERIAL PRIMARY KEY,
    section_id  BIGINT NOT NULL REFERENCES course_sections(id),
    starts_at   TIMESTAMPTZ NOT NULL,
    ends_at     TIMESTAMPTZ NOT NULL,
    attended    BIGINT NOT NULL DEFAULT 0,
    UNIQUE (section_id, starts_at)
);

CREATE TABLE session_attendance (
    session_id     BIGINT NOT NULL REFERENCES class_sessions(id),
    enrolment_id   BIGINT NOT NULL REFERENCES enrolments(id),
    checked_in_at  TIMESTAMPTZ NOT NULL,
    checked_in_by  BIGINT NOT NULL REFERENCES accounts(id),
    PRIMARY KEY (session_id, enrolment_id)
);

CREATE TABLE course_materials (
    section_id  BIGINT NOT NULL REFERENCES course_sections(id),
    file_id     BIGINT NOT NULL REFERENCES attachments(id),
    PRIMARY KEY (section_id, file_id)
);
