package amplify

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Service holds the behaviour of every operation. It is safe for concurrent use; its fields
// are set once, before first use.
type Service struct {
	Store Store
	// Configs reads and writes the wire JSON of resource configurations (required).
	Configs Configs
	// Now is the clock (time.Now when nil). Every transaction reads it once.
	Now func() time.Time
	// Rand is the source of ids and challenge codes (crypto/rand when nil).
	Rand io.Reader
	// JobDuration is how long a job stays IN_PROGRESS before it is due to run, until
	// SetJobSettings says otherwise (JobSettings: timed mode when positive).
	JobDuration time.Duration
	// TokenTTL is the lifetime of challenge tokens (10 minutes when zero).
	TokenTTL time.Duration
	// JobAdded, when set, is called after a job has been committed or made due (to wake the
	// runner), with the earliest time one can run.
	JobAdded func(runAt time.Time)
	// JobCreated, when set, is called after a job-creating request's job has been committed
	// (to count it); it must not change the job.
	JobCreated func(job *Job)
	// CheckSchema validates a GraphQL TransformSchema when an API job runs. It returns
	// ctx's error, and nothing else, when ctx ends first.
	CheckSchema func(ctx context.Context, schema string) error
	// GenerateModels turns a TransformSchema into DataStore models. It returns ctx's error,
	// and nothing else, when ctx ends first.
	GenerateModels func(ctx context.Context, schema string) (*GeneratedModels, error)

	cursorOnce sync.Once
	cursorKey  []byte
	cursorErr  error

	// peeker is Store as a JobPeeker (nil if it is not one), found once: an interface
	// assertion on every GetBackendJob cost a lookup in the runtime's table.
	peekerOnce sync.Once
	peeker     JobPeeker

	// settings are the job settings SetJobSettings gave (nil: derived from JobDuration).
	settingsMu sync.RWMutex
	settings   *JobSettings

	effectsOnce sync.Once
	effectMap   map[string]effect
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) rand() io.Reader {
	if s.Rand != nil {
		return s.Rand
	}
	return rand.Reader
}

// newID returns a random (version 4) UUID.
func (s *Service) newID() string {
	id, err := uuid.NewRandomFromReader(s.rand())
	if err != nil {
		// crypto/rand does not fail on supported platforms; an injected reader that runs dry
		// is a programming error in a test.
		panic(fmt.Sprintf("amplify: random source failed: %v", err))
	}
	return id.String()
}

// randomString returns n characters drawn uniformly from alphabet.
func (s *Service) randomString(alphabet string, n int) string {
	buf := make([]byte, n)
	out := make([]byte, n)
	// Rejection sampling keeps the distribution uniform for any alphabet size.
	limit := 256 - 256%len(alphabet)
	for i := 0; i < n; {
		if _, err := io.ReadFull(s.rand(), buf); err != nil {
			panic(fmt.Sprintf("amplify: random source failed: %v", err))
		}
		for _, b := range buf {
			if int(b) < limit && i < n {
				out[i] = alphabet[int(b)%len(alphabet)]
				i++
			}
		}
	}
	return string(out)
}

// MaxNameLength bounds every name and id a client gives.
const MaxNameLength = 255

// CheckName validates a name or id given in member: non-empty, at most 255 bytes, valid
// UTF-8, no '/' and no control characters.
func CheckName(member, value string) error {
	problem := ""
	switch {
	case value == "":
		problem = "Member must not be empty"
	case len(value) > MaxNameLength:
		problem = fmt.Sprintf("Member must have length less than or equal to %d", MaxNameLength)
	case plainName(value) && value != "." && value != "..":
		// Nearly every name: printable ASCII without '/', which passes every check below,
		// found in one pass over the bytes rather than UTF-8 validation and then a
		// unicode.IsControl per rune.
	case !utf8.ValidString(value):
		problem = "Member must be valid UTF-8"
	case value == "." || value == "..":
		// Path segments a client or signer may normalize away: a signature made for one path
		// must not verify for another.
		problem = "Member must not be '.' or '..'"
	default:
		for _, r := range value {
			if r == '/' || unicode.IsControl(r) {
				problem = "Member must not contain '/' or control characters"
				break
			}
		}
	}
	if problem == "" {
		return nil
	}
	shown := value
	if len(shown) > 64 {
		shown = shown[:64] + "..."
	}
	return Errorf(BadRequest, "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s",
		sanitize(shown), member, problem)
}

// plainName reports whether every byte of s is printable ASCII (0x20 to 0x7e) other than '/'.
func plainName(s string) bool {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	i := 0
	for ; i+8 <= len(s); i += 8 {
		// Eight bytes at a time. With every byte under 0x80, (x - n*ones) & ^x & highs is
		// non-zero exactly when a byte of x is under n: here under 0x20, or '/' (zero after
		// the XOR); w + ones sets the high bit of a 0x7f byte.
		w := s[i : i+8]
		x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
		slash := x ^ (0x2F * ones)
		if x&highs != 0 || (x+ones)&highs != 0 || (x-0x20*ones)&^x&highs != 0 || (slash-ones)&^slash&highs != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '/' {
			return false
		}
	}
	return true
}

// sanitize makes a client-given value safe to echo in a message.
func sanitize(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if unicode.IsControl(r) || r == utf8.RuneError {
			r = '?'
		}
		out = append(out, r)
	}
	return string(out)
}

func checkNames(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if err := CheckName(pairs[i], pairs[i+1]); err != nil {
			return err
		}
	}
	return nil
}

// pendingJobError is the pending-job rule's refusal, in the real service's words: it names the
// requested app and environment. A request of the whole app (RemoveAllBackends) blocked by a
// job of the whole app has no environment to name, and says only the app.
func pendingJobError(appID, env string) error {
	if env == "" {
		return Invalid("There is already a pending job for the requested appId: %s, wait for it to complete before creating a new job.", appID)
	}
	return Invalid("There is already a pending job for the requested appId: %s and backendEnvironmentName: %s, wait for it to complete before creating a new job.", appID, env)
}

// NoApp is the NotFound error for a missing app.
func NoApp(key AppKey) error {
	return Missing(ResourceApp, "No app found with appId: %s", key.AppID)
}

// NoEnvironment is the NotFound error for a missing backend environment.
func NoEnvironment(key EnvKey) error {
	return Missing(ResourceEnvironment, "No backend environment found with appId: %s and backendEnvironmentName: %s", key.AppID, key.Env)
}

// NoResource is the NotFound error for a missing resource of an environment.
func NoResource(key EnvKey, kind ResourceKind) error {
	return Missing(string(kind), "No %s resource found for appId: %s and backendEnvironmentName: %s", kind, key.AppID, key.Env)
}

// NoJob is the NotFound error for a missing job.
func NoJob(key JobKey) error {
	return Missing(ResourceJob, "No job found with jobId: %s for appId: %s", key.JobID, key.AppID)
}

// NoConfig is the NotFound error for an app without an Admin UI config.
func NoConfig(key AppKey) error {
	return Missing(ResourceConfig, "No backend config found for appId: %s", key.AppID)
}

// NoToken is the NotFound error for a missing or expired challenge token.
func NoToken(key AppKey, sessionID string) error {
	return Missing(ResourceToken, "No token found with sessionId: %s for appId: %s", sessionID, key.AppID)
}

// NoBucket is the NotFound error for a missing S3 bucket.
func NoBucket(name string) error {
	return Missing(ResourceBucket, "No S3 bucket found with name: %s", name)
}

// jobSpec describes a job to submit.
type jobSpec struct {
	key     EnvKey // Env "" for a job of the whole app
	action  string
	payload any
	// check verifies the preconditions at submission; the job's effect checks them again.
	check func(tx Tx, now time.Time) error
}

// submit checks a job's preconditions and records it, in one transaction.
func (s *Service) submit(ctx context.Context, spec jobSpec) (*Job, error) {
	payload, err := json.Marshal(spec.payload)
	if err != nil {
		return nil, fmt.Errorf("encode %s payload: %w", spec.action, err)
	}
	// The job settings are held (shared) until the job is committed: SetJobSettings, which
	// releases held jobs, waits for submissions under the old settings, so that none commits
	// a held job after the release.
	s.settingsMu.RLock()
	defer s.settingsMu.RUnlock()
	settings := s.jobSettingsLocked()
	injected := jobErrorFrom(ctx)
	var job *Job
	err = s.Store.Update(ctx, func(tx Tx) error {
		// Locked first, the app holds still while the check reads it and until the insert
		// commits: no job of the app completes in between (a CreateBackend must not pass
		// the check before a pending CreateBackend of its environment completes, and insert
		// after, when that job no longer blocks it).
		if err := tx.LockApps(spec.key.AppKey); err != nil {
			return err
		}
		now := s.now()
		// A pending job's error comes first (when it runs it may change what the check sees),
		// but the store's constraint finds it: the blocking job is looked up only when the
		// check fails, and the insert below reports one that passed.
		if spec.check != nil {
			if err := spec.check(tx, now); err != nil {
				// Only a refusal: after a failed statement a PostgreSQL transaction
				// answers nothing more.
				var refusal *Error
				if errors.As(err, &refusal) && refusal.Refusal() {
					if perr := s.checkNotPending(tx, spec.key); perr != nil {
						return perr
					}
				}
				return err
			}
		}
		job = &Job{
			JobKey:    JobKey{AppKey: spec.key.AppKey, JobID: s.newID()},
			Env:       spec.key.Env,
			Operation: spec.action,
			Status:    StatusInProgress,
			CreatedAt: now,
			UpdatedAt: now,
			Action:    spec.action,
			Payload:   payload,
			Pending:   true,
			RunAt:     settings.runAt(spec.action, now),

			InjectedError: injected,
		}
		err := tx.InsertJob(job)
		if errors.Is(err, ErrPendingJob) {
			// The blocking job names the environment in the message (the store keeps the
			// transaction usable after ErrPendingJob).
			if perr := s.checkNotPending(tx, spec.key); perr != nil {
				return perr
			}
			return pendingJobError(spec.key.AppID, spec.key.Env)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if s.JobAdded != nil {
		s.JobAdded(job.RunAt)
	}
	if s.JobCreated != nil {
		s.JobCreated(job)
	}
	return job, nil
}

// checkNotPending returns the pending-job refusal if a job blocks key. The message names the
// requested environment; a request of the whole app (key.Env "") names the environment of the
// job that blocks it, or none if that job is of the whole app too.
func (s *Service) checkNotPending(tx Tx, key EnvKey) error {
	blocking, err := tx.PendingJob(key)
	if err != nil || blocking == nil {
		return err
	}
	env := key.Env
	if env == "" {
		env = blocking.Env
	}
	return pendingJobError(key.AppID, env)
}

// RunJobs applies claimed jobs' effects, in the order given, in one transaction (one
// commit for the whole batch): a job whose effect refuses is FAILED with the reason, and
// nothing else of it changes; a job that is no longer pending, or whose lease was taken
// over, is left alone. The result holds, per job, nil once it is completed or failed, or
// the error that left it pending (it runs again when its lease expires). Once the batch is
// committed, each job that completed or failed has its Status set to say which (the runner
// counts them); a job left alone keeps its claimed Status.
func (s *Service) RunJobs(ctx context.Context, jobs []*Job, lease Lease) []error {
	// Slow, pure work (validating a schema, generating models) happens here, before the
	// transaction, so that it does not hold the store's writer; an effect reuses a result
	// only if it sees the same input in the transaction.
	work := make([]*prepared, len(jobs))
	for i, job := range jobs {
		work[i] = s.prepare(ctx, job)
	}
	errs := make([]error, len(jobs))
	// outcome is each job's Status as the attempt that commits leaves it ("" when left alone).
	outcome := make([]string, len(jobs))
	// Most batches complete whole: the first attempt applies the jobs without savepoints
	// and gives up at the first job that does not complete; the second gives each job a
	// savepoint of its own, so that one job's failure touches only that job.
	apps := make([]AppKey, len(jobs))
	for i, job := range jobs {
		apps[i] = job.AppKey
	}
	err := s.Store.Update(ctx, func(tx Tx) error {
		if err := tx.LockApps(apps...); err != nil {
			return err
		}
		for i, job := range jobs {
			if _, err := s.completeJob(tx, job, work[i], &lease); err != nil {
				return errJobsNeedSavepoints
			}
			errs[i], outcome[i] = nil, StatusCompleted
		}
		return nil
	})
	if errors.Is(err, errJobsNeedSavepoints) {
		err = s.Store.Update(ctx, func(tx Tx) error {
			if err := tx.LockApps(apps...); err != nil {
				return err
			}
			for i, job := range jobs {
				outcome[i], errs[i] = s.runJob(tx, job, work[i], lease)
			}
			return nil
		})
	}
	if err != nil {
		for i := range errs {
			if errs[i] == nil {
				errs[i] = err
			}
		}
		return errs
	}
	for i, job := range jobs {
		if outcome[i] != "" {
			job.Status = outcome[i]
		}
	}
	return errs
}

// errJobsNeedSavepoints ends the first attempt of a batch in which a job did not complete.
var errJobsNeedSavepoints = errors.New("a job of the batch did not complete: run the batch again with savepoints")

// completeJob applies a claimed job's effect and marks it COMPLETED within tx, and returns
// the job as written. With a lease it writes only if the job is still pending under lease
// (else ErrLeaseLost); without one (FinishJob) the caller has checked, in tx, that the job
// is pending. On any error, the caller must undo what it wrote. A job recorded with an
// injected error (WithJobError) refuses with that error and applies nothing.
func (s *Service) completeJob(tx Tx, claimed *Job, work *prepared, lease *Lease) (*Job, error) {
	if claimed.InjectedError != "" {
		return nil, &Error{Code: BadRequest, Message: claimed.InjectedError}
	}
	effect, ok := s.effects()[claimed.Action]
	if !ok {
		return nil, Errorf(Internal, "unknown job action %q", claimed.Action)
	}
	// What the effect reads of the job (its keys, action and payload) never changes after
	// the insert, so the claimed copy serves. The lease write at the end succeeds only if
	// the job is still pending under this lease; if a client closed it or the lease was taken
	// over, it fails and the effect is undone with it.
	job := *claimed
	now := s.now()
	if err := effect(work, tx, &job, now); err != nil {
		return nil, err
	}
	job.Status, job.Pending, job.UpdatedAt = StatusCompleted, false, now
	if err := tx.UpdateJob(&job, lease); err != nil {
		return nil, err
	}
	return &job, nil
}

// runJob applies one claimed job within tx, in a savepoint: completed, failed with the
// reason its effect gave, or (on an internal error, returned) left pending. It returns the
// Status it wrote, or "" when it wrote none.
func (s *Service) runJob(tx Tx, claimed *Job, work *prepared, lease Lease) (string, error) {
	err := tx.Savepoint(func() error {
		_, err := s.completeJob(tx, claimed, work, &lease)
		return err
	})
	var failure *Error
	switch {
	case err == nil:
		return StatusCompleted, nil
	case errors.Is(err, ErrLeaseLost):
		return "", nil
	case !errors.As(err, &failure) || !failure.Refusal():
		// A failure of the service or its store, not of the job: it stays pending and
		// runs again.
		return "", err
	}
	// The effect refused: record why, change nothing else.
	job := *claimed
	job.Status, job.Pending, job.UpdatedAt, job.Error = StatusFailed, false, s.now(), failure.Message
	if err := tx.UpdateJob(&job, &lease); err != nil {
		if errors.Is(err, ErrLeaseLost) {
			return "", nil
		}
		return "", err
	}
	return StatusFailed, nil
}

// effect applies a job's whole change within tx. A *Error fails the job with its message.
// work holds what prepare computed for the job (nil for the jobs that need none).
type effect func(work *prepared, tx Tx, job *Job, now time.Time) error

// plain is an effect that uses no prepared work.
func plain(fn func(tx Tx, job *Job, now time.Time) error) effect {
	return func(_ *prepared, tx Tx, job *Job, now time.Time) error { return fn(tx, job, now) }
}

// effects maps each job action to its effect; each area of the API adds its own. The map is
// built once per Service: every job the runner applies looks its effect up here.
func (s *Service) effects() map[string]effect {
	s.effectsOnce.Do(func() {
		m := map[string]effect{
			OpCreateBackend:     plain(s.createBackendEffect),
			OpCloneBackend:      plain(s.cloneBackendEffect),
			OpDeleteBackend:     plain(s.deleteBackendEffect),
			OpRemoveAllBackends: plain(s.removeAllBackendsEffect),
		}
		s.addAuthEffects(m)
		s.addAPIEffects(m)
		s.addStorageEffects(m)
		s.addConfigEffects(m)
		s.effectMap = m
	})
	return s.effectMap
}

// JobActions returns the actions a job can have (Job.Action), sorted: the operations that
// create jobs.
func JobActions() []string {
	m := (&Service{}).effects()
	out := make([]string, 0, len(m))
	for action := range m {
		out = append(out, action)
	}
	slices.Sort(out)
	return out
}

// Operation names, as jobs record them.
const (
	OpCloneBackend             = "CloneBackend"
	OpCreateBackend            = "CreateBackend"
	OpCreateBackendAPI         = "CreateBackendAPI"
	OpCreateBackendAuth        = "CreateBackendAuth"
	OpCreateBackendConfig      = "CreateBackendConfig"
	OpCreateBackendStorage     = "CreateBackendStorage"
	OpDeleteBackend            = "DeleteBackend"
	OpDeleteBackendAPI         = "DeleteBackendAPI"
	OpDeleteBackendAuth        = "DeleteBackendAuth"
	OpDeleteBackendStorage     = "DeleteBackendStorage"
	OpGenerateBackendAPIModels = "GenerateBackendAPIModels"
	OpImportBackendAuth        = "ImportBackendAuth"
	OpImportBackendStorage     = "ImportBackendStorage"
	OpRemoveAllBackends        = "RemoveAllBackends"
	OpUpdateBackendAPI         = "UpdateBackendAPI"
	OpUpdateBackendAuth        = "UpdateBackendAuth"
	OpUpdateBackendStorage     = "UpdateBackendStorage"
)

// jobPeeker returns Store as a JobPeeker, or nil.
func (s *Service) jobPeeker() JobPeeker {
	s.peekerOnce.Do(func() { s.peeker, _ = s.Store.(JobPeeker) })
	return s.peeker
}
