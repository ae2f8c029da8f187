package amplifybackendtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Control talks to the test control plane (/_amplifybackend/) of a running amplifybackendd
// over HTTP, the same public contract every language uses. A Server embeds one for the
// server it started; NewControl makes one for a server started some other way (the binary,
// a container). Fault rules and the journal belong to one process: with several replicas,
// talk to each replica, not to a load balancer in front of them.
//
// Every method fails with an *Error when the control plane answers with a status of 400 or
// more, and with the transport's error when it cannot be reached.
type Control struct {
	// URL is the server's base URL, e.g. "http://127.0.0.1:4580".
	URL string
	// Token is the admin bearer token (the contents of --admin-token-file) that auth mode
	// sigv4 asks of every control request; empty in auth mode any.
	Token string
	// HTTPClient sends the requests; nil means http.DefaultClient.
	HTTPClient *http.Client
	// Timeout bounds each request; zero means one minute.
	Timeout time.Duration
}

// NewControl returns a Control for the server at baseURL ("http://127.0.0.1:4580").
func NewControl(baseURL string) *Control {
	return &Control{URL: strings.TrimRight(baseURL, "/")}
}

// Error is an answer of the control plane with a status of 400 or more: Message is the
// server's own `{"message": ...}`.
type Error struct {
	Method     string
	Path       string
	StatusCode int
	Message    string
}

// Error says which control request failed, its status and the server's message.
func (e *Error) Error() string {
	return fmt.Sprintf("amplifybackendtest: %s %s: %d %s: %s", e.Method, e.Path, e.StatusCode, http.StatusText(e.StatusCode), e.Message)
}

// IsStatus reports whether err is (or wraps) an *Error with the given HTTP status.
func IsStatus(err error, status int) bool {
	var e *Error
	return errors.As(err, &e) && e.StatusCode == status
}

// Scope narrows reset, state export and finishing jobs to an account, a region or an app;
// the zero Scope means everything. An app is named with its account and region, as app ids
// are unique only within them (Server.AppScope).
type Scope struct {
	AccountID string `json:"accountId,omitempty"`
	Region    string `json:"region,omitempty"`
	AppID     string `json:"appId,omitempty"`
}

func (s Scope) query() url.Values {
	q := url.Values{}
	if s.AccountID != "" {
		q.Set("accountId", s.AccountID)
	}
	if s.Region != "" {
		q.Set("region", s.Region)
	}
	if s.AppID != "" {
		q.Set("appId", s.AppID)
	}
	return q
}

// Health is the answer of GET /_amplifybackend/health.
type Health struct {
	// Status is "ok" while the store serves reads and writes, "unavailable" when it cannot.
	Status string `json:"status"`
	// Store is the kind of store ("sqlite", also in memory, or "postgres").
	Store string `json:"store,omitempty"`
	// Reason says why the server is unavailable.
	Reason string `json:"reason,omitempty"`
}

// Health asks whether the server can read and write its store. An unavailable server
// answers 503: Health returns its answer together with the *Error.
func (c *Control) Health() (*Health, error) {
	var h Health
	err := c.do(http.MethodGet, "/health", nil, nil, &h)
	var e *Error
	if err != nil && !(errors.As(err, &e) && e.StatusCode == http.StatusServiceUnavailable && h.Status != "") {
		return nil, err
	}
	return &h, err
}

// Info is the answer of GET /_amplifybackend/info.
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	GoVersion string `json:"goVersion"`
	Store     string `json:"store"`
	// Ephemeral says the store is in memory (--ephemeral, a Server's default).
	Ephemeral bool        `json:"ephemeral"`
	Auth      string      `json:"auth"`
	StartedAt time.Time   `json:"startedAt"`
	Jobs      JobSettings `json:"jobs"`
	Counts    Counts      `json:"counts"`
}

// Counts is how much state the server holds.
type Counts struct {
	Accounts     int `json:"accounts"`
	Apps         int `json:"apps"`
	Environments int `json:"environments"`
	// Jobs counts jobs by status (IN_PROGRESS, COMPLETED, FAILED).
	Jobs map[string]int `json:"jobs"`
}

// Info returns the server's version, store kind, auth mode, start time, job settings and
// counts of what it holds.
func (c *Control) Info() (*Info, error) {
	var info Info
	if err := c.do(http.MethodGet, "/info", nil, nil, &info); err != nil {
		return nil, err
	}
	return &info, nil
}

// Removed counts what a reset removed.
type Removed struct {
	Apps         int `json:"apps"`
	Environments int `json:"environments"`
	Jobs         int `json:"jobs"`
	Tokens       int `json:"tokens"`
	Buckets      int `json:"buckets"`
}

// Reset removes all state in scope (the zero Scope: all of it) in one transaction; pending
// jobs in scope never run. Buckets given by --s3-buckets are configuration and stay.
func (c *Control) Reset(scope Scope) (*Removed, error) {
	var out struct {
		Removed Removed `json:"removed"`
	}
	if err := c.do(http.MethodPost, "/reset", nil, scope, &out); err != nil {
		return nil, err
	}
	return &out.Removed, nil
}

// State returns a snapshot of the state in scope (the zero Scope: all of it), consistent at
// one instant, as the JSON document {"format":"amplifybackendd-state","version":1,...}.
// It is kept as the server's bytes: save it as a fixture and give it to LoadState, WithState
// or the binary's --seed.
func (c *Control) State(scope Scope) ([]byte, error) {
	var out json.RawMessage
	if err := c.do(http.MethodGet, "/state", scope.query(), nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// LoadState replaces all state with a snapshot (from State, a fixture file, or
// `amplifybackendd export`), atomically; a malformed snapshot changes nothing.
func (c *Control) LoadState(snapshot []byte) error {
	if !json.Valid(snapshot) {
		return errors.New("amplifybackendtest: LoadState: the snapshot is not JSON")
	}
	return c.do(http.MethodPut, "/state", nil, json.RawMessage(snapshot), nil)
}

// JobMode says when a new job runs.
type JobMode string

// The job modes.
const (
	// JobsImmediate runs a job as soon as a worker takes it (the default).
	JobsImmediate JobMode = "immediate"
	// JobsTimed keeps a job IN_PROGRESS for the settings' Duration, then runs it.
	JobsTimed JobMode = "timed"
	// JobsManual keeps a job IN_PROGRESS until the test ends it (FinishJob, FinishJobs).
	JobsManual JobMode = "manual"
)

// JobSettings are the server's job settings: a default mode and duration, and per-operation
// overrides keyed by operation name ("CreateBackendAuth").
type JobSettings struct {
	Mode       JobMode
	Duration   time.Duration
	Operations map[string]OperationJobSettings
}

// OperationJobSettings override the default job settings for one operation.
type OperationJobSettings struct {
	Mode     JobMode
	Duration time.Duration
}

// The wire forms carry durations as Go duration strings ("2s").
type wireOperationJobSettings struct {
	Mode     JobMode `json:"mode,omitempty"`
	Duration string  `json:"duration,omitempty"`
}

type wireJobSettings struct {
	Mode       JobMode                             `json:"mode,omitempty"`
	Duration   string                              `json:"duration,omitempty"`
	Operations map[string]wireOperationJobSettings `json:"operations,omitempty"`
}

func durationString(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return d.String()
}

func parseDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	return time.ParseDuration(s)
}

// MarshalJSON writes the settings as the control plane reads them.
func (js JobSettings) MarshalJSON() ([]byte, error) {
	w := wireJobSettings{Mode: js.Mode, Duration: durationString(js.Duration)}
	if len(js.Operations) > 0 {
		w.Operations = make(map[string]wireOperationJobSettings, len(js.Operations))
		for op, o := range js.Operations {
			w.Operations[op] = wireOperationJobSettings{Mode: o.Mode, Duration: durationString(o.Duration)}
		}
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads the settings as the control plane writes them.
func (js *JobSettings) UnmarshalJSON(b []byte) error {
	var w wireJobSettings
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	d, err := parseDuration(w.Duration)
	if err != nil {
		return fmt.Errorf("job settings: duration: %w", err)
	}
	*js = JobSettings{Mode: w.Mode, Duration: d}
	if len(w.Operations) > 0 {
		js.Operations = make(map[string]OperationJobSettings, len(w.Operations))
		for op, o := range w.Operations {
			d, err := parseDuration(o.Duration)
			if err != nil {
				return fmt.Errorf("job settings: %s: duration: %w", op, err)
			}
			js.Operations[op] = OperationJobSettings{Mode: o.Mode, Duration: d}
		}
	}
	return nil
}

// JobSettings returns the server's job settings.
func (c *Control) JobSettings() (*JobSettings, error) {
	var js JobSettings
	if err := c.do(http.MethodGet, "/jobs/settings", nil, nil, &js); err != nil {
		return nil, err
	}
	return &js, nil
}

// SetJobSettings replaces the server's job settings as a whole.
func (c *Control) SetJobSettings(js JobSettings) error {
	return c.do(http.MethodPut, "/jobs/settings", nil, js, nil)
}

// JobStatus is how a test ends a pending job.
type JobStatus string

// The statuses a pending job can be ended with.
const (
	// JobCompleted applies the job's effect as if it had run, re-checking its preconditions.
	JobCompleted JobStatus = "COMPLETED"
	// JobFailed changes nothing but the job, whose Error becomes the text given.
	JobFailed JobStatus = "FAILED"
)

type finishBody struct {
	Status    JobStatus `json:"status"`
	Error     string    `json:"error,omitempty"`
	AccountID string    `json:"accountId,omitempty"`
	Region    string    `json:"region,omitempty"`
	AppID     string    `json:"appId,omitempty"`
}

// Job is a job as the control plane answers it.
type Job struct {
	JobID                  string
	AccountID              string
	Region                 string
	AppID                  string
	BackendEnvironmentName string
	// Operation is the job's operation as GetBackendJob names it ("CreateBackend").
	Operation string
	// Status is IN_PROGRESS, COMPLETED or FAILED.
	Status     string
	Error      string
	CreateTime time.Time
	UpdateTime time.Time
}

type wireJob struct {
	JobID                  string `json:"jobId"`
	AccountID              string `json:"accountId"`
	Region                 string `json:"region"`
	AppID                  string `json:"appId"`
	BackendEnvironmentName string `json:"backendEnvironmentName"`
	Operation              string `json:"operation"`
	Status                 string `json:"status"`
	Error                  string `json:"error"`
	// The times are strings of epoch milliseconds, as GetBackendJob answers them.
	CreateTime string `json:"createTime"`
	UpdateTime string `json:"updateTime"`
}

func epochMillis(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not epoch milliseconds", s)
	}
	return time.UnixMilli(ms).UTC(), nil
}

// UnmarshalJSON reads the job as the control plane writes it.
func (j *Job) UnmarshalJSON(b []byte) error {
	var w wireJob
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	created, err := epochMillis(w.CreateTime)
	if err != nil {
		return fmt.Errorf("job %s: createTime: %w", w.JobID, err)
	}
	updated, err := epochMillis(w.UpdateTime)
	if err != nil {
		return fmt.Errorf("job %s: updateTime: %w", w.JobID, err)
	}
	*j = Job{
		JobID: w.JobID, AccountID: w.AccountID, Region: w.Region, AppID: w.AppID,
		BackendEnvironmentName: w.BackendEnvironmentName, Operation: w.Operation, Status: w.Status,
		Error: w.Error, CreateTime: created, UpdateTime: updated,
	}
	return nil
}

// FinishJob ends one pending job now, with status JobCompleted or JobFailed, and returns it
// as it ended (a COMPLETED job whose preconditions no longer hold ends FAILED). errText is
// the job's Error when it fails (the server words one when it is empty). An unknown job is a
// 404 *Error, one already ended a 409.
func (c *Control) FinishJob(jobID string, status JobStatus, errText string) (*Job, error) {
	var job Job
	if err := c.do(http.MethodPost, "/jobs/"+url.PathEscape(jobID), nil, finishBody{Status: status, Error: errText}, &job); err != nil {
		return nil, err
	}
	return &job, nil
}

// FinishJobs ends every pending job in scope (the zero Scope: all of them) as FinishJob does,
// and returns how many it ended.
func (c *Control) FinishJobs(scope Scope, status JobStatus, errText string) (int, error) {
	var out struct {
		Finished int `json:"finished"`
	}
	body := finishBody{Status: status, Error: errText, AccountID: scope.AccountID, Region: scope.Region, AppID: scope.AppID}
	if err := c.do(http.MethodPost, "/jobs/finish", nil, body, &out); err != nil {
		return 0, err
	}
	return out.Finished, nil
}

// Fault is a fault rule: which AWS requests it matches and what it does to them. Empty match
// fields match everything.
type Fault struct {
	// ID is the server's name for the rule (set by AddFault; ignored when adding).
	ID string
	// Operation is an AWS operation name ("CreateBackend").
	Operation string
	AccountID string
	Region    string
	AppID     string
	// Probability is the chance (0..1] that a matching request is hit; 0 means 1.
	Probability float64
	// Times is how many requests the rule hits before it is gone; 0 means no limit.
	Times int
	// Fired counts the requests the rule has hit (answered by Faults; ignored when adding).
	Fired int
	// Error, when set, is answered in the AWS wire form instead of running the operation.
	Error *FaultError
	// Latency is added before answering.
	Latency time.Duration
	// JobError, when set, lets the operation succeed and ends the job it starts FAILED with
	// this Error.
	JobError string
}

// FaultError is the AWS error a fault answers with, e.g. {429, "TooManyRequestsException",
// "Rate exceeded"}.
type FaultError struct {
	Status  int    `json:"status"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}

type wireFault struct {
	ID          string      `json:"id,omitempty"`
	Operation   string      `json:"operation,omitempty"`
	AccountID   string      `json:"accountId,omitempty"`
	Region      string      `json:"region,omitempty"`
	AppID       string      `json:"appId,omitempty"`
	Probability float64     `json:"probability,omitempty"`
	Times       int         `json:"times,omitempty"`
	Fired       int         `json:"fired,omitempty"`
	Error       *FaultError `json:"error,omitempty"`
	Latency     string      `json:"latency,omitempty"`
	JobError    string      `json:"jobError,omitempty"`
}

// MarshalJSON writes the rule as the control plane reads it.
func (f Fault) MarshalJSON() ([]byte, error) {
	return json.Marshal(wireFault{
		ID: f.ID, Operation: f.Operation, AccountID: f.AccountID, Region: f.Region, AppID: f.AppID,
		Probability: f.Probability, Times: f.Times, Fired: f.Fired, Error: f.Error, Latency: durationString(f.Latency), JobError: f.JobError,
	})
}

// UnmarshalJSON reads the rule as the control plane writes it.
func (f *Fault) UnmarshalJSON(b []byte) error {
	var w wireFault
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	d, err := parseDuration(w.Latency)
	if err != nil {
		return fmt.Errorf("fault %s: latency: %w", w.ID, err)
	}
	*f = Fault{
		ID: w.ID, Operation: w.Operation, AccountID: w.AccountID, Region: w.Region, AppID: w.AppID,
		Probability: w.Probability, Times: w.Times, Fired: w.Fired, Error: w.Error, Latency: d, JobError: w.JobError,
	}
	return nil
}

// AddFault adds a fault rule and returns its id. Rules live in the server process, not in
// the store.
func (c *Control) AddFault(f Fault) (string, error) {
	f.ID, f.Fired = "", 0
	var out Fault
	if err := c.do(http.MethodPost, "/faults", nil, f, &out); err != nil {
		return "", err
	}
	if out.ID == "" {
		return "", errors.New("amplifybackendtest: AddFault: the server answered no id")
	}
	return out.ID, nil
}

// Faults returns the fault rules in force.
func (c *Control) Faults() ([]Fault, error) {
	var out struct {
		Faults []Fault `json:"faults"`
	}
	if err := c.do(http.MethodGet, "/faults", nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Faults, nil
}

// DeleteFault removes one fault rule; an unknown id is a 404 *Error.
func (c *Control) DeleteFault(id string) error {
	return c.do(http.MethodDelete, "/faults/"+url.PathEscape(id), nil, nil, nil)
}

// ClearFaults removes every fault rule.
func (c *Control) ClearFaults() error {
	return c.do(http.MethodDelete, "/faults", nil, nil, nil)
}

// RequestFilter narrows the journal; zero fields match everything, and Limit 0 is the
// server's default.
type RequestFilter struct {
	Operation string
	AppID     string
	Limit     int
}

// Request is one AWS request in the journal. It never holds bodies or secrets.
type Request struct {
	Time       time.Time `json:"time"`
	RequestID  string    `json:"requestId"`
	Operation  string    `json:"operation"`
	AccountID  string    `json:"accountId"`
	Region     string    `json:"region"`
	AppID      string    `json:"appId"`
	Status     int       `json:"status"`
	ErrorCode  string    `json:"errorCode"`
	DurationMs float64   `json:"durationMs"`
	// Fault is the id of the fault rule that hit the request, if one did.
	Fault string `json:"fault"`
}

// Requests returns the journal of AWS requests the server answered, newest first.
func (c *Control) Requests(filter RequestFilter) ([]Request, error) {
	q := url.Values{}
	if filter.Operation != "" {
		q.Set("operation", filter.Operation)
	}
	if filter.AppID != "" {
		q.Set("appId", filter.AppID)
	}
	if filter.Limit > 0 {
		q.Set("limit", strconv.Itoa(filter.Limit))
	}
	var out struct {
		Requests []Request `json:"requests"`
	}
	if err := c.do(http.MethodGet, "/requests", q, nil, &out); err != nil {
		return nil, err
	}
	return out.Requests, nil
}

// ClearRequests empties the journal.
func (c *Control) ClearRequests() error {
	return c.do(http.MethodDelete, "/requests", nil, nil, nil)
}

// do sends one control request to /_amplifybackend/<path> and decodes the answer into out
// (when out is not nil). An answer of 400 or more is an *Error carrying the server's message;
// its body is still decoded into out when it is JSON (health's 503 has a body worth reading).
func (c *Control) do(method, path string, query url.Values, in, out any) error {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	target := strings.TrimRight(c.URL, "/") + "/_amplifybackend" + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("amplifybackendtest: %s %s: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return fmt.Errorf("amplifybackendtest: %w", err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := c.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("amplifybackendtest: %w", err)
	}
	defer resp.Body.Close()
	// Snapshots are the largest answers; 256 MiB is far above any a test makes.
	data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return fmt.Errorf("amplifybackendtest: %s %s: reading the answer: %w", method, path, err)
	}
	if resp.StatusCode >= 400 {
		e := &Error{Method: method, Path: "/_amplifybackend" + path, StatusCode: resp.StatusCode}
		var msg struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(data, &msg) == nil && msg.Message != "" {
			e.Message = msg.Message
		} else {
			e.Message = strings.TrimSpace(string(data))
		}
		if out != nil {
			_ = json.Unmarshal(data, out)
		}
		return e
	}
	if out == nil || len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("amplifybackendtest: %s %s: the answer is not the JSON expected: %w", method, path, err)
	}
	return nil
}
