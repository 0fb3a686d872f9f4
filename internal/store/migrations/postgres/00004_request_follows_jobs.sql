-- +goose Up
-- A request's status follows its jobs: when an offer is declined or expires,
-- or a job is revoked, the request goes back to dispatch; when a job closes,
-- the request closes. Kept in the database so that it holds whoever moves the
-- job — a partner's scoped transaction may not write requests itself.

-- +goose StatementBegin
CREATE FUNCTION request_follows_job() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    IF NEW.status IN ('declined', 'expired', 'revoked') THEN
        UPDATE service_requests SET status = 'open' WHERE id = NEW.request_id AND status = 'dispatched';
    ELSIF NEW.status = 'closed' THEN
        UPDATE service_requests SET status = 'closed' WHERE id = NEW.request_id AND status = 'dispatched';
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION request_follows_job() FROM PUBLIC;

CREATE TRIGGER jobs_request_status AFTER UPDATE OF status ON jobs
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION request_follows_job();

-- +goose Down
DROP TRIGGER jobs_request_status ON jobs;
DROP FUNCTION request_follows_job();
