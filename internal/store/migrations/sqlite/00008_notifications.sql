-- +goose Up
-- Notifications (docs/notifications.md): the outbox, in-app notifications,
-- webhook endpoints and deliveries. Row-level security exists only on
-- PostgreSQL (see the postgres migration of the same number).

CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       text NOT NULL,
    job_id     integer REFERENCES jobs(id),
    partner_id integer REFERENCES orgs(id),
    actor_id   integer REFERENCES users(id),
    payload    text NOT NULL,
    created_at datetime NOT NULL,
    relayed_at datetime
);
CREATE INDEX outbox_unrelayed ON outbox (id) WHERE relayed_at IS NULL;
CREATE INDEX outbox_job_id ON outbox (job_id);

CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    integer NOT NULL REFERENCES users(id),
    org_id     integer NOT NULL REFERENCES orgs(id),
    outbox_id  integer NOT NULL REFERENCES outbox(id),
    kind       text NOT NULL,
    job_id     integer REFERENCES jobs(id),
    status     text NOT NULL DEFAULT '',
    created_at datetime NOT NULL,
    read_at    datetime,
    UNIQUE (outbox_id, user_id)
);
CREATE INDEX notifications_user ON notifications (user_id, id DESC);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

CREATE TABLE webhook_endpoints (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    partner_id integer NOT NULL UNIQUE REFERENCES orgs(id),
    url        text NOT NULL,
    secret     text NOT NULL,
    active     boolean NOT NULL DEFAULT 1,
    created_at datetime NOT NULL,
    updated_at datetime NOT NULL
);

CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    outbox_id       integer NOT NULL REFERENCES outbox(id),
    endpoint_id     integer NOT NULL REFERENCES webhook_endpoints(id),
    partner_id      integer NOT NULL REFERENCES orgs(id),
    state           text NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at datetime NOT NULL,
    last_status     integer NOT NULL DEFAULT 0,
    last_error      text NOT NULL DEFAULT '',
    created_at      datetime NOT NULL,
    updated_at      datetime NOT NULL,
    UNIQUE (outbox_id, endpoint_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_state ON webhook_deliveries (state, id DESC);

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
DROP TABLE notifications;
DROP TABLE outbox;
