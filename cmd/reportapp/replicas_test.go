package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for the test's own queries

	"reportapp/internal/document"
	"reportapp/internal/store"
)

// freshDatabase creates an empty PostgreSQL database on the server of REPORTAPP_TEST_DATABASE_URL,
// dropped when the test ends, and returns its URL and a handle to it. Without the variable the
// test is skipped, unless REPORTAPP_TEST_STRICT=1.
func freshDatabase(t *testing.T) (string, *sql.DB) {
	t.Helper()
	base := os.Getenv("REPORTAPP_TEST_DATABASE_URL")
	if base == "" {
		if os.Getenv("REPORTAPP_TEST_STRICT") == "1" {
			t.Fatal("REPORTAPP_TEST_DATABASE_URL is not set and REPORTAPP_TEST_STRICT=1")
		}
		t.Skip("replica tests need PostgreSQL: set REPORTAPP_TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
	}
	u, err := url.Parse(base)
	if err != nil || !strings.Contains(base, "://") {
		t.Fatalf("REPORTAPP_TEST_DATABASE_URL must be a URL: %q", base)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	rand.Read(b)
	name := "reportapp_replicas_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	u.Path = "/" + name
	dsn := u.String()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Close()
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.Error(err)
			return
		}
		defer admin.Close()
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	return dsn, db
}

// startReplicas starts n servers through run at the same moment and waits until all listen.
func startReplicas(t *testing.T, n int, getenv func(string) string) []*runningServer {
	t.Helper()
	servers := make([]*runningServer, n)
	gate := make(chan struct{})
	for i := range servers {
		ctx, cancel := context.WithCancel(context.Background())
		s := &runningServer{Logs: &syncBuffer{}, cancel: cancel, done: make(chan error, 1)}
		servers[i] = s
		go func() {
			<-gate
			s.done <- run(ctx, []string{"reportapp", "serve"}, getenv, strings.NewReader(""), io.Discard, s.Logs)
		}()
	}
	close(gate)
	deadline := time.Now().Add(60 * time.Second)
	for i, s := range servers {
		for s.URL == "" {
			if addr := listeningAddr(s.Logs.String()); addr != "" {
				s.URL = "http://" + addr
				t.Cleanup(func() { s.stop(t) })
				break
			}
			select {
			case err := <-s.done:
				t.Fatalf("replica %d exited before listening: %v\nlogs:\n%s", i+1, err, s.Logs)
			case <-time.After(10 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				t.Fatalf("replica %d did not start; logs:\n%s", i+1, s.Logs)
			}
		}
	}
	return servers
}

// logLines returns the JSON log lines of s whose msg is msg.
func logLines(s *runningServer, msg string) []map[string]any {
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(s.Logs.String()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var line map[string]any
		if json.Unmarshal(sc.Bytes(), &line) == nil && line["msg"] == msg {
			out = append(out, line)
		}
	}
	return out
}

// apiClient calls the JSON API of a replica with a bearer token.
type apiClient struct {
	t     *testing.T
	token string
}

func (c apiClient) do(base, method, path string, body any, out any) int {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		rd = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, base+path, rd)
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Errorf("%s %s: %v", method, path, err)
		return 0
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(data, out); err != nil {
			c.t.Errorf("%s %s: decode %s: %v", method, path, data, err)
		}
	}
	if resp.StatusCode >= 300 {
		c.t.Logf("%s %s = %d: %s", method, path, resp.StatusCode, data)
	}
	return resp.StatusCode
}

// exportState is an export as the API shows it plus where it ran (from the database).
type exportState struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	Done     int    `json:"done"`
	Total    int    `json:"total"`
	Error    string `json:"error"`
	Attempts int    `json:"attempts"`
}

// TestReplicas runs three replicas on one fresh PostgreSQL database, started together.
func TestReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three servers and renders a few hundred PDFs")
	}
	dsn, db := freshDatabase(t)
	getenv := testEnv(t, map[string]string{
		"DATABASE_URL":     dsn,
		"SHUTDOWN_TIMEOUT": "1s", // short, so that a stopped replica hands back a long export
		"LOCAL_LOGIN":      "true",
		"PDF_WORKERS":      "1",
		// Replicas must share the key that sessions are keyed with (random per process otherwise).
		"SECRET_KEY": "replicas-share-this-secret-key-of-32-bytes-or-more",
	})
	replicas := startReplicas(t, 3, getenv)
	ctx := context.Background()

	t.Run("migrations applied once", func(t *testing.T) {
		var goose, dup, river int
		if err := db.QueryRow("SELECT COUNT(*) FROM goose_db_version WHERE version_id > 0").Scan(&goose); err != nil {
			t.Fatal(err)
		}
		db.QueryRow("SELECT COUNT(*) FROM (SELECT version_id FROM goose_db_version GROUP BY version_id HAVING COUNT(*) > 1) d").Scan(&dup)
		if err := db.QueryRow("SELECT COUNT(*) FROM river_migration").Scan(&river); err != nil {
			t.Fatal(err)
		}
		files, _ := filepath.Glob(filepath.Join("..", "..", "internal", "store", "migrations", "postgres", "*.sql"))
		if goose != len(files) || dup != 0 || river == 0 {
			t.Errorf("goose versions %d (files %d, duplicates %d), river versions %d", goose, len(files), dup, river)
		}
		// Each migration was applied by exactly one replica.
		applied, riverApplied := 0, 0
		for _, s := range replicas {
			applied += len(logLines(s, "migration applied"))
			riverApplied += len(logLines(s, "river migration applied"))
		}
		if applied != goose || riverApplied != river {
			t.Errorf("replicas logged %d goose and %d river migrations, want %d and %d", applied, riverApplied, goose, river)
		}
	})

	// The first organisation and its admin through the one-time setup URL of replica 1.
	var setupURL string
	for _, l := range logLines(replicas[0], "no user yet: open this one-time URL to create the first organisation and its administrator") {
		setupURL, _ = l["setup_url"].(string)
	}
	if setupURL == "" {
		t.Fatalf("replica 1 logged no setup URL:\n%s", replicas[0].Logs)
	}
	su, _ := url.Parse(setupURL)
	const email, password = "admin@acme.example.jp", "correct-horse-battery-staple"
	noRedirect := func(jar http.CookieJar) *http.Client {
		return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	setup, err := noRedirect(nil).PostForm(replicas[0].URL+"/setup", url.Values{"token": {su.Query().Get("token")},
		"org_name": {"株式会社アクメ"}, "org_slug": {"acme"}, "email": {email}, "password": {password}})
	if err != nil || setup.StatusCode >= 400 {
		t.Fatalf("setup: %v %v", err, setup.Status)
	}
	setup.Body.Close()

	t.Run("session works on every replica", func(t *testing.T) {
		jar, _ := cookiejar.New(nil) // cookies ignore the port: the replicas share one jar
		c := noRedirect(jar)
		resp, err := c.PostForm(replicas[0].URL+"/login", url.Values{"email": {email}, "password": {password}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("login on replica 1 = %d", resp.StatusCode)
		}
		for i, s := range replicas {
			resp, err := c.Get(s.URL + "/documents")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET /documents with replica 1's session on replica %d = %d, want 200", i+1, resp.StatusCode)
			}
			anon, err := noRedirect(nil).Get(s.URL + "/documents")
			if err != nil {
				t.Fatal(err)
			}
			anon.Body.Close()
			if anon.StatusCode != http.StatusSeeOther {
				t.Errorf("anonymous GET /documents on replica %d = %d, want 303 to the login", i+1, anon.StatusCode)
			}
		}
	})

	api := apiClient{t: t, token: mustToken(t, getenv, "acme", email)}
	var cust struct{ ID string }
	if code := api.do(replicas[1].URL, "POST", "/api/v1/customers", map[string]any{"name": "株式会社サンプル", "honorific": "御中"}, &cust); code != 201 {
		t.Fatalf("create customer = %d", code)
	}
	// A qualified invoice issuer (the default) issues invoices with its registration number.
	if code := api.do(replicas[1].URL, "PUT", "/api/v1/organization", map[string]any{"name": "株式会社アクメ", "registration_number": "T7123456789012"}, nil); code != 200 {
		t.Fatalf("set the registration number = %d", code)
	}

	t.Run("150 concurrent issues give gap-free numbers", func(t *testing.T) {
		const n = 150
		ids := make([]string, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				var d struct{ ID string }
				body := map[string]any{"kind": "invoice", "customer_id": cust.ID, "issue_date": "2026-11-27", "transaction_date": "2026-11-20", "subject": fmt.Sprintf("第%d回", i+1),
					"items": []map[string]any{{"name": "保守作業", "quantity": "2", "unit": "時間", "unit_price": 10000 + i, "tax_rate": 10}}}
				if code := api.do(replicas[i%3].URL, "POST", "/api/v1/documents", body, &d); code != 201 {
					t.Errorf("create %d = %d", i, code)
				}
				ids[i] = d.ID
			})
		}
		wg.Wait()
		numbers := make([]string, n)
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				var d struct{ Number string }
				if code := api.do(replicas[(i+1)%3].URL, "POST", "/api/v1/documents/"+ids[i]+"/issue", nil, &d); code != 200 {
					t.Errorf("issue %d = %d", i, code)
				}
				numbers[i] = d.Number
			})
		}
		close(start)
		wg.Wait()
		seqs := make([]int, 0, n)
		for _, num := range numbers {
			s, err := strconv.Atoi(strings.TrimPrefix(num, "INV-"))
			if err != nil {
				t.Fatalf("number %q", num)
			}
			seqs = append(seqs, s)
		}
		sort.Ints(seqs)
		for i, s := range seqs {
			if s != i+1 {
				t.Fatalf("numbers are not 1…%d without gaps or repeats: %v", n, seqs)
			}
		}
	})

	// waitExport polls the export through every replica in turn until it is done or failed.
	waitExport := func(t *testing.T, id string, within time.Duration, until func(e exportState) bool) exportState {
		t.Helper()
		deadline := time.Now().Add(within)
		for i := 0; ; i++ {
			var e exportState
			if code := api.do(replicas[i%len(replicas)].URL, "GET", "/api/v1/exports/"+id, nil, &e); code == 200 && until(e) {
				return e
			}
			if time.Now().After(deadline) {
				t.Fatalf("export %s: condition not met within %v (last %+v)", id, within, e)
			}
			time.Sleep(25 * time.Millisecond)
		}
	}
	finished := func(e exportState) bool { return e.Status == "done" || e.Status == "failed" }

	t.Run("an export job runs exactly once", func(t *testing.T) {
		var e exportState
		if code := api.do(replicas[2].URL, "POST", "/api/v1/exports?status=issued", nil, &e); code != 202 {
			t.Fatalf("create export = %d", code)
		}
		e = waitExport(t, e.ID, 5*time.Minute, finished)
		if e.Status != "done" || e.Done != 150 || e.Total != 150 || e.Attempts != 1 {
			t.Errorf("export = %+v, want done 150/150 in one attempt", e)
		}
		// River records the completion asynchronously, just after the export row says done.
		var state string
		var attempt, by int
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			err := db.QueryRow(`SELECT state, attempt, COALESCE(array_length(attempted_by, 1), 0) FROM river_job
				WHERE kind = 'export' AND args->>'export_id' = $1`, e.ID).Scan(&state, &attempt, &by)
			if err != nil {
				t.Fatal(err)
			}
			if state != "running" {
				break
			}
		}
		if state != "completed" || attempt != 1 || by != 1 {
			t.Errorf("river job: state %q, attempt %d, attempted by %d clients; want completed, 1, 1", state, attempt, by)
		}
		resp, err := http.NewRequest("GET", replicas[0].URL+"/api/v1/exports/"+e.ID+"/download", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Header.Set("Authorization", "Bearer "+api.token)
		r, err := http.DefaultClient.Do(resp)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(r.Body)
		r.Body.Close()
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil || len(zr.File) != 151 {
			t.Errorf("download from another replica: %v, want 150 PDFs and index.csv", err)
		}
	})

	t.Run("a stopped replica's export completes on another", func(t *testing.T) {
		// More documents make the export long enough to be caught mid-way.
		st, err := store.Open(ctx, store.DriverPostgres, dsn, store.Options{MaxOpenConns: 4})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		org, err := st.GetOrganizationBySlug(ctx, "acme")
		if err != nil {
			t.Fatal(err)
		}
		// 600 documents of 200 lines (about 5 ms each to render, on one worker) make the
		// export last well over SHUTDOWN_TIMEOUT (1s), so that stopping interrupts it.
		items := make([]document.Item, 200)
		for j := range items {
			items[j] = document.Item{Name: fmt.Sprintf("設計 %d", j), Quantity: document.Quantity(document.QuantityScale), Unit: "式", UnitPrice: 500, TaxRate: document.RateStandard}
		}
		const n = 600
		for i := range n {
			d := document.Document{Kind: document.Quote, CustomerID: cust.ID, IssueDate: document.Date{Year: 2026, Month: 10, Day: 1 + i%28},
				Subject: fmt.Sprintf("見積 %d", i), TaxRounding: document.Floor, Items: append([]document.Item(nil), items...)}
			if err := document.ComputeTotals(&d); err != nil {
				t.Fatal(err)
			}
			if _, err := st.CreateDocument(ctx, org.ID, "", d); err != nil {
				t.Fatal(err)
			}
		}
		var e exportState
		if code := api.do(replicas[0].URL, "POST", "/api/v1/exports", map[string]any{"kind": "quote"}, &e); code != 202 {
			t.Fatalf("create export = %d", code)
		}
		e = waitExport(t, e.ID, time.Minute, func(e exportState) bool { return e.Status == "running" && e.Done > 0 || finished(e) })
		if finished(e) {
			t.Fatalf("export finished before it could be interrupted: %+v", e)
		}
		var worker string
		db.QueryRow("SELECT worker FROM exports WHERE id = $1", e.ID).Scan(&worker)
		victim := -1
		for i, s := range replicas {
			for _, l := range logLines(s, "job queue started") {
				if l["id"] == worker {
					victim = i
				}
			}
		}
		if victim < 0 {
			t.Fatalf("no replica has queue id %q", worker)
		}
		if err := replicas[victim].stop(t); err != nil {
			t.Errorf("stopping replica %d: %v", victim+1, err)
		}
		replicas = append(replicas[:victim:victim], replicas[victim+1:]...)
		e = waitExport(t, e.ID, 5*time.Minute, finished)
		var lastWorker string
		db.QueryRow("SELECT worker FROM exports WHERE id = $1", e.ID).Scan(&lastWorker)
		if e.Status != "done" || e.Done != n || e.Total != n || e.Attempts != 2 || lastWorker == worker {
			t.Errorf("export = %+v on %q (stopped: %q); want done %d/%d on another replica in the second attempt", e, lastWorker, worker, n, n)
		}
	})
}

// TestExportOnSQLite: the embedded default runs the same job code in its one replica, and
// `reportapp export` writes the same ZIP from the command line.
func TestExportOnSQLite(t *testing.T) {
	t.Parallel()
	getenv := testEnv(t, nil)
	token := mustToken(t, getenv, "acme", "admin@example.com")
	s := mustStart(t, getenv)
	api := apiClient{t: t, token: token}
	var cust struct{ ID string }
	if code := api.do(s.URL, "POST", "/api/v1/customers", map[string]any{"name": "株式会社サンプル", "honorific": "御中"}, &cust); code != 201 {
		t.Fatalf("create customer = %d", code)
	}
	if code := api.do(s.URL, "PUT", "/api/v1/organization", map[string]any{"name": "株式会社アクメ", "registration_number": "T7123456789012"}, nil); code != 200 {
		t.Fatalf("set the registration number = %d", code)
	}
	for i := range 5 {
		body := map[string]any{"kind": "receipt", "customer_id": cust.ID, "issue_date": "2026-11-27", "transaction_date": "2026-11-27", "purpose": "お品代",
			"items": []map[string]any{{"name": "商品", "quantity": "1", "unit_price": 1000 * (i + 1), "tax_rate": 10}}}
		var d struct{ ID string }
		if code := api.do(s.URL, "POST", "/api/v1/documents", body, &d); code != 201 {
			t.Fatalf("create = %d", code)
		}
		if code := api.do(s.URL, "POST", "/api/v1/documents/"+d.ID+"/issue", nil, nil); code != 200 {
			t.Fatalf("issue = %d", code)
		}
	}
	var e exportState
	if code := api.do(s.URL, "POST", "/api/v1/exports", map[string]any{"kind": "receipt", "date_from": "2026-11-01"}, &e); code != 202 {
		t.Fatalf("create export = %d", code)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for e.Status != "done" {
		if e.Status == "failed" || time.Now().After(deadline) {
			t.Fatalf("export = %+v", e)
		}
		time.Sleep(50 * time.Millisecond)
		api.do(s.URL, "GET", "/api/v1/exports/"+e.ID, nil, &e)
	}
	if e.Done != 5 || e.Total != 5 || e.Attempts != 1 {
		t.Errorf("export = %+v, want 5 of 5 in one attempt", e)
	}
	if code := api.do(s.URL, "GET", "/api/v1/exports/"+e.ID+"/download", nil, nil); code != 200 {
		t.Errorf("download = %d", code)
	}

	// The command line, on the same database, while the server runs.
	out := filepath.Join(t.TempDir(), "書類.zip")
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"reportapp", "export", "--org", "acme", "--kind", "receipt", "--date-from", "2026-11-01", "--out", out}, getenv, nil, &stdout, &stderr)
	if err != nil {
		t.Fatalf("export command: %v\n%s", err, stderr.String())
	}
	zr, err := zip.OpenReader(out)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	want := []string{"領収書_REC-0001.pdf", "領収書_REC-0002.pdf", "領収書_REC-0003.pdf", "領収書_REC-0004.pdf", "領収書_REC-0005.pdf", "index.csv"}
	sort.Strings(names[:len(names)-1])
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Errorf("ZIP holds %q, want %q", names, want)
	}
	if !strings.Contains(stdout.String(), "5 documents (0 failed") || strings.Contains(stderr.String(), "\r[") {
		t.Errorf("stdout %q, stderr %q (no progress bar off a terminal)", stdout.String(), stderr.String())
	}
	for _, args := range [][]string{{"export", "--out", out}, {"export", "--org", "acme", "--out", out, "--kind", "memo"}, {"export", "--org", "acme", "--out", out, "--date-from", "2026-02-30"}} {
		if err := run(context.Background(), append([]string{"reportapp"}, args...), getenv, nil, io.Discard, io.Discard); exitCode(err) != 2 {
			t.Errorf("%v: err %v, want a usage error", args, err)
		}
	}
}
