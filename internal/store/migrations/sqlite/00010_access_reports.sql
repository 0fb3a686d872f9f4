-- +goose Up
-- Legal's who-saw-a-customer report (see the PostgreSQL migration).
CREATE INDEX access_events_resource ON access_events (resource, resource_id, at);

-- +goose Down
DROP INDEX access_events_resource;
