-- +goose Up
-- The indexes postgres/00002_rls.sql added for its policies also serve the
-- application's own look-ups (attachments of a report, documents and
-- attachments by hash, requests by customer and by unit); SQLite lacked
-- them. The migration parity test found the gap (migrations_test.go).
CREATE INDEX IF NOT EXISTS documents_sha256 ON documents (sha256);
CREATE INDEX IF NOT EXISTS report_attachments_report_id ON report_attachments (report_id);
CREATE INDEX IF NOT EXISTS report_attachments_sha256 ON report_attachments (sha256);
CREATE INDEX IF NOT EXISTS service_requests_customer_id ON service_requests (customer_id);
CREATE INDEX IF NOT EXISTS service_requests_unit_id ON service_requests (unit_id);

-- +goose Down
DROP INDEX IF EXISTS service_requests_unit_id;
DROP INDEX IF EXISTS service_requests_customer_id;
DROP INDEX IF EXISTS report_attachments_sha256;
DROP INDEX IF EXISTS report_attachments_report_id;
DROP INDEX IF EXISTS documents_sha256;
