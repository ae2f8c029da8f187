package storemetrics

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/sqlite"
)

// failing is a real SQLite store whose transactions end with the error fn is given: the
// wrapper must count store failures and nothing else.
type failing struct {
	amplify.Store
	err error
}

func (f failing) Update(ctx context.Context, fn func(amplify.Tx) error) error {
	if err := f.Store.Update(ctx, fn); err != nil {
		return err
	}
	return f.err
}

func TestCountsStoreFailuresOnly(t *testing.T) {
	db, err := sqlite.Open(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	tests := []struct {
		name  string
		err   error
		cause string // "" when not counted
	}{
		{"ok", nil, ""},
		{"domain refusal", amplify.Errorf(amplify.NotFound, "no such app"), ""},
		{"pending job", amplify.ErrPendingJob, ""},
		{"canceled", context.Canceled, ""},
		{"disk full", fmt.Errorf("commit: %w", amplify.StoreUnavailable(amplify.StoreDiskFull, errors.New("SQLITE_FULL"))), "disk_full"},
		{"timeout", amplify.StoreUnavailable(amplify.StoreTimeout, context.DeadlineExceeded), "timeout"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := Wrap(failing{db, tc.err})
			got := s.Update(t.Context(), func(amplify.Tx) error { return nil })
			if !errors.Is(got, tc.err) {
				t.Errorf("Update returned %v, want %v", got, tc.err)
			}
			if n := testutil.CollectAndCount(s.seconds); n != 3 {
				t.Errorf("%d latency series, want 3 (update, view, claim)", n)
			}
			total := 0
			for _, cause := range causes {
				if v := testutil.ToFloat64(s.errors.WithLabelValues("update", cause)); v > 0 {
					total++
					if cause != tc.cause {
						t.Errorf("counted as %s, want %q", cause, tc.cause)
					}
				}
			}
			if (tc.cause != "") != (total == 1) {
				t.Errorf("%d causes counted for %v, want %q", total, tc.err, tc.cause)
			}
		})
	}
}
