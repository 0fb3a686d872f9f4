-- +goose Up
-- A contract's reward and penalty terms (see the PostgreSQL migration).
ALTER TABLE contracts ADD COLUMN incentives text;

-- +goose Down
ALTER TABLE contracts DROP COLUMN incentives;
