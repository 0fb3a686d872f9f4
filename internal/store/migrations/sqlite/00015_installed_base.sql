-- +goose Up
-- The installed base (issue 15): customers are edited and deactivated;
-- units carry a service agreement, a paused plan and retirement, and
-- their serial is unique per model, not across models; models list their
-- components; a unit's transfers and delivery milestones are kept.

-- SQLite adds a NOT NULL column only with a default; every row gets its
-- creation time at once.
ALTER TABLE customers ADD COLUMN updated_at datetime NOT NULL DEFAULT '';
UPDATE customers SET updated_at = created_at;
ALTER TABLE customers ADD COLUMN deactivated_at datetime;

-- SQLite cannot drop the inline UNIQUE (serial): the table is rebuilt, in
-- goose's transaction, where foreign_keys cannot be switched off. Not by
-- renaming it (SQLite would point service_requests' REFERENCES units at
-- the renamed table) but by copying the rows aside, dropping units and
-- creating it anew under its own name: other tables' REFERENCES units(id)
-- then name the new table. With defer_foreign_keys the drop leaves
-- deferred violations, and putting each parent row back resolves them
-- before the commit checks.
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE units_copy AS SELECT * FROM units;
DROP TABLE units;
CREATE TABLE units (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    model_id         integer NOT NULL REFERENCES models(id),
    customer_id      integer NOT NULL REFERENCES customers(id),
    serial           text NOT NULL,
    batch            text NOT NULL,
    site_city        text NOT NULL,
    delivered_on     datetime NOT NULL,
    warranty_end     datetime NOT NULL,
    follow_up_months integer NOT NULL DEFAULT 0,
    next_visit_due   datetime,
    service_end      datetime,
    follow_up_paused text NOT NULL DEFAULT '',
    retired_at       datetime,
    retire_reason    text NOT NULL DEFAULT '',
    created_at       datetime NOT NULL,
    updated_at       datetime NOT NULL,
    UNIQUE (model_id, serial)
);
INSERT INTO units (id, model_id, customer_id, serial, batch, site_city, delivered_on, warranty_end,
                   follow_up_months, next_visit_due, created_at, updated_at)
SELECT id, model_id, customer_id, serial, batch, site_city, delivered_on, warranty_end,
       follow_up_months, next_visit_due, delivered_on, delivered_on
FROM units_copy;
DROP TABLE units_copy;
CREATE INDEX units_customer_id ON units (customer_id);
CREATE INDEX units_model_batch ON units (model_id, batch);
CREATE INDEX units_site_city_id ON units (site_city, id);
CREATE INDEX units_model_id_id ON units (model_id, id);
CREATE INDEX units_next_visit_due ON units (next_visit_due);

CREATE TABLE components (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    model_id    integer NOT NULL REFERENCES models(id),
    part_number text NOT NULL,
    name        text NOT NULL,
    supplier    text NOT NULL DEFAULT '',
    UNIQUE (model_id, part_number)
);
CREATE INDEX components_part_number ON components (part_number);

CREATE TABLE unit_transfers (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id          integer NOT NULL REFERENCES units(id),
    from_customer_id integer NOT NULL REFERENCES customers(id),
    to_customer_id   integer NOT NULL REFERENCES customers(id),
    from_site_city   text NOT NULL,
    to_site_city     text NOT NULL,
    reason           text NOT NULL DEFAULT '',
    at               datetime NOT NULL,
    by_user          integer NOT NULL REFERENCES users(id)
);
CREATE INDEX unit_transfers_unit_id ON unit_transfers (unit_id);

CREATE TABLE unit_milestones (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id     integer NOT NULL REFERENCES units(id),
    kind        text NOT NULL,
    happened_on datetime NOT NULL,
    job_id      integer REFERENCES jobs(id),
    note        text NOT NULL DEFAULT '',
    recorded_by integer NOT NULL REFERENCES users(id),
    recorded_at datetime NOT NULL,
    UNIQUE (unit_id, kind)
);
CREATE INDEX unit_milestones_unit_id ON unit_milestones (unit_id);

-- +goose Down
DROP TABLE unit_milestones;
DROP TABLE unit_transfers;
DROP TABLE components;
-- Fails when two models share a serial: that data cannot go back.
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE units_copy AS SELECT * FROM units;
DROP TABLE units;
CREATE TABLE units (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    model_id         integer NOT NULL REFERENCES models(id),
    customer_id      integer NOT NULL REFERENCES customers(id),
    serial           text NOT NULL UNIQUE,
    batch            text NOT NULL,
    site_city        text NOT NULL,
    delivered_on     datetime NOT NULL,
    warranty_end     datetime NOT NULL,
    follow_up_months integer NOT NULL DEFAULT 0,
    next_visit_due   datetime
);
INSERT INTO units (id, model_id, customer_id, serial, batch, site_city, delivered_on, warranty_end,
                   follow_up_months, next_visit_due)
SELECT id, model_id, customer_id, serial, batch, site_city, delivered_on, warranty_end,
       follow_up_months, next_visit_due
FROM units_copy;
DROP TABLE units_copy;
CREATE INDEX units_customer_id ON units (customer_id);
CREATE INDEX units_model_batch ON units (model_id, batch);
ALTER TABLE customers DROP COLUMN deactivated_at;
ALTER TABLE customers DROP COLUMN updated_at;
