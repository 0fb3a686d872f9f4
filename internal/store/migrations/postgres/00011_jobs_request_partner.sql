-- +goose Up
-- Row-level security asks "is this request's job visible?" for every
-- request, customer and unit a partner reads (migration 00002): an EXISTS
-- over jobs by request_id whose policy then reads partner_id. With
-- partner_id in the index the probe is an index-only scan: cordon bench
-- measured a thousand heap fetches fewer per inbox query at a thousand jobs
-- per partner (docs/performance.md). It replaces jobs_request_id.
CREATE INDEX jobs_request_partner ON jobs (request_id) INCLUDE (partner_id);
DROP INDEX jobs_request_id;

-- +goose Down
CREATE INDEX jobs_request_id ON jobs (request_id);
DROP INDEX jobs_request_partner;
