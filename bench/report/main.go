// Command report reads the raw results bench/run.sh leaves in OUT/raw (NAME.json: the
// measurement's JSON line; NAME.cmd: its command; NAME.skip: why it did not run), judges every
// goal, prints the table, and writes OUT/results.json, OUT/results.md and the data files of the
// plots. With -docs FILE it replaces the part of FILE between the results markers with
// results.md.
package main

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	beginMarker = "<!-- bench:results:begin -->"
	endMarker   = "<!-- bench:results:end -->"
)

// raw is the directory of raw results.
type raw struct{ dir string }

// get returns the measurement NAME's JSON, or nil.
func (r raw) get(name string) map[string]any {
	b, err := os.ReadFile(filepath.Join(r.dir, name+".json"))
	if err != nil || len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	return m
}

func (r raw) cmd(name string) string {
	b, _ := os.ReadFile(filepath.Join(r.dir, name+".cmd"))
	return strings.TrimSpace(string(b))
}

func (r raw) skip(name string) string { return r.note(name, ".skip") }

// note returns the text of NAME+suffix, or "".
func (r raw) note(name, suffix string) string {
	b, err := os.ReadFile(filepath.Join(r.dir, name+suffix))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// num follows a path of keys to a number; NaN when absent.
func num(m map[string]any, path ...string) float64 {
	var v any = m
	for _, k := range path {
		mm, ok := v.(map[string]any)
		if !ok {
			return math.NaN()
		}
		v = mm[k]
	}
	f, ok := v.(float64)
	if !ok {
		return math.NaN()
	}
	return f
}

// goal is one goal of the issue, judged.
type goal struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Figure   string   `json:"figure"`
	Value    float64  `json:"value"`
	Target   string   `json:"target"`
	Status   string   `json:"status"` // PASS, FAIL, SKIP or MISSING
	Note     string   `json:"note,omitempty"`
	Commands []string `json:"commands"`
	// Better is "higher" or "lower" for a ratio against a yardstick measured in the same run
	// (what the regression guard compares), "" for an absolute figure.
	Better string `json:"better,omitempty"`
}

// rounds reads the alternating rounds NAME_r1.. of two measurements and returns, per round,
// value(ours)/value(yardstick), and the per-round figures "ours/yardstick".
func (r raw) rounds(ours, yard string, value func(map[string]any) float64, format func(float64) string) (ratios []float64, figures []string, failed float64) {
	for i := 1; ; i++ {
		o, y := r.get(fmt.Sprintf("%s_r%d", ours, i)), r.get(fmt.Sprintf("%s_r%d", yard, i))
		if o == nil || y == nil {
			return
		}
		ratios = append(ratios, value(o)/value(y))
		figures = append(figures, format(value(o))+"/"+format(value(y)))
		failed += wrkErrors(o)
	}
}

// roundsFigure is "median of N rounds R (LABEL per round: a/b, ... = r1, ...)".
func roundsFigure(ratios []float64, figures []string, label string) string {
	rs := make([]string, len(ratios))
	for i, x := range ratios {
		rs[i] = f2(x)
	}
	return fmt.Sprintf("median of %d rounds %s (%s per round: %s = %s)", len(ratios), f2(median(ratios)), label,
		strings.Join(figures, ", "), strings.Join(rs, ", "))
}

func rps(m map[string]any) float64 { return num(m, "rps") }

func judge(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

func f0(v float64) string { return fmtNum(v, 0) }
func f1(v float64) string { return fmtNum(v, 1) }
func f2(v float64) string { return fmtNum(v, 2) }

func fmtNum(v float64, prec int) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	return strconv.FormatFloat(v, 'f', prec, 64)
}

// wrkErrors counts a wrk run's failed requests (non-2xx answers, socket errors, timeouts).
func wrkErrors(m map[string]any) float64 {
	var n float64
	for _, k := range []string{"errors_connect", "errors_read", "errors_write", "errors_status", "errors_timeout"} {
		if v := num(m, k); !math.IsNaN(v) {
			n += v
		}
	}
	return n
}

type report struct {
	raw      raw
	goals    []goal
	scales   []int
	largest  int
	settings map[string]any
}

func main() {
	out := flag.String("out", "bench/out", "directory bench/run.sh wrote")
	docs := flag.String("docs", "", "markdown file whose results section to replace")
	rec := flag.String("record", "", "write the run's ratios to this file (the regression guard's reference)")
	cmp := flag.String("compare", "", "compare the run's ratios (results.json in -out) with this recorded file; exit 1 when one fell by half")
	flag.Parse()
	if *cmp != "" {
		failed, err := compare(*out, *cmp, os.Stdout)
		must(err)
		if failed {
			fmt.Println("FAIL: a ratio fell below half of its recorded value")
			os.Exit(1)
		}
		return
	}
	r := &report{raw: raw{filepath.Join(*out, "raw")}}
	r.settings = r.raw.get("settings")
	if s, ok := r.settings["scales"].(string); ok {
		for _, f := range strings.Fields(s) {
			if n, err := strconv.Atoi(f); err == nil {
				r.scales = append(r.scales, n)
			}
		}
	}
	if len(r.scales) > 0 {
		r.largest = r.scales[len(r.scales)-1]
	}
	r.judgeAll()

	var md bytes.Buffer
	r.markdown(&md)
	r.printTable()
	must(os.WriteFile(filepath.Join(*out, "results.md"), md.Bytes(), 0o644))
	must(r.writePlotData(*out))
	must(r.writeJSON(*out))
	if *docs != "" {
		must(replaceSection(*docs, md.String()))
	}
	if *rec != "" {
		must(record(*rec, r.goals, r.settings))
	}
}

func must(err error) {
	if err != nil {
		log.Fatalf("report: %v", err)
	}
}

func (r *report) add(g goal) { r.goals = append(r.goals, g) }

func (r *report) judgeAll() {
	rw := r.raw
	ours, moto := rw.get("get_ours_c32"), rw.get("get_moto_c32")

	// Reads, auth any, against bare net/http: the median of the alternating rounds' ratios.
	g := goal{ID: "reads-any", Title: "GetBackendJob (auth any) / bare net/http, wrk -t1 -c32", Target: ">= 0.85", Better: "higher",
		Commands: []string{rw.cmd("get_ours_c32_r1"), rw.cmd("get_bare_c32_r1")}}
	ratios, figures, failed := rw.rounds("get_ours_c32", "get_bare_c32", rps, f0)
	if len(ratios) == 0 {
		g.Status = "MISSING"
	} else {
		g.Value = median(ratios)
		g.Figure = roundsFigure(ratios, figures, "ours/bare req/s")
		g.Status = judge(g.Value >= 0.85)
		if failed > 0 {
			g.Status, g.Note = "FAIL", fmt.Sprintf("%.0f failed requests", failed)
		}
	}
	r.add(g)

	// The access log's cost: the same server with the log on (ours, the default) against one
	// with it off, in the same rounds.
	g = goal{ID: "access-log", Title: "GetBackendJob with the access log on (default, info) / off (--log-level warn), wrk -t1 -c32", Target: ">= 0.90", Better: "higher",
		Commands: []string{rw.cmd("get_ours_c32_r1"), rw.cmd("get_nolog_c32_r1")}}
	ratios, figures, failed = rw.rounds("get_ours_c32", "get_nolog_c32", rps, f0)
	if len(ratios) == 0 {
		g.Status = "MISSING"
	} else {
		g.Value = median(ratios)
		g.Figure = roundsFigure(ratios, figures, "log on/off req/s")
		g.Status = judge(g.Value >= 0.90)
		if failed > 0 {
			g.Status, g.Note = "FAIL", fmt.Sprintf("%.0f failed requests", failed)
		}
	}
	r.add(g)

	// Reads, auth sigv4.
	g = goal{ID: "reads-sigv4", Title: "GetBackendJob (auth sigv4, valid signature replayed) / bare net/http, wrk -t1 -c32", Target: ">= 0.70", Better: "higher",
		Commands: []string{rw.cmd("get_ours_sigv4_c32_r1"), rw.cmd("get_bare_c32_c_r1")}}
	ratios, figures, failed = rw.rounds("get_ours_sigv4_c32", "get_bare_c32_c", rps, f0)
	if why := rw.skip("get_ours_sigv4_c32"); why != "" {
		g.Status, g.Figure, g.Note, g.Commands = "SKIP", "SKIP ("+why+")", why, nil
	} else if why := rw.note("get_ours_sigv4_c32", ".error"); why != "" {
		g.Status, g.Figure = "FAIL", why
	} else if len(ratios) == 0 {
		g.Status = "MISSING"
	} else {
		g.Value = median(ratios)
		g.Figure = roundsFigure(ratios, figures, "sigv4/bare req/s")
		g.Status = judge(g.Value >= 0.70)
		if failed > 0 {
			g.Status, g.Note = "FAIL", fmt.Sprintf("%.0f failed requests (non-200: is the signature accepted?)", failed)
		}
	}
	r.add(g)

	// Against moto.
	g = goal{ID: "vs-moto", Title: "GetBackendJob (auth any) / moto_server AppSync GetGraphqlApi, wrk -t1 -c32", Target: ">= 50x",
		Commands: []string{rw.cmd("get_ours_c32"), rw.cmd("get_moto_c32")}}
	if ours == nil || moto == nil {
		g.Status = "MISSING"
	} else {
		g.Value = num(ours, "rps") / num(moto, "rps")
		g.Figure = fmt.Sprintf("%s req/s / %s req/s = %sx", f0(num(ours, "rps")), f1(num(moto, "rps")), f1(g.Value))
		g.Status = judge(g.Value >= 50)
		if e := wrkErrors(moto); e > 0 {
			g.Note = fmt.Sprintf("moto: %.0f failed requests", e)
		}
	}
	r.add(g)

	// p99 at half the peak rate, open loop (bench/load -mode rate): ours against bare
	// net/http on the same schedule, round by round.
	hp, meta := rw.get("get_ours_halfpeak"), rw.get("halfpeak_meta")
	g = goal{ID: "p99-half-peak", Title: "GetBackendJob p99 latency at half our peak rate (open loop, evenly spaced, from each request's intended time) / bare net/http's p99 on the same schedule", Target: "<= 1.25", Better: "lower",
		Commands: []string{rw.cmd("get_ours_halfpeak_r1"), rw.cmd("get_bare_halfpeak_r1")}}
	p99 := func(m map[string]any) float64 { return num(m, "latency", "p99_us") / 1000 }
	ratios, figures, _ = rw.rounds("get_ours_halfpeak", "get_bare_halfpeak", p99, f2)
	// The details are those of the median pair, ours and bare alike.
	hpBare := rw.get("get_bare_halfpeak")
	if i := medianIndex(ratios); i >= 0 {
		hp = rw.get(fmt.Sprintf("get_ours_halfpeak_r%d", i+1))
		hpBare = rw.get(fmt.Sprintf("get_bare_halfpeak_r%d", i+1))
	}
	if hp == nil || meta == nil || len(ratios) == 0 || math.IsNaN(median(ratios)) {
		g.Status = "MISSING"
	} else {
		g.Value = median(ratios)
		frac := num(hp, "rps") / num(meta, "peak_rps")
		g.Figure = roundsFigure(ratios, figures, "ours/bare p99 ms")
		g.Figure += fmt.Sprintf("; the median pair, ours: p50 %s ms, p99 %s ms, p99.9 %s ms at %s req/s = %s x peak %s req/s; service time p99 %s ms; sends late p99 %s ms",
			f2(num(hp, "latency", "p50_us")/1000), f2(num(hp, "latency", "p99_us")/1000), f2(num(hp, "latency", "p999_us")/1000),
			f0(num(hp, "rps")), f2(frac), f0(num(meta, "peak_rps")), f2(num(hp, "service", "p99_us")/1000), f2(num(hp, "send_late", "p99_us")/1000))
		g.Status = judge(g.Value <= 1.25)
		if bare := hpBare; bare != nil {
			g.Figure += fmt.Sprintf("; bare: p50 %s ms, p99 %s ms, p99.9 %s ms",
				f2(num(bare, "latency", "p50_us")/1000), f2(num(bare, "latency", "p99_us")/1000), f2(num(bare, "latency", "p999_us")/1000))
		}
		var notes []string
		if frac < 0.45 || frac > 0.55 {
			notes = append(notes, "the rate reached missed half the peak by more than 10%")
		}
		if e := num(hp, "status_errors"); e > 0 {
			notes = append(notes, fmt.Sprintf("%.0f answers were not 200", e))
		}
		g.Note = strings.Join(notes, "; ")
	}
	r.add(g)

	// Writes.
	co, cb := rw.get("create_ours"), rw.get("create_baseline")
	g = goal{ID: "writes", Title: "CreateBackend acknowledged after durable commit (64 conns, 64 apps) / SQLite one commit per insert (64 goroutines)", Target: ">= 2.5x", Better: "higher",
		Commands: []string{rw.cmd("create_ours"), rw.cmd("create_baseline")}}
	rate := func(m map[string]any) float64 { return num(m, "rate") }
	ratios, figures, _ = rw.rounds("create_ours", "create_baseline", rate, f0)
	switch {
	case len(ratios) > 0:
		// The median of the alternating rounds; the long run's pair is shown beside it.
		g.Value = median(ratios)
		g.Figure = roundsFigure(ratios, figures, "ours/baseline writes/s")
		if co != nil && cb != nil {
			g.Figure += fmt.Sprintf("; the long run (BENCH_WRITE_DURATION): %s/s / %s/s = %sx", f0(rate(co)), f0(rate(cb)), f2(rate(co)/rate(cb)))
		}
		for i := 1; i <= len(ratios); i++ {
			g.Commands = append(g.Commands, rw.cmd(fmt.Sprintf("create_ours_r%d", i)), rw.cmd(fmt.Sprintf("create_baseline_r%d", i)))
		}
	case co != nil && cb != nil:
		g.Value = rate(co) / rate(cb)
		g.Figure = fmt.Sprintf("%s/s / %s/s = %sx", f0(rate(co)), f0(rate(cb)), f2(g.Value))
	}
	if math.IsNaN(g.Value) || g.Value == 0 {
		g.Status = "MISSING"
	} else {
		g.Status = judge(g.Value >= 2.5)
		failed := 0.0
		for _, name := range []string{"create_ours", "create_ours_r1", "create_ours_r2", "create_ours_r3", "create_ours_r4", "create_ours_r5"} {
			if m := rw.get(name); m != nil && num(m, "errors") > 0 {
				failed += num(m, "errors")
			}
		}
		if failed > 0 {
			g.Status, g.Note = "FAIL", fmt.Sprintf("%.0f failed requests", failed)
		}
	}
	r.add(g)

	// The job runner keeps up: no growing backlog. A runner that keeps up still has work in
	// flight at any sample: the batch it runs and the one it claimed (2 x 128, the runner's
	// batch), and the requests the connections have just made (64). More than that at the
	// end, or a rising trend, is a backlog.
	const inFlight = 2*128 + 64
	g = goal{ID: "jobs-backlog", Title: "Job runner keeps up with the writes (--job-duration 0s): pending jobs sampled every second", Target: fmt.Sprintf("last <= first + %d and slope <= 1%% of the write rate", inFlight),
		Commands: []string{rw.cmd("create_ours")}}
	if co == nil || co["pending"] == nil {
		g.Status = "MISSING"
	} else {
		first, last, peak := num(co, "pending", "first"), num(co, "pending", "last"), num(co, "pending", "max")
		slope, rate := num(co, "pending", "slope_per_s"), num(co, "rate")
		g.Value = slope
		g.Figure = fmt.Sprintf("first %s, last %s, max %s; slope %s jobs/s (%s%% of %s writes/s); drained %s left in %ss",
			f0(first), f0(last), f0(peak), f0(slope), f1(100*slope/rate), f0(rate),
			f0(num(co, "pending", "left_after_drain")), f1(num(co, "pending", "drain_seconds")))
		g.Status = judge(last <= first+inFlight && slope <= 0.01*rate)
	}
	r.add(g)

	// Scale.
	sz := fmt.Sprintf("%d", r.largest)
	note := ""
	if r.largest < 1000000 {
		note = fmt.Sprintf("measured at %d jobs, not 1,000,000 (quick run)", r.largest)
	}
	lst := rw.get("list_" + sz)
	g = goal{ID: "list-p50", Title: fmt.Sprintf("ListBackendJobs p50, %s jobs, 25 per page, status filter, random page via NextToken", human(r.largest)), Target: "< 1 ms",
		Commands: []string{rw.cmd("list_" + sz)}, Note: note}
	if lst == nil {
		g.Status = "MISSING"
	} else {
		g.Value = num(lst, "random", "latency", "p50_ms")
		g.Figure = fmt.Sprintf("p50 %s ms, p99 %s ms (%s random pages of %s collected)", f2(g.Value), f2(num(lst, "random", "latency", "p99_ms")),
			f0(num(lst, "random", "requests")), f0(num(lst, "random", "queries")))
		g.Status = judge(g.Value < 1)
	}
	r.add(g)

	memName := "getc32_" + sz
	if rw.get(memName) == nil {
		memName = "get_" + sz
	}
	mem := rw.get(memName)
	g = goal{ID: "rss", Title: fmt.Sprintf("Server memory with %s jobs (VmHWM: peak RSS over start-up, list, get c=1 and c=32)", human(r.largest)), Target: "< 150 MB",
		Commands: []string{rw.cmd(memName)}, Note: note}
	if mem == nil {
		g.Status = "MISSING"
	} else {
		g.Value = num(mem, "hwm_kb") / 1024
		g.Figure = fmt.Sprintf("VmHWM %s MB (largest VmRSS sampled %s MB)", f1(g.Value), f1(num(mem, "rss_max_kb")/1024))
		g.Status = judge(g.Value < 150)
	}
	r.add(g)

	st := rw.get("startup_scale_" + sz)
	g = goal{ID: "startup", Title: fmt.Sprintf("Start-up to /healthz 200 on the data dir with %s jobs", human(r.largest)), Target: "< 50 ms",
		Commands: []string{rw.cmd("startup_scale_" + sz)}, Note: note}
	if st == nil {
		g.Status = "MISSING"
	} else {
		g.Value = num(st, "startup_ms")
		g.Figure = fmt.Sprintf("%s ms", f1(g.Value))
		g.Status = judge(g.Value < 50)
	}
	r.add(g)

	// Side-by-side rounds on the smallest and the largest table (bench/run.sh): the median
	// of the rounds' ratios.
	g = goal{ID: "get-scale", Title: fmt.Sprintf("GetBackendJob p50, reads by key (%s jobs spread over the table, each once, fresh server: never from the job cache; 1 connection) at %s jobs / at %s jobs, median of alternating rounds", human(r.smallest()), human(r.largest), human(r.smallest())),
		Target: "<= 1.5 (cost does not grow with jobs stored)", Note: note}
	var growth []float64
	var perRound []string
	for i := 1; ; i++ {
		small, big := rw.get(fmt.Sprintf("get_growth_small_r%d", i)), rw.get(fmt.Sprintf("get_growth_big_r%d", i))
		if small == nil || big == nil {
			break
		}
		if i == 1 {
			g.Commands = []string{rw.cmd("get_growth_small_r1"), rw.cmd("get_growth_big_r1")}
		}
		s, b := num(small, "latency", "p50_ms"), num(big, "latency", "p50_ms")
		growth = append(growth, b/s)
		perRound = append(perRound, fmt.Sprintf("%s/%s", f2(b), f2(s)))
	}
	if len(growth) == 0 {
		g.Status = "MISSING"
	} else {
		g.Value = median(growth)
		g.Figure = fmt.Sprintf("median %s (p50 ms at %s / at %s per round: %s)", f2(g.Value), human(r.largest), human(r.smallest()), strings.Join(perRound, ", "))
		g.Status = judge(g.Value <= 1.5)
	}
	r.add(g)
}

// medianIndex is the index in xs of its median (of the lower of the middle two when len(xs)
// is even), or -1 for none.
func medianIndex(xs []float64) int {
	if len(xs) == 0 {
		return -1
	}
	idx := make([]int, len(xs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(xs[a], xs[b]) })
	return idx[(len(xs)-1)/2]
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// cpuPerRequest is the server's CPU time per request of wrk run NAME, in microseconds, and
// the cores it kept busy.
func (r *report) cpuPerRequest(name string) (float64, float64) {
	w, c := r.raw.get(name), r.raw.get(name+"_cpu")
	cpu := num(c, "cpu_seconds")
	return cpu / num(w, "requests") * 1e6, cpu / (num(w, "duration_us") / 1e6)
}

func (r *report) smallest() int {
	if len(r.scales) == 0 {
		return 0
	}
	return r.scales[0]
}

func human(n int) string {
	switch {
	case n >= 1000000 && n%1000000 == 0:
		return fmt.Sprintf("%dM", n/1000000)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	}
	return strconv.Itoa(n)
}

// stallsLine describes the machine's stalls that bench/stalls measured at the start and the
// end of the run (raw/stalls_start.json, raw/stalls_end.json), or "" when it did not run.
func (r *report) stallsLine() string {
	var parts []string
	for _, when := range []string{"start", "end"} {
		m := r.raw.get("stalls_" + when)
		cpus, _ := m["cpus"].([]any)
		if len(cpus) == 0 {
			continue
		}
		var each []string
		for _, c := range cpus {
			c, _ := c.(map[string]any)
			each = append(each, fmt.Sprintf("CPU %s: %s (%s ms in all, the longest %s ms)",
				f0(num(c, "cpu")), f0(num(c, "gaps")), f1(num(c, "stalled_ms")), f2(num(c, "max_ms"))))
		}
		parts = append(parts, fmt.Sprintf("at the %s, in %s s, %s", when, f0(num(m, "duration_s")), strings.Join(each, "; ")))
	}
	if len(parts) == 0 {
		return ""
	}
	return "Stalls of the machine (bench/stalls: one busy thread pinned to each CPU, gaps over 200 µs between two clock readings): " +
		strings.Join(parts, "; ") + "."
}

func (r *report) printTable() {
	fmt.Println()
	if line := r.stallsLine(); line != "" {
		fmt.Println(line)
		fmt.Println()
	}
	fmt.Printf("%-14s %-7s %-28s %s\n", "GOAL", "RESULT", "TARGET", "FIGURE")
	count := map[string]int{}
	for _, g := range r.goals {
		fmt.Printf("%-14s %-7s %-28s %s\n", g.ID, g.Status, trunc(g.Target, 28), g.Figure)
		if g.Note != "" {
			fmt.Printf("%-14s %-7s %-28s (%s)\n", "", "", "", g.Note)
		}
		count[g.Status]++
	}
	fmt.Printf("\n%d PASS, %d FAIL, %d SKIP, %d MISSING\n", count["PASS"], count["FAIL"], count["SKIP"], count["MISSING"])
	fmt.Println("\ncommands:")
	for _, g := range r.goals {
		for _, c := range g.Commands {
			if c != "" {
				fmt.Printf("  %-14s %s\n", g.ID, c)
			}
		}
	}
}

func trunc(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}

// machine describes where the run happened.
func machine() map[string]string {
	m := map[string]string{
		"nproc": strconv.Itoa(runtime.NumCPU()),
		"go":    runtime.Version(),
		"os":    runtime.GOOS + "/" + runtime.GOARCH,
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m["kernel"] = strings.TrimSpace(string(b))
	}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if name, value, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(name) == "model name" {
				m["cpu"] = strings.TrimSpace(value)
				break
			}
		}
		f.Close()
	}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
				kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
				m["memory"] = fmt.Sprintf("%.1f GiB", kb/1024/1024)
			}
		}
		f.Close()
	}
	if b, err := exec.Command("go", "version").Output(); err == nil {
		m["go"] = strings.TrimSpace(string(b))
	}
	return m
}

// sweep rows: concurrency, ours, bare, moto req/s.
func (r *report) sweep() [][4]float64 {
	var rows [][4]float64
	for _, c := range []int{1, 4, 16, 32, 64} {
		row := [4]float64{float64(c)}
		for i, who := range []string{"ours", "bare", "moto"} {
			row[i+1] = num(r.raw.get(fmt.Sprintf("get_%s_c%d", who, c)), "rps")
		}
		rows = append(rows, row)
	}
	return rows
}

func (r *report) writePlotData(out string) error {
	var b strings.Builder
	b.WriteString("# conns ours bare moto (req/s)\n")
	for _, row := range r.sweep() {
		fmt.Fprintf(&b, "%.0f %s %s %s\n", row[0], nan(row[1]), nan(row[2]), nan(row[3]))
	}
	if err := os.WriteFile(filepath.Join(out, "throughput.dat"), []byte(b.String()), 0o644); err != nil {
		return err
	}
	b.Reset()
	b.WriteString("# jobs list_p50_ms list_p99_ms get_p50_ms\n")
	for _, n := range r.scales {
		l, g := r.raw.get(fmt.Sprintf("list_%d", n)), r.raw.get(fmt.Sprintf("get_%d", n))
		fmt.Fprintf(&b, "%d %s %s %s\n", n, nan(num(l, "random", "latency", "p50_ms")), nan(num(l, "random", "latency", "p99_ms")),
			nan(num(g, "latency", "p50_ms")))
	}
	return os.WriteFile(filepath.Join(out, "list-latency.dat"), []byte(b.String()), 0o644)
}

func nan(v float64) string {
	if math.IsNaN(v) {
		return "NaN"
	}
	return strconv.FormatFloat(v, 'f', 3, 64)
}

// benchLine is one line of go test -bench output.
var benchLine = regexp.MustCompile(`^(Benchmark\S+)\s+(\d+)\s+([\d.]+) ns/op(?:\s+([\d.]+) B/op)?(?:\s+([\d.]+) allocs/op)?`)

type micro struct {
	Name   string  `json:"name"`
	NsOp   float64 `json:"ns_per_op"`
	BOp    float64 `json:"bytes_per_op"`
	Allocs float64 `json:"allocs_per_op"`
}

func (r *report) micro() []micro {
	var out []micro
	for _, pkg := range []string{"httpapi", "logging", "sigv4", "api", "sqlite", "control"} {
		b, err := os.ReadFile(filepath.Join(r.raw.dir, "micro_"+pkg+".out"))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			m := benchLine.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			ns, _ := strconv.ParseFloat(m[3], 64)
			bo, _ := strconv.ParseFloat(m[4], 64)
			al, _ := strconv.ParseFloat(m[5], 64)
			out = append(out, micro{Name: pkg + "." + m[1], NsOp: ns, BOp: bo, Allocs: al})
		}
	}
	return out
}

func (r *report) writeJSON(out string) error {
	all := map[string]any{}
	entries, _ := os.ReadDir(r.raw.dir)
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".json"); ok {
			if m := r.raw.get(name); m != nil {
				all[name] = map[string]any{"result": m, "command": r.raw.cmd(name)}
			}
		}
	}
	doc := map[string]any{
		"generated": time.Now().UTC().Format(time.RFC3339),
		"machine":   machine(),
		"settings":  r.settings,
		"goals":     r.goals,
		"micro":     r.micro(),
		"raw":       all,
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "results.json"), append(b, '\n'), 0o644)
}

func (r *report) markdown(w *bytes.Buffer) {
	mach := machine()
	fmt.Fprintf(w, "Run of %s on %s (%s cores, %s, kernel %s, %s), %s.\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), mach["cpu"], mach["nproc"], mach["memory"], mach["kernel"], mach["go"],
		r.settingsLine())
	if line := r.stallsLine(); line != "" {
		fmt.Fprintf(w, "\n%s\n", line)
	}
	fmt.Fprintf(w, "\n| goal | target | figure | result |\n|---|---|---|---|\n")
	for _, g := range r.goals {
		fig := g.Figure
		if g.Note != "" {
			fig += " (" + g.Note + ")"
		}
		fmt.Fprintf(w, "| %s | %s | %s | **%s** |\n", g.Title, g.Target, fig, g.Status)
	}

	fmt.Fprintf(w, "\n#### Throughput vs concurrency (GetBackendJob; req/s)\n\n| wrk -c | ours (any) | bare net/http | moto | ours / bare | ours / moto |\n|---|---|---|---|---|---|\n")
	for _, row := range r.sweep() {
		fmt.Fprintf(w, "| %.0f | %s | %s | %s | %s | %s |\n", row[0], f0(row[1]), f0(row[2]), f1(row[3]), f2(row[1]/row[2]), f1(row[1]/row[3]))
	}
	if lw, bb := r.raw.get("get_nolog_c32"), r.raw.get("get_bare_c32"); lw != nil && bb != nil {
		fmt.Fprintf(w, "\nWith the access log off (`--log-level warn`), c=32 (median round): %s req/s, bare %s req/s: ratio %s (p99 %s ms).\n",
			f0(num(lw, "rps")), f0(num(bb, "rps")), f2(num(lw, "rps")/num(bb, "rps")), f2(num(lw, "p99_us")/1000))
	}
	if o, b := r.raw.get("get_ours_c32"), r.raw.get("get_bare_c32"); o != nil && b != nil {
		fmt.Fprintf(w, "Latency at c=32 (median round): ours p50 %s ms / p99 %s ms; bare p50 %s ms / p99 %s ms.\n",
			f2(num(o, "p50_us")/1000), f2(num(o, "p99_us")/1000), f2(num(b, "p50_us")/1000), f2(num(b, "p99_us")/1000))
	}
	var cpu []string
	for _, who := range []string{"ours", "nolog", "bare", "moto"} {
		if us, cores := r.cpuPerRequest("get_" + who + "_c32"); !math.IsNaN(us) {
			cpu = append(cpu, fmt.Sprintf("%s %s µs (%s cores busy)", who, f0(us), f2(cores)))
		}
	}
	if len(cpu) > 0 {
		fmt.Fprintf(w, "Server CPU time per request at c=32 (from /proc/PID/stat; wrk itself takes about one core): %s.\n", strings.Join(cpu, ", "))
	}

	if co, cb := r.raw.get("create_ours"), r.raw.get("create_baseline"); co != nil || cb != nil {
		fmt.Fprintf(w, "\n#### Writes\n\n")
		fmt.Fprintf(w, "- CreateBackend: %s acknowledged in %ss = %s/s, %s errors; latency p50 %s ms, p99 %s ms; server VmHWM %s MB.\n",
			f0(num(co, "acked")), f1(num(co, "seconds")), f0(num(co, "rate")), f0(num(co, "errors")),
			f1(num(co, "latency", "p50_ms")), f1(num(co, "latency", "p99_ms")), f1(num(co, "hwm_kb")/1024))
		if cs := num(co, "server_cpu_seconds"); !math.IsNaN(cs) {
			fmt.Fprintf(w, "- Server CPU during the CreateBackend run: %s s = %s cores busy, %s µs per acknowledged write (this includes the job runner's work).\n",
				f1(cs), f2(num(co, "server_cores")), f0(cs/num(co, "acked")*1e6))
		}
		fmt.Fprintf(w, "- Baseline: %s inserts in %ss = %s/s, %s errors.\n",
			f0(num(cb, "inserts")), f1(num(cb, "seconds")), f0(num(cb, "rate")), f0(num(cb, "errors")))
		if ci := r.raw.get("create_ours_idle_runner"); ci != nil {
			fmt.Fprintf(w, "- For comparison, with the job runner idle (`--job-duration 1h`: no job due during the run): %s/s = %sx the baseline; latency p50 %s ms, p99 %s ms; %s cores busy, %s µs of server CPU per write.\n",
				f0(num(ci, "rate")), f2(num(ci, "rate")/num(cb, "rate")), f1(num(ci, "latency", "p50_ms")), f1(num(ci, "latency", "p99_ms")),
				f2(num(ci, "server_cores")), f0(num(ci, "server_cpu_seconds")/num(ci, "acked")*1e6))
		}
		if p, ok := co["pending"].(map[string]any); ok {
			var s []string
			if samples, ok := p["samples"].([]any); ok {
				for _, x := range samples {
					s = append(s, f0(num(x.(map[string]any), "pending")))
				}
			}
			fmt.Fprintf(w, "- Pending jobs, one sample a second during the run: %s; after the run %s were left after %ss of draining.\n",
				strings.Join(s, ", "), f0(num(p, "left_after_drain")), f1(num(p, "drain_seconds")))
		}
	}

	fmt.Fprintf(w, "\n#### Scale (one environment; one connection unless said)\n\n| jobs | seed (jobs/s) | start-up to /healthz | ListBackendJobs p50 / p99 | pages walked (FAILED, IN_PROGRESS, COMPLETED) | GetBackendJob p50 / p99 (each job once) | VmHWM |\n|---|---|---|---|---|---|---|\n")
	for _, n := range r.scales {
		s, st, l, g := r.raw.get(fmt.Sprintf("seed_%d", n)), r.raw.get(fmt.Sprintf("startup_scale_%d", n)), r.raw.get(fmt.Sprintf("list_%d", n)), r.raw.get(fmt.Sprintf("get_%d", n))
		pages := "n/a"
		if p, ok := l["walk"].(map[string]any); ok {
			pages = fmt.Sprintf("%s, %s, %s", f0(num(p, "pages_by_status", "FAILED")), f0(num(p, "pages_by_status", "IN_PROGRESS")), f0(num(p, "pages_by_status", "COMPLETED")))
		}
		fmt.Fprintf(w, "| %s | %s | %s ms | %s / %s ms | %s | %s / %s ms | %s MB |\n", human(n), f0(num(s, "rate")), f1(num(st, "startup_ms")),
			f2(num(l, "random", "latency", "p50_ms")), f2(num(l, "random", "latency", "p99_ms")), pages,
			f2(num(g, "latency", "p50_ms")), f2(num(g, "latency", "p99_ms")), f1(num(g, "hwm_kb")/1024))
	}
	if g := r.raw.get(fmt.Sprintf("getc32_%d", r.largest)); g != nil {
		fmt.Fprintf(w, "\nGetBackendJob on random jobs among %s spread over the table, at %s jobs, from 32 connections (Go client; repeats, so partly from the job cache): %s req/s, p50 %s ms, p99 %s ms; VmHWM after it %s MB.\n",
			f0(num(g, "ids_sampled")), human(r.largest), f0(num(g, "rps")), f2(num(g, "latency", "p50_ms")), f2(num(g, "latency", "p99_ms")), f1(num(g, "hwm_kb")/1024))
	}

	if ms := r.micro(); len(ms) > 0 {
		fmt.Fprintf(w, "\n#### Go micro-benchmarks (-benchmem)\n\n| benchmark | ns/op | B/op | allocs/op |\n|---|---|---|---|\n")
		for _, m := range ms {
			fmt.Fprintf(w, "| %s | %s | %s | %s |\n", m.Name, f0(m.NsOp), f0(m.BOp), f0(m.Allocs))
		}
	}
}

func (r *report) settingsLine() string {
	s := r.settings
	if s == nil {
		return "settings unknown"
	}
	mode := "full run"
	if q, _ := s["quick"].(bool); q {
		mode = "quick run"
	}
	return fmt.Sprintf("%s in %vs: BENCH_DURATION=%v, BENCH_SWEEP_DURATION=%v, BENCH_SCALE_DURATION=%v, BENCH_MICRO_TIME=%v, %v; load average %v at the start, %v at the end",
		mode, s["seconds"], s["duration"], s["sweep_duration"], s["scale_duration"], s["micro_time"], s["wrk"], s["loadavg_start"], s["loadavg_end"])
}

// replaceSection puts md between the markers of the file at path.
func replaceSection(path, md string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := string(b)
	i, j := strings.Index(s, beginMarker), strings.Index(s, endMarker)
	if i < 0 || j < i {
		return fmt.Errorf("%s has no %s ... %s section", path, beginMarker, endMarker)
	}
	s = s[:i+len(beginMarker)] + "\n" + md + s[j:]
	return os.WriteFile(path, []byte(s), 0o644)
}
