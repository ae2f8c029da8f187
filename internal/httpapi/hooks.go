package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
)

// The hooks of the test control plane (internal/control implements them; internal/daemon
// wires them). The server knows nothing of rules or rings: it asks Faults whether a fault
// applies to an AWS request, applies what it is told, and hands every AWS request's outcome
// to the Journal. With no hook configured, or no fault rule, an AWS request pays one nil
// check and one atomic load.

// Call is an AWS request as the hooks see it: what a fault rule matches on.
type Call struct {
	Operation string
	Account   string
	Region    string
	// AppID is the request's app: the appId path parameter, or CreateBackend's body member.
	AppID string
}

// Fault is what an injected fault does to one request.
type Fault struct {
	// Rule is the id of the rule that fired, for the journal.
	Rule string
	// Latency is added before anything else happens (the request's cancellation ends it).
	Latency time.Duration
	// Status, when not 0, answers the request with this error in AWS's wire form, Code as
	// X-Amzn-ErrorType, instead of running the operation.
	Status  int
	Code    string
	Message string
	// JobError, when set, lets the operation run; the job it starts ends FAILED with it.
	JobError string
}

// Faults decides whether an injected fault applies to a request.
type Faults interface {
	// Active reports whether any rule exists; it must be cheap (an atomic load): it is asked
	// on every AWS request.
	Active() bool
	// Match returns the fault of the first rule that matches c and fires (its probability
	// drawn, one of its times used).
	Match(c Call) (Fault, bool)
}

// Record is one AWS request's outcome, for the journal.
type Record struct {
	Call
	Time      time.Time
	RequestID string
	Status    int
	ErrorCode string
	Duration  time.Duration
	// Fault is the id of the rule that fired, if any.
	Fault string
}

// Journal keeps the outcomes of AWS requests. Record is called once per request that
// matched an operation, after its answer; it must be cheap and must not keep r's memory
// growing.
type Journal interface {
	Record(r Record)
}

// controlHandler returns the handler of path when it belongs to the control plane (and so
// never to AWS routing), else nil.
func (s *Server) controlHandler(path string) http.Handler {
	switch {
	case path == "/healthz":
		return s.cfg.Health
	case strings.HasPrefix(path, controlPrefix):
		return s.cfg.Control
	}
	return nil
}

const controlPrefix = "/_amplifybackend/"

// needCall reports whether this request's Call is wanted by a hook.
func (s *Server) needCall() bool {
	return s.cfg.Journal != nil || (s.cfg.Faults != nil && s.cfg.Faults.Active())
}

// appID finds the request's app: the appId path parameter, or for CreateBackend (the one
// operation that names its app in the body) the body's appId member.
func appID(rt *route, params []string, body []byte) string {
	for i, name := range rt.op.Params {
		if name == "appId" && i < len(params) {
			return params[i]
		}
	}
	if rt.op.Name == "CreateBackend" && len(body) > 0 {
		var in struct {
			AppID string `json:"appId"`
		}
		if json.Unmarshal(body, &in) == nil {
			return in.AppID
		}
	}
	return ""
}

// injectFault applies the fault that a rule holds for x's request, if any. It returns the
// context to run the operation in, or done when the request has been answered (an error
// fault, or the client left during the latency).
func (s *Server) injectFault(ctx context.Context, x *exchange) (context.Context, bool) {
	f, ok := s.cfg.Faults.Match(x.call)
	if !ok {
		return ctx, false
	}
	x.fault = f.Rule
	s.cfg.Metrics.faultInjected(x.operation, f)
	if f.Latency > 0 {
		// The operation's context outlives the connection (newOperationContext): the wait
		// ends early on the connection's own, when the client leaves.
		t := time.NewTimer(f.Latency)
		select {
		case <-t.C:
		case <-x.conn.Done():
			t.Stop()
			s.writeError(x, x.conn.Err())
			return ctx, true
		}
	}
	if f.Status != 0 {
		s.writeError(x, &statusError{status: f.Status, err: amplify.Error{Code: f.Code, Message: f.Message}})
		return ctx, true
	}
	if f.JobError != "" {
		ctx = amplify.WithJobError(ctx, f.JobError)
	}
	return ctx, false
}

// statusError is an error answered with a status of its own rather than its code's (an
// injected fault chooses both).
type statusError struct {
	status int
	err    amplify.Error
}

func (e *statusError) Error() string { return e.err.Error() }

// record hands x's outcome to the journal.
func (s *Server) record(x *exchange, start time.Time, d time.Duration) {
	s.cfg.Journal.Record(Record{
		Call:      x.call,
		Time:      start,
		RequestID: x.id,
		Status:    x.status(),
		ErrorCode: x.errCode,
		Duration:  d,
		Fault:     x.fault,
	})
}

// serveControl hands a control-plane request to the control handler; the access log shows
// it as operation "control" with the status the handler answered. The handler writes through
// a ResponseWriter of its own (handing &x.w on as an interface would move every request's
// exchange to the heap), whose record is then copied into x.
func (s *Server) serveControl(r *http.Request, x *exchange, h http.Handler) {
	x.operation = "control"
	// Told by the path, not by comparing h with cfg.Control: a handler may be of an
	// uncomparable type (a func), and comparing it would panic.
	if r.Method == http.MethodOptions && strings.HasPrefix(r.URL.Path, controlPrefix) {
		// A browser's preflight (a web console driving the control plane): the CORS answer
		// of the AWS routes, with the methods the control plane has.
		s.cors.preflight(x.w.Header(), r)
		if x.w.Header().Get("Access-Control-Allow-Methods") != "" {
			x.w.Header().Set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS")
		}
		x.w.WriteHeader(http.StatusOK)
		return
	}
	rw := NewResponseWriter(x.w.w)
	h.ServeHTTP(rw, r)
	if rw.status == 0 {
		rw.WriteHeader(http.StatusOK) // the handler wrote nothing: net/http sends 200
	}
	x.w.status, x.w.bytes, x.w.err = rw.status, rw.bytes, rw.err
}
