-- +goose Up
-- The whole domain of DESIGN.md §2. Identity fields of customers live in a
-- table of their own; access events are append-only.

CREATE TABLE orgs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    code          text NOT NULL UNIQUE,
    name          text NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('institute', 'partner')),
    home_city     text NOT NULL DEFAULT '',
    contact       text NOT NULL DEFAULT '',
    webhook_url   text NOT NULL DEFAULT '',
    pseudonym_key blob NOT NULL,
    created_at    datetime NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id        integer NOT NULL REFERENCES orgs(id),
    username      text NOT NULL UNIQUE,
    display_name  text NOT NULL DEFAULT '',
    password_hash text NOT NULL,
    disabled_at   datetime,
    created_at    datetime NOT NULL
);
CREATE INDEX users_org_id ON users (org_id);

CREATE TABLE user_roles (
    user_id integer NOT NULL REFERENCES users(id),
    role    text NOT NULL,
    PRIMARY KEY (user_id, role)
);

-- Failed logins per username, known or not, so that a lock reveals nothing
-- about whether the user exists.
CREATE TABLE login_throttle (
    username        text PRIMARY KEY,
    failures        integer NOT NULL DEFAULT 0,
    last_failure_at datetime NOT NULL,
    locked_until    datetime
);

CREATE TABLE sessions (
    id         text PRIMARY KEY,
    user_id    integer NOT NULL REFERENCES users(id),
    created_at datetime NOT NULL,
    expires_at datetime NOT NULL,
    revoked_at datetime,
    reason     text NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user_id ON sessions (user_id);

CREATE TABLE refresh_tokens (
    hash       text PRIMARY KEY,
    session_id text NOT NULL REFERENCES sessions(id),
    created_at datetime NOT NULL,
    expires_at datetime NOT NULL,
    used_at    datetime
);
CREATE INDEX refresh_tokens_session_id ON refresh_tokens (session_id);

CREATE TABLE customers (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    code       text NOT NULL UNIQUE,
    city       text NOT NULL,
    created_at datetime NOT NULL
);

CREATE TABLE customer_identities (
    customer_id      integer PRIMARY KEY REFERENCES customers(id),
    name             text NOT NULL,
    unit_designation text NOT NULL DEFAULT '',
    contact_person   text NOT NULL DEFAULT '',
    phone            text NOT NULL DEFAULT '',
    site_address     text NOT NULL DEFAULT ''
);

CREATE TABLE product_lines (
    id   INTEGER PRIMARY KEY AUTOINCREMENT,
    code text NOT NULL UNIQUE,
    name text NOT NULL
);

CREATE TABLE models (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    product_line_id integer NOT NULL REFERENCES product_lines(id),
    code            text NOT NULL UNIQUE,
    name            text NOT NULL
);

CREATE TABLE units (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    model_id         integer NOT NULL REFERENCES models(id),
    customer_id      integer NOT NULL REFERENCES customers(id),
    serial           text NOT NULL UNIQUE,
    batch            text NOT NULL,
    site_city        text NOT NULL,
    delivered_on     datetime NOT NULL,
    warranty_end     datetime NOT NULL,
    follow_up_months integer NOT NULL DEFAULT 0,
    next_visit_due   datetime
);
CREATE INDEX units_customer_id ON units (customer_id);
CREATE INDEX units_model_batch ON units (model_id, batch);

-- Content-addressed file store: documents and attachments point here by SHA-256.
CREATE TABLE blobs (
    sha256     text PRIMARY KEY,
    size       integer NOT NULL,
    content    blob NOT NULL,
    created_at datetime NOT NULL
);

CREATE TABLE documents (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    title           text NOT NULL,
    product_line_id integer NOT NULL REFERENCES product_lines(id),
    model_id        integer REFERENCES models(id),
    classification  text NOT NULL CHECK (classification IN ('public', 'internal', 'restricted', 'confidential')),
    version         text NOT NULL,
    previous_id     integer REFERENCES documents(id),
    media_type      text NOT NULL,
    size            integer NOT NULL,
    sha256          text NOT NULL REFERENCES blobs(sha256),
    uploaded_by     integer NOT NULL REFERENCES users(id),
    created_at      datetime NOT NULL
);
CREATE INDEX documents_line_class ON documents (product_line_id, classification);

CREATE TABLE contracts (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    number         text NOT NULL UNIQUE,
    partner_id     integer NOT NULL REFERENCES orgs(id),
    effective_from datetime NOT NULL,
    expires_on     datetime NOT NULL,
    status         text NOT NULL CHECK (status IN ('draft', 'active', 'suspended', 'terminated', 'expired')),
    scope          text NOT NULL,
    sla            text NOT NULL,
    clauses        text NOT NULL,
    created_at     datetime NOT NULL,
    updated_at     datetime NOT NULL,
    CHECK (expires_on > effective_from)
);
CREATE INDEX contracts_partner_id ON contracts (partner_id);

CREATE TABLE service_requests (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id         integer REFERENCES units(id),
    customer_id     integer NOT NULL REFERENCES customers(id),
    model_id        integer REFERENCES models(id),
    product_line_id integer NOT NULL REFERENCES product_lines(id),
    category        text NOT NULL,
    priority        text NOT NULL CHECK (priority IN ('P1', 'P2', 'P3', 'P4')),
    description     text NOT NULL,
    site_city       text NOT NULL,
    status          text NOT NULL,
    created_by      integer NOT NULL REFERENCES users(id),
    created_at      datetime NOT NULL
);
CREATE INDEX service_requests_status ON service_requests (status);

CREATE TABLE jobs (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id       integer NOT NULL REFERENCES service_requests(id),
    partner_id       integer REFERENCES orgs(id),
    contract_id      integer REFERENCES contracts(id),
    assignee_id      integer REFERENCES users(id),
    status           text NOT NULL,
    offered_at       datetime NOT NULL,
    offer_expires_at datetime,
    accepted_at      datetime,
    resolved_at      datetime,
    closed_at        datetime,
    created_at       datetime NOT NULL,
    updated_at       datetime NOT NULL
);
CREATE INDEX jobs_partner_created ON jobs (partner_id, created_at DESC, id DESC);
CREATE INDEX jobs_request_id ON jobs (request_id);
CREATE INDEX jobs_status ON jobs (status);

CREATE TABLE job_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id      integer NOT NULL REFERENCES jobs(id),
    at          datetime NOT NULL,
    actor_id    integer REFERENCES users(id),
    from_status text NOT NULL DEFAULT '',
    to_status   text NOT NULL,
    note        text NOT NULL DEFAULT ''
);
CREATE INDEX job_events_job_id ON job_events (job_id, at);

CREATE TABLE service_reports (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id       integer NOT NULL REFERENCES jobs(id),
    actions      text NOT NULL,
    parts_used   text NOT NULL DEFAULT '',
    root_cause   text NOT NULL,
    signoff_name text NOT NULL DEFAULT '',
    signoff_at   datetime,
    created_by   integer NOT NULL REFERENCES users(id),
    created_at   datetime NOT NULL
);
CREATE INDEX service_reports_job_id ON service_reports (job_id);

CREATE TABLE report_attachments (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id  integer NOT NULL REFERENCES service_reports(id),
    media_type text NOT NULL,
    size       integer NOT NULL,
    sha256     text NOT NULL REFERENCES blobs(sha256),
    created_at datetime NOT NULL
);

CREATE TABLE surveys (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id      integer NOT NULL REFERENCES jobs(id),
    channel     text NOT NULL CHECK (channel IN ('link', 'call')),
    token_hash  text UNIQUE,
    expires_at  datetime,
    answered_at datetime,
    score       integer NOT NULL DEFAULT 0 CHECK (score BETWEEN 0 AND 5),
    comment     text NOT NULL DEFAULT '',
    recorded_by integer REFERENCES users(id),
    created_at  datetime NOT NULL
);
CREATE INDEX surveys_job_id ON surveys (job_id);

CREATE TABLE access_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          datetime NOT NULL,
    user_id     integer NOT NULL,
    org_id      integer NOT NULL,
    contract_no text NOT NULL DEFAULT '',
    clause      text NOT NULL DEFAULT '',
    resource    text NOT NULL,
    resource_id text NOT NULL DEFAULT '',
    action      text NOT NULL,
    decision    text NOT NULL CHECK (decision IN ('allow', 'deny')),
    purpose     text NOT NULL DEFAULT '',
    fields      text NOT NULL DEFAULT '',
    request_id  text NOT NULL DEFAULT '',
    client_ip   text NOT NULL DEFAULT '',
    file_sha256 text NOT NULL DEFAULT '',
    download_id text NOT NULL DEFAULT ''
);
CREATE INDEX access_events_at ON access_events (at);
CREATE INDEX access_events_org_at ON access_events (org_id, at);

-- Append-only: nothing may change or remove an access event.
-- +goose StatementBegin
CREATE TRIGGER access_events_no_update BEFORE UPDATE ON access_events
BEGIN
    SELECT RAISE(ABORT, 'access_events is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER access_events_no_delete BEFORE DELETE ON access_events
BEGIN
    SELECT RAISE(ABORT, 'access_events is append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE access_events;
DROP TABLE surveys;
DROP TABLE report_attachments;
DROP TABLE service_reports;
DROP TABLE job_events;
DROP TABLE jobs;
DROP TABLE service_requests;
DROP TABLE contracts;
DROP TABLE documents;
DROP TABLE blobs;
DROP TABLE units;
DROP TABLE models;
DROP TABLE product_lines;
DROP TABLE customer_identities;
DROP TABLE customers;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
DROP TABLE login_throttle;
DROP TABLE user_roles;
DROP TABLE users;
DROP TABLE orgs;
