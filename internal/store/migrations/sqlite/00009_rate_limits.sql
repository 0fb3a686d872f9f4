-- +goose Up
-- Request counters (see the PostgreSQL migration).
CREATE TABLE rate_counters (
    bucket     text PRIMARY KEY,
    n          integer NOT NULL,
    expires_at datetime NOT NULL
);
CREATE INDEX rate_counters_expires_at ON rate_counters (expires_at);

-- +goose Down
DROP TABLE rate_counters;
