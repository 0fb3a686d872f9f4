-- +goose Up
-- A note the services write on a job's timeline keeps its message key and
-- values, so that pages say it in their language from the catalogue; a
-- note a person typed has no key and is shown as typed.
ALTER TABLE job_events ADD COLUMN note_key text NOT NULL DEFAULT '';
ALTER TABLE job_events ADD COLUMN note_args text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE job_events DROP COLUMN note_args;
ALTER TABLE job_events DROP COLUMN note_key;
