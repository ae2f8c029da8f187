package console

import (
	"bytes"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/api"
)

const defaultAccount = "000000000000"

// page is what every template gets: the common frame and the page's own data in D.
type page struct {
	Title   string
	Scope   amplify.Scope
	CSRF    string
	Auth    string
	Session bool // the console asks for the admin token: a sign-out button
	Crumbs  []crumb
	Flash   string
	Error   string
	Form    *formState
	D       any
	JobMode string
	q       string // account=&region=, the scope every link carries
	section string
}

type crumb struct {
	Label string
	Href  template.URL
}

// formState is a form that came back with errors: which form, the values given, and the
// message of each field the error names (by its wire path), else one for the form.
type formState struct {
	Name    string
	Values  url.Values
	Fields  map[string]string
	Message string
}

func (h *Handler) newPage(w http.ResponseWriter, r *http.Request, scope amplify.Scope, title string) *page {
	q := url.Values{"account": {scope.Account}, "region": {scope.Region}}
	return &page{Title: title, Scope: scope, CSRF: h.csrfToken(w, r), Auth: h.cfg.Auth, Session: h.cfg.Token != "", q: q.Encode(),
		Flash: r.URL.Query().Get("done"), JobMode: string(h.cfg.Service.JobSettings().Mode)}
}

// href builds a console link: path segments escaped, the scope's query appended, then the
// extra key/value pairs.
func (p *page) href(segs []string, kv ...string) template.URL {
	var b strings.Builder
	b.WriteString(Prefix)
	for _, s := range segs {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	if len(segs) == 0 {
		b.WriteByte('/')
	}
	b.WriteByte('?')
	b.WriteString(p.q)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			continue
		}
		b.WriteString("&" + url.QueryEscape(kv[i]) + "=" + url.QueryEscape(kv[i+1]))
	}
	return template.URL(b.String())
}

var funcs = template.FuncMap{
	// link "apps" $id "envs" $env: a console path in the page's scope.
	"link": func(p *page, segs ...string) template.URL { return p.href(segs) },
	// linkq (list "apps" $id) "key" "value" ...: a console path with a query.
	"linkq": func(p *page, segs []string, kv ...string) template.URL { return p.href(segs, kv...) },
	"list":  func(s ...string) []string { return s },
	// slice2 passes two values to a sub-template.
	"slice2": func(a, b any) []any { return []any{a, b} },
	"ferr": func(f *formState, form, field string) string {
		if f == nil || f.Name != form {
			return ""
		}
		return f.Fields[field]
	},
	"fmsg": func(f *formState, form string) string {
		if f == nil || f.Name != form {
			return ""
		}
		return f.Message
	},
	"fval": func(f *formState, form, field, def string) string {
		if f == nil || f.Name != form || !f.Values.Has(field) {
			return def
		}
		return f.Values.Get(field)
	},
	// dval and dchecked are fval and fchecked with the defaults in a url.Values (a stored
	// configuration flattened by configFormValues).
	"dval": func(f *formState, form, field string, def url.Values) string {
		if f == nil || f.Name != form || !f.Values.Has(field) {
			return strings.Join(def[field], "\n")
		}
		return f.Values.Get(field)
	},
	"dchecked": func(f *formState, form, field, value string, def url.Values) bool {
		vals := def[field]
		if f != nil && f.Name == form {
			vals = f.Values[field]
		}
		return slices.Contains(vals, value)
	},
	"args":     func(v ...any) []any { return v },
	"novalues": func() url.Values { return url.Values{} },
	"fchecked": func(f *formState, form, field, value string, def bool) bool {
		if f == nil || f.Name != form {
			return def
		}
		for _, v := range f.Values[field] {
			if v == value {
				return true
			}
		}
		return false
	},
	"pretty":  prettyJSON,
	"when":    func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000Z") },
	"epoch":   func(ms string) string { return epochString(ms) },
	"enum":    enumValues,
	"lower":   strings.ToLower,
	"hasPref": strings.HasPrefix,
}

func enumValues(name string) []string {
	switch name {
	case "SignInMethod":
		return api.SignInMethodValues()
	case "MFAMode":
		return api.MFAModeValues()
	case "AuthResources":
		return api.AuthResourcesValues()
	case "Mode":
		return api.ModeValues()
	case "Authenticated":
		return api.AuthenticatedElementValues()
	case "UnAuthenticated":
		return api.UnAuthenticatedElementValues()
	case "RequiredSignUpAttributes":
		return api.RequiredSignUpAttributesElementValues()
	case "Status":
		return api.StatusValues()
	case "DeliveryMethod":
		return api.DeliveryMethodValues()
	case "MfaTypes":
		return api.MfaTypesElementValues()
	case "OAuthGrantType":
		return api.OAuthGrantTypeValues()
	case "OAuthScopes":
		return api.OAuthScopesElementValues()
	case "ResolutionStrategy":
		return api.ResolutionStrategyValues()
	case "AdditionalConstraints":
		return api.AdditionalConstraintsElementValues()
	}
	return nil
}

func prettyJSON(s any) string {
	var raw []byte
	switch v := s.(type) {
	case string:
		raw = []byte(v)
	case json.RawMessage:
		raw = v
	case []byte:
		raw = v
	default:
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return ""
		}
		return string(b)
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return string(raw)
	}
	return buf.String()
}

func epochString(ms string) string {
	n, err := strconv.ParseInt(ms, 10, 64)
	if err != nil {
		return ms
	}
	return time.UnixMilli(n).UTC().Format("2006-01-02 15:04:05Z")
}

func (h *Handler) render(w http.ResponseWriter, status int, name string, p *page) {
	t := h.pages[name]
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		h.cfg.Logger.Error("console: render", "page", name, "err", err)
		http.Error(w, "the console could not render this page; the server log has the reason", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func (h *Handler) renderError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	p := h.newPage(w, r, h.scope(r), http.StatusText(status))
	p.Error = msg
	h.render(w, status, "error", p)
}

// scope is the account and region the request acts in: ?account=&region=, else the
// defaults. Invalid values fall back to the defaults (the header shows which is used).
func (h *Handler) scope(r *http.Request) amplify.Scope {
	s := amplify.Scope{Account: defaultAccount, Region: h.cfg.Region}
	q := r.URL.Query()
	if a := q.Get("account"); validAccount(a) {
		s.Account = a
	}
	if rg := q.Get("region"); validRegion.MatchString(rg) {
		s.Region = rg
	}
	return s
}

var validRegion = regexp.MustCompile(`^[a-z0-9-]{1,32}$`)

func validAccount(a string) bool {
	if len(a) != 12 {
		return false
	}
	for _, c := range a {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// done redirects after a successful action (post, redirect, get), with a message.
func (h *Handler) done(w http.ResponseWriter, r *http.Request, to template.URL, msg string) {
	u := string(to)
	if msg != "" {
		u += "&done=" + url.QueryEscape(msg)
	}
	http.Redirect(w, r, u, http.StatusSeeOther)
}

// failed is a form's error: the fields whose wire path the message names get it next to
// them; otherwise the form shows it.
func failed(form string, values url.Values, err error) *formState {
	f := &formState{Name: form, Values: values, Fields: map[string]string{}}
	msg := errText(err)
	for field := range values {
		if field == csrfField {
			continue
		}
		if strings.Contains(msg, "'"+field+"'") || strings.Contains(msg, "'"+field+"[") {
			f.Fields[field] = msg
		}
	}
	if len(f.Fields) == 0 {
		f.Message = msg
	}
	return f
}

// errText is an error as the console shows it: the AWS error type and message.
func errText(err error) string {
	var e *amplify.Error
	if errors.As(err, &e) {
		if strings.HasPrefix(e.Message, e.Code) || strings.Contains(e.Message, "Exception - ") {
			return e.Message
		}
		return e.Code + ": " + e.Message
	}
	return err.Error()
}
