package storetest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/jobs"
	"github.com/amplifybackendd/amplifybackendd/internal/wireconfig"
)

// The control plane's job operations through the Service, on each store: ending jobs by hand
// (FinishJob, FinishJobs), job settings that hold jobs, and injected job errors. They depend
// on the store's conditional writes, so they run against every store.

func newService(s amplify.Store) (*amplify.Service, *jobs.Runner) {
	svc := &amplify.Service{Configs: wireconfig.Configs{}, Store: s}
	r := &jobs.Runner{Store: s, Executor: svc, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	return svc, r
}

func runDue(t *testing.T, r *jobs.Runner) int {
	t.Helper()
	n, err := r.RunDue(t.Context())
	check(t, "RunDue", err)
	return n
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := amplify.ErrorCode(err); got != code {
		t.Errorf("%s: error %v, want %s", what, err, code)
	}
}

func envExists(t *testing.T, s amplify.Store, key amplify.EnvKey) bool {
	t.Helper()
	var exists bool
	view(t, s, func(tx amplify.Tx) error {
		_, err := tx.Environment(key)
		exists = err == nil
		if amplify.ErrorCode(err) == amplify.NotFound {
			return nil
		}
		return err
	})
	return exists
}

func testFinishJob(t *testing.T, s amplify.Store) {
	ctx := t.Context()
	svc, runner := newService(s)
	check(t, "SetJobSettings", svc.SetJobSettings(ctx, amplify.JobSettings{Mode: amplify.JobsManual}))
	key := envKey(scope1, "app1", "dev")
	job, err := svc.CreateBackend(ctx, key, "app1")
	check(t, "CreateBackend", err)
	if n := runDue(t, runner); n != 0 || envExists(t, s, key) {
		t.Fatalf("a held job ran (%d jobs)", n)
	}
	done, err := svc.FinishJob(ctx, job.JobID, amplify.StatusCompleted, "")
	check(t, "FinishJob", err)
	if done.Status != amplify.StatusCompleted || done.Pending || !envExists(t, s, key) {
		t.Errorf("FinishJob COMPLETED: %+v, environment exists %v", done, envExists(t, s, key))
	}
	got, err := svc.GetJob(ctx, key, job.JobID)
	check(t, "GetJob", err)
	if got.Status != amplify.StatusCompleted {
		t.Errorf("GetJob after FinishJob: %s", got.Status)
	}
	_, err = svc.FinishJob(ctx, job.JobID, amplify.StatusFailed, "late")
	wantCode(t, "FinishJob of an ended job", err, amplify.Conflict)
	_, err = svc.FinishJob(ctx, "no-such-job", amplify.StatusCompleted, "")
	wantNotFound(t, "FinishJob of an unknown job", err, amplify.ResourceJob)
	_, err = svc.FinishJob(ctx, job.JobID, "DONE", "")
	wantCode(t, "FinishJob with an unknown status", err, amplify.BadRequest)

	// FAILED changes nothing but the job.
	key2 := envKey(scope1, "app2", "dev")
	job2, err := svc.CreateBackend(ctx, key2, "app2")
	check(t, "CreateBackend", err)
	failed, err := svc.FinishJob(ctx, job2.JobID, amplify.StatusFailed, "quota exceeded")
	check(t, "FinishJob FAILED", err)
	if failed.Status != amplify.StatusFailed || failed.Error != "quota exceeded" || envExists(t, s, key2) {
		t.Errorf("FinishJob FAILED: %+v, environment exists %v", failed, envExists(t, s, key2))
	}

	// COMPLETED re-checks preconditions: a refusal ends the job FAILED with the reason.
	key3 := envKey(scope1, "app3", "dev")
	job3, err := svc.CreateBackend(ctx, key3, "app3")
	check(t, "CreateBackend", err)
	update(t, s, func(tx amplify.Tx) error { return tx.PutEnvironment(newEnv(key3, "000001")) })
	refused, err := svc.FinishJob(ctx, job3.JobID, amplify.StatusCompleted, "")
	check(t, "FinishJob COMPLETED refused", err)
	if refused.Status != amplify.StatusFailed || refused.Error == "" {
		t.Errorf("FinishJob COMPLETED with a precondition gone: %+v", refused)
	}

	// FinishJobs ends what is pending in scope, and only that.
	var keys []amplify.EnvKey
	for i, sc := range []amplify.Scope{scope1, scope1, scope2} {
		k := envKey(sc, fmt.Sprintf("many%d", i), "dev")
		keys = append(keys, k)
		_, err := svc.CreateBackend(ctx, k, "many")
		check(t, "CreateBackend", err)
	}
	n, err := svc.FinishJobs(ctx, amplify.StateScope{Account: scope1.Account}, amplify.StatusCompleted, "")
	check(t, "FinishJobs", err)
	if n != 2 || !envExists(t, s, keys[0]) || !envExists(t, s, keys[1]) || envExists(t, s, keys[2]) {
		t.Errorf("FinishJobs(account 1): %d ended; environments %v %v %v", n, envExists(t, s, keys[0]), envExists(t, s, keys[1]), envExists(t, s, keys[2]))
	}
	n, err = svc.FinishJobs(ctx, amplify.StateScope{}, amplify.StatusFailed, "stop")
	check(t, "FinishJobs", err)
	if n != 1 || envExists(t, s, keys[2]) {
		t.Errorf("FinishJobs(all) FAILED: %d ended", n)
	}
}

func testJobSettings(t *testing.T, s amplify.Store) {
	ctx := t.Context()
	svc, runner := newService(s)
	if js := svc.JobSettings(); js.Mode != amplify.JobsImmediate {
		t.Errorf("default settings: %+v", js)
	}
	for _, bad := range []amplify.JobSettings{
		{Mode: "later"},
		{Mode: amplify.JobsTimed, Duration: -1},
		{Mode: amplify.JobsImmediate, Operations: map[string]amplify.OperationJobSettings{"GetBackend": {Mode: amplify.JobsManual}}},
		{Mode: amplify.JobsImmediate, Operations: map[string]amplify.OperationJobSettings{amplify.OpCreateBackend: {Mode: "x"}}},
	} {
		wantCode(t, fmt.Sprintf("SetJobSettings(%+v)", bad), svc.SetJobSettings(ctx, bad), amplify.BadRequest)
	}
	// CreateBackend held, everything else immediate.
	held := amplify.JobSettings{Mode: amplify.JobsImmediate, Operations: map[string]amplify.OperationJobSettings{
		amplify.OpCreateBackend: {Mode: amplify.JobsManual}}}
	check(t, "SetJobSettings", svc.SetJobSettings(ctx, held))
	wantEqual(t, "JobSettings", svc.JobSettings(), held)
	key := envKey(scope1, "app1", "dev")
	job, err := svc.CreateBackend(ctx, key, "app1")
	check(t, "CreateBackend", err)
	if !job.RunAt.Equal(amplify.HeldRunAt) {
		t.Errorf("held job RunAt %v", job.RunAt)
	}
	if n := runDue(t, runner); n != 0 {
		t.Errorf("RunDue ran %d held jobs", n)
	}
	// Releasing: the job is due now and runs.
	check(t, "SetJobSettings", svc.SetJobSettings(ctx, amplify.JobSettings{Mode: amplify.JobsImmediate}))
	if n := runDue(t, runner); n != 1 || !envExists(t, s, key) {
		t.Errorf("after release RunDue ran %d jobs; environment exists %v", n, envExists(t, s, key))
	}
	// Timed: due after the duration.
	check(t, "SetJobSettings", svc.SetJobSettings(ctx, amplify.JobSettings{Mode: amplify.JobsTimed, Duration: 3600e9}))
	job, err = svc.CreateBackend(ctx, envKey(scope1, "app2", "dev"), "app2")
	check(t, "CreateBackend", err)
	if d := job.RunAt.Sub(job.CreatedAt); d != 3600e9 {
		t.Errorf("timed job due after %v, want 1h", d)
	}
}

func testInjectedJobError(t *testing.T, s amplify.Store) {
	svc, runner := newService(s)
	key := envKey(scope1, "app1", "dev")
	job, err := svc.CreateBackend(amplify.WithJobError(t.Context(), "injected: no capacity"), key, "app1")
	check(t, "CreateBackend", err)
	if n := runDue(t, runner); n != 1 {
		t.Errorf("RunDue: %d", n)
	}
	got, err := svc.GetJob(t.Context(), key, job.JobID)
	check(t, "GetJob", err)
	if got.Status != amplify.StatusFailed || got.Error != "injected: no capacity" || envExists(t, s, key) {
		t.Errorf("job with an injected error: %+v; environment exists %v", got, envExists(t, s, key))
	}
	// Other jobs are not affected.
	job, err = svc.CreateBackend(t.Context(), key, "app1")
	check(t, "CreateBackend", err)
	runDue(t, runner)
	if got, _ := svc.GetJob(t.Context(), key, job.JobID); got.Status != amplify.StatusCompleted {
		t.Errorf("a later job: %+v", got)
	}
}

// testFinishJobRace ends a job by hand while a runner takes it up at the same moment, many
// times: exactly one of them ends it, and its effect is applied only if it ended COMPLETED.
func testFinishJobRace(t *testing.T, s amplify.Store) {
	ctx := t.Context()
	svc, runner := newService(s)
	rounds := 40
	if testing.Short() {
		rounds = 10
	}
	byHand, byRunner := 0, 0
	for i := range rounds {
		key := envKey(scope1, fmt.Sprintf("race%d", i), "dev")
		job, err := svc.CreateBackend(ctx, key, "race")
		check(t, "CreateBackend", err)
		status := amplify.StatusCompleted
		if i%2 == 1 {
			status = amplify.StatusFailed
		}
		var wg sync.WaitGroup
		var finishErr, runErr error
		start := make(chan struct{})
		wg.Add(2)
		go func() {
			defer wg.Done()
			<-start
			_, finishErr = svc.FinishJob(context.WithoutCancel(ctx), job.JobID, status, "ended by hand")
		}()
		go func() {
			defer wg.Done()
			<-start
			_, runErr = runner.RunDue(ctx)
		}()
		close(start)
		wg.Wait()
		check(t, "RunDue", runErr)
		got, err := svc.GetJob(ctx, key, job.JobID)
		check(t, "GetJob", err)
		exists := envExists(t, s, key)
		switch amplify.ErrorCode(finishErr) {
		case "": // ended by hand
			byHand++
			if got.Status != status || exists != (status == amplify.StatusCompleted) {
				t.Errorf("round %d: ended by hand as %s, then job %s, environment exists %v", i, status, got.Status, exists)
			}
			if status == amplify.StatusFailed && got.Error != "ended by hand" {
				t.Errorf("round %d: Error %q", i, got.Error)
			}
		case amplify.Conflict: // the runner was first
			byRunner++
			if got.Status != amplify.StatusCompleted || got.Error != "" || !exists {
				t.Errorf("round %d: run by the runner, then job %+v, environment exists %v", i, got, exists)
			}
		default:
			t.Fatalf("round %d: FinishJob: %v", i, finishErr)
		}
		if got.Pending {
			t.Errorf("round %d: the job is still pending", i)
		}
	}
	t.Logf("%d rounds: %d ended by hand, %d by the runner", rounds, byHand, byRunner)

	// The interleavings the race may or may not hit, forced: a runner claims the job, a test
	// ends it, the runner applies its claim (which must change nothing); and the other way.
	for _, status := range []string{amplify.StatusCompleted, amplify.StatusFailed} {
		key := envKey(scope2, "claimed-"+status, "dev")
		job, err := svc.CreateBackend(ctx, key, "x")
		check(t, "CreateBackend", err)
		lease := amplify.Lease{Owner: "runner-a", Until: job.RunAt.Add(3600e9)}
		claimed, err := s.ClaimJobs(ctx, job.RunAt, lease, 10)
		check(t, "ClaimJobs", err)
		if len(claimed) != 1 || claimed[0].JobID != job.JobID {
			t.Fatalf("ClaimJobs: %d jobs", len(claimed))
		}
		ended, err := svc.FinishJob(ctx, job.JobID, status, "by hand")
		check(t, "FinishJob of a claimed job", err)
		for _, err := range svc.RunJobs(ctx, claimed, lease) {
			check(t, "RunJobs after FinishJob", err)
		}
		got, err := svc.GetJob(ctx, key, job.JobID)
		check(t, "GetJob", err)
		if got.Status != ended.Status || got.Error != ended.Error || envExists(t, s, key) != (status == amplify.StatusCompleted) {
			t.Errorf("claimed, ended %s by hand, then run: job %+v, environment exists %v", status, got, envExists(t, s, key))
		}
	}
	key := envKey(scope2, "run-first", "dev")
	job, err := svc.CreateBackend(ctx, key, "x")
	check(t, "CreateBackend", err)
	lease := amplify.Lease{Owner: "runner-b", Until: job.RunAt.Add(3600e9)}
	claimed, err := s.ClaimJobs(ctx, job.RunAt, lease, 10)
	check(t, "ClaimJobs", err)
	for _, err := range svc.RunJobs(ctx, claimed, lease) {
		check(t, "RunJobs", err)
	}
	_, err = svc.FinishJob(ctx, job.JobID, amplify.StatusFailed, "too late")
	wantCode(t, "FinishJob after the runner", err, amplify.Conflict)
}

// testResetDuringRun resets the state while a runner holds a claim on a pending job: the job
// never runs (its completion finds no job and its effect is undone).
func testResetDuringRun(t *testing.T, s amplify.Store) {
	ctx := t.Context()
	svc, _ := newService(s)
	key := envKey(scope1, "app1", "dev")
	job, err := svc.CreateBackend(ctx, key, "app1")
	check(t, "CreateBackend", err)
	lease := amplify.Lease{Owner: "runner", Until: job.RunAt.Add(3600e9)}
	claimed, err := s.ClaimJobs(ctx, job.RunAt, lease, 10)
	check(t, "ClaimJobs", err)
	if len(claimed) != 1 {
		t.Fatalf("ClaimJobs: %d", len(claimed))
	}
	removed, err := svc.Reset(ctx, amplify.StateScope{Account: scope1.Account, Region: scope1.Region, AppID: "app1"})
	check(t, "Reset", err)
	if removed.Jobs != 1 {
		t.Errorf("Reset removed %+v", removed)
	}
	for _, err := range svc.RunJobs(ctx, claimed, lease) {
		check(t, "RunJobs after Reset", err)
	}
	if envExists(t, s, key) {
		t.Error("a job in the scope of a reset ran after it")
	}
	_, err = svc.GetJob(ctx, key, job.JobID)
	wantNotFound(t, "GetJob after Reset", err, amplify.ResourceJob)
}
