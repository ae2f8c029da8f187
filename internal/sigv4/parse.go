package sigv4

import (
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Bounds on what a client may send; anything larger is refused before any work is done.
const (
	maxAuthorizationLen = 8 << 10
	maxCredentialLen    = 512
	maxAccessKeyIDLen   = 128
	maxSignedHeaders    = 64
	maxHeaderNameLen    = 128
	signatureHexLen     = 64
)

// MaxExpires is the longest X-Amz-Expires of a presigned URL: seven days.
const MaxExpires = 7 * 24 * time.Hour

// Presigned URL query parameters.
const (
	paramAlgorithm     = "X-Amz-Algorithm"
	paramCredential    = "X-Amz-Credential"
	paramDate          = "X-Amz-Date"
	paramExpires       = "X-Amz-Expires"
	paramSignedHeaders = "X-Amz-SignedHeaders"
	paramSignature     = "X-Amz-Signature"
)

// invalid returns an InvalidSignature error: the code AWS uses for every malformed,
// mismatched or stale signature.
func invalid(format string, args ...any) *Error {
	return &Error{Code: InvalidSignature, Message: fmt.Sprintf(format, args...)}
}

// quote bounds and cleans a client-supplied string before it is echoed in a message.
func quote(s string) string {
	const max = 64
	suffix := ""
	if len(s) > max {
		s, suffix = s[:max], "..."
	}
	b := []byte(s)
	for i, c := range b {
		if c < 0x20 || c >= 0x7f || c == '\'' {
			b[i] = '?'
		}
	}
	return "'" + string(b) + suffix + "'"
}

// Credential is the credential of a signature: AKID/yyyymmdd/region/service/aws4_request.
type Credential struct {
	AccessKeyID string
	Date        string // yyyymmdd
	Region      string
	Service     string
}

// Scope returns the credential scope: date/region/service/aws4_request.
func (c Credential) Scope() string { return Scope(c.Date, c.Region, c.Service) }

// ParseCredential parses and checks a credential string. Errors are InvalidSignature.
func ParseCredential(s string) (Credential, error) {
	if len(s) > maxCredentialLen {
		return Credential{}, invalid("Credential is longer than %d bytes.", maxCredentialLen)
	}
	// Exactly five parts: split without allocating the slice strings.Split would.
	var parts [5]string
	if strings.Count(s, "/") != len(parts)-1 {
		return Credential{}, invalid("Credential must have the form ACCESS_KEY_ID/yyyymmdd/region/service/aws4_request, not %s.", quote(s))
	}
	rest := s
	for i := range len(parts) - 1 {
		parts[i], rest, _ = strings.Cut(rest, "/")
	}
	parts[len(parts)-1] = rest
	c := Credential{AccessKeyID: parts[0], Date: parts[1], Region: parts[2], Service: parts[3]}
	if parts[4] != terminator {
		return Credential{}, invalid("Credential should be scoped with a valid terminator: 'aws4_request', not %s.", quote(parts[4]))
	}
	if c.AccessKeyID == "" {
		return Credential{}, invalid("Credential has an empty access key id.")
	}
	if err := checkAccessKeyID(c.AccessKeyID); err != "" {
		return Credential{}, invalid("Credential has an invalid access key id: %s.", err)
	}
	if !validDate(c.Date) {
		return Credential{}, invalid("Credential should be scoped to a valid date in yyyymmdd form, not %s.", quote(c.Date))
	}
	if !ValidRegion(c.Region) {
		return Credential{}, invalid("Credential should be scoped to a valid region, not %s.", quote(c.Region))
	}
	return c, nil
}

// checkAccessKeyID returns what is wrong with an access key id, or "". Access key ids are
// 1 to 128 letters, digits, '_', '.' and '-'.
func checkAccessKeyID(id string) string {
	if id == "" {
		return "it is empty"
	}
	if len(id) > maxAccessKeyIDLen {
		return fmt.Sprintf("it is longer than %d characters", maxAccessKeyIDLen)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '.' || c == '-') {
			return "only letters, digits, '_', '.' and '-' are allowed"
		}
	}
	return ""
}

func validDate(s string) bool {
	if len(s) != 8 {
		return false
	}
	_, ok := parseBasic(s + "T000000Z")
	return ok
}

// parseBasic parses s in TimeFormat (yyyymmddThhmmssZ) as time.Parse(TimeFormat, s) does for
// a 16-byte s, without its layout interpretation: digits only, and every field in range (a
// time.Date that normalizes, such as February 30 or second 60, is refused).
func parseBasic(s string) (time.Time, bool) {
	if len(s) != len(TimeFormat) || s[8] != 'T' || s[15] != 'Z' {
		return time.Time{}, false
	}
	var n [6]int // year, month, day, hour, minute, second
	for i, f := range [6]struct{ at, len int }{{0, 4}, {4, 2}, {6, 2}, {9, 2}, {11, 2}, {13, 2}} {
		for _, c := range []byte(s[f.at : f.at+f.len]) {
			if c < '0' || c > '9' {
				return time.Time{}, false
			}
			n[i] = n[i]*10 + int(c-'0')
		}
	}
	t := time.Date(n[0], time.Month(n[1]), n[2], n[3], n[4], n[5], 0, time.UTC)
	y, m, d := t.Date()
	h, mi, sec := t.Clock()
	if y != n[0] || int(m) != n[1] || d != n[2] || h != n[3] || mi != n[4] || sec != n[5] {
		return time.Time{}, false
	}
	return t, true
}

// ValidRegion reports whether s can name a region: 1 to 32 lower-case letters, digits and
// dashes. The region becomes part of every key of the caller's state, so it is bounded.
func ValidRegion(s string) bool {
	if len(s) == 0 || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// Authorization is a parsed SigV4 signature, from the Authorization header or the query of a
// presigned URL.
type Authorization struct {
	Credential    Credential
	SignedHeaders []string // lower case, sorted, includes "host"
	Signature     []byte   // 32 bytes
}

// ParseAuthorization parses an Authorization header:
//
//	AWS4-HMAC-SHA256 Credential=AKID/yyyymmdd/region/service/aws4_request, SignedHeaders=a;b, Signature=hex
//
// Spaces after the commas are optional. Each of the three parameters must be present once.
// Errors are InvalidSignature and say what is wrong.
func ParseAuthorization(header string) (Authorization, error) {
	if len(header) > maxAuthorizationLen {
		return Authorization{}, invalid("The Authorization header is longer than %d bytes.", maxAuthorizationLen)
	}
	alg, rest, _ := strings.Cut(strings.TrimLeft(header, " \t"), " ")
	if alg != Algorithm {
		if strings.HasPrefix(alg, "AWS4-") {
			return Authorization{}, invalid("Unsupported signing algorithm %s: this service accepts %s (Signature Version 4).", quote(alg), Algorithm)
		}
		return Authorization{}, invalid("The Authorization header is not an AWS Signature Version 4 header: it must start with '%s '.", Algorithm)
	}
	var cred, signed, sig string
	var seen [3]bool
	// The parameters, split at ',' into at most 8 parts as strings.SplitN(rest, ",", 8)
	// would, without allocating its slice.
	more := strings.Trim(rest, " \t") != ""
	for n := 1; more; n++ {
		var part string
		if n == 8 {
			part, more = rest, false
		} else {
			part, rest, more = strings.Cut(rest, ",")
		}
		part = strings.Trim(part, " \t")
		name, value, ok := strings.Cut(part, "=")
		if !ok {
			if part == "" {
				return Authorization{}, invalid("The Authorization header has an empty parameter (a stray ',').")
			}
			return Authorization{}, invalid("Authorization header parameter %s has no '='.", quote(part))
		}
		var i int
		switch name {
		case "Credential":
			i, cred = 0, value
		case "SignedHeaders":
			i, signed = 1, value
		case "Signature":
			i, sig = 2, value
		default:
			return Authorization{}, invalid("The Authorization header has an unknown parameter %s; it takes Credential, SignedHeaders and Signature.", quote(name))
		}
		if seen[i] {
			return Authorization{}, invalid("The Authorization header has the '%s' parameter more than once.", name)
		}
		seen[i] = true
	}
	// AWS lists what is missing in this order.
	var missing []string
	for _, m := range []struct {
		seen bool
		name string
	}{{seen[0], "Credential"}, {seen[2], "Signature"}, {seen[1], "SignedHeaders"}} {
		if !m.seen {
			missing = append(missing, "Authorization header requires '"+m.name+"' parameter.")
		}
	}
	if len(missing) > 0 {
		return Authorization{}, invalid("%s", strings.Join(missing, " "))
	}
	return parseParts(cred, signed, sig)
}

// parseParts checks the three parts common to both forms.
func parseParts(cred, signed, sig string) (Authorization, error) {
	c, err := ParseCredential(cred)
	if err != nil {
		return Authorization{}, err
	}
	headers, err := parseSignedHeaders(signed)
	if err != nil {
		return Authorization{}, err
	}
	if len(sig) != signatureHexLen {
		return Authorization{}, invalid("Signature must be %d hexadecimal characters, not %d characters.", signatureHexLen, len(sig))
	}
	raw, herr := hex.DecodeString(sig)
	if herr != nil {
		return Authorization{}, invalid("Signature must be %d hexadecimal characters.", signatureHexLen)
	}
	return Authorization{Credential: c, SignedHeaders: headers, Signature: raw}, nil
}

// parseSignedHeaders checks a SignedHeaders list: lower-case header names, sorted, no
// duplicates, at most maxSignedHeaders, host among them (as AWS requires).
func parseSignedHeaders(s string) ([]string, error) {
	if s == "" {
		return nil, invalid("SignedHeaders is empty; it must list at least 'host'.")
	}
	if strings.Count(s, ";") >= maxSignedHeaders {
		return nil, invalid("SignedHeaders lists more than %d headers.", maxSignedHeaders)
	}
	names := strings.Split(s, ";")
	host := false
	for i, name := range names {
		if name == "" {
			return nil, invalid("SignedHeaders has an empty header name (a stray ';').")
		}
		if len(name) > maxHeaderNameLen {
			return nil, invalid("SignedHeaders has a header name longer than %d bytes.", maxHeaderNameLen)
		}
		for j := 0; j < len(name); j++ {
			if !lowerTokenChar(name[j]) {
				return nil, invalid("SignedHeaders must list lower-case header names: %s is not one.", quote(name))
			}
		}
		if i > 0 {
			switch prev := names[i-1]; {
			case name == prev:
				return nil, invalid("SignedHeaders lists %s more than once.", quote(name))
			case name < prev:
				return nil, invalid("SignedHeaders must be sorted: %s comes before %s.", quote(name), quote(prev))
			}
		}
		host = host || name == "host"
	}
	if !host {
		return nil, invalid("'Host' must be a 'SignedHeader' in the AWS Authorization.")
	}
	return names, nil
}

// lowerTokenChar reports whether c may appear in a lower-case HTTP header name (RFC 9110 tchar).
func lowerTokenChar(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// ParseTime parses an X-Amz-Date value (yyyymmddThhmmssZ).
func ParseTime(s string) (time.Time, error) {
	if len(s) != len(TimeFormat) {
		return time.Time{}, invalid("X-Amz-Date must be in the ISO 8601 basic format yyyymmddThhmmssZ, not %s.", quote(s))
	}
	t, ok := parseBasic(s)
	if !ok {
		return time.Time{}, invalid("X-Amz-Date must be in the ISO 8601 basic format yyyymmddThhmmssZ, not %s.", quote(s))
	}
	return t, nil
}

// parseDateHeader parses the Date header, the fallback of X-Amz-Date: the SigV4 basic format or
// an HTTP date.
func parseDateHeader(s string) (time.Time, error) {
	if t, ok := parseBasic(s); ok {
		return t, nil
	}
	if len(s) <= 64 {
		if t, err := http.ParseTime(s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, invalid("The Date header must be an HTTP date or yyyymmddThhmmssZ, not %s.", quote(s))
}

// Presigned is the signature of a presigned URL.
type Presigned struct {
	Authorization
	Time          time.Time     // X-Amz-Date
	Expires       time.Duration // X-Amz-Expires
	SecurityToken string        // X-Amz-Security-Token, if any
}

// ParsePresigned parses the SigV4 parameters of a presigned URL's raw query: X-Amz-Algorithm,
// X-Amz-Credential, X-Amz-Date, X-Amz-Expires (1..604800 seconds), X-Amz-SignedHeaders and
// X-Amz-Signature, each exactly once, and the optional X-Amz-Security-Token. Errors are
// InvalidSignature.
func ParsePresigned(rawQuery string) (Presigned, error) {
	params, ok := parseQuery(rawQuery)
	if !ok {
		return Presigned{}, badQuery()
	}
	return parsePresigned(params)
}

func badQuery() error {
	return invalid("The query string is not validly percent-encoded or has more than %d parameters.", maxQueryParams)
}

func parsePresigned(params []queryParam) (Presigned, error) {
	required := []string{paramAlgorithm, paramCredential, paramSignature, paramDate, paramSignedHeaders, paramExpires}
	vals := make(map[string]string, len(required))
	var token string
	for _, p := range params {
		switch p.key {
		case paramAlgorithm, paramCredential, paramDate, paramExpires, paramSignedHeaders, paramSignature:
			if _, dup := vals[p.key]; dup {
				return Presigned{}, invalid("The query string has the %s parameter more than once.", p.key)
			}
			vals[p.key] = p.value
		case "X-Amz-Security-Token":
			token = p.value
		}
	}
	var missing []string
	for _, k := range required {
		if _, ok := vals[k]; !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return Presigned{}, invalid("AWS query-string parameters must include 'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders', and 'X-Amz-Expires'. Missing: %s.", strings.Join(missing, ", "))
	}
	if alg := vals[paramAlgorithm]; alg != Algorithm {
		return Presigned{}, invalid("X-Amz-Algorithm must be %s, not %s.", Algorithm, quote(alg))
	}
	t, err := ParseTime(vals[paramDate])
	if err != nil {
		return Presigned{}, err
	}
	exp := vals[paramExpires]
	secs, perr := strconv.Atoi(exp)
	if perr != nil || len(exp) > 7 || strings.Trim(exp, "0123456789") != "" || secs < 1 || time.Duration(secs)*time.Second > MaxExpires {
		return Presigned{}, invalid("X-Amz-Expires must be a number of seconds from 1 to %d (seven days), not %s.", int(MaxExpires/time.Second), quote(exp))
	}
	a, err := parseParts(vals[paramCredential], vals[paramSignedHeaders], vals[paramSignature])
	if err != nil {
		return Presigned{}, err
	}
	return Presigned{Authorization: a, Time: t, Expires: time.Duration(secs) * time.Second, SecurityToken: token}, nil
}
