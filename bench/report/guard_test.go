package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestVerdict(t *testing.T) {
	tests := []struct {
		name   string
		value  float64
		rec    recordedRatio
		status string
	}{
		{"higher, kept", 0.85, recordedRatio{Value: 0.90, Better: "higher"}, "OK"},
		{"higher, better", 1.2, recordedRatio{Value: 0.90, Better: "higher"}, "OK"},
		{"higher, 25% below", 0.675, recordedRatio{Value: 0.90, Better: "higher"}, "WARN"},
		{"higher, 60% below", 0.36, recordedRatio{Value: 0.90, Better: "higher"}, "FAIL"},
		{"lower, kept", 1.3, recordedRatio{Value: 1.2, Better: "lower"}, "OK"},
		{"lower, 1.6x worse", 1.92, recordedRatio{Value: 1.2, Better: "lower"}, "WARN"},
		{"lower, 2.5x worse", 3.0, recordedRatio{Value: 1.2, Better: "lower"}, "FAIL"},
		{"not a number", 0, recordedRatio{Value: 0, Better: "higher"}, "FAIL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, got := verdict(tc.value, tc.rec); got != tc.status {
				t.Errorf("verdict(%v, %+v) = %s, want %s", tc.value, tc.rec, got, tc.status)
			}
		})
	}
}

// record then compare: a run equal to the record passes; one that lost most of a ratio
// fails; a ratio the run did not measure is listed, not failed.
func TestRecordCompare(t *testing.T) {
	dir := t.TempDir()
	goals := []goal{
		{ID: "reads-any", Value: 0.9, Better: "higher", Status: "PASS"},
		{ID: "p99-half-peak", Value: 1.2, Better: "lower", Status: "PASS"},
		{ID: "rss", Value: 100, Status: "PASS"}, // absolute: not recorded
	}
	recPath := filepath.Join(dir, "recorded.json")
	if err := record(recPath, goals, nil); err != nil {
		t.Fatal(err)
	}
	write := func(goals []goal) {
		b, _ := json.Marshal(map[string]any{"goals": goals})
		if err := os.WriteFile(filepath.Join(dir, "results.json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(goals)
	var out bytes.Buffer
	if failed, err := compare(dir, recPath, &out); err != nil || failed {
		t.Fatalf("the same run: failed=%v, %v\n%s", failed, err, out.String())
	}
	if strings.Contains(out.String(), "rss") {
		t.Errorf("an absolute figure was compared:\n%s", out.String())
	}
	write([]goal{{ID: "reads-any", Value: 0.3, Better: "higher", Status: "FAIL"}})
	out.Reset()
	failed, err := compare(dir, recPath, &out)
	if err != nil || !failed {
		t.Fatalf("a run at a third of the ratio: failed=%v, %v\n%s", failed, err, out.String())
	}
	if !strings.Contains(out.String(), "not measured") {
		t.Errorf("the ratio not measured is not listed:\n%s", out.String())
	}
}
