-- +goose Up
-- The sealed access log (docs/audit.md): the RFC 6962 Merkle log the sealer
-- builds over access_events, its signed checkpoints, and where sealing
-- stands. Only the sealer writes these tables, as the owner, outside any
-- request; everything but audit_state is append-only, like access_events.

-- Where sealing stands: one row, replaced by compare-and-swap on (size,
-- next_event_id), so two sealers can never both extend the log.
CREATE TABLE audit_state (
    id            smallint PRIMARY KEY CHECK (id = 1),
    size          bigint NOT NULL CHECK (size >= 0),
    next_event_id bigint NOT NULL,
    tree          bytea NOT NULL,
    updated_at    timestamptz NOT NULL
);

-- One row per sealed event: leaf index (seq, from 0), the event, and
-- SHA-256(0x00 || canonical leaf). No foreign key to access_events: the
-- verifier must be able to see a sealed event that was deleted.
CREATE TABLE audit_leaves (
    seq       bigint PRIMARY KEY CHECK (seq >= 0),
    event_id  bigint NOT NULL UNIQUE,
    leaf_hash bytea NOT NULL CHECK (length(leaf_hash) = 32)
);

-- The hash of every perfect subtree of 2^level leaves (level >= 1; level 0
-- is audit_leaves), so that a proof takes O(log n) rows.
CREATE TABLE audit_nodes (
    level smallint NOT NULL CHECK (level BETWEEN 1 AND 63),
    idx   bigint NOT NULL CHECK (idx >= 0),
    hash  bytea NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (level, idx)
);

-- One signed checkpoint per sealed batch; note is the signed note.
CREATE TABLE audit_checkpoints (
    size      bigint PRIMARY KEY CHECK (size > 0),
    root      bytea NOT NULL CHECK (length(root) = 32),
    signed_at timestamptz NOT NULL,
    note      text NOT NULL
);

-- Event ids the sealer passed over after they stayed missing past the gap
-- timeout: inserts that rolled back (identity values are not reused).
CREATE TABLE audit_gaps (
    first_id    bigint PRIMARY KEY,
    last_id     bigint NOT NULL,
    recorded_at timestamptz NOT NULL,
    CHECK (last_id >= first_id)
);

-- Append-only, with the function access_events uses.
CREATE TRIGGER audit_leaves_no_update BEFORE UPDATE OR DELETE ON audit_leaves
    FOR EACH ROW EXECUTE FUNCTION access_events_refuse();
CREATE TRIGGER audit_leaves_no_truncate BEFORE TRUNCATE ON audit_leaves
    FOR EACH STATEMENT EXECUTE FUNCTION access_events_refuse();
CREATE TRIGGER audit_nodes_no_update BEFORE UPDATE OR DELETE ON audit_nodes
    FOR EACH ROW EXECUTE FUNCTION access_events_refuse();
CREATE TRIGGER audit_nodes_no_truncate BEFORE TRUNCATE ON audit_nodes
    FOR EACH STATEMENT EXECUTE FUNCTION access_events_refuse();
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION access_events_refuse();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION access_events_refuse();
CREATE TRIGGER audit_gaps_no_update BEFORE UPDATE OR DELETE ON audit_gaps
    FOR EACH ROW EXECUTE FUNCTION access_events_refuse();
CREATE TRIGGER audit_gaps_no_truncate BEFORE TRUNCATE ON audit_gaps
    FOR EACH STATEMENT EXECUTE FUNCTION access_events_refuse();

-- The application role (migration 00002), when there is one, may read the
-- log and nothing more, and only in an institute transaction; the owner
-- keeps every row by a named policy, as on the other tables. The policy
-- reads the setting itself rather than a helper of 00002, so this
-- migration stands on its own.
-- +goose StatementBegin
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['audit_state', 'audit_leaves', 'audit_nodes', 'audit_checkpoints', 'audit_gaps'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY %I ON %I TO CURRENT_USER USING (true) WITH CHECK (true)', t || '_owner', t);
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cordon_app') THEN
            EXECUTE format('GRANT SELECT ON %I TO cordon_app', t);
            EXECUTE format('CREATE POLICY %I ON %I FOR SELECT TO cordon_app USING (coalesce(current_setting(''app.org_kind'', true) = ''institute'', false))', t || '_institute', t);
        END IF;
    END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP TABLE audit_gaps;
DROP TABLE audit_checkpoints;
DROP TABLE audit_nodes;
DROP TABLE audit_leaves;
DROP TABLE audit_state;
