package daemon

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/console"
	"github.com/amplifybackendd/amplifybackendd/internal/control"
	"github.com/amplifybackendd/amplifybackendd/internal/httpapi"
	"github.com/amplifybackendd/amplifybackendd/internal/schema"
)

// mountConsole puts the console (internal/console) in front of the control plane's handler:
// it lives under /_amplifybackend/console/, so it is open exactly when the control plane is
// (auth mode any, or sigv4 with --admin-token-file, where it asks for the token). api is
// where its actions run, as AWS calls; it is read when an action runs, after Run built it.
func (m *Main) mountConsole(ctl http.Handler, token string, journal httpapi.Journal, api **httpapi.Server) (http.Handler, error) {
	if ctl == nil {
		return nil, nil
	}
	ring, _ := journal.(*control.Journal)
	now := time.Now
	if m.Now != nil {
		now = m.Now
	}
	kind := "sqlite"
	if m.Config.Store != "" {
		kind = "postgres"
	}
	c, err := console.New(console.Config{
		Service: m.Service,
		Invoke: func(ctx context.Context, scope amplify.Scope, op string, params []string, body []byte) (any, error) {
			return (*api).Invoke(ctx, scope, op, params, body)
		},
		Faults:      m.Faults,
		Journal:     ring,
		CheckSchema: schema.Check,
		Region:      m.Config.Region,
		Auth:        m.Config.Auth,
		Token:       token,
		StoreKind:   kind,
		StartedAt:   now(),
		Logger:      m.Logger,
		Now:         now,
	})
	if err != nil {
		return nil, err
	}
	return &consoleMux{console: c, control: ctl}, nil
}

// consoleMux sends the console's paths to the console and the rest to the control plane. It
// is a pointer, not a func: httpapi compares the handler it is given (a func value is not
// comparable).
type consoleMux struct {
	console, control http.Handler
}

func (m *consoleMux) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == console.Prefix || strings.HasPrefix(r.URL.Path, console.Prefix+"/") {
		m.console.ServeHTTP(w, r)
		return
	}
	m.control.ServeHTTP(w, r)
}

// consoleRedirect sends a browser that asks for / (Accept: text/html) to the console; every
// other request goes to next. / is no AWS route, so no AWS client is affected.
func consoleRedirect(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" && (r.Method == http.MethodGet || r.Method == http.MethodHead) &&
			strings.Contains(r.Header.Get("Accept"), "text/html") {
			http.Redirect(w, r, console.Prefix+"/", http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r)
	})
}
