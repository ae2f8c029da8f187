package main

import (
	"bytes"
	"encoding/json"
	"html"
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

// formValues reads a form of the page as a browser would submit it untouched: its inputs'
// values, the selected option of each select, the checked checkboxes, the textareas.
func formValues(t *testing.T, body, action string) url.Values {
	t.Helper()
	start := strings.Index(body, `action="`+action)
	if start < 0 {
		t.Fatalf("the page has no form to %s", action)
	}
	form := body[start:]
	form = form[:strings.Index(form, "</form>")]
	v := url.Values{}
	attr := func(tag, name string) (string, bool) {
		m := regexp.MustCompile(`\s` + name + `="([^"]*)"`).FindStringSubmatch(tag)
		if m == nil {
			return "", false
		}
		return html.UnescapeString(m[1]), true
	}
	for _, tag := range regexp.MustCompile(`<input[^>]*>`).FindAllString(form, -1) {
		name, _ := attr(tag, "name")
		typ, _ := attr(tag, "type")
		if typ == "checkbox" && !strings.Contains(tag, " checked") {
			continue
		}
		val, _ := attr(tag, "value")
		v.Add(name, val)
	}
	for _, m := range regexp.MustCompile(`(?s)<select[^>]*name="([^"]*)"[^>]*>(.*?)</select>`).FindAllStringSubmatch(form, -1) {
		// The selected option, else the first (what a browser submits).
		opts := regexp.MustCompile(`<option([^>]*)>([^<]*)</option>`).FindAllStringSubmatch(m[2], -1)
		if len(opts) == 0 {
			continue
		}
		chosen := opts[0]
		for _, opt := range opts {
			if strings.Contains(opt[1], " selected") {
				chosen = opt
			}
		}
		sel := chosen[2]
		if val, ok := attr(chosen[1], "value"); ok {
			sel = val
		}
		v.Set(m[1], html.UnescapeString(sel))
	}
	for _, m := range regexp.MustCompile(`(?s)<textarea[^>]*name="([^"]*)"[^>]*>(.*?)</textarea>`).FindAllStringSubmatch(form, -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	return v
}

// The auth update form offers what UpdateBackendAuth allows, shows the stored configuration,
// and what it sends is what GetBackendAuth answers afterwards.
func TestConsoleAuthUpdate(t *testing.T) {
	s := startServer(t)
	s.createBackend(s.client, "app1", "one", "dev")
	s.createAuth("app1", "dev", "auth1", minimalAuthConfig())
	b := newBrowser(t, s)
	env := consolePath + "/apps/app1/envs/dev"
	page := b.get(env + scopeQ)
	page.want(t, 200, "Update (UpdateBackendAuth)")
	const up = "resourceConfig.userPoolConfigs."
	f := formValues(t, page.body, env+"/auth-update")
	// The form shows the stored configuration.
	for field, want := range map[string]string{
		up + "oAuth.oAuthGrantType": "CODE", up + "oAuth.oAuthScopes": "OPENID", up + "oAuth.redirectSignInURIs": "https://a.example/in",
		up + "oAuth.socialProviderSettings.Facebook.client_id": "fb", up + "passwordPolicy.minimumLength": "8",
		up + "passwordPolicy.additionalConstraints": "REQUIRE_DIGIT", "resourceConfig.authResources": "USER_POOL_ONLY",
	} {
		if got := f[field]; len(got) != 1 || got[0] != want {
			t.Errorf("the update form's %s = %q, want %q", field, got, want)
		}
	}
	// A bad choice is refused next to its field and changes nothing.
	bad := formValues(t, page.body, env+"/auth-update")
	bad.Set(up+"oAuth.oAuthGrantType", "TELEPATHY")
	b.post(env+"/auth-update"+scopeQ, bad).want(t, 400,
		`<p class="field-error">BadRequestException: 1 validation error detected: Value &#39;TELEPATHY&#39; at &#39;resourceConfig.userPoolConfigs.oAuth.oAuthGrantType&#39;`)
	// A form post without its CSRF token changes nothing either.
	forged := formValues(t, page.body, env+"/auth-update")
	forged.Set(up+"oAuth.domainPrefix", "forged")
	forged.Set("csrf", "")
	b.post(env+"/auth-update"+scopeQ, forged).want(t, 403, "CSRF")

	f.Set(up+"oAuth.domainPrefix", "app1-login")
	f.Set(up+"oAuth.oAuthGrantType", "IMPLICIT")
	f[up+"oAuth.oAuthScopes"] = []string{"EMAIL", "OPENID", "PROFILE"} // checkboxes come in the page's order
	f.Set(up+"oAuth.redirectSignInURIs", "https://a.example/in\r\nhttp://localhost:3000/\r\n")
	f.Set(up+"oAuth.socialProviderSettings.Google.client_id", "g2")
	f.Set(up+"oAuth.socialProviderSettings.SignInWithApple.client_id", "apple")
	f.Set(up+"oAuth.socialProviderSettings.SignInWithApple.key_id", "k")
	f.Set(up+"oAuth.socialProviderSettings.SignInWithApple.private_key", "pk")
	f.Set(up+"oAuth.socialProviderSettings.SignInWithApple.team_id", "team")
	f.Set(up+"passwordPolicy.minimumLength", "12")
	f[up+"passwordPolicy.additionalConstraints"] = []string{"REQUIRE_DIGIT", "REQUIRE_SYMBOL"}
	f.Set(up+"forgotPassword.deliveryMethod", "EMAIL")
	f.Set(up+"forgotPassword.emailSettings.emailSubject", "Reset")
	f.Set(up+"forgotPassword.emailSettings.emailMessage", "Your code is {####}")
	f.Set(up+"verificationMessage.deliveryMethod", "SMS")
	f.Set(up+"verificationMessage.smsSettings.smsMessage", "Verify with {####}")
	f.Set(up+"mfa.MFAMode", "OPTIONAL")
	f[up+"mfa.settings.mfaTypes"] = []string{"SMS", "TOTP"}
	f.Set(up+"mfa.settings.smsMessage", "MFA {####}")
	f.Set("resourceConfig.authResources", "IDENTITY_POOL_AND_USER_POOL")
	f.Set("resourceConfig.identityPoolConfigs.unauthenticatedLogin", "true")
	if p := b.post(env+"/auth-update"+scopeQ, f); p.status != http.StatusSeeOther || !strings.Contains(p.where, "UpdateBackendAuth+started") {
		t.Fatalf("update auth = %d %q\n%.3000s", p.status, p.where, p.body)
	}
	s.runJobs()
	got, err := s.getAuth("app1", "dev", "auth1")
	if err != nil {
		t.Fatal(err)
	}
	rc := got.ResourceConfig
	up2 := rc.UserPoolConfigs
	oa := up2.OAuth
	switch {
	case aws.StringValue(oa.DomainPrefix) != "app1-login" || aws.StringValue(oa.OAuthGrantType) != "IMPLICIT" ||
		strings.Join(aws.StringValueSlice(oa.OAuthScopes), ",") != "EMAIL,OPENID,PROFILE" ||
		strings.Join(aws.StringValueSlice(oa.RedirectSignInURIs), ",") != "https://a.example/in,http://localhost:3000/" ||
		strings.Join(aws.StringValueSlice(oa.RedirectSignOutURIs), ",") != "https://a.example/out":
		t.Errorf("OAuth after the console's update = %v", oa)
	case aws.StringValue(oa.SocialProviderSettings.Google.ClientId) != "g2" || aws.StringValue(oa.SocialProviderSettings.Google.ClientSecret) != "gs" ||
		aws.StringValue(oa.SocialProviderSettings.Facebook.ClientId) != "fb" || aws.StringValue(oa.SocialProviderSettings.SignInWithApple.TeamId) != "team":
		t.Errorf("social providers after the console's update = %v", oa.SocialProviderSettings)
	case aws.Float64Value(up2.PasswordPolicy.MinimumLength) != 12 || len(up2.PasswordPolicy.AdditionalConstraints) != 2:
		t.Errorf("password policy after the console's update = %v", up2.PasswordPolicy)
	case up2.ForgotPassword == nil || aws.StringValue(up2.ForgotPassword.DeliveryMethod) != "EMAIL" || aws.StringValue(up2.ForgotPassword.EmailSettings.EmailSubject) != "Reset":
		t.Errorf("forgot password after the console's update = %v", up2.ForgotPassword)
	case up2.VerificationMessage == nil || aws.StringValue(up2.VerificationMessage.SmsSettings.SmsMessage) != "Verify with {####}":
		t.Errorf("verification message after the console's update = %v", up2.VerificationMessage)
	case aws.StringValue(up2.Mfa.MFAMode) != "OPTIONAL" || len(up2.Mfa.Settings.MfaTypes) != 2:
		t.Errorf("MFA after the console's update = %v", up2.Mfa)
	case aws.StringValue(rc.AuthResources) != "IDENTITY_POOL_AND_USER_POOL" || rc.IdentityPoolConfigs == nil || !aws.BoolValue(rc.IdentityPoolConfigs.UnauthenticatedLogin):
		t.Errorf("identity pool after the console's update = %v %v", rc.AuthResources, rc.IdentityPoolConfigs)
	case aws.StringValue(up2.SignInMethod) != "EMAIL" || aws.StringValue(up2.UserPoolName) != "pool1":
		t.Errorf("members the update does not touch changed: %v", up2)
	}
	// The form now shows the new configuration, and sending it untouched changes nothing.
	page = b.get(env + scopeQ)
	again := formValues(t, page.body, env+"/auth-update")
	if again.Get(up+"oAuth.domainPrefix") != "app1-login" || again.Get("resourceConfig.identityPoolConfigs.unauthenticatedLogin") != "true" {
		t.Fatalf("the form after the update = %v", again)
	}
	if p := b.post(env+"/auth-update"+scopeQ, again); p.status != http.StatusSeeOther {
		t.Fatalf("the untouched form = %d\n%.3000s", p.status, p.body)
	}
	s.runJobs()
	same, err := s.getAuth("app1", "dev", "auth1")
	if err != nil || same.ResourceConfig.String() != got.ResourceConfig.String() {
		t.Fatalf("the untouched form changed the configuration:\n%v\nwas\n%v (%v)", same.ResourceConfig, got.ResourceConfig, err)
	}
}

// The API form offers what UpdateBackendAPI allows besides the schema (the data model page's
// job): default mode and its settings, additional modes, conflict resolution.
func TestConsoleAPIUpdate(t *testing.T) {
	s := startServer(t)
	s.createBackend(s.client, "app1", "one", "dev")
	s.createAuth("app1", "dev", "auth1", minimalAuthConfig())
	b := newBrowser(t, s)
	env := consolePath + "/apps/app1/envs/dev"
	// The data model page's first save (CreateBackendAPI) offers the same choices.
	if mf := formValues(t, b.get(env+"/model"+scopeQ).body, env+"/model/save"); !mf.Has("resourceConfig.conflictResolution.resolutionStrategy") ||
		!mf.Has("resourceConfig.defaultAuthType.settings.expirationTime") || mf.Get("resourceConfig.defaultAuthType.mode") != "API_KEY" {
		t.Fatalf("the data model page's create form = %v", mf)
	}
	b.post(env+"/model/save"+scopeQ, url.Values{"create": {"true"}, "resourceName": {"api1"},
		"resourceConfig.defaultAuthType.mode": {"API_KEY"}, "transformSchema": {"type Todo @model { id: ID! }"},
		"resourceConfig.conflictResolution.resolutionStrategy": {"OPTIMISTIC_CONCURRENCY"}}).want(t, http.StatusSeeOther)
	s.runJobs()
	page := b.get(env + scopeQ)
	f := formValues(t, page.body, env+"/api-update")
	if f.Get("resourceConfig.defaultAuthType.mode") != "API_KEY" || f.Has("resourceConfig.additionalAuthTypes.mode") ||
		f.Get("resourceConfig.conflictResolution.resolutionStrategy") != "OPTIMISTIC_CONCURRENCY" {
		t.Fatalf("the API form does not show the stored configuration: %v", f)
	}
	bad := formValues(t, page.body, env+"/api-update")
	bad.Set("resourceConfig.conflictResolution.resolutionStrategy", "COIN_TOSS")
	b.post(env+"/api-update"+scopeQ, bad).want(t, 400,
		`<p class="field-error">BadRequestException: 1 validation error detected: Value &#39;COIN_TOSS&#39; at &#39;resourceConfig.conflictResolution.resolutionStrategy&#39;`)

	f.Set("resourceConfig.defaultAuthType.settings.description", "console key")
	f.Set("resourceConfig.defaultAuthType.settings.expirationTime", "30")
	f["resourceConfig.additionalAuthTypes.mode"] = []string{"AWS_IAM", "AMAZON_COGNITO_USER_POOLS"}
	f.Set("resourceConfig.conflictResolution.resolutionStrategy", "AUTOMERGE")
	if p := b.post(env+"/api-update"+scopeQ, f); p.status != http.StatusSeeOther || !strings.Contains(p.where, "UpdateBackendAPI+started") {
		t.Fatalf("update API = %d %q\n%.3000s", p.status, p.where, p.body)
	}
	s.runJobs()
	got, err := s.client.GetBackendAPI(&amplifybackend.GetBackendAPIInput{AppId: aws.String("app1"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("api1")})
	if err != nil {
		t.Fatal(err)
	}
	rc := got.ResourceConfig
	var modes []string
	for _, a := range rc.AdditionalAuthTypes {
		modes = append(modes, aws.StringValue(a.Mode))
	}
	if aws.StringValue(rc.DefaultAuthType.Mode) != "API_KEY" || aws.StringValue(rc.DefaultAuthType.Settings.Description) != "console key" ||
		aws.Float64Value(rc.DefaultAuthType.Settings.ExpirationTime) != 30 || strings.Join(modes, ",") != "AWS_IAM,AMAZON_COGNITO_USER_POOLS" ||
		aws.StringValue(rc.ConflictResolution.ResolutionStrategy) != "AUTOMERGE" || !strings.Contains(aws.StringValue(rc.TransformSchema), "type Todo") {
		t.Fatalf("GetBackendAPI after the console's update = %v", rc)
	}
	again := formValues(t, b.get(env+scopeQ).body, env+"/api-update")
	if strings.Join(again["resourceConfig.additionalAuthTypes.mode"], ",") != "AWS_IAM,AMAZON_COGNITO_USER_POOLS" ||
		again.Get("resourceConfig.defaultAuthType.settings.description") != "console key" {
		t.Fatalf("the API form after the update = %v", again)
	}
	// Sent untouched, the form changes nothing (the additional modes keep their settings).
	b.post(env+"/api-update"+scopeQ, again).want(t, http.StatusSeeOther)
	s.runJobs()
	same, err := s.client.GetBackendAPI(&amplifybackend.GetBackendAPIInput{AppId: aws.String("app1"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("api1")})
	if err != nil || same.ResourceConfig.String() != rc.String() {
		t.Fatalf("the untouched API form changed the configuration:\n%v\nwas\n%v (%v)", same.ResourceConfig, rc, err)
	}
}

// The create form carries the same user pool choices: OAuth with a social provider here, and
// a missing member the API requires is named next to its field.
func TestConsoleAuthCreateOAuth(t *testing.T) {
	s := startServer(t)
	s.createBackend(s.client, "app1", "one", "dev")
	b := newBrowser(t, s)
	env := consolePath + "/apps/app1/envs/dev"
	page := b.get(env + scopeQ)
	const up = "resourceConfig.userPoolConfigs."
	f := formValues(t, page.body, env+"/auth-create")
	if f.Get(up+"mfa.MFAMode") != "OFF" || f.Get(up+"signInMethod") != "EMAIL" {
		t.Fatalf("the create form's defaults = %v", f)
	}
	f.Set(up+"oAuth.domainPrefix", "app1-login")
	f[up+"oAuth.oAuthScopes"] = []string{"OPENID"}
	f.Set(up+"oAuth.redirectSignInURIs", "http://localhost:3000/")
	f.Set(up+"oAuth.redirectSignOutURIs", "http://localhost:3000/bye")
	f.Set(up+"oAuth.socialProviderSettings.Google.client_id", "gid")
	f.Set(up+"oAuth.socialProviderSettings.Google.client_secret", "gsecret")
	miss := b.post(env+"/auth-create"+scopeQ, f)
	miss.want(t, 400, `<p class="field-error">BadRequestException`, "oAuthGrantType")
	if !regexp.MustCompile(`(?s)id="ac-oagt".*?</select>\s*<p class="field-error">[^<]*oAuthGrantType`).MatchString(miss.body) {
		t.Fatalf("the missing grant type is not named next to its field\n%.6000s", miss.body)
	}
	f.Set(up+"oAuth.oAuthGrantType", "CODE")
	if p := b.post(env+"/auth-create"+scopeQ, f); p.status != http.StatusSeeOther {
		t.Fatalf("create auth = %d\n%.3000s", p.status, p.body)
	}
	s.runJobs()
	got, err := s.getAuth("app1", "dev", "app1auth")
	if err != nil {
		t.Fatal(err)
	}
	oa := got.ResourceConfig.UserPoolConfigs.OAuth
	if oa == nil || aws.StringValue(oa.DomainPrefix) != "app1-login" || aws.StringValue(oa.OAuthGrantType) != "CODE" ||
		aws.StringValue(oa.SocialProviderSettings.Google.ClientSecret) != "gsecret" || len(oa.RedirectSignOutURIs) != 1 {
		t.Fatalf("OAuth created by the console = %v", oa)
	}
}
