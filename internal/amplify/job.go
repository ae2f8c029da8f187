package amplify

import (
	"encoding/json"
	"strconv"
	"time"
)

// Job statuses, as clients see them.
const (
	StatusInProgress = "IN_PROGRESS"
	StatusCompleted  = "COMPLETED"
	StatusFailed     = "FAILED"
)

// JobStatuses returns every status a job can have. The stores rely on it: a listing of
// every status reads one index range per status (internal/sqlite's ListJobs).
func JobStatuses() []string { return []string{StatusInProgress, StatusCompleted, StatusFailed} }

// Job is an asynchronous change, recorded when its request is accepted and applied, whole and
// at once, when it runs.
type Job struct {
	JobKey
	// Env is the environment the job belongs to; "" for a job of the whole app
	// (RemoveAllBackends), which is found under every environment name of its app.
	Env string
	// Operation and Status are what clients see; UpdateBackendJob may change both.
	Operation string
	Status    string
	Error     string
	CreatedAt time.Time
	UpdatedAt time.Time

	// Action is the operation whose effect the job applies; unlike Operation it never changes.
	Action string
	// Payload is what the job needs to apply its effect (the relevant part of the request).
	Payload json.RawMessage
	// Pending is true until the job has run or a client has closed it. At most one job per
	// app and environment is pending (a pending app-wide job blocks every environment); the
	// store enforces that with a constraint.
	Pending bool
	// RunAt is when the job becomes due (CreatedAt plus the configured job duration).
	RunAt time.Time
	// Seq orders jobs by creation; the store assigns it on insert.
	Seq int64
	// InjectedError, when set, is the Error the job ends FAILED with when it runs, changing
	// nothing else: a fault injected by the test control plane (WithJobError).
	InjectedError string
}

// Lease is a worker's claim on a due job. A worker that dies loses it when Until passes.
type Lease struct {
	Owner string
	Until time.Time
}

// JobFilter selects jobs for ListBackendJobs. Empty fields match everything.
type JobFilter struct {
	JobID     string
	Operation string
	Status    string
}

// JobQuery is one page of a job listing: jobs of Env (and the app-wide ones), newest first,
// with Seq below Before (0: from the newest), at most Limit.
type JobQuery struct {
	EnvKey
	JobFilter
	Before int64
	Limit  int
}

// EpochMillis formats t as the real service formats job times: Unix epoch milliseconds as a
// decimal string.
func EpochMillis(t time.Time) string {
	return strconv.FormatInt(t.UnixMilli(), 10)
}

// Heavy reports whether running the job does slow work before its transaction (checking a
// TransformSchema, generating models), work whose time and memory grow with what a client
// sent. Runners run heavy jobs apart from the others, a few at a time and fairly across
// accounts, so that one client's large schema does not hold every other job back. A heavy
// job may run out of the order in which jobs became due: its effect reads and writes only
// its own environment, which no other pending job can touch (one pending job per
// environment, and none of the whole app while it is pending).
func (j *Job) Heavy() bool {
	switch j.Action {
	case OpCreateBackendAPI, OpUpdateBackendAPI, OpGenerateBackendAPIModels:
		return true
	}
	return false
}
