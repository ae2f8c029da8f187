package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/api"
	"github.com/amplifybackendd/amplifybackendd/internal/schema"
)

func (h *Handler) routes() {
	m := http.NewServeMux()
	p := Prefix
	m.Handle("GET "+p+"/static/", h.static())
	m.HandleFunc("GET "+p+"/{$}", h.overview)
	m.HandleFunc("POST "+p+"/logout", h.logout)
	m.HandleFunc("POST "+p+"/login", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, Prefix+"/", http.StatusSeeOther) // already signed in
	})
	m.HandleFunc("POST "+p+"/apps", h.createApp)
	m.HandleFunc("GET "+p+"/apps/{app}", h.appPage)
	m.HandleFunc("POST "+p+"/apps/{app}/{action}", h.appAction)
	m.HandleFunc("GET "+p+"/apps/{app}/envs/{env}", h.envPage)
	m.HandleFunc("POST "+p+"/apps/{app}/envs/{env}/{action}", h.envAction)
	m.HandleFunc("GET "+p+"/apps/{app}/envs/{env}/model", h.modelPage)
	m.HandleFunc("POST "+p+"/apps/{app}/envs/{env}/model/{action}", h.modelAction)
	m.HandleFunc("GET "+p+"/apps/{app}/jobs", h.jobsPage)
	m.HandleFunc("POST "+p+"/jobs/{job}/finish", h.finishJob)
	m.HandleFunc("POST "+p+"/jobs/settings", h.jobSettings)
	m.HandleFunc("GET "+p+"/testing", h.testingPage)
	m.HandleFunc("POST "+p+"/testing/{action}", h.testingAction)
	m.HandleFunc("GET "+p+"/testing/state", h.exportState)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.renderError(w, r, http.StatusNotFound, "There is no console page at this address.")
	})
	h.mux = m
}

// call invokes an AWS operation as the console's user, in the request's scope.
func (h *Handler) call(r *http.Request, op string, params []string, body any) (any, error) {
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			return nil, err
		}
	}
	out, err := h.cfg.Invoke(r.Context(), h.scope(r), op, params, raw)
	if err != nil && amplify.ErrorCode(err) == amplify.Internal && !strings.Contains(err.Error(), "Exception") {
		h.cfg.Logger.Error("console: operation failed", "operation", op, "err", err)
	}
	return out, err
}

// jobMessage says what a job-creating call started.
func jobMessage(out any) string {
	b, _ := json.Marshal(out)
	var j struct {
		JobID     string `json:"jobId"`
		Operation string `json:"operation"`
		Status    string `json:"status"`
	}
	json.Unmarshal(b, &j)
	if j.JobID == "" {
		return "Done."
	}
	return j.Operation + " started: job " + j.JobID + " is " + j.Status + "."
}

// ---- overview

type overviewData struct {
	Scopes  []amplify.Scope
	Apps    []amplify.App
	Next    string
	Jobs    []amplify.Job
	Counts  *amplify.Counts
	Health  string
	Version string
	Commit  string
	Store   string
	Started string
	Mode    string
}

// Page sizes of the console's lists.
const (
	appsPerPage = 25
	recentJobs  = 10
	jobsPerPage = 25
	// tokensPerPage bounds the app page's list of live challenge tokens.
	tokensPerPage = 25
)

func (h *Handler) overview(w http.ResponseWriter, r *http.Request) {
	h.renderOverview(w, r, http.StatusOK, nil)
}

func (h *Handler) renderOverview(w http.ResponseWriter, r *http.Request, status int, form *formState) {
	ctx := r.Context()
	scope := h.scope(r)
	p := h.newPage(w, r, scope, "Overview")
	p.section, p.Form = "overview", form
	d := &overviewData{Version: h.build.Version, Commit: h.build.Commit, Store: h.cfg.StoreKind,
		Started: h.cfg.StartedAt.UTC().Format(time.RFC3339), Mode: string(h.cfg.Service.JobSettings().Mode)}
	var err error
	if d.Scopes, err = h.cfg.Service.Scopes(ctx); err != nil {
		h.fail(w, r, err)
		return
	}
	apps, err := h.cfg.Service.ListApps(ctx, scope, r.URL.Query().Get("after"), appsPerPage)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Apps, d.Next = apps.Apps, apps.Next
	if d.Jobs, err = h.cfg.Service.RecentJobs(ctx, scope, recentJobs); err != nil {
		h.fail(w, r, err)
		return
	}
	if d.Counts, err = h.totals(ctx); err != nil {
		h.fail(w, r, err)
		return
	}
	d.Health = "ok"
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := h.cfg.Service.Store.Ping(pctx); err != nil {
		d.Health = "unavailable: " + err.Error()
	}
	p.D = d
	h.render(w, status, "overview", p)
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	switch amplify.ErrorCode(err) {
	case amplify.NotFound:
		status = http.StatusNotFound
	case amplify.BadRequest:
		status = http.StatusBadRequest
	default:
		h.cfg.Logger.Error("console", "path", r.URL.Path, "err", err)
	}
	h.renderError(w, r, status, errText(err))
}

func (h *Handler) createApp(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	body := map[string]any{"appId": f.Get("appId"), "appName": f.Get("appName"), "backendEnvironmentName": f.Get("backendEnvironmentName")}
	out, err := h.call(r, "CreateBackend", nil, body)
	if err != nil {
		h.renderOverview(w, r, http.StatusBadRequest, failed("create-app", f, err))
		return
	}
	// The app exists once its job completes: the overview's list shows it then.
	p := &page{q: url.Values{"account": {h.scope(r).Account}, "region": {h.scope(r).Region}}.Encode()}
	h.done(w, r, p.href(nil), jobMessage(out))
}

// ---- app

type appData struct {
	App    amplify.App
	Envs   []string
	Config *amplify.AppConfig
	Login  map[string]string
	Token  *api.GetTokenResponse
	Tokens []amplify.Token
	// TokensNext is the session id after which the next page of tokens starts.
	TokensNext string
	JobsLink   string
}

func (h *Handler) appPage(w http.ResponseWriter, r *http.Request) {
	h.renderApp(w, r, http.StatusOK, nil, nil)
}

func (h *Handler) renderApp(w http.ResponseWriter, r *http.Request, status int, form *formState, token *api.GetTokenResponse) {
	ctx := r.Context()
	key := amplify.AppKey{Scope: h.scope(r), AppID: r.PathValue("app")}
	b, err := h.cfg.Service.GetBackend(ctx, key, "")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	cfg, err := h.cfg.Service.AppConfig(ctx, key)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.newPage(w, r, key.Scope, "App "+b.App.Name)
	p.Form = form
	p.Crumbs = []crumb{{"Overview", p.href(nil)}}
	toks, err := h.cfg.Service.ListTokens(ctx, key, r.URL.Query().Get("tokens"), tokensPerPage)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := &appData{App: b.App, Envs: b.Environments, Config: cfg, Token: token, Tokens: toks.Tokens, TokensNext: toks.Next}
	if cfg != nil {
		json.Unmarshal(cfg.LoginAuthConfig, &d.Login)
	}
	p.D = d
	h.render(w, status, "app", p)
}

func (h *Handler) appAction(w http.ResponseWriter, r *http.Request) {
	app := r.PathValue("app")
	f := r.PostForm
	var (
		out any
		err error
	)
	switch action := r.PathValue("action"); action {
	case "create-env":
		b, gerr := h.cfg.Service.GetBackend(r.Context(), amplify.AppKey{Scope: h.scope(r), AppID: app}, "")
		if gerr != nil {
			h.fail(w, r, gerr)
			return
		}
		out, err = h.call(r, "CreateBackend", nil, map[string]any{"appId": app, "appName": b.App.Name, "backendEnvironmentName": f.Get("backendEnvironmentName")})
	case "clone-env":
		out, err = h.call(r, "CloneBackend", []string{app, f.Get("source")}, map[string]any{"targetEnvironmentName": f.Get("targetEnvironmentName")})
	case "delete-env":
		out, err = h.call(r, "DeleteBackend", []string{app, f.Get("env")}, nil)
	case "remove-all":
		out, err = h.call(r, "RemoveAllBackends", []string{app}, map[string]any{"cleanAmplifyApp": f.Get("cleanAmplifyApp") == "true"})
		if err == nil && f.Get("cleanAmplifyApp") == "true" {
			p := h.newPage(w, r, h.scope(r), "")
			h.done(w, r, p.href(nil), jobMessage(out))
			return
		}
	case "config-create":
		body := map[string]any{}
		if v := f.Get("backendManagerAppId"); v != "" {
			body["backendManagerAppId"] = v
		}
		out, err = h.call(r, "CreateBackendConfig", []string{app}, body)
	case "config-update":
		login := map[string]any{}
		for _, k := range []string{"aws_cognito_identity_pool_id", "aws_cognito_region", "aws_user_pools_id", "aws_user_pools_web_client_id"} {
			if v := f.Get("loginAuthConfig." + k); v != "" {
				login[k] = v
			}
		}
		out, err = h.call(r, "UpdateBackendConfig", []string{app}, map[string]any{"loginAuthConfig": login})
	case "config-remove":
		out, err = h.call(r, "RemoveBackendConfig", []string{app}, nil)
	case "token-create", "token-get":
		if action == "token-create" {
			out, err = h.call(r, "CreateToken", []string{app}, nil)
		} else {
			out, err = h.call(r, "GetToken", []string{app, f.Get("sessionId")}, nil)
		}
		if err == nil {
			var tok api.GetTokenResponse
			b, _ := json.Marshal(out)
			json.Unmarshal(b, &tok)
			h.renderApp(w, r, http.StatusOK, nil, &tok)
			return
		}
	case "token-delete":
		out, err = h.call(r, "DeleteToken", []string{app, f.Get("sessionId")}, nil)
	default:
		h.renderError(w, r, http.StatusNotFound, "There is no such action.")
		return
	}
	if err != nil {
		h.renderApp(w, r, http.StatusBadRequest, failed(r.PathValue("action"), f, err), nil)
		return
	}
	p := h.newPage(w, r, h.scope(r), "")
	h.done(w, r, p.href([]string{"apps", app}), jobMessage(out))
}

// ---- environment

type envData struct {
	App       amplify.App
	Env       string
	Meta      string
	Flags     string
	Auth      *amplify.Resource
	API       *amplify.Resource
	Storage   *amplify.Resource
	Jobs      []amplify.Job
	Buckets   []amplify.Bucket
	Ops       []string
	AuthAttrs []string
	// AuthValues fills the auth form: the stored configuration (update) or the defaults
	// (create).
	AuthValues url.Values
	// APIValues fills the API's update form with its stored configuration.
	APIValues url.Values
}

func (h *Handler) envPage(w http.ResponseWriter, r *http.Request) {
	h.renderEnv(w, r, http.StatusOK, nil)
}

func (h *Handler) loadEnv(r *http.Request) (*envData, error) {
	ctx := r.Context()
	key := amplify.EnvKey{AppKey: amplify.AppKey{Scope: h.scope(r), AppID: r.PathValue("app")}, Env: r.PathValue("env")}
	b, err := h.cfg.Service.GetBackend(ctx, key.AppKey, key.Env)
	if err != nil {
		return nil, err
	}
	d := &envData{App: b.App, Env: key.Env, Meta: prettyJSON(b.MetaConfig), Flags: prettyJSON(b.FeatureFlags)}
	res, err := h.cfg.Service.Resources(ctx, key)
	if err != nil {
		return nil, err
	}
	for i := range res {
		switch res[i].Kind {
		case amplify.KindAuth:
			d.Auth = &res[i]
		case amplify.KindAPI:
			d.API = &res[i]
		case amplify.KindStorage:
			d.Storage = &res[i]
		}
	}
	jobs, err := h.cfg.Service.ListJobs(ctx, key, amplify.JobFilter{}, 5, "")
	if err != nil {
		return nil, err
	}
	d.Jobs = jobs.Jobs
	buckets, err := h.cfg.Service.ListS3Buckets(ctx, key.Scope, "")
	if err != nil {
		return nil, err
	}
	d.Buckets = buckets.Buckets
	if d.API != nil {
		d.APIValues = configFormValues(d.API.Config)
	}
	if d.Auth != nil {
		d.AuthValues = configFormValues(d.Auth.Config)
	} else {
		d.AuthValues = url.Values{userPoolPrefix + "mfa.MFAMode": {"OFF"}, userPoolPrefix + "mfa.settings.mfaTypes": {"TOTP"},
			userPoolPrefix + "mfa.settings.smsMessage": {"Your code is {####}"}}
	}
	return d, nil
}

func (h *Handler) renderEnv(w http.ResponseWriter, r *http.Request, status int, form *formState) {
	d, err := h.loadEnv(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.newPage(w, r, h.scope(r), "Environment "+d.Env)
	p.Form = form
	p.Crumbs = []crumb{{"Overview", p.href(nil)}, {"App " + d.App.Name, p.href([]string{"apps", d.App.AppID})}}
	p.D = d
	h.render(w, status, "env", p)
}

// userPoolPrefix is the form name prefix of the user pool's members: every field is named
// by its path in the request body, so that a validation error finds its field.
const userPoolPrefix = "resourceConfig.userPoolConfigs."

// The user pool members that CreateBackendAuth and UpdateBackendAuth share, by path under
// userPoolConfigs, and how the form carries each.
type fieldKind int

const (
	textField   fieldKind = iota // one value, sent when not empty
	listField                    // checkboxes: every checked value
	linesField                   // a textarea: one value a line
	numberField                  // a number (the API names what is not one)
)

var userPoolFields = []struct {
	path string
	kind fieldKind
}{
	{"forgotPassword.deliveryMethod", textField},
	{"forgotPassword.emailSettings.emailSubject", textField},
	{"forgotPassword.emailSettings.emailMessage", textField},
	{"forgotPassword.smsSettings.smsMessage", textField},
	{"mfa.MFAMode", textField},
	{"mfa.settings.mfaTypes", listField},
	{"mfa.settings.smsMessage", textField},
	{"oAuth.domainPrefix", textField},
	{"oAuth.oAuthGrantType", textField},
	{"oAuth.oAuthScopes", listField},
	{"oAuth.redirectSignInURIs", linesField},
	{"oAuth.redirectSignOutURIs", linesField},
	{"oAuth.socialProviderSettings.Facebook.client_id", textField},
	{"oAuth.socialProviderSettings.Facebook.client_secret", textField},
	{"oAuth.socialProviderSettings.Google.client_id", textField},
	{"oAuth.socialProviderSettings.Google.client_secret", textField},
	{"oAuth.socialProviderSettings.LoginWithAmazon.client_id", textField},
	{"oAuth.socialProviderSettings.LoginWithAmazon.client_secret", textField},
	{"oAuth.socialProviderSettings.SignInWithApple.client_id", textField},
	{"oAuth.socialProviderSettings.SignInWithApple.key_id", textField},
	{"oAuth.socialProviderSettings.SignInWithApple.private_key", textField},
	{"oAuth.socialProviderSettings.SignInWithApple.team_id", textField},
	{"passwordPolicy.minimumLength", numberField},
	{"passwordPolicy.additionalConstraints", listField},
	{"verificationMessage.deliveryMethod", textField},
	{"verificationMessage.emailSettings.emailSubject", textField},
	{"verificationMessage.emailSettings.emailMessage", textField},
	{"verificationMessage.smsSettings.smsMessage", textField},
}

// put sets the member at a dotted path of m, making the objects on the way.
func put(m map[string]any, path string, v any) {
	parts := strings.Split(path, ".")
	for _, k := range parts[:len(parts)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	m[parts[len(parts)-1]] = v
}

// formLines splits a textarea into its non-empty lines.
func formLines(v string) []string {
	var out []string
	for _, l := range strings.Split(v, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// authConfig builds a CreateBackendAuth or UpdateBackendAuth resourceConfig from the form. A
// member left empty is not sent: for an update it keeps its stored value (the service merges
// the update into the stored configuration), for a create the API says whether it may be
// missing. A section (OAuth, forgot password, ...) is sent when one of its fields is filled.
func authConfig(f url.Values, update bool) map[string]any {
	user := map[string]any{}
	if !update {
		user["signInMethod"] = f.Get(userPoolPrefix + "signInMethod")
		user["userPoolName"] = f.Get(userPoolPrefix + "userPoolName")
		attrs := f[userPoolPrefix+"requiredSignUpAttributes"]
		if attrs == nil {
			attrs = []string{}
		}
		user["requiredSignUpAttributes"] = attrs
	}
	mfaOff := f.Get(userPoolPrefix+"mfa.MFAMode") == "OFF"
	for _, fd := range userPoolFields {
		name := userPoolPrefix + fd.path
		if mfaOff && strings.HasPrefix(fd.path, "mfa.settings.") {
			continue // MFA off has no settings
		}
		switch fd.kind {
		case textField:
			if v := f.Get(name); v != "" {
				put(user, fd.path, v)
			}
		case listField:
			if vs := f[name]; len(vs) > 0 {
				put(user, fd.path, vs)
			}
		case linesField:
			if vs := formLines(f.Get(name)); len(vs) > 0 {
				put(user, fd.path, vs)
			}
		case numberField:
			if v := strings.TrimSpace(f.Get(name)); v != "" {
				if n, err := strconv.ParseFloat(v, 64); err == nil {
					put(user, fd.path, n)
				} else {
					put(user, fd.path, v) // the API names the type error
				}
			}
		}
	}
	cfg := map[string]any{"service": "COGNITO", "userPoolConfigs": user}
	if v := f.Get("resourceConfig.authResources"); v != "" {
		cfg["authResources"] = v
	}
	login := f.Get("resourceConfig.identityPoolConfigs.unauthenticatedLogin")
	switch {
	case !update && cfg["authResources"] == "IDENTITY_POOL_AND_USER_POOL":
		cfg["identityPoolConfigs"] = map[string]any{
			"identityPoolName":     f.Get("resourceConfig.identityPoolConfigs.identityPoolName"),
			"unauthenticatedLogin": login == "true",
		}
	case update && (login == "true" || login == "false"):
		cfg["identityPoolConfigs"] = map[string]any{"unauthenticatedLogin": login == "true"}
	}
	return cfg
}

// configFormValues flattens a stored resourceConfig into the update forms' field names and
// values, so that a form shows what is configured. A list of objects (an API's
// additionalAuthTypes) gives each member's values under one name: the modes, as checkboxes
// carry them.
func configFormValues(config []byte) url.Values {
	out := url.Values{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				walk(prefix+"."+k, e)
			}
		case []any:
			for _, e := range v {
				if _, ok := e.(map[string]any); ok {
					walk(prefix, e)
				} else {
					out.Add(prefix, fmt.Sprint(e))
				}
			}
		case nil:
		default:
			out.Add(prefix, fmt.Sprint(v))
		}
	}
	var m any
	if json.Unmarshal(config, &m) == nil {
		walk("resourceConfig", m)
	}
	return out
}

// The members of an API's authorization settings (BackendAPIAppSyncAuthSettings), by path
// under defaultAuthType.
var apiAuthSettings = []struct {
	path string
	kind fieldKind
}{
	{"settings.description", textField},
	{"settings.expirationTime", numberField},
	{"settings.cognitoUserPoolId", textField},
	{"settings.openIDProviderName", textField},
	{"settings.openIDIssueURL", textField},
	{"settings.openIDClientId", textField},
	{"settings.openIDAuthTTL", textField},
	{"settings.openIDIatTTL", textField},
}

// apiConfig builds an UpdateBackendAPI resourceConfig from the form: the default
// authorization (mode and settings), the additional authorization modes and the conflict
// resolution. An empty field is not sent and keeps its stored value. The additional modes
// replace the stored list (a list is replaced whole); a mode that stays keeps its stored
// settings (stored: the API's stored resourceConfig).
func apiConfig(f url.Values, stored json.RawMessage) map[string]any {
	cfg := map[string]any{}
	if v := f.Get("resourceConfig.defaultAuthType.mode"); v != "" {
		put(cfg, "defaultAuthType.mode", v)
	}
	for _, fd := range apiAuthSettings {
		v := strings.TrimSpace(f.Get("resourceConfig.defaultAuthType." + fd.path))
		if v == "" {
			continue
		}
		if n, err := strconv.ParseFloat(v, 64); fd.kind == numberField && err == nil {
			put(cfg, "defaultAuthType."+fd.path, n)
		} else {
			put(cfg, "defaultAuthType."+fd.path, v) // a number's type error is the API's to name
		}
	}
	if v := f.Get("resourceConfig.conflictResolution.resolutionStrategy"); v != "" {
		put(cfg, "conflictResolution.resolutionStrategy", v)
	}
	if modes := f["resourceConfig.additionalAuthTypes.mode"]; len(modes) > 0 {
		var old struct {
			AdditionalAuthTypes []map[string]any `json:"additionalAuthTypes"`
		}
		json.Unmarshal(stored, &old)
		var list []map[string]any
		for _, m := range modes {
			t := map[string]any{"mode": m}
			for _, o := range old.AdditionalAuthTypes {
				if o["mode"] == m && o["settings"] != nil {
					t["settings"] = o["settings"]
				}
			}
			list = append(list, t)
		}
		cfg["additionalAuthTypes"] = list
	}
	return cfg
}

func storagePermissions(f url.Values) map[string]any {
	auth := f["resourceConfig.permissions.authenticated"]
	if auth == nil {
		auth = []string{}
	}
	perms := map[string]any{"authenticated": auth}
	if un := f["resourceConfig.permissions.unAuthenticated"]; un != nil {
		perms["unAuthenticated"] = un
	}
	return perms
}

func (h *Handler) envAction(w http.ResponseWriter, r *http.Request) {
	app, env := r.PathValue("app"), r.PathValue("env")
	f := r.PostForm
	params := []string{app, env}
	var (
		out any
		err error
	)
	switch r.PathValue("action") {
	case "auth-create":
		out, err = h.call(r, "CreateBackendAuth", []string{app}, map[string]any{"backendEnvironmentName": env,
			"resourceName": f.Get("resourceName"), "resourceConfig": authConfig(f, false)})
	case "auth-update":
		out, err = h.call(r, "UpdateBackendAuth", params, map[string]any{"resourceName": f.Get("resourceName"), "resourceConfig": authConfig(f, true)})
	case "auth-import":
		body := map[string]any{}
		for _, k := range []string{"userPoolId", "webClientId", "nativeClientId", "identityPoolId"} {
			if v := f.Get(k); v != "" {
				body[k] = v
			}
		}
		out, err = h.call(r, "ImportBackendAuth", params, body)
	case "auth-delete":
		out, err = h.call(r, "DeleteBackendAuth", params, map[string]any{"resourceName": f.Get("resourceName")})
	case "api-update":
		var stored json.RawMessage
		// The stored configuration keeps the settings of the additional modes that stay.
		if all, err := h.cfg.Service.Resources(r.Context(), amplify.EnvKey{AppKey: amplify.AppKey{Scope: h.scope(r), AppID: app}, Env: env}); err == nil {
			for _, res := range all {
				if res.Kind == amplify.KindAPI {
					stored = res.Config
				}
			}
		}
		out, err = h.call(r, "UpdateBackendAPI", params, map[string]any{"resourceName": f.Get("resourceName"), "resourceConfig": apiConfig(f, stored)})
	case "api-delete":
		out, err = h.call(r, "DeleteBackendAPI", params, map[string]any{"resourceName": f.Get("resourceName")})
	case "storage-create":
		cfg := map[string]any{"serviceName": "S3", "permissions": storagePermissions(f)}
		if v := f.Get("resourceConfig.bucketName"); v != "" {
			cfg["bucketName"] = v
		}
		out, err = h.call(r, "CreateBackendStorage", []string{app}, map[string]any{"backendEnvironmentName": env,
			"resourceName": f.Get("resourceName"), "resourceConfig": cfg})
	case "storage-update":
		out, err = h.call(r, "UpdateBackendStorage", params, map[string]any{"resourceName": f.Get("resourceName"),
			"resourceConfig": map[string]any{"serviceName": "S3", "permissions": storagePermissions(f)}})
	case "storage-import":
		out, err = h.call(r, "ImportBackendStorage", params, map[string]any{"bucketName": f.Get("bucketName"), "serviceName": "S3"})
	case "storage-delete":
		out, err = h.call(r, "DeleteBackendStorage", params, map[string]any{"resourceName": f.Get("resourceName"), "serviceName": "S3"})
	default:
		h.renderError(w, r, http.StatusNotFound, "There is no such action.")
		return
	}
	if err != nil {
		h.renderEnv(w, r, http.StatusBadRequest, failed(r.PathValue("action"), f, err))
		return
	}
	_ = params
	p := h.newPage(w, r, h.scope(r), "")
	h.done(w, r, p.href([]string{"apps", app, "envs", env}), jobMessage(out))
}

// ---- data model

type modelData struct {
	App       amplify.App
	Env       string
	API       *amplify.Resource
	Schema    string
	Problems  []schemaProblem
	Checked   bool
	Models    *amplify.APIModels
	ModelList []modelFile
	Diagram   *diagram
}

type modelFile struct {
	Name string
	Text string
}

type schemaProblem struct {
	Line, Column int
	Message      string
}

func (h *Handler) modelPage(w http.ResponseWriter, r *http.Request) {
	h.renderModel(w, r, http.StatusOK, nil, "", false)
}

func (h *Handler) renderModel(w http.ResponseWriter, r *http.Request, status int, form *formState, draft string, checked bool) {
	ctx := r.Context()
	key := amplify.EnvKey{AppKey: amplify.AppKey{Scope: h.scope(r), AppID: r.PathValue("app")}, Env: r.PathValue("env")}
	b, err := h.cfg.Service.GetBackend(ctx, key.AppKey, key.Env)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := &modelData{App: b.App, Env: key.Env, Checked: checked}
	res, err := h.cfg.Service.Resources(ctx, key)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for i := range res {
		if res[i].Kind == amplify.KindAPI {
			d.API = &res[i]
		}
	}
	stored := ""
	if d.API != nil {
		var c struct {
			TransformSchema string `json:"transformSchema"`
		}
		json.Unmarshal(d.API.Config, &c)
		stored = c.TransformSchema
		if d.Models, err = h.cfg.Service.GetBackendAPIModels(ctx, key, d.API.Name); err != nil {
			h.fail(w, r, err)
			return
		}
		d.ModelList = splitModels(d.Models.Models)
	}
	d.Schema = stored
	if checked || form != nil {
		d.Schema = draft
	}
	if d.Schema == "" && d.API == nil {
		d.Schema = exampleSchema
	}
	if checked {
		d.Problems = h.problems(d.Schema)
	}
	d.Diagram = drawDiagram(d.Schema)
	p := h.newPage(w, r, key.Scope, "Data model of "+key.Env)
	p.Form = form
	p.Crumbs = []crumb{{"Overview", p.href(nil)}, {"App " + b.App.Name, p.href([]string{"apps", b.App.AppID})},
		{"Environment " + key.Env, p.href([]string{"apps", b.App.AppID, "envs", key.Env})}}
	p.D = d
	h.render(w, status, "model", p)
}

const exampleSchema = `type Todo @model {
  id: ID!
  name: String!
  description: String
}
`

// splitModels turns the Models member (a JSON object of file name to content) into a list.
func splitModels(models string) []modelFile {
	var m map[string]string
	if json.Unmarshal([]byte(models), &m) != nil {
		if models == "" {
			return nil
		}
		return []modelFile{{"schema.js (DataStore models)", models}}
	}
	var out []modelFile
	for name, text := range m {
		out = append(out, modelFile{name, text})
	}
	slices.SortFunc(out, func(a, b modelFile) int { return strings.Compare(a.Name, b.Name) })
	return out
}

func (h *Handler) problems(text string) []schemaProblem {
	err := h.cfg.CheckSchema(text)
	if err == nil {
		return nil
	}
	var out []schemaProblem
	var walk func(err error)
	walk = func(err error) {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		var se *schema.Error
		if errors.As(err, &se) {
			out = append(out, schemaProblem{se.Line, se.Column, se.Message})
			return
		}
		out = append(out, schemaProblem{Message: err.Error()})
	}
	walk(err)
	return out
}

func (h *Handler) modelAction(w http.ResponseWriter, r *http.Request) {
	app, env := r.PathValue("app"), r.PathValue("env")
	f := r.PostForm
	doc := strings.ReplaceAll(f.Get("transformSchema"), "\r\n", "\n")
	var (
		out any
		err error
	)
	switch r.PathValue("action") {
	case "check":
		if strings.Contains(r.Header.Get("Accept"), "application/json") {
			w.Header().Set("Content-Type", "application/json")
			probs := h.problems(doc)
			if probs == nil {
				probs = []schemaProblem{}
			}
			json.NewEncoder(w).Encode(struct {
				Problems []schemaProblem `json:"problems"`
			}{probs})
			return
		}
		h.renderModel(w, r, http.StatusOK, nil, doc, true)
		return
	case "save":
		// The schema is checked before it is sent: a schema with errors is not saved (the
		// job would fail with the same error).
		if probs := h.problems(doc); len(probs) > 0 {
			h.renderModel(w, r, http.StatusBadRequest, &formState{Name: "save", Values: f, Fields: map[string]string{},
				Message: "The schema has errors; nothing was saved."}, doc, true)
			return
		}
		name := f.Get("resourceName")
		if f.Get("create") == "true" {
			cfg := apiConfig(f, nil)
			cfg["service"], cfg["apiName"], cfg["transformSchema"] = "AppSync", name, doc
			out, err = h.call(r, "CreateBackendAPI", []string{app}, map[string]any{"backendEnvironmentName": env, "resourceName": name,
				"resourceConfig": cfg})
		} else {
			out, err = h.call(r, "UpdateBackendAPI", []string{app, env}, map[string]any{"resourceName": name,
				"resourceConfig": map[string]any{"transformSchema": doc}})
		}
	case "generate":
		out, err = h.call(r, "GenerateBackendAPIModels", []string{app, env}, map[string]any{"resourceName": f.Get("resourceName")})
	default:
		h.renderError(w, r, http.StatusNotFound, "There is no such action.")
		return
	}
	if err != nil {
		h.renderModel(w, r, http.StatusBadRequest, failed(r.PathValue("action"), f, err), doc, false)
		return
	}
	p := h.newPage(w, r, h.scope(r), "")
	h.done(w, r, p.href([]string{"apps", app, "envs", env, "model"}), jobMessage(out))
}

// ---- jobs

type jobsData struct {
	App       amplify.App
	Envs      []string
	Env       string
	Operation string
	Status    string
	Jobs      []amplify.Job
	Next      string
	Ops       []string
	Settings  amplify.JobSettings
}

func (h *Handler) jobsPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	key := amplify.AppKey{Scope: h.scope(r), AppID: r.PathValue("app")}
	b, err := h.cfg.Service.GetBackend(ctx, key, "")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := &jobsData{App: b.App, Envs: b.Environments, Env: q.Get("env"), Operation: q.Get("operation"), Status: q.Get("status"),
		Ops: amplify.JobOperations(), Settings: h.cfg.Service.JobSettings()}
	if d.Env == "" && len(d.Envs) > 0 {
		d.Env = d.Envs[0]
	}
	if d.Env != "" && !slices.Contains(d.Envs, d.Env) {
		// A removed environment's jobs still answer (ListBackendJobs does, so that a
		// DeleteBackend can be followed to its end).
		d.Envs = append(d.Envs, d.Env)
	}
	p := h.newPage(w, r, key.Scope, "Jobs of "+b.App.Name)
	p.Crumbs = []crumb{{"Overview", p.href(nil)}, {"App " + b.App.Name, p.href([]string{"apps", key.AppID})}}
	if d.Env != "" {
		page, err := h.cfg.Service.ListJobs(ctx, amplify.EnvKey{AppKey: key, Env: d.Env},
			amplify.JobFilter{Operation: d.Operation, Status: d.Status}, jobsPerPage, q.Get("next"))
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.Jobs, d.Next = page.Jobs, page.NextToken
	}
	p.D = d
	h.render(w, http.StatusOK, "jobs", p)
}

func (h *Handler) finishJob(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	_, err := h.cfg.Service.FinishJob(r.Context(), r.PathValue("job"), f.Get("status"), f.Get("error"))
	back := f.Get("back")
	if !strings.HasPrefix(back, Prefix+"/") || strings.HasPrefix(back, "//") {
		back = Prefix + "/?x=1"
	}
	if err != nil {
		h.renderError(w, r, http.StatusConflict, errText(err))
		return
	}
	h.done(w, r, template.URL(back), "Job "+r.PathValue("job")+" set to "+f.Get("status")+".")
}

func (h *Handler) jobSettings(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	js := amplify.JobSettings{Mode: amplify.JobMode(f.Get("mode")), Operations: h.cfg.Service.JobSettings().Operations}
	if js.Mode == amplify.JobsTimed {
		d, err := time.ParseDuration(f.Get("duration"))
		if err != nil || d < 0 || d > 24*time.Hour {
			h.renderError(w, r, http.StatusBadRequest, "A timed job mode needs a duration such as 2s (at most 24h).")
			return
		}
		js.Duration = d
	}
	if js.Mode != amplify.JobsTimed && js.Mode != amplify.JobsImmediate && js.Mode != amplify.JobsManual {
		h.renderError(w, r, http.StatusBadRequest, "The job mode is immediate, timed or manual.")
		return
	}
	if err := h.cfg.Service.SetJobSettings(r.Context(), js); err != nil {
		h.fail(w, r, err)
		return
	}
	back := f.Get("back")
	if !strings.HasPrefix(back, Prefix+"/") || strings.HasPrefix(back, "//") {
		back = Prefix + "/?x=1"
	}
	h.done(w, r, template.URL(back), "Jobs now run in mode "+string(js.Mode)+".")
}

func apiOperations() []string {
	var out []string
	for _, op := range api.OperationList() {
		out = append(out, op.Name)
	}
	return out
}
