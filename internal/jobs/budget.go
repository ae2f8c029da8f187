package jobs

import (
	"context"
	"fmt"
	"runtime/metrics"
	"time"
)

// Budget bounds the time and the memory of one job's slow work (checking a schema,
// generating models), so that one client's job cannot take the server's memory or hold a
// worker for long. The zero Budget bounds nothing.
type Budget struct {
	// Timeout bounds how long the work may run.
	Timeout time.Duration
	// Memory bounds how much the process's heap may grow while the work runs, in bytes. The
	// heap is the whole process's, so the measure is approximate: other work running at the
	// same time counts too, and garbage counts until the collector frees it.
	Memory int64
	// Sample is how often the heap is read (5ms when 0).
	Sample time.Duration
}

// BudgetError says which bound ended the work.
type BudgetError struct {
	Limit string // "time" or "memory"
	Max   string // the bound, as configured ("20s", "256 MiB")
}

func (e *BudgetError) Error() string {
	if e.Limit == "time" {
		return "the work took longer than the limit of " + e.Max
	}
	return "the work needed more memory than the limit of " + e.Max
}

// heapMetric is the memory of the heap's objects, live or not yet collected.
const heapMetric = "/memory/classes/heap/objects:bytes"

func heapBytes() int64 {
	s := []metrics.Sample{{Name: heapMetric}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}

// Run runs fn with a context that ends when the budget is spent and returns fn's error, or a
// *BudgetError when the budget ended the work (fn must return soon after its context ends;
// work that cannot stop early is bounded by the size limits of its input). When ctx itself
// ends, Run returns ctx's error.
func (b Budget) Run(ctx context.Context, fn func(ctx context.Context) error) error {
	if b.Timeout <= 0 && b.Memory <= 0 {
		return fn(ctx)
	}
	work, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if b.Timeout > 0 {
		var stop context.CancelFunc
		work, stop = context.WithTimeoutCause(work, b.Timeout, &BudgetError{Limit: "time", Max: b.Timeout.String()})
		defer stop()
	}
	done := make(chan struct{})
	watched := make(chan struct{})
	if b.Memory > 0 {
		sample := b.Sample
		if sample <= 0 {
			sample = 5 * time.Millisecond
		}
		base := heapBytes()
		over := func() bool {
			if heapBytes()-base > b.Memory {
				cancel(&BudgetError{Limit: "memory", Max: formatBytes(b.Memory)})
				return true
			}
			return false
		}
		go func() {
			defer close(watched)
			tick := time.NewTicker(sample)
			defer tick.Stop()
			for {
				select {
				case <-done:
					// Once more, for work shorter than a sample.
					over()
					return
				case <-tick.C:
					if over() {
						return
					}
				}
			}
		}()
	} else {
		close(watched)
	}
	err := fn(work)
	close(done)
	<-watched
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if cause, ok := context.Cause(work).(*BudgetError); ok {
		return cause
	}
	return err
}

// formatBytes shows n in MiB when it is a whole number of them, else in bytes.
func formatBytes(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}
