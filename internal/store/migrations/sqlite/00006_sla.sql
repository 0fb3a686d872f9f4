-- +goose Up
-- The SLA sweeper's state on each job, the escalations of breaches, and
-- the optional business calendar of a contract (see the PostgreSQL
-- migration).
ALTER TABLE jobs ADD COLUMN sla_state text NOT NULL DEFAULT 'ok' CHECK (sla_state IN ('ok', 'at_risk', 'breached'));
ALTER TABLE jobs ADD COLUMN sla_clock text NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN sla_breached text NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN sla_due_at datetime;
ALTER TABLE jobs ADD COLUMN sla_next_at datetime;
ALTER TABLE jobs ADD COLUMN sla_checked_at datetime;
-- The open jobs by stored state, soonest due first (the SLA list); by when
-- their state next changes, and those never swept or moved since (the
-- sweeper's rounds between full sweeps).
CREATE INDEX jobs_sla_state ON jobs (sla_state, sla_due_at)
    WHERE status IN ('offered', 'accepted', 'en_route', 'on_site', 'waiting_customer', 'waiting_parts', 'reopened');
CREATE INDEX jobs_sla_next ON jobs (sla_next_at)
    WHERE status IN ('offered', 'accepted', 'en_route', 'on_site', 'waiting_customer', 'waiting_parts', 'reopened');
CREATE INDEX jobs_sla_unchecked ON jobs (id)
    WHERE sla_checked_at IS NULL AND status IN ('offered', 'accepted', 'en_route', 'on_site', 'waiting_customer', 'waiting_parts', 'reopened');

-- +goose StatementBegin
CREATE TRIGGER jobs_sla_stale AFTER UPDATE OF status ON jobs
    WHEN OLD.status IS NOT NEW.status
BEGIN
    UPDATE jobs SET sla_checked_at = NULL WHERE id = NEW.id;
END;
-- +goose StatementEnd

CREATE TABLE sla_escalations (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id       integer NOT NULL REFERENCES jobs(id),
    clock        text NOT NULL CHECK (clock IN ('accept', 'respond', 'on_site', 'resolve')),
    partner_id   integer,
    contract_id  integer,
    breached_at  datetime NOT NULL,
    escalated_at datetime NOT NULL,
    UNIQUE (job_id, clock)
);

ALTER TABLE contracts ADD COLUMN calendar text;

-- +goose Down
ALTER TABLE contracts DROP COLUMN calendar;
DROP TABLE sla_escalations;
DROP TRIGGER jobs_sla_stale;
DROP INDEX jobs_sla_unchecked;
DROP INDEX jobs_sla_next;
DROP INDEX jobs_sla_state;
ALTER TABLE jobs DROP COLUMN sla_checked_at;
ALTER TABLE jobs DROP COLUMN sla_next_at;
ALTER TABLE jobs DROP COLUMN sla_due_at;
ALTER TABLE jobs DROP COLUMN sla_breached;
ALTER TABLE jobs DROP COLUMN sla_clock;
ALTER TABLE jobs DROP COLUMN sla_state;
