package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/postgres"
	"github.com/amplifybackendd/amplifybackendd/internal/snapshot"
	"github.com/amplifybackendd/amplifybackendd/internal/sqlite"
	"github.com/amplifybackendd/amplifybackendd/internal/wireconfig"
)

// UsageError is a mistake in what the command line asked for (a bad flag value, a snapshot
// file that does not load): the process exits with status 2, as for a bad flag.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// ExitCode is the exit status for an error of ParseFlags, Run or RunCommand: 0 for none, 2
// for a usage error, 1 for anything else.
func ExitCode(err error) int {
	var usage *UsageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &usage):
		return 2
	}
	return 1
}

// readSnapshot reads and decodes a snapshot file; what goes wrong is a UsageError naming
// the flag (or argument) and the file.
func readSnapshot(path, what string) (*amplify.State, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &UsageError{fmt.Errorf("%s: %w", what, err)}
	}
	st, err := snapshot.Decode(data)
	if err != nil {
		var e *amplify.Error
		if errors.As(err, &e) {
			err = errors.New(e.Message)
		}
		return nil, &UsageError{fmt.Errorf("%s %s: %w", what, path, err)}
	}
	return st, nil
}

// storeEmpty reports whether the store holds no apps and no jobs (buckets given by
// --s3-buckets are configuration, not state).
func storeEmpty(ctx context.Context, svc *amplify.Service) (bool, *amplify.Counts, error) {
	c, err := svc.Counts(ctx)
	if err != nil {
		return false, nil, err
	}
	jobs := 0
	for _, n := range c.Jobs {
		jobs += n
	}
	return c.Apps == 0 && jobs == 0, c, nil
}

// loadSeed loads --seed into an empty store; a store with state is left as it is.
func (m *Main) loadSeed(ctx context.Context, st *amplify.State) error {
	empty, c, err := storeEmpty(ctx, m.Service)
	if err != nil {
		return fmt.Errorf("--seed: %w", err)
	}
	if !empty {
		m.Logger.Info("--seed not loaded: the store already holds state", "file", m.Config.Seed, "apps", c.Apps)
		return nil
	}
	if err := m.Service.ImportState(ctx, st); err != nil {
		var e *amplify.Error
		if errors.As(err, &e) && e.Code == amplify.BadRequest {
			return &UsageError{fmt.Errorf("--seed %s: %s", m.Config.Seed, e.Message)}
		}
		return fmt.Errorf("--seed %s: %w", m.Config.Seed, err)
	}
	m.Logger.Info("--seed loaded", "file", m.Config.Seed, "apps", len(st.Apps), "buckets", len(st.Buckets))
	return nil
}

// RunCommand runs the offline subcommand of Command (export or import) on --data-dir or
// --store; stdout receives an export without -o.
func (m *Main) RunCommand(ctx context.Context, stdout io.Writer) error {
	if m.Logger == nil {
		m.Logger = m.logger()
	}
	if m.Config.Ephemeral {
		return &UsageError{fmt.Errorf("%s works on --data-dir or --store, not on --ephemeral state", m.Command)}
	}
	switch m.Command {
	case "export":
		return m.export(ctx, stdout)
	case "import":
		return m.importState(ctx)
	}
	return &UsageError{fmt.Errorf("unknown command %q", m.Command)}
}

// openOffline opens the store for a subcommand. SQLite takes the directory lock (refused
// while a server runs on it); PostgreSQL takes the server lock exclusively for an import.
func (m *Main) openOffline(ctx context.Context, exclusive bool) (amplify.Store, error) {
	if m.Config.Store != "" {
		db, err := postgres.Open(ctx, m.Config.Store)
		if err != nil {
			return nil, err
		}
		if exclusive {
			if err := db.LockExclusive(ctx); err != nil {
				db.Close()
				return nil, err
			}
		}
		return db, nil
	}
	// An export of a directory that does not exist is a mistake, not an empty store.
	if _, err := os.Stat(filepath.Join(m.Config.DataDir, "amplifybackend.db")); err != nil && m.Command == "export" {
		return nil, &UsageError{fmt.Errorf("--data-dir %s holds no amplifybackendd database", m.Config.DataDir)}
	}
	return sqlite.Open(ctx, m.Config.DataDir)
}

func (m *Main) export(ctx context.Context, stdout io.Writer) error {
	store, err := m.openOffline(ctx, false)
	if err != nil {
		return err
	}
	defer store.Close()
	svc := &amplify.Service{Configs: wireconfig.Configs{}, Store: store, Now: m.Now}
	st, err := svc.ExportState(ctx, amplify.StateScope{})
	if err != nil {
		return err
	}
	now := time.Now()
	if m.Now != nil {
		now = m.Now()
	}
	doc, err := snapshot.Encode(st, now)
	if err != nil {
		return err
	}
	if m.Output == "" {
		_, err = stdout.Write(doc)
		return err
	}
	// Written beside the target and renamed, so that a failed export leaves no half file.
	tmp, err := os.CreateTemp(filepath.Dir(m.Output), ".amplifybackendd-export-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(doc); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), m.Output)
}

func (m *Main) importState(ctx context.Context) error {
	st, err := readSnapshot(m.Input, "import")
	if err != nil {
		return err
	}
	store, err := m.openOffline(ctx, true)
	if err != nil {
		return err
	}
	defer store.Close()
	svc := &amplify.Service{Configs: wireconfig.Configs{}, Store: store, Now: m.Now}
	if !m.Replace {
		empty, c, err := storeEmpty(ctx, svc)
		if err != nil {
			return err
		}
		if !empty {
			return &UsageError{fmt.Errorf("the store is not empty (%d apps); import --replace replaces its state", c.Apps)}
		}
	}
	if err := svc.ImportState(ctx, st); err != nil {
		var e *amplify.Error
		if errors.As(err, &e) && e.Code == amplify.BadRequest {
			return &UsageError{fmt.Errorf("import %s: %s", m.Input, e.Message)}
		}
		return fmt.Errorf("import %s: %w", m.Input, err)
	}
	m.Logger.Info("imported", "file", m.Input, "apps", len(st.Apps), "buckets", len(st.Buckets), "store", m.StoreName())
	return nil
}
