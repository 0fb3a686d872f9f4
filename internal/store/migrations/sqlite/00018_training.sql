-- +goose Up
-- Training records (issue 16, docs/training.md): a training job's sessions,
-- its trainees (customer identity) with their assessments, and the
-- certificates the institute issues, numbered per year.
CREATE TABLE training_sessions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id      integer NOT NULL REFERENCES jobs(id),
    held_on     datetime NOT NULL,
    hours       real NOT NULL,
    topics      text NOT NULL,
    recorded_by integer NOT NULL REFERENCES users(id),
    created_at  datetime NOT NULL,
    updated_at  datetime NOT NULL
);
CREATE INDEX training_sessions_job_id ON training_sessions (job_id);

CREATE TABLE trainees (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id      integer NOT NULL REFERENCES jobs(id),
    name        text NOT NULL,
    position    text NOT NULL DEFAULT '',
    department  text NOT NULL DEFAULT '',
    passed      boolean,
    score       integer CHECK (score BETWEEN 0 AND 100),
    comment     text NOT NULL DEFAULT '',
    assessed_by integer REFERENCES users(id),
    assessed_at datetime,
    created_at  datetime NOT NULL,
    updated_at  datetime NOT NULL
);
CREATE INDEX trainees_job_id ON trainees (job_id);

CREATE TABLE training_certificates (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    trainee_id integer NOT NULL UNIQUE REFERENCES trainees(id),
    job_id     integer NOT NULL REFERENCES jobs(id),
    number     text NOT NULL UNIQUE,
    year       integer NOT NULL,
    seq        integer NOT NULL,
    issued_by  integer NOT NULL REFERENCES users(id),
    issued_at  datetime NOT NULL,
    UNIQUE (year, seq)
);
CREATE INDEX training_certificates_job_id ON training_certificates (job_id);

-- +goose Down
DROP TABLE training_certificates;
DROP TABLE trainees;
DROP TABLE training_sessions;
