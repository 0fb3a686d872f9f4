-- +goose Up
-- Checklists (issue 16, docs/checklists.md); see the PostgreSQL migration
-- for the row-level security this engine does not have.

CREATE TABLE checklist_templates (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    key             text NOT NULL,
    version         integer NOT NULL,
    title           text NOT NULL,
    category        text NOT NULL,
    product_line_id integer REFERENCES product_lines(id),
    model_id        integer REFERENCES models(id),
    items           text NOT NULL,
    created_by      integer NOT NULL REFERENCES users(id),
    created_at      datetime NOT NULL,
    retired_at      datetime,
    UNIQUE (key, version)
);
CREATE INDEX checklist_templates_category ON checklist_templates (category);

CREATE TABLE job_checklists (
    job_id      integer PRIMARY KEY REFERENCES jobs(id),
    template_id integer NOT NULL REFERENCES checklist_templates(id),
    bound_at    datetime NOT NULL
);
CREATE INDEX job_checklists_template_id ON job_checklists (template_id);

CREATE TABLE checklist_answers (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id      integer NOT NULL REFERENCES job_checklists(job_id),
    item_key    text NOT NULL,
    value       text NOT NULL DEFAULT '',
    number      real,
    photo       text REFERENCES blobs(sha256),
    media_type  text NOT NULL DEFAULT '',
    flagged     boolean NOT NULL DEFAULT 0,
    answered_by integer NOT NULL REFERENCES users(id),
    answered_at datetime NOT NULL,
    UNIQUE (job_id, item_key)
);
CREATE INDEX checklist_answers_photo ON checklist_answers (photo);

-- +goose Down
DROP TABLE checklist_answers;
DROP TABLE job_checklists;
DROP TABLE checklist_templates;
