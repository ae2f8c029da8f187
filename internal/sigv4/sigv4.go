// Package sigv4 verifies AWS Signature Version 4 (AWS4-HMAC-SHA256) signatures of incoming
// requests, in both forms: the Authorization header and the presigned URL (X-Amz-* query
// parameters). It is a set of small pure functions over the request, its body, the time and a
// secret lookup: no store, no global state (only a pool of scratch buffers), nothing of the
// domain. Errors are *Error with the codes AWS answers: MissingAuthenticationToken (no
// signature at all), UnrecognizedClient (unknown access key) and InvalidSignature (anything
// malformed, mismatched, stale or scoped to another service); the HTTP layer turns them into
// its own errors.
//
// The canonical request follows AWS's rules for services other than S3, as the AWS SDKs
// compute it, with these decisions where the SDKs differ or AWS says nothing:
//
//   - Path: the request target exactly as sent (r.RequestURI, else r.URL.EscapedPath()),
//     percent-encoded again byte by byte ("double encoding"). botocore and the JavaScript SDK
//     v3 first remove "." / ".." segments and collapse "//"; the Go SDKs do not. Both forms
//     are tried when they differ.
//   - Query: decoded ('+' is a space), re-encoded per RFC 3986, sorted by key then value.
//     aws-sdk-go v1 sorts before encoding, which differs for non-ASCII, but sends the query in
//     the order it signed: the order as sent is tried too.
//   - Headers: the SignedHeaders list, which must be lower case, sorted, at most 64 names, and
//     include host (taken from r.Host); values trimmed, runs of spaces and tabs collapsed
//     (botocore, JavaScript; aws-sdk-go v1 keeps tabs, which is tried too), repeated headers
//     joined with ",".
//   - Payload: X-Amz-Content-Sha256 when sent (UNSIGNED-PAYLOAD, or a hash that must equal
//     the body's), else the SHA-256 of the body. Presigned URLs of non-S3 services sign the
//     body's hash too (the SDKs do); UNSIGNED-PAYLOAD, S3's presigned rule, is also accepted.
//     Streaming (chunked) payload signing is refused.
//   - Time: X-Amz-Date, else the Date header; the header form is valid within MaxSkew of the
//     server's clock, a presigned URL from X-Amz-Date (at most MaxSkew ahead) until
//     X-Amz-Date + X-Amz-Expires.
//   - X-Amz-Security-Token is tolerated and ignored, signed or not (AWS accepts an STS token
//     added after signing): there are no temporary credentials here, and clients that have
//     AWS_SESSION_TOKEN set must keep working.
package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"time"
)

// ServiceName is the signing name of the AmplifyBackend API: the service of its credential
// scope.
const ServiceName = "amplifybackend"

// MaxSkew is how far a signature's time may be from the server's clock.
const MaxSkew = 15 * time.Minute

// Code says why a signature was refused. Its values are the exception names AWS answers with
// (X-Amzn-ErrorType), all with status 403.
type Code string

// The codes of refused signatures.
const (
	// MissingAuthenticationToken: the request carries no signature at all.
	MissingAuthenticationToken Code = "MissingAuthenticationTokenException"
	// UnrecognizedClient: the access key is unknown.
	UnrecognizedClient Code = "UnrecognizedClientException"
	// InvalidSignature: anything malformed, mismatched, stale or scoped to another service.
	InvalidSignature Code = "InvalidSignatureException"
)

// Error is a refused signature: its code and a message in AWS's wording.
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// Messages of the errors clients match on; they are AWS's wording.
const (
	MissingTokenMessage = "Missing Authentication Token"
	UnknownKeyMessage   = "The security token included in the request is invalid."
	MismatchMessage     = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)

// The header map keys Verify reads, in canonical form: indexing the map with them is
// Header.Values without canonicalizing the key on every call.
const (
	hdrAuthorization = "Authorization"
	hdrSecurityToken = "X-Amz-Security-Token"
	hdrAmzDate       = "X-Amz-Date"
	hdrDate          = "Date"
	hdrContentSha256 = "X-Amz-Content-Sha256"
)

// Verifier verifies signatures scoped to one service.
type Verifier struct {
	// Service is the service the credential scope must name, e.g. ServiceName.
	Service string
	// Lookup returns the secret access key of an access key id; ok is false for an unknown
	// key. A nil Lookup knows no key.
	Lookup func(accessKeyID string) (secret string, ok bool)
	// Derive, when set, is used in place of SigningKey, e.g. Keyring.SigningKey, which
	// remembers the keys it derived.
	Derive func(secret, date, region, service string) []byte
}

// Result describes a verified signature.
type Result struct {
	AccessKeyID   string
	Region        string
	Service       string
	SignedHeaders []string
	Time          time.Time // when the request was signed
	Presigned     bool      // signed in the query rather than the Authorization header
	SecurityToken bool      // an X-Amz-Security-Token was sent (and ignored)
}

// Verify checks the signature of r, whose body the caller has already read, for the
// amplifybackend service, at time now. lookup returns the secret of an access key id.
func Verify(r *http.Request, body []byte, now time.Time, lookup func(accessKeyID string) (secret string, ok bool)) (Result, error) {
	return Verifier{Service: ServiceName, Lookup: lookup}.Verify(r, body, now)
}

// Verify checks the signature of r, whose body the caller has already read, at time now.
// It returns MissingAuthenticationToken when r carries no signature, UnrecognizedClient when
// the access key is unknown and InvalidSignature for everything else that is wrong.
func (v Verifier) Verify(r *http.Request, body []byte, now time.Time) (Result, error) {
	res, _, err := v.verify(r, body, now, nil)
	return res, err
}

// Verify checks the signature of r, whose body the caller has already read, at time now, for
// the amplifybackend service, with the keys of k (signing keys derived through its cache),
// as Verifier.Verify does. It also returns the key that verified the signature: the one
// whose account the request acts in, even if k is reloaded meanwhile. It is
// Verifier{Lookup: ..., Derive: k.SigningKey} without the closures' allocations.
func (k *Keyring) Verify(r *http.Request, body []byte, now time.Time) (Result, Key, error) {
	return Verifier{Service: ServiceName}.verify(r, body, now, k)
}

// verify is Verify; with ring set, keys are looked up and derived in ring, and Lookup and
// Derive are not used.
func (v Verifier) verify(r *http.Request, body []byte, now time.Time, ring *Keyring) (Result, Key, error) {
	rawQuery := ""
	if r.URL != nil {
		rawQuery = r.URL.RawQuery
	}
	params, queryOK := parseQuery(rawQuery)
	authHeaders := r.Header[hdrAuthorization]
	presigned := false
	for _, p := range params {
		if p.key == paramAlgorithm || p.key == paramCredential || p.key == paramSignature {
			presigned = true
			break
		}
	}
	switch {
	case len(authHeaders) == 0 && !presigned:
		if !queryOK && strings.Contains(rawQuery, "X-Amz-") {
			return Result{}, Key{}, badQuery()
		}
		return Result{}, Key{}, &Error{Code: MissingAuthenticationToken, Message: MissingTokenMessage}
	case len(authHeaders) > 0 && presigned:
		return Result{}, Key{}, invalid("Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified.")
	case len(authHeaders) > 1:
		return Result{}, Key{}, invalid("The request has more than one Authorization header.")
	case !queryOK:
		return Result{}, Key{}, badQuery()
	}

	var (
		auth    Authorization
		t       time.Time
		expires time.Duration
		token   bool
	)
	if presigned {
		p, err := parsePresigned(params)
		if err != nil {
			return Result{}, Key{}, err
		}
		auth, t, expires, token = p.Authorization, p.Time, p.Expires, p.SecurityToken != ""
	} else {
		a, err := ParseAuthorization(authHeaders[0])
		if err != nil {
			return Result{}, Key{}, err
		}
		if t, err = headerTime(r); err != nil {
			return Result{}, Key{}, err
		}
		auth, token = a, len(r.Header[hdrSecurityToken]) > 0
	}

	cred := auth.Credential
	if cred.Service != v.Service {
		return Result{}, Key{}, invalid("Credential should be scoped to correct service: '%s'.", v.Service)
	}
	var dayBuf [len(DateFormat)]byte
	if day := appendDate(dayBuf[:0], t); cred.Date != string(day) {
		return Result{}, Key{}, invalid("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.", cred.Date, t.Format(DateFormat), t.Format(TimeFormat))
	}
	if err := checkTime(t, now, presigned, expires); err != nil {
		return Result{}, Key{}, err
	}

	var (
		secret string
		ok     bool
		found  Key
	)
	switch {
	case ring != nil:
		found, ok = ring.Lookup(cred.AccessKeyID)
		secret = found.SecretAccessKey
	case v.Lookup != nil:
		secret, ok = v.Lookup(cred.AccessKeyID)
	}
	if !ok {
		return Result{}, Key{}, &Error{Code: UnrecognizedClient, Message: UnknownKeyMessage}
	}

	var payloadBuf [2]string
	payloads, err := payloadHashes(payloadBuf[:0], r, body, presigned)
	if err != nil {
		return Result{}, Key{}, err
	}
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	rawPath := requestPath(r)
	var uriBuf [2]string
	uris := append(uriBuf[:0], CanonicalURI(rawPath))
	if n := NormalizePath(rawPath); n != rawPath {
		uris = append(uris, CanonicalURI(n))
	}
	skip := ""
	if presigned {
		skip = paramSignature
	}
	var queryBuf [2]string
	queries := append(queryBuf[:0], canonicalQuery(params, skip, true))
	if q := canonicalQuery(params, skip, false); q != queries[0] {
		queries = append(queries, q)
	}
	var key []byte
	switch {
	case ring != nil:
		key = ring.SigningKey(secret, cred.Date, cred.Region, cred.Service)
	case v.Derive != nil:
		key = v.Derive(secret, cred.Date, cred.Region, cred.Service)
	default:
		key = SigningKey(secret, cred.Date, cred.Region, cred.Service)
	}

	// The canonical requests and strings to sign are built in pooled buffers: the header
	// blocks back to back in buf.headers (ends[i] is where block i ends), and the string to
	// sign after 64 bytes that signPadded fills with HMAC's inner pad.
	buf := getBuffers()
	defer putBuffers(buf)
	buf.headers = appendCanonicalHeaders(buf.headers[:0], r, auth.SignedHeaders, false)
	ends := [2]int{len(buf.headers)}
	blocks := 1
	if trimDiffers(r, auth.SignedHeaders) {
		buf.headers = appendCanonicalHeaders(buf.headers, r, auth.SignedHeaders, true)
		ends[1], blocks = len(buf.headers), 2
	}
	// At most 2 (payload) x 2 (path) x 2 (query) x 2 (headers) HMACs, the extra ones only
	// when the request has what makes the SDKs differ.
	for _, payload := range payloads {
		for _, uri := range uris {
			for _, query := range queries {
				for i := range blocks {
					headers := buf.headers[ends[0]*i : ends[i]]
					buf.creq = appendCanonicalRequest(buf.creq[:0], method, uri, query, headers, auth.SignedHeaders, payload)
					buf.sts = appendStringToSign(buf.sts[:hmacBlock], t, cred, "", buf.creq)
					if sig := signPadded(key, buf.sts); hmac.Equal(sig[:], auth.Signature) {
						return Result{
							AccessKeyID:   cred.AccessKeyID,
							Region:        cred.Region,
							Service:       cred.Service,
							SignedHeaders: auth.SignedHeaders,
							Time:          t,
							Presigned:     presigned,
							SecurityToken: token,
						}, found, nil
					}
				}
			}
		}
	}
	// The message shows the first combination tried: the request as AWS's rules read it.
	creq := appendCanonicalRequest(nil, method, uris[0], queries[0], buf.headers[:ends[0]], auth.SignedHeaders, payloads[0])
	return Result{}, Key{}, mismatch(string(creq), string(appendStringToSign(nil, t, cred, "", creq)))
}

// buffers are the scratch space of one verification.
type buffers struct {
	headers, creq, sts []byte
}

var bufferPool = sync.Pool{New: func() any {
	return &buffers{headers: make([]byte, 0, 512), creq: make([]byte, 0, 1024), sts: make([]byte, hmacBlock, hmacBlock+256)}
}}

func getBuffers() *buffers { return bufferPool.Get().(*buffers) }

// putBuffers returns b to the pool unless a large request grew it (kept, it would pin that
// memory for as long as the pool holds it).
func putBuffers(b *buffers) {
	if cap(b.headers) > 16<<10 || cap(b.creq) > 32<<10 || cap(b.sts) > 4<<10 {
		return
	}
	bufferPool.Put(b)
}

// mismatch words a wrong signature as API Gateway does, with the canonical request and
// string to sign the server computed, so that a client's author can see where they differ.
func mismatch(canonical, sts string) error {
	const max = 4 << 10
	clip := func(s string) string {
		if len(s) > max {
			return s[:max] + "..."
		}
		return s
	}
	return invalid("%s\n\nThe Canonical String for this request should have been\n'%s'\n\nThe String-to-Sign should have been\n'%s'\n", MismatchMessage, clip(canonical), clip(sts))
}

// headerTime returns the signing time of a header-signed request: X-Amz-Date, else Date.
func headerTime(r *http.Request) (time.Time, error) {
	switch vals := r.Header[hdrAmzDate]; len(vals) {
	case 0:
	case 1:
		return ParseTime(vals[0])
	default:
		return time.Time{}, invalid("The request has more than one X-Amz-Date header.")
	}
	switch vals := r.Header[hdrDate]; len(vals) {
	case 0:
		return time.Time{}, invalid("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	case 1:
		return parseDateHeader(vals[0])
	default:
		return time.Time{}, invalid("The request has more than one Date header.")
	}
}

// checkTime enforces the validity window of a signature made at t, as seen at now.
func checkTime(t, now time.Time, presigned bool, expires time.Duration) error {
	f := func(t time.Time) string { return t.UTC().Format(TimeFormat) }
	if t.Sub(now) > MaxSkew {
		return invalid("Signature not yet current: %s is still later than %s (%s + 15 min.)", f(t), f(now.Add(MaxSkew)), f(now))
	}
	if !presigned {
		if now.Sub(t) > MaxSkew {
			return invalid("Signature expired: %s is now earlier than %s (%s - 15 min.)", f(t), f(now.Add(-MaxSkew)), f(now))
		}
		return nil
	}
	if now.Sub(t) > expires {
		return invalid("Signature expired: the presigned request expired at %s (X-Amz-Date %s + X-Amz-Expires %d sec.); it is now %s.", f(t.Add(expires)), f(t), int(expires/time.Second), f(now))
	}
	return nil
}

// payloadHashes appends the payload hashes the client may have signed to hashes.
func payloadHashes(hashes []string, r *http.Request, body []byte, presigned bool) ([]string, error) {
	vals := r.Header[hdrContentSha256]
	switch len(vals) {
	case 0:
		if presigned {
			return append(hashes, PayloadHash(body), UnsignedPayload), nil
		}
		return append(hashes, PayloadHash(body)), nil
	case 1:
	default:
		return nil, invalid("The request has more than one X-Amz-Content-Sha256 header.")
	}
	h := vals[0]
	switch {
	case h == UnsignedPayload:
		return append(hashes, h), nil
	case strings.HasPrefix(h, "STREAMING-"):
		return nil, invalid("X-Amz-Content-Sha256 %s asks for streaming (chunked) payload signing, which this service does not support: sign the whole payload, or send UNSIGNED-PAYLOAD.", quote(h))
	}
	var sent [sha256.Size]byte
	if len(h) != hex.EncodedLen(len(sent)) || !decodeHex(sent[:], h) {
		return nil, invalid("X-Amz-Content-Sha256 must be UNSIGNED-PAYLOAD or the hex SHA-256 of the payload, not %s.", quote(h))
	}
	if sent != sha256.Sum256(body) {
		return nil, invalid("The provided 'x-amz-content-sha256' header does not match what was computed: the payload is not the one that was signed.")
	}
	return append(hashes, h), nil
}

// decodeHex decodes the hex string s, of length 2*len(dst), into dst.
func decodeHex(dst []byte, s string) bool {
	for i := range dst {
		hi, lo := s[2*i], s[2*i+1]
		if !isHex(hi) || !isHex(lo) {
			return false
		}
		dst[i] = unhex(hi)<<4 | unhex(lo)
	}
	return true
}

// requestPath returns the path of the request target exactly as the client sent it.
func requestPath(r *http.Request) string {
	if u := r.RequestURI; strings.HasPrefix(u, "/") {
		if i := strings.IndexByte(u, '?'); i >= 0 {
			u = u[:i]
		}
		return u
	}
	if r.URL == nil {
		return "/"
	}
	if r.URL.Opaque != "" {
		// "//host/path" in opaque form: the path starts at the third '/'.
		if parts := strings.SplitN(r.URL.Opaque, "/", 4); len(parts) == 4 {
			return "/" + parts[3]
		}
		return r.URL.Opaque
	}
	return r.URL.EscapedPath()
}
