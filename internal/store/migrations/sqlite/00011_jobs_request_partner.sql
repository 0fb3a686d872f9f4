-- +goose Up
-- The index PostgreSQL's row-level security probes (see the postgres
-- migration of the same number); SQLite has no INCLUDE, so partner_id is a
-- second key column. It replaces jobs_request_id.
CREATE INDEX jobs_request_partner ON jobs (request_id, partner_id);
DROP INDEX jobs_request_id;

-- +goose Down
CREATE INDEX jobs_request_id ON jobs (request_id);
DROP INDEX jobs_request_partner;
