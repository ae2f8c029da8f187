package modelgen

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// refResult is one line of testdata/reference-batch.js output.
type refResult struct {
	File  string `json:"file"`
	OK    bool   `json:"ok"`
	Out   string `json:"out"`
	Error string `json:"error"`
}

func envInt(t *testing.T, name string, def uint64) uint64 {
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

// runReferenceBatch runs the reference on files, several node processes at a time.
func runReferenceBatch(t *testing.T, refDir string, files []string) map[string]refResult {
	script, err := filepath.Abs("testdata/reference-batch.js")
	if err != nil {
		t.Fatal(err)
	}
	const chunk = 60
	var (
		mu      sync.Mutex
		wg      sync.WaitGroup
		results = map[string]refResult{}
		errs    []error
		sem     = make(chan struct{}, max(1, runtime.NumCPU()))
	)
	for start := 0; start < len(files); start += chunk {
		part := files[start:min(start+chunk, len(files))]
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			cmd := exec.Command("node", append([]string{script, refDir}, part...)...)
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
				var r refResult
				if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
					errs = append(errs, fmt.Errorf("bad line from reference-batch.js: %v", err))
					return
				}
				results[r.File] = r
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		t.Fatal(err)
	}
	return results
}

// referenceLine is what reference.js prints for our result.
func referenceLine(res *Result) string {
	var b strings.Builder
	b.WriteString(`{"introspection":`)
	b.WriteString(res.Introspection)
	b.WriteString(`,"metadata":`)
	writeJSONString(&b, res.Models)
	b.WriteString("}")
	return b.String()
}

// TestDifferential compares Generate with the reference generator on random
// schemas. It needs MODELGEN_REFERENCE_DIR (a directory with reference.js and
// its node_modules installed); see e2e/modelgen-diff/run.sh.
func TestDifferential(t *testing.T) {
	refDir := os.Getenv("MODELGEN_REFERENCE_DIR")
	if refDir == "" {
		t.Skip("MODELGEN_REFERENCE_DIR not set; see e2e/modelgen-diff/run.sh")
	}
	refDir, err := filepath.Abs(refDir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(refDir, "reference.js")); err != nil {
		t.Fatalf("MODELGEN_REFERENCE_DIR: %v", err)
	}
	n := envInt(t, "MODELGEN_DIFF_N", 300)
	seed := envInt(t, "MODELGEN_DIFF_SEED", 20250101)
	sample := envInt(t, "MODELGEN_DIFF_SAMPLE", 12)
	t.Logf("MODELGEN_DIFF_SEED=%d MODELGEN_DIFF_N=%d (rerun with the same values to reproduce)", seed, n)

	dir := t.TempDir()
	gen := newSchemaGen(seed)
	files := make([]string, 0, n)
	schemas := map[string]string{}
	// Hand-written edge cases first, then the random schemas.
	edge, err := filepath.Glob("testdata/edge/*.graphql")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range edge {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		abs, err := filepath.Abs(f)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, abs)
		schemas[abs] = string(src)
	}
	for i := uint64(0); i < n; i++ {
		src := gen.generate(2 + int(i%7))
		file := filepath.Join(dir, fmt.Sprintf("s%05d.graphql", i))
		if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, file)
		schemas[file] = src
	}
	results := runReferenceBatch(t, refDir, files)

	// The batch script must agree with reference.js itself.
	for i := 0; i < int(min(sample, uint64(len(files)))); i++ {
		file := files[(i*len(files))/int(max(sample, 1))]
		cmd := exec.Command("node", filepath.Join(refDir, "reference.js"), file)
		cmd.Dir = refDir
		out, err := cmd.Output()
		r := results[file]
		if (err == nil) != r.OK || (err == nil && string(out) != r.Out) {
			t.Fatalf("reference-batch.js disagrees with reference.js on %s (reference.js ok=%v, batch ok=%v)", file, err == nil, r.OK)
		}
	}

	failures, rejected := 0, 0
	reasons := map[string]int{}
	for _, file := range files {
		r, ok := results[file]
		if !ok {
			t.Fatalf("no reference result for %s", file)
		}
		if !r.OK {
			rejected++
			reason := r.Error
			if i := strings.IndexAny(reason, "\n"); i >= 0 {
				reason = reason[:i]
			}
			if len(reason) > 90 {
				reason = reason[:90]
			}
			reasons[reason]++
		}
		res, err := Generate(schemas[file])
		var problem string
		switch {
		case r.OK && err != nil:
			problem = fmt.Sprintf("reference accepts, we reject: %v", err)
		case !r.OK && err == nil:
			problem = fmt.Sprintf("reference rejects (%s), we accept", r.Error)
		case r.OK:
			if got := referenceLine(res); got != r.Out {
				problem = "outputs differ: " + firstDiff(got, r.Out)
			}
		}
		if problem != "" {
			failures++
			if failures <= 5 {
				t.Errorf("%s: %s\nschema:\n%s", filepath.Base(file), problem, schemas[file])
			}
		}
	}
	for reason, count := range reasons {
		t.Logf("reference rejected %d× : %s", count, reason)
	}
	t.Logf("%d schemas: %d accepted by the reference, %d rejected; %d mismatches", len(files), len(files)-rejected, rejected, failures)
	if failures > 0 {
		t.Errorf("%d of %d schemas differ from the reference", failures, len(files))
	}
}
