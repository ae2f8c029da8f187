package amplify

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"
)

// The test control plane's domain: reset, snapshots of the state, counts, job settings and
// ending jobs by hand. None of it is part of the AWS API; the HTTP side lives in
// internal/control.

// Conflict is the code of a request that contradicts the state it acts on: ending a job
// that has already ended. The control plane answers it with HTTP 409.
const Conflict = "ConflictException"

// StateScope narrows Reset, ExportState and FinishJobs; an empty field means all. AppID
// narrows within Account and Region, so it is meaningful only with both.
type StateScope struct {
	Account string
	Region  string
	AppID   string
}

// Removed counts what a Reset deleted.
type Removed struct {
	Apps         int
	Environments int
	Jobs         int
	Tokens       int
	Buckets      int
}

// Counts summarizes the state of the store.
type Counts struct {
	Accounts     int
	Apps         int
	Environments int
	// Jobs counts jobs by Status (IN_PROGRESS, COMPLETED, FAILED, or what a client set).
	Jobs map[string]int
}

// State is the state of a store, or of a scope of it, as plain data: what a snapshot holds.
// Apps are ordered by account, region and app id; buckets by name.
type State struct {
	Apps    []AppState
	Buckets []Bucket
}

// AppState is one app with everything that belongs to it.
type AppState struct {
	App
	// Gone is true when the app itself was removed (RemoveAllBackends with
	// CleanAmplifyApp) and only its jobs remain, which clients may still poll.
	Gone         bool
	Config       *AppConfig // nil without an Admin UI config
	Environments []EnvironmentState
	Tokens       []Token // by session id
	// Jobs are in creation order (Seq is not part of the state: a store assigns its own).
	// They are the app's jobs of every environment, including environments and apps that
	// the jobs removed: ImportState recreates jobs whose app is gone too.
	Jobs []Job
}

// EnvironmentState is one environment with its resources.
type EnvironmentState struct {
	Environment
	Resources []Resource // in kind order (api, auth, storage)
}

// Reset deletes the state in scope in one transaction: apps with their environments,
// resources, configs, tokens and jobs (pending jobs in scope never run), and the buckets
// storage resources in scope created. Buckets with no owner (--s3-buckets, configuration)
// stay. It answers what it removed.
func (s *Service) Reset(ctx context.Context, scope StateScope) (Removed, error) {
	if err := checkStateScope(scope); err != nil {
		return Removed{}, err
	}
	var removed Removed
	err := s.Store.Update(ctx, func(tx Tx) error {
		var err error
		removed, err = tx.DeleteState(scope)
		return err
	})
	return removed, err
}

// ExportState returns the state in scope, read in one transaction (consistent at one
// instant).
func (s *Service) ExportState(ctx context.Context, scope StateScope) (*State, error) {
	if err := checkStateScope(scope); err != nil {
		return nil, err
	}
	var st *State
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		st, err = tx.DumpState(scope)
		return err
	})
	return st, err
}

// ImportState replaces all state with st, atomically: everything is deleted (buckets with no
// owner, which are configuration, stay unless st names them) and st is loaded, in one
// transaction. Pending jobs of st become due at their recorded RunAt (a held one stays held
// until job settings release it or a test ends it). BadRequest when st breaks a rule of the store (two pending jobs of one
// environment, a bucket name twice).
func (s *Service) ImportState(ctx context.Context, st *State) error {
	if st == nil {
		return Errorf(BadRequest, "no state to import")
	}
	var runAt time.Time
	err := s.Store.Update(ctx, func(tx Tx) error {
		if _, err := tx.DeleteState(StateScope{}); err != nil {
			return err
		}
		for _, b := range st.Buckets {
			// A configured bucket of the same name gives way to the snapshot's.
			if err := tx.DeleteBucket(b.Name); err != nil {
				return err
			}
		}
		err := tx.LoadState(st)
		switch {
		case errors.Is(err, ErrPendingJob):
			return Errorf(BadRequest, "the state has two pending jobs for one app and environment")
		case errors.Is(err, ErrBucketExists):
			return Errorf(BadRequest, "the state names a bucket twice")
		}
		return err
	})
	if err != nil {
		return err
	}
	for _, a := range st.Apps {
		for _, j := range a.Jobs {
			if j.Pending && (runAt.IsZero() || j.RunAt.Before(runAt)) {
				runAt = j.RunAt
			}
		}
	}
	if !runAt.IsZero() && s.JobAdded != nil {
		s.JobAdded(runAt)
	}
	return nil
}

// Counts counts accounts, apps, environments and jobs by status.
func (s *Service) Counts(ctx context.Context) (*Counts, error) {
	var c *Counts
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		c, err = tx.Counts()
		return err
	})
	return c, err
}

func checkStateScope(scope StateScope) error {
	if scope.AppID != "" && (scope.Account == "" || scope.Region == "") {
		return Errorf(BadRequest, "an appId scope needs accountId and region too")
	}
	for _, p := range [][2]string{{"accountId", scope.Account}, {"region", scope.Region}, {"appId", scope.AppID}} {
		if p[1] == "" {
			continue
		}
		if err := CheckName(p[0], p[1]); err != nil {
			return err
		}
	}
	return nil
}

// JobMode says when a submitted job becomes due.
type JobMode string

// The job modes.
const (
	// JobsImmediate: a job is due at once (runs as soon as a worker takes it).
	JobsImmediate JobMode = "immediate"
	// JobsTimed: a job stays IN_PROGRESS for the duration, then is due.
	JobsTimed JobMode = "timed"
	// JobsManual: a job is held IN_PROGRESS until a test ends it (FinishJob) or the settings
	// stop holding its operation.
	JobsManual JobMode = "manual"
)

// HeldRunAt is the RunAt of a job held by manual mode: never due. It is recorded in the
// store, so a held job stays held across a restart until the settings release it.
var HeldRunAt = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// JobSettings say when jobs become due: Mode and Duration for every operation, unless
// Operations has an entry for the job's operation (the action it applies).
type JobSettings struct {
	Mode     JobMode
	Duration time.Duration // timed mode only
	// Operations overrides the default per job operation (e.g. "CreateBackendAuth").
	Operations map[string]OperationJobSettings
}

// OperationJobSettings is the mode of one operation's jobs.
type OperationJobSettings struct {
	Mode     JobMode
	Duration time.Duration // timed mode only
}

// JobOperations lists the operations that run as jobs, sorted.
func JobOperations() []string {
	ops := []string{
		OpCloneBackend, OpCreateBackend, OpCreateBackendAPI, OpCreateBackendAuth,
		OpCreateBackendConfig, OpCreateBackendStorage, OpDeleteBackend, OpDeleteBackendAPI,
		OpDeleteBackendAuth, OpDeleteBackendStorage, OpGenerateBackendAPIModels,
		OpImportBackendAuth, OpImportBackendStorage, OpRemoveAllBackends, OpUpdateBackendAPI,
		OpUpdateBackendAuth, OpUpdateBackendStorage,
	}
	sort.Strings(ops)
	return ops
}

// JobSettings returns the current job settings (a copy). Before any SetJobSettings they are
// immediate, or timed with JobDuration when it is positive.
func (s *Service) JobSettings() JobSettings {
	s.settingsMu.RLock()
	defer s.settingsMu.RUnlock()
	return s.jobSettingsLocked().clone()
}

func (s *Service) jobSettingsLocked() JobSettings {
	if s.settings != nil {
		return *s.settings
	}
	if s.JobDuration > 0 {
		return JobSettings{Mode: JobsTimed, Duration: s.JobDuration}
	}
	return JobSettings{Mode: JobsImmediate}
}

func (js JobSettings) clone() JobSettings {
	c := js
	if js.Operations != nil {
		c.Operations = make(map[string]OperationJobSettings, len(js.Operations))
		for k, v := range js.Operations {
			c.Operations[k] = v
		}
	}
	return c
}

// modeOf returns the mode and duration that apply to jobs of action.
func (js JobSettings) modeOf(action string) (JobMode, time.Duration) {
	if o, ok := js.Operations[action]; ok {
		return o.Mode, o.Duration
	}
	return js.Mode, js.Duration
}

// runAt returns when a job of action submitted at now becomes due.
func (js JobSettings) runAt(action string, now time.Time) time.Time {
	mode, d := js.modeOf(action)
	switch mode {
	case JobsManual:
		return HeldRunAt
	case JobsTimed:
		return now.Add(d)
	}
	return now
}

func checkMode(member string, mode JobMode, d time.Duration) error {
	switch mode {
	case JobsImmediate, JobsTimed, JobsManual:
	default:
		return Errorf(BadRequest, "%s: unknown job mode %q (immediate, timed or manual)", member, sanitize(string(mode)))
	}
	if d < 0 {
		return Errorf(BadRequest, "%s: duration must not be negative", member)
	}
	return nil
}

// SetJobSettings replaces the job settings as a whole. They live in this process (each
// replica has its own) and apply to jobs submitted afterwards; in addition, held jobs
// (manual mode) of operations that the new settings no longer hold are released: they
// become due now (immediate) or after the duration (timed), counted from now. BadRequest
// for an unknown operation or mode or a negative duration.
func (s *Service) SetJobSettings(ctx context.Context, js JobSettings) error {
	if err := checkMode("mode", js.Mode, js.Duration); err != nil {
		return err
	}
	known := map[string]bool{}
	for _, op := range JobOperations() {
		known[op] = true
	}
	for op, o := range js.Operations {
		if !known[op] {
			return Errorf(BadRequest, "operations: %q is not an operation that runs as a job", sanitize(op))
		}
		if err := checkMode("operations."+op+".mode", o.Mode, o.Duration); err != nil {
			return err
		}
	}
	js = js.clone()
	s.settingsMu.Lock()
	defer s.settingsMu.Unlock()
	s.settings = &js
	// Release what the new settings no longer hold, grouped by the RunAt it gets.
	release := map[time.Duration][]string{}
	immediate := []string{}
	for _, op := range JobOperations() {
		switch mode, d := js.modeOf(op); mode {
		case JobsManual:
		case JobsTimed:
			release[d] = append(release[d], op)
		default:
			immediate = append(immediate, op)
		}
	}
	if len(immediate) > 0 {
		release[-1] = immediate
	}
	var earliest time.Time
	err := s.Store.Update(ctx, func(tx Tx) error {
		now := s.now()
		earliest = time.Time{}
		for d, ops := range release {
			at := now
			if d > 0 {
				at = now.Add(d)
			}
			n, err := tx.ReleaseJobs(HeldRunAt, ops, at)
			if err != nil {
				return err
			}
			if n > 0 && (earliest.IsZero() || at.Before(earliest)) {
				earliest = at
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("release held jobs: %w", err)
	}
	if !earliest.IsZero() && s.JobAdded != nil {
		s.JobAdded(earliest)
	}
	return nil
}

// jobErrorKey carries an injected job error in a context.
type jobErrorKey struct{}

// WithJobError returns a context under which a submitted job is recorded to end FAILED with
// msg when it runs, changing nothing else (the control plane's "jobError" fault). The error
// is stored with the job, so it survives a restart.
func WithJobError(ctx context.Context, msg string) context.Context {
	return context.WithValue(ctx, jobErrorKey{}, msg)
}

func jobErrorFrom(ctx context.Context) string {
	msg, _ := ctx.Value(jobErrorKey{}).(string)
	return msg
}

// FinishJob ends a pending job now, in any account, region and app. COMPLETED applies its
// effect as the runner does (the same preparation and effect, re-checking preconditions: a
// refusal ends it FAILED with the reason); FAILED changes nothing but the job, whose Error is
// errText. An error injected with WithJobError does not apply: the caller chose the outcome.
// NotFound (resource type job) for an unknown job; Conflict for one that has already ended.
// A job is never ended twice, also when a runner takes it up at the same moment.
func (s *Service) FinishJob(ctx context.Context, jobID, status, errText string) (*Job, error) {
	if err := checkFinish(status); err != nil {
		return nil, err
	}
	if err := CheckName("jobId", jobID); err != nil {
		return nil, err
	}
	var job *Job
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		job, err = tx.JobByID(jobID)
		return err
	})
	if err != nil {
		return nil, noJobByID(jobID, err)
	}
	if !job.Pending {
		return nil, jobEnded(job)
	}
	var work *prepared
	if status == StatusCompleted {
		work = s.prepare(ctx, job)
	}
	var ended *Job
	err = s.Store.Update(ctx, func(tx Tx) error {
		// The app's lock first, as a submission and the runner take it: what the effect
		// checks stays as it saw it until the commit (PostgreSQL; SQLite has one writer).
		if err := tx.LockApps(job.AppKey); err != nil {
			return err
		}
		current, err := tx.JobByID(jobID)
		if err != nil {
			return noJobByID(jobID, err)
		}
		if !current.Pending {
			return jobEnded(current)
		}
		ended, err = s.finishJob(tx, current, status, errText, work)
		return err
	})
	if err != nil {
		return nil, err
	}
	return ended, nil
}

// FinishJobs ends every pending job in scope as FinishJob does, in creation order and one
// transaction, and answers how many it ended.
func (s *Service) FinishJobs(ctx context.Context, scope StateScope, status, errText string) (int, error) {
	if err := checkFinish(status); err != nil {
		return 0, err
	}
	if err := checkStateScope(scope); err != nil {
		return 0, err
	}
	var pending []Job
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		pending, err = tx.PendingJobs(scope)
		return err
	})
	if err != nil {
		return 0, err
	}
	work := make([]*prepared, len(pending))
	if status == StatusCompleted {
		for i := range pending {
			work[i] = s.prepare(ctx, &pending[i])
		}
	}
	var n int
	err = s.Store.Update(ctx, func(tx Tx) error {
		n = 0
		apps := make([]AppKey, len(pending))
		for i := range pending {
			apps[i] = pending[i].AppKey
		}
		if err := tx.LockApps(apps...); err != nil {
			return err
		}
		for i := range pending {
			current, err := tx.JobByID(pending[i].JobID)
			if ErrorCode(err) == NotFound {
				continue // reset meanwhile
			}
			if err != nil {
				return err
			}
			if !current.Pending {
				continue // ended meanwhile
			}
			if _, err := s.finishJob(tx, current, status, errText, work[i]); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// finishJob ends job (read in tx, pending) as status: COMPLETED applies its effect in a
// savepoint (a refusal ends it FAILED with the reason); FAILED records errText.
func (s *Service) finishJob(tx Tx, job *Job, status, errText string, work *prepared) (*Job, error) {
	if status == StatusCompleted {
		run := *job
		run.InjectedError = "" // the caller chose the outcome
		var done *Job
		err := tx.Savepoint(func() error {
			var err error
			done, err = s.completeJob(tx, &run, work, nil)
			return err
		})
		var refusal *Error
		switch {
		case err == nil:
			done.InjectedError = job.InjectedError
			return done, nil
		case !errors.As(err, &refusal) || refusal.Code == Internal:
			return nil, err
		}
		errText = refusal.Message
	}
	failed := *job
	failed.Status, failed.Pending, failed.UpdatedAt, failed.Error = StatusFailed, false, s.now(), errText
	if err := tx.UpdateJob(&failed, nil); err != nil {
		return nil, err
	}
	return &failed, nil
}

func checkFinish(status string) error {
	if status != StatusCompleted && status != StatusFailed {
		return Errorf(BadRequest, "status must be %s or %s, not %q", StatusCompleted, StatusFailed, sanitize(status))
	}
	return nil
}

func noJobByID(jobID string, err error) error {
	if ErrorCode(err) == NotFound {
		return Missing(ResourceJob, "No job found with jobId: %s", jobID)
	}
	return err
}

func jobEnded(job *Job) error {
	return Errorf(Conflict, "job %s has already ended (%s)", job.JobID, job.Status)
}

// StateRows are the rows of a dump as a store reads them, table by table; BuildState
// assembles them into a State. Jobs must be in creation order.
type StateRows struct {
	Apps         []App
	Environments []Environment
	Resources    []EnvResource
	Configs      []AppConfig
	Tokens       []Token
	Jobs         []Job
	Buckets      []Bucket
}

// EnvResource is a resource with the environment it belongs to.
type EnvResource struct {
	EnvKey
	Resource
}

// BuildState assembles a store's rows into a State: apps by account, region and id (an app
// that only jobs remember is Gone), environments by name, resources by kind, tokens by
// session id, jobs in the order given, buckets by name.
func BuildState(rows StateRows) (*State, error) {
	index := map[AppKey]*AppState{}
	get := func(key AppKey) *AppState {
		a, ok := index[key]
		if !ok {
			a = &AppState{App: App{AppKey: key}, Gone: true}
			index[key] = a
		}
		return a
	}
	for _, app := range rows.Apps {
		a := get(app.AppKey)
		a.App, a.Gone = app, false
	}
	envs := map[EnvKey]*EnvironmentState{}
	sort.Slice(rows.Environments, func(i, j int) bool { return envLess(rows.Environments[i].EnvKey, rows.Environments[j].EnvKey) })
	for _, e := range rows.Environments {
		envs[e.EnvKey] = &EnvironmentState{Environment: e}
	}
	sort.SliceStable(rows.Resources, func(i, j int) bool { return rows.Resources[i].Kind < rows.Resources[j].Kind })
	for _, r := range rows.Resources {
		e, ok := envs[r.EnvKey]
		if !ok {
			return nil, fmt.Errorf("dump: a %s resource of app %s without its environment %s", r.Kind, r.AppID, r.Env)
		}
		e.Resources = append(e.Resources, r.Resource)
	}
	for _, e := range rows.Environments {
		a := get(e.AppKey)
		a.Environments = append(a.Environments, *envs[e.EnvKey])
	}
	for i := range rows.Configs {
		get(rows.Configs[i].AppKey).Config = &rows.Configs[i]
	}
	sort.Slice(rows.Tokens, func(i, j int) bool { return rows.Tokens[i].SessionID < rows.Tokens[j].SessionID })
	for _, t := range rows.Tokens {
		a := get(t.AppKey)
		a.Tokens = append(a.Tokens, t)
	}
	for _, j := range rows.Jobs {
		a := get(j.AppKey)
		a.Jobs = append(a.Jobs, j)
	}
	st := &State{Buckets: rows.Buckets}
	for _, a := range index {
		st.Apps = append(st.Apps, *a)
	}
	sort.Slice(st.Apps, func(i, j int) bool { return appLess(st.Apps[i].AppKey, st.Apps[j].AppKey) })
	sort.Slice(st.Buckets, func(i, j int) bool { return st.Buckets[i].Name < st.Buckets[j].Name })
	return st, nil
}

func appLess(a, b AppKey) bool {
	if a.Account != b.Account {
		return a.Account < b.Account
	}
	if a.Region != b.Region {
		return a.Region < b.Region
	}
	return a.AppID < b.AppID
}

func envLess(a, b EnvKey) bool {
	if a.AppKey != b.AppKey {
		return appLess(a.AppKey, b.AppKey)
	}
	return a.Env < b.Env
}

// LoadState inserts st through tx's ordinary writes (for stores with no faster way): apps,
// environments, resources, configs, tokens, jobs in the order given, buckets.
func LoadState(tx Tx, st *State) error {
	for i := range st.Apps {
		a := &st.Apps[i]
		if !a.Gone {
			if err := tx.PutApp(&a.App); err != nil {
				return err
			}
		}
		for j := range a.Environments {
			e := &a.Environments[j]
			e.AppKey = a.AppKey
			if err := tx.PutEnvironment(&e.Environment); err != nil {
				return err
			}
			for k := range e.Resources {
				if err := tx.PutResource(e.EnvKey, &e.Resources[k]); err != nil {
					return err
				}
			}
		}
		if a.Config != nil {
			a.Config.AppKey = a.AppKey
			if err := tx.PutConfig(a.Config); err != nil {
				return err
			}
		}
		for j := range a.Tokens {
			a.Tokens[j].AppKey = a.AppKey
			if err := tx.PutToken(&a.Tokens[j]); err != nil {
				return err
			}
		}
		for _, job := range a.Jobs {
			// A copy: the store sets Seq, and st stays as given.
			job.AppKey = a.AppKey
			if err := tx.InsertJob(&job); err != nil {
				return err
			}
		}
	}
	for i := range st.Buckets {
		if err := tx.InsertBucket(&st.Buckets[i]); err != nil {
			return err
		}
	}
	return nil
}
