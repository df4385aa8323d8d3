-- The full-text tables merge their segments in the background, not in the writes (issue 17).
-- Keep the number in step with migrations/postgres/00270_text_merge.sql. FTS5 writes each
-- transaction's terms as a new segment and, with automerge (4, its default), merges segments on
-- the same level as it goes: every 64 leaf pages written, the write that crosses the mark merges
-- 64 pages per level. At 1,000,000 documents, after 00260 filled documents_bigrams in one
-- statement, that made one issue in twenty wait 50–150 ms (create and issue: p95 76–87 ms against
-- 20 ms). With automerge off the store merges them itself (textmerge.go: 'merge' in chunks of a
-- few pages between the writes). crisismerge (16 segments on a level) stays as the bound when no
-- merger runs, for instance while another program writes.

-- +goose Up
INSERT INTO documents_fts (documents_fts, rank) VALUES ('automerge', 0);
INSERT INTO documents_bigrams (documents_bigrams, rank) VALUES ('automerge', 0);

-- +goose Down
INSERT INTO documents_bigrams (documents_bigrams, rank) VALUES ('automerge', 4);
INSERT INTO documents_fts (documents_fts, rank) VALUES ('automerge', 4);
