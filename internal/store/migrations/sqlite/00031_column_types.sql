-- PostgreSQL's 00031 gives timestamps, dates and JSON their proper types. SQLite has no such
-- types: its columns stay TEXT (STRICT), holding the fixed-width UTC text the store writes on
-- both databases (internal/store/time.go). Nothing to convert; the number is kept in step.

-- +goose Up

-- +goose Down
