package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
)

// errNotYet marks the control-plane primitives whose implementation follows in the next
// commits; the domain API is committed first so that the HTTP side can build on it.
var errNotYet = errors.New("postgres: control-plane primitive not implemented yet")

// CheckWrite commits a tiny write.
func (db *DB) CheckWrite(ctx context.Context) error { return errNotYet }

func (t *txn) JobByID(jobID string) (*amplify.Job, error)                  { return nil, errNotYet }
func (t *txn) PendingJobs(scope amplify.StateScope) ([]amplify.Job, error) { return nil, errNotYet }
func (t *txn) ReleaseJobs(held time.Time, actions []string, runAt time.Time) (int, error) {
	return 0, errNotYet
}
func (t *txn) DeleteState(scope amplify.StateScope) (amplify.Removed, error) {
	return amplify.Removed{}, errNotYet
}
func (t *txn) DumpState(scope amplify.StateScope) (*amplify.State, error) { return nil, errNotYet }
func (t *txn) LoadState(st *amplify.State) error                          { return errNotYet }
func (t *txn) Counts() (*amplify.Counts, error)                           { return nil, errNotYet }
