package main

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"github.com/amplifybackendd/amplifybackendd/internal/daemon"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/sigv4"
	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/request"
	"github.com/aws/aws-sdk-go/service/amplifybackend"
)

// What the server must never write to its log, whatever the level: secret access keys,
// signatures and signing keys, the social providers' client secrets and private keys,
// challenge codes and request bodies. And what it does with clients that send too much or
// too slowly.

// lockedBuffer is an io.Writer the server's goroutines may share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// signatureRE finds the signature of an Authorization header or a presigned URL.
var signatureRE = regexp.MustCompile(`(?:Signature=|X-Amz-Signature=)([0-9a-fA-F]{64})`)

// secretWatch collects the secrets a test sends, to look for them in the log.
type secretWatch struct {
	mu      sync.Mutex
	secrets map[string]string // value -> what it is
}

func (w *secretWatch) add(what, value string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.secrets == nil {
		w.secrets = map[string]string{}
	}
	if value != "" {
		w.secrets[value] = what
	}
}

// watch records the signature of every request c sends (after signing, before sending).
func (w *secretWatch) watch(c *amplifybackend.AmplifyBackend) *amplifybackend.AmplifyBackend {
	c.Handlers.Send.PushFront(func(r *request.Request) {
		for _, m := range signatureRE.FindAllStringSubmatch(r.HTTPRequest.Header.Get("Authorization")+" "+r.HTTPRequest.URL.RawQuery, -1) {
			w.add("the signature of "+r.Operation.Name, m[1])
		}
	})
	return c
}

func TestSecretsNeverLogged(t *testing.T) {
	logs := &lockedBuffer{}
	s, creds := startSigV4Server(t, []func(*Main){func(m *Main) {
		m.Config.LogLevel = "debug"
		m.Config.LogFormat = "json"
		m.LogOutput = logs
	}}, sigAlpha, sigBeta)
	if !s.Logger.Enabled(t.Context(), -4) {
		t.Fatal("the logger is not at debug level")
	}
	w := &secretWatch{}
	for _, k := range []sigKey{sigAlpha, sigBeta} {
		w.add("the secret key of "+k.profile, k.secret)
		day := s.clock.Now().UTC().Format("20060102")
		w.add("the signing key of "+k.profile, hex.EncodeToString(sigv4.SigningKey(k.secret, day, "us-east-1", "amplifybackend")))
	}
	alpha := w.watch(sigClient(s.URL(), sigAlpha.creds(), "us-east-1"))

	s.createBackend(alpha, "d1secret", "secretapp", "dev")
	const (
		googleSecret = "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789"
		fbSecret     = "facebook-app-secret-abcdef0123456789"
		amznSecret   = "amzn1.oa2-cs.v1.login-with-amazon-secret"
		applePKBody  = "MIGTAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBHkwdwIBAQQgSecretAppleKeyMaterial"
		newGoogle    = "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3210"
		bodyMarker   = "body-only-user-pool-name-marker"
	)
	applePK := "-----BEGIN PRIVATE KEY-----\n" + applePKBody + "\n-----END PRIVATE KEY-----"
	for what, v := range map[string]string{"Google's client_secret": googleSecret, "Facebook's client_secret": fbSecret, "Amazon's client_secret": amznSecret, "Apple's private_key": applePKBody, "the rotated client_secret": newGoogle, "a body member": bodyMarker} {
		w.add(what, v)
	}
	auth, err := alpha.CreateBackendAuth(&amplifybackend.CreateBackendAuthInput{
		AppId: aws.String("d1secret"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("secretauth"),
		ResourceConfig: &amplifybackend.CreateBackendAuthResourceConfig{
			AuthResources: aws.String("USER_POOL_ONLY"), Service: aws.String("COGNITO"),
			UserPoolConfigs: &amplifybackend.CreateBackendAuthUserPoolConfig{
				RequiredSignUpAttributes: aws.StringSlice([]string{"EMAIL"}), SignInMethod: aws.String("EMAIL"), UserPoolName: aws.String(bodyMarker),
				OAuth: &amplifybackend.CreateBackendAuthOAuthConfig{
					OAuthGrantType: aws.String("CODE"), OAuthScopes: aws.StringSlice([]string{"OPENID"}),
					RedirectSignInURIs: aws.StringSlice([]string{"https://s.example/in"}), RedirectSignOutURIs: aws.StringSlice([]string{"https://s.example/out"}),
					SocialProviderSettings: &amplifybackend.SocialProviderSettings{
						Google:          &amplifybackend.BackendAuthSocialProviderConfig{ClientId: aws.String("g-id"), ClientSecret: aws.String(googleSecret)},
						Facebook:        &amplifybackend.BackendAuthSocialProviderConfig{ClientId: aws.String("f-id"), ClientSecret: aws.String(fbSecret)},
						LoginWithAmazon: &amplifybackend.BackendAuthSocialProviderConfig{ClientId: aws.String("a-id"), ClientSecret: aws.String(amznSecret)},
						SignInWithApple: &amplifybackend.BackendAuthAppleProviderConfig{ClientId: aws.String("com.example"), KeyId: aws.String("K1"), TeamId: aws.String("T1"), PrivateKey: aws.String(applePK)},
					},
				},
			},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	s.mustComplete(alpha, "d1secret", "dev", auth.JobId)
	// The secrets are stored as given and answered to their owner.
	got, err := alpha.GetBackendAuth(&amplifybackend.GetBackendAuthInput{AppId: aws.String("d1secret"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("secretauth")})
	if err != nil {
		t.Fatal(err)
	}
	if social := got.ResourceConfig.UserPoolConfigs.OAuth.SocialProviderSettings; aws.StringValue(social.Google.ClientSecret) != googleSecret || aws.StringValue(social.SignInWithApple.PrivateKey) != applePK {
		t.Fatalf("GetBackendAuth answers %v", social)
	}
	up, err := alpha.UpdateBackendAuth(&amplifybackend.UpdateBackendAuthInput{
		AppId: aws.String("d1secret"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("secretauth"),
		ResourceConfig: &amplifybackend.UpdateBackendAuthResourceConfig{
			AuthResources: aws.String("USER_POOL_ONLY"), Service: aws.String("COGNITO"),
			UserPoolConfigs: &amplifybackend.UpdateBackendAuthUserPoolConfig{OAuth: &amplifybackend.UpdateBackendAuthOAuthConfig{
				SocialProviderSettings: &amplifybackend.SocialProviderSettings{Google: &amplifybackend.BackendAuthSocialProviderConfig{ClientId: aws.String("g-id"), ClientSecret: aws.String(newGoogle)}},
			}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	s.mustComplete(alpha, "d1secret", "dev", up.JobId)

	for i := 0; i < 3; i++ {
		tok, err := alpha.CreateToken(&amplifybackend.CreateTokenInput{AppId: aws.String("d1secret")})
		if err != nil {
			t.Fatal(err)
		}
		w.add("a challenge code", aws.StringValue(tok.ChallengeCode))
		again, err := alpha.GetToken(&amplifybackend.GetTokenInput{AppId: aws.String("d1secret"), SessionId: tok.SessionId})
		if err != nil || aws.StringValue(again.ChallengeCode) != aws.StringValue(tok.ChallengeCode) {
			t.Fatalf("GetToken: %v, %v", again, err)
		}
	}
	// A presigned URL carries its signature in the query.
	jobs, err := alpha.ListBackendJobs(&amplifybackend.ListBackendJobsInput{AppId: aws.String("d1secret"), BackendEnvironmentName: aws.String("dev")})
	if err != nil || len(jobs.Jobs) == 0 {
		t.Fatalf("ListBackendJobs: %v, %v", jobs, err)
	}
	preq, _ := alpha.GetBackendJobRequest(&amplifybackend.GetBackendJobInput{AppId: aws.String("d1secret"), BackendEnvironmentName: aws.String("dev"), JobId: jobs.Jobs[0].JobId})
	url, err := preq.Presign(5 * time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range signatureRE.FindAllStringSubmatch(url, -1) {
		w.add("a presigned URL's signature", m[1])
	}
	hreq, _ := http.NewRequest("GET", url, nil)
	sigDo(t, hreq).want(t, 200, "", "")

	// Bad signatures: a wrong secret (whose signature the server compares with its own), a
	// key of another account signing under alpha's id, and a tampered body.
	wrong := sigAlpha
	wrong.secret = "wrong/" + sigAlpha.secret
	w.add("a wrong secret", wrong.secret)
	_, err = w.watch(sigClient(s.URL(), wrong.creds(), "us-east-1")).GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d1secret")})
	wantCode(t, err, "InvalidSignatureException")
	now := s.clock.Now()
	forged := signedRequest(t, s.URL(), "POST", "/backend/d1secret/details", `{}`, sigBeta, "us-east-1", now)
	forged.Header.Set("Authorization", strings.Replace(forged.Header.Get("Authorization"), sigBeta.id, sigAlpha.id, 1))
	for _, m := range signatureRE.FindAllStringSubmatch(forged.Header.Get("Authorization"), -1) {
		w.add("a forged signature", m[1])
	}
	sigDo(t, forged).want(t, 403, "InvalidSignatureException", "")
	tampered := signedRequest(t, s.URL(), "POST", "/backend", `{"appId":"d1tamper","appName":"x","backendEnvironmentName":"dev"}`, sigAlpha, "us-east-1", now)
	for _, m := range signatureRE.FindAllStringSubmatch(tampered.Header.Get("Authorization"), -1) {
		w.add("a tampered request's signature", m[1])
	}
	tampered.Body = io.NopCloser(strings.NewReader(`{"appId":"d1evil00","appName":"x","backendEnvironmentName":"dev"}`))
	sigDo(t, tampered).want(t, 403, "InvalidSignatureException", "")

	// A credentials file that does not load is logged without its secrets.
	const newSecret = "reload/Secret+Never+Logged0000000000000"
	w.add("a secret of a broken credentials file", newSecret)
	broken := "[gamma]\naws_access_key_id = AKIAGAMMA0000000003\naws_secret_access_key = " + newSecret + "\naws_account_id = 33333333333x\n"
	if err := os.WriteFile(creds, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.Reload(); err == nil {
		t.Fatal("a broken credentials file loaded")
	}

	out := logs.String()
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.secrets) < 20 {
		t.Fatalf("only %d secrets were collected; the test did not see what it sent", len(w.secrets))
	}
	for value, what := range w.secrets {
		for _, v := range []string{value, strings.ToLower(value), strings.ToUpper(value)} {
			if strings.Contains(out, v) {
				t.Errorf("the log shows %s (%q)", what, value)
			}
		}
	}
	// The log is what the test thinks it is: JSON lines, one access line per request, the
	// refused ones with their error type, the failed reload.
	var requests, refused int
	var reloadFailed bool
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("not a JSON log line: %q", sc.Text())
		}
		switch line["msg"] {
		case "request":
			requests++
			if line["errorType"] == "InvalidSignatureException" {
				refused++
			}
		case "credentials not reloaded; the previous keys stay":
			reloadFailed = true
		}
	}
	if requests < 15 || refused != 3 || !reloadFailed {
		t.Fatalf("the log has %d request lines (%d refused signatures), reload failure logged: %v; want >= 15, 3, true:\n%s", requests, refused, reloadFailed, out)
	}
}

// TestSecretsHostileConnections: clients that send too much, or too slowly, are cut off by
// net/http's limits before any authentication (here in auth mode sigv4, as when shared).
func TestSecretsHostileConnections(t *testing.T) {
	const maxBody = 4 << 10
	s, _ := startSigV4Server(t, []func(*Main){func(m *Main) { m.Config.MaxBody = maxBody }}, sigAlpha)

	t.Run("server limits", func(t *testing.T) {
		srv := s.HTTPServer()
		if srv == nil {
			t.Fatal("no http.Server")
		}
		want := map[string][2]any{
			"ReadHeaderTimeout": {srv.ReadHeaderTimeout, 10 * time.Second},
			// The body's 60 s are set per request that has one (TestSecretsSlowBody).
			"ReadTimeout":    {srv.ReadTimeout, time.Duration(0)},
			"body timeout":   {daemon.DefaultBodyTimeout, 60 * time.Second},
			"WriteTimeout":   {srv.WriteTimeout, 60 * time.Second},
			"IdleTimeout":    {srv.IdleTimeout, 120 * time.Second},
			"MaxHeaderBytes": {srv.MaxHeaderBytes, 64 << 10},
		}
		for name, v := range want {
			if v[0] != v[1] {
				t.Errorf("http.Server.%s = %v; docs/security.md says %v", name, v[0], v[1])
			}
		}
	})
	t.Run("slow headers", func(t *testing.T) {
		t.Parallel()
		// Slowloris: the header arrives a byte at a time and never ends. ReadHeaderTimeout
		// bounds the whole header, however steadily it trickles.
		conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL(), "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		start := time.Now()
		if _, err := io.WriteString(conn, "POST /backend HTTP/1.1\r\nHost: x\r\n"); err != nil {
			t.Fatal(err)
		}
		closed := make(chan time.Duration, 1)
		go func() {
			buf := make([]byte, 512)
			conn.SetReadDeadline(time.Now().Add(30 * time.Second))
			for {
				n, err := conn.Read(buf)
				// net/http may say why it hangs up (400 or 408, Connection: close).
				if n > 0 && !strings.HasPrefix(string(buf[:n]), "HTTP/1.1 400") && !strings.HasPrefix(string(buf[:n]), "HTTP/1.1 408") {
					t.Errorf("the server answered a request whose header never ended: %q", buf[:n])
				}
				if err != nil {
					var ne net.Error
					if errors.As(err, &ne) && ne.Timeout() {
						t.Error("the server kept the connection open for 30 s")
					}
					closed <- time.Since(start)
					return
				}
			}
		}()
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case d := <-closed:
				if d < 9*time.Second || d > 15*time.Second {
					t.Fatalf("the connection closed after %v; want about the 10 s ReadHeaderTimeout", d)
				}
				return
			case <-tick.C:
				conn.Write([]byte("X")) // an endless header name
			}
		}
	})
	t.Run("huge header", func(t *testing.T) {
		req, _ := http.NewRequest("GET", s.URL()+"/healthz", nil)
		req.Header.Set("X-Filler", strings.Repeat("a", 100<<10))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge || resp.Header.Get("X-Amzn-ErrorType") != "BadRequestException" {
			t.Fatalf("a 100 KiB header: status %d %q; want 431 BadRequestException", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"))
		}
		// A header within the limit is served.
		req.Header.Set("X-Filler", strings.Repeat("a", 60<<10))
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("a 60 KiB header: status %d; want 200", resp.StatusCode)
		}
	})
	t.Run("body over --max-body", func(t *testing.T) {
		big := `{"appId":"d1big","appName":"x","backendEnvironmentName":"dev","pad":"` + strings.Repeat("p", maxBody) + `"}`
		// Unsigned: the body is refused before the signature is looked at.
		resp, body := s.raw("POST", "/backend", big, nil)
		if resp.StatusCode != 400 || resp.Header.Get("X-Amzn-ErrorType") != "BadRequestException" || !strings.Contains(body, "larger than the limit of 4096 bytes") {
			t.Fatalf("body over the limit: %d %s %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), body)
		}
		// Chunked, without a Content-Length, and signed: the same.
		req := signedRequest(t, s.URL(), "POST", "/backend", big, sigAlpha, "us-east-1", s.clock.Now())
		req.ContentLength = -1
		req.Body = io.NopCloser(io.MultiReader(strings.NewReader(big)))
		r := sigDo(t, req)
		r.want(t, 400, "BadRequestException", "larger than the limit")
		// A body of a few MiB streamed to a 4 KiB limit is cut off, not buffered.
		req = signedRequest(t, s.URL(), "POST", "/backend", "", sigAlpha, "us-east-1", s.clock.Now())
		req.ContentLength = -1
		req.Body = io.NopCloser(io.LimitReader(zeros{}, 64<<20))
		start := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 400 {
				t.Fatalf("a 64 MiB stream: status %d; want 400", resp.StatusCode)
			}
		}
		if d := time.Since(start); d > 20*time.Second {
			t.Fatalf("a 64 MiB stream took %v to refuse", d)
		}
		if n := s.runJobs(); n != 0 {
			t.Fatalf("refused bodies left %d jobs", n)
		}
	})
}

// TestSecretsSlowBody: a body that trickles in is cut off once the body timeout (60 s by
// default, 2 s here) has passed since its request began, however steadily it trickles; a
// request whose body arrives in time is served.
func TestSecretsSlowBody(t *testing.T) {
	s, _ := startSigV4Server(t, []func(*Main){func(m *Main) { m.BodyTimeout = 2 * time.Second }}, sigAlpha)
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	if _, err := io.WriteString(conn, "POST /backend HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"); err != nil {
		t.Fatal(err)
	}
	closed := make(chan time.Duration, 1)
	go func() {
		buf := make([]byte, 4096)
		conn.SetReadDeadline(time.Now().Add(30 * time.Second))
		for {
			if _, err := conn.Read(buf); err != nil {
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					t.Error("the server kept reading a trickling body for 30 s")
				}
				closed <- time.Since(start)
				return
			}
		}
	}()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case d := <-closed:
			if d < 1500*time.Millisecond || d > 15*time.Second {
				t.Fatalf("the connection closed after %v; want about the 2 s body timeout", d)
			}
			// The next request, with its body sent at once, is served as usual.
			if resp, _ := s.raw("POST", "/backend", `{}`, nil); resp.StatusCode == 0 || resp.StatusCode >= 500 {
				t.Fatalf("a request after the cut-off one: status %d", resp.StatusCode)
			}
			return
		case <-tick.C:
			conn.Write([]byte(" ")) // JSON whitespace, forever
		}
	}
}

// zeros is an endless reader of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
