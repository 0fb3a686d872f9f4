-- +goose Up
-- The sealed access log (docs/audit.md); see postgres/00003_audit.sql for
-- what each table holds. Everything but audit_state is append-only.

CREATE TABLE audit_state (
    id            integer PRIMARY KEY CHECK (id = 1),
    size          integer NOT NULL CHECK (size >= 0),
    next_event_id integer NOT NULL,
    tree          blob NOT NULL,
    updated_at    datetime NOT NULL
);

CREATE TABLE audit_leaves (
    seq       integer PRIMARY KEY CHECK (seq >= 0),
    event_id  integer NOT NULL UNIQUE,
    leaf_hash blob NOT NULL CHECK (length(leaf_hash) = 32)
);

CREATE TABLE audit_nodes (
    level integer NOT NULL CHECK (level BETWEEN 1 AND 63),
    idx   integer NOT NULL CHECK (idx >= 0),
    hash  blob NOT NULL CHECK (length(hash) = 32),
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;

CREATE TABLE audit_checkpoints (
    size      integer PRIMARY KEY CHECK (size > 0),
    root      blob NOT NULL CHECK (length(root) = 32),
    signed_at datetime NOT NULL,
    note      text NOT NULL
);

CREATE TABLE audit_gaps (
    first_id    integer PRIMARY KEY,
    last_id     integer NOT NULL,
    recorded_at datetime NOT NULL,
    CHECK (last_id >= first_id)
);

-- +goose StatementBegin
CREATE TRIGGER audit_leaves_no_update BEFORE UPDATE ON audit_leaves
BEGIN
    SELECT RAISE(ABORT, 'audit_leaves is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_leaves_no_delete BEFORE DELETE ON audit_leaves
BEGIN
    SELECT RAISE(ABORT, 'audit_leaves is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_nodes_no_update BEFORE UPDATE ON audit_nodes
BEGIN
    SELECT RAISE(ABORT, 'audit_nodes is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_nodes_no_delete BEFORE DELETE ON audit_nodes
BEGIN
    SELECT RAISE(ABORT, 'audit_nodes is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'audit_checkpoints is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'audit_checkpoints is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_gaps_no_update BEFORE UPDATE ON audit_gaps
BEGIN
    SELECT RAISE(ABORT, 'audit_gaps is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_gaps_no_delete BEFORE DELETE ON audit_gaps
BEGIN
    SELECT RAISE(ABORT, 'audit_gaps is append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE audit_gaps;
DROP TABLE audit_checkpoints;
DROP TABLE audit_nodes;
DROP TABLE audit_leaves;
DROP TABLE audit_state;
