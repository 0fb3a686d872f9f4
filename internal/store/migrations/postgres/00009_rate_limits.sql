-- +goose Up
-- Request counters shared by every replica: one row per key and fixed
-- window (the window's start is part of the bucket), counted up by one
-- upsert per request and purged once the window has passed. UNLOGGED: a
-- counter is worth no WAL, and a crash that empties the table only gives
-- every client a fresh window.
CREATE UNLOGGED TABLE rate_counters (
    bucket     text PRIMARY KEY,
    n          integer NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX rate_counters_expires_at ON rate_counters (expires_at);
-- Nothing for cordon_app (no grant, no policy): the counters are kept as
-- the owner, before and apart from the request's scoped transaction. Row
-- security is on and forced like everywhere else, with the owner's named
-- policy, so that a scope can never see them even if granted by mistake.
ALTER TABLE rate_counters ENABLE ROW LEVEL SECURITY;
ALTER TABLE rate_counters FORCE ROW LEVEL SECURITY;
CREATE POLICY rate_counters_owner ON rate_counters TO CURRENT_USER USING (true) WITH CHECK (true);

-- +goose Down
DROP TABLE rate_counters;
