package testenv

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// A Skip is a test that skipped, with the reason it logged.
type Skip struct {
	Test   string // "package TestName" or "package TestName/subtest"
	Reason string
}

// Skips reads `go test -json` events from r, prints to w what `go test` without -v prints
// (the packages' lines, and the whole output of a test that failed), and returns the tests
// that skipped, in order, with the reason each logged. CI uses it to fail when a test it
// means to run skipped (a missing tool or database would otherwise pass as a skip).
func Skips(r io.Reader, w io.Writer) ([]Skip, error) {
	type event struct {
		Action, Package, Test, Output string
	}
	var skips []Skip
	held := map[string][]string{} // a running test's output, printed if it fails
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			// Not an event (a build error printed as text): pass it on.
			fmt.Fprintln(w, sc.Text())
			continue
		}
		key := e.Package + " " + e.Test
		switch {
		case e.Action == "output" && e.Test == "":
			if !strings.HasPrefix(e.Output, "=== ") && e.Output != "PASS\n" {
				io.WriteString(w, e.Output)
			}
		case e.Action == "output":
			held[key] = append(held[key], e.Output)
		case e.Action == "fail" && e.Test != "":
			for _, out := range held[key] {
				io.WriteString(w, out)
			}
			delete(held, key)
		case e.Action == "skip" && e.Test != "":
			reason := ""
			for _, out := range held[key] {
				if out := strings.TrimSpace(out); out != "" && !strings.HasPrefix(out, "--- ") && !strings.HasPrefix(out, "=== ") {
					reason = out
				}
			}
			skips = append(skips, Skip{Test: key, Reason: reason})
			delete(held, key)
		case e.Action == "pass" && e.Test != "":
			delete(held, key)
		}
	}
	return skips, sc.Err()
}

// Unexpected returns the skips that allowed does not list, sorted. allowed is read from a
// file of lines "package TestName  reason" ('#' starts a comment): a skip CI expects.
func Unexpected(skips []Skip, allowed io.Reader) ([]Skip, error) {
	ok := map[string]bool{}
	sc := bufio.NewScanner(allowed)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) < 3 {
			return nil, fmt.Errorf("allowed skip %q: want \"package TestName reason\"", sc.Text())
		}
		ok[f[0]+" "+f[1]] = true
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	var out []Skip
	for _, s := range skips {
		if !ok[s.Test] {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Test < out[j].Test })
	return out, nil
}
