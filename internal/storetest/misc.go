package storetest

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
)

func testBuckets(t *testing.T, s amplify.Store) {
	const name = "amplifyapp1storage0123abcd-dev"
	view(t, s, func(tx amplify.Tx) error {
		_, err := tx.Bucket(name)
		wantNotFound(t, "Bucket before InsertBucket", err, amplify.ResourceBucket)
		return nil
	})
	b := &amplify.Bucket{Scope: scope1, Name: name, CreatedAt: at(time.Second), Owner: "app1/dev/storage"}
	update(t, s, func(tx amplify.Tx) error { return tx.InsertBucket(b) })
	view(t, s, func(tx amplify.Tx) error {
		got, err := tx.Bucket(name)
		check(t, "Bucket", err)
		wantEqual(t, "Bucket", got, b)
		return nil
	})
	// Names are unique across scopes. The refusal does not spoil the transaction.
	for _, sc := range []amplify.Scope{scope1, scope2, scope3} {
		update(t, s, func(tx amplify.Tx) error {
			err := tx.InsertBucket(&amplify.Bucket{Scope: sc, Name: name, CreatedAt: at(time.Minute), Owner: "other"})
			if !errors.Is(err, amplify.ErrBucketExists) {
				t.Errorf("InsertBucket of a taken name in %+v: got %v, want ErrBucketExists", sc, err)
			}
			return tx.InsertBucket(&amplify.Bucket{Scope: sc, Name: "after-" + sc.Account + "-" + sc.Region, CreatedAt: base})
		})
	}
	view(t, s, func(tx amplify.Tx) error {
		got, err := tx.Bucket(name)
		check(t, "Bucket after refused inserts", err)
		wantEqual(t, "Bucket after refused inserts", got, b)
		_, err = tx.Bucket("after-" + scope2.Account + "-" + scope2.Region)
		check(t, "Bucket inserted after a refused insert", err)
		return nil
	})
	update(t, s, func(tx amplify.Tx) error { return tx.DeleteBucket(name) })
	view(t, s, func(tx amplify.Tx) error {
		_, err := tx.Bucket(name)
		wantNotFound(t, "Bucket after DeleteBucket", err, amplify.ResourceBucket)
		return nil
	})
	update(t, s, func(tx amplify.Tx) error { return tx.DeleteBucket(name) })
	// A deleted name is free for any account.
	moved := &amplify.Bucket{Scope: scope2, Name: name, CreatedAt: at(time.Hour)}
	update(t, s, func(tx amplify.Tx) error { return tx.InsertBucket(moved) })
	view(t, s, func(tx amplify.Tx) error {
		got, err := tx.Bucket(name)
		check(t, "Bucket re-created", err)
		wantEqual(t, "Bucket re-created", got, moved)
		return nil
	})
}

func testBucketPages(t *testing.T, s amplify.Store) {
	// By byte, '-' < '.' < digits < letters; natural-language collations order these otherwise.
	mine := []string{"a-1", "a.1", "a1", "b", "c"}
	others := []string{"a0", "a2", "bb", "0"}
	update(t, s, func(tx amplify.Tx) error {
		for _, n := range []string{"c", "a1", "b", "a.1", "a-1"} {
			check(t, "InsertBucket", tx.InsertBucket(&amplify.Bucket{Scope: scope1, Name: n, CreatedAt: base}))
		}
		for i, n := range others {
			sc := []amplify.Scope{scope2, scope3}[i%2]
			check(t, "InsertBucket", tx.InsertBucket(&amplify.Bucket{Scope: sc, Name: n, CreatedAt: base}))
		}
		return nil
	})
	names := func(after string, limit int) []string {
		t.Helper()
		var out []string
		view(t, s, func(tx amplify.Tx) error {
			bs, err := tx.Buckets(scope1, after, limit)
			check(t, "Buckets", err)
			for _, b := range bs {
				if b.Scope != scope1 {
					t.Errorf("Buckets(scope1) listed %s of %+v", b.Name, b.Scope)
				}
				out = append(out, b.Name)
			}
			return nil
		})
		return out
	}
	wantEqual(t, "all buckets", names("", 100), mine)
	wantEqual(t, "first page", names("", 2), mine[:2])
	wantEqual(t, "second page", names("a.1", 2), mine[2:4])
	wantEqual(t, "last page", names("b", 2), mine[4:])
	if got := names("c", 2); len(got) != 0 {
		t.Errorf("after the last bucket: %v", got)
	}
	// after need not name a bucket of the scope.
	wantEqual(t, "after another scope's bucket", names("a0", 2), []string{"a1", "b"})
}

func secret(t *testing.T, s amplify.Store, name string) []byte {
	t.Helper()
	v, err := s.Secret(t.Context(), name)
	if err != nil {
		t.Fatalf("Secret(%s): %v", name, err)
	}
	return v
}

func testSecret(t *testing.T, s amplify.Store) {
	a := secret(t, s, "cursor")
	if len(a) < 16 {
		t.Errorf("Secret: %d bytes, want at least 16", len(a))
	}
	if b := secret(t, s, "cursor"); !bytes.Equal(a, b) {
		t.Errorf("Secret changed: %x then %x", a, b)
	}
	if c := secret(t, s, "other"); bytes.Equal(a, c) {
		t.Errorf("two secrets are equal: %x", a)
	}
}

// testConcurrentSecret checks that callers racing to create a secret all get the same one.
func testConcurrentSecret(t *testing.T, s amplify.Store) {
	values := make([][]byte, 8)
	errs := race(len(values), func(i int) error {
		var err error
		values[i], err = s.Secret(t.Context(), "fresh")
		return err
	})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Secret %d: %v", i, err)
		}
		if !bytes.Equal(values[i], values[0]) {
			t.Errorf("racing Secret calls got different secrets: %x and %x", values[0], values[i])
		}
	}
}

// testUpdateRollback checks that nothing of a transaction whose fn fails persists, and that
// Update returns fn's error as it was.
func testUpdateRollback(t *testing.T, s amplify.Store) {
	keep := appKey(scope1, "keep")
	update(t, s, func(tx amplify.Tx) error {
		check(t, "PutApp", tx.PutApp(&amplify.App{AppKey: keep, Name: "keep", CreatedAt: base}))
		return tx.PutConfig(newConfig(keep, "keep"))
	})
	app := appKey(scope1, "app1")
	env := amplify.EnvKey{AppKey: app, Env: "dev"}
	job := newJob(env, "job1", true, 0)
	boom := errors.New("boom")
	err := s.Update(t.Context(), func(tx amplify.Tx) error {
		check(t, "PutApp", tx.PutApp(&amplify.App{AppKey: app, Name: "n", CreatedAt: base}))
		check(t, "PutEnvironment", tx.PutEnvironment(newEnv(env, "123456")))
		check(t, "PutResource", tx.PutResource(env, newResource(amplify.KindAuth, "a", false)))
		check(t, "PutConfig", tx.PutConfig(newConfig(app, "m")))
		check(t, "PutToken", tx.PutToken(newToken(app, "s", "c")))
		check(t, "InsertJob", tx.InsertJob(job))
		check(t, "InsertBucket", tx.InsertBucket(&amplify.Bucket{Scope: scope1, Name: "rolled-back", CreatedAt: base}))
		check(t, "DeleteApp", tx.DeleteApp(keep))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update: got %v, want fn's error", err)
	}
	view(t, s, func(tx amplify.Tx) error {
		_, err := tx.App(app)
		wantNotFound(t, "rolled-back App", err, amplify.ResourceApp)
		_, err = tx.Environment(env)
		wantNotFound(t, "rolled-back Environment", err, amplify.ResourceEnvironment)
		_, err = tx.Resource(env, amplify.KindAuth)
		wantNotFound(t, "rolled-back Resource", err, amplify.ResourceAuth)
		_, err = tx.Config(app)
		wantNotFound(t, "rolled-back Config", err, amplify.ResourceConfig)
		_, err = tx.Token(app, "s")
		wantNotFound(t, "rolled-back Token", err, amplify.ResourceToken)
		_, err = tx.Job(job.JobKey)
		wantNotFound(t, "rolled-back Job", err, amplify.ResourceJob)
		_, err = tx.Bucket("rolled-back")
		wantNotFound(t, "rolled-back Bucket", err, amplify.ResourceBucket)
		_, err = tx.App(keep)
		check(t, "App deleted by a rolled-back transaction", err)
		_, err = tx.Config(keep)
		check(t, "Config deleted by a rolled-back transaction", err)
		p, err := tx.PendingJob(env)
		check(t, "PendingJob", err)
		if p != nil {
			t.Errorf("rolled-back pending job still blocks: %+v", p)
		}
		return nil
	})
	// The rolled-back pending job and bucket block nothing.
	update(t, s, func(tx amplify.Tx) error {
		check(t, "InsertJob", tx.InsertJob(newJob(env, "job2", true, 0)))
		return tx.InsertBucket(&amplify.Bucket{Scope: scope2, Name: "rolled-back", CreatedAt: base})
	})
	if next, err := s.NextRunAt(t.Context()); err != nil || !next.Equal(base) {
		t.Errorf("NextRunAt: %v, %v; want %v", next, err, base)
	}

	// A domain error comes back with its code and resource type.
	err = s.Update(t.Context(), func(tx amplify.Tx) error {
		_, err := tx.App(appKey(scope1, "missing"))
		return err
	})
	wantNotFound(t, "Update returning a NotFound", err, amplify.ResourceApp)
}

func testView(t *testing.T, s amplify.Store) {
	key := appKey(scope1, "app1")
	app := &amplify.App{AppKey: key, Name: "n", CreatedAt: base}
	update(t, s, func(tx amplify.Tx) error { return tx.PutApp(app) })
	view(t, s, func(tx amplify.Tx) error {
		got, err := tx.App(key)
		check(t, "App in View after commit", err)
		wantEqual(t, "App in View after commit", got, app)
		return nil
	})
	// View's transaction is read-only.
	other := appKey(scope1, "app2")
	err := s.View(t.Context(), func(tx amplify.Tx) error {
		return tx.PutApp(&amplify.App{AppKey: other, Name: "n", CreatedAt: base})
	})
	if err == nil {
		t.Error("PutApp in View: got nil error")
	}
	view(t, s, func(tx amplify.Tx) error {
		_, err := tx.App(other)
		wantNotFound(t, "App written in View", err, amplify.ResourceApp)
		return nil
	})
	// View returns fn's error.
	boom := errors.New("boom")
	if err := s.View(t.Context(), func(tx amplify.Tx) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("View: got %v, want fn's error", err)
	}
}

// testViewSnapshot checks that a View reads one snapshot: a commit made while it runs does not
// show in it, and shows in the next View.
func testViewSnapshot(t *testing.T, s amplify.Store) {
	key := appKey(scope1, "app1")
	env := amplify.EnvKey{AppKey: key, Env: "dev"}
	update(t, s, func(tx amplify.Tx) error {
		return tx.PutApp(&amplify.App{AppKey: key, Name: "before", CreatedAt: base})
	})
	view(t, s, func(tx amplify.Tx) error {
		got, err := tx.App(key)
		check(t, "App", err)
		if got.Name != "before" {
			t.Fatalf("App name %q, want before", got.Name)
		}
		update(t, s, func(tx amplify.Tx) error {
			check(t, "PutEnvironment", tx.PutEnvironment(newEnv(env, "123456")))
			return tx.PutApp(&amplify.App{AppKey: key, Name: "after", CreatedAt: base})
		})
		got, err = tx.App(key)
		check(t, "App", err)
		if got.Name != "before" {
			t.Errorf("View saw a commit made after it began: name %q", got.Name)
		}
		envs, err := tx.Environments(key)
		check(t, "Environments", err)
		if len(envs) != 0 {
			t.Errorf("View saw an environment committed after it began: %+v", envs)
		}
		return nil
	})
	view(t, s, func(tx amplify.Tx) error {
		got, err := tx.App(key)
		check(t, "App", err)
		if got.Name != "after" {
			t.Errorf("the next View: name %q, want after", got.Name)
		}
		return nil
	})
}

// testReopen checks, when the store can be reopened, that state and secrets outlive the
// handle.
func testReopen(t *testing.T, s amplify.Store) {
	r, ok := s.(Reopener)
	if !ok {
		t.Skip("the opener's stores do not implement storetest.Reopener")
	}
	key := envKey(scope1, "app1", "dev")
	app := &amplify.App{AppKey: key.AppKey, Name: "n", CreatedAt: base}
	job := newJob(key, "job1", true, 0)
	bucket := &amplify.Bucket{Scope: scope1, Name: "durable", CreatedAt: base, Owner: "o"}
	update(t, s, func(tx amplify.Tx) error {
		check(t, "PutApp", tx.PutApp(app))
		check(t, "InsertJob", tx.InsertJob(job))
		return tx.InsertBucket(bucket)
	})
	sec := secret(t, s, "cursor")

	s = r.Reopen(t)
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping after reopening: %v", err)
	}
	view(t, s, func(tx amplify.Tx) error {
		got, err := tx.App(app.AppKey)
		check(t, "App after reopening", err)
		wantEqual(t, "App after reopening", got, app)
		j, err := tx.Job(job.JobKey)
		check(t, "Job after reopening", err)
		wantEqual(t, "Job after reopening", j, job)
		b, err := tx.Bucket(bucket.Name)
		check(t, "Bucket after reopening", err)
		wantEqual(t, "Bucket after reopening", b, bucket)
		return nil
	})
	if got := secret(t, s, "cursor"); !bytes.Equal(got, sec) {
		t.Errorf("Secret after reopening: %x, want %x", got, sec)
	}
	// The rules hold and Seq goes on increasing.
	err := s.Update(t.Context(), func(tx amplify.Tx) error { return tx.InsertJob(newJob(key, "job2", true, 0)) })
	if !errors.Is(err, amplify.ErrPendingJob) {
		t.Errorf("second pending job after reopening: got %v, want ErrPendingJob", err)
	}
	next := newJob(envKey(scope1, "app1", "prod"), "job3", true, 0)
	update(t, s, func(tx amplify.Tx) error { return tx.InsertJob(next) })
	if next.Seq <= job.Seq {
		t.Errorf("Seq after reopening: %d, not after %d", next.Seq, job.Seq)
	}
	// Due jobs are claimable after reopening.
	if got := claim(t, s, base, "w", at(time.Minute)); got == nil {
		t.Error("ClaimJob after reopening: nothing")
	}
}

// testNULRefused: a string holding U+0000 is refused by every write with a BadRequest
// *amplify.Error, and nothing is stored. PostgreSQL cannot store it in text (it answered a
// 500) and SQLite can (it stored it): every store must answer alike.
func testNULRefused(t *testing.T, s amplify.Store) {
	key := envKey(scope1, "app1", "dev")
	update(t, s, func(tx amplify.Tx) error {
		check(t, "PutApp", tx.PutApp(&amplify.App{AppKey: key.AppKey, Name: "app", CreatedAt: at(0)}))
		check(t, "PutEnvironment", tx.PutEnvironment(newEnv(key, "abc")))
		return tx.InsertJob(newJob(key, "job1", true, 0))
	})
	nul := "a\x00b"
	job := func() *amplify.Job { return newJob(key, "job2", false, 0) }
	writes := []struct {
		name  string
		write func(tx amplify.Tx) error
	}{
		{"PutApp name", func(tx amplify.Tx) error {
			return tx.PutApp(&amplify.App{AppKey: appKey(scope1, "app2"), Name: nul, CreatedAt: at(0)})
		}},
		{"PutApp id", func(tx amplify.Tx) error {
			return tx.PutApp(&amplify.App{AppKey: appKey(scope1, nul), Name: "n", CreatedAt: at(0)})
		}},
		{"PutEnvironment", func(tx amplify.Tx) error { return tx.PutEnvironment(newEnv(envKey(scope1, "app1", nul), "abc")) }},
		{"PutResource", func(tx amplify.Tx) error { return tx.PutResource(key, newResource(amplify.KindAuth, nul, false)) }},
		{"PutConfig", func(tx amplify.Tx) error { return tx.PutConfig(newConfig(key.AppKey, nul)) }},
		{"PutToken", func(tx amplify.Tx) error { return tx.PutToken(newToken(key.AppKey, "s1", nul)) }},
		{"InsertBucket", func(tx amplify.Tx) error {
			return tx.InsertBucket(&amplify.Bucket{Scope: scope1, Name: "bucket1", CreatedAt: at(0), Owner: nul})
		}},
		{"InsertJob operation", func(tx amplify.Tx) error { j := job(); j.Operation = nul; return tx.InsertJob(j) }},
		{"InsertJob error", func(tx amplify.Tx) error { j := job(); j.Error = nul; return tx.InsertJob(j) }},
		{"UpdateJob", func(tx amplify.Tx) error {
			j, err := tx.Job(amplify.JobKey{AppKey: key.AppKey, JobID: "job1"})
			if err != nil {
				return err
			}
			j.Error = nul
			return tx.UpdateJob(j, nil)
		}},
	}
	for _, w := range writes {
		err := s.Update(t.Context(), w.write)
		var e *amplify.Error
		if !errors.As(err, &e) || e.Code != amplify.BadRequest || !strings.Contains(e.Message, "U+0000") {
			t.Errorf("%s with a NUL: error %v; want BadRequest naming U+0000", w.name, err)
		}
	}
	// Nothing was stored.
	view(t, s, func(tx amplify.Tx) error {
		if _, err := tx.App(appKey(scope1, "app2")); amplify.ErrorCode(err) != amplify.NotFound {
			t.Errorf("app2: %v; want NotFound", err)
		}
		if r, err := tx.Resource(key, amplify.KindAuth); amplify.ErrorCode(err) != amplify.NotFound {
			t.Errorf("resource: %+v %v; want NotFound", r, err)
		}
		if _, err := tx.Config(key.AppKey); amplify.ErrorCode(err) != amplify.NotFound {
			t.Errorf("config: %v; want NotFound", err)
		}
		if _, err := tx.Token(key.AppKey, "s1"); amplify.ErrorCode(err) != amplify.NotFound {
			t.Errorf("token: %v; want NotFound", err)
		}
		if _, err := tx.Bucket("bucket1"); amplify.ErrorCode(err) != amplify.NotFound {
			t.Errorf("bucket: %v; want NotFound", err)
		}
		if _, err := tx.Job(amplify.JobKey{AppKey: key.AppKey, JobID: "job2"}); amplify.ErrorCode(err) != amplify.NotFound {
			t.Errorf("job2: %v; want NotFound", err)
		}
		j, err := tx.Job(amplify.JobKey{AppKey: key.AppKey, JobID: "job1"})
		check(t, "job1", err)
		if j.Error != "" {
			t.Errorf("job1 error = %q; want it unchanged", j.Error)
		}
		return nil
	})
}
