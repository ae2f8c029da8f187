package jobs

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestBudget(t *testing.T) {
	// hog allocates and keeps memory, 1 MiB at a time, until its context ends or it holds 1 GiB.
	hog := func(ctx context.Context) error {
		var kept [][]byte
		for len(kept) < 1024 {
			if err := ctx.Err(); err != nil {
				return err
			}
			b := make([]byte, 1<<20)
			for i := range b {
				b[i] = byte(i)
			}
			kept = append(kept, b)
		}
		return nil
	}
	wait := func(ctx context.Context) error {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Minute):
			return errors.New("not stopped")
		}
	}
	failing := errors.New("the schema does not parse")
	tests := []struct {
		name   string
		budget Budget
		work   func(context.Context) error
		limit  string // "" for the work's own result
		want   error
	}{
		{"memory", Budget{Memory: 32 << 20, Sample: time.Millisecond}, hog, "memory", nil},
		{"time", Budget{Timeout: 20 * time.Millisecond}, wait, "time", nil},
		{"within", Budget{Timeout: time.Minute, Memory: 1 << 30}, func(context.Context) error { return nil }, "", nil},
		{"work's error", Budget{Timeout: time.Minute}, func(context.Context) error { return failing }, "", failing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.budget.Run(context.Background(), tt.work)
			var be *BudgetError
			switch {
			case tt.limit == "" && err != tt.want:
				t.Fatalf("Run: %v; want %v", err, tt.want)
			case tt.limit != "" && (!errors.As(err, &be) || be.Limit != tt.limit):
				t.Fatalf("Run: %v; want the %s limit", err, tt.limit)
			}
		})
	}

	// A context that ends (the server stops) is not the budget's doing.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := (Budget{Timeout: time.Minute}).Run(ctx, wait); !errors.Is(err, context.Canceled) {
		t.Errorf("Run with an ended context: %v; want context.Canceled", err)
	}
}
