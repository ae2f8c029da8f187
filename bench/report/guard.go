package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// The regression guard. A full run on a quiet machine records its ratios against the
// yardsticks measured in the same run (bench/recorded.json, checked in); a short CI run
// (BENCH_QUICK=1 ... BENCH_COMPARE=bench/recorded.json bench/run.sh) compares its own ratios
// with them. Machines are noisy and quick runs are short, so only a large loss counts: 20%
// below the recorded ratio warns, 50% below fails. Ratios, not absolute figures, are
// compared: a slower machine slows the yardstick too.

// Guard thresholds, as the fraction of the recorded ratio a run keeps.
const (
	warnBelow = 0.80
	failBelow = 0.50
)

// recorded is the file of recorded ratios.
type recorded struct {
	About  string                   `json:"about"`
	Run    map[string]any           `json:"run"`
	Ratios map[string]recordedRatio `json:"ratios"`
}

type recordedRatio struct {
	Title  string  `json:"title"`
	Value  float64 `json:"value"`
	Better string  `json:"better"` // "higher" or "lower"
	Target string  `json:"target"`
}

// record writes the goals' ratios to path.
func record(path string, goals []goal, settings map[string]any) error {
	rec := recorded{
		About: "Ratios against yardsticks measured in the same run (bench/run.sh), the regression guard's reference: " +
			"a run warns 20% below them and fails 50% below. Refresh with BENCH_RECORD=bench/recorded.json bench/run.sh on a quiet machine.",
		Run:    map[string]any{"recorded": time.Now().UTC().Format(time.RFC3339), "machine": machine(), "settings": settings},
		Ratios: map[string]recordedRatio{},
	}
	for _, g := range goals {
		if g.Better != "" && g.Status != "MISSING" && g.Status != "SKIP" && !math.IsNaN(g.Value) {
			rec.Ratios[g.ID] = recordedRatio{Title: g.Title, Value: g.Value, Better: g.Better, Target: g.Target}
		}
	}
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// verdict compares a ratio with its recorded value: the fraction of the recorded ratio kept
// (above 1: better than recorded) and OK, WARN or FAIL.
func verdict(value float64, rec recordedRatio) (kept float64, status string) {
	if rec.Better == "lower" {
		kept = rec.Value / value
	} else {
		kept = value / rec.Value
	}
	switch {
	case math.IsNaN(kept) || kept < failBelow:
		return kept, "FAIL"
	case kept < warnBelow:
		return kept, "WARN"
	}
	return kept, "OK"
}

// compare prints this run's ratios (results.json in out) against the recorded ones and
// reports whether any fell below failBelow. A ratio this run did not measure is listed,
// not failed: CI may run only some parts.
func compare(out, recordedPath string, w io.Writer) (failed bool, err error) {
	var rec recorded
	b, err := os.ReadFile(recordedPath)
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		return false, fmt.Errorf("%s: %w", recordedPath, err)
	}
	var run struct{ Goals []goal }
	if b, err = os.ReadFile(filepath.Join(out, "results.json")); err != nil {
		return false, err
	}
	if err := json.Unmarshal(b, &run); err != nil {
		return false, err
	}
	byID := map[string]goal{}
	for _, g := range run.Goals {
		byID[g.ID] = g
	}
	ids := make([]string, 0, len(rec.Ratios))
	for id := range rec.Ratios {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	fmt.Fprintf(w, "%-14s %-8s %10s %10s %8s  %s\n", "ratio", "better", "recorded", "this run", "kept", "verdict")
	for _, id := range ids {
		r := rec.Ratios[id]
		g, ok := byID[id]
		if !ok || g.Status == "MISSING" || g.Status == "SKIP" {
			fmt.Fprintf(w, "%-14s %-8s %10.2f %10s %8s  not measured in this run\n", id, r.Better, r.Value, "-", "-")
			continue
		}
		kept, status := verdict(g.Value, r)
		if status == "FAIL" {
			failed = true
		}
		fmt.Fprintf(w, "%-14s %-8s %10.2f %10.2f %7.0f%%  %s\n", id, r.Better, r.Value, g.Value, 100*kept, status)
	}
	fmt.Fprintf(w, "(WARN below %.0f%% of the recorded ratio, FAIL below %.0f%%; recorded %v)\n", 100*warnBelow, 100*failBelow, rec.Run["recorded"])
	return failed, nil
}
