-- +goose Up
-- Row-level security exists only on PostgreSQL (postgres/00002_rls.sql).
-- SQLite has no roles and no policies: on the embedded engine the
-- application layer (Casbin and the scoped SQL conditions) is the only
-- isolation. This migration does nothing; it keeps the versions of the two
-- dialects in step. See docs/isolation.md.
SELECT 1;

-- +goose Down
SELECT 1;
