-- +goose Up
-- The documents policy of 00002, with the same rows visible, checked once
-- per statement instead of once per document. 00002 asked, for each
-- document row, whether some contract in force covers its product line at
-- or above its class: a correlated EXISTS over contracts, 62 of the 81 ms
-- of a partner's document count at 10,000 documents (docs/performance.md).
--
-- Here an uncorrelated scalar subquery (an InitPlan, run once) folds the
-- partner's contracts in force into {product line id: highest ceiling
-- rank}, and each row only looks its line up in that object. A document is
-- visible when its class rank is at most the highest ceiling rank among
-- the contracts covering its line, which is exactly when one such contract
-- reaches it. NULLs fall out as before: no contract in force, no contract
-- for the line, or a class or ceiling outside the four ranks give NULL,
-- and NULL is not visible. The subquery still reads contracts through the
-- contracts policy.
DROP POLICY documents_partner_read ON documents;
CREATE POLICY documents_partner_read ON documents FOR SELECT TO cordon_app
    USING (rls_partner() AND rls_class_rank(classification) <= ((
        SELECT jsonb_object_agg(l.id, l.ceiling)
        FROM (SELECT p.id, max(rls_class_rank(c.scope->>'document_ceiling')) AS ceiling
              FROM contracts c
              JOIN product_lines p ON c.scope->'product_lines' @> jsonb_build_array(p.code)
              WHERE c.partner_id = rls_partner_id()
                AND rls_in_force(c.status, c.effective_from, c.expires_on)
              GROUP BY p.id) l
        ) ->> product_line_id::text)::int);

-- +goose Down
DROP POLICY documents_partner_read ON documents;
CREATE POLICY documents_partner_read ON documents FOR SELECT TO cordon_app
    USING (rls_partner() AND EXISTS (
        SELECT 1
        FROM contracts c
        JOIN product_lines p ON p.id = documents.product_line_id
        WHERE c.partner_id = rls_partner_id()
          AND rls_in_force(c.status, c.effective_from, c.expires_on)
          AND c.scope->'product_lines' @> jsonb_build_array(p.code)
          AND rls_class_rank(documents.classification) <= rls_class_rank(c.scope->>'document_ceiling')));
