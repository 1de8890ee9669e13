-- +goose Up

-- Text search looks at the first 8 KiB of each body, as in PostgreSQL (see its
-- migration of the same version); SQLite has no index to change.
SELECT 1;

-- +goose Down
SELECT 1;
