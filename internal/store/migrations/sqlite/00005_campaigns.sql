-- +goose Up
-- Inspection campaigns (see the PostgreSQL migration).
CREATE TABLE campaigns (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    title       text NOT NULL,
    root_cause  text NOT NULL,
    model_id    integer NOT NULL REFERENCES models(id),
    batch       text NOT NULL,
    description text NOT NULL,
    priority    text NOT NULL CHECK (priority IN ('P1', 'P2', 'P3', 'P4')),
    created_by  integer NOT NULL REFERENCES users(id),
    created_at  datetime NOT NULL
);
ALTER TABLE service_requests ADD COLUMN campaign_id integer REFERENCES campaigns(id);
CREATE INDEX service_requests_campaign_id ON service_requests (campaign_id);

-- +goose Down
DROP INDEX service_requests_campaign_id;
ALTER TABLE service_requests DROP COLUMN campaign_id;
DROP TABLE campaigns;
