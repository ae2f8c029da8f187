// Package console is the local console: Amplify Studio's job in the browser, served by the
// same binary under /_amplifybackend/console/. Pages are rendered on the server with
// html/template from embedded files; the one small script enhances them (live lists, the
// schema check as one types, a copy button) and nothing needs it. Every action goes through
// the AWS operation it stands for (Config.Invoke: decoded, validated, fault-injected and
// journaled like the HTTP call) or, for the testing tools, through the same domain calls as
// the control plane.
package console

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/buildinfo"
	"github.com/amplifybackendd/amplifybackendd/internal/control"
)

// Prefix is where the console is mounted.
const Prefix = "/_amplifybackend/console"

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config is what the console needs from the program.
type Config struct {
	Service *amplify.Service
	// Invoke runs an AWS operation in-process as the HTTP API would (httpapi.Server.Invoke).
	Invoke func(ctx context.Context, scope amplify.Scope, operation string, params []string, body []byte) (any, error)
	Faults *control.Faults
	// Journal is nil when the journal is off.
	Journal *control.Journal
	// CheckSchema validates a TransformSchema (schema.Check): errors carry line and column.
	CheckSchema func(schema string) error
	// Region is the default region (--region).
	Region string
	// Auth is the auth mode, shown on the overview. Token is the admin token
	// (--admin-token-file): when set, in either mode, as the control plane requires it, the
	// console asks for it and then holds a session cookie.
	Auth      string
	Token     string
	StoreKind string
	StartedAt time.Time
	Logger    *slog.Logger
	Now       func() time.Time
	// SessionTTL is how long a login lasts (12 hours when 0).
	SessionTTL time.Duration
	// CountsTTL is how long the overview reuses the store's totals (5 s when 0; negative:
	// never). Counting jobs by status reads every job (32 ms at 100,000), and an open
	// overview refreshes every 1.5 s.
	CountsTTL time.Duration
}

// Handler serves the console.
type Handler struct {
	cfg   Config
	build buildinfo.Info
	pages map[string]*template.Template
	mux   *http.ServeMux

	mu       sync.Mutex
	sessions map[string]time.Time // session id -> expiry
	counts   *amplify.Counts
	countsAt time.Time
}

// New returns the console's handler.
func New(cfg Config) (*Handler, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.CountsTTL == 0 {
		cfg.CountsTTL = 5 * time.Second
	}
	h := &Handler{cfg: cfg, build: buildinfo.Read(), pages: map[string]*template.Template{}, sessions: map[string]time.Time{}}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(name, "templates/"), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", name)
		if err != nil {
			return nil, fmt.Errorf("console: template %s: %w", name, err)
		}
		h.pages[base] = t
	}
	h.routes()
	return h, nil
}

// ServeHTTP answers one console request with the security headers every answer carries.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("Cache-Control", "no-store")
	// The AWS routes allow any origin (CORS); the console's pages are for its own origin only.
	hd.Del("Access-Control-Allow-Origin")
	hd.Del("Access-Control-Expose-Headers")
	if r.URL.Path == Prefix {
		http.Redirect(w, r, Prefix+"/", http.StatusSeeOther)
		return
	}
	if strings.HasPrefix(r.URL.Path, Prefix+"/static/") {
		h.mux.ServeHTTP(w, r)
		return
	}
	if r.Method == http.MethodPost {
		if !h.sameOrigin(r) || !h.checkCSRF(w, r) {
			h.renderError(w, r, http.StatusForbidden, "This form is stale or came from another site (its CSRF token is missing or wrong): nothing was changed. Reload the page and try again.")
			return
		}
	}
	if h.cfg.Token != "" && !h.loggedIn(r) {
		if r.Method == http.MethodPost && r.URL.Path == Prefix+"/login" {
			h.login(w, r)
			return
		}
		h.loginPage(w, r, http.StatusUnauthorized, "")
		return
	}
	h.mux.ServeHTTP(w, r)
}

// Static files: the one CSS file and the one script.
func (h *Handler) static() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	return http.StripPrefix(Prefix+"/static/", http.FileServerFS(sub))
}

// The CSRF token is a double-submit cookie: a random value in an HttpOnly, SameSite=Strict
// cookie, repeated in a hidden field of every form. A page from another site can neither
// read the cookie nor make the browser send it.
const (
	csrfCookie    = "abd_console_csrf"
	sessionCookie = "abd_console_session"
	csrfField     = "csrf"
)

func randomToken() string {
	var b [32]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (h *Handler) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: Prefix + "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
	})
}

// csrfToken returns the request's CSRF token, setting the cookie when the browser has none.
func (h *Handler) csrfToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) == 64 {
		return c.Value
	}
	tok := randomToken()
	h.setCookie(w, r, csrfCookie, tok, 0)
	r.AddCookie(&http.Cookie{Name: csrfCookie, Value: tok})
	return tok
}

// maxForm bounds a form (a state snapshot upload is the largest).
const maxForm = control.DefaultMaxStateBody

func (h *Handler) checkCSRF(w http.ResponseWriter, r *http.Request) bool {
	c, err := r.Cookie(csrfCookie)
	if err != nil || len(c.Value) != 64 {
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	var got string
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if err := r.ParseMultipartForm(32 << 20); err != nil {
			return false
		}
		got = r.FormValue(csrfField)
	} else {
		if err := r.ParseForm(); err != nil {
			return false
		}
		got = r.PostForm.Get(csrfField)
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(c.Value)) == 1
}

// sameOrigin refuses a form posted from another origin, when the browser says where it
// came from.
func (h *Handler) sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" || origin == "null" && r.Header.Get("Sec-Fetch-Site") == "same-origin" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host == r.Host
}

func (h *Handler) loggedIn(r *http.Request) bool {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	exp, ok := h.sessions[c.Value]
	if ok && h.cfg.Now().After(exp) {
		delete(h.sessions, c.Value)
		return false
	}
	return ok
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	given := r.PostForm.Get("token")
	if h.cfg.Token == "" || subtle.ConstantTimeCompare([]byte(given), []byte(h.cfg.Token)) != 1 {
		h.cfg.Logger.Warn("console: login refused")
		h.loginPage(w, r, http.StatusForbidden, "That is not the admin token (the content of --admin-token-file).")
		return
	}
	id := randomToken()
	now := h.cfg.Now()
	h.mu.Lock()
	for k, exp := range h.sessions { // drop the expired ones
		if now.After(exp) {
			delete(h.sessions, k)
		}
	}
	h.sessions[id] = now.Add(h.cfg.SessionTTL)
	h.mu.Unlock()
	h.setCookie(w, r, sessionCookie, id, int(h.cfg.SessionTTL.Seconds()))
	h.cfg.Logger.Info("console: login")
	next := r.PostForm.Get("next")
	if !strings.HasPrefix(next, Prefix+"/") || strings.HasPrefix(next, "//") {
		next = Prefix + "/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		h.mu.Lock()
		delete(h.sessions, c.Value)
		h.mu.Unlock()
	}
	h.setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, Prefix+"/", http.StatusSeeOther)
}

func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	next := r.URL.RequestURI()
	if r.Method != http.MethodGet {
		next = Prefix + "/"
	}
	p := h.newPage(w, r, amplify.Scope{Account: defaultAccount, Region: h.cfg.Region}, "Sign in")
	p.Error = msg
	p.D = struct{ Next string }{next}
	h.render(w, status, "login", p)
}

// totals returns the store's counts, reused for CountsTTL.
func (h *Handler) totals(ctx context.Context) (*amplify.Counts, error) {
	now := h.cfg.Now()
	h.mu.Lock()
	c, at := h.counts, h.countsAt
	h.mu.Unlock()
	if c != nil && now.Sub(at) < h.cfg.CountsTTL {
		return c, nil
	}
	c, err := h.cfg.Service.Counts(ctx)
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	h.counts, h.countsAt = c, now
	h.mu.Unlock()
	return c, nil
}
