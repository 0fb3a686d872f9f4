-- +goose Up
-- A contract's reward and penalty terms (the source form's incentives
-- block): penalty points and an amount per point for each clause, and the
-- reward for a period. NULL when the contract has none.
ALTER TABLE contracts ADD COLUMN incentives jsonb;

-- +goose Down
ALTER TABLE contracts DROP COLUMN incentives;
