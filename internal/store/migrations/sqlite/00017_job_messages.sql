-- +goose Up
-- Job messages (docs/messages.md): a thread on each job between the
-- partner's users and the institute, with attachments stored by content
-- in blobs. Row-level security is PostgreSQL's alone (postgres/00017).
CREATE TABLE job_messages (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id        integer NOT NULL REFERENCES jobs(id),
    author_id     integer NOT NULL REFERENCES users(id),
    author_org_id integer NOT NULL REFERENCES orgs(id),
    author_name   text NOT NULL,
    author_side   text NOT NULL CHECK (author_side IN ('institute', 'partner')),
    body          text NOT NULL,
    created_at    datetime NOT NULL
);
CREATE INDEX job_messages_job_id_id ON job_messages (job_id, id);

CREATE TABLE job_message_attachments (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id integer NOT NULL REFERENCES job_messages(id),
    media_type text NOT NULL,
    size       integer NOT NULL,
    sha256     text NOT NULL REFERENCES blobs(sha256),
    created_at datetime NOT NULL
);
CREATE INDEX job_message_attachments_message_id ON job_message_attachments (message_id);
CREATE INDEX job_message_attachments_sha256 ON job_message_attachments (sha256);

-- +goose Down
DROP TABLE job_message_attachments;
DROP TABLE job_messages;
