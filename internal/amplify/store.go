package amplify

import (
	"context"
	"errors"
	"time"
)

// JobPeeker is implemented by a Store that keeps recently read jobs in memory (the SQLite
// store's job cache, coherent because one process owns that database). PeekJob returns the
// job with key when it is in memory, as fresh as a View would read it, with no transaction;
// false sends the caller to View. GetBackendJob, which clients poll, reads through it. The
// job is shared (the cache keeps it, and other requests get the same one): a caller must
// not modify it.
type JobPeeker interface {
	PeekJob(key JobKey) (*Job, bool)
}

// Store keeps all state durably. Implementations must be safe for concurrent use by many
// requests and, where the database allows it, by several server processes: nothing that
// correctness depends on may live only in one process's memory.
type Store interface {
	// Update runs fn in a read-write transaction and returns once its changes are durably
	// committed (or not at all). Update may run fn more than once (after a serialization
	// conflict), so fn must have no effect outside tx. An error from fn rolls back.
	Update(ctx context.Context, fn func(tx Tx) error) error
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(tx Tx) error) error

	// ClaimJobs leases up to limit due jobs (pending, RunAt not after now, no live lease),
	// earliest first, to lease.Owner until lease.Until and returns them; none when no job
	// is due. Concurrent claimers, in any process, never get the same job.
	ClaimJobs(ctx context.Context, now time.Time, lease Lease, limit int) ([]*Job, error)
	// NextRunAt returns the earliest time a pending job can be claimed (its RunAt, or after
	// the lease another worker holds on it expires), or the zero time if none is pending.
	NextRunAt(ctx context.Context) (time.Time, error)
	// PendingJobs counts the pending jobs and returns the earliest RunAt among them (the zero
	// time if none is pending): how long the oldest has been due is what an operator alerts
	// on. It reads an index of the pending jobs, not the whole table.
	PendingJobs(ctx context.Context) (n int, earliest time.Time, err error)

	// DeleteExpiredTokens deletes at most limit challenge tokens that expired at or before
	// now, the earliest first, and returns how many it deleted. Concurrent callers, in any
	// process, do not wait for each other.
	DeleteExpiredTokens(ctx context.Context, now time.Time, limit int) (int, error)

	// Secret returns the named random secret of this deployment, creating it on first use.
	// Every process sharing the store gets the same bytes.
	Secret(ctx context.Context, name string) ([]byte, error)

	// Ping reports whether the store answers.
	Ping(ctx context.Context) error
	// CheckWrite commits a tiny real write and reports whether it could: health answers 503
	// when the store cannot write (disk full, read-only, database gone).
	CheckWrite(ctx context.Context) error
	Close() error
}

// ErrPendingJob is returned by Tx.InsertJob when the job's app and environment already have
// a pending job. The store detects it with a constraint, not a lock in one process.
var ErrPendingJob = errors.New("a pending job exists for this app and environment")

// ErrEnvironmentExists is returned by Tx.InsertEnvironment when the environment exists.
var ErrEnvironmentExists = errors.New("environment exists")

// ErrBucketExists is returned by Tx.InsertBucket when the name is taken in any account.
var ErrBucketExists = errors.New("bucket name taken")

// Tx is one transaction. Methods that look up one thing return a NotFound *Error (with its
// resource type) when it does not exist.
type Tx interface {
	// Savepoint runs fn; when fn returns an error (or panics), what fn wrote is undone, and
	// only that, and the error is returned. The transaction stays usable either way.
	Savepoint(fn func() error) error
	// LockApps makes the rest of the transaction exclusive, for these apps, of every other
	// transaction that locked one of them: it waits until none is in progress and holds the
	// apps until this one ends, so that what it reads of them next no other such
	// transaction changes before it commits. Job submissions and job runs lock their app
	// first: the check of a submission and its insert then see one state, never a job that
	// completed between the two. A store with one writer at a time (SQLite) has nothing to
	// do. Transactions that lock several apps pass them all at once, in any order, so that
	// the store can take them in one order and two such transactions never deadlock.
	LockApps(keys ...AppKey) error

	App(key AppKey) (*App, error)
	// PutApp inserts an app, or renames an existing one (it keeps its creation time).
	PutApp(app *App) error
	// AddApp inserts an app unless one with its key exists, which it leaves as it is.
	AddApp(app *App) error
	// DeleteApp deletes an app with its config and tokens (not its environments or jobs).
	DeleteApp(key AppKey) error

	Environment(key EnvKey) (*Environment, error)
	// Environments returns the app's environments by name.
	Environments(key AppKey) ([]Environment, error)
	PutEnvironment(env *Environment) error
	// InsertEnvironment records a new environment; ErrEnvironmentExists (and nothing
	// written) if it exists.
	InsertEnvironment(env *Environment) error
	// DeleteEnvironment deletes an environment with its resources.
	DeleteEnvironment(key EnvKey) error

	Resource(key EnvKey, kind ResourceKind) (*Resource, error)
	// Resources returns the environment's resources in kind order (api, auth, storage).
	Resources(key EnvKey) ([]Resource, error)
	// PutResource inserts or replaces the environment's resource of r.Kind.
	PutResource(key EnvKey, r *Resource) error
	DeleteResource(key EnvKey, kind ResourceKind) error

	// Job returns a job of the app, whatever its environment.
	Job(key JobKey) (*Job, error)
	// InsertJob records a new job and sets its Seq. Returns ErrPendingJob when the job is
	// pending and its app and environment (or the whole app) already have a pending job.
	InsertJob(job *Job) error
	// UpdateJob writes the job's client-visible fields, Pending and UpdatedAt. With a lease
	// (a runner finishing a job it claimed) it writes only while the job is still pending
	// and lease.Owner holds it (else ErrLeaseLost), and leaves Operation alone: a client may
	// have relabelled the job since the claim.
	UpdateJob(job *Job, lease *Lease) error
	// PendingJob returns the pending job that blocks new jobs of key's environment (a job of
	// that environment or one of the whole app), or nil.
	PendingJob(key EnvKey) (*Job, error)
	// ListJobs lists q.Env's jobs and the app-wide ones, newest first; with q.Env "", the
	// app-wide jobs only.
	ListJobs(q JobQuery) ([]Job, error)

	Config(key AppKey) (*AppConfig, error)
	PutConfig(cfg *AppConfig) error
	DeleteConfig(key AppKey) error

	Token(key AppKey, sessionID string) (*Token, error)
	PutToken(tok *Token) error
	DeleteToken(key AppKey, sessionID string) error

	// Bucket looks a bucket up by its globally unique name, in any account.
	Bucket(name string) (*Bucket, error)
	// InsertBucket records a bucket; ErrBucketExists if the name is taken in any account.
	InsertBucket(b *Bucket) error
	DeleteBucket(name string) error
	// Buckets lists the buckets of a scope by name, those after the given name, at most limit.
	Buckets(scope Scope, after string, limit int) ([]Bucket, error)

	// JobByID returns the job with that id, in any account, region and app. NotFound if
	// there is none.
	JobByID(jobID string) (*Job, error)
	// PendingJobs returns the pending jobs in scope, in creation order.
	PendingJobs(scope StateScope) ([]Job, error)
	// ReleaseJobs sets RunAt to runAt for the pending jobs whose RunAt is held and whose
	// Action is one of actions, and answers how many it changed.
	ReleaseJobs(held time.Time, actions []string, runAt time.Time) (int, error)

	// DeleteState deletes the state in scope: apps, environments, resources, configs,
	// tokens, jobs, and the buckets with an owner in scope (an app scope: the buckets its
	// storage resources created). Buckets with no owner stay. It counts what it deleted.
	DeleteState(scope StateScope) (Removed, error)
	// DumpState returns the state in scope, ordered as State documents.
	DumpState(scope StateScope) (*State, error)
	// LoadState inserts st (into a store from which it is absent); jobs are inserted in
	// the order given and get new Seqs. ErrPendingJob or ErrBucketExists when st breaks
	// those rules.
	LoadState(st *State) error
	// Counts counts accounts (with an app), apps, environments and jobs by status.
	Counts() (*Counts, error)

	// Apps lists the apps of a scope by id, those after the given id, at most limit (the
	// console's pages).
	Apps(scope Scope, after string, limit int) ([]App, error)
	// Scopes lists the accounts and regions that hold at least one app, in order.
	Scopes() ([]Scope, error)
	// RecentJobs returns the newest jobs of a scope, of every app, newest first, at most
	// limit: a page costs the same however many jobs are stored.
	RecentJobs(scope Scope, limit int) ([]Job, error)
	// Tokens lists the app's challenge tokens by session id, those after the given id, at
	// most limit, expired or not (the console's list of an app's tokens).
	Tokens(key AppKey, after string, limit int) ([]Token, error)
}

// ErrLeaseLost is returned by Tx.UpdateJob when another worker took the job over: the
// transaction must not commit.
var ErrLeaseLost = errors.New("job lease lost")
