-- +goose Up

-- PostgreSQL builds its text-search index after the commit (see its migration
-- of the same version); SQLite searches without an index and has nothing to
-- change.
SELECT 1;

-- +goose Down
SELECT 1;
