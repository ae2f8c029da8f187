package main

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/amplifybackend"
)

// The console (internal/console) through HTTP as a browser uses it: a cookie jar, forms with
// their CSRF token, redirects not followed so that each answer can be checked.

const consolePath = "/_amplifybackend/console"

type browser struct {
	t    *testing.T
	s    *testServer
	http *http.Client
	csrf string
}

type page struct {
	status int
	header http.Header
	body   string
	where  string // Location of a redirect
}

func newBrowser(t *testing.T, s *testServer) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, s: s, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([0-9a-f]{64})"`)

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.http.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	p := page{status: resp.StatusCode, header: resp.Header, body: string(body), where: resp.Header.Get("Location")}
	if m := csrfRE.FindStringSubmatch(p.body); m != nil {
		b.csrf = m[1]
	}
	return p
}

func (b *browser) get(path string) page {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.s.URL()+path, nil)
	req.Header.Set("Accept", "text/html")
	return b.do(req)
}

// post sends a form with the page's CSRF token (unless the form sets csrf itself).
func (b *browser) post(path string, form url.Values, header ...string) page {
	b.t.Helper()
	if !form.Has("csrf") {
		form.Set("csrf", b.csrf)
	}
	req, _ := http.NewRequest("POST", b.s.URL()+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return b.do(req)
}

func (p page) want(t *testing.T, status int, fragments ...string) {
	t.Helper()
	if p.status != status {
		t.Fatalf("status %d, want %d; body:\n%.3000s", p.status, status, p.body)
	}
	for _, f := range fragments {
		if !strings.Contains(p.body, f) {
			t.Fatalf("the page lacks %q; body:\n%.4000s", f, p.body)
		}
	}
}

const scopeQ = "?account=000000000000&region=us-east-1"

func TestConsoleRedirectAndHeaders(t *testing.T) {
	s := startServer(t)
	b := newBrowser(t, s)
	if p := b.get("/"); p.status != http.StatusSeeOther || p.where != consolePath+"/" {
		t.Fatalf("GET / (text/html) = %d %q; want a redirect to the console", p.status, p.where)
	}
	// An API client asking for / still gets the AWS error, not a page.
	req, _ := http.NewRequest("GET", s.URL()+"/", nil)
	if p := b.do(req); p.status != 404 || p.header.Get("X-Amzn-ErrorType") != "UnknownOperationException" {
		t.Fatalf("GET / without text/html = %d %v", p.status, p.header)
	}
	p := b.get(consolePath + "/")
	p.want(t, 200, "Overview", "No apps yet")
	csp := p.header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP = %q", csp)
	}
	if strings.Contains(p.body, "<script>") || regexp.MustCompile(`<script[^>]*>[^<]`).MatchString(p.body) || strings.Contains(p.body, " style=") {
		t.Errorf("the page has inline script or style")
	}
	if p.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("a console page allows other origins: %v", p.header)
	}
	var csrf *http.Cookie
	for _, c := range (&http.Response{Header: p.header}).Cookies() {
		if c.Name == "abd_console_csrf" {
			csrf = c
		}
	}
	if csrf == nil || !csrf.HttpOnly || csrf.SameSite != http.SameSiteStrictMode || csrf.Secure {
		t.Errorf("CSRF cookie = %+v; want HttpOnly, SameSite=Strict, not Secure over plain HTTP", csrf)
	}
	for _, asset := range []string{"/static/console.css", "/static/console.js"} {
		if a := b.get(consolePath + asset); a.status != 200 || len(a.body) < 100 {
			t.Errorf("%s = %d", asset, a.status)
		}
	}
}

// A form posted without the CSRF token, with a wrong one, or from another origin changes
// nothing.
func TestConsoleCSRF(t *testing.T) {
	s := startServer(t)
	b := newBrowser(t, s)
	b.get(consolePath + "/")
	create := func() url.Values {
		return url.Values{"appId": {"app1"}, "appName": {"one"}, "backendEnvironmentName": {"dev"}}
	}
	noToken := create()
	noToken.Set("csrf", "")
	b.post(consolePath+"/apps"+scopeQ, noToken).want(t, 403, "CSRF")
	wrong := create()
	wrong.Set("csrf", strings.Repeat("ab", 32))
	b.post(consolePath+"/apps"+scopeQ, wrong).want(t, 403)
	b.post(consolePath+"/apps"+scopeQ, create(), "Origin", "http://evil.example").want(t, 403)
	// Another client (no cookie) sending a token it saw does not pass either.
	other := newBrowser(t, s)
	stolen := create()
	stolen.Set("csrf", b.csrf)
	other.post(consolePath+"/apps"+scopeQ, stolen).want(t, 403)
	counts, err := s.Service.Counts(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if counts.Apps != 0 || len(counts.Jobs) != 0 {
		t.Fatalf("refused posts changed the state: %+v", counts)
	}
	if p := b.post(consolePath+"/apps"+scopeQ, create()); p.status != http.StatusSeeOther {
		t.Fatalf("the same form with its token = %d\n%s", p.status, p.body)
	}
}

// The session of the issue, without a browser: every action is the AWS operation it stands
// for (its job, its journal record), and what the API sees is what the console did.
func TestConsoleSession(t *testing.T) {
	s := startServer(t)
	b := newBrowser(t, s)
	b.get(consolePath + "/")
	hostile := `My "app" <script>alert(1)<\script>`
	p := b.post(consolePath+"/apps"+scopeQ, url.Values{"appId": {"app1"}, "appName": {hostile}, "backendEnvironmentName": {"dev"}})
	if p.status != http.StatusSeeOther || !strings.Contains(p.where, "CreateBackend+started") {
		t.Fatalf("create app = %d %q\n%s", p.status, p.where, p.body)
	}
	s.runJobs()
	app := b.get(consolePath + "/apps/app1" + scopeQ)
	app.want(t, 200, "App My &#34;app&#34; &lt;script&gt;alert(1)&lt;\\script&gt;", ">dev</a>")
	if strings.Contains(app.body, "<script>alert") {
		t.Fatal("the app name reached the page as markup")
	}
	// The API sees the app the console made.
	got, err := s.client.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("app1")})
	if err != nil || aws.StringValue(got.AppName) != hostile {
		t.Fatalf("GetBackend = %v, %v", got, err)
	}

	// A bad choice comes back next to its field, in the API's words, and changes nothing.
	env := consolePath + "/apps/app1/envs/dev"
	authForm := func(signIn string) url.Values {
		return url.Values{"resourceName": {"app1auth"}, "resourceConfig.userPoolConfigs.userPoolName": {"pool"},
			"resourceConfig.userPoolConfigs.signInMethod": {signIn}, "resourceConfig.userPoolConfigs.requiredSignUpAttributes": {"EMAIL"},
			"resourceConfig.userPoolConfigs.mfa.MFAMode": {"OFF"}, "resourceConfig.authResources": {"USER_POOL_ONLY"}}
	}
	bad := b.post(env+"/auth-create"+scopeQ, authForm("TELEPATHY"))
	bad.want(t, 400, `<p class="field-error">BadRequestException: 1 validation error detected: Value &#39;TELEPATHY&#39; at &#39;resourceConfig.userPoolConfigs.signInMethod&#39;`)
	if p := b.post(env+"/auth-create"+scopeQ, authForm("EMAIL")); p.status != http.StatusSeeOther || !strings.Contains(p.where, "CreateBackendAuth+started") {
		t.Fatalf("create auth = %d %q\n%.2000s", p.status, p.where, p.body)
	}
	s.runJobs()
	b.get(env+scopeQ).want(t, 200, "Resource <code>app1auth</code>", "UserPoolId", "amplify-meta.json", "COMPLETED")

	// The schema editor: an error at its line and column, before anything is saved.
	model := env + "/model"
	broken := "type Todo @model {\n  id: ID!\n  name: String!\n  owner: Strin\n}\n# </textarea><script>alert(2)</script>\n"
	chk := b.post(model+"/check"+scopeQ, url.Values{"transformSchema": {broken}})
	chk.want(t, 200, "Line 4, column", "Strin", "&lt;/textarea&gt;&lt;script&gt;alert(2)&lt;/script&gt;")
	if strings.Contains(chk.body, "</textarea><script>") {
		t.Fatal("the schema broke out of its textarea")
	}
	save := b.post(model+"/save"+scopeQ, url.Values{"create": {"true"}, "resourceName": {"app1api"},
		"resourceConfig.defaultAuthType.mode": {"API_KEY"}, "transformSchema": {broken}})
	save.want(t, 400, "nothing was saved", "Line 4, column")
	// The script's live check gets the same answer as JSON.
	req, _ := http.NewRequest("POST", s.URL()+model+"/check"+scopeQ, strings.NewReader(url.Values{"csrf": {b.csrf}, "transformSchema": {broken}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	var probs struct{ Problems []struct{ Line, Column int } }
	if err := json.Unmarshal([]byte(b.do(req).body), &probs); err != nil || len(probs.Problems) != 1 || probs.Problems[0].Line != 4 {
		t.Fatalf("JSON check = %+v, %v", probs, err)
	}
	fixed := "type Todo @model {\n  id: ID!\n  name: String!\n  notes: [Note] @hasMany\n}\ntype Note @model {\n  id: ID!\n  todoID: ID! @index(name: \"byTodo\")\n  text: String\n}\n"
	if p := b.post(model+"/save"+scopeQ, url.Values{"create": {"true"}, "resourceName": {"app1api"},
		"resourceConfig.defaultAuthType.mode": {"API_KEY"}, "transformSchema": {fixed}}); p.status != http.StatusSeeOther {
		t.Fatalf("save = %d\n%.3000s", p.status, p.body)
	}
	s.runJobs()
	mp := b.get(model + scopeQ)
	mp.want(t, 200, "<svg", `class="model-name">Todo</text>`, `class="model-name">Note</text>`, "@hasMany", "STALE")
	if p := b.post(model+"/generate"+scopeQ, url.Values{"resourceName": {"app1api"}}); p.status != http.StatusSeeOther {
		t.Fatalf("generate = %d\n%.2000s", p.status, p.body)
	}
	s.runJobs()
	b.get(model+scopeQ).want(t, 200, "LATEST", "schema.js", "Model introspection schema")

	// A fault rule fires on the console's own call, and the journal shows it under the AWS
	// operation's name; its message is text.
	b.get(consolePath + "/testing" + scopeQ)
	if p := b.post(consolePath+"/testing/fault-add"+scopeQ, url.Values{"operation": {"CreateBackendStorage"}, "error.status": {"503"},
		"error.code": {"ServiceUnavailableException"}, "error.message": {`down "<b>now</b>"`}, "times": {"1"}}); p.status != http.StatusSeeOther {
		t.Fatalf("add fault = %d\n%.3000s", p.status, p.body)
	}
	st := b.post(env+"/storage-create"+scopeQ, url.Values{"resourceName": {"files"}, "resourceConfig.permissions.authenticated": {"READ"}})
	st.want(t, 400, "down &#34;&lt;b&gt;now&lt;/b&gt;&#34;")
	journal := b.get(consolePath + "/testing" + scopeQ)
	journal.want(t, 200, "<td>CreateBackendStorage</td>", `<strong class="fault">`, "<td>CreateBackendAuth</td>", "<td>CreateBackend</td>")

	// Export, reset, import: the state comes back.
	exp := b.get(consolePath + "/testing/state" + scopeQ)
	if exp.status != 200 || !strings.Contains(exp.header.Get("Content-Disposition"), "attachment") || !strings.Contains(exp.body, `"amplifybackendd-state"`) {
		t.Fatalf("export = %d %v %.300s", exp.status, exp.header, exp.body)
	}
	b.post(consolePath+"/testing/reset"+scopeQ, url.Values{"scope": {"all"}}).want(t, http.StatusSeeOther)
	if _, err := s.client.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("app1")}); err == nil {
		t.Fatal("the app survived the reset")
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", b.csrf)
	fw, _ := mw.CreateFormFile("state", "state.json")
	fw.Write([]byte(exp.body))
	mw.Close()
	req, _ = http.NewRequest("POST", s.URL()+consolePath+"/testing/import"+scopeQ, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if p := b.do(req); p.status != http.StatusSeeOther || !strings.Contains(p.where, "State+imported") {
		t.Fatalf("import = %d %q\n%.2000s", p.status, p.where, p.body)
	}
	out, err := s.client.GetBackendAPIModels(&amplifybackend.GetBackendAPIModelsInput{AppId: aws.String("app1"),
		BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("app1api")})
	if err != nil || aws.StringValue(out.Status) != "LATEST" {
		t.Fatalf("after import GetBackendAPIModels = %v, %v", out, err)
	}
}

// Jobs: manual mode from the console, then complete and fail pending jobs with its buttons.
func TestConsoleJobs(t *testing.T) {
	s := startServer(t)
	s.createBackend(s.client, "app1", "one", "dev")
	s.createBackend(s.client, "app1", "one", "prod")
	b := newBrowser(t, s)
	b.get(consolePath+"/apps/app1/jobs"+scopeQ).want(t, 200, "CreateBackend", "COMPLETED")
	b.post(consolePath+"/jobs/settings"+scopeQ, url.Values{"mode": {"manual"}, "back": {consolePath + "/apps/app1/jobs" + scopeQ}}).want(t, http.StatusSeeOther)
	c1, err := s.client.CloneBackend(&amplifybackend.CloneBackendInput{AppId: aws.String("app1"), BackendEnvironmentName: aws.String("dev"), TargetEnvironmentName: aws.String("test")})
	if err != nil {
		t.Fatal(err)
	}
	c2, err := s.client.DeleteBackend(&amplifybackend.DeleteBackendInput{AppId: aws.String("app1"), BackendEnvironmentName: aws.String("prod")})
	if err != nil {
		t.Fatal(err)
	}
	s.runJobs()
	b.get(consolePath+"/apps/app1/jobs"+scopeQ+"&env=dev").want(t, 200, "IN_PROGRESS", "Complete job "+aws.StringValue(c1.JobId))
	back := consolePath + "/apps/app1/jobs" + scopeQ
	b.post(consolePath+"/jobs/"+aws.StringValue(c1.JobId)+"/finish"+scopeQ, url.Values{"status": {"COMPLETED"}, "back": {back}}).want(t, http.StatusSeeOther)
	b.post(consolePath+"/jobs/"+aws.StringValue(c2.JobId)+"/finish"+scopeQ, url.Values{"status": {"FAILED"}, "error": {"</textarea><script>x()</script>"}, "back": {back}}).want(t, http.StatusSeeOther)
	envs, err := s.client.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("app1")})
	if err != nil || len(envs.BackendEnvironmentList) != 3 {
		t.Fatalf("after completing the clone and failing the delete: %v, %v", envs, err)
	}
	p := b.get(consolePath + "/apps/app1/jobs" + scopeQ + "&env=prod&status=FAILED")
	p.want(t, 200, "&lt;/textarea&gt;&lt;script&gt;x()&lt;/script&gt;")
	if strings.Contains(p.body, "<script>x()") {
		t.Fatal("a job's error reached the page as markup")
	}
	// A finished job cannot be finished again.
	b.post(consolePath+"/jobs/"+aws.StringValue(c1.JobId)+"/finish"+scopeQ, url.Values{"status": {"FAILED"}, "back": {back}}).want(t, 409)
}

// Accounts and regions: a page shows the data of its account and region only.
func TestConsoleScopes(t *testing.T) {
	s := startServer(t)
	s.createBackend(s.clientAs("111111111111", "us-east-1"), "appA", "alpha-app", "dev")
	s.createBackend(s.clientAs("222222222222", "eu-west-1"), "appB", "beta-app", "dev")
	b := newBrowser(t, s)
	a := b.get(consolePath + "/?account=111111111111&region=us-east-1")
	a.want(t, 200, "alpha-app", "222222222222 / eu-west-1")
	if strings.Contains(a.body, "beta-app") {
		t.Fatal("account 111111111111's page shows another account's app")
	}
	b.get(consolePath+"/apps/appB?account=111111111111&region=us-east-1").want(t, 404)
	b.get(consolePath+"/apps/appA?account=111111111111&region=eu-west-1").want(t, 404)
	b.get(consolePath+"/apps/appB?account=222222222222&region=eu-west-1").want(t, 200, "beta-app")
}

// Auth mode sigv4: the console asks for the admin token, then holds an HttpOnly, SameSite
// session cookie; without it no page shows data and no form acts.
func TestConsoleSigV4Login(t *testing.T) {
	const token = "console-admin-token-0123456789"
	tokenFile := filepath.Join(t.TempDir(), "admin-token")
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, _ := startSigV4Server(t, []func(*Main){func(m *Main) { m.Config.AdminTokenFile = tokenFile }}, sigAlpha)
	c := sigClient(s.URL(), sigAlpha.creds(), "us-east-1")
	out, err := c.CreateBackend(&amplifybackend.CreateBackendInput{AppId: aws.String("secretapp"), AppName: aws.String("secret-name"), BackendEnvironmentName: aws.String("dev")})
	if err != nil {
		t.Fatal(err)
	}
	s.mustComplete(c, "secretapp", "dev", out.JobId)

	b := newBrowser(t, s)
	for _, path := range []string{"/", "/apps/secretapp?account=111111111111&region=us-east-1", "/testing", "/testing/state"} {
		p := b.get(consolePath + path)
		p.want(t, 401, "Admin token")
		if strings.Contains(p.body, "secret-name") {
			t.Fatalf("%s shows data before login", path)
		}
	}
	b.post(consolePath+"/testing/reset", url.Values{"scope": {"all"}}).want(t, 401)
	b.post(consolePath+"/login", url.Values{"token": {"wrong"}, "next": {consolePath + "/"}}).want(t, 403, "not the admin token")
	p := b.post(consolePath+"/login", url.Values{"token": {token}, "next": {consolePath + "/?account=111111111111&region=us-east-1"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("login = %d\n%s", p.status, p.body)
	}
	var session *http.Cookie
	for _, ck := range (&http.Response{Header: p.header}).Cookies() {
		if ck.Name == "abd_console_session" {
			session = ck
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Path != consolePath+"/" {
		t.Fatalf("session cookie = %+v", session)
	}
	b.get(consolePath+"/?account=111111111111&region=us-east-1").want(t, 200, "secret-name", "Sign out")
	// Another client without the cookie still sees nothing.
	newBrowser(t, s).get(consolePath+"/?account=111111111111&region=us-east-1").want(t, 401)
	b.post(consolePath+"/logout", url.Values{}).want(t, http.StatusSeeOther)
	b.get(consolePath+"/").want(t, 401)
}

// With an admin token in auth mode any, the control plane requires it, and so does the console.
func TestConsoleTokenInModeAny(t *testing.T) {
	tokenFile := filepath.Join(t.TempDir(), "admin-token")
	if err := os.WriteFile(tokenFile, []byte("any-mode-token-0123456789"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, func(m *Main) { m.Config.AdminTokenFile = tokenFile })
	b := newBrowser(t, s)
	b.get(consolePath+"/").want(t, 401, "Admin token")
	b.post(consolePath+"/login", url.Values{"token": {"any-mode-token-0123456789"}}).want(t, http.StatusSeeOther)
	b.get(consolePath+"/").want(t, 200, "Overview", "Sign out")
}

// The environment page's other forms: the API's default authorization, storage permissions,
// imported auth with a bad pool id (its message next to the field), and deletes.
func TestConsoleEnvironmentForms(t *testing.T) {
	s := startServer(t, func(m *Main) { m.Config.S3Buckets = "existing-console-bucket" })
	s.createBackend(s.client, "app1", "one", "dev")
	s.createBackend(s.client, "app2", "two", "dev")
	s.createAuth("app1", "dev", "auth1", minimalAuthConfig()) // storage needs auth
	s.createAuth("app2", "dev", "auth2", minimalAuthConfig())
	b := newBrowser(t, s)
	env := consolePath + "/apps/app1/envs/dev"
	b.get(env + scopeQ)
	b.post(consolePath+"/apps/app1/envs/dev/model/save"+scopeQ, url.Values{"create": {"true"}, "resourceName": {"api1"},
		"resourceConfig.defaultAuthType.mode": {"API_KEY"}, "transformSchema": {"type Todo @model { id: ID! }"}}).want(t, http.StatusSeeOther)
	s.runJobs() // one pending job per environment
	b.post(env+"/storage-create"+scopeQ, url.Values{"resourceName": {"files"}, "resourceConfig.permissions.authenticated": {"READ"}}).want(t, http.StatusSeeOther)
	s.runJobs()
	b.post(env+"/api-update"+scopeQ, url.Values{"resourceName": {"api1"}, "resourceConfig.defaultAuthType.mode": {"AWS_IAM"}}).want(t, http.StatusSeeOther)
	s.runJobs()
	b.post(env+"/storage-update"+scopeQ, url.Values{"resourceName": {"files"},
		"resourceConfig.permissions.authenticated": {"READ", "DELETE"}, "resourceConfig.permissions.unAuthenticated": {"READ"}}).want(t, http.StatusSeeOther)
	s.runJobs()
	api, err := s.client.GetBackendAPI(&amplifybackend.GetBackendAPIInput{AppId: aws.String("app1"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("api1")})
	if err != nil || aws.StringValue(api.ResourceConfig.DefaultAuthType.Mode) != "AWS_IAM" {
		t.Fatalf("GetBackendAPI after the console's update = %v, %v", api, err)
	}
	st, err := s.client.GetBackendStorage(&amplifybackend.GetBackendStorageInput{AppId: aws.String("app1"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("files")})
	if err != nil || len(st.ResourceConfig.Permissions.Authenticated) != 2 || len(st.ResourceConfig.Permissions.UnAuthenticated) != 1 {
		t.Fatalf("GetBackendStorage after the console's update = %v, %v", st, err)
	}
	// Import auth over an existing one: refused, nothing starts.
	bad := b.post(consolePath+"/apps/app2/envs/dev/auth-import"+scopeQ, url.Values{"userPoolId": {"us-east-1_abc"}, "webClientId": {"w"}, "nativeClientId": {"n"}})
	if bad.status != 400 || !strings.Contains(bad.body, "Nothing was changed") {
		t.Fatalf("import over existing auth = %d\n%.3000s", bad.status, bad.body)
	}
	b.post(consolePath+"/apps/app2/envs/dev/storage-import"+scopeQ, url.Values{"bucketName": {"existing-console-bucket"}}).want(t, http.StatusSeeOther)
	s.runJobs()
	b.get(consolePath+"/apps/app2/envs/dev"+scopeQ).want(t, 200, "(imported)", "existing-console-bucket")
	b.post(env+"/storage-delete"+scopeQ, url.Values{"resourceName": {"files"}}).want(t, http.StatusSeeOther)
	s.runJobs()
	b.post(env+"/api-delete"+scopeQ, url.Values{"resourceName": {"api1"}}).want(t, http.StatusSeeOther)
	s.runJobs()
	p := b.get(env + scopeQ)
	p.want(t, 200, "No API yet", "Add storage (CreateBackendStorage)")
	// Delete the environment; its jobs stay reachable on the jobs page.
	b.post(consolePath+"/apps/app1/delete-env"+scopeQ, url.Values{"env": {"dev"}}).want(t, http.StatusSeeOther)
	s.runJobs()
	b.get(consolePath+"/apps/app1/jobs"+scopeQ+"&env=dev").want(t, 200, "DeleteBackend", "DeleteBackendAPI")
}

// Challenge tokens: the app page lists the live ones (session id and expiry; the code only
// right after creation or on "show"), and its buttons are GetToken and DeleteToken.
func TestConsoleTokens(t *testing.T) {
	s := startServer(t)
	s.createBackend(s.client, "app1", "one", "dev")
	s.createBackend(s.client, "app2", "two", "dev")
	b := newBrowser(t, s)
	appPage := consolePath + "/apps/app1" + scopeQ
	b.get(appPage).want(t, 200, "No live tokens.")
	viaAPI, err := s.client.CreateToken(&amplifybackend.CreateTokenInput{AppId: aws.String("app1")})
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.client.CreateToken(&amplifybackend.CreateTokenInput{AppId: aws.String("app2")})
	if err != nil {
		t.Fatal(err)
	}
	created := b.post(consolePath+"/apps/app1/token-create"+scopeQ, url.Values{})
	created.want(t, 200, "Challenge code")
	m := regexp.MustCompile(`<dt>Session id</dt><dd><code>([^<]+)</code></dd>\s*<dt>Challenge code</dt><dd><code>([A-Z2-7]{16})</code>`).FindStringSubmatch(created.body)
	if m == nil {
		t.Fatalf("the created token's session id and code are not shown\n%.4000s", created.body)
	}
	session, code := m[1], m[2]
	got, err := s.client.GetToken(&amplifybackend.GetTokenInput{AppId: aws.String("app1"), SessionId: aws.String(session)})
	if err != nil || aws.StringValue(got.ChallengeCode) != code {
		t.Fatalf("GetToken of the console's token = %v, %v", got, err)
	}

	// The list shows both of app1's tokens, not app2's, and no code.
	list := b.get(appPage)
	list.want(t, 200, "<code>"+session+"</code>", "<code>"+aws.StringValue(viaAPI.SessionId)+"</code>", "Delete token "+session)
	if strings.Contains(list.body, aws.StringValue(other.SessionId)) {
		t.Fatal("app1's page lists app2's token")
	}
	if strings.Contains(list.body, code) || strings.Contains(list.body, aws.StringValue(viaAPI.ChallengeCode)) {
		t.Fatal("the list shows a challenge code")
	}
	// Show (GetToken) reveals the code of one token.
	b.post(consolePath+"/apps/app1/token-get"+scopeQ, url.Values{"sessionId": {aws.StringValue(viaAPI.SessionId)}}).
		want(t, 200, "<code>"+aws.StringValue(viaAPI.ChallengeCode)+"</code>")

	// Delete without the CSRF token changes nothing.
	b.post(consolePath+"/apps/app1/token-delete"+scopeQ, url.Values{"sessionId": {session}, "csrf": {""}}).want(t, 403, "CSRF")
	if _, err := s.client.GetToken(&amplifybackend.GetTokenInput{AppId: aws.String("app1"), SessionId: aws.String(session)}); err != nil {
		t.Fatalf("a refused delete removed the token: %v", err)
	}
	b.post(consolePath+"/apps/app1/token-delete"+scopeQ, url.Values{"sessionId": {session}}).want(t, http.StatusSeeOther)
	if _, err := s.client.GetToken(&amplifybackend.GetTokenInput{AppId: aws.String("app1"), SessionId: aws.String(session)}); err == nil {
		t.Fatal("the deleted token still answers GetToken")
	}
	list = b.get(appPage)
	list.want(t, 200, "<code>"+aws.StringValue(viaAPI.SessionId)+"</code>")
	if strings.Contains(list.body, session) {
		t.Fatal("the deleted token is still listed")
	}
	// Deleting it again answers next to the form, in the API's words.
	b.post(consolePath+"/apps/app1/token-delete"+scopeQ, url.Values{"sessionId": {session}}).want(t, 400, "NotFoundException")
}
