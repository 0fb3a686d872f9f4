-- +goose Up
-- Row-level security exists only on PostgreSQL (postgres/00012 rewrites the
-- documents policy). This migration does nothing; it keeps the versions of
-- the two dialects in step.
SELECT 1;

-- +goose Down
SELECT 1;
