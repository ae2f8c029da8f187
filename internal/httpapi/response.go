package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/api"
)

// ResponseWriter is the http.ResponseWriter every answer of the Server is written through. It
// records the status and the number of body bytes actually written, as Tailscale's tsweb
// loggingResponseWriter does, so that the access log (and any middleware that wraps the
// Server's handler: metrics, the request journal) reports what the client was sent rather
// than what a handler meant to send. Nothing sets a status by hand.
//
// The first WriteHeader (or the first Write, which implies 200) fixes the status; a later
// WriteHeader is ignored, as net/http ignores it. Informational 1xx statuses pass through
// without fixing it.
type ResponseWriter struct {
	w      http.ResponseWriter
	status int
	bytes  int64
	err    error
}

// NewResponseWriter returns a ResponseWriter writing to w.
func NewResponseWriter(w http.ResponseWriter) *ResponseWriter {
	return &ResponseWriter{w: w}
}

// Header returns the response header.
func (rw *ResponseWriter) Header() http.Header { return rw.w.Header() }

// WriteHeader sends the status line and the header, once.
func (rw *ResponseWriter) WriteHeader(code int) {
	if rw.status != 0 {
		return
	}
	if code >= 200 {
		rw.status = code
	}
	rw.w.WriteHeader(code)
}

// Write writes body bytes, sending status 200 first if no status was sent.
func (rw *ResponseWriter) Write(p []byte) (int, error) {
	if rw.status == 0 {
		rw.WriteHeader(http.StatusOK)
	}
	n, err := rw.w.Write(p)
	rw.bytes += int64(n)
	if err != nil && rw.err == nil {
		rw.err = err
	}
	return n, err
}

// Status is the status sent, or 0 if none was sent yet.
func (rw *ResponseWriter) Status() int { return rw.status }

// Written is the number of body bytes written.
func (rw *ResponseWriter) Written() int64 { return rw.bytes }

// Err is the first error a Write returned (the client went away), or nil.
func (rw *ResponseWriter) Err() error { return rw.err }

// Unwrap returns the underlying ResponseWriter, for http.ResponseController.
func (rw *ResponseWriter) Unwrap() http.ResponseWriter { return rw.w }

// writeJSON answers 200 with a JSON body.
func writeJSON(x *exchange, body []byte) {
	h := x.w.Header()
	h[hdrContentType] = jsonContentType
	x.setContentLength(h, len(body))
	x.w.WriteHeader(http.StatusOK)
	x.w.Write(body)
}

// setContentLength sets the Content-Length header to n, in the slot ServeHTTP allocated with
// the request id's (x.lengthValue) when there is one.
func (x *exchange) setContentLength(h http.Header, n int) {
	v := x.lengthValue
	if v == nil {
		v = make([]string, 1)
	}
	if n < len(smallLengths) {
		v[0] = smallLengths[n]
	} else {
		v[0] = strconv.Itoa(n)
	}
	h[hdrContentLength] = v
}

// smallLengths[n] is strconv.Itoa(n): most answers are under 1 KiB, and their Content-Length
// then costs no formatting and no allocation.
var smallLengths = func() (t [1024]string) {
	for n := range t {
		t[n] = strconv.Itoa(n)
	}
	return t
}()

// errorStatus maps the codes that are not modeled exceptions to their HTTP status.
var errorStatus = map[string]int{
	amplify.NotImplemented:             http.StatusNotImplemented,
	amplify.UnknownOperation:           http.StatusNotFound,
	amplify.Unavailable:                http.StatusServiceUnavailable,
	amplify.MissingAuthenticationToken: http.StatusForbidden,
	amplify.UnrecognizedClient:         http.StatusForbidden,
	amplify.InvalidSignature:           http.StatusForbidden,
}

// writeError is the one error renderer: it answers err as AWS answers errors, with the
// exception's status, X-Amzn-ErrorType and a JSON body with message and the exception's other
// members, and records the code in x for the log. Anything that is not an *amplify.Error is an
// internal failure whose cause goes to the log, not to the client.
func (s *Server) writeError(x *exchange, err error) {
	if errors.Is(err, context.Canceled) && x.conn.Err() != nil {
		// The client went away (the request's context ends when its connection closes):
		// nobody reads an answer, and it is not the service's failure. Nothing is written
		// (ServeHTTP then aborts the connection), and the access log shows nginx's 499
		// "client closed request".
		x.errCode = "ClientClosedRequest"
		return
	}
	var e *amplify.Error
	var status int
	var ok bool
	if se := (*statusError)(nil); errors.As(err, &se) {
		e, status, ok = &se.err, se.status, true // an injected fault chooses both
	} else if !errors.As(err, &e) || e.Code == amplify.Internal {
		s.cfg.Logger.Error("internal error", "requestId", x.id, "operation", x.operation, "err", err)
		e = &amplify.Error{Code: amplify.Internal, Message: "An internal error occurred. Request id: " + x.id}
	} else if e.Code == amplify.Unavailable {
		// The client reads the kind of failure; the driver's words (which may name a file or
		// a host) go to the log only.
		s.cfg.Logger.Warn("store unavailable", "requestId", x.id, "operation", x.operation, "err", err)
	}
	if !ok {
		status, ok = api.ExceptionStatus(e.Code)
	}
	if !ok {
		status, ok = errorStatus[e.Code]
	}
	if !ok {
		status = http.StatusInternalServerError
	}
	body := struct {
		Message      string `json:"message"`
		ResourceType string `json:"resourceType,omitempty"`
		LimitType    string `json:"limitType,omitempty"`
	}{e.Message, e.ResourceType, e.LimitType}
	buf, _ := json.Marshal(body)
	h := x.w.Header()
	h[hdrContentType] = jsonContentType
	h[hdrErrorType] = []string{e.Code}
	x.setContentLength(h, len(buf))
	x.errCode = e.Code
	x.w.WriteHeader(status)
	x.w.Write(buf)
}
