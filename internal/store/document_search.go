package store

import (
	"context"
	"encoding/base64"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"reportapp/internal/document"
	"reportapp/internal/domain"
)

func errInvalidCursor() error {
	return &domain.Error{Code: domain.EInvalid, Message: "ページ指定が不正です (invalid cursor)",
		Fields: map[string]string{"cursor": "invalid"}}
}

// encodeCursor makes the opaque cursor that continues after a row with this sort key.
func encodeCursor(date, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(date + "|" + id))
}

func decodeCursor(c string) (date, id string, err error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return "", "", errInvalidCursor()
	}
	date, id, ok := strings.Cut(string(b), "|")
	if !ok || !validID(id) {
		return "", "", errInvalidCursor()
	}
	if _, err := document.ParseDate(date); err != nil {
		return "", "", errInvalidCursor()
	}
	return date, id, nil
}

// ftsMaxMatches is where SQLite's trigram index stops paying for a page of results: the
// matches are read by rowid and sorted by date, while LIKE over the rows in date order finds a
// page of a common term after a few hundred rows.
const ftsMaxMatches = 2000

// ftsProbeRatio sets where walking the date index and probing each entry against the set of the
// trigram index's matches stops paying: building the set costs about 1.4 µs a match, while LIKE
// over the rows in date order costs about 3.7 µs a row and reads 51 × documents ÷ matches rows
// for a page (measured at 1,000,000 documents on SQLite), so the two cost the same near
// √(135 × documents) matches: 11,600 of 1,000,000.
const ftsProbeRatio = 135

// ftsMinRunes is the shortest term a trigram index can find.
const ftsMinRunes = 3

// ftsPhrase is the FTS5 query of a folded term as one phrase: the substring, in either column.
func ftsPhrase(q string) string { return `"` + strings.ReplaceAll(searchFold(q), `"`, `""`) + `"` }

// textPlan is how the free text of a search is matched on SQLite, by the index that finds its term
// (sqliteTextIndex: trigrams, or bigrams for two characters). PostgreSQL's planner chooses its
// trigram indexes itself, by their statistics; a term of two characters is textRows there when its
// index of bigrams is to be asked (usePostgresBigrams), else textLike.
type textPlan int

const (
	// textLike: LIKE alone over the rows the other conditions leave in date order (a common
	// term, or one of one character, which no index finds).
	textLike textPlan = iota
	// textRows: the text index's few matches are read by rowid and sorted (checked by LIKE).
	textRows
	// textProbe: the date index is walked, each entry probed against the set of the text
	// index's matches, and only those rows read (checked by LIKE).
	textProbe
)

// useTextIndex decides how the free text of f is matched (textPlan). The text index is used for a
// term of 2 or more characters: always when every match is visited anyway (all: counts,
// totals); for a page of results, read by rowid when it has fewer than ftsMaxMatches matches,
// probed when it has fewer than √(ftsProbeRatio × documents), estimated from its matches among
// the newest tenth of the documents (a bounded count: a common term's is stopped early).
func (db *DB) useTextIndex(ctx context.Context, f document.Filter, all bool) (textPlan, error) {
	if db.dialect.postgres() {
		return db.usePostgresBigrams(ctx, f, all)
	}
	index, match, ok := sqliteTextIndex(f.Query)
	if !ok {
		return textLike, nil
	}
	if all {
		return textRows, nil
	}
	var n int
	if err := db.q().queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM `+index+` WHERE `+index+` MATCH ? LIMIT ?)`,
		match, ftsMaxMatches).Scan(&n); err != nil {
		return textLike, fmt.Errorf("count text matches: %w", err)
	}
	if n < ftsMaxMatches {
		return textRows, nil
	}
	rows, err := db.maxRowid(ctx)
	if err != nil {
		return textLike, err
	}
	limit := int(math.Sqrt(ftsProbeRatio*float64(rows))) / 10
	if err := db.q().queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM `+index+` WHERE `+index+` MATCH ? AND rowid > ? LIMIT ?)`,
		match, rows-rows/10, limit).Scan(&n); err != nil {
		return textLike, fmt.Errorf("count text matches: %w", err)
	}
	if n < limit {
		return textProbe, nil
	}
	return textLike, nil
}

// bigramSortRatio sets where PostgreSQL's index of bigrams stops paying for a page: reading a
// bigram's matches by the index and sorting them costs about 1.8 µs a match, walking the dates
// with LIKE about 3.9 µs a row, and a page reads 51 × documents ÷ matches rows that way (measured
// at 1,000,000 documents: 点検, 79,600 matches, 140 ms by the index, 2.5 ms walking), so the two
// cost the same near √(113 × documents) matches: 10,600 of 1,000,000.
const bigramSortRatio = 113

// usePostgresBigrams decides whether a page of the search for f asks PostgreSQL's index of bigrams
// (textRows) or walks the dates with LIKE (textLike): the index for a term of two characters that
// fewer than √(bigramSortRatio × documents) documents are estimated to have, by the index's
// statistics (the most common bigrams and their frequencies; a bigram not among them is rare), and
// always when every match is visited anyway (all). Left to itself the planner walked the dates for
// a common bigram too, but then ran reportapp_bigrams on every row that LIKE let through (about
// 60 µs each: 保守 among a year's invoices, 0.3 → 6 ms).
func (db *DB) usePostgresBigrams(ctx context.Context, f document.Filter, all bool) (textPlan, error) {
	b, ok := bigramOf(f.Query)
	if !ok {
		return textLike, nil
	}
	if all {
		return textRows, nil
	}
	st, err := db.bigrams.get(ctx, db)
	if err != nil {
		return textLike, err
	}
	if rows := st.rows; st.freq[b]*rows < math.Sqrt(bigramSortRatio*rows) {
		return textRows, nil
	}
	return textLike, nil
}

// bigramStatsTTL is how long a process keeps the statistics of PostgreSQL's index of bigrams
// (bigramCache). Only ANALYZE changes them (autovacuum's, after a tenth or so of the table has
// changed, or a migration's), and reading one bigram's frequency through pg_stats took 1.8 ms at
// 1,000,000 documents, three times the search it decides (a pair no document has: 0.6 ms).
const bigramStatsTTL = 5 * time.Minute

// bigramCache keeps the statistics of PostgreSQL's index of bigrams for bigramStatsTTL: the
// frequency of each of its most common bigrams, and the documents' estimated count.
type bigramCache struct {
	mu sync.Mutex
	st *bigramStats
	at time.Time
}

type bigramStats struct {
	freq map[string]float64 // fraction of documents that have the bigram; absent: rare
	rows float64            // documents (pg_class.reltuples), ≥ 0
}

// get returns the statistics, read from db when none were read in the last bigramStatsTTL; one
// caller reads them while the others wait.
func (c *bigramCache) get(ctx context.Context, db *DB) (*bigramStats, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.st != nil && time.Since(c.at) < bigramStatsTTL {
		return c.st, nil
	}
	st := &bigramStats{freq: map[string]float64{}}
	rows, err := db.q().query(ctx, `SELECT e.elem, e.f FROM pg_stats s,
		unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS e(elem, f)
		WHERE s.schemaname = current_schema() AND s.tablename = 'documents_bigrams' AND e.elem IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("read bigram statistics: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var b string
		var f float64
		if err := rows.Scan(&b, &f); err != nil {
			return nil, fmt.Errorf("read bigram statistics: %w", err)
		}
		st.freq[b] = f
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read bigram statistics: %w", err)
	}
	if err := db.q().queryRow(ctx, `SELECT COALESCE((SELECT reltuples FROM pg_class WHERE oid = 'documents'::regclass), 0)`).Scan(&st.rows); err != nil {
		return nil, fmt.Errorf("count documents: %w", err)
	}
	st.rows = max(st.rows, 0)
	c.st, c.at = st, time.Now()
	return st, nil
}

// amountMaxMatches is where reading an amount range from SQLite's amount index (documents_gross)
// stops paying for a page of results when a condition of the search needs each match's row (a
// kind, a status, text, a due date): the matches are read by rowid, while walking the date index
// with the range as a filter reads about 51 × documents ÷ matches rows for a page (the two cost
// the same near √(51 × documents): 1,600 matches of 50,000 documents, 7,100 of 1,000,000).
const amountMaxMatches = 1000

// amountMaxKeys bounds the matches of an amount range whose page is chosen among the index's keys
// alone (the amount, the dates and the cursor are in documents_gross): reading a key costs about a
// tenth of reading a row at random, so the plans cost the same near √(510 × documents), which
// the largest rowid stands in for (every organisation's documents: it can only overestimate).
const amountMaxKeys = 20000

// searchPlan is how SQLite reads the rows of a search, chosen by counting matches in an index
// first: text by the trigram index (useTextIndex), an amount range by the amount index
// (useAmountIndex); a due-date range by its index. PostgreSQL's planner chooses by its
// statistics, but for a due-date range (postgresPagePlan).
type searchPlan struct {
	text textPlan
	// keys is the index among whose keys a page is chosen (documents_gross, documents_due), or "".
	// On PostgreSQL a page's keys are chosen by a subquery that its planner plans freely, unless
	// sortKeys: then they are sorted, never found by walking the date index.
	keys     string
	sortKeys bool
}

// pagePlan is the searchPlan of a page of the search for f: an amount range, else a due-date
// range, is read by its index only when no other filter already chose one (text, customer,
// payment status).
func (db *DB) pagePlan(ctx context.Context, orgID string, f document.Filter) (searchPlan, error) {
	if db.dialect.postgres() {
		p := postgresPagePlan(db.withToday(f))
		var err error
		p.text, err = db.useTextIndex(ctx, f, false)
		return p, err
	}
	text, err := db.useTextIndex(ctx, f, false)
	if err != nil || text != textLike || f.CustomerID != "" || paymentStatusIndex(f.PaymentStatus) != "" {
		return searchPlan{text: text}, err
	}
	amount, err := db.useAmountIndex(ctx, orgID, f)
	if err != nil || amount {
		return searchPlan{keys: "documents_gross"}, err
	}
	if dueRange(f) {
		// A due-date range always takes its page from documents_due's keys. SQLite counts no
		// index over a virtual column as covering, so this visits each match's row, but a walk
		// of the date index parses each row's body for its due date and, as due dates follow
		// the documents' dates, walks every newer document before the first match: at 1,000,000
		// documents "due by 2017-12-31" took 25 s that way, 0.2–0.7 s by the keys ("due by
		// today", every document, 0.8–1.0 s by the keys, 0.2 s walking).
		return searchPlan{keys: "documents_due"}, nil
	}
	return searchPlan{}, nil
}

// postgresPagePlan is pagePlan on PostgreSQL, which plans by its statistics: only a due-date range
// (without free text, customer or payment status, which have their own indexes) chooses its page
// among documents_due's keys, an index-only scan, before reading 51 rows (a month at 1,000,000
// documents: 10.6 → 4.6 ms). Its statistics do not know that due dates follow the documents'
// dates, so for a range that ends over a year ago it would walk the date index through every newer
// document ("due by 2017-12-31": 0.7–0.9 s); those keys are sorted instead (34–105 ms). For a
// range ending later, the walk it may choose finds the newest matches first ("due by today": 7 ms
// walking, 0.3 s sorted).
func postgresPagePlan(f document.Filter) searchPlan {
	if strings.TrimSpace(f.Query) != "" || f.CustomerID != "" || f.PaymentStatus != "" || !dueRange(f) {
		return searchPlan{}
	}
	yearAgo := f.Today
	yearAgo.Year--
	old := f.DueTo != nil && !f.DueTo.IsZero() && f.DueTo.String() < yearAgo.String()
	return searchPlan{keys: "documents_due", sortKeys: old}
}

// useAmountIndex tells whether SQLite should read a range of amounts (not an exact amount,
// which always uses the index) from documents_gross: when fewer than amountMaxMatches
// documents of the organisation are in the range (and the dates of f, which the index also
// holds), or when no other condition needs the rows, fewer than √(510 × documents) up to
// amountMaxKeys. Counting them reads at most that many entries of the index.
func (db *DB) useAmountIndex(ctx context.Context, orgID string, f document.Filter) (bool, error) {
	if db.dialect.postgres() || f.TotalMin == nil && f.TotalMax == nil || exactAmount(f) {
		return false, nil
	}
	query, args := "SELECT 1 FROM documents INDEXED BY documents_gross WHERE org_id = ?", []any{orgID}
	add := func(cond string, arg any) { query, args = query+" AND "+cond, append(args, arg) }
	if f.TotalMin != nil {
		add("gross >= ?", *f.TotalMin)
	}
	if f.TotalMax != nil {
		add("gross <= ?", *f.TotalMax)
	}
	if f.DateFrom != nil && !f.DateFrom.IsZero() {
		add("search_date >= ?", f.DateFrom.String())
	}
	if f.DateTo != nil && !f.DateTo.IsZero() {
		add("search_date <= ?", f.DateTo.String())
	}
	limit := amountMaxMatches
	if f.Kind == "" && f.Status == "" && f.DueFrom == nil && f.DueTo == nil && strings.TrimSpace(f.Query) == "" {
		rows, err := db.maxRowid(ctx)
		if err != nil {
			return false, err
		}
		limit = min(max(int(math.Sqrt(510*float64(rows))), amountMaxMatches), amountMaxKeys)
	}
	var n int
	if err := db.q().queryRow(ctx, "SELECT COUNT(*) FROM ("+query+" LIMIT ?)", append(args, limit)...).Scan(&n); err != nil {
		return false, fmt.Errorf("count amount matches: %w", err)
	}
	return n < limit, nil
}

// maxRowid is SQLite's largest rowid of documents: every organisation's documents, an upper
// bound of any one's that the plans' bounds are scaled by (one step down the table's b-tree).
func (db *DB) maxRowid(ctx context.Context) (int64, error) {
	var n int64
	if err := db.q().queryRow(ctx, "SELECT COALESCE(MAX(rowid), 0) FROM documents").Scan(&n); err != nil {
		return 0, fmt.Errorf("count documents: %w", err)
	}
	return n, nil
}

// dueRange tells whether f asks for a range of due dates.
func dueRange(f document.Filter) bool {
	return f.DueFrom != nil && !f.DueFrom.IsZero() || f.DueTo != nil && !f.DueTo.IsZero()
}

// sqliteTextIndex returns SQLite's index that finds the term q, with its MATCH query: the trigram
// index (documents_fts) for three characters or more, the index of bigrams (documents_bigrams,
// one token) for two; none for one.
func sqliteTextIndex(q string) (index, match string, ok bool) {
	if !trigramless(q) {
		return "documents_fts", ftsPhrase(q), true
	}
	if b, ok := bigramOf(q); ok {
		return "documents_bigrams", `"` + bigramToken(b) + `"`, true
	}
	return "", "", false
}

// trigramless tells whether the term q is too short for a trigram index to find.
func trigramless(q string) bool { return utf8.RuneCountInString(searchFold(q)) < ftsMinRunes }

// bigramOf returns the folded term q when it is two characters (a bigram), the one key of the
// index of bigrams (00260) that finds it.
func bigramOf(q string) (string, bool) {
	f := searchFold(strings.TrimSpace(q))
	return f, utf8.RuneCountInString(f) == 2 && !strings.Contains(f, "\n")
}

// exactAmount tells whether f asks for one amount (the lowest and highest the same).
func exactAmount(f document.Filter) bool {
	return f.TotalMin != nil && f.TotalMax != nil && *f.TotalMin == *f.TotalMax
}

// filterConditions turns the filter's conditions into SQL conditions on the documents table
// aliased d, and their arguments, for the plan p.
func (d dialect) filterConditions(f document.Filter, p searchPlan) ([]string, []any) {
	var where []string
	var args []any
	add := func(cond string, a ...any) {
		where = append(where, cond)
		args = append(args, a...)
	}
	if f.Kind != "" {
		add("d.kind = ?", string(f.Kind))
	}
	if f.Status != "" {
		add("d.status = ?", string(f.Status))
	}
	if f.CustomerID != "" {
		add("d.customer_id = ?", f.CustomerID)
	}
	if f.DateFrom != nil && !f.DateFrom.IsZero() {
		add("d.search_date >= ?", f.DateFrom.String())
	}
	if f.DateTo != nil && !f.DateTo.IsZero() {
		add("d.search_date <= ?", f.DateTo.String())
	}
	// An exact amount uses the (org_id, gross) index; a range only in the plan that chose it
	// (useAmountIndex), where the planner has no statistics (SQLite): walking the date index
	// with a wide range as a filter beats reading the range from the amount index and sorting
	// it by date.
	gross := d.unindexed("d.gross")
	if p.keys == "documents_gross" {
		gross = "d.gross"
	}
	switch {
	case exactAmount(f):
		add("d.gross = ?", *f.TotalMin)
	default:
		if f.TotalMin != nil {
			add(gross+" >= ?", *f.TotalMin)
		}
		if f.TotalMax != nil {
			add(gross+" <= ?", *f.TotalMax)
		}
	}
	if f.DueFrom != nil && !f.DueFrom.IsZero() {
		add("d.due_date >= ?", f.DueFrom.String())
	}
	if f.DueTo != nil && !f.DueTo.IsZero() {
		add("d.due_date <= ?", f.DueTo.String())
	}
	if f.PaymentStatus != "" {
		cond, a := paymentStatusCondition(f.PaymentStatus, f.Today)
		add(cond, a...)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		if index, match, ok := sqliteTextIndex(q); !d.postgres() && p.text != textLike && ok {
			add("d.rowid IN (SELECT rowid FROM "+index+" WHERE "+index+" MATCH ?)", match)
		}
		text, name := "d.search_text", "d.customer_name"
		if d.postgres() && trigramless(q) {
			// pg_trgm finds no trigram in so short a term, and its index would then return every
			// row to be checked: as expressions the columns are matched row by row, in date
			// order (a 2-character term no document has, at 1,000,000: 2.0–2.2 → 1.3–1.4 s),
			// unless the term is a bigram that few documents have, which its index finds (00260,
			// usePostgresBigrams; one that no document has, at 1,000,000: 1.6–1.8 s → 1 ms).
			text, name = "(d.search_text || '')", "(d.customer_name || '')"
			if b, ok := bigramOf(q); ok && p.text != textLike {
				add("reportapp_bigrams(d.search_text, d.customer_name) @> ARRAY[?]::text[]", b)
			}
		}
		p := likePattern(q)
		add(`(`+text+` LIKE ? ESCAPE '\' OR `+name+` LIKE ? ESCAPE '\')`, p, p)
	}
	return where, args
}

// SearchDocuments returns one page of the organisation's documents matching every condition of
// f, newest first (by the transaction date, else the issue date; then by id), complete with items
// and totals. nextCursor continues with the next page when there may be more ("" on the last
// page); a cursor that this method did not make is EInvalid with field "cursor". Free text f.Query
// matches the number, subject, customer name and item names (case- and width-insensitive;
// % and _ match themselves).
func (db *DB) SearchDocuments(ctx context.Context, orgID string, f document.Filter, page domain.Page) ([]document.Document, string, error) {
	return db.searchDocuments(ctx, orgID, f, page, true)
}

// SearchDocumentSummaries is SearchDocuments without the documents' lines (Items nil, Totals
// kept): what a list and the CSV show, read at a fraction of the cost.
func (db *DB) SearchDocumentSummaries(ctx context.Context, orgID string, f document.Filter, page domain.Page) ([]document.Document, string, error) {
	return db.searchDocuments(ctx, orgID, f, page, false)
}

func (db *DB) searchDocuments(ctx context.Context, orgID string, f document.Filter, page domain.Page, withItems bool) ([]document.Document, string, error) {
	ctx, cancel := db.bounded(ctx)
	defer cancel()
	limit := page.Size()
	query, args, err := db.pageQuery(ctx, documentSelect, orgID, f, page, limit)
	if err != nil {
		return nil, "", err
	}
	if query == "" {
		return []document.Document{}, "", nil
	}
	if !withItems {
		query = db.dialect.summaryQuery(query)
	}
	docs, dates, err := db.queryDocumentRows(ctx, db.q(), orgID, withItems, query, args...)
	if err != nil {
		return nil, "", fmt.Errorf("store: search documents of %s: %w", orgID, err)
	}
	next := ""
	if len(docs) > limit {
		docs = docs[:limit]
		next = encodeCursor(dates[limit-1], docs[limit-1].ID)
	}
	return docs, next, nil
}

// pageQuery is the SQL of a page of limit of the search for f over sel (searchQueryOf), or "" when
// orgID names no organisation (no documents; a bad cursor is EInvalid all the same).
func (db *DB) pageQuery(ctx context.Context, sel, orgID string, f document.Filter, page domain.Page, limit int) (string, []any, error) {
	if !validID(orgID) {
		_, _, err := db.dialect.searchQuery(orgID, f, page, searchPlan{})
		return "", nil, err
	}
	plan, err := db.pagePlan(ctx, orgID, f)
	if err != nil {
		return "", nil, fmt.Errorf("store: search documents of %s: %w", orgID, err)
	}
	return db.dialect.searchQueryOf(sel, orgID, db.withToday(f), page, limit, plan)
}

// searchQuery is the SQL of SearchDocuments: a page and one row more, which tells whether there
// is a next page.
func (d dialect) searchQuery(orgID string, f document.Filter, page domain.Page, p searchPlan) (string, []any, error) {
	return d.searchQueryOf(documentSelect, orgID, f, page, page.Size(), p)
}

// searchQueryOf is searchQuery reading the columns of sel, a SELECT of the documents d of one
// organisation (WHERE d.org_id = ?) such as documentSelect, in pages of size.
func (d dialect) searchQueryOf(sel, orgID string, f document.Filter, page domain.Page, size int, p searchPlan) (string, []any, error) {
	args := []any{orgID}
	var where []string
	if page.Cursor != "" {
		date, id, err := decodeCursor(page.Cursor)
		if err != nil {
			return "", nil, err
		}
		where, args = append(where, "(d.search_date, d.id) < (?, ?)"), append(args, date, id)
	}
	conds, condArgs := d.filterConditions(f, p)
	where, args = append(where, conds...), append(args, condArgs...)
	query, limit := sel, size+1
	if p.text == textRows && !d.postgres() {
		// The trigram index found fewer than ftsMaxMatches: read them by rowid and sort them,
		// rather than walk the date index probing each row against the matches.
		query = strings.Replace(query, "FROM documents d ", "FROM documents d NOT INDEXED ", 1)
	} else if f.CustomerID != "" && !d.postgres() {
		// Without statistics SQLite may walk a month in the date index instead of the
		// customer's rows: its customer index filters, ranges over the dates and orders in one.
		query = strings.Replace(query, "FROM documents d ", "FROM documents d INDEXED BY documents_customer_date ", 1)
	} else if idx := paymentStatusIndex(f.PaymentStatus); idx != "" && !d.postgres() {
		// The open (or the settled) invoices in date order: SQLite would rather range over the
		// due dates of all issued invoices and sort them.
		query = strings.Replace(query, "FROM documents d ", "FROM documents d INDEXED BY "+idx+" ", 1)
	} else if p.keys != "" {
		// A page chosen among an index's keys (pagePlan): a narrow amount range or any due-date
		// range on SQLite, a due-date range on PostgreSQL. The keys of the page are chosen in the
		// range's index, which holds the dates and ids, sorting only its matches' keys (not their
		// rows); then its rows are read (on SQLite by rowid, NOT INDEXED, as the text matches).
		key, from, order := "d.id", "documents d", "d.search_date"
		if !d.postgres() {
			key, from = "d.rowid", "documents d INDEXED BY "+p.keys
			query = strings.Replace(query, "FROM documents d ", "FROM documents d NOT INDEXED ", 1)
		} else if p.sortKeys {
			order = "d.search_date + 0" // the same order, which the date index does not provide
		}
		keys := "SELECT " + key + " FROM " + from + " WHERE d.org_id = ?"
		for _, w := range where {
			keys += " AND " + w
		}
		keys += " ORDER BY " + order + " DESC, d.id DESC LIMIT ?"
		query += " AND " + key + " IN (" + keys + ") ORDER BY d.search_date DESC, d.id DESC LIMIT ?"
		return query, append(append([]any{orgID}, append(args, limit)...), limit), nil
	}
	for _, w := range where {
		query += " AND " + w
	}
	query += " ORDER BY d.search_date DESC, d.id DESC LIMIT ?"
	return query, append(args, limit), nil
}

// MonthTotal is the sum of the gross totals of the documents of one month.
type MonthTotal struct {
	Month string // "2026-11", of the search date (transaction date, else issue date)
	Gross int64
	Count int
}

// MonthlyTotals sums the gross totals of the documents matching f per month of their search
// date, oldest first; months without documents are left out.
func (db *DB) MonthlyTotals(ctx context.Context, orgID string, f document.Filter) ([]MonthTotal, error) {
	ctx, cancel := db.bounded(ctx)
	defer cancel()
	if !validID(orgID) {
		return []MonthTotal{}, nil
	}
	text, err := db.useTextIndex(ctx, f, true)
	if err != nil {
		return nil, fmt.Errorf("store: monthly totals of %s: %w", orgID, err)
	}
	conds, condArgs := db.dialect.filterConditions(db.withToday(f), searchPlan{text: text})
	query := "SELECT " + db.dialect.month("d.search_date") + " AS month, CAST(SUM(d.gross) AS BIGINT), COUNT(*) FROM documents d WHERE d.org_id = ?"
	for _, c := range conds {
		query += " AND " + c
	}
	query += " GROUP BY " + db.dialect.month("d.search_date") + " ORDER BY month"
	rows, err := db.q().query(ctx, query, append([]any{orgID}, condArgs...)...)
	if err != nil {
		return nil, fmt.Errorf("store: monthly totals of %s: %w", orgID, err)
	}
	defer rows.Close()
	out := []MonthTotal{}
	for rows.Next() {
		var m MonthTotal
		if err := rows.Scan(&m.Month, &m.Gross, &m.Count); err != nil {
			return nil, fmt.Errorf("store: monthly totals of %s: %w", orgID, err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: monthly totals of %s: %w", orgID, err)
	}
	return out, nil
}

// CountDocuments returns how many of the organisation's documents match f (its cursor and limit
// are ignored): one COUNT(*) over the search's conditions.
func (db *DB) CountDocuments(ctx context.Context, orgID string, f document.Filter) (int, error) {
	ctx, cancel := db.bounded(ctx)
	defer cancel()
	if !validID(orgID) {
		return 0, nil
	}
	text, err := db.useTextIndex(ctx, f, true)
	if err != nil {
		return 0, fmt.Errorf("store: count documents of %s: %w", orgID, err)
	}
	conds, condArgs := db.dialect.filterConditions(db.withToday(f), searchPlan{text: text})
	query := "SELECT COUNT(*) FROM documents d WHERE d.org_id = ?"
	for _, c := range conds {
		query += " AND " + c
	}
	var n int
	if err := db.q().queryRow(ctx, query, append([]any{orgID}, condArgs...)...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count documents of %s: %w", orgID, err)
	}
	return n, nil
}
