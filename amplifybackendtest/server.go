// Package amplifybackendtest runs the real amplifybackendd inside a Go test, so that code
// which calls the AWS Amplify Admin API (AmplifyBackend) can be tested against it with its
// usual AWS client.
//
// NewServer starts the server on a loopback port with an in-memory store and stops it when
// the test ends; the Server's methods drive its test control plane (/_amplifybackend/):
// reset state, load and save snapshots, hold jobs IN_PROGRESS and end them with a chosen
// status, inject faults, and read the journal of the AWS calls the code made.
//
//	func TestPolling(t *testing.T) {
//		srv := amplifybackendtest.NewServer(t,
//			amplifybackendtest.WithJobSettings(amplifybackendtest.JobSettings{Mode: amplifybackendtest.JobsManual}))
//		client := amplifybackend.New(srv) // aws-sdk-go v1, static test credentials
//		out, err := client.CreateBackend(&amplifybackend.CreateBackendInput{...})
//		...
//		srv.FinishJob(*out.JobId, amplifybackendtest.JobFailed, "quota exceeded")
//		// the code under test polls GetBackendJob and sees FAILED, "quota exceeded"
//	}
//
// A suite that shares one server between its tests starts it with Start in TestMain and
// calls Reset at the start of each test.
//
// The control plane is plain HTTP and JSON, the same for every language (docs/testing.md in
// the repository has recipes for Python and JavaScript); Control is its Go client, also for
// a server started some other way.
package amplifybackendtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/amplifybackendd/amplifybackendd/internal/daemon"
	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/client"
	"github.com/aws/aws-sdk-go/aws/corehandlers"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/defaults"
	"github.com/aws/aws-sdk-go/service/amplifybackend"
)

// Test credentials of the AWS clients a Server makes, unless WithCredentials says otherwise.
// In auth mode any the server reads no secret, and an access key id that is not 12 digits
// acts as account 000000000000.
const (
	TestAccessKeyID     = "AKIDAMPLIFYBACKENDTEST"
	TestSecretAccessKey = "amplifybackendtest-secret"
)

// Server is an amplifybackendd running in this process. srv.URL (of the embedded Control)
// is the endpoint for any AWS client; the embedded Control drives the server's control
// plane; as a client.ConfigProvider, the Server configures aws-sdk-go v1 clients for itself
// (amplifybackend.New(srv)).
type Server struct {
	Control
	// Region is the region of the server (--region) and of the clients it configures.
	Region string

	main      *daemon.Main
	accessKey string
	secretKey string
	tmpDir    string
	closeOnce sync.Once
	closeErr  error
}

// Option adjusts a Server before it starts.
type Option func(*options)

type options struct {
	flags     []string
	jobs      *JobSettings
	state     []byte
	logOutput io.Writer
	accessKey string
	secretKey string
	token     string
}

// WithRegion sets the region of unsigned requests and of the clients the Server configures
// (default us-east-1).
func WithRegion(region string) Option {
	return func(o *options) { o.flags = append(o.flags, "--region", region) }
}

// WithJobSettings sets the job settings before the first request (JobsManual holds every
// job IN_PROGRESS until the test ends it). The default is JobsImmediate.
func WithJobSettings(js JobSettings) Option {
	return func(o *options) { o.jobs = &js }
}

// WithIDSeed makes every id the server draws (job ids, request ids, deployed resource ids)
// come from a generator seeded with seed, so that the same requests in the same order get
// the same ids in every run.
func WithIDSeed(seed uint64) Option {
	return func(o *options) { o.flags = append(o.flags, "--id-seed", fmt.Sprint(seed)) }
}

// WithState loads a snapshot (from Control.State, a fixture file or `amplifybackendd
// export`) before the first request.
func WithState(snapshot []byte) Option {
	return func(o *options) { o.state = bytes.Clone(snapshot) }
}

// WithCredentials sets the keys the Server's AWS clients sign with: in auth mode sigv4
// (WithFlags("--auth", "sigv4", "--credentials", file)) they must be keys of the
// credentials file; in auth mode any, a 12-digit access key id is the account.
func WithCredentials(accessKeyID, secretAccessKey string) Option {
	return func(o *options) { o.accessKey, o.secretKey = accessKeyID, secretAccessKey }
}

// WithAdminToken opens the control plane in auth mode sigv4: the server reads the token from
// an --admin-token-file the Server writes, and the Server's Control sends it.
func WithAdminToken(token string) Option {
	return func(o *options) { o.token = token }
}

// WithLogOutput sends the server's log (level warn unless WithFlags sets --log-level) to w.
// NewServer's default is the test's log (t.Log), Start's is nowhere.
func WithLogOutput(w io.Writer) Option {
	return func(o *options) { o.logOutput = w }
}

// WithFlags passes command-line flags of amplifybackendd (`amplifybackendd -h`), for
// whatever has no option of its own: WithFlags("--job-duration", "2s", "--log-level",
// "info"). Flags are read as the binary reads them, but never from AMPLIFYBACKEND_*
// variables: a test depends on nothing in its environment. --store or --data-dir replace the
// in-memory store.
func WithFlags(args ...string) Option {
	return func(o *options) { o.flags = append(o.flags, args...) }
}

// NewServer starts an amplifybackendd for the test t on a loopback port with an in-memory
// store (--ephemeral: nothing is written to disk), and stops it when the test and its
// subtests end. It fails the test if the server cannot start.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	all := append([]Option{WithLogOutput(testLog{t})}, opts...)
	s, err := Start(all...)
	if err != nil {
		t.Fatalf("amplifybackendtest: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("amplifybackendtest: stop the server: %v", err)
		}
	})
	return s
}

// Start starts an amplifybackendd as NewServer does, for a server that outlives one test
// (started in TestMain, shared by the tests of a package, each of which calls Reset). The
// caller stops it with Close.
func Start(opts ...Option) (*Server, error) {
	o := options{accessKey: TestAccessKeyID, secretKey: TestSecretAccessKey}
	for _, opt := range opts {
		opt(&o)
	}
	s := &Server{accessKey: o.accessKey, secretKey: o.secretKey}
	args := []string{"--addr", "127.0.0.1:0", "--log-level", "warn"}
	if !hasFlag(o.flags, "store", "data-dir") {
		args = append(args, "--ephemeral")
	}
	if o.token != "" {
		dir, err := os.MkdirTemp("", "amplifybackendtest-")
		if err != nil {
			return nil, err
		}
		s.tmpDir = dir
		file := filepath.Join(dir, "admin-token")
		if err := os.WriteFile(file, []byte(o.token+"\n"), 0o600); err != nil {
			s.Close()
			return nil, err
		}
		args = append(args, "--admin-token-file", file)
	}
	args = append(args, o.flags...)
	m := daemon.NewMain()
	// The environment is never read: a test depends only on what it says.
	if err := m.ParseFlags(args, func(string) string { return "" }); err != nil {
		s.Close()
		return nil, fmt.Errorf("flags %q: %w", args, err)
	}
	m.LogOutput = o.logOutput
	if m.LogOutput == nil {
		m.LogOutput = io.Discard
	}
	if err := m.Run(context.Background()); err != nil {
		s.Close()
		return nil, fmt.Errorf("start amplifybackendd: %w", err)
	}
	s.main = m
	s.Region = m.Config.Region
	s.Control = Control{URL: m.URL(), Token: o.token}
	if o.jobs != nil {
		if err := s.SetJobSettings(*o.jobs); err != nil {
			s.Close()
			return nil, err
		}
	}
	if o.state != nil {
		if err := s.LoadState(o.state); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// hasFlag reports whether args set one of the named flags (-name, --name, --name=value).
func hasFlag(args []string, names ...string) bool {
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			continue
		}
		a = strings.TrimLeft(a, "-")
		a, _, _ = strings.Cut(a, "=")
		for _, n := range names {
			if a == n {
				return true
			}
		}
	}
	return false
}

// Close stops the server: it finishes the requests in flight, stops the job runner and drops
// the in-memory store. Closing twice is harmless.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		var errs []error
		if s.main != nil {
			errs = append(errs, s.main.Close())
		}
		if s.tmpDir != "" {
			errs = append(errs, os.RemoveAll(s.tmpDir))
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

// DefaultAccount is the account of requests in auth mode any whose access key id is not 12
// digits, the Server's clients' by default.
const DefaultAccount = "000000000000"

// Account is the account the Server's clients act as in auth mode any: the access key id
// when it is 12 digits (WithCredentials), else DefaultAccount. (In auth mode sigv4 it is the
// aws_account_id of the key in the credentials file, which the Server does not read.)
func (s *Server) Account() string {
	if len(s.accessKey) == 12 && strings.Trim(s.accessKey, "0123456789") == "" {
		return s.accessKey
	}
	return DefaultAccount
}

// AppScope is the Scope of one app of the Server's clients (Account, Region): Reset,
// State and FinishJobs narrowed to it leave every other app alone, so that tests that run in
// parallel on one server, each in apps of its own, can reset what is theirs.
func (s *Server) AppScope(appID string) Scope {
	return Scope{AccountID: s.Account(), Region: s.Region, AppID: appID}
}

// AWSConfig returns the aws-sdk-go v1 configuration of a client of the server: its endpoint,
// its region and the static test credentials. The caller may change the copy it gets.
func (s *Server) AWSConfig() *aws.Config {
	return &aws.Config{
		Endpoint:    aws.String(s.URL),
		Region:      aws.String(s.Region),
		Credentials: credentials.NewStaticCredentials(s.accessKey, s.secretKey, ""),
	}
}

// ClientConfig makes *Server an aws-sdk-go v1 client.ConfigProvider, used in place of a
// session: amplifybackend.New(srv) is a client of the server, and configs given there (a
// Region, Credentials for another account, MaxRetries) apply on top of AWSConfig. Unlike a
// session, it reads nothing from the environment or from ~/.aws: no AWS_* variable or
// profile of the machine running the test can redirect or break the client.
func (s *Server) ClientConfig(serviceName string, cfgs ...*aws.Config) client.Config {
	cfg := defaults.Config().WithRegion("")
	cfg.MergeIn(s.AWSConfig())
	cfg.MergeIn(cfgs...)
	handlers := defaults.Handlers()
	if !aws.BoolValue(cfg.DisableParamValidation) {
		handlers.Validate.PushBackNamed(corehandlers.ValidateParametersHandler)
	}
	region := aws.StringValue(cfg.Region)
	return client.Config{
		Config:        cfg,
		Handlers:      handlers,
		Endpoint:      aws.StringValue(cfg.Endpoint),
		SigningRegion: region,
		PartitionID:   "aws",
	}
}

var _ client.ConfigProvider = (*Server)(nil)

// AmplifyBackend returns an aws-sdk-go v1 AmplifyBackend client of the server:
// amplifybackend.New(s, cfgs...).
func (s *Server) AmplifyBackend(cfgs ...*aws.Config) *amplifybackend.AmplifyBackend {
	return amplifybackend.New(s, cfgs...)
}

// testLog writes the server's log lines to the test's log, where `go test` shows them for a
// test that fails (and with -v).
type testLog struct{ t testing.TB }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
