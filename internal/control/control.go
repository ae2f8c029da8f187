// Package control serves the test control plane under /_amplifybackend/ (SERVICE.md §9):
// health, info, reset, state snapshots, job settings, ending jobs, fault rules and the request
// journal. It is not part of the AWS API: its answers are plain JSON, its errors
// {"message": "..."} with a 4xx or 5xx status, and its input is read strictly (an unknown
// member is an error: it is our own API). The fault rules (Faults) and the journal (Journal)
// are in this process; internal/httpapi calls them through its hooks.
package control

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/api"
	"github.com/amplifybackendd/amplifybackendd/internal/buildinfo"
	"github.com/amplifybackendd/amplifybackendd/internal/snapshot"
)

// Prefix is where the control plane's routes live.
const Prefix = "/_amplifybackend/"

// Bounds of the input.
const (
	// DefaultMaxStateBody bounds a snapshot given to PUT /state.
	DefaultMaxStateBody = 256 << 20
	// maxBody bounds every other request body.
	maxBody = 64 << 10
)

// Config configures a Handler.
type Config struct {
	Service *amplify.Service
	// CheckWrite probes that the store can write (a tiny real commit): health answers 503
	// when it fails.
	CheckWrite func(context.Context) error
	// StoreKind is the kind of store ("sqlite" or "postgres"): never a URL or a password.
	StoreKind string
	// Ephemeral says that the store is in memory (--ephemeral).
	Ephemeral bool
	// Auth is the auth mode of the AWS API ("any" or "sigv4").
	Auth string
	// Token is the admin bearer token (--admin-token-file). When set, every control request
	// needs "Authorization: Bearer <Token>". When empty, the control plane is open in auth
	// mode any and closed (answered as an unknown AWS route) in mode sigv4; /healthz answers
	// in every case.
	Token     string
	StartedAt time.Time
	Faults    *Faults
	// Journal is nil when the journal is off (--journal-size 0).
	Journal *Journal
	Logger  *slog.Logger
	// MaxStateBody bounds PUT /state (DefaultMaxStateBody when 0).
	MaxStateBody int64
	// Now is the clock of exportedAt (time.Now when nil).
	Now func() time.Time
}

// Handler is the http.Handler of the control plane: every path under Prefix, and /healthz.
type Handler struct {
	cfg       Config
	open      bool
	tokenHash [32]byte
	build     buildinfo.Info
}

// New returns the Handler for cfg.
func New(cfg Config) *Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxStateBody <= 0 {
		cfg.MaxStateBody = DefaultMaxStateBody
	}
	if cfg.Faults == nil {
		cfg.Faults = NewFaults(nil)
	}
	h := &Handler{cfg: cfg, open: cfg.Token != "" || cfg.Auth != "sigv4", build: buildinfo.Read()}
	if cfg.Token != "" {
		h.tokenHash = sha256.Sum256([]byte(cfg.Token))
	}
	return h
}

// Open reports whether the control plane answers: always with an admin token, and without
// one in auth mode any. Closed, only /healthz answers.
func (h *Handler) Open() bool { return h.open }

// ServeHTTP answers one control request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/healthz" {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.fail(w, r, methodNotAllowed("GET, HEAD"))
			return
		}
		h.health(w, r)
		return
	}
	if !h.open {
		// Auth mode sigv4 without an admin token: the control plane does not exist, and
		// answers what any unknown AWS route answers.
		w.Header().Set("X-Amzn-ErrorType", amplify.UnknownOperation)
		writeJSON(w, http.StatusNotFound, message{fmt.Sprintf("No operation matches %s %s", r.Method, r.URL.Path)})
		return
	}
	if err := h.authorize(r); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.route(w, r); err != nil {
		h.fail(w, r, err)
	}
}

// authorize checks the bearer token, when there is one. The comparison is of SHA-256 digests
// in constant time, so neither the token nor its length shows in the timing. An AWS
// signature (Authorization: AWS4-HMAC-SHA256 ...) is simply not a bearer token.
func (h *Handler) authorize(r *http.Request) error {
	if h.cfg.Token == "" {
		return nil
	}
	authz := r.Header.Get("Authorization")
	const scheme = "Bearer "
	if len(authz) < len(scheme) || !strings.EqualFold(authz[:len(scheme)], scheme) {
		return &statusErr{status: http.StatusUnauthorized, msg: "the control plane needs Authorization: Bearer <admin token> (--admin-token-file)"}
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(authz[len(scheme):])))
	if subtle.ConstantTimeCompare(got[:], h.tokenHash[:]) != 1 {
		return &statusErr{status: http.StatusForbidden, msg: "the admin token is not the one the server was given"}
	}
	return nil
}

// route dispatches on the path below Prefix.
func (h *Handler) route(w http.ResponseWriter, r *http.Request) error {
	p := strings.TrimPrefix(r.URL.Path, "/_amplifybackend")
	switch p {
	case "/health":
		return h.dispatch(w, r, endpoint{"GET", h.healthRoute})
	case "/info":
		return h.dispatch(w, r, endpoint{"GET", h.info})
	case "/reset":
		return h.dispatch(w, r, endpoint{"POST", h.reset})
	case "/state":
		return h.dispatch(w, r, endpoint{"GET", h.getState}, endpoint{"PUT", h.putState})
	case "/jobs/settings":
		return h.dispatch(w, r, endpoint{"GET", h.getJobSettings}, endpoint{"PUT", h.putJobSettings})
	case "/jobs/finish":
		return h.dispatch(w, r, endpoint{"POST", h.finishJobs})
	case "/faults":
		return h.dispatch(w, r, endpoint{"GET", h.listFaults}, endpoint{"POST", h.addFault}, endpoint{"DELETE", h.clearFaults})
	case "/requests":
		return h.dispatch(w, r, endpoint{"GET", h.requests}, endpoint{"DELETE", h.clearRequests})
	}
	if id, ok := strings.CutPrefix(p, "/jobs/"); ok && id != "" && !strings.Contains(id, "/") {
		return h.dispatch(w, r, endpoint{"POST", func(w http.ResponseWriter, r *http.Request) error { return h.finishJob(w, r, id) }})
	}
	if id, ok := strings.CutPrefix(p, "/faults/"); ok && id != "" && !strings.Contains(id, "/") {
		return h.dispatch(w, r, endpoint{"DELETE", func(w http.ResponseWriter, r *http.Request) error { return h.deleteFault(w, r, id) }})
	}
	return &statusErr{status: http.StatusNotFound, msg: fmt.Sprintf("no control-plane route %s (see docs/control-plane.md)", clip(r.URL.Path))}
}

// endpoint is one method of a route and its handler.
type endpoint struct {
	method string
	fn     func(http.ResponseWriter, *http.Request) error
}

// dispatch calls the endpoint of r's method (HEAD is GET without the body), or answers 405
// with the methods the route has.
func (h *Handler) dispatch(w http.ResponseWriter, r *http.Request, eps ...endpoint) error {
	allowed := make([]string, len(eps))
	for i, ep := range eps {
		if r.Method == ep.method || (ep.method == http.MethodGet && r.Method == http.MethodHead) {
			return ep.fn(w, r)
		}
		allowed[i] = ep.method
	}
	return methodNotAllowed(strings.Join(allowed, ", "))
}

func methodNotAllowed(allow string) error {
	return &statusErr{status: http.StatusMethodNotAllowed, msg: "method not allowed; this route answers " + allow, allow: allow}
}

func (h *Handler) healthRoute(w http.ResponseWriter, r *http.Request) error {
	h.health(w, r)
	return nil
}

// healthTimeout bounds the write probe of a health check.
const healthTimeout = 2 * time.Second

// health answers 200 while the store can write, 503 with the reason when it cannot.
func (h *Handler) health(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), healthTimeout)
	defer cancel()
	if h.cfg.CheckWrite != nil {
		if err := h.cfg.CheckWrite(ctx); err != nil {
			// The reason is the domain's message when the store classified the failure; a
			// driver's raw error may name a path or a host, so it goes to the log only.
			reason := "the store cannot write"
			var e *amplify.Error
			if errors.As(err, &e) && e.Code != amplify.Internal {
				reason = e.Message
			}
			h.cfg.Logger.Warn("health check failed", "err", err)
			writeJSON(w, http.StatusServiceUnavailable, struct {
				Status string `json:"status"`
				Reason string `json:"reason"`
			}{"unavailable", reason})
			return
		}
	}
	writeJSON(w, http.StatusOK, struct {
		Status string `json:"status"`
		Store  string `json:"store"`
	}{"ok", h.cfg.StoreKind})
}

// info answers what build serves, how, and how much state it holds.
func (h *Handler) info(w http.ResponseWriter, r *http.Request) error {
	counts, err := h.cfg.Service.Counts(r.Context())
	if err != nil {
		return err
	}
	jobs := counts.Jobs
	if jobs == nil {
		jobs = map[string]int{}
	}
	writeJSON(w, http.StatusOK, infoJSON{
		Version:   h.build.Version,
		Commit:    h.build.Commit,
		GoVersion: h.build.GoVersion,
		Store:     h.cfg.StoreKind,
		Ephemeral: h.cfg.Ephemeral,
		Auth:      h.cfg.Auth,
		StartedAt: h.cfg.StartedAt.UTC().Format(time.RFC3339),
		Jobs:      settingsJSON(h.cfg.Service.JobSettings()),
		Counts: countsJSON{
			Accounts: counts.Accounts, Apps: counts.Apps, Environments: counts.Environments, Jobs: jobs,
		},
	})
	return nil
}

type infoJSON struct {
	Version   string          `json:"version"`
	Commit    string          `json:"commit"`
	GoVersion string          `json:"goVersion"`
	Store     string          `json:"store"`
	Ephemeral bool            `json:"ephemeral"`
	Auth      string          `json:"auth"`
	StartedAt string          `json:"startedAt"`
	Jobs      jobSettingsJSON `json:"jobs"`
	Counts    countsJSON      `json:"counts"`
}

type countsJSON struct {
	Accounts     int            `json:"accounts"`
	Apps         int            `json:"apps"`
	Environments int            `json:"environments"`
	Jobs         map[string]int `json:"jobs"`
}

// scopeJSON is the optional scope of reset and jobs/finish.
type scopeJSON struct {
	AccountID string `json:"accountId"`
	Region    string `json:"region"`
	AppID     string `json:"appId"`
}

func (s scopeJSON) scope() amplify.StateScope {
	return amplify.StateScope{Account: s.AccountID, Region: s.Region, AppID: s.AppID}
}

func (h *Handler) reset(w http.ResponseWriter, r *http.Request) error {
	var in scopeJSON
	if err := decode(r, maxBody, &in, true); err != nil {
		return err
	}
	removed, err := h.cfg.Service.Reset(r.Context(), in.scope())
	if err != nil {
		return err
	}
	h.cfg.Logger.Info("control: reset", "accountId", in.AccountID, "region", in.Region, "appId", in.AppID,
		"apps", removed.Apps, "environments", removed.Environments, "jobs", removed.Jobs)
	writeJSON(w, http.StatusOK, struct {
		Removed removedJSON `json:"removed"`
	}{removedJSON(removed)})
	return nil
}

type removedJSON struct {
	Apps         int `json:"apps"`
	Environments int `json:"environments"`
	Jobs         int `json:"jobs"`
	Tokens       int `json:"tokens"`
	Buckets      int `json:"buckets"`
}

func (h *Handler) getState(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	for k := range q {
		if k != "accountId" && k != "region" && k != "appId" {
			return badRequest("unknown query parameter %q: the state takes accountId, region and appId", clip(k))
		}
	}
	scope := amplify.StateScope{Account: q.Get("accountId"), Region: q.Get("region"), AppID: q.Get("appId")}
	st, err := h.cfg.Service.ExportState(r.Context(), scope)
	if err != nil {
		return err
	}
	buf, err := snapshot.Encode(st, h.cfg.Now())
	if err != nil {
		return fmt.Errorf("encode snapshot: %w", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(buf)))
	w.WriteHeader(http.StatusOK)
	w.Write(buf)
	return nil
}

func (h *Handler) putState(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(r, h.cfg.MaxStateBody)
	if err != nil {
		return err
	}
	st, err := snapshot.Decode(body)
	if err != nil {
		var e *amplify.Error
		if errors.As(err, &e) {
			return err
		}
		return badRequest("the snapshot does not load: %v", err)
	}
	if err := h.cfg.Service.ImportState(r.Context(), st); err != nil {
		return err
	}
	counts, err := h.cfg.Service.Counts(r.Context())
	if err != nil {
		return err
	}
	h.cfg.Logger.Info("control: state imported", "apps", counts.Apps, "environments", counts.Environments)
	jobs := counts.Jobs
	if jobs == nil {
		jobs = map[string]int{}
	}
	writeJSON(w, http.StatusOK, struct {
		Counts countsJSON `json:"counts"`
	}{countsJSON{Accounts: counts.Accounts, Apps: counts.Apps, Environments: counts.Environments, Jobs: jobs}})
	return nil
}

// jobSettingsJSON is the wire form of amplify.JobSettings: durations as Go duration strings.
type jobSettingsJSON struct {
	Mode       string                  `json:"mode"`
	Duration   string                  `json:"duration,omitempty"`
	Operations map[string]opJobSetting `json:"operations,omitempty"`
}

type opJobSetting struct {
	Mode     string `json:"mode"`
	Duration string `json:"duration,omitempty"`
}

// MaxJobDuration bounds a timed job's duration.
const MaxJobDuration = 24 * time.Hour

func settingsJSON(js amplify.JobSettings) jobSettingsJSON {
	out := jobSettingsJSON{Mode: string(js.Mode)}
	if js.Mode == amplify.JobsTimed {
		out.Duration = js.Duration.String()
	}
	if len(js.Operations) > 0 {
		out.Operations = map[string]opJobSetting{}
		for op, o := range js.Operations {
			s := opJobSetting{Mode: string(o.Mode)}
			if o.Mode == amplify.JobsTimed {
				s.Duration = o.Duration.String()
			}
			out.Operations[op] = s
		}
	}
	return out
}

// parseMode reads one mode and its duration: a duration only with timed, which needs one.
func parseMode(member, mode, duration string) (amplify.JobMode, time.Duration, error) {
	m := amplify.JobMode(mode)
	switch m {
	case amplify.JobsImmediate, amplify.JobsManual:
		if duration != "" {
			return "", 0, badRequest("%s: a duration applies only to mode timed", member)
		}
		return m, 0, nil
	case amplify.JobsTimed:
		d, err := time.ParseDuration(duration)
		if err != nil {
			return "", 0, badRequest("%s: mode timed needs a duration such as \"2s\" (got %q)", member, clip(duration))
		}
		if d < 0 || d > MaxJobDuration {
			return "", 0, badRequest("%s: duration %s must be between 0s and %s", member, d, MaxJobDuration)
		}
		return m, d, nil
	case "":
		return "", 0, badRequest("%s: mode is required (immediate, timed or manual)", member)
	}
	return "", 0, badRequest("%s: unknown mode %q (immediate, timed or manual)", member, clip(mode))
}

func (h *Handler) getJobSettings(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, settingsJSON(h.cfg.Service.JobSettings()))
	return nil
}

func (h *Handler) putJobSettings(w http.ResponseWriter, r *http.Request) error {
	var in jobSettingsJSON
	if err := decode(r, maxBody, &in, false); err != nil {
		return err
	}
	var js amplify.JobSettings
	var err error
	if js.Mode, js.Duration, err = parseMode("mode", in.Mode, in.Duration); err != nil {
		return err
	}
	if len(in.Operations) > 0 {
		js.Operations = map[string]amplify.OperationJobSettings{}
		for op, o := range in.Operations {
			if !jobOperations[op] {
				return badRequest("operations: %q is not an operation that runs as a job (%s)", clip(op), strings.Join(amplify.JobOperations(), ", "))
			}
			var s amplify.OperationJobSettings
			if s.Mode, s.Duration, err = parseMode("operations."+op, o.Mode, o.Duration); err != nil {
				return err
			}
			js.Operations[op] = s
		}
	}
	if err := h.cfg.Service.SetJobSettings(r.Context(), js); err != nil {
		return err
	}
	h.cfg.Logger.Info("control: job settings", "mode", in.Mode, "operations", len(js.Operations))
	writeJSON(w, http.StatusOK, settingsJSON(h.cfg.Service.JobSettings()))
	return nil
}

// finishJSON is the body of POST /jobs/{jobId} and (with a scope) /jobs/finish.
type finishJSON struct {
	Status string `json:"status"`
	Error  string `json:"error"`
}

// defaultJobError is the Error of a job failed without one given.
const defaultJobError = "The job was failed through the test control plane."

func (f *finishJSON) check() error {
	switch f.Status {
	case amplify.StatusCompleted:
		if f.Error != "" {
			return badRequest("error applies only to status FAILED")
		}
	case amplify.StatusFailed:
		if len(f.Error) > maxText {
			return badRequest("error is longer than %d bytes", maxText)
		}
		if f.Error == "" {
			f.Error = defaultJobError
		}
	case "":
		return badRequest("status is required (COMPLETED or FAILED)")
	default:
		return badRequest("status must be COMPLETED or FAILED, not %q", clip(f.Status))
	}
	return nil
}

func (h *Handler) finishJob(w http.ResponseWriter, r *http.Request, rawID string) error {
	id, err := url.PathUnescape(rawID)
	if err != nil {
		return badRequest("jobId %q is not a valid path segment", clip(rawID))
	}
	var in finishJSON
	if err := decode(r, maxBody, &in, false); err != nil {
		return err
	}
	if err := in.check(); err != nil {
		return err
	}
	job, err := h.cfg.Service.FinishJob(r.Context(), id, in.Status, in.Error)
	if err != nil {
		return err
	}
	h.cfg.Logger.Info("control: job ended", "jobId", job.JobID, "status", job.Status)
	writeJSON(w, http.StatusOK, jobToJSON(job))
	return nil
}

func (h *Handler) finishJobs(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		scopeJSON
		finishJSON
	}
	if err := decode(r, maxBody, &in, false); err != nil {
		return err
	}
	if err := in.check(); err != nil {
		return err
	}
	n, err := h.cfg.Service.FinishJobs(r.Context(), in.scope(), in.Status, in.Error)
	if err != nil {
		return err
	}
	h.cfg.Logger.Info("control: jobs ended", "status", in.Status, "jobs", n)
	writeJSON(w, http.StatusOK, struct {
		Finished int `json:"finished"`
	}{n})
	return nil
}

// jobJSON is a job as the control plane answers it: GetBackendJob's members, and where it is.
type jobJSON struct {
	JobID                  string `json:"jobId"`
	AccountID              string `json:"accountId"`
	Region                 string `json:"region"`
	AppID                  string `json:"appId"`
	BackendEnvironmentName string `json:"backendEnvironmentName,omitempty"`
	Operation              string `json:"operation"`
	Status                 string `json:"status"`
	Error                  string `json:"error,omitempty"`
	CreateTime             string `json:"createTime"`
	UpdateTime             string `json:"updateTime"`
}

func jobToJSON(j *amplify.Job) jobJSON {
	return jobJSON{
		JobID: j.JobID, AccountID: j.Account, Region: j.Region, AppID: j.AppID,
		BackendEnvironmentName: j.Env, Operation: j.Operation, Status: j.Status, Error: j.Error,
		CreateTime: amplify.EpochMillis(j.CreatedAt), UpdateTime: amplify.EpochMillis(j.UpdatedAt),
	}
}

func (h *Handler) listFaults(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, struct {
		Faults []Rule `json:"faults"`
	}{h.cfg.Faults.List()})
	return nil
}

func (h *Handler) addFault(w http.ResponseWriter, r *http.Request) error {
	var in Rule
	if err := decode(r, maxBody, &in, false); err != nil {
		return err
	}
	if in.ID != "" || in.Fired != 0 {
		return badRequest("fault rule: id and fired are the server's to set")
	}
	rule, err := h.cfg.Faults.Add(in)
	if err != nil {
		return err
	}
	h.cfg.Logger.Info("control: fault added", "id", rule.ID, "operation", rule.Operation)
	writeJSON(w, http.StatusOK, rule)
	return nil
}

func (h *Handler) clearFaults(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, deletedJSON{h.cfg.Faults.Clear()})
	return nil
}

func (h *Handler) deleteFault(w http.ResponseWriter, r *http.Request, id string) error {
	if !h.cfg.Faults.Delete(id) {
		return &statusErr{status: http.StatusNotFound, msg: fmt.Sprintf("no fault rule %q", clip(id))}
	}
	writeJSON(w, http.StatusOK, deletedJSON{1})
	return nil
}

type deletedJSON struct {
	Deleted int `json:"deleted"`
}

// recordJSON is one journal entry.
type recordJSON struct {
	Time       string  `json:"time"`
	RequestID  string  `json:"requestId"`
	Operation  string  `json:"operation"`
	AccountID  string  `json:"accountId"`
	Region     string  `json:"region"`
	AppID      string  `json:"appId,omitempty"`
	Status     int     `json:"status"`
	ErrorCode  string  `json:"errorCode,omitempty"`
	DurationMs float64 `json:"durationMs"`
	Fault      string  `json:"fault,omitempty"`
}

func (h *Handler) requests(w http.ResponseWriter, r *http.Request) error {
	if h.cfg.Journal == nil {
		return &statusErr{status: http.StatusNotFound, msg: "the journal is off (--journal-size 0)"}
	}
	q := r.URL.Query()
	var f JournalFilter
	for k, v := range q {
		if len(v) != 1 {
			return badRequest("query parameter %q is given %d times", clip(k), len(v))
		}
		switch k {
		case "operation":
			if !operationNames[v[0]] {
				return badRequest("operation %q is not an operation of the AmplifyBackend API", clip(v[0]))
			}
			f.Operation = v[0]
		case "appId":
			f.AppID = v[0]
		case "limit":
			n, err := strconv.Atoi(v[0])
			if err != nil || n < 1 || n > h.cfg.Journal.Size() {
				return badRequest("limit %q must be a number between 1 and %d (the journal's size)", clip(v[0]), h.cfg.Journal.Size())
			}
			f.Limit = n
		default:
			return badRequest("unknown query parameter %q: the journal takes operation, appId and limit", clip(k))
		}
	}
	recs := h.cfg.Journal.Records(f)
	out := make([]recordJSON, len(recs))
	for i, rec := range recs {
		out[i] = recordJSON{
			Time: rec.Time.UTC().Format(time.RFC3339Nano), RequestID: rec.RequestID, Operation: rec.Operation,
			AccountID: rec.Account, Region: rec.Region, AppID: rec.AppID, Status: rec.Status,
			ErrorCode: rec.ErrorCode, DurationMs: float64(rec.Duration.Microseconds()) / 1000, Fault: rec.Fault,
		}
	}
	writeJSON(w, http.StatusOK, struct {
		Requests []recordJSON `json:"requests"`
	}{out})
	return nil
}

func (h *Handler) clearRequests(w http.ResponseWriter, r *http.Request) error {
	if h.cfg.Journal == nil {
		return &statusErr{status: http.StatusNotFound, msg: "the journal is off (--journal-size 0)"}
	}
	writeJSON(w, http.StatusOK, deletedJSON{h.cfg.Journal.Clear()})
	return nil
}

// message is the body of every error.
type message struct {
	Message string `json:"message"`
}

// statusErr is an error with the status it is answered with.
type statusErr struct {
	status int
	msg    string
	allow  string // 405 only
}

func (e *statusErr) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &statusErr{status: http.StatusBadRequest, msg: fmt.Sprintf(format, args...)}
}

// fail answers err: a statusErr with its status, a domain error with the status of its code,
// anything else 500 with its cause in the log only.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var se *statusErr
	if errors.As(err, &se) {
		if se.allow != "" {
			w.Header().Set("Allow", se.allow)
		}
		if se.status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="amplifybackendd control plane"`)
		}
		writeJSON(w, se.status, message{se.msg})
		return
	}
	if errors.Is(err, context.Canceled) {
		return // the client left; nobody reads an answer
	}
	var e *amplify.Error
	if errors.As(err, &e) && e.Code != amplify.Internal {
		status, ok := api.ExceptionStatus(e.Code)
		switch {
		case e.Code == amplify.Conflict:
			status = http.StatusConflict
		case !ok && strings.HasPrefix(e.Code, "ServiceUnavailable"):
			status = http.StatusServiceUnavailable
		case !ok:
			status = http.StatusBadRequest
		}
		writeJSON(w, status, message{e.Message})
		return
	}
	h.cfg.Logger.Error("control plane: internal error", "method", r.Method, "path", clip(r.URL.Path), "err", err)
	writeJSON(w, http.StatusInternalServerError, message{"internal error; the server's log has the cause"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	buf, err := json.Marshal(v)
	if err != nil {
		status, buf = http.StatusInternalServerError, []byte(`{"message":"encode answer"}`)
	}
	buf = append(buf, '\n')
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(buf)))
	w.WriteHeader(status)
	w.Write(buf)
}

// readBody reads r's body, refusing one over limit.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, &statusErr{status: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("the body is larger than the limit of %d bytes", limit)}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, badRequest("could not read the body: %v", err)
	}
	if int64(len(body)) > limit {
		return nil, &statusErr{status: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("the body is larger than the limit of %d bytes", limit)}
	}
	return body, nil
}

// decode reads r's body as one JSON object into v, strictly: an unknown member, a member of
// the wrong type or anything after the object is an error. An empty body is allowed when
// optional (v keeps its zero value).
func decode(r *http.Request, limit int64, v any, optional bool) error {
	body, err := readBody(r, limit)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		if optional {
			return nil
		}
		return badRequest("the body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest("malformed JSON body: %s", jsonProblem(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("malformed JSON body: more data after the object")
	}
	return nil
}

// jsonProblem words a decoding error without Go type names.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field == "" {
			return "the body must be a JSON object"
		}
		return fmt.Sprintf("member %q must not be a JSON %s", te.Field, te.Value)
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return "unknown member " + f
	}
	return strings.TrimPrefix(msg, "json: ")
}
