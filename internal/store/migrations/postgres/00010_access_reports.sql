-- +goose Up
-- Legal's who-saw-a-customer report (docs/audit.md, Reports) reads the
-- disclosures of one resource: without this it scans the whole log.
CREATE INDEX access_events_resource ON access_events (resource, resource_id, at);

-- +goose Down
DROP INDEX access_events_resource;
