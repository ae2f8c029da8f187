package main

import (
	"testing"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/testenv"
)

// TestMain seals the tests from the machine's AWS_* variables and HOME (internal/testenv).
func TestMain(m *testing.M) { testenv.Main(m) }

func TestGaps(t *testing.T) {
	us := time.Microsecond
	n, total, longest := gaps([]time.Duration{300 * us, 150 * us, 2 * time.Millisecond, 201 * us}, 200*us)
	if n != 3 || total != 2501*us || longest != 2*time.Millisecond {
		t.Errorf("gaps = %d, %v, %v; want 3, 2.501ms, 2ms", n, total, longest)
	}
	if n, total, longest := gaps(nil, 200*us); n != 0 || total != 0 || longest != 0 {
		t.Errorf("gaps of nothing = %d, %v, %v; want zeros", n, total, longest)
	}
}

// TestWatch runs the probe briefly on the first CPU the test may use: it must pin itself
// and keep no gap shorter than its threshold.
func TestWatch(t *testing.T) {
	cpus, err := allowedCPUs()
	if err != nil || len(cpus) == 0 {
		t.Fatalf("allowed CPUs: %v, %v", cpus, err)
	}
	long, err := watch(cpus[0], 50*time.Millisecond, 200*time.Microsecond)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range long {
		if g <= 200*time.Microsecond {
			t.Errorf("kept a gap of %v, under the threshold", g)
		}
	}
}
