// Package daemon is the amplifybackendd program: its configuration (flags and
// AMPLIFYBACKEND_* variables) and the wiring of store, domain, job runner and HTTP server.
// cmd/amplifybackendd runs it as a process; amplifybackendtest runs it inside a Go test.
package daemon

import (
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/control"
	"github.com/amplifybackendd/amplifybackendd/internal/httpapi"
	"github.com/amplifybackendd/amplifybackendd/internal/ids"
	"github.com/amplifybackendd/amplifybackendd/internal/jobs"
	"github.com/amplifybackendd/amplifybackendd/internal/logging"
	"github.com/amplifybackendd/amplifybackendd/internal/modelgen"
	"github.com/amplifybackendd/amplifybackendd/internal/postgres"
	"github.com/amplifybackendd/amplifybackendd/internal/schema"
	"github.com/amplifybackendd/amplifybackendd/internal/sigv4"
	"github.com/amplifybackendd/amplifybackendd/internal/sqlite"
	"github.com/amplifybackendd/amplifybackendd/internal/storemetrics"
	"github.com/amplifybackendd/amplifybackendd/internal/wireconfig"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Config is everything the command line sets.
type Config struct {
	Addr        string
	DataDir     string
	JobDuration time.Duration
	// JobLease is how long a replica's claim on a job lasts: when the replica dies, another
	// runs the job after this long.
	JobLease    time.Duration
	Region      string
	CORSOrigins string
	MaxBody     int64
	LogFormat   string
	LogLevel    string
	TokenTTL    time.Duration
	// S3Buckets lists the buckets that exist before any storage resource, comma-separated:
	// "name" (account 000000000000) or "ACCOUNT:name", all in the region of --region.
	S3Buckets string
	RateLimit float64
	RateBurst int
	// Store is "" for the embedded SQLite database under DataDir, or a PostgreSQL URL.
	Store string
	// Auth is "any" (accept every request) or "sigv4" (verify signatures against Credentials).
	Auth        string
	Credentials string
	// DebugAddr, when set, is where net/http/pprof and /metrics listen, apart from the API.
	DebugAddr string
	// AdminTokenFile holds the bearer token of the test control plane (/_amplifybackend/);
	// without one the control plane is open in auth mode any and off in mode sigv4.
	AdminTokenFile string
	// JournalSize is how many AWS requests the control plane's journal keeps (0: off).
	JournalSize int
	// Ephemeral keeps all state in memory (SQLite's memdb): nothing is written to disk.
	Ephemeral bool
	// Seed is a snapshot file loaded into the store when it is empty.
	Seed string
	// IDSeed, when not empty, is the number (uint64) that seeds every id the server draws.
	IDSeed string

	// Schema bounds what one API job reads (0: no bound); see schema.Limits.
	SchemaMaxBytes  int
	SchemaMaxTypes  int
	SchemaMaxFields int
	SchemaMaxDepth  int
	// JobTimeout and JobMaxMemory (MiB) bound the slow work of one job (0: no bound).
	JobTimeout   time.Duration
	JobMaxMemory int64
	// JobWorkers is how many slow jobs (schema checks, model generation) run at once.
	JobWorkers int
}

// Main is the program: tests create one, set its fields and Run it on 127.0.0.1:0.
type Main struct {
	Config Config
	// flags is the command line ParseFlags defined (for the test of --help's groups).
	flags  *flag.FlagSet
	Logger *slog.Logger
	// Now, when set before Run, replaces the clock everywhere (tests).
	Now func() time.Time
	// LogOutput is where logs go (stderr when nil).
	LogOutput io.Writer
	// ManualJobs, when set before Run, starts no background job runner: tests run due jobs
	// themselves with Runner.RunDue.
	ManualJobs bool
	// TokenSweep is how often expired challenge tokens are deleted (DefaultTokenSweep
	// when 0).
	TokenSweep time.Duration
	// BodyTimeout bounds the reading of a request that has a body, from when its handler
	// starts (DefaultBodyTimeout when 0; tests shorten it).
	BodyTimeout time.Duration

	// Command is "" to serve, or the offline subcommand the command line names: "export"
	// (the snapshot to Output, or standard output) or "import" (Input; Replace a store that
	// is not empty). RunCommand runs it.
	Command string
	Output  string
	Input   string
	Replace bool

	Store   amplify.Store
	Service *amplify.Service
	Runner  *jobs.Runner
	// Keys are the credentials of auth mode sigv4 (nil in mode any).
	Keys *sigv4.Keyring
	// Metrics is the registry /metrics serves: every component's metrics, Go's and the
	// process's.
	Metrics *prometheus.Registry
	// Faults are the control plane's fault rules (this process's own).
	Faults *control.Faults

	logHandler    *logging.Handler // nil when the Logger was given
	listener      net.Listener
	server        *http.Server
	debugListener net.Listener
	debugServer   *http.Server
	stopRunner    context.CancelFunc
	wg            sync.WaitGroup
}

// DefaultTokenSweep is how often expired challenge tokens are deleted: each sweep deletes at
// most 10,000 (amplify.Service.DeleteExpiredTokens), so a sweep is short and the store holds
// the tokens of about one --token-ttl.
const DefaultTokenSweep = time.Minute

// DefaultSchemaMaxBytes is the default of --schema-max-bytes: 4 MiB.
const DefaultSchemaMaxBytes = 4 << 20

// NewMain returns a Main with the default configuration.
func NewMain() *Main {
	return &Main{Config: Config{
		Addr:        "127.0.0.1:4580",
		DataDir:     "./amplifybackend-data",
		JobLease:    30 * time.Second,
		Region:      "us-east-1",
		CORSOrigins: "*",
		MaxBody:     httpapi.DefaultMaxBody,
		LogFormat:   "text",
		LogLevel:    "info",
		TokenTTL:    10 * time.Minute,
		Auth:        "any",

		SchemaMaxBytes:  DefaultSchemaMaxBytes,
		SchemaMaxTypes:  2000,
		SchemaMaxFields: 30000,
		SchemaMaxDepth:  64,
		JobTimeout:      20 * time.Second,
		JobMaxMemory:    256,
		JobWorkers:      1,
		JournalSize:     control.DefaultJournalSize,
	}}
}

// ParseFlags reads the command line; a flag not given there is read from the environment
// variable AMPLIFYBACKEND_<FLAG> (--data-dir: AMPLIFYBACKEND_DATA_DIR). --help prints the
// flags by group and returns flag.ErrHelp; --version returns ErrVersion.
func (m *Main) ParseFlags(args []string, getenv func(string) string) error {
	fs := flag.NewFlagSet("amplifybackendd", flag.ContinueOnError)
	fs.Usage = func() { printUsage(fs.Output(), fs) }
	m.flags = fs
	c := &m.Config
	fs.Bool("version", false, "print the version, commit and Go version, and exit")
	fs.StringVar(&c.Addr, "addr", c.Addr, "address to listen on")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "directory of the SQLite database")
	fs.DurationVar(&c.JobDuration, "job-duration", c.JobDuration, "how long jobs stay IN_PROGRESS before they run (Go duration)")
	fs.DurationVar(&c.JobLease, "job-lease", c.JobLease, "how long a claim on a job lasts; a dead replica's jobs run elsewhere after it (Go duration)")
	fs.StringVar(&c.Region, "region", c.Region, "region of unsigned requests")
	fs.StringVar(&c.CORSOrigins, "cors-origins", c.CORSOrigins, "comma-separated origins browsers may call from, or *")
	fs.Int64Var(&c.MaxBody, "max-body", c.MaxBody, "largest request body in bytes")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "log format: text or json")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "log level: debug, info, warn or error")
	fs.DurationVar(&c.TokenTTL, "token-ttl", c.TokenTTL, "lifetime of challenge tokens (Go duration)")
	fs.Float64Var(&c.RateLimit, "rate-limit", c.RateLimit, "requests per second each account may send (0: no limit)")
	fs.IntVar(&c.RateBurst, "rate-burst", c.RateBurst, "requests an account may send at once above --rate-limit (default: the rate, at least 1)")
	fs.StringVar(&c.Store, "store", c.Store, "a postgres:// URL to share state between replicas (default: SQLite under --data-dir)")
	fs.StringVar(&c.Auth, "auth", c.Auth, "auth mode: any (accept every request) or sigv4 (verify signatures)")
	fs.StringVar(&c.Credentials, "credentials", c.Credentials, "AWS shared-credentials file of the keys sigv4 accepts (each profile with aws_account_id)")
	fs.StringVar(&c.DebugAddr, "debug-addr", c.DebugAddr, "address of a second listener for net/http/pprof and /metrics (default: none); keep it private")
	fs.StringVar(&c.AdminTokenFile, "admin-token-file", c.AdminTokenFile, "file holding the bearer token the test control plane (/_amplifybackend/) requires; needed to open it in auth mode sigv4")
	fs.IntVar(&c.JournalSize, "journal-size", c.JournalSize, "how many AWS requests the control plane's journal keeps (0: no journal)")
	fs.StringVar(&c.S3Buckets, "s3-buckets", c.S3Buckets, "comma-separated pre-existing S3 buckets (name or ACCOUNT:name) in the region of --region, for ListS3Buckets and ImportBackendStorage")
	fs.BoolVar(&c.Ephemeral, "ephemeral", c.Ephemeral, "keep all state in memory: nothing is written to disk, everything is gone at exit")
	fs.StringVar(&c.Seed, "seed", c.Seed, "a state snapshot file to load when the store is empty")
	fs.StringVar(&c.IDSeed, "id-seed", c.IDSeed, "a number that seeds every id the server draws, so that the same requests get the same ids (not with --auth sigv4)")
	if len(args) > 0 && (args[0] == "export" || args[0] == "import") {
		m.Command, args = args[0], args[1:]
		fs.Init("amplifybackendd "+m.Command, flag.ContinueOnError)
		if m.Command == "export" {
			fs.StringVar(&m.Output, "o", "", "write the snapshot to this file (default: standard output)")
		} else {
			fs.BoolVar(&m.Replace, "replace", false, "replace the state of a store that is not empty")
		}
	}
	fs.IntVar(&c.SchemaMaxBytes, "schema-max-bytes", c.SchemaMaxBytes, "largest TransformSchema an API job checks or generates models from, in bytes (0: no limit)")
	fs.IntVar(&c.SchemaMaxTypes, "schema-max-types", c.SchemaMaxTypes, "most type definitions in a TransformSchema (0: no limit)")
	fs.IntVar(&c.SchemaMaxFields, "schema-max-fields", c.SchemaMaxFields, "most fields and enum values in a TransformSchema, all types together (0: no limit)")
	fs.IntVar(&c.SchemaMaxDepth, "schema-max-depth", c.SchemaMaxDepth, "deepest nesting of brackets in a TransformSchema (0: no limit)")
	fs.DurationVar(&c.JobTimeout, "job-timeout", c.JobTimeout, "longest one job may spend checking a schema or generating models (Go duration; 0: no limit)")
	fs.Int64Var(&c.JobMaxMemory, "job-max-memory", c.JobMaxMemory, "most memory one job may take checking a schema or generating models, in MiB (0: no limit)")
	fs.IntVar(&c.JobWorkers, "job-workers", c.JobWorkers, "how many schema checks and model generations run at once, shared fairly by the accounts")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case m.Command == "import" && fs.NArg() == 1:
		m.Input = fs.Arg(0)
	case m.Command == "import":
		return errors.New("import needs one snapshot FILE: amplifybackendd import [--replace] FILE")
	case fs.NArg() > 0:
		return fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || err != nil || f.Name == "o" || f.Name == "replace" {
			return // a subcommand's own flags come from its command line only
		}
		env := "AMPLIFYBACKEND_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v := getenv(env); v != "" {
			if e := f.Value.Set(v); e != nil {
				err = fmt.Errorf("%s=%q: %w", env, v, e)
			}
		}
	})
	if err != nil {
		return err
	}
	// Only the command line asks for the version: AMPLIFYBACKEND_VERSION configures nothing.
	if given["version"] {
		return ErrVersion
	}
	return m.Config.validate()
}

func (c *Config) validate() error {
	switch {
	case c.JobDuration < 0:
		return errors.New("--job-duration must not be negative")
	case c.JobLease <= 0:
		return errors.New("--job-lease must be positive")
	case c.SchemaMaxBytes < 0 || c.SchemaMaxTypes < 0 || c.SchemaMaxFields < 0 || c.SchemaMaxDepth < 0:
		return errors.New("--schema-max-bytes, --schema-max-types, --schema-max-fields and --schema-max-depth must not be negative")
	case c.JobTimeout < 0 || c.JobMaxMemory < 0:
		return errors.New("--job-timeout and --job-max-memory must not be negative")
	case c.JobWorkers <= 0:
		return errors.New("--job-workers must be positive")
	case c.TokenTTL <= 0:
		return errors.New("--token-ttl must be positive")
	case c.MaxBody <= 0:
		return errors.New("--max-body must be positive")
	case c.LogFormat != "text" && c.LogFormat != "json":
		return fmt.Errorf("--log-format must be text or json, not %q", c.LogFormat)
	case c.Region == "":
		return errors.New("--region must not be empty")
	case c.RateLimit < 0 || c.RateBurst < 0:
		return errors.New("--rate-limit and --rate-burst must not be negative")
	case c.Auth != "any" && c.Auth != "sigv4":
		return fmt.Errorf("--auth must be any or sigv4, not %q", c.Auth)
	case c.Auth == "sigv4" && c.Credentials == "":
		return errors.New("--auth sigv4 needs --credentials FILE")
	case c.JournalSize < 0 || c.JournalSize > maxJournalSize:
		return fmt.Errorf("--journal-size must be between 0 and %d", maxJournalSize)
	case c.Store != "" && !strings.HasPrefix(c.Store, "postgres://") && !strings.HasPrefix(c.Store, "postgresql://"):
		return errors.New("--store must be a postgres:// URL (or empty for SQLite under --data-dir)")
	case c.Ephemeral && c.Store != "":
		return errors.New("--ephemeral keeps state in this process's memory; it cannot be combined with --store")
	case c.IDSeed != "" && c.Auth == "sigv4":
		return errors.New("--id-seed cannot be combined with --auth sigv4: predictable ids would make challenge codes guessable")
	}
	if c.IDSeed != "" {
		if _, err := strconv.ParseUint(c.IDSeed, 10, 64); err != nil {
			return fmt.Errorf("--id-seed must be a whole number from 0 to %d, not %q", uint64(math.MaxUint64), c.IDSeed)
		}
	}
	var level slog.Level
	return level.UnmarshalText([]byte(c.LogLevel))
}

// logFlushAfter is how long a log line may wait in the buffer before it reaches stderr
// (warnings and errors never wait): one write(2) for many access-log lines under load.
const logFlushAfter = 100 * time.Millisecond

// logger is slog's text or JSON format through internal/logging. Lines to stderr are
// buffered (logFlushAfter); a LogOutput set by a test gets every line as it is logged.
func (m *Main) logger() *slog.Logger {
	opts := logging.Options{JSON: m.Config.LogFormat == "json"}
	var level slog.Level
	_ = level.UnmarshalText([]byte(m.Config.LogLevel))
	opts.Level = level
	out := m.LogOutput
	if out == nil {
		out = os.Stderr
		opts.FlushAfter = logFlushAfter
	}
	m.logHandler = logging.New(out, opts)
	return slog.New(m.logHandler)
}

// Run opens the store, starts the job runner and starts serving; it returns once the server
// listens (or failed to start).
func (m *Main) Run(ctx context.Context) error {
	if err := m.Config.validate(); err != nil {
		return err
	}
	if m.Logger == nil {
		m.Logger = m.logger()
	}
	buckets, err := parseS3Buckets(m.Config.S3Buckets, m.Config.Region)
	if err != nil {
		return err
	}
	auth, err := m.authenticator()
	if err != nil {
		return err
	}
	adminToken, err := m.adminToken()
	if err != nil {
		return err
	}
	// A bad seed file stops the server before it touches the store.
	var seed *amplify.State
	if m.Config.Seed != "" {
		if seed, err = readSnapshot(m.Config.Seed, "--seed"); err != nil {
			return err
		}
	}
	raw, err := m.openStore(ctx)
	if err != nil {
		return err
	}
	m.Store = raw
	// Everything but Close and the start-up work goes through the measured store.
	store := storemetrics.Wrap(raw)
	jobMetrics := jobs.NewMetrics(store, m.Now)
	httpMetrics := httpapi.NewMetrics()
	m.Metrics = prometheus.NewRegistry()
	m.Metrics.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewBuildInfoCollector(),
		store, jobMetrics, httpMetrics,
	)
	m.Runner = &jobs.Runner{Store: store, Logger: m.Logger, Now: m.Now, Lease: m.Config.JobLease, Workers: m.Config.JobWorkers, Metrics: jobMetrics}
	bounded := m.Config.boundedWork()
	m.Service = &amplify.Service{
		Configs:     wireconfig.Configs{},
		Store:       store,
		Now:         m.Now,
		JobDuration: m.Config.JobDuration,
		TokenTTL:    m.Config.TokenTTL,
		JobAdded:    func(time.Time) { m.Runner.Wake() },
		JobCreated:  m.Runner.Created,
		CheckSchema: func(ctx context.Context, src string) error {
			return bounded(ctx, src, func(ctx context.Context) error { return schema.Check(src) })
		},
		GenerateModels: func(ctx context.Context, src string) (*amplify.GeneratedModels, error) {
			var r *modelgen.Result
			err := bounded(ctx, src, func(ctx context.Context) error {
				var err error
				r, err = modelgen.GenerateContext(ctx, src)
				return err
			})
			if err != nil {
				return nil, err
			}
			return &amplify.GeneratedModels{Models: r.Models, Introspection: r.Introspection}, nil
		},
	}
	m.Runner.Executor = m.Service
	var newRequestID func() string
	if m.Config.IDSeed != "" {
		n, _ := strconv.ParseUint(m.Config.IDSeed, 10, 64) // validated
		m.Service.Rand = ids.New(n, "domain")
		newRequestID = ids.New(n, "request").UUID
	}
	if seed != nil {
		if err := m.loadSeed(ctx, seed); err != nil {
			raw.Close()
			return err
		}
	}
	if err := m.Service.SeedBuckets(ctx, buckets); err != nil {
		raw.Close()
		return fmt.Errorf("--s3-buckets: %w", err)
	}

	ctl, health, faults, journal := m.controlPlane(adminToken)
	var handler *httpapi.Server
	if ctl, err = m.mountConsole(ctl, adminToken, journal, &handler); err != nil {
		store.Close()
		return err
	}
	handler = httpapi.New(httpapi.Config{
		Service:     m.Service,
		Auth:        auth,
		Logger:      m.Logger,
		CORSOrigins: strings.Split(m.Config.CORSOrigins, ","),
		MaxBody:     m.Config.MaxBody,
		Ready:       store.Ping,
		RateLimit:   httpapi.RateLimit{RPS: m.Config.RateLimit, Burst: m.Config.RateBurst},
		Now:         m.Now,
		Metrics:     httpMetrics,
		Control:     ctl,
		Health:      health,
		Faults:      faults,
		Journal:     journal,
		NewID:       newRequestID,
	})
	metrics := promhttp.HandlerFor(m.Metrics, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn)})
	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		raw.Close()
		return err
	}
	ln = handler.Listener(ln) // net/http's own refusals answered in the AWS error form
	if m.Config.DebugAddr != "" {
		if m.debugListener, err = net.Listen("tcp", m.Config.DebugAddr); err != nil {
			ln.Close()
			raw.Close()
			return fmt.Errorf("--debug-addr: %w", err)
		}
		m.debugServer = &http.Server{Handler: debugHandler(metrics), ReadHeaderTimeout: 10 * time.Second}
	}
	m.listener = ln
	var root http.Handler = handler
	if ctl != nil {
		root = consoleRedirect(handler)
	}
	bodyTimeout := m.BodyTimeout
	if bodyTimeout <= 0 {
		bodyTimeout = DefaultBodyTimeout
	}
	m.server = &http.Server{
		Handler:           bodyDeadline(m.mainHandler(root, metrics), bodyTimeout),
		ReadHeaderTimeout: 10 * time.Second,
		// No ReadTimeout: bodyDeadline bounds the reading of a request with a body, and
		// ReadHeaderTimeout the rest. net/http's ReadTimeout set one more read deadline (a
		// runtime timer) for every request, bodiless GETs too: about 1.5% of a GetBackendJob.
		WriteTimeout:   60 * time.Second,
		IdleTimeout:    120 * time.Second,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	runCtx, cancel := context.WithCancel(context.Background())
	m.stopRunner = cancel
	if !m.ManualJobs {
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			m.Runner.Run(runCtx)
		}()
	}
	// The goroutine serves the server it was started with: Close sets m.server to nil, and
	// may run before the goroutine does.
	srv := m.server
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		m.sweepTokens(runCtx)
	}()
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.Logger.Error("serve", "err", err)
		}
	}()
	if m.debugServer != nil {
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			if err := m.debugServer.Serve(m.debugListener); err != nil && !errors.Is(err, http.ErrServerClosed) {
				m.Logger.Error("serve debug", "err", err)
			}
		}()
		m.Logger.Info("debug listener: pprof and /metrics", "addr", m.debugListener.Addr().String())
	}
	m.Logger.Info("amplifybackendd listening", "addr", ln.Addr().String(), "store", m.StoreName(),
		"auth", m.Config.Auth, "jobDuration", m.Config.JobDuration.String(), "region", m.Config.Region)
	return nil
}

// sweepTokens deletes expired challenge tokens every TokenSweep until ctx ends.
func (m *Main) sweepTokens(ctx context.Context) {
	every := m.TokenSweep
	if every <= 0 {
		every = DefaultTokenSweep
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		n, err := m.Service.DeleteExpiredTokens(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			m.Logger.Warn("expired challenge tokens not deleted; the next sweep tries again", "deleted", n, "err", err)
		case n > 0:
			m.Logger.Debug("expired challenge tokens deleted", "deleted", n)
		}
	}
}

// mainHandler is what the API's listener serves: the API, and /metrics in auth mode any.
// In mode sigv4 every request on this listener must be signed, so /metrics is served only
// on --debug-addr (a Prometheus scraper does not sign).
func (m *Main) mainHandler(api http.Handler, metrics http.Handler) http.Handler {
	if m.Config.Auth == "sigv4" {
		return api
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/metrics" {
			metrics.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
}

// DefaultBodyTimeout bounds the reading of a request's body.
const DefaultBodyTimeout = 60 * time.Second

// bodyDeadline sets a read deadline of d on the connection of each request that has a body
// (a Content-Length above 0, or chunked), before h reads it: what http.Server.ReadTimeout
// did for the body, without a timer for requests that have none.
func bodyDeadline(h http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength != 0 && r.Body != nil && r.Body != http.NoBody {
			// An error means the writer cannot set deadlines (a test's recorder): nothing to bound.
			_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(d))
		}
		h.ServeHTTP(w, r)
	})
}

// debugHandler serves --debug-addr: /metrics and net/http/pprof under /debug/pprof/.
func debugHandler(metrics http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics)
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// DebugURL is the base URL of the --debug-addr listener ("" without one).
func (m *Main) DebugURL() string {
	if m.debugListener == nil {
		return ""
	}
	return "http://" + m.debugListener.Addr().String()
}

// maxJournalSize bounds --journal-size: a record is about 200 bytes.
const maxJournalSize = 1_000_000

// adminToken reads --admin-token-file: the token is the file's content without surrounding
// whitespace. The token itself never reaches a log line.
func (m *Main) adminToken() (string, error) {
	if m.Config.AdminTokenFile == "" {
		return "", nil
	}
	b, err := os.ReadFile(m.Config.AdminTokenFile)
	if err != nil {
		return "", fmt.Errorf("--admin-token-file: %w", err)
	}
	token := strings.TrimSpace(string(b))
	if token == "" {
		return "", fmt.Errorf("--admin-token-file %s is empty", m.Config.AdminTokenFile)
	}
	if strings.ContainsAny(token, " \t\r\n") {
		return "", fmt.Errorf("--admin-token-file %s: the token must be one word (no whitespace inside)", m.Config.AdminTokenFile)
	}
	m.Logger.Info("admin token loaded: the control plane requires it", "file", m.Config.AdminTokenFile)
	return token, nil
}

// controlPlane builds the test control plane's handler, the health handler and the hooks on
// AWS requests. What is off is returned as a nil interface, so that httpapi's nil checks see
// it off: the control plane in auth mode sigv4 without an admin token (its paths are then
// unknown AWS routes, indistinguishable from any other), the journal at --journal-size 0.
func (m *Main) controlPlane(token string) (ctl, health http.Handler, faults httpapi.Faults, journal httpapi.Journal) {
	var draw func() float64 // a fault rule's probability: math/rand/v2 unless --id-seed
	if m.Config.IDSeed != "" {
		n, _ := strconv.ParseUint(m.Config.IDSeed, 10, 64) // validated
		src := ids.New(n, "faults")
		draw = func() float64 {
			var b [8]byte
			src.Read(b[:])
			return float64(binary.LittleEndian.Uint64(b[:])>>11) / (1 << 53)
		}
	}
	m.Faults = control.NewFaults(draw)
	var ring *control.Journal
	if m.Config.JournalSize > 0 {
		ring = control.NewJournal(m.Config.JournalSize)
		journal = ring
	}
	now := time.Now
	if m.Now != nil {
		now = m.Now
	}
	kind := "sqlite"
	if m.Config.Store != "" {
		kind = "postgres"
	}
	h := control.New(control.Config{
		Service:    m.Service,
		CheckWrite: m.Store.CheckWrite,
		StoreKind:  kind,
		Ephemeral:  m.Config.Ephemeral,
		Auth:       m.Config.Auth,
		Token:      token,
		StartedAt:  now(),
		Faults:     m.Faults,
		Journal:    ring,
		Logger:     m.Logger,
		Now:        now,
	})
	if h.Open() {
		ctl = h
	}
	return ctl, h, m.Faults, journal
}

// openStore opens PostgreSQL when --store names it (holding the server lock shared, so that
// no offline import runs under it), SQLite in memory with --ephemeral, else SQLite under
// --data-dir.
// boundedWork returns what runs the slow work of a job on a schema within the configured
// limits: a schema over a size limit is refused before any work, the work ends when it runs
// out of time or memory, and the error says which limit and which flag raises it.
func (c *Config) boundedWork() func(ctx context.Context, src string, work func(context.Context) error) error {
	limits := schema.Limits{Bytes: c.SchemaMaxBytes, Types: c.SchemaMaxTypes, Fields: c.SchemaMaxFields, Depth: c.SchemaMaxDepth}
	budget := jobs.Budget{Timeout: c.JobTimeout, Memory: c.JobMaxMemory << 20}
	return func(ctx context.Context, src string, work func(context.Context) error) error {
		err := limits.Check(src)
		if err == nil {
			err = budget.Run(ctx, work)
		}
		var le *schema.LimitError
		var be *jobs.BudgetError
		switch {
		case errors.As(err, &le):
			return fmt.Errorf("%w: raise it with --schema-max-%s", err, le.Limit)
		case errors.As(err, &be) && be.Limit == "time":
			return fmt.Errorf("%w: raise it with --job-timeout", err)
		case errors.As(err, &be):
			return fmt.Errorf("%w: raise it with --job-max-memory", err)
		}
		return err
	}
}

// openStore opens PostgreSQL when --store names it, else SQLite under --data-dir.
func (m *Main) openStore(ctx context.Context) (amplify.Store, error) {
	switch {
	case m.Config.Store != "":
		db, err := postgres.Open(ctx, m.Config.Store)
		if err != nil {
			return nil, err
		}
		if err := db.HoldShared(ctx); err != nil {
			db.Close()
			return nil, err
		}
		return db, nil
	case m.Config.Ephemeral:
		return sqlite.OpenMemory(ctx)
	}
	return sqlite.Open(ctx, m.Config.DataDir)
}

// StoreName says which store serves, for the start-up log: never the password.
func (m *Main) StoreName() string {
	if m.Config.Ephemeral {
		return "sqlite:memory"
	}
	if m.Config.Store == "" {
		return "sqlite:" + m.Config.DataDir
	}
	return postgresName(m.Config.Store)
}

// postgresName shows a PostgreSQL DSN as postgres://USER@HOST:PORT[,HOST:PORT...]/DATABASE,
// read by pgx's own parser, so that every form pgx accepts (URL or key=value, quoted values,
// the password in the userinfo, a password= key or a ?password= parameter, any other
// parameter) shows nothing else. A DSN pgx cannot parse shows as "postgres": its error may
// quote the DSN.
func postgresName(dsn string) string {
	cfg, err := pgconn.ParseConfig(dsn)
	if err != nil {
		return "postgres"
	}
	var hosts []string
	seen := map[string]bool{}
	add := func(host string, port uint16) {
		// sslmode prefer or allow repeats each host, once with TLS and once without.
		hp := net.JoinHostPort(host, strconv.Itoa(int(port)))
		if !seen[hp] {
			seen[hp] = true
			hosts = append(hosts, hp)
		}
	}
	add(cfg.Host, cfg.Port)
	for _, f := range cfg.Fallbacks {
		add(f.Host, f.Port)
	}
	return "postgres://" + cfg.User + "@" + strings.Join(hosts, ",") + "/" + cfg.Database
}

func (m *Main) authenticator() (httpapi.Authenticator, error) {
	if m.Config.Auth != "sigv4" {
		return httpapi.AnyAuth{Region: m.Config.Region}, nil
	}
	keys, err := sigv4.OpenKeyring(m.Config.Credentials)
	if err != nil {
		return nil, err
	}
	m.Keys = keys
	m.Logger.Info("sigv4 credentials loaded", "file", m.Config.Credentials, "keys", keys.Len())
	return httpapi.SigV4Auth{Keys: keys, Now: m.Now}, nil
}

// Reload re-reads the credentials file (SIGHUP). Requests in flight keep the keys they
// started with; a file that does not load leaves the old keys in place.
func (m *Main) Reload() error {
	if m.Keys == nil {
		return nil
	}
	if err := m.Keys.Reload(); err != nil {
		m.Logger.Error("credentials not reloaded; the previous keys stay", "file", m.Config.Credentials, "err", err)
		return err
	}
	m.Logger.Info("sigv4 credentials reloaded", "file", m.Config.Credentials, "keys", m.Keys.Len())
	return nil
}

// parseS3Buckets reads --s3-buckets: comma-separated "name" or "ACCOUNT:name" (ACCOUNT: 12
// digits; default 000000000000), each bucket in region. Names must follow the S3 naming rules.
func parseS3Buckets(list, region string) ([]amplify.Bucket, error) {
	var out []amplify.Bucket
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		account, name := httpapi.DefaultAccount, item
		if a, n, ok := strings.Cut(item, ":"); ok {
			account, name = a, n
			if len(account) != 12 || strings.Trim(account, "0123456789") != "" {
				return nil, fmt.Errorf("--s3-buckets: %q: the account must be 12 digits (ACCOUNT:name)", item)
			}
		}
		if err := amplify.ValidBucketName(name); err != nil {
			return nil, fmt.Errorf("--s3-buckets: bucket %q: %w", name, err)
		}
		out = append(out, amplify.Bucket{Scope: amplify.Scope{Account: account, Region: region}, Name: name})
	}
	return out, nil
}

// URL is the base URL clients use as their endpoint.
func (m *Main) URL() string {
	return "http://" + m.listener.Addr().String()
}

// Close stops accepting, finishes in-flight requests, stops the runner and the token sweeper
// and closes the store.
// Closing twice is harmless.
func (m *Main) Close() error {
	var errs []error
	if m.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		errs = append(errs, m.server.Shutdown(ctx))
		cancel()
		m.server = nil
	}
	if m.debugServer != nil {
		// A CPU profile or trace in progress ends with its connection.
		errs = append(errs, m.debugServer.Close())
		m.debugServer = nil
	}
	if m.stopRunner != nil {
		m.stopRunner()
		m.stopRunner = nil
	}
	m.wg.Wait()
	if m.Store != nil {
		errs = append(errs, m.Store.Close())
		m.Store = nil
	}
	if m.logHandler != nil {
		m.logHandler.Flush() // a log that cannot be written has nowhere to say so
	}
	return errors.Join(errs...)
}

// HTTPServer is the running http.Server (nil before Run and after Close), for tests that check
// its limits.
func (m *Main) HTTPServer() *http.Server { return m.server }
