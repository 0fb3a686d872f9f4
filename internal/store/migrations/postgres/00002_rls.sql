-- +goose Up
-- Layer 2 of the isolation (docs/isolation.md): row-level security.
--
-- Requests run in store.DB.InScope: one transaction that switches to the
-- role cordon_app and sets app.org_id, app.org_kind, app.partner_id and
-- app.now with set_config(..., true). The policies below read those settings;
-- an unset setting reads as NULL, and every policy is false on NULL, so a
-- transaction that forgot to set them sees no row at all.
--
-- A policy's subquery is itself filtered by the policies of the table it
-- reads: "of a visible job" below is EXISTS over jobs, and the jobs policy
-- decides what is visible.

-- The application role: no login, no BYPASSRLS, owns nothing. Roles belong
-- to the cluster, and tests migrate many schemas at once: create it only when
-- missing, and let a concurrent creator win.
-- +goose StatementBegin
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cordon_app') THEN
        CREATE ROLE cordon_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;
-- +goose StatementEnd

-- A role created by someone else must still be harmless; and the migrating
-- role (the owner, which the application connects as) must be able to
-- SET ROLE cordon_app. Superusers can without membership.
-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cordon_app' AND (rolsuper OR rolbypassrls OR rolcanlogin)) THEN
        RAISE EXCEPTION 'role cordon_app must be NOLOGIN, NOSUPERUSER and NOBYPASSRLS';
    END IF;
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
       AND NOT pg_has_role(current_user, 'cordon_app', 'MEMBER') THEN
        GRANT cordon_app TO CURRENT_USER;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
DO $$
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO cordon_app', current_schema());
END
$$;
-- +goose StatementEnd

-- Working tables: read and write (no DELETE, no TRUNCATE). Catalog tables:
-- read. The access log: append and read only. Nothing at all on sessions,
-- refresh_tokens and login_throttle: authentication runs as the owner,
-- before the scoped transaction.
GRANT SELECT, INSERT, UPDATE ON
    orgs, users, user_roles, customers, customer_identities, units, blobs,
    documents, contracts, service_requests, jobs, job_events, service_reports,
    report_attachments, surveys
    TO cordon_app;
GRANT SELECT ON product_lines, models TO cordon_app;
GRANT SELECT, INSERT ON access_events TO cordon_app;

-- +goose StatementBegin
DO $$
DECLARE
    t   text;
    seq text;
BEGIN
    FOREACH t IN ARRAY ARRAY['orgs', 'users', 'customers', 'units', 'documents', 'contracts',
        'service_requests', 'jobs', 'job_events', 'service_reports', 'report_attachments',
        'surveys', 'access_events'] LOOP
        seq := pg_get_serial_sequence(format('%I.%I', current_schema(), t), 'id');
        IF seq IS NOT NULL THEN
            EXECUTE format('GRANT USAGE ON SEQUENCE %s TO cordon_app', seq);
        END IF;
    END LOOP;
END
$$;
-- +goose StatementEnd

-- Indexes the policies probe (equality on an indexed column first).
CREATE INDEX IF NOT EXISTS documents_sha256 ON documents (sha256);
CREATE INDEX IF NOT EXISTS report_attachments_report_id ON report_attachments (report_id);
CREATE INDEX IF NOT EXISTS report_attachments_sha256 ON report_attachments (sha256);
CREATE INDEX IF NOT EXISTS service_requests_customer_id ON service_requests (customer_id);
CREATE INDEX IF NOT EXISTS service_requests_unit_id ON service_requests (unit_id);

-- The settings. Unset reads as NULL; so does '' (what a custom setting
-- reads as on a pooled connection after an earlier transaction set it
-- locally). Plain SQL functions without SET clauses, so the planner inlines
-- them and an index can serve partner_id = rls_partner_id().
CREATE FUNCTION rls_org_kind() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('app.org_kind', true), '') $$;
CREATE FUNCTION rls_org_id() RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('app.org_id', true), '')::bigint $$;
CREATE FUNCTION rls_partner_id() RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('app.partner_id', true), '')::bigint $$;
CREATE FUNCTION rls_now() RETURNS timestamptz LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('app.now', true), '')::timestamptz $$;
CREATE FUNCTION rls_institute() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(current_setting('app.org_kind', true) = 'institute', false) $$;
CREATE FUNCTION rls_partner() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(current_setting('app.org_kind', true) = 'partner', false) $$;
-- A contract is in force: active, and app.now in [effective_from, expires_on).
CREATE FUNCTION rls_in_force(status text, effective_from timestamptz, expires_on timestamptz)
    RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT status = 'active' AND effective_from <= rls_now() AND rls_now() < expires_on $$;
-- public < internal < restricted < confidential; NULL for anything else.
CREATE FUNCTION rls_class_rank(c text) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT array_position(ARRAY['public', 'internal', 'restricted', 'confidential'], c) $$;

-- Row-level security on every table with partner-visible or sensitive
-- rows, forced on the owner too. Two policies everywhere: the owner (the
-- role that migrates, authenticates, seeds and writes the access log,
-- outside any scoped transaction) keeps every row, by a named policy rather
-- than an owner's silent exemption; and an institute transaction sees and
-- writes every row. Partner policies follow, table by table.
-- +goose StatementBegin
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['orgs', 'users', 'user_roles', 'customers', 'customer_identities',
        'units', 'blobs', 'documents', 'contracts', 'service_requests', 'jobs', 'job_events',
        'service_reports', 'report_attachments', 'surveys', 'access_events'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY %I ON %I TO CURRENT_USER USING (true) WITH CHECK (true)', t || '_owner', t);
        EXECUTE format('CREATE POLICY %I ON %I TO cordon_app USING (rls_institute()) WITH CHECK (rls_institute())', t || '_institute', t);
    END LOOP;
END
$$;
-- +goose StatementEnd

-- Contracts: the partner's own while in force (row-local: a contracts
-- policy cannot read contracts). A partner out of force sees nothing
-- anywhere, its own contracts included.
CREATE POLICY contracts_partner_read ON contracts FOR SELECT TO cordon_app
    USING (rls_partner() AND partner_id = rls_partner_id()
           AND rls_in_force(status, effective_from, expires_on));

-- Jobs: the partner's own, while it has a contract in force. The partner may
-- change them (accept, work, resolve) but not hand them to anyone else, and
-- may not create jobs.
CREATE POLICY jobs_partner_read ON jobs FOR SELECT TO cordon_app
    USING (rls_partner() AND partner_id = rls_partner_id()
           AND EXISTS (SELECT 1 FROM contracts c
                       WHERE c.partner_id = rls_partner_id()
                         AND rls_in_force(c.status, c.effective_from, c.expires_on)));
CREATE POLICY jobs_partner_update ON jobs FOR UPDATE TO cordon_app
    USING (rls_partner() AND partner_id = rls_partner_id()
           AND EXISTS (SELECT 1 FROM contracts c
                       WHERE c.partner_id = rls_partner_id()
                         AND rls_in_force(c.status, c.effective_from, c.expires_on)))
    WITH CHECK (rls_partner() AND partner_id = rls_partner_id()
                AND EXISTS (SELECT 1 FROM contracts c
                            WHERE c.partner_id = rls_partner_id()
                              AND rls_in_force(c.status, c.effective_from, c.expires_on)));

-- Of a visible job.
CREATE POLICY job_events_partner_read ON job_events FOR SELECT TO cordon_app
    USING (EXISTS (SELECT 1 FROM jobs j WHERE j.id = job_events.job_id));
CREATE POLICY job_events_partner_insert ON job_events FOR INSERT TO cordon_app
    WITH CHECK (EXISTS (SELECT 1 FROM jobs j WHERE j.id = job_events.job_id));
CREATE POLICY service_reports_partner_read ON service_reports FOR SELECT TO cordon_app
    USING (EXISTS (SELECT 1 FROM jobs j WHERE j.id = service_reports.job_id));
CREATE POLICY service_reports_partner_insert ON service_reports FOR INSERT TO cordon_app
    WITH CHECK (EXISTS (SELECT 1 FROM jobs j WHERE j.id = service_reports.job_id));
CREATE POLICY service_reports_partner_update ON service_reports FOR UPDATE TO cordon_app
    USING (EXISTS (SELECT 1 FROM jobs j WHERE j.id = service_reports.job_id))
    WITH CHECK (EXISTS (SELECT 1 FROM jobs j WHERE j.id = service_reports.job_id));
CREATE POLICY surveys_partner_read ON surveys FOR SELECT TO cordon_app
    USING (EXISTS (SELECT 1 FROM jobs j WHERE j.id = surveys.job_id));
-- Of a visible report.
CREATE POLICY report_attachments_partner_read ON report_attachments FOR SELECT TO cordon_app
    USING (EXISTS (SELECT 1 FROM service_reports s WHERE s.id = report_attachments.report_id));
CREATE POLICY report_attachments_partner_insert ON report_attachments FOR INSERT TO cordon_app
    WITH CHECK (EXISTS (SELECT 1 FROM service_reports s WHERE s.id = report_attachments.report_id));

-- Requests having a visible job; units and customers (not their identity)
-- that a visible request names.
CREATE POLICY service_requests_partner_read ON service_requests FOR SELECT TO cordon_app
    USING (EXISTS (SELECT 1 FROM jobs j WHERE j.request_id = service_requests.id));
CREATE POLICY units_partner_read ON units FOR SELECT TO cordon_app
    USING (EXISTS (SELECT 1 FROM service_requests r WHERE r.unit_id = units.id));
CREATE POLICY customers_partner_read ON customers FOR SELECT TO cordon_app
    USING (EXISTS (SELECT 1 FROM service_requests r WHERE r.customer_id = customers.id));

-- Customer identities: only for a visible job in its disclosure window
-- (accepted up to resolved, and resolved for the contract's grace hours),
-- under a contract in force whose disclosure level reaches the site. Which
-- fields of the row a partner gets is the application's to narrow.
CREATE POLICY customer_identities_partner_read ON customer_identities FOR SELECT TO cordon_app
    USING (EXISTS (
        SELECT 1
        FROM service_requests r
        JOIN jobs j ON j.request_id = r.id
        JOIN contracts c ON c.id = j.contract_id
        WHERE r.customer_id = customer_identities.customer_id
          AND j.partner_id = rls_partner_id()
          AND c.partner_id = rls_partner_id()
          AND rls_in_force(c.status, c.effective_from, c.expires_on)
          AND c.scope->>'disclosure' IN ('site', 'site_contact')
          AND (j.status IN ('accepted', 'en_route', 'on_site', 'waiting_customer', 'waiting_parts')
               OR (j.status = 'resolved'
                   AND j.resolved_at + make_interval(hours => (c.scope->>'disclosure_grace_hours')::int) > rls_now()))));

-- Documents: a product line some contract in force covers, at or below that
-- contract's document ceiling.
CREATE POLICY documents_partner_read ON documents FOR SELECT TO cordon_app
    USING (rls_partner() AND EXISTS (
        SELECT 1
        FROM contracts c
        JOIN product_lines p ON p.id = documents.product_line_id
        WHERE c.partner_id = rls_partner_id()
          AND rls_in_force(c.status, c.effective_from, c.expires_on)
          AND c.scope->'product_lines' @> jsonb_build_array(p.code)
          AND rls_class_rank(documents.classification) <= rls_class_rank(c.scope->>'document_ceiling')));

-- Files: the content of a visible document or of a visible attachment. A
-- partner in force may store a file (an attachment's content goes in before
-- the attachment row that makes it visible).
CREATE POLICY blobs_partner_read ON blobs FOR SELECT TO cordon_app
    USING (EXISTS (SELECT 1 FROM documents d WHERE d.sha256 = blobs.sha256)
           OR EXISTS (SELECT 1 FROM report_attachments a WHERE a.sha256 = blobs.sha256));
CREATE POLICY blobs_partner_insert ON blobs FOR INSERT TO cordon_app
    WITH CHECK (rls_partner() AND EXISTS (
        SELECT 1 FROM contracts c
        WHERE c.partner_id = rls_partner_id()
          AND rls_in_force(c.status, c.effective_from, c.expires_on)));

-- Organisations, users and roles: the partner's own, while in force. A
-- partner admin may add and change its own users, with partner roles only.
CREATE POLICY orgs_partner_read ON orgs FOR SELECT TO cordon_app
    USING (rls_partner() AND id = rls_org_id()
           AND EXISTS (SELECT 1 FROM contracts c
                       WHERE c.partner_id = rls_partner_id()
                         AND rls_in_force(c.status, c.effective_from, c.expires_on)));
CREATE POLICY users_partner_read ON users FOR SELECT TO cordon_app
    USING (rls_partner() AND org_id = rls_org_id()
           AND EXISTS (SELECT 1 FROM contracts c
                       WHERE c.partner_id = rls_partner_id()
                         AND rls_in_force(c.status, c.effective_from, c.expires_on)));
CREATE POLICY users_partner_insert ON users FOR INSERT TO cordon_app
    WITH CHECK (rls_partner() AND org_id = rls_org_id()
                AND EXISTS (SELECT 1 FROM contracts c
                            WHERE c.partner_id = rls_partner_id()
                              AND rls_in_force(c.status, c.effective_from, c.expires_on)));
CREATE POLICY users_partner_update ON users FOR UPDATE TO cordon_app
    USING (rls_partner() AND org_id = rls_org_id()
           AND EXISTS (SELECT 1 FROM contracts c
                       WHERE c.partner_id = rls_partner_id()
                         AND rls_in_force(c.status, c.effective_from, c.expires_on)))
    WITH CHECK (rls_partner() AND org_id = rls_org_id()
                AND EXISTS (SELECT 1 FROM contracts c
                            WHERE c.partner_id = rls_partner_id()
                              AND rls_in_force(c.status, c.effective_from, c.expires_on)));
CREATE POLICY user_roles_partner_read ON user_roles FOR SELECT TO cordon_app
    USING (EXISTS (SELECT 1 FROM users u WHERE u.id = user_roles.user_id));
CREATE POLICY user_roles_partner_insert ON user_roles FOR INSERT TO cordon_app
    WITH CHECK (role IN ('partner_admin', 'partner_technician')
                AND EXISTS (SELECT 1 FROM users u WHERE u.id = user_roles.user_id));

-- access_events: no partner policy. A partner's transaction reads none and
-- writes none; the access log is written on its own, unscoped connection.

-- +goose Down
-- +goose StatementBegin
DO $$
DECLARE
    p record;
    t text;
BEGIN
    FOR p IN SELECT policyname, tablename FROM pg_policies WHERE schemaname = current_schema() LOOP
        EXECUTE format('DROP POLICY %I ON %I', p.policyname, p.tablename);
    END LOOP;
    FOREACH t IN ARRAY ARRAY['orgs', 'users', 'user_roles', 'customers', 'customer_identities',
        'units', 'blobs', 'documents', 'contracts', 'service_requests', 'jobs', 'job_events',
        'service_reports', 'report_attachments', 'surveys', 'access_events'] LOOP
        EXECUTE format('ALTER TABLE %I NO FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I DISABLE ROW LEVEL SECURITY', t);
    END LOOP;
    EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM cordon_app', current_schema());
    EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM cordon_app', current_schema());
    EXECUTE format('REVOKE USAGE ON SCHEMA %I FROM cordon_app', current_schema());
END
$$;
-- +goose StatementEnd
DROP FUNCTION rls_class_rank(text);
DROP FUNCTION rls_in_force(text, timestamptz, timestamptz);
DROP FUNCTION rls_partner();
DROP FUNCTION rls_institute();
DROP FUNCTION rls_now();
DROP FUNCTION rls_partner_id();
DROP FUNCTION rls_org_id();
DROP FUNCTION rls_org_kind();
DROP INDEX IF EXISTS service_requests_unit_id;
DROP INDEX IF EXISTS service_requests_customer_id;
DROP INDEX IF EXISTS report_attachments_sha256;
DROP INDEX IF EXISTS report_attachments_report_id;
DROP INDEX IF EXISTS documents_sha256;
-- The role cordon_app stays: other schemas of the cluster may use it.
