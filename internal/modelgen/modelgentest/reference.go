package modelgentest

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// batchScript runs reference.js's generator calls on many schema files in one node process.
//
//go:embed reference-batch.js
var batchScript []byte

// MinAccepted is the share of the random schemas the reference must accept. A generator
// change that made most schemas invalid would leave the differential test comparing
// little but error cases; below this floor the test fails instead.
const MinAccepted = 0.70

// Config is what the differential tests read from the environment.
type Config struct {
	RefDir string // MODELGEN_REFERENCE_DIR: reference.js with its node_modules installed
	N      uint64 // MODELGEN_DIFF_N: how many random schemas (default 300)
	Seed   uint64 // MODELGEN_DIFF_SEED: the generator's seed (default 20250101)
	Sample uint64 // MODELGEN_DIFF_SAMPLE: schemas also run through reference.js itself (default 12)
}

// ConfigFromEnv reads the configuration, skipping the test when MODELGEN_REFERENCE_DIR is
// not set and failing it when the directory holds no reference.js.
func ConfigFromEnv(t testing.TB) Config {
	t.Helper()
	dir := os.Getenv("MODELGEN_REFERENCE_DIR")
	if dir == "" {
		t.Skip("MODELGEN_REFERENCE_DIR is not set: run e2e/modelgen-diff/run.sh, which installs the reference " +
			"generator (npm install in a copy of e2e/modelgen-diff/reference) and runs this test against it")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "reference.js")); err != nil {
		t.Fatalf("MODELGEN_REFERENCE_DIR: %v", err)
	}
	c := Config{RefDir: dir, N: envUint(t, "MODELGEN_DIFF_N", 300), Seed: envUint(t, "MODELGEN_DIFF_SEED", 20250101), Sample: envUint(t, "MODELGEN_DIFF_SAMPLE", 12)}
	t.Logf("MODELGEN_DIFF_SEED=%d MODELGEN_DIFF_N=%d (rerun with the same values to reproduce)", c.Seed, c.N)
	return c
}

func envUint(t testing.TB, name string, def uint64) uint64 {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, v, err)
	}
	return n
}

// Case is one schema of a differential run.
type Case struct {
	Name   string // the file's base name
	File   string // absolute path of the schema file
	Schema string
	Random bool // made by SchemaGen (else a hand-written edge case)
}

// Cases returns the hand-written schemas of edgeDir (*.graphql) followed by c.N random
// schemas, which it writes to a temporary directory.
func Cases(t testing.TB, edgeDir string, c Config) []Case {
	t.Helper()
	edge, err := filepath.Glob(filepath.Join(edgeDir, "*.graphql"))
	if err != nil {
		t.Fatal(err)
	}
	if len(edge) == 0 {
		t.Fatalf("no edge-case schemas in %s", edgeDir)
	}
	var cases []Case
	for _, f := range edge {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		abs, err := filepath.Abs(f)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, Case{Name: filepath.Base(f), File: abs, Schema: string(src)})
	}
	dir := t.TempDir()
	gen := NewSchemaGen(c.Seed)
	for i := uint64(0); i < c.N; i++ {
		src := gen.Generate(2 + int(i%7))
		name := fmt.Sprintf("s%05d.graphql", i)
		file := filepath.Join(dir, name)
		if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, Case{Name: name, File: file, Schema: src, Random: true})
	}
	return cases
}

// Result is what the reference did with one schema.
type Result struct {
	OK    bool
	Out   string // with OK: exactly what `node reference.js file` prints
	Error string // without OK: the reference's message
	// With OK, the two documents of Out: Models is the DataStore schema.js text that
	// GetBackendAPIModels returns in Models; Introspection is the model introspection schema
	// as JSON.stringify writes it (what it returns in ModelIntrospectionSchema).
	Models        string
	Introspection string
}

// RunReference runs the reference on every case, several node processes at a time, and
// returns the results by Case.File. It checks c.Sample of them through reference.js itself,
// so that the batch script is known to do what reference.js does.
func RunReference(t testing.TB, c Config, cases []Case) map[string]*Result {
	t.Helper()
	script := filepath.Join(t.TempDir(), "reference-batch.js")
	if err := os.WriteFile(script, batchScript, 0o644); err != nil {
		t.Fatal(err)
	}
	const chunk = 60
	var (
		mu      sync.Mutex
		wg      sync.WaitGroup
		results = map[string]*Result{}
		errs    []error
		sem     = make(chan struct{}, max(1, runtime.NumCPU()))
	)
	for start := 0; start < len(cases); start += chunk {
		var files []string
		for _, cs := range cases[start:min(start+chunk, len(cases))] {
			files = append(files, cs.File)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			cmd := exec.Command("node", append([]string{script, c.RefDir}, files...)...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("reference-batch.js: %v: %s", err, stderr.String()))
				return
			}
			sc := bufio.NewScanner(bytes.NewReader(out))
			sc.Buffer(make([]byte, 1<<20), 1<<30)
			for sc.Scan() {
				var line struct {
					File  string `json:"file"`
					OK    bool   `json:"ok"`
					Out   string `json:"out"`
					Error string `json:"error"`
				}
				if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
					errs = append(errs, fmt.Errorf("bad line from reference-batch.js: %v", err))
					return
				}
				r := &Result{OK: line.OK, Out: line.Out, Error: line.Error}
				if r.OK {
					var docs struct {
						Introspection json.RawMessage `json:"introspection"`
						Metadata      *string         `json:"metadata"`
					}
					if err := json.Unmarshal([]byte(r.Out), &docs); err != nil || docs.Metadata == nil || len(docs.Introspection) == 0 {
						errs = append(errs, fmt.Errorf("reference output for %s lacks introspection or metadata (%v)", line.File, err))
						return
					}
					r.Models, r.Introspection = *docs.Metadata, string(docs.Introspection)
				}
				results[line.File] = r
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		t.Fatal(err)
	}
	for _, cs := range cases {
		if results[cs.File] == nil {
			t.Fatalf("no reference result for %s", cs.Name)
		}
	}
	// The batch script must agree with reference.js itself.
	for i := 0; i < int(min(c.Sample, uint64(len(cases)))); i++ {
		cs := cases[(i*len(cases))/int(max(c.Sample, 1))]
		cmd := exec.Command("node", filepath.Join(c.RefDir, "reference.js"), cs.File)
		cmd.Dir = c.RefDir
		out, err := cmd.Output()
		r := results[cs.File]
		if (err == nil) != r.OK || (err == nil && string(out) != r.Out) {
			t.Fatalf("reference-batch.js disagrees with reference.js on %s (reference.js ok=%v, batch ok=%v)", cs.Name, err == nil, r.OK)
		}
	}
	return results
}

// CheckAccepted logs why the reference rejected schemas and fails t when it accepted fewer
// than MinAccepted of the random ones. It returns how many cases the reference accepted.
func CheckAccepted(t testing.TB, cases []Case, results map[string]*Result) int {
	t.Helper()
	accepted, random, randomAccepted := 0, 0, 0
	reasons := map[string]int{}
	for _, cs := range cases {
		r := results[cs.File]
		if cs.Random {
			random++
		}
		if r.OK {
			accepted++
			if cs.Random {
				randomAccepted++
			}
			continue
		}
		reason, _, _ := strings.Cut(r.Error, "\n")
		if len(reason) > 90 {
			reason = reason[:90]
		}
		reasons[reason]++
	}
	keys := make([]string, 0, len(reasons))
	for k := range reasons {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("reference rejected %d×: %s", reasons[k], k)
	}
	t.Logf("%d schemas (%d random): the reference accepted %d (%d random), rejected %d",
		len(cases), random, accepted, randomAccepted, len(cases)-accepted)
	if random > 0 && float64(randomAccepted) < MinAccepted*float64(random) {
		t.Errorf("the reference accepted only %d of %d random schemas (floor %.0f%%): the schema generator makes too many invalid schemas for the comparison to mean much",
			randomAccepted, random, 100*MinAccepted)
	}
	return accepted
}

// Mismatches collects the cases where the output under test differs from the reference.
// Add may be called from several goroutines; Report prints them all, the schema text of as
// many as fit in a bounded amount of output, and fails the test if there are any.
type Mismatches struct {
	mu   sync.Mutex
	list []mismatch
}

type mismatch struct {
	c       Case
	problem string
}

// Add records that c differs from the reference, and how.
func (m *Mismatches) Add(c Case, problem string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.list = append(m.list, mismatch{c, problem})
}

// Count returns how many mismatches were added.
func (m *Mismatches) Count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.list)
}

// schemaBudget bounds the schema text Report prints.
const schemaBudget = 256 << 10

// Report fails t with every mismatch (in case order: edge cases, then random schemas by
// number), out of total cases.
func (m *Mismatches) Report(t testing.TB, total int) {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	sort.SliceStable(m.list, func(i, j int) bool {
		a, b := m.list[i].c, m.list[j].c
		if a.Random != b.Random {
			return !a.Random
		}
		return a.Name < b.Name
	})
	printed := 0
	for _, x := range m.list {
		problem := x.problem
		if len(problem) > 2000 {
			problem = problem[:2000] + "…"
		}
		if printed+len(x.c.Schema) <= schemaBudget {
			printed += len(x.c.Schema)
			t.Errorf("%s: %s\nschema:\n%s", x.c.Name, problem, x.c.Schema)
		} else {
			t.Errorf("%s: %s\n(schema not printed: over %d KB of schemas printed already; rerun with the same MODELGEN_DIFF_SEED and MODELGEN_DIFF_N)", x.c.Name, problem, schemaBudget>>10)
		}
	}
	if len(m.list) > 0 {
		t.Errorf("%d of %d schemas differ from the reference", len(m.list), total)
	}
}

// FirstDifference shows where two texts part.
func FirstDifference(got, want string) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	from := max(0, i-80)
	return "at byte " + strconv.Itoa(i) + "\n got: …" + got[from:min(len(got), i+80)] + "\nwant: …" + want[from:min(len(want), i+80)]
}

var (
	positionRE = regexp.MustCompile(`\b\d+:\d+\b|\bline \d+`)
	declRE     = regexp.MustCompile(`\b(?:type|input|enum|interface|union|scalar)\s+([_A-Za-z]\w*)`)
	fieldRE    = regexp.MustCompile(`(?m)^\s*([_A-Za-z]\w*)\s*[:(]`)
	typeRefRE  = regexp.MustCompile(`:\s*\[*\s*([_A-Za-z]\w*)`)
	relationRE = regexp.MustCompile(`relationName:\s*"([^"]*)"`)
	directRE   = regexp.MustCompile(`@[_A-Za-z]\w*`)
	builtins   = map[string]bool{"ID": true, "String": true, "Int": true, "Float": true, "Boolean": true,
		"AWSDate": true, "AWSTime": true, "AWSDateTime": true, "AWSTimestamp": true, "AWSEmail": true,
		"AWSJSON": true, "AWSURL": true, "AWSPhone": true, "AWSIPAddress": true}
)

// SaysWhere reports whether an error message about schema says where the problem is: a
// line and column, or the name of a type, field, relation or directive the schema has.
func SaysWhere(msg, schema string) bool {
	if positionRE.MatchString(msg) {
		return true
	}
	names := map[string]bool{}
	for _, re := range []*regexp.Regexp{declRE, fieldRE, typeRefRE} {
		for _, m := range re.FindAllStringSubmatch(schema, -1) {
			if !builtins[m[1]] && len(m[1]) > 1 {
				names[m[1]] = true
			}
		}
	}
	for _, m := range relationRE.FindAllStringSubmatch(schema, -1) {
		if m[1] != "" && (strings.Contains(msg, "'"+m[1]+"'") || strings.Contains(msg, `"`+m[1]+`"`)) {
			return true
		}
	}
	for _, d := range directRE.FindAllString(schema, -1) {
		if regexp.MustCompile(regexp.QuoteMeta(d) + `\b`).MatchString(msg) {
			return true
		}
	}
	for name := range names {
		if regexp.MustCompile(`\b` + name + `\b`).MatchString(msg) {
			return true
		}
	}
	return false
}
