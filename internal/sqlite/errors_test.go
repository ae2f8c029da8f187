package sqlite

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
)

// TestStoreFailuresAreUnavailable makes SQLite itself refuse writes, as a full disk and a
// read-only database do (SQLITE_FULL through max_page_count, SQLITE_READONLY through
// query_only on the writer's connection), and checks that Update answers Unavailable naming
// the kind of failure and nothing of the file, that reads go on, and that writes work again
// once the condition is gone, with no restart.
func TestStoreFailuresAreUnavailable(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	scope := amplify.Scope{Account: "000000000000", Region: "us-east-1"}
	n := 0
	// putApps writes apps with long names: enough new pages that a full database refuses.
	putApps := func() error {
		return db.Update(ctx, func(tx amplify.Tx) error {
			for range 200 {
				n++
				app := &amplify.App{AppKey: amplify.AppKey{Scope: scope, AppID: fmt.Sprintf("app%05d", n)}, Name: strings.Repeat("n", 200), CreatedAt: time.Now()}
				if err := tx.PutApp(app); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := putApps(); err != nil {
		t.Fatal(err)
	}
	var pages int64
	onWriter(t, db, func(w *wconn) error { return w.queryRow(`PRAGMA page_count`, nil).Scan(&pages) })

	tests := []struct {
		name        string
		fault, heal string
		want        amplify.StoreFailure
	}{
		{"disk full", fmt.Sprintf(`PRAGMA max_page_count = %d`, pages), `PRAGMA max_page_count = 1073741823`, amplify.StoreDiskFull},
		{"read-only", `PRAGMA query_only = 1`, `PRAGMA query_only = 0`, amplify.StoreReadOnly},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			onWriter(t, db, func(w *wconn) error { _, err := w.exec(tt.fault, nil); return err })
			err := putApps()
			var e *amplify.Error
			if !errors.As(err, &e) || e.Code != amplify.Unavailable || e.Failure != tt.want {
				t.Fatalf("Update under the fault: %v; want %s (%s)", err, amplify.Unavailable, tt.want)
			}
			if !strings.Contains(e.Message, string(tt.want)) || strings.Contains(e.Message, dir) || strings.Contains(e.Message, ".db") {
				t.Errorf("message %q: want the kind of failure and no file name", e.Message)
			}
			if e.Err == nil {
				t.Error("no cause kept for the log")
			}
			if err := db.View(ctx, func(tx amplify.Tx) error {
				_, err := tx.App(amplify.AppKey{Scope: scope, AppID: "app00001"})
				return err
			}); err != nil {
				t.Errorf("read under the fault: %v", err)
			}
			onWriter(t, db, func(w *wconn) error { _, err := w.exec(tt.heal, nil); return err })
			if err := putApps(); err != nil {
				t.Errorf("Update after the fault is gone: %v", err)
			}
		})
	}
}

// onWriter runs fn on the writer's connection, outside any transaction.
func onWriter(t *testing.T, db *DB, fn func(*wconn) error) {
	t.Helper()
	var err error
	if cerr := db.onWriterConn(func(w *wconn) { err = fn(w) }); cerr != nil {
		t.Fatal(cerr)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestClassify covers the errors that a live database rarely shows on demand.
func TestClassify(t *testing.T) {
	notFound := amplify.Missing(amplify.ResourceApp, "no app")
	constraint := errors.New("UNIQUE constraint failed: apps.app_id")
	tests := []struct {
		name string
		err  error
		want amplify.StoreFailure // "" when the error must come back unchanged
	}{
		{"no space", &fs.PathError{Op: "write", Path: "/data/amplifybackend.db-wal", Err: syscall.ENOSPC}, amplify.StoreDiskFull},
		{"quota", fmt.Errorf("commit: %w", syscall.EDQUOT), amplify.StoreDiskFull},
		{"read-only file system", &fs.PathError{Op: "open", Path: "/data/x", Err: syscall.EROFS}, amplify.StoreReadOnly},
		{"I/O error", fmt.Errorf("commit: %w", syscall.EIO), amplify.StoreDown},
		{"closed", errClosed, amplify.StoreDown},
		{"deadline", fmt.Errorf("begin: %w", context.DeadlineExceeded), amplify.StoreTimeout},
		{"client gone", context.Canceled, ""},
		{"domain error", notFound, ""},
		{"constraint", constraint, ""},
		{"pending job", amplify.ErrPendingJob, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := classify(tt.err)
			if tt.want == "" {
				if got != tt.err {
					t.Errorf("classify(%v) = %v; want it unchanged", tt.err, got)
				}
				return
			}
			if k := amplify.FailureKind(got); k != tt.want {
				t.Errorf("classify(%v): kind %q; want %q", tt.err, k, tt.want)
			}
			if !errors.Is(got, tt.err) {
				t.Errorf("classify(%v) lost its cause", tt.err)
			}
			if msg := got.(*amplify.Error).Message; strings.Contains(msg, "/data") {
				t.Errorf("message %q names a path", msg)
			}
		})
	}
}
