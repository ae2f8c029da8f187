// Package storetest is the one test suite every amplify.Store implementation must pass. It
// runs against a real database (never a mock): each implementation's tests call Run with a
// function that opens a fresh, empty store.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
)

// Reopener is an optional interface of the stores an opener returns. Reopen closes the store
// and opens its database again, as a restarted process (or another replica) would, and
// returns the new handle; the opener's cleanup must close that one too. The suite uses it to
// check that state is durable and that Secret is the same for every handle.
type Reopener interface {
	Reopen(t *testing.T) amplify.Store
}

// Option adjusts a Run.
type Option func(skips map[string]string)

// Without leaves the named case out of a Run, for the reason given (the test log says it).
func Without(name, reason string) Option {
	return func(skips map[string]string) { skips[name] = reason }
}

// Run runs the suite. open returns a new, empty store and closes it when its test ends; it
// is called once per subtest, and the subtests run in parallel.
func Run(t *testing.T, open func(t *testing.T) amplify.Store, opts ...Option) {
	skips := map[string]string{}
	for _, o := range opts {
		o(skips)
	}
	tests := []struct {
		name string
		fn   func(t *testing.T, s amplify.Store)
	}{
		{"Ping", testPing},
		{"Apps", testApps},
		{"Environments", testEnvironments},
		{"AddAndInsert", testAddAndInsert},
		{"Resources", testResources},
		{"Configs", testConfigs},
		{"Tokens", testTokens},
		{"DeleteExpiredTokens", testDeleteExpiredTokens},
		{"DeleteApp", testDeleteApp},
		{"DeleteEnvironment", testDeleteEnvironment},
		{"Scopes", testScopes},
		{"Jobs", testJobs},
		{"UpdateJob", testUpdateJob},
		{"PeekJob", testPeekJob},
		{"PendingRule", testPendingRule},
		{"PendingRuleKeepsTransaction", testPendingRuleKeepsTransaction},
		{"PendingJob", testPendingJob},
		{"ListJobs", testListJobs},
		{"ClaimJob", testClaimJob},
		{"ClaimJobAcrossScopes", testClaimJobAcrossScopes},
		{"ClaimJobsBatch", testClaimJobsBatch},
		{"Leases", testLeases},
		{"NextRunAt", testNextRunAt},
		{"PendingJobs", testPendingJobs},
		{"ConcurrentPendingSameEnv", testConcurrentPendingSameEnv},
		{"ConcurrentPendingMixed", testConcurrentPendingMixed},
		{"ConcurrentClaims", testConcurrentClaims},
		{"Buckets", testBuckets},
		{"BucketPages", testBucketPages},
		{"Secret", testSecret},
		{"ConcurrentSecret", testConcurrentSecret},
		{"UpdateRollback", testUpdateRollback},
		{"UpdateCanceled", testUpdateCanceled},
		{"Savepoint", testSavepoint},
		{"ConcurrentUpdatesSomeFail", testConcurrentUpdatesSomeFail},
		{"View", testView},
		{"ViewSnapshot", testViewSnapshot},
		{"Reopen", testReopen},
		{"StateRoundTrip", testStateRoundTrip},
		{"DeleteStateScoped", testDeleteStateScoped},
		{"Counts", testCounts},
		{"JobByID", testJobByID},
		{"ReleaseJobs", testReleaseJobs},
		{"CheckWrite", testCheckWrite},
		{"FinishJob", testFinishJob},
		{"FinishJobRace", testFinishJobRace},
		{"JobSettings", testJobSettings},
		{"InjectedJobError", testInjectedJobError},
		{"ResetDuringRun", testResetDuringRun},
		{"AppPages", testAppPages},
		{"ScopeList", testScopeList},
		{"RecentJobs", testRecentJobs},
		{"TokenPages", testTokenPages},
		{"NULRefused", testNULRefused},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if reason, ok := skips[tc.name]; ok {
				t.Skip(reason)
			}
			t.Parallel()
			tc.fn(t, open(t))
		})
	}
}

// Scopes that share ids: the suite checks that none of them sees another's state.
var (
	scope1 = amplify.Scope{Account: "111111111111", Region: "us-east-1"}
	scope2 = amplify.Scope{Account: "222222222222", Region: "us-east-1"}
	scope3 = amplify.Scope{Account: "111111111111", Region: "eu-west-1"}
)

// base is the suite's "now"; stores keep millisecond precision, so every time is whole ms.
var base = time.UnixMilli(1_700_000_000_000).UTC()

func at(d time.Duration) time.Time { return base.Add(d) }

func appKey(scope amplify.Scope, app string) amplify.AppKey {
	return amplify.AppKey{Scope: scope, AppID: app}
}

func envKey(scope amplify.Scope, app, env string) amplify.EnvKey {
	return amplify.EnvKey{AppKey: appKey(scope, app), Env: env}
}

func update(t *testing.T, s amplify.Store, fn func(tx amplify.Tx) error) {
	t.Helper()
	if err := s.Update(t.Context(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func view(t *testing.T, s amplify.Store, fn func(tx amplify.Tx) error) {
	t.Helper()
	if err := s.View(t.Context(), fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// wantNotFound fails unless err is a NotFound *amplify.Error naming resourceType.
func wantNotFound(t *testing.T, what string, err error, resourceType string) {
	t.Helper()
	var e *amplify.Error
	if amplify.ErrorCode(err) != amplify.NotFound || !errors.As(err, &e) {
		t.Errorf("%s: got error %v, want %s", what, err, amplify.NotFound)
		return
	}
	if e.ResourceType != resourceType {
		t.Errorf("%s: NotFound resource type %q, want %q", what, e.ResourceType, resourceType)
	}
}

func wantEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

// check fails the test at once on an unexpected error of a store method.
func check(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// newJob returns a job ready to insert; its RunAt is base plus runIn.
func newJob(key amplify.EnvKey, id string, pending bool, runIn time.Duration) *amplify.Job {
	status := amplify.StatusInProgress
	if !pending {
		status = amplify.StatusCompleted
	}
	return &amplify.Job{
		JobKey:    amplify.JobKey{AppKey: key.AppKey, JobID: id},
		Env:       key.Env,
		Operation: amplify.OpCreateBackend,
		Status:    status,
		CreatedAt: base,
		UpdatedAt: base,
		Action:    amplify.OpCreateBackend,
		Payload:   []byte(fmt.Sprintf(`{"job":%q}`, id)),
		Pending:   pending,
		RunAt:     at(runIn),
	}
}

// insertJobs inserts each job in its own committed transaction.
func insertJobs(t *testing.T, s amplify.Store, jobs ...*amplify.Job) {
	t.Helper()
	for _, j := range jobs {
		update(t, s, func(tx amplify.Tx) error { return tx.InsertJob(j) })
	}
}

func getJob(t *testing.T, s amplify.Store, key amplify.JobKey) *amplify.Job {
	t.Helper()
	var job *amplify.Job
	view(t, s, func(tx amplify.Tx) error {
		var err error
		job, err = tx.Job(key)
		return err
	})
	return job
}

func jobIDs(jobs []amplify.Job) []string {
	ids := make([]string, len(jobs))
	for i, j := range jobs {
		ids[i] = j.JobID
	}
	return ids
}

func testPing(t *testing.T, s amplify.Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

// testUpdateCanceled checks that Update refuses a canceled context without committing.
func testUpdateCanceled(t *testing.T, s amplify.Store) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	key := appKey(scope1, "app1")
	err := s.Update(ctx, func(tx amplify.Tx) error {
		return tx.PutApp(&amplify.App{AppKey: key, Name: "n", CreatedAt: base})
	})
	if err == nil {
		t.Fatal("Update with a canceled context: got nil error")
	}
	view(t, s, func(tx amplify.Tx) error {
		_, err := tx.App(key)
		wantNotFound(t, "app written under a canceled context", err, amplify.ResourceApp)
		return nil
	})
}

// testSavepoint checks that a failed savepoint undoes only its own writes, a failed
// statement inside one included (the pending rule), and that the transaction goes on.
func testSavepoint(t *testing.T, s amplify.Store) {
	kept, undone, after := appKey(scope1, "kept"), appKey(scope1, "undone"), appKey(scope1, "after")
	blocker := newJob(envKey(scope1, "kept", "dev"), "job1", true, 0)
	refusal := errors.New("refused")
	err := s.Update(t.Context(), func(tx amplify.Tx) error {
		if err := tx.Savepoint(func() error {
			return errors.Join(tx.PutApp(&amplify.App{AppKey: kept, Name: "n", CreatedAt: base}), tx.InsertJob(blocker))
		}); err != nil {
			return err
		}
		err := tx.Savepoint(func() error {
			if err := tx.PutApp(&amplify.App{AppKey: undone, Name: "n", CreatedAt: base}); err != nil {
				return err
			}
			return refusal
		})
		if !errors.Is(err, refusal) {
			t.Errorf("Savepoint: got %v, want the function's error", err)
		}
		// A statement that fails inside a savepoint (the pending rule) leaves the
		// transaction usable once the savepoint is undone.
		err = tx.Savepoint(func() error {
			return tx.InsertJob(newJob(envKey(scope1, "kept", "dev"), "job2", true, 0))
		})
		if !errors.Is(err, amplify.ErrPendingJob) {
			t.Errorf("Savepoint around a second pending job: got %v, want ErrPendingJob", err)
		}
		return tx.PutApp(&amplify.App{AppKey: after, Name: "n", CreatedAt: base})
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	view(t, s, func(tx amplify.Tx) error {
		for _, key := range []amplify.AppKey{kept, after} {
			if _, err := tx.App(key); err != nil {
				t.Errorf("app %s: %v, want it committed", key.AppID, err)
			}
		}
		_, err := tx.App(undone)
		wantNotFound(t, "app written in a failed savepoint", err, amplify.ResourceApp)
		return nil
	})
}

// testConcurrentUpdatesSomeFail runs Updates at once, every third one failing after it
// wrote (SQLite groups concurrent Updates into shared commits and must then undo exactly the
// failed ones): the others' writes are committed, the failed ones' are not.
func testConcurrentUpdatesSomeFail(t *testing.T, s amplify.Store) {
	const n = 48
	boom := errors.New("boom")
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Update(t.Context(), func(tx amplify.Tx) error {
				if err := tx.PutApp(&amplify.App{AppKey: appKey(scope1, fmt.Sprintf("app%d", i)), Name: "n", CreatedAt: base}); err != nil {
					return err
				}
				if i%3 == 0 {
					return boom
				}
				return nil
			})
		}()
	}
	wg.Wait()
	view(t, s, func(tx amplify.Tx) error {
		for i := range n {
			_, err := tx.App(appKey(scope1, fmt.Sprintf("app%d", i)))
			if i%3 == 0 {
				if !errors.Is(errs[i], boom) {
					t.Errorf("Update %d: got %v, want its function's error", i, errs[i])
				}
				wantNotFound(t, fmt.Sprintf("app of failed Update %d", i), err, amplify.ResourceApp)
			} else if errs[i] != nil || err != nil {
				t.Errorf("Update %d: %v; its app: %v", i, errs[i], err)
			}
		}
		return nil
	})
}
