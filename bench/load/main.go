// Command load is the side-by-side benchmark of a running reportapp (bench/run.sh starts one on
// a seeded database): the JSON document, the browser's document page (viewed again without the
// browser's copy, which the server's page cache answers; a revisit answered 304; a different
// document each time, rendered), an issued and a draft PDF at 8 and 64 connections, every filter of the search,
// deep paging, the dashboard and the document list as the browser's pages, the CSV of a year,
// and on SQLite a document GET while searches run. Each scenario
// is bounded in time and count. It prints one line per scenario: requests, requests/s, p50, p95
// and the statuses that were not 200, and the CPU time per request of the server (-server-pid),
// the database's processes (-db-process, e.g. postgres) and the loader itself, read from /proc
// before and after the scenario (all three share the machine's cores).
//
//	go run ./bench/load -url http://127.0.0.1:8080 -token … -email … -password … -d 5s
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type client struct {
	base, token string
	hc          *http.Client // with the session cookie
	cpu         cpuMeter
}

func main() {
	base := flag.String("url", "", "reportapp base URL")
	token := flag.String("token", "", "API token of an admin of the seeded organisation")
	email := flag.String("email", "", "that admin's e-mail, to sign in for the browser page")
	password := flag.String("password", "", "that admin's password")
	dur := flag.Duration("d", 5*time.Second, "duration of each throughput scenario")
	max := flag.Int("n", 50000, "at most this many requests per scenario")
	year := flag.Int("year", time.Now().Year()-1, "year of the CSV")
	only := flag.String("only", "", "run only scenarios whose name contains this")
	searchConns := flag.Int("search-conns", 8, "connections of the search scenarios (1: each query's own latency)")
	serverPID := flag.Int("server-pid", 0, "process id of the server, to report its CPU time per request")
	dbProcess := flag.String("db-process", "", "command name of the database's processes (postgres), to report theirs")
	flag.Parse()
	jar, _ := cookiejar.New(nil)
	c := &client{base: strings.TrimRight(*base, "/"), token: *token,
		hc:  &http.Client{Jar: jar, Timeout: 20 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 128}},
		cpu: cpuMeter{serverPID: *serverPID, dbProcess: *dbProcess}}
	if err := run(c, *email, *password, *dur, *max, *year, *only, *searchConns); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func (c *client) req(method, path string, body any) (*http.Request, error) {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(path, "/api/") {
		req.Header.Set("Authorization", "Bearer "+c.token)
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

func (c *client) json(method, path string, body, out any) error {
	req, err := c.req(method, path, body)
	if err != nil {
		return err
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	return json.Unmarshal(b, out)
}

type result struct {
	name      string
	conns, n  int
	rps       float64
	p50, p95  time.Duration
	notOK     map[int]int
	extraNote string
	cpu       string // CPU time per request by process group (cpuMeter)
}

func (r result) String() string {
	var bad []string
	for s, n := range r.notOK {
		bad = append(bad, fmt.Sprintf("%d×%d", n, s))
	}
	sort.Strings(bad)
	return fmt.Sprintf("%-36s c=%-3d n=%-6d %8.1f req/s  p50 %7.2f ms  p95 %7.2f ms  %s %s%s", r.name, r.conns, r.n, r.rps,
		ms(r.p50), ms(r.p95), strings.Join(bad, " "), r.extraNote, r.cpu)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// hammer sends requests made by next on conns connections for dur or max requests.
func (c *client) hammer(name string, conns int, dur time.Duration, max int, next func(i int) string) result {
	return c.hammerAs(name, conns, dur, max, next, false)
}

// hammerAs is hammer; with revisit, each connection sends the ETag of its last answer back in
// If-None-Match, as a browser that keeps the page does, and a 304 counts as answered.
func (c *client) hammerAs(name string, conns int, dur time.Duration, max int, next func(i int) string, revisit bool) result {
	var (
		mu    sync.Mutex
		lat   []time.Duration
		notOK = map[int]int{}
		count atomic.Int64
		wg    sync.WaitGroup
	)
	ctx, cancel := context.WithTimeout(context.Background(), dur)
	defer cancel()
	before := c.cpu.read()
	start := time.Now()
	for range conns {
		wg.Go(func() {
			tag := ""
			for ctx.Err() == nil {
				i := int(count.Add(1))
				if i > max {
					return
				}
				req, _ := c.req(http.MethodGet, next(i), nil)
				if revisit && tag != "" {
					req.Header.Set("If-None-Match", tag)
				}
				t0 := time.Now()
				resp, err := c.hc.Do(req)
				status := 0
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					status = resp.StatusCode
					if t := resp.Header.Get("ETag"); t != "" {
						tag = t
					}
				}
				d := time.Since(t0)
				mu.Lock()
				lat = append(lat, d)
				if status == http.StatusNotModified && revisit {
					status = http.StatusOK
				}
				if err != nil || status != http.StatusOK {
					notOK[status]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	el := time.Since(start)
	slices.Sort(lat)
	r := result{name: name, conns: conns, n: len(lat), rps: float64(len(lat)) / el.Seconds(), notOK: notOK,
		cpu: c.cpu.perRequest(before, c.cpu.read(), len(lat))}
	if len(lat) > 0 {
		r.p50, r.p95 = lat[len(lat)/2], lat[len(lat)*95/100]
	}
	return r
}

func run(c *client, email, password string, dur time.Duration, limit, year int, only string, searchConns int) error {
	// The browser's session.
	resp, err := c.hc.PostForm(c.base+"/login", url.Values{"email": {email}, "password": {password}})
	if err != nil {
		return err
	}
	resp.Body.Close()
	// A 20-line invoice, one draft and one issued.
	var cs struct {
		Items []struct{ ID string } `json:"items"`
	}
	if err := c.json(http.MethodGet, "/api/v1/customers?limit=1", nil, &cs); err != nil || len(cs.Items) == 0 {
		return fmt.Errorf("a customer: %v", err)
	}
	var items []map[string]any
	for i := 1; i <= 20; i++ {
		items = append(items, map[string]any{"name": fmt.Sprintf("品目 %d", i), "quantity": "1.5", "unit": "時間",
			"unit_price": 1000 * i, "tax_rate": map[bool]int{true: 8, false: 10}[i%3 == 0]})
	}
	doc := map[string]any{"kind": "invoice", "customer_id": cs.Items[0].ID, "transaction_date": time.Now().Format(time.DateOnly), "items": items}
	var draft, issued struct{ ID string }
	if err := c.json(http.MethodPost, "/api/v1/documents", doc, &draft); err != nil {
		return err
	}
	if err := c.json(http.MethodPost, "/api/v1/documents", doc, &issued); err != nil {
		return err
	}
	if err := c.json(http.MethodPost, "/api/v1/documents/"+issued.ID+"/issue", map[string]any{}, &issued); err != nil {
		return err
	}
	var results []result
	do := func(r result) { fmt.Println(r); results = append(results, r) }
	fixed := func(p string) func(int) string { return func(int) string { return p } }
	want := func(name string) bool { return only == "" || strings.Contains(name, only) }
	// The seeded documents, newest first, for the scenarios that ask for a different one each
	// time: no page of theirs has been rendered, so the server's page cache cannot answer them.
	var many []string
	if want("document, many") {
		cursor := ""
		for len(many) < manyDocuments {
			var page struct {
				Items []struct{ ID string } `json:"items"`
				Next  string                `json:"next_cursor"`
			}
			if err := c.json(http.MethodGet, "/api/v1/documents?limit=500&cursor="+url.QueryEscape(cursor), nil, &page); err != nil {
				return err
			}
			for _, d := range page.Items {
				many = append(many, d.ID)
			}
			if cursor = page.Next; cursor == "" {
				break
			}
		}
	}
	cycle := func(prefix string, offset int) func(int) string {
		return func(i int) string { return prefix + many[(offset+i)%len(many)] }
	}

	for _, conns := range []int{8, 64} {
		for _, s := range []struct {
			name, path string
			revisit    bool
		}{
			{"json document", "/api/v1/documents/" + issued.ID, false},
			{"browser document page", "/documents/" + issued.ID, false},
			{"browser document page, revisit", "/documents/" + issued.ID, true},
			{"issued pdf", "/api/v1/documents/" + issued.ID + "/pdf", false},
			{"draft pdf", "/api/v1/documents/" + draft.ID + "/pdf", false},
		} {
			if want(s.name) {
				do(c.hammerAs(s.name, conns, dur, limit, fixed(s.path), s.revisit))
			}
		}
		// A different document each request: the JSON and the page each start at their own
		// quarter of the list (a page is kept after its first view; the JSON is never kept).
		if len(many) > 0 {
			offset := map[int]int{8: 0, 64: len(many) / 2}[conns]
			do(c.hammer("json document, many", conns, dur, limit, cycle("/api/v1/documents/", offset)))
			do(c.hammer("browser document page, many", conns, dur, limit, cycle("/documents/", offset+len(many)/4)))
		}
	}

	if want("create and issue") {
		// Writes: a new 20-line invoice created and issued, one at a time (SQLite has one
		// writer; numbering serialises issues on both), at most 200 or for the duration.
		var lat []time.Duration
		notOK := map[int]int{}
		t0 := time.Now()
		for i := 0; i < min(limit, 200) && time.Since(t0) < dur; i++ {
			t1 := time.Now()
			var d struct{ ID string }
			if err := c.json(http.MethodPost, "/api/v1/documents", doc, &d); err != nil {
				notOK[0]++
				continue
			}
			if err := c.json(http.MethodPost, "/api/v1/documents/"+d.ID+"/issue", map[string]any{}, &d); err != nil {
				notOK[0]++
				continue
			}
			lat = append(lat, time.Since(t1))
		}
		slices.Sort(lat)
		r := result{name: "create and issue", conns: 1, n: len(lat), rps: float64(len(lat)) / time.Since(t0).Seconds(), notOK: notOK}
		if len(lat) > 0 {
			r.p50, r.p95 = lat[len(lat)/2], lat[len(lat)*95/100]
		}
		do(r)
	}

	// The search: every filter of the form, combinations, free text, at -search-conns connections.
	var cust struct {
		Items []struct{ ID string } `json:"items"`
	}
	_ = c.json(http.MethodGet, "/api/v1/customers?limit=1&offset=100", nil, &cust)
	custID := cs.Items[0].ID
	if len(cust.Items) > 0 {
		custID = cust.Items[0].ID
	}
	y := fmt.Sprint(year)
	searches := []struct{ name, q string }{
		{"search first page", ""},
		{"search month", "date_from=" + y + "-06-01&date_to=" + y + "-06-30"},
		{"search amount range", "total_min=100000&total_max=200000"},
		{"search amount narrow", "total_min=100000&total_max=101000"},
		{"search exact amount", "total_min=123456&total_max=123456"},
		{"search customer", "customer_id=" + custID},
		{"search customer+year", "customer_id=" + custID + "&date_from=" + y + "-01-01&date_to=" + y + "-12-31"},
		{"search kind+status", "kind=quote&status=issued"},
		{"search payment overdue", "kind=invoice&payment_status=overdue"},
		{"search payment paid", "payment_status=paid"},
		{"search payment unpaid", "payment_status=unpaid"},
		{"search due month", "due_from=" + y + "-06-01&due_to=" + y + "-06-30"},
		{"search text number", "q=INV-000123"},
		{"search text subject", "q=" + url.QueryEscape("定期点検")},
		{"search text customer", "q=" + url.QueryEscape("山田建設")},
		{"search text item", "q=" + url.QueryEscape("制御基板")},
		{"search text no match", "q=" + url.QueryEscape("該当なしの語句")},
		{"search text 2 chars", "q=" + url.QueryEscape("点検")},
		{"search text 2 chars no match", "q=" + url.QueryEscape("ゑゐ")},
		{"search combined", "kind=invoice&status=issued&date_from=" + y + "-01-01&date_to=" + y + "-12-31&total_min=50000&q=" + url.QueryEscape("保守")},
	}
	for _, s := range searches {
		if want(s.name) {
			do(c.hammer(s.name, searchConns, dur, limit, fixed("/api/v1/documents?limit=50&"+s.q)))
		}
	}
	// The browser's pages over the same data (signed in): the dashboard (invoiced totals of the
	// last 12 months, recent documents and drafts, the receivables' aging) and the document list with
	// its search form, unfiltered and searched.
	for _, s := range []struct{ name, path string }{
		{"ui dashboard", "/"},
		{"ui document list", "/documents"},
		{"ui document list, text", "/documents?q=" + url.QueryEscape("定期点検")},
		{"ui document list, customer+year", "/documents?customer_id=" + custID + "&date_from=" + y + "-01-01&date_to=" + y + "-12-31"},
	} {
		if want(s.name) {
			do(c.hammer(s.name, searchConns, dur, limit, fixed(s.path)))
		}
	}
	if want("search page 50") {
		// Deep paging: follow the cursor 50 pages, timing each page.
		t0 := time.Now()
		cursor, pages := "", 0
		var worst time.Duration
		for pages < 50 {
			var page struct {
				Next string `json:"next_cursor"`
			}
			t1 := time.Now()
			if err := c.json(http.MethodGet, "/api/v1/documents?limit=50&cursor="+url.QueryEscape(cursor), nil, &page); err != nil {
				return err
			}
			worst = max(worst, time.Since(t1))
			pages++
			if cursor = page.Next; cursor == "" {
				break
			}
		}
		fmt.Printf("%-34s %d pages in %.0f ms, slowest page %.2f ms\n", "search page 50", pages, ms(time.Since(t0)), ms(worst))
	}
	if want("csv year") {
		req, _ := c.req(http.MethodGet, "/api/v1/documents.csv?date_from="+y+"-01-01&date_to="+y+"-12-31", nil)
		t0 := time.Now()
		resp, err := c.hc.Do(req)
		if err != nil {
			return err
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		el := time.Since(t0)
		rows := bytes.Count(b, []byte("\n")) - 1
		fmt.Printf("%-34s status %d, %d rows in %.2f s = %.0f rows/s, %d bytes, read error %v\n", "csv year", resp.StatusCode, rows,
			el.Seconds(), float64(rows)/el.Seconds(), len(b), err)
	}
	if want("get during search") {
		alone := c.hammer("json document alone", 1, dur, limit, fixed("/api/v1/documents/"+issued.ID))
		do(alone)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					// One character no document has: no index finds it (two characters have
					// their bigram index since migration 00260), so each search reads the
					// organisation's rows.
					req, _ := c.req(http.MethodGet, "/api/v1/documents?limit=50&q="+url.QueryEscape("ゑ"), nil)
					if resp, err := c.hc.Do(req); err == nil {
						_, _ = io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
					}
				}
			})
		}
		during := c.hammer("json document during 2 searches", 1, dur, limit, fixed("/api/v1/documents/"+issued.ID))
		close(stop)
		wg.Wait()
		during.extraNote = fmt.Sprintf("(p50 %.2f× alone)", float64(during.p50)/float64(max(alone.p50, 1)))
		do(during)
	}
	// Ratios of one run.
	byName := map[string]result{}
	for _, r := range results {
		byName[fmt.Sprint(r.name, "/", r.conns)] = r
	}
	for _, conns := range []int{8, 64} {
		if j := byName[fmt.Sprint("json document/", conns)]; j.rps > 0 {
			for _, n := range []string{"browser document page", "browser document page, revisit", "issued pdf", "draft pdf"} {
				if r, ok := byName[fmt.Sprint(n, "/", conns)]; ok {
					fmt.Printf("ratio %-30s c=%-3d %.2f × json document\n", n, conns, r.rps/j.rps)
				}
			}
		}
		j, p := byName[fmt.Sprint("json document, many/", conns)], byName[fmt.Sprint("browser document page, many/", conns)]
		if j.rps > 0 && p.rps > 0 {
			fmt.Printf("ratio %-30s c=%-3d %.2f × json document, many (each page rendered: %d requests over %d documents)\n",
				"browser document page, many", conns, p.rps/j.rps, p.n, len(many))
		}
	}
	return nil
}

// manyDocuments is how many seeded documents the "many" scenarios go through: more than a page
// scenario asks for in its time on this machine, so that none is asked twice.
const manyDocuments = 20000
