package httpapi

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/sigv4"
)

// DefaultAccount is the account of unsigned requests and of access keys that are not
// 12-digit account ids, in auth mode "any".
const DefaultAccount = "000000000000"

// Authenticator decides who a request acts as. It sees the whole request, body included, so
// that a signature verifier can hash the payload. Errors are *amplify.Error (403 codes).
type Authenticator interface {
	Authenticate(r *http.Request, body []byte) (amplify.Scope, error)
}

// AnyAuth is auth mode "any": every request is accepted; the account is the access key id when
// that is 12 digits, else DefaultAccount; the region is the credential scope's, else Region.
type AnyAuth struct {
	Region string
}

// Authenticate reads the credential scope without verifying the signature.
func (a AnyAuth) Authenticate(r *http.Request, _ []byte) (amplify.Scope, error) {
	scope := amplify.Scope{Account: DefaultAccount, Region: a.Region}
	cred, ok := credential(r)
	if !ok {
		return scope, nil
	}
	if isAccountID(cred.AccessKeyID) {
		scope.Account = cred.AccessKeyID
	}
	if cred.Region != "" {
		if !sigv4.ValidRegion(cred.Region) {
			return scope, amplify.Errorf(amplify.BadRequest, "The credential scope names an invalid region: a region is 1 to 32 lowercase letters, digits and dashes.")
		}
		scope.Region = cred.Region
	}
	return scope, nil
}

// Credential is the credential of a SigV4-signed request: AKID/date/region/service/aws4_request.
type Credential struct {
	AccessKeyID string
	Date        string
	Region      string
	Service     string
}

// credential extracts the SigV4 credential from the Authorization header or, for presigned
// URLs, the X-Amz-Credential query parameter.
func credential(r *http.Request) (Credential, bool) {
	var raw string
	if auth := headerValue(r.Header, "Authorization"); strings.HasPrefix(auth, "AWS4-HMAC-SHA256 ") {
		for part := range strings.SplitSeq(auth[len("AWS4-HMAC-SHA256 "):], ",") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(part), "Credential="); ok {
				raw = v
				break
			}
		}
	} else if v := r.URL.Query().Get("X-Amz-Credential"); v != "" {
		raw = v
	}
	return ParseCredential(raw)
}

// ParseCredential splits a SigV4 credential string; ok is false unless it has five parts
// ending in aws4_request.
func ParseCredential(raw string) (Credential, bool) {
	var parts [5]string
	rest := raw
	for i := range 4 {
		var ok bool
		if parts[i], rest, ok = strings.Cut(rest, "/"); !ok {
			return Credential{}, false
		}
	}
	parts[4] = rest
	if parts[4] != "aws4_request" || parts[0] == "" {
		return Credential{}, false
	}
	return Credential{AccessKeyID: parts[0], Date: parts[1], Region: parts[2], Service: parts[3]}, true
}

// headerValue is h.Get(key) for a key already in canonical form, without canonicalizing it
// again on every request.
func headerValue(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

type scopeKey struct{}

// WithScope returns ctx carrying the caller's account and region.
func WithScope(ctx context.Context, s amplify.Scope) context.Context {
	return context.WithValue(ctx, scopeKey{}, s)
}

// operationContext is the context an operation runs in: the request's values and the
// caller's scope, but not the request's cancellation. net/http cancels a request's context
// when a read on its connection fails, and reaching the end of the stream is such a failure:
// a client that half-closes its side after sending a complete request (as `nc -N`, some
// proxies and HTTP/1.0 scripts do) looks gone, although it is still reading. Run under that
// context, its operation stopped half-way and it got no answer, or net/http's empty 200.
// Requests are short and bounded, so the operation runs to its end and its answer is
// written whole; to a client that is really gone, the answer is lost with the connection.
//
// It is context.WithoutCancel and WithScope in one value, one allocation per request as
// WithScope alone was. (context.Cause still reports the request's cause through Value.)
type operationContext struct {
	parent context.Context
	scope  amplify.Scope
}

func newOperationContext(r *http.Request, s amplify.Scope) context.Context {
	return &operationContext{parent: r.Context(), scope: s}
}

func (*operationContext) Deadline() (time.Time, bool) { return time.Time{}, false }
func (*operationContext) Done() <-chan struct{}       { return nil }
func (*operationContext) Err() error                  { return nil }

func (c *operationContext) Value(key any) any {
	if key == (scopeKey{}) {
		return c.scope
	}
	return c.parent.Value(key)
}

// ScopeFrom returns the account and region a request acts in.
func ScopeFrom(ctx context.Context) amplify.Scope {
	if c, ok := ctx.(*operationContext); ok {
		return c.scope // what operations get: read without boxing the scope in Value's any
	}
	s, _ := ctx.Value(scopeKey{}).(amplify.Scope)
	return s
}
