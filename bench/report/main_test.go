package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amplifybackendd/amplifybackendd/internal/testenv"
)

// TestMain seals the tests from the machine's AWS_* variables and HOME (internal/testenv).
func TestMain(m *testing.M) { testenv.Main(m) }

func TestMedianIndex(t *testing.T) {
	for _, c := range []struct {
		xs   []float64
		want int
	}{
		{nil, -1},
		{[]float64{3}, 0},
		{[]float64{1.86, 1.04, 1.07, 0.91, 2.01}, 2},
		{[]float64{2, 1}, 1},
		{[]float64{5, 1, 4, 2}, 3},
	} {
		if got := medianIndex(c.xs); got != c.want {
			t.Errorf("medianIndex(%v) = %d, want %d", c.xs, got, c.want)
		}
	}
}

// TestStallsLine reads bench/stalls' output from the raw directory; no file, no line.
func TestStallsLine(t *testing.T) {
	dir := t.TempDir()
	r := &report{raw: raw{dir}}
	if line := r.stallsLine(); line != "" {
		t.Errorf("without stalls files: %q, want none", line)
	}
	out := `{"cpus":[{"cpu":0,"gaps":24,"stalled_ms":14.18,"max_ms":1.751},{"cpu":1,"gaps":33,"stalled_ms":50.25,"max_ms":5.035}],"duration_s":5,"threshold_us":200}`
	if err := os.WriteFile(filepath.Join(dir, "stalls_start.json"), []byte(out+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	line := r.stallsLine()
	for _, want := range []string{"at the start, in 5 s", "CPU 0: 24 (14.2 ms in all, the longest 1.75 ms)", "CPU 1: 33 (50.2 ms in all, the longest 5.04 ms)"} {
		if !strings.Contains(line, want) {
			t.Errorf("line %q lacks %q", line, want)
		}
	}
	if strings.Contains(line, "at the end") {
		t.Errorf("line %q reports an end it was not given", line)
	}
}
