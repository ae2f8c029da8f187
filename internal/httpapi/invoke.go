package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/api"
)

// Invoke runs the AWS operation named operation in scope for a caller inside the process
// (the console, internal/console), as if the request had come over HTTP: body is the
// operation's JSON body and params its path parameters in route order; the generated code
// decodes and validates them, a fault rule that matches fires, and the metrics and the journal
// count the call under the operation's name (the per-account rate limit does not apply: the
// console's user is the operator). The answer is the operation's generated response
// structure; errors are what the HTTP client would get (*amplify.Error, or an injected
// fault's error).
func (s *Server) Invoke(ctx context.Context, scope amplify.Scope, operation string, params []string, body []byte) (out any, err error) {
	var op *api.Operation
	for _, o := range api.OperationList() {
		if o.Name == operation {
			op = &o
			break
		}
	}
	if op == nil {
		return nil, fmt.Errorf("invoke: no operation %q", operation)
	}
	start := time.Now()
	x := &exchange{id: s.cfg.NewID(), operation: op.Name, scope: scope, routed: true, conn: ctx}
	x.call = Call{Operation: op.Name, Account: scope.Account, Region: scope.Region}
	x.call.AppID = appID(&route{op: *op}, params, body)
	s.cfg.Metrics.begin()
	defer func() {
		status := http.StatusOK
		if err != nil {
			status, x.errCode = errorOutcome(err)
		}
		s.cfg.Metrics.observe(op.Name, status, time.Since(start))
		if s.cfg.Journal == nil {
			return
		}
		s.cfg.Journal.Record(Record{Call: x.call, Time: start, RequestID: x.id, Status: status,
			ErrorCode: x.errCode, Duration: time.Since(start), Fault: x.fault})
	}()
	ctx = WithScope(ctx, scope)
	if s.cfg.Faults != nil && s.cfg.Faults.Active() {
		if f, ok := s.cfg.Faults.Match(x.call); ok {
			x.fault = f.Rule
			if f.Latency > 0 {
				t := time.NewTimer(f.Latency)
				select {
				case <-t.C:
				case <-ctx.Done():
					t.Stop()
					return nil, ctx.Err()
				}
			}
			if f.Status != 0 {
				return nil, &statusError{status: f.Status, err: amplify.Error{Code: f.Code, Message: f.Message}}
			}
			if f.JobError != "" {
				ctx = amplify.WithJobError(ctx, f.JobError)
			}
		}
	}
	return op.Invoke(ctx, s.ops, params, body)
}

// errorOutcome is the status and error code an HTTP client would have got for err.
func errorOutcome(err error) (int, string) {
	if errors.Is(err, context.Canceled) {
		return statusClientClosed, "ClientClosedRequest"
	}
	if se := (*statusError)(nil); errors.As(err, &se) {
		return se.status, se.err.Code
	}
	var e *amplify.Error
	if !errors.As(err, &e) || e.Code == amplify.Internal {
		return http.StatusInternalServerError, amplify.Internal
	}
	if status, ok := api.ExceptionStatus(e.Code); ok {
		return status, e.Code
	}
	if status, ok := errorStatus[e.Code]; ok {
		return status, e.Code
	}
	return http.StatusInternalServerError, e.Code
}
