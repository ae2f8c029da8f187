// Command load is the Go load generator of bench/run.sh, for what wrk cannot do with a fixed
// request: job-creating writes on many apps with fresh environment names, ListBackendJobs
// pages reached through NextToken, GetBackendJob on random jobs of a large table, and the
// time a server takes to answer /healthz. Each mode prints one JSON line.
//
//	load -mode create  -url URL -conns 64 -duration 10s [-db FILE]   writes; samples pending jobs
//	load -mode list    -url URL -app A -env E -duration 5s           ListBackendJobs latency
//	load -mode get     -url URL -app A -env E -db FILE -duration 5s  GetBackendJob latency [-once]
//	load -mode healthz -url URL -since UNIXNANO                      start-up time
//	load -mode rate    -url URL/PATH -rate 15000 -conns 32 -duration 10s   open-loop GET latency
//
// With -pid, the server's VmRSS is sampled every 100 ms during the run and reported with its
// VmHWM (peak) at the end.
package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite"
)

// headerFlags collects repeated -header "Name: value" flags.
type headerFlags []string

func (h *headerFlags) String() string     { return strings.Join(*h, ", ") }
func (h *headerFlags) Set(v string) error { *h = append(*h, v); return nil }

// config is the command line.
type config struct {
	mode       string
	rate       float64
	url        string
	conns      int
	duration   time.Duration
	db         string
	app, env   string
	account    string
	region     string
	statuses   string
	walkPages  int
	walkTime   time.Duration
	drainMax   time.Duration
	since      int64
	pid        int
	runID      string
	sample     int
	once       bool
	headers    headerFlags
	headerFile string
}

func main() {
	var c config
	flag.StringVar(&c.mode, "mode", "", "create, list, get, healthz or rate")
	flag.StringVar(&c.url, "url", "http://127.0.0.1:4580", "server base URL")
	flag.Float64Var(&c.rate, "rate", 0, "requests per second, evenly spaced, whatever the latency (rate)")
	flag.IntVar(&c.conns, "conns", 1, "concurrent connections")
	flag.DurationVar(&c.duration, "duration", 10*time.Second, "how long to send requests")
	flag.StringVar(&c.db, "db", "", "the server's SQLite file, opened read-only (create: pending-job samples; get: job ids)")
	flag.StringVar(&c.app, "app", "benchapp", "app id (list, get)")
	flag.StringVar(&c.env, "env", "prod", "backend environment (list, get)")
	flag.StringVar(&c.account, "account", "123456789012", "account the jobs are in (get)")
	flag.StringVar(&c.region, "region", "us-east-1", "region the jobs are in (get)")
	flag.StringVar(&c.statuses, "statuses", "FAILED,IN_PROGRESS,COMPLETED", "status filters to list (list)")
	flag.IntVar(&c.walkPages, "walk-pages", 4000, "most pages walked per status filter to collect NextTokens (list)")
	flag.DurationVar(&c.walkTime, "walk-time", 20*time.Second, "most time spent walking pages (list)")
	flag.DurationVar(&c.drainMax, "drain-max", 30*time.Second, "after the writes, how long to wait for the pending jobs to drain (create)")
	flag.IntVar(&c.sample, "sample", 100000, "most job ids sampled from the table (get)")
	flag.BoolVar(&c.once, "once", false, "ask for each sampled job once only, never a cached one (get)")
	flag.Int64Var(&c.since, "since", 0, "Unix time in ns the server was started at (healthz)")
	flag.IntVar(&c.pid, "pid", 0, "server process whose memory to sample")
	flag.StringVar(&c.runID, "run-id", strconv.FormatInt(time.Now().Unix()%100000, 36), "prefix of the app ids created (create)")
	flag.Var(&c.headers, "header", `extra request header "Name: value" (repeatable)`)
	flag.StringVar(&c.headerFile, "header-file", "", `file of "Name: value" lines to send (the output of bench/sign)`)
	flag.Parse()
	if c.headerFile != "" {
		raw, err := os.ReadFile(c.headerFile)
		if err != nil {
			log.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
			c.headers = append(c.headers, line)
		}
	}
	var mem *memSampler
	if c.pid > 0 && c.mode != "healthz" {
		mem = startMemSampler(c.pid)
	}
	var (
		out map[string]any
		err error
	)
	switch c.mode {
	case "create":
		out, err = runCreate(&c)
	case "list":
		out, err = runList(&c)
	case "get":
		out, err = runGet(&c)
	case "healthz":
		out, err = runHealthz(&c)
	case "rate":
		out, err = runRate(&c)
	default:
		flag.Usage()
		os.Exit(2)
	}
	if err != nil {
		log.Fatalf("load -mode %s: %v", c.mode, err)
	}
	if mem != nil {
		out["rss_max_kb"], out["hwm_kb"] = mem.stop()
		if mem.cpuStart >= 0 && mem.cpu >= 0 {
			out["server_cpu_seconds"], out["server_cores"] = mem.cpu, mem.cpu/mem.elapsed
		}
	}
	b, _ := json.Marshal(out)
	fmt.Println(string(b))
}

// client is an HTTP client that keeps one connection per worker alive.
type client struct {
	http    *http.Client
	base    string
	headers http.Header
}

func newClient(c *config) *client {
	h := http.Header{}
	for _, line := range c.headers {
		name, value, ok := strings.Cut(line, ":")
		if !ok || strings.EqualFold(strings.TrimSpace(name), "Host") {
			continue
		}
		h.Set(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	tr := &http.Transport{MaxIdleConns: c.conns + 8, MaxIdleConnsPerHost: c.conns + 8, DisableCompression: true}
	return &client{http: &http.Client{Transport: tr, Timeout: 30 * time.Second}, base: strings.TrimRight(c.url, "/"), headers: h}
}

// do sends one request and returns the status and body.
func (cl *client) do(method, path string, body []byte) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, cl.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	for k, v := range cl.headers {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := cl.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// latencies summarizes request durations.
type latencies []time.Duration

func (l latencies) summary() map[string]any {
	if len(l) == 0 {
		return map[string]any{"n": 0}
	}
	s := slices.Clone(l)
	slices.Sort(s)
	pct := func(p float64) float64 {
		i := int(p * float64(len(s)-1))
		return float64(s[i].Microseconds()) / 1000
	}
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	return map[string]any{
		"n": len(s), "p50_ms": pct(0.50), "p90_ms": pct(0.90), "p99_ms": pct(0.99),
		"max_ms": float64(s[len(s)-1].Microseconds()) / 1000, "mean_ms": float64((sum / time.Duration(len(s))).Microseconds()) / 1000,
	}
}

// runCreate sends CreateBackend from c.conns workers for c.duration. Worker i owns the app
// <runID>w<i> and names a fresh environment in each request, so that no request waits for
// another's pending job. With -db it samples the pending jobs once a second, during the run
// and after it until they drain (at most c.drainMax).
func runCreate(c *config) (map[string]any, error) {
	cl := newClient(c)
	var pendingDB *sql.DB
	if c.db != "" {
		var err error
		if pendingDB, err = openReadOnly(c.db); err != nil {
			return nil, err
		}
		defer pendingDB.Close()
	}
	var (
		acked, failed atomic.Int64
		mu            sync.Mutex
		lat           latencies
		firstErr      atomic.Value
		wg            sync.WaitGroup
		samples       []map[string]any
		start         = time.Now()
		deadline      = start.Add(c.duration)
		sampleErr     error
	)
	sample := func() (int64, error) {
		var n int64
		err := pendingDB.QueryRow(`SELECT count(*) FROM jobs WHERE pending = 1`).Scan(&n)
		return n, err
	}
	stopSampling := make(chan struct{})
	samplerDone := make(chan struct{})
	if pendingDB != nil {
		go func() {
			defer close(samplerDone)
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			for {
				n, err := sample()
				if err != nil {
					sampleErr = err
					return
				}
				samples = append(samples, map[string]any{"t": time.Since(start).Seconds(), "pending": n})
				select {
				case <-stopSampling:
					return
				case <-tick.C:
				}
			}
		}()
	} else {
		close(samplerDone)
	}
	for w := range c.conns {
		wg.Go(func() {
			app := fmt.Sprintf("%sw%02d", c.runID, w)
			var mine latencies
			for i := 0; time.Now().Before(deadline); i++ {
				body := fmt.Appendf(nil, `{"appId":%q,"appName":%q,"backendEnvironmentName":"e%d"}`, app, app, i)
				t0 := time.Now()
				status, resp, err := cl.do("POST", "/backend", body)
				d := time.Since(t0)
				if err == nil && status != http.StatusOK {
					err = fmt.Errorf("status %d: %s", status, resp)
				}
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				acked.Add(1)
				mine = append(mine, d)
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	secs := time.Since(start).Seconds()
	out := map[string]any{
		"acked": acked.Load(), "errors": failed.Load(), "seconds": secs, "rate": float64(acked.Load()) / secs,
		"conns": c.conns, "latency": lat.summary(),
	}
	if e := firstErr.Load(); e != nil {
		out["first_error"] = e
	}
	if pendingDB == nil {
		return out, nil
	}
	close(stopSampling)
	<-samplerDone
	if sampleErr != nil {
		return nil, fmt.Errorf("sample pending jobs: %w", sampleErr)
	}
	// The backlog during the run: first, last, max and the least-squares slope (jobs/s).
	var first, last, peak int64
	var st, sp, stt, stp float64
	for i, s := range samples {
		n := s["pending"].(int64)
		if i == 0 {
			first = n
		}
		last, peak = n, max(peak, n)
		t := s["t"].(float64)
		st, sp, stt, stp = st+t, sp+float64(n), stt+t*t, stp+t*float64(n)
	}
	k := float64(len(samples))
	slope := 0.0
	if den := k*stt - st*st; k >= 2 && den != 0 {
		slope = (k*stp - st*sp) / den
	}
	// After the run: how long the runner takes to finish what is left.
	drainStart := time.Now()
	left := last
	for left > 0 && time.Since(drainStart) < c.drainMax {
		time.Sleep(100 * time.Millisecond)
		n, err := sample()
		if err != nil {
			return nil, err
		}
		left = n
	}
	out["pending"] = map[string]any{
		"samples": samples, "first": first, "last": last, "max": peak, "slope_per_s": slope,
		"drain_seconds": time.Since(drainStart).Seconds(), "left_after_drain": left,
	}
	return out, nil
}

// openReadOnly opens the server's database without writing to it; WAL lets it read while the
// server writes.
func openReadOnly(path string) (*sql.DB, error) {
	q := url.Values{}
	q.Set("mode", "ro")
	q.Add("_pragma", "busy_timeout(5000)")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, db.Ping()
}

// listPage is the part of a ListBackendJobs answer the walk needs.
type listPage struct {
	Jobs      []json.RawMessage `json:"jobs"`
	NextToken string            `json:"nextToken"`
}

// runList walks ListBackendJobs pages for each status filter (following NextToken, at most
// c.walkPages pages each, c.walkTime in all) and collects every token; then, for
// c.duration, it asks for random pages among those collected (first pages included), from
// c.conns workers. The random phase's latency is the figure: any page, any depth.
func runList(c *config) (map[string]any, error) {
	cl := newClient(c)
	path := "/backend/" + url.PathEscape(c.app) + "/job/" + url.PathEscape(c.env)
	type query struct{ status, token string }
	var queries []query
	var walkLat latencies
	walkDeadline := time.Now().Add(c.walkTime)
	pagesBy := map[string]int{}
	for _, status := range strings.Split(c.statuses, ",") {
		token := ""
		for page := 0; page < c.walkPages && time.Now().Before(walkDeadline); page++ {
			queries = append(queries, query{status, token})
			body, _ := json.Marshal(map[string]any{"maxResults": 25, "status": status, "nextToken": token})
			if token == "" {
				body, _ = json.Marshal(map[string]any{"maxResults": 25, "status": status})
			}
			t0 := time.Now()
			code, resp, err := cl.do("POST", path, body)
			walkLat = append(walkLat, time.Since(t0))
			if err != nil {
				return nil, err
			}
			if code != http.StatusOK {
				return nil, fmt.Errorf("ListBackendJobs %s: status %d: %s", status, code, resp)
			}
			var p listPage
			if err := json.Unmarshal(resp, &p); err != nil {
				return nil, err
			}
			pagesBy[status]++
			if p.NextToken == "" {
				break
			}
			token = p.NextToken
		}
	}
	bodies := make([][]byte, len(queries))
	for i, q := range queries {
		m := map[string]any{"maxResults": 25, "status": q.status}
		if q.token != "" {
			m["nextToken"] = q.token
		}
		bodies[i], _ = json.Marshal(m)
	}
	lat, n, errs, secs, err := hammer(c, func(rng *rand.Rand) (int, []byte, error) {
		return cl.do("POST", path, bodies[rng.IntN(len(bodies))])
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"walk": map[string]any{"pages_by_status": pagesBy, "latency": walkLat.summary()},
		"random": map[string]any{
			"queries": len(queries), "requests": n, "errors": errs, "rps": float64(n) / secs,
			"conns": c.conns, "latency": lat.summary(),
		},
	}, nil
}

// hammer calls req from c.conns workers for c.duration and gathers the latencies of the
// successful calls; a non-200 answer is an error, reported with the first one's body.
func hammer(c *config, req func(*rand.Rand) (int, []byte, error)) (latencies, int, int64, float64, error) {
	var (
		mu       sync.Mutex
		all      latencies
		errs     atomic.Int64
		firstErr atomic.Value
		wg       sync.WaitGroup
		start    = time.Now()
		deadline = start.Add(c.duration)
	)
	for w := range c.conns {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(w)))
			var mine latencies
			for time.Now().Before(deadline) {
				t0 := time.Now()
				code, body, err := req(rng)
				d := time.Since(t0)
				if errors.Is(err, errExhausted) {
					break
				}
				if err == nil && code != http.StatusOK {
					err = fmt.Errorf("status %d: %s", code, body)
				}
				if err != nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err)
					continue
				}
				mine = append(mine, d)
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	secs := time.Since(start).Seconds()
	if e, _ := firstErr.Load().(error); e != nil && len(all) == 0 {
		return nil, 0, errs.Load(), secs, e
	}
	return all, len(all), errs.Load(), secs, nil
}

// runGet asks for jobs of the table (up to c.sample ids spread evenly over it, read from the
// database read-only, in random order) from c.conns workers for c.duration. With c.once each
// job is asked for once only (the run ends early when they run out), so that no answer comes
// from the server's cache of recently read jobs: the figure is the cost of a read by key.
func runGet(c *config) (map[string]any, error) {
	if c.db == "" {
		return nil, errors.New("-db is required")
	}
	db, err := openReadOnly(c.db)
	if err != nil {
		return nil, err
	}
	ids, total, err := sampleJobIDs(db, c, c.sample)
	db.Close()
	if err != nil {
		return nil, err
	}
	cl := newClient(c)
	prefix := "/backend/" + url.PathEscape(c.app) + "/job/" + url.PathEscape(c.env) + "/"
	var next atomic.Int64
	lat, n, errs, secs, err := hammer(c, func(rng *rand.Rand) (int, []byte, error) {
		if !c.once {
			return cl.do("GET", prefix+ids[rng.IntN(len(ids))], nil)
		}
		i := next.Add(1) - 1
		if i >= int64(len(ids)) {
			return 0, nil, errExhausted
		}
		return cl.do("GET", prefix+ids[i], nil)
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"jobs_in_table": total, "ids_sampled": len(ids), "once": c.once, "requests": n, "errors": errs,
		"rps": float64(n) / secs, "conns": c.conns, "latency": lat.summary(),
	}, nil
}

// errExhausted ends a worker of hammer: there is nothing left to ask for.
var errExhausted = errors.New("no more requests")

// sampleJobIDs returns up to n job ids of the app and environment, spread evenly over the
// table (every k-th by seq), shuffled.
func sampleJobIDs(db *sql.DB, c *config, n int) ([]string, int64, error) {
	var total int64
	err := db.QueryRow(`SELECT count(*) FROM jobs WHERE account = ? AND region = ? AND app_id = ? AND env = ?`,
		c.account, c.region, c.app, c.env).Scan(&total)
	if err != nil || total == 0 {
		return nil, 0, fmt.Errorf("no jobs of %s/%s in %s (%v)", c.app, c.env, c.db, err)
	}
	step := max(1, total/int64(n))
	rows, err := db.Query(`SELECT job_id FROM jobs WHERE account = ? AND region = ? AND app_id = ? AND env = ? AND seq % ? = 0 LIMIT ?`,
		c.account, c.region, c.app, c.env, step, n)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, 0, err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if len(ids) == 0 {
		return nil, 0, fmt.Errorf("no job ids sampled from %s", c.db)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	return ids, total, nil
}

// runHealthz polls /healthz every 2 ms until it answers 200 and reports the time since
// c.since (when the server process was started).
func runHealthz(c *config) (map[string]any, error) {
	cl := &http.Client{Timeout: time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		resp, err := cl.Get(strings.TrimRight(c.url, "/") + "/healthz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				ms := float64(time.Now().UnixNano()-c.since) / 1e6
				return map[string]any{"startup_ms": ms}, nil
			}
		}
		if c.pid > 0 && !alive(c.pid) {
			return nil, fmt.Errorf("the server (pid %d) exited before answering /healthz", c.pid)
		}
		time.Sleep(2 * time.Millisecond)
	}
	return nil, errors.New("the server did not answer /healthz with 200 within 60s")
}

// alive reports whether a process runs (exists and is not a zombie).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// pid (comm) state ...: the state follows the last ')'.
	i := bytes.LastIndexByte(b, ')')
	return i >= 0 && i+2 < len(b) && b[i+2] != 'Z' && b[i+2] != 'X'
}

// memSampler follows a process's resident memory and CPU time.
type memSampler struct {
	pid      int
	done     chan struct{}
	wg       sync.WaitGroup
	max      int64
	start    time.Time
	cpuStart float64
	cpu      float64 // CPU seconds used between start and stop
	elapsed  float64
}

func startMemSampler(pid int) *memSampler {
	m := &memSampler{pid: pid, done: make(chan struct{}), start: time.Now(), cpuStart: procCPU(pid)}
	m.wg.Go(func() {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			if rss, _ := procStatus(pid); rss > m.max {
				m.max = rss
			}
			select {
			case <-m.done:
				return
			case <-tick.C:
			}
		}
	})
	return m
}

// stop returns the largest VmRSS sampled and the VmHWM (peak resident set) now, in KiB.
func (m *memSampler) stop() (int64, int64) {
	close(m.done)
	m.wg.Wait()
	m.cpu, m.elapsed = procCPU(m.pid)-m.cpuStart, time.Since(m.start).Seconds()
	rss, hwm := procStatus(m.pid)
	return max(m.max, rss), hwm
}

// procCPU returns the CPU seconds (user and system) a process has used, from /proc/PID/stat;
// -1 if it cannot be read.
func procCPU(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return -1
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return -1
	}
	// After "pid (comm)": state is field 3, utime field 14, stime field 15.
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return -1
	}
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return (utime + stime) / clockTicks
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat times: 100 on Linux.
const clockTicks = 100

// procStatus reads VmRSS and VmHWM (KiB) of a process.
func procStatus(pid int) (rss, hwm int64) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, _ := strings.Cut(sc.Text(), ":")
		fields := strings.Fields(value)
		if len(fields) == 0 {
			continue
		}
		n, _ := strconv.ParseInt(fields[0], 10, 64)
		switch name {
		case "VmRSS":
			rss = n
		case "VmHWM":
			hwm = n
		}
	}
	return rss, hwm
}
