package sqlite_test

import (
	"sync"
	"testing"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/sqlite"
	"github.com/amplifybackendd/amplifybackendd/internal/storetest"
)

// TestStore runs the shared Store suite on a database in a fresh temporary directory.
func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) amplify.Store {
		return openHandle(t, t.TempDir())
	})
}

// handle is a store that the suite can reopen: it closes the database and opens its
// directory again, as a restarted process does.
type handle struct {
	*sqlite.DB
	dir  string
	once sync.Once
}

func openHandle(t *testing.T, dir string) *handle {
	t.Helper()
	db, err := sqlite.Open(t.Context(), dir)
	if err != nil {
		t.Fatalf("open %s: %v", dir, err)
	}
	h := &handle{DB: db, dir: dir}
	t.Cleanup(func() { h.Close() })
	return h
}

// Close closes the database once, whether the suite or the cleanup asks first.
func (h *handle) Close() error {
	var err error
	h.once.Do(func() { err = h.DB.Close() })
	return err
}

// Reopen implements storetest.Reopener.
func (h *handle) Reopen(t *testing.T) amplify.Store {
	if err := h.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	return openHandle(t, h.dir)
}

// TestMemoryStore runs the shared Store suite on the in-memory store of --ephemeral.
func TestMemoryStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) amplify.Store {
		db, err := sqlite.OpenMemory(t.Context())
		if err != nil {
			t.Fatalf("open in memory: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}, storetest.Without("ViewSnapshot", "an in-memory database has no WAL: a commit waits for the reads in progress, so a View cannot wait for an Update (the case commits inside a View)"))
}

// TestCheckWriteClosed checks that health's write probe fails once the store cannot write.
func TestCheckWriteClosed(t *testing.T) {
	h := openHandle(t, t.TempDir())
	if err := h.CheckWrite(t.Context()); err != nil {
		t.Fatalf("CheckWrite: %v", err)
	}
	h.Close()
	if err := h.CheckWrite(t.Context()); err == nil {
		t.Error("CheckWrite passed on a closed store")
	}
}
