package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/textproto"
	"sort"
	"strings"
	"time"
)

// Algorithm is the only signing algorithm accepted: SigV4 with HMAC-SHA256.
const Algorithm = "AWS4-HMAC-SHA256"

// UnsignedPayload is the payload hash of a request whose body is not signed.
const UnsignedPayload = "UNSIGNED-PAYLOAD"

// TimeFormat is the ISO 8601 basic format of X-Amz-Date; DateFormat is its date part, the
// credential scope's date.
const (
	TimeFormat = "20060102T150405Z"
	DateFormat = "20060102"
)

const terminator = "aws4_request"

// unreserved reports whether c is left alone by URI encoding (RFC 3986 unreserved).
func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

const upperhex = "0123456789ABCDEF"

// uriEncode percent-encodes every byte of s except the unreserved characters (and '/' when
// keepSlash), with upper-case hex, as SigV4 requires.
func uriEncode(s string, keepSlash bool) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; !unreserved(c) && !(keepSlash && c == '/') {
			n++
		}
	}
	if n == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || keepSlash && c == '/' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(upperhex[c>>4])
		b.WriteByte(upperhex[c&15])
	}
	return b.String()
}

// CanonicalURI returns the canonical URI of a path exactly as it was sent on the wire
// (still percent-encoded): every byte but the unreserved characters and '/' is encoded again.
// This double encoding is SigV4's rule for every service but S3, and what aws-sdk-go,
// botocore and the JavaScript SDK v3 sign: a label "a/b" travels as "a%2Fb" and is signed as
// "a%252Fb". An empty path is "/".
func CanonicalURI(rawPath string) string {
	if rawPath == "" {
		return "/"
	}
	return uriEncode(rawPath, true)
}

// NormalizePath removes empty, "." and ".." segments from a path as botocore and the
// JavaScript SDK v3 do before signing (RFC 3986 section 5.2.4, plus collapsing "//"). The Go
// SDKs do not normalize, so a verifier tries the path both ways.
func NormalizePath(p string) string {
	if p == "" {
		return "/"
	}
	if isNormalPath(p) {
		return p // what nearly every request has: nothing to allocate
	}
	return normalizeSegments(p)
}

// normalizeSegments is NormalizePath the long way, segment by segment, for a non-empty p.
func normalizeSegments(p string) string {
	segs := make([]string, 0, strings.Count(p, "/")+1)
	for _, s := range strings.Split(p, "/") {
		switch s {
		case "", ".":
		case "..":
			if len(segs) > 0 {
				segs = segs[:len(segs)-1]
			}
		default:
			segs = append(segs, s)
		}
	}
	var b strings.Builder
	if p[0] == '/' {
		b.WriteByte('/')
	}
	b.WriteString(strings.Join(segs, "/"))
	if len(segs) > 0 && p[len(p)-1] == '/' {
		b.WriteByte('/')
	}
	return b.String()
}

// isNormalPath reports whether NormalizePath(p) is p: p starts with "/" and has no empty
// (but a trailing one after another segment), "." or ".." segment.
func isNormalPath(p string) bool {
	if p == "/" {
		return true
	}
	if len(p) < 2 || p[0] != '/' {
		return false
	}
	rest := p[1:]
	for {
		seg, after, more := strings.Cut(rest, "/")
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
		if !more || after == "" {
			return true // the last segment, or a trailing "/" after one
		}
		rest = after
	}
}

// queryParam is one decoded name=value pair of a query string.
type queryParam struct {
	key, value string
}

// maxQueryParams bounds the work one request can ask of the verifier.
const maxQueryParams = 1000

// parseQuery decodes a raw query string into its pairs, in order. '+' is a space, as in
// net/url and every AWS SDK's encoder (none of which sends a literal '+'). ok is false when
// a component is not validly percent-encoded or there are too many pairs; the pairs parsed
// so far are still returned so a caller can tell what the request meant.
func parseQuery(raw string) (params []queryParam, ok bool) {
	ok = true
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		if len(params) == maxQueryParams {
			return params, false
		}
		k, v, _ := strings.Cut(pair, "=")
		dk, kok := unescapeQuery(k)
		dv, vok := unescapeQuery(v)
		if !kok || !vok {
			ok = false
			continue
		}
		params = append(params, queryParam{dk, dv})
	}
	return params, ok
}

// unescapeQuery decodes one query component: %XX escapes and '+' as a space.
func unescapeQuery(s string) (string, bool) {
	if !strings.ContainsAny(s, "%+") {
		return s, true
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b = append(b, ' ')
		case '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return "", false
			}
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return string(b), true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// canonicalQuery encodes params as SigV4 wants them, skipping the key skip (X-Amz-Signature
// of a presigned URL) when it is not empty. With sorted, pairs are ordered by encoded key then
// encoded value (AWS's rule, what botocore and the JavaScript SDK sign); without, they stay in
// the order they were sent. aws-sdk-go v1 sorts decoded keys and values, which differs for
// non-ASCII, but rewrites the query it sends in that order, so the order sent is what it signed.
func canonicalQuery(params []queryParam, skip string, sorted bool) string {
	if len(params) == 0 {
		return "" // most requests: nothing to sort or build
	}
	enc := make([]queryParam, 0, len(params))
	for _, p := range params {
		if skip != "" && p.key == skip {
			continue
		}
		enc = append(enc, queryParam{uriEncode(p.key, false), uriEncode(p.value, false)})
	}
	if sorted {
		sort.Slice(enc, func(i, j int) bool {
			if enc[i].key != enc[j].key {
				return enc[i].key < enc[j].key
			}
			return enc[i].value < enc[j].value
		})
	}
	var b strings.Builder
	for i, p := range enc {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.key)
		b.WriteByte('=')
		b.WriteString(p.value)
	}
	return b.String()
}

// CanonicalQuery returns the canonical query string of a raw (still encoded) query:
// pairs decoded, re-encoded per RFC 3986 and sorted by key then value. skip names a
// parameter to leave out (X-Amz-Signature for a presigned URL), or is empty. ok is false when
// the query is not validly encoded.
func CanonicalQuery(rawQuery, skip string) (string, bool) {
	params, ok := parseQuery(rawQuery)
	return canonicalQuery(params, skip, true), ok
}

// trimAll trims a header value and collapses each run of spaces and tabs inside it into one
// space: SigV4's Trimall as botocore and the JavaScript SDK apply it (they collapse any
// whitespace). With spacesOnly, the value is trimmed of any white space (strings.TrimSpace)
// but only runs of spaces inside it collapse, as aws-sdk-go v1 does.
func trimAll(v string, spacesOnly bool) string {
	return string(appendTrimmed(nil, v, spacesOnly))
}

// appendTrimmed appends trimAll(v, spacesOnly) to b.
func appendTrimmed(b []byte, v string, spacesOnly bool) []byte {
	if spacesOnly {
		v = strings.TrimSpace(v)
	} else {
		v = strings.Trim(v, " \t")
	}
	if !strings.Contains(v, "  ") && (spacesOnly || !strings.ContainsRune(v, '\t')) {
		return append(b, v...)
	}
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' || c == '\t' && !spacesOnly {
			space = true
			continue
		}
		if space {
			b = append(b, ' ')
			space = false
		}
		b = append(b, c)
	}
	return b
}

// appendHeaderValue appends the canonical value of the signed header name (lower case) to b:
// host from r.Host, the others from r.Header, each value trimmed, repeated headers joined
// by ",".
func appendHeaderValue(b []byte, r *http.Request, name string, spacesOnly bool) []byte {
	if name == "host" {
		return appendTrimmed(b, hostValue(r), spacesOnly)
	}
	for i, v := range headerValues(r, name) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendTrimmed(b, v, spacesOnly)
	}
	return b
}

// hostValue is the value of the host header: r.Host, else the URL's host.
func hostValue(r *http.Request) string {
	if r.Host == "" && r.URL != nil {
		return r.URL.Host
	}
	return r.Host
}

// canonicalKeys are the header map keys of the headers clients sign most, so that looking
// one up costs no allocation.
var canonicalKeys = map[string]string{
	"x-amz-date":            "X-Amz-Date",
	"x-amz-content-sha256":  "X-Amz-Content-Sha256",
	"x-amz-security-token":  "X-Amz-Security-Token",
	"x-amz-user-agent":      "X-Amz-User-Agent",
	"content-type":          "Content-Type",
	"content-length":        "Content-Length",
	"amz-sdk-invocation-id": "Amz-Sdk-Invocation-Id",
	"amz-sdk-request":       "Amz-Sdk-Request",
	"user-agent":            "User-Agent",
}

// headerKey is textproto.CanonicalMIMEHeaderKey(name) for a lower-case name.
func headerKey(name string) string {
	if k, ok := canonicalKeys[name]; ok {
		return k
	}
	return textproto.CanonicalMIMEHeaderKey(name)
}

// headerValues returns the values of the signed header name (lower case) as received; host
// is hostValue, not looked up here.
func headerValues(r *http.Request, name string) []string {
	vals := r.Header[headerKey(name)]
	if len(vals) == 0 {
		vals = foldedValues(r.Header, name)
	}
	if len(vals) == 0 && name == "transfer-encoding" {
		// net/http moves Transfer-Encoding out of the header map.
		vals = r.TransferEncoding
	}
	return vals
}

// foldedValues finds a header whose map key is not in canonical form (a request built by
// hand rather than read by net/http), in a stable order.
func foldedValues(h http.Header, name string) []string {
	var keys []string
	for k := range h {
		if strings.EqualFold(k, name) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var vals []string
	for _, k := range keys {
		vals = append(vals, h[k]...)
	}
	return vals
}

// CanonicalHeaders returns the canonical headers block of the signed headers (lower case,
// in the order given): "name:value\n" for each.
func CanonicalHeaders(r *http.Request, signed []string) string {
	return canonicalHeaders(r, signed, false)
}

func canonicalHeaders(r *http.Request, signed []string, spacesOnly bool) string {
	return string(appendCanonicalHeaders(nil, r, signed, spacesOnly))
}

// appendCanonicalHeaders appends the canonical headers block to b.
func appendCanonicalHeaders(b []byte, r *http.Request, signed []string, spacesOnly bool) []byte {
	for _, name := range signed {
		b = append(b, name...)
		b = append(b, ':')
		b = appendHeaderValue(b, r, name, spacesOnly)
		b = append(b, '\n')
	}
	return b
}

// trimDiffers reports whether a signed header's value holds a tab or a non-ASCII byte, the
// cases where aws-sdk-go v1's trimming (strings.TrimSpace, then runs of spaces only) differs
// from the others'.
func trimDiffers(r *http.Request, signed []string) bool {
	for _, name := range signed {
		if name == "host" {
			if trimSensitive(hostValue(r)) {
				return true
			}
			continue
		}
		for _, v := range headerValues(r, name) {
			if trimSensitive(v) {
				return true
			}
		}
	}
	return false
}

// trimSensitive reports whether v holds a tab or a non-ASCII byte.
func trimSensitive(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] == '\t' || v[i] >= 0x80 {
			return true
		}
	}
	return false
}

// CanonicalRequest joins the parts of a canonical request. headers is the block
// CanonicalHeaders returns (each line ending in "\n").
func CanonicalRequest(method, uri, query, headers string, signed []string, payloadHash string) string {
	return string(appendCanonicalRequest(nil, method, uri, query, []byte(headers), signed, payloadHash))
}

// appendCanonicalRequest appends the canonical request CanonicalRequest returns to b.
func appendCanonicalRequest(b []byte, method, uri, query string, headers []byte, signed []string, payloadHash string) []byte {
	b = append(b, method...)
	b = append(b, '\n')
	b = append(b, uri...)
	b = append(b, '\n')
	b = append(b, query...)
	b = append(b, '\n')
	b = append(b, headers...)
	b = append(b, '\n')
	for i, name := range signed {
		if i > 0 {
			b = append(b, ';')
		}
		b = append(b, name...)
	}
	b = append(b, '\n')
	return append(b, payloadHash...)
}

// Scope returns the credential scope date/region/service/aws4_request.
func Scope(date, region, service string) string {
	return date + "/" + region + "/" + service + "/" + terminator
}

// StringToSign returns the string to sign for a canonical request signed at t in scope.
func StringToSign(t time.Time, scope, canonicalRequest string) string {
	return string(appendStringToSign(nil, t, Credential{}, scope, []byte(canonicalRequest)))
}

// appendStringToSign appends the string to sign of a canonical request signed at t to b. Its
// scope is scope when not empty, else cred's (appended without building the string).
func appendStringToSign(b []byte, t time.Time, cred Credential, scope string, canonicalRequest []byte) []byte {
	b = append(b, Algorithm...)
	b = append(b, '\n')
	b = appendTime(b, t.UTC())
	b = append(b, '\n')
	if scope != "" {
		b = append(b, scope...)
	} else {
		b = append(b, cred.Date...)
		b = append(b, '/')
		b = append(b, cred.Region...)
		b = append(b, '/')
		b = append(b, cred.Service...)
		b = append(b, '/')
		b = append(b, terminator...)
	}
	b = append(b, '\n')
	h := sha256.Sum256(canonicalRequest)
	return hex.AppendEncode(b, h[:])
}

// appendDate appends t's date in DateFormat, as t.AppendFormat(b, DateFormat) does.
func appendDate(b []byte, t time.Time) []byte {
	y, m, d := t.Date()
	if y < 0 || y > 9999 {
		return t.AppendFormat(b, DateFormat)
	}
	return append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10),
		byte('0'+m/10), byte('0'+m%10), byte('0'+d/10), byte('0'+d%10))
}

// appendTime appends t in TimeFormat, as t.AppendFormat(b, TimeFormat) does for a UTC t.
func appendTime(b []byte, t time.Time) []byte {
	if y := t.Year(); y < 0 || y > 9999 {
		return t.AppendFormat(b, TimeFormat)
	}
	b = appendDate(b, t)
	h, m, s := t.Clock()
	return append(b, 'T', byte('0'+h/10), byte('0'+h%10), byte('0'+m/10), byte('0'+m%10),
		byte('0'+s/10), byte('0'+s%10), 'Z')
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// SigningKey derives the signing key of a secret for one day, region and service:
// HMAC chain "AWS4"+secret -> date -> region -> service -> "aws4_request".
func SigningKey(secret, date, region, service string) []byte {
	// Each step's message goes after the 64 bytes signPadded pads the key into; a region or
	// service longer than 64 bytes makes append move it to the heap.
	var buf [hmacBlock + 64]byte
	k := signPadded([]byte("AWS4"+secret), append(buf[:hmacBlock], date...))
	k = signPadded(k[:], append(buf[:hmacBlock], region...))
	k = signPadded(k[:], append(buf[:hmacBlock], service...))
	k = signPadded(k[:], append(buf[:hmacBlock], terminator...))
	return k[:]
}

// Signature returns the raw signature of stringToSign under a signing key; its hex encoding
// is what clients send.
func Signature(signingKey []byte, stringToSign string) []byte {
	return hmacSHA256(signingKey, stringToSign)
}

// hmacBlock is SHA-256's block size, the length of HMAC's padded key.
const hmacBlock = sha256.BlockSize

// signPadded returns HMAC-SHA256(key, msg) (RFC 2104) for padded = 64 spare bytes followed by
// msg, hashing in place: padded[:64] is overwritten with the key's inner pad. It is
// Signature without crypto/hmac's allocations (a state and two hashes per call), the
// verifier's hot path; a key longer than a block is hashed first, as HMAC requires.
func signPadded(key, padded []byte) [sha256.Size]byte {
	var hashed [sha256.Size]byte
	if len(key) > hmacBlock {
		hashed = sha256.Sum256(key)
		key = hashed[:]
	}
	for i := range hmacBlock {
		k := byte(0)
		if i < len(key) {
			k = key[i]
		}
		padded[i] = k ^ 0x36
	}
	inner := sha256.Sum256(padded)
	var outer [hmacBlock + sha256.Size]byte
	for i := range hmacBlock {
		k := byte(0)
		if i < len(key) {
			k = key[i]
		}
		outer[i] = k ^ 0x5c
	}
	copy(outer[hmacBlock:], inner[:])
	return sha256.Sum256(outer[:])
}

// emptyPayloadHash is the hex SHA-256 of nothing, what every GET signs (a test checks it).
const emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// PayloadHash returns the hex SHA-256 of a body.
func PayloadHash(body []byte) string {
	if len(body) == 0 {
		return emptyPayloadHash
	}
	h := sha256.Sum256(body)
	return hex.EncodeToString(h[:])
}
