-- +goose Up
-- A service report is never overwritten: each filing is a version of the
-- job's report, an amendment names the version it amends and why. Reports
-- filed before this migration become versions in the order they were filed.
ALTER TABLE service_reports ADD COLUMN version integer NOT NULL DEFAULT 1;
ALTER TABLE service_reports ADD COLUMN amends_id integer REFERENCES service_reports(id);
ALTER TABLE service_reports ADD COLUMN reason text NOT NULL DEFAULT '';
UPDATE service_reports SET
    version = (SELECT count(*) FROM service_reports p WHERE p.job_id = service_reports.job_id AND p.id <= service_reports.id),
    amends_id = (SELECT max(p.id) FROM service_reports p WHERE p.job_id = service_reports.job_id AND p.id < service_reports.id);
UPDATE service_reports SET reason = 'filed again before reports had versions' WHERE version > 1;
CREATE UNIQUE INDEX service_reports_job_version ON service_reports (job_id, version);
CREATE UNIQUE INDEX service_reports_amends_id ON service_reports (amends_id);

-- The customer's sign-off on a job: drawn (an image, by SHA-256 in blobs;
-- the job's timeline carries the same SHA-256) or typed (no image).
CREATE TABLE job_signoffs (
    id              integer PRIMARY KEY AUTOINCREMENT,
    job_id          integer NOT NULL REFERENCES jobs(id),
    method          text NOT NULL CHECK (method IN ('drawn', 'typed')),
    signer_name     text NOT NULL,
    signer_position text NOT NULL DEFAULT '',
    sha256          text REFERENCES blobs(sha256),
    size            integer NOT NULL DEFAULT 0,
    signed_at       datetime NOT NULL,
    recorded_by     integer NOT NULL REFERENCES users(id),
    CHECK ((method = 'drawn') = (sha256 IS NOT NULL))
);
CREATE INDEX job_signoffs_job_id ON job_signoffs (job_id, id);
CREATE INDEX job_signoffs_sha256 ON job_signoffs (sha256);

-- +goose Down
DROP TABLE job_signoffs;
DROP INDEX service_reports_amends_id;
DROP INDEX service_reports_job_version;
ALTER TABLE service_reports DROP COLUMN reason;
ALTER TABLE service_reports DROP COLUMN amends_id;
ALTER TABLE service_reports DROP COLUMN version;
