// Package httpapi serves the AmplifyBackend REST-JSON protocol: it routes a request to its
// operation, authenticates it, decodes and validates it (with the generated code of
// internal/api), calls the domain and encodes the answer or the error as AWS does.
package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/api"
	"github.com/amplifybackendd/amplifybackendd/internal/logging"
)

// DefaultMaxBody is the default request body limit: a TransformSchema can be large.
const DefaultMaxBody = 6 << 20

// Config configures a Server.
type Config struct {
	Service *amplify.Service
	Auth    Authenticator
	Logger  *slog.Logger
	// CORSOrigins lists the origins browsers may call from; "*" allows any.
	CORSOrigins []string
	// MaxBody bounds request bodies (DefaultMaxBody when 0).
	MaxBody int64
	// Ready reports whether the server can serve (/healthz); nil means always.
	Ready func(ctx context.Context) error
	// RateLimit limits each account's request rate; the zero value is off.
	RateLimit RateLimit
	// Now is the clock of the rate limiter (time.Now when nil).
	Now func() time.Time
	// Metrics, when set, counts requests (NewMetrics); nil counts nothing.
	Metrics *Metrics
	// Control, when set, serves the test control plane (internal/control): every path under
	// /_amplifybackend/, before AWS routing and rate limiting. Health, when set, answers
	// /healthz in place of Ready.
	Control http.Handler
	Health  http.Handler
	// Faults and Journal are the control plane's hooks on AWS requests (hooks.go); nil is off.
	Faults  Faults
	Journal Journal
	// NewID draws request ids (x-amzn-RequestId); random UUIDs (newRequestID) when nil.
	// --id-seed makes it deterministic.
	NewID func() string
}

// Server is the http.Handler of the API.
type Server struct {
	cfg      Config
	ops      api.Operations
	router   *router
	cors     cors
	limiters *limiters
	// access is the logger's handler when it is the program's own (internal/logging), which
	// takes the access log's line without building an slog.Record.
	access *logging.Handler
}

// New returns a Server for cfg.
func New(cfg Config) *Server {
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Auth == nil {
		cfg.Auth = AnyAuth{Region: "us-east-1"}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.NewID == nil {
		cfg.NewID = newRequestID
	}
	access, _ := cfg.Logger.Handler().(*logging.Handler)
	return &Server{
		access:   access,
		cfg:      cfg,
		ops:      &operations{svc: cfg.Service},
		router:   newRouter(api.OperationList()),
		cors:     newCORS(cfg.CORSOrigins),
		limiters: newLimiters(cfg.RateLimit, cfg.Now),
	}
}

// exchange is one request's state, shared by the handler, the error renderer and the log
// line. Its ResponseWriter is part of it, and the exchange lives on ServeHTTP's stack, so
// that wrapping the writer costs no allocation. Keep it there: call &x.w's methods, but do not
// hand &x.w on as an interface (an io.Writer, an http.ResponseWriter), which moves the
// exchange to the heap (go build -gcflags=-m shows it).
type exchange struct {
	w         ResponseWriter
	conn      context.Context // the request's: done once the client's connection ends
	id        string
	operation string
	scope     amplify.Scope
	errCode   string
	// routed is set once the request matched an operation; call and fault are for the
	// control plane's hooks (hooks.go).
	routed bool
	call   Call
	fault  string
	// lengthValue is the header value slice setContentLength fills, or nil.
	lengthValue []string
}

// ServeHTTP answers one request. An answer is sent whole or not at all: when there is nothing
// to send (the client is gone), ServeHTTP panics with http.ErrAbortHandler, so that net/http
// closes the connection instead of answering 200 with an empty body. No other panic escapes.
//
// What happens around every request is here, in order: the request id and CORS headers,
// the answer (serve), panic recovery, then the metrics, the access log line and the
// control plane's journal, all read from the exchange (status and bytes as the
// ResponseWriter recorded them).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	s.cfg.Metrics.begin()
	x := &exchange{w: ResponseWriter{w: w}, conn: r.Context(), id: s.cfg.NewID()}
	h := w.Header()
	// The values of x-amzn-RequestId and Content-Length in one allocation (each slice's
	// capacity ends at its value, so that an append to one copies rather than overwrites).
	values := new([2]string)
	values[0] = x.id
	h[hdrRequestID] = values[0:1:1]
	x.lengthValue = values[1:2:2]
	s.cors.apply(h, r)
	defer func() {
		if p := recover(); p != nil {
			s.cfg.Logger.Error("panic serving request", "requestId", x.id, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			if x.w.Status() == 0 {
				s.writeError(x, fmt.Errorf("panic: %v", p))
			}
		}
		end := time.Now()
		d := end.Sub(start)
		s.cfg.Metrics.observe(x.operation, x.status(), d)
		s.logRequest(r, x, end, d)
		if x.routed && s.cfg.Journal != nil {
			s.record(x, start, d)
		}
		if x.w.Status() == 0 {
			// Nothing was sent, because the client is gone (writeError). Returning now would
			// let net/http answer 200 with an empty body to whoever still reads the
			// connection: abort it instead, so that the answer is whole or absent.
			panic(http.ErrAbortHandler)
		}
	}()
	s.serve(x, r)
}

func (s *Server) serve(x *exchange, r *http.Request) {
	if h := s.controlHandler(r.URL.Path); h != nil {
		s.serveControl(r, x, h)
		return
	}
	if r.URL.Path == "/healthz" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		s.healthz(x, r)
		return
	}
	rt, params, known, err := s.router.match(r.Method, escapedPath(r.URL))
	if r.Method == http.MethodOptions && known {
		x.operation = "OPTIONS"
		s.cors.preflight(x.w.Header(), r)
		x.w.WriteHeader(http.StatusOK)
		return
	}
	if rt == nil {
		s.writeError(x, amplify.Errorf(amplify.UnknownOperation, "No operation matches %s %s", r.Method, r.URL.Path))
		return
	}
	x.operation, x.routed, x.call.Operation = rt.op.Name, true, rt.op.Name
	hooked := s.needCall()
	if hooked {
		x.call.AppID = appID(rt, params, nil)
	}
	body, err2 := s.readBody(r)
	if err2 != nil {
		s.writeError(x, err2)
		return
	}
	if hooked && x.call.AppID == "" {
		x.call.AppID = appID(rt, params, body) // CreateBackend names its app in the body
	}
	scope, aerr := s.cfg.Auth.Authenticate(r, body)
	x.scope = scope
	x.call.Account, x.call.Region = scope.Account, scope.Region
	if aerr != nil {
		s.writeError(x, aerr)
		return
	}
	if err := s.limiters.allow(scope.Account); err != nil {
		s.cfg.Metrics.limited(x.operation)
		s.writeError(x, err)
		return
	}
	if err != nil {
		s.writeError(x, err)
		return
	}
	ctx := newOperationContext(r, scope)
	if hooked && s.cfg.Faults != nil && s.cfg.Faults.Active() {
		var done bool
		if ctx, done = s.injectFault(ctx, x); done {
			return
		}
	}
	out, err := rt.op.Invoke(ctx, s.ops, params, body)
	if err != nil {
		s.writeError(x, err)
		return
	}
	// Every output is a generated structure with an AppendJSON method (encode_gen.go):
	// encoding/json's bytes without its reflection.
	if a, ok := out.(interface{ AppendJSON([]byte) ([]byte, error) }); ok {
		// The answer is encoded into a pooled buffer: net/http copies what it is given
		// before Write returns.
		bp := answerBuffers.Get().(*[]byte)
		buf, err := a.AppendJSON((*bp)[:0])
		if err != nil {
			s.writeError(x, fmt.Errorf("encode %s response: %w", rt.op.Name, err))
		} else {
			writeJSON(x, buf)
		}
		if cap(buf) <= maxPooledAnswer { // a large page's buffer is left to the collector
			*bp = buf
			answerBuffers.Put(bp)
		}
		return
	}
	buf, err := json.Marshal(out)
	if err != nil {
		s.writeError(x, fmt.Errorf("encode %s response: %w", rt.op.Name, err))
		return
	}
	writeJSON(x, buf)
}

// answerBuffers hold encoded answers between requests; maxPooledAnswer bounds the capacity
// one keeps (most answers are a few hundred bytes).
var answerBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

const maxPooledAnswer = 16 << 10

// readBody reads the whole body, refusing one over the limit.
func (s *Server) readBody(r *http.Request) ([]byte, error) {
	if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
		return nil, nil // GET and empty POSTs: nothing to read
	}
	if r.ContentLength > s.cfg.MaxBody {
		return nil, tooLarge(s.cfg.MaxBody)
	}
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(r.Body, s.cfg.MaxBody+1))
	if err != nil {
		return nil, amplify.Errorf(amplify.BadRequest, "Could not read the request body: %v", err)
	}
	if n > s.cfg.MaxBody {
		return nil, tooLarge(s.cfg.MaxBody)
	}
	return buf.Bytes(), nil
}

func tooLarge(limit int64) error {
	return amplify.Errorf(amplify.BadRequest, "The request body is larger than the limit of %d bytes.", limit)
}

func (s *Server) healthz(x *exchange, r *http.Request) {
	x.operation = "healthz"
	x.w.Header()[hdrContentType] = jsonContentType
	if s.cfg.Ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.cfg.Ready(ctx); err != nil {
			s.cfg.Logger.Warn("health check failed", "requestId", x.id, "err", err)
			x.w.WriteHeader(http.StatusServiceUnavailable)
			x.w.Write([]byte(`{"status":"unavailable"}`))
			return
		}
	}
	x.w.WriteHeader(http.StatusOK)
	x.w.Write([]byte(`{"status":"ok"}`))
}

// Response header keys in canonical form, assigned directly (Header.Set canonicalizes the key
// on every call). Header names are case-insensitive on the wire.
var (
	hdrRequestID     = http.CanonicalHeaderKey("x-amzn-RequestId")
	hdrContentType   = http.CanonicalHeaderKey("Content-Type")
	hdrContentLength = http.CanonicalHeaderKey("Content-Length")
	hdrErrorType     = http.CanonicalHeaderKey("X-Amzn-ErrorType")
	hdrAllowOrigin   = http.CanonicalHeaderKey("Access-Control-Allow-Origin")
	hdrExposeHeaders = http.CanonicalHeaderKey("Access-Control-Expose-Headers")
	jsonContentType  = []string{"application/json"}
	anyOrigin        = []string{"*"}
	exposeHeaders    = []string{corsExposeHeaders}
)

// statusClientClosed is the access log's status of a request whose client disconnected
// before its answer was ready (no answer is written).
const statusClientClosed = 499

// status is the status sent, or 499 when nothing was: the client was gone.
func (x *exchange) status() int {
	if st := x.w.Status(); st != 0 {
		return st
	}
	return statusClientClosed
}

// logRequest writes the access log line, at end, of a request that took d. It hands the line
// to the logger's handler itself: slog.Logger would first walk the stack for the caller's
// source position, which the line never shows (a fifth of the line's cost). The program's
// own handler (internal/logging) takes the attributes from an array on this stack; any other
// gets an slog.Record.
func (s *Server) logRequest(r *http.Request, x *exchange, end time.Time, d time.Duration) {
	status := x.status()
	level := slog.LevelInfo
	if status >= 500 && x.fault == "" { // an injected fault is not the server's error
		level = slog.LevelError
	}
	h := s.cfg.Logger.Handler()
	ctx := r.Context()
	if !h.Enabled(ctx, level) {
		return
	}
	var array [10]slog.Attr
	attrs := append(array[:0],
		slog.String("requestId", x.id),
		slog.String("method", r.Method),
		slog.String("path", truncate(r.URL.Path, 256)),
		slog.String("operation", x.operation),
		slog.String("account", x.scope.Account),
		slog.String("region", x.scope.Region),
		slog.Int("status", status),
		// Milliseconds with microsecond resolution: the unit is in the key, and the value is
		// a number every log pipeline reads (slog's Duration is "153µs" in text and
		// nanoseconds in JSON).
		slog.Float64("duration_ms", float64(d.Microseconds())/1000),
	)
	if x.errCode != "" {
		attrs = append(attrs, slog.String("errorType", x.errCode))
	}
	if x.fault != "" {
		attrs = append(attrs, slog.String("fault", x.fault))
	}
	if s.access != nil {
		s.access.HandleAttrs(ctx, end, level, "request", attrs)
		return
	}
	rec := slog.NewRecord(end, level, "request", 0)
	rec.AddAttrs(attrs...)
	h.Handle(ctx, rec)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// cors answers browsers: the JS SDK in a web page sends a preflight before every call.
type cors struct {
	any     bool
	origins map[string]bool
}

func newCORS(origins []string) cors {
	c := cors{origins: map[string]bool{}}
	if len(origins) == 0 {
		c.any = true
	}
	for _, o := range origins {
		o = strings.TrimSpace(o)
		if o == "*" {
			c.any = true
		} else if o != "" {
			c.origins[o] = true
		}
	}
	return c
}

const (
	corsExposeHeaders = "x-amzn-RequestId, X-Amzn-ErrorType, x-amzn-ErrorMessage, Date"
	corsAllowHeaders  = "Authorization, Content-Type, X-Amz-Date, X-Amz-Security-Token, X-Amz-Content-Sha256, X-Amz-User-Agent, X-Amz-Target, X-Amzn-Trace-Id, Amz-Sdk-Invocation-Id, Amz-Sdk-Request"
)

// apply adds the CORS headers to the response of a browser's request: one that carries
// Origin (browsers send it on every cross-origin call). Other clients (the SDKs, the CLI)
// never read them, so their responses go without: two headers fewer to build and send.
func (c cors) apply(h http.Header, r *http.Request) {
	origin := headerValue(r.Header, "Origin")
	switch {
	case origin == "":
		return
	case c.any:
		h[hdrAllowOrigin] = anyOrigin
	case origin != "" && c.origins[origin]:
		h[hdrAllowOrigin] = []string{origin}
		h.Add("Vary", "Origin")
	default:
		return
	}
	h[hdrExposeHeaders] = exposeHeaders
}

func (c cors) preflight(h http.Header, r *http.Request) {
	if h.Get("Access-Control-Allow-Origin") == "" {
		return
	}
	h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
	allow := corsAllowHeaders
	if req := r.Header.Get("Access-Control-Request-Headers"); req != "" && len(req) <= 2048 {
		// Browsers list the headers they will send; x-amz-* and amz-sdk-* vary by SDK
		// version, so allow what was asked for on top of the known list.
		allow += ", " + req
	}
	h.Set("Access-Control-Allow-Headers", allow)
	h.Set("Access-Control-Max-Age", "86400")
	h.Set("Content-Length", "0")
}
