package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/testenv"
	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/awserr"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/session"
	v4 "github.com/aws/aws-sdk-go/aws/signer/v4"
	"github.com/aws/aws-sdk-go/service/amplifybackend"
)

// End-to-end tests of auth mode sigv4: the real server verifying real aws-sdk-go signatures
// against a credentials file. The boto3 and JavaScript SDK round trips are elsewhere:
// internal/sigv4/testdata/clients (the verifier), e2e/python/test_clients.py and
// e2e/js/node/sigv4.test.js (the built server in sigv4 mode).

// sigKey is one profile of a test credentials file.
type sigKey struct {
	profile, id, secret, account string
}

var (
	sigAlpha = sigKey{"alpha", "AKIAALPHA00000000001", "alpha/Secret+Key0000000000000000000000000", "111111111111"}
	sigBeta  = sigKey{"beta", "AKIABETA000000000002", "beta/Secret+Key00000000000000000000000000", "222222222222"}
	// sigDigits has a 12-digit access key id that is another account's number: in mode sigv4
	// the account is the file's, never the key id.
	sigDigits = sigKey{"digits", "222222222222", "digits/Secret+Key000000000000000000000000", "111111111111"}
	sigDelta  = sigKey{"delta", "AKIADELTA00000000004", "delta/Secret+Key0000000000000000000000000", "444444444444"}
)

// writeCredentials writes keys as an AWS shared-credentials file.
func writeCredentials(t testing.TB, path string, keys ...sigKey) {
	t.Helper()
	var b strings.Builder
	b.WriteString("# amplifybackendd test credentials\n")
	for _, k := range keys {
		b.WriteString("[" + k.profile + "]\naws_access_key_id = " + k.id + "\naws_secret_access_key = " + k.secret + "\naws_account_id = " + k.account + "\nregion = us-east-1\n\n")
	}
	// Write and rename, as an operator's tooling should: a reload never sees half a file.
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// startSigV4Server starts the server in auth mode sigv4 with keys; its clock is frozen at the
// real time, so that the SDK's signatures (made at time.Now) are current.
func startSigV4Server(t *testing.T, opts []func(*Main), keys ...sigKey) (*testServer, string) {
	t.Helper()
	creds := filepath.Join(t.TempDir(), "credentials")
	writeCredentials(t, creds, keys...)
	opts = append([]func(*Main){func(m *Main) {
		m.Config.Auth = "sigv4"
		m.Config.Credentials = creds
	}}, opts...)
	s := startServer(t, opts...)
	s.clock.Advance(time.Since(s.clock.Now()))
	return s, creds
}

// sigClient is an SDK client signing with the given key. It has an http.Client of its own:
// a session on http.DefaultClient rewrites that shared client's transport when AWS_CA_BUNDLE
// is set, a data race between the SIGHUP test's concurrent clients.
func sigClient(url string, creds *credentials.Credentials, region string) *amplifybackend.AmplifyBackend {
	return amplifybackend.New(session.Must(session.NewSession(&aws.Config{
		Endpoint: aws.String(url), Region: aws.String(region), Credentials: creds, MaxRetries: aws.Int(0),
		HTTPClient: &http.Client{},
	})))
}

func (k sigKey) creds() *credentials.Credentials {
	return credentials.NewStaticCredentials(k.id, k.secret, "")
}

// wantAuthError fails unless err is the 403 code with a message containing fragment.
func wantAuthError(t testing.TB, err error, code, fragment string) {
	t.Helper()
	ae := wantCode(t, err, code)
	var rf awserr.RequestFailure
	if !errors.As(err, &rf) || rf.StatusCode() != http.StatusForbidden {
		t.Fatalf("%s: status %v; want 403", code, err)
	}
	if !strings.Contains(ae.Message(), fragment) {
		t.Fatalf("%s message %q; want it to contain %q", code, ae.Message(), fragment)
	}
}

// sigResponse is a raw response: status, X-Amzn-ErrorType and body.
type sigResponse struct {
	status  int
	errType string
	message string
	body    string
}

func sigDo(t testing.TB, req *http.Request) sigResponse {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var e struct {
		Message string `json:"message"`
	}
	json.Unmarshal(body, &e)
	return sigResponse{status: resp.StatusCode, errType: resp.Header.Get("X-Amzn-ErrorType"), message: e.Message, body: string(body)}
}

// signedRequest builds a request signed by k with aws-sdk-go's v1 signer at signTime.
func signedRequest(t testing.TB, base, method, path, body string, k sigKey, region string, signTime time.Time) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if _, err := v4.NewSigner(k.creds()).Sign(req, strings.NewReader(body), "amplifybackend", region, signTime); err != nil {
		t.Fatal(err)
	}
	return req
}

func (r sigResponse) want(t testing.TB, status int, errType, fragment string) {
	t.Helper()
	if r.status != status || r.errType != errType || !strings.Contains(r.message, fragment) {
		t.Fatalf("got %d %q %q (%s); want %d %q with %q", r.status, r.errType, r.message, r.body, status, errType, fragment)
	}
}

func TestSigV4AccountsAndErrors(t *testing.T) {
	s, _ := startSigV4Server(t, nil, sigAlpha, sigBeta, sigDigits)
	alpha := sigClient(s.URL(), sigAlpha.creds(), "us-east-1")
	beta := sigClient(s.URL(), sigBeta.creds(), "us-east-1")
	digits := sigClient(s.URL(), sigDigits.creds(), "us-east-1")

	// The right keys work and act in their file's accounts.
	s.createBackend(alpha, "d1sig", "alpha-app", "dev")
	got, err := alpha.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d1sig"), BackendEnvironmentName: aws.String("dev")})
	if err != nil {
		t.Fatal(err)
	}
	if meta := aws.StringValue(got.AmplifyMetaConfig); !strings.Contains(meta, "arn:aws:iam::"+sigAlpha.account+":role/") {
		t.Fatalf("alpha's app is not in account %s: %s", sigAlpha.account, meta)
	}
	_, err = beta.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d1sig")})
	wantCode(t, err, amplifybackend.ErrCodeNotFoundException)
	s.createBackend(beta, "d1sig", "beta-app", "dev")
	got, err = beta.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d1sig"), BackendEnvironmentName: aws.String("dev")})
	if err != nil || aws.StringValue(got.AppName) != "beta-app" || !strings.Contains(aws.StringValue(got.AmplifyMetaConfig), "arn:aws:iam::"+sigBeta.account+":role/") {
		t.Fatalf("beta's own app: %v, %v", got, err)
	}
	// A key whose id is 12 digits acts in its file's account, not in the account it spells.
	got, err = digits.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d1sig")})
	if err != nil || aws.StringValue(got.AppName) != "alpha-app" {
		t.Fatalf("key %s (account %s in the file) sees %v, %v; want alpha's app", sigDigits.id, sigDigits.account, got, err)
	}
	// The region is the credential scope's: alpha in eu-west-1 sees nothing of us-east-1.
	_, err = sigClient(s.URL(), sigAlpha.creds(), "eu-west-1").GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d1sig")})
	wantCode(t, err, amplifybackend.ErrCodeNotFoundException)

	get := func(c *amplifybackend.AmplifyBackend) error {
		_, err := c.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d1sig")})
		return err
	}
	wrong := sigAlpha
	wrong.secret = "not-" + wrong.secret
	wantAuthError(t, get(sigClient(s.URL(), wrong.creds(), "us-east-1")), "InvalidSignatureException", "signature we calculated does not match")
	wantAuthError(t, get(sigClient(s.URL(), credentials.NewStaticCredentials("AKIAUNKNOWN000000000", sigAlpha.secret, ""), "us-east-1")), "UnrecognizedClientException", "security token included in the request is invalid")
	wantAuthError(t, get(sigClient(s.URL(), credentials.AnonymousCredentials, "us-east-1")), "MissingAuthenticationTokenException", "Missing Authentication Token")
	// A session token (as with AWS_SESSION_TOKEN set) is ignored, not refused.
	if err := get(sigClient(s.URL(), credentials.NewStaticCredentials(sigAlpha.id, sigAlpha.secret, "FwoGZXIvYXdzEXAMPLE"), "us-east-1")); err != nil {
		t.Fatalf("with a session token: %v", err)
	}

	now := s.clock.Now()
	detail := "/backend/d1sig/details"
	t.Run("clock skew", func(t *testing.T) {
		sigDo(t, signedRequest(t, s.URL(), "POST", detail, `{}`, sigAlpha, "us-east-1", now.Add(-14*time.Minute))).want(t, 200, "", "")
		sigDo(t, signedRequest(t, s.URL(), "POST", detail, `{}`, sigAlpha, "us-east-1", now.Add(14*time.Minute))).want(t, 200, "", "")
		sigDo(t, signedRequest(t, s.URL(), "POST", detail, `{}`, sigAlpha, "us-east-1", now.Add(-16*time.Minute))).want(t, 403, "InvalidSignatureException", "expired")
		sigDo(t, signedRequest(t, s.URL(), "POST", detail, `{}`, sigAlpha, "us-east-1", now.Add(16*time.Minute))).want(t, 403, "InvalidSignatureException", "not yet current")
	})
	t.Run("other service", func(t *testing.T) {
		req, _ := http.NewRequest("POST", s.URL()+detail, strings.NewReader(`{}`))
		v4.NewSigner(sigAlpha.creds()).Sign(req, strings.NewReader(`{}`), "amplify", "us-east-1", now)
		sigDo(t, req).want(t, 403, "InvalidSignatureException", "Credential should be scoped to correct service")
	})
	t.Run("tampered", func(t *testing.T) {
		// The body is replaced after signing: same length, another app.
		signed := `{"appId":"d1tamper","appName":"x","backendEnvironmentName":"dev"}`
		evil := `{"appId":"d1evil00","appName":"x","backendEnvironmentName":"dev"}`
		req := signedRequest(t, s.URL(), "POST", "/backend", signed, sigAlpha, "us-east-1", now)
		req.Body = io.NopCloser(strings.NewReader(evil))
		sigDo(t, req).want(t, 403, "InvalidSignatureException", "")
		// The path is replaced after signing.
		req = signedRequest(t, s.URL(), "POST", detail, `{}`, sigAlpha, "us-east-1", now)
		req.URL.Path = "/backend/d1other/details"
		sigDo(t, req).want(t, 403, "InvalidSignatureException", "")
		// A signed header is replaced after signing.
		req = signedRequest(t, s.URL(), "POST", detail, `{}`, sigAlpha, "us-east-1", now)
		req.Header.Set("X-Amz-Date", now.Add(time.Second).UTC().Format("20060102T150405Z"))
		sigDo(t, req).want(t, 403, "InvalidSignatureException", "")
		// The signature is another key's, under alpha's key id.
		req = signedRequest(t, s.URL(), "POST", detail, `{}`, sigBeta, "us-east-1", now)
		req.Header.Set("Authorization", strings.Replace(req.Header.Get("Authorization"), sigBeta.id, sigAlpha.id, 1))
		sigDo(t, req).want(t, 403, "InvalidSignatureException", "")
		if n := s.runJobs(); n != 0 {
			t.Fatalf("refused requests left %d jobs", n)
		}
		for _, app := range []string{"d1tamper", "d1evil00"} {
			_, err := alpha.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String(app)})
			wantCode(t, err, amplifybackend.ErrCodeNotFoundException)
		}
	})
	t.Run("presigned", func(t *testing.T) {
		jobs, err := alpha.ListBackendJobs(&amplifybackend.ListBackendJobsInput{AppId: aws.String("d1sig"), BackendEnvironmentName: aws.String("dev")})
		if err != nil || len(jobs.Jobs) != 1 {
			t.Fatalf("ListBackendJobs: %v, %v", jobs, err)
		}
		jobID := aws.StringValue(jobs.Jobs[0].JobId)
		req, _ := alpha.GetBackendJobRequest(&amplifybackend.GetBackendJobInput{AppId: aws.String("d1sig"), BackendEnvironmentName: aws.String("dev"), JobId: aws.String(jobID)})
		url, err := req.Presign(5 * time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(url, "X-Amz-Signature=") {
			t.Fatalf("not a presigned URL: %s", url)
		}
		hreq, _ := http.NewRequest("GET", url, nil)
		r := sigDo(t, hreq)
		r.want(t, 200, "", "")
		if !strings.Contains(r.body, jobID) {
			t.Fatalf("presigned GetBackendJob answered %s", r.body)
		}
		// Another job id under the same signature is refused.
		hreq, _ = http.NewRequest("GET", strings.Replace(url, jobID, "00000000-0000-4000-8000-000000000000", 1), nil)
		sigDo(t, hreq).want(t, 403, "InvalidSignatureException", "")
		// A presigned URL past its X-Amz-Expires is refused.
		old, _ := http.NewRequest("GET", s.URL()+"/backend/d1sig/job/dev/"+jobID, nil)
		if _, err := v4.NewSigner(sigAlpha.creds()).Presign(old, nil, "amplifybackend", "us-east-1", 5*time.Minute, now.Add(-10*time.Minute)); err != nil {
			t.Fatal(err)
		}
		sigDo(t, old).want(t, 403, "InvalidSignatureException", "expired")
	})
}

// TestSigV4ReloadInProcess checks Main.Reload (what SIGHUP calls) deterministically: new keys
// work at once, removed keys stop working, and a broken file keeps the keys in force.
func TestSigV4ReloadInProcess(t *testing.T) {
	s, creds := startSigV4Server(t, nil, sigAlpha)
	get := func(k sigKey) error {
		_, err := sigClient(s.URL(), k.creds(), "us-east-1").GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d1none")})
		return err
	}
	wantCode(t, get(sigAlpha), amplifybackend.ErrCodeNotFoundException)
	wantCode(t, get(sigDelta), "UnrecognizedClientException")

	writeCredentials(t, creds, sigAlpha, sigDelta)
	if err := s.Reload(); err != nil {
		t.Fatalf("Reload: %v", err)
	}
	wantCode(t, get(sigDelta), amplifybackend.ErrCodeNotFoundException)

	broken := "[alpha]\naws_access_key_id = " + sigAlpha.id + "\naws_secret_access_key " + sigAlpha.secret + "\n"
	if err := os.WriteFile(creds, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	err := s.Reload()
	if err == nil {
		t.Fatal("Reload accepted a broken file")
	}
	if strings.Contains(err.Error(), sigAlpha.secret) {
		t.Errorf("the reload error shows the secret: %v", err)
	}
	if s.Keys.Len() != 2 {
		t.Fatalf("after a failed reload %d keys; want the 2 in force", s.Keys.Len())
	}
	wantCode(t, get(sigAlpha), amplifybackend.ErrCodeNotFoundException)
	wantCode(t, get(sigDelta), amplifybackend.ErrCodeNotFoundException)

	// Revocation: a key taken out of the file stops working after the reload.
	writeCredentials(t, creds, sigDelta)
	if err := s.Reload(); err != nil {
		t.Fatalf("Reload: %v", err)
	}
	wantCode(t, get(sigAlpha), "UnrecognizedClientException")
	wantCode(t, get(sigDelta), amplifybackend.ErrCodeNotFoundException)
}

// TestSigV4SIGHUP runs the built binary: SIGHUP reloads the credentials file; a broken file
// keeps the old keys and the process keeps serving.
func TestSigV4SIGHUP(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: this test builds and runs the binary")
	}
	dir := t.TempDir()
	creds := filepath.Join(t.TempDir(), "credentials")
	writeCredentials(t, creds, sigAlpha)
	p := startProcess(t, "--auth", "sigv4", "--credentials", creds, "--data-dir", dir)
	get := func(k sigKey) error {
		_, err := sigClient(p.url, k.creds(), "us-east-1").GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d1none")})
		return err
	}
	authenticated := func(err error) bool {
		var ae awserr.Error
		return errors.As(err, &ae) && ae.Code() == amplifybackend.ErrCodeNotFoundException
	}
	// until waits for cond: the signal is handled asynchronously.
	until := func(what string, cond func() bool) {
		t.Helper()
		waitFor(t, 10*time.Second, "after SIGHUP: "+what, cond)
	}
	// hup sends SIGHUP and waits until the process has handled it: the reloads it has
	// logged, done or refused, reach one more. Nothing is assumed to have happened.
	reloads := func() int {
		return len(p.log.matching("sigv4 credentials reloaded")) + len(p.log.matching("credentials not reloaded"))
	}
	hup := func() {
		t.Helper()
		before := reloads()
		if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		until("the reload being logged", func() bool { return reloads() > before })
	}
	if err := get(sigAlpha); !authenticated(err) {
		t.Fatalf("alpha before reload: %v", err)
	}
	wantCode(t, get(sigDelta), "UnrecognizedClientException")

	// Reloads while requests are in flight: alpha, in every file, sends from several
	// connections without pause; no request of alpha's may fail while delta comes and goes.
	var (
		stop     = make(chan struct{})
		wg       sync.WaitGroup
		sent     atomic.Int64
		failures = make(chan error, 100)
	)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := sigClient(p.url, sigAlpha.creds(), "us-east-1")
			for {
				select {
				case <-stop:
					return
				default:
				}
				_, err := c.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d1none")})
				sent.Add(1)
				if !authenticated(err) {
					select {
					case failures <- err:
					default:
					}
				}
			}
		}()
	}
	const rounds = 6
	for i := 0; i < rounds; i++ {
		before := sent.Load()
		if i%2 == 0 {
			writeCredentials(t, creds, sigAlpha, sigDelta)
			hup()
			until("the new key working", func() bool { return authenticated(get(sigDelta)) })
		} else {
			writeCredentials(t, creds, sigAlpha)
			hup()
			until("the removed key being refused", func() bool {
				var ae awserr.Error
				return errors.As(get(sigDelta), &ae) && ae.Code() == "UnrecognizedClientException"
			})
		}
		// Requests went on across this reload, not only before the first.
		until("requests during the reload", func() bool { return sent.Load() > before+4 })
	}
	close(stop)
	wg.Wait()
	close(failures)
	for err := range failures {
		t.Errorf("a request in flight across %d reloads failed: %v", rounds, err)
	}
	t.Logf("%d requests across %d reloads", sent.Load(), rounds)

	writeCredentials(t, creds, sigAlpha, sigDelta)
	hup()
	until("the new key working", func() bool { return authenticated(get(sigDelta)) })

	if err := os.WriteFile(creds, []byte("[alpha]\naws_access_key_id = "+sigAlpha.id+"\nthis is not a credentials file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	refused := len(p.log.matching("credentials not reloaded"))
	hup()
	// The broken file was read and refused (hup waited for the log line); both keys keep
	// working and the process serves.
	if got := len(p.log.matching("credentials not reloaded")); got != refused+1 {
		t.Fatalf("the broken reload was not refused: %d refusals logged, want %d:\n%s", got, refused+1, p.log.tail(5))
	}
	if err := get(sigAlpha); !authenticated(err) {
		t.Fatalf("alpha after a broken reload: %v", err)
	}
	if err := get(sigDelta); !authenticated(err) {
		t.Fatalf("delta after a broken reload: %v", err)
	}
	if err := p.cmd.Process.Signal(syscall.Signal(0)); err != nil {
		t.Fatalf("the process is gone after a broken reload: %v", err)
	}
	resp, err := http.Get(p.url + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz after a broken reload: %v %v", resp, err)
	}
	resp.Body.Close()

	// A later good file is still picked up: the key taken out stops working.
	writeCredentials(t, creds, sigDelta)
	hup()
	until("the removed key being refused", func() bool {
		var ae awserr.Error
		return errors.As(get(sigAlpha), &ae) && ae.Code() == "UnrecognizedClientException"
	})
	if err := get(sigDelta); !authenticated(err) {
		t.Fatalf("delta after the last reload: %v", err)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Wait(); err != nil {
		t.Errorf("SIGTERM: %v", err)
	}
}

// TestSigV4SIGHUPAtStartup sends SIGHUP while the binary is still starting (its credentials
// loaded, its store not yet open, nothing served): the process must neither die of it (the
// signal's default action) nor lose it, but serve and then reload.
func TestSigV4SIGHUPAtStartup(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: this test builds and runs the binary")
	}
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	creds := filepath.Join(t.TempDir(), "credentials")
	writeCredentials(t, creds, sigAlpha)
	cmd := exec.Command(bin, "--addr", "127.0.0.1:0", "--log-format", "json", "--auth", "sigv4", "--credentials", creds, "--data-dir", t.TempDir())
	cmd.Env = testenv.Env()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	type logLine struct {
		Msg  string `json:"msg"`
		Addr string `json:"addr"`
	}
	lines := make(chan logLine, 100)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var l logLine
			if json.Unmarshal(sc.Bytes(), &l) == nil {
				lines <- l
			}
		}
	}()
	// next returns the next log line with message msg; the test fails if the process ends.
	next := func(msg string) logLine {
		t.Helper()
		timeout := time.After(30 * time.Second)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					err := cmd.Wait()
					t.Fatalf("the process ended (%v) before logging %q", err, msg)
				}
				if l.Msg == msg {
					return l
				}
			case <-timeout:
				t.Fatalf("no %q in the log", msg)
			}
		}
	}
	next("sigv4 credentials loaded")
	// Opening the store and starting the listener follow; the signal lands among them.
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	url := "http://" + next("amplifybackendd listening").Addr
	next("sigv4 credentials reloaded")
	_, err = sigClient(url, sigAlpha.creds(), "us-east-1").GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d1none")})
	wantCode(t, err, amplifybackend.ErrCodeNotFoundException)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	go func() {
		for range lines {
		}
	}()
	if err := cmd.Wait(); err != nil {
		t.Errorf("SIGTERM: %v", err)
	}
}
