-- +goose Up
-- SQLite gains the look-up indexes PostgreSQL has had since 00002_rls.sql
-- (sqlite/00013). This migration does nothing; it keeps the versions of
-- the two dialects in step.
SELECT 1;

-- +goose Down
SELECT 1;
