// Command stalls measures how often this machine takes a CPU away from a running thread: the
// floor under every tail latency bench/run.sh reports. It pins one busy thread to each CPU,
// reads the clock in a loop for -duration, and counts the gaps between two reads longer than
// -threshold (the thread was not running). It prints one JSON line.
//
// On the 2-vCPU guests this project is measured on, an otherwise idle machine misses a CPU
// for up to 5 ms, 24 to 33 times in 5 s: a round of an open-loop run whose p99 falls on such
// stalls measures them, not the server (docs/benchmarks.md, "Why nine pairs of 4 s").
//
// Every CPU is kept busy while it runs: run it when nothing else is measured.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// cpuStalls is what one CPU's thread saw.
type cpuStalls struct {
	CPU       int     `json:"cpu"`
	Gaps      int     `json:"gaps"`
	StalledMS float64 `json:"stalled_ms"`
	MaxMS     float64 `json:"max_ms"`
}

// gaps summarizes the clock readings' differences d (each the time between two readings)
// longer than threshold.
func gaps(ds []time.Duration, threshold time.Duration) (n int, total, longest time.Duration) {
	for _, d := range ds {
		if d > threshold {
			n++
			total += d
			longest = max(longest, d)
		}
	}
	return n, total, longest
}

// watch spins on cpu for d and returns the gaps over threshold between clock readings.
func watch(cpu int, d, threshold time.Duration) ([]time.Duration, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var set unix.CPUSet
	set.Set(cpu)
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		return nil, fmt.Errorf("pin to CPU %d: %w", cpu, err)
	}
	var long []time.Duration // only gaps over the threshold are kept: the loop allocates rarely
	start := time.Now()
	last := start
	for last.Sub(start) < d {
		now := time.Now()
		if g := now.Sub(last); g > threshold {
			long = append(long, g)
		}
		last = now
	}
	return long, nil
}

func main() {
	duration := flag.Duration("duration", 5*time.Second, "how long to watch")
	threshold := flag.Duration("threshold", 200*time.Microsecond, "a gap between two clock readings longer than this is a stall")
	flag.Parse()
	cpus, err := allowedCPUs()
	if err != nil {
		fmt.Fprintln(os.Stderr, "stalls:", err)
		os.Exit(1)
	}
	results := make([]cpuStalls, len(cpus))
	errs := make([]error, len(cpus))
	var wg sync.WaitGroup
	for i, c := range cpus {
		wg.Go(func() {
			long, err := watch(c, *duration, *threshold)
			n, total, longest := gaps(long, *threshold)
			results[i] = cpuStalls{CPU: c, Gaps: n, StalledMS: ms(total), MaxMS: ms(longest)}
			errs[i] = err
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			fmt.Fprintln(os.Stderr, "stalls:", err)
			os.Exit(1)
		}
	}
	out, _ := json.Marshal(map[string]any{
		"duration_s": duration.Seconds(), "threshold_us": float64(threshold.Microseconds()), "cpus": results,
	})
	fmt.Println(string(out))
}

// allowedCPUs lists the CPUs this process may run on.
func allowedCPUs() ([]int, error) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return nil, err
	}
	var cpus []int
	for c := 0; c < 1024 && len(cpus) < set.Count(); c++ {
		if set.IsSet(c) {
			cpus = append(cpus, c)
		}
	}
	return cpus, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
