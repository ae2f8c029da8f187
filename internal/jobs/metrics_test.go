package jobs

import (
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/sqlite"
)

// A batch's outcome is counted per job from what the Executor left: COMPLETED, FAILED, an
// error (pending, retried), or nothing written (a lease lost: started, not finished).
func TestMetricsBatchOutcomes(t *testing.T) {
	store, err := sqlite.Open(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	m := NewMetrics(store, nil)
	batch := []*amplify.Job{
		{Action: amplify.OpCreateBackend, Status: amplify.StatusCompleted},
		{Action: amplify.OpCreateBackend, Status: amplify.StatusFailed},
		{Action: amplify.OpCreateBackendAuth, Status: amplify.StatusInProgress},
		{Action: amplify.OpCreateBackendAuth, Status: amplify.StatusInProgress},
	}
	m.batchStarted(batch)
	m.batchDone(batch, []error{nil, nil, errors.New("store down"), nil}, 3*time.Millisecond)
	tests := []struct {
		name string
		got  float64
		want float64
	}{
		{"started CreateBackend", testutil.ToFloat64(m.started.WithLabelValues(amplify.OpCreateBackend)), 2},
		{"completed CreateBackend", testutil.ToFloat64(m.completed.WithLabelValues(amplify.OpCreateBackend)), 1},
		{"failed CreateBackend", testutil.ToFloat64(m.failed.WithLabelValues(amplify.OpCreateBackend)), 1},
		{"errors CreateBackendAuth", testutil.ToFloat64(m.retried.WithLabelValues(amplify.OpCreateBackendAuth)), 1},
		{"completed CreateBackendAuth (lease lost: none)", testutil.ToFloat64(m.completed.WithLabelValues(amplify.OpCreateBackendAuth)), 0},
		{"failed CreateBackendAuth", testutil.ToFloat64(m.failed.WithLabelValues(amplify.OpCreateBackendAuth)), 0},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	if n := testutil.CollectAndCount(m, "amplifybackend_job_run_seconds"); n != len(amplify.JobActions()) {
		t.Errorf("%d job run time series, want one per action (%d)", n, len(amplify.JobActions()))
	}
}
