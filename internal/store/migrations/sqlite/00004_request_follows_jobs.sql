-- +goose Up
-- A request's status follows its jobs (see the PostgreSQL migration).

-- +goose StatementBegin
CREATE TRIGGER jobs_request_reopen AFTER UPDATE OF status ON jobs
    WHEN NEW.status IN ('declined', 'expired', 'revoked') AND OLD.status <> NEW.status
BEGIN
    UPDATE service_requests SET status = 'open' WHERE id = NEW.request_id AND status = 'dispatched';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER jobs_request_close AFTER UPDATE OF status ON jobs
    WHEN NEW.status = 'closed' AND OLD.status <> NEW.status
BEGIN
    UPDATE service_requests SET status = 'closed' WHERE id = NEW.request_id AND status = 'dispatched';
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER jobs_request_close;
DROP TRIGGER jobs_request_reopen;
