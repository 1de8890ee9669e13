-- +goose Up

-- Text search over receipt bodies (store.Filter.Text) needs no schema change in
-- SQLite: it scans with instr(), which no index helps. The file exists so that
-- both dialects keep the same migration versions.
SELECT 1;

-- +goose Down
SELECT 1;
