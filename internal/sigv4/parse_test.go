package sigv4

import (
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"reflect"
	"strings"
	"testing"
	"time"
)

const (
	goodCred = "Credential=AKIDEXAMPLE/20150830/us-east-1/amplifybackend/aws4_request"
	goodSig  = "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
)

func TestParseAuthorization(t *testing.T) {
	wantSig, _ := hex.DecodeString("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
	want := Authorization{
		Credential:    Credential{AccessKeyID: "AKIDEXAMPLE", Date: "20150830", Region: "us-east-1", Service: "amplifybackend"},
		SignedHeaders: []string{"host", "x-amz-date"},
		Signature:     wantSig,
	}
	var many []string
	for i := 0; i < 64; i++ {
		many = append(many, "h"+string(rune('a'+i/26))+string(rune('a'+i%26)))
	}
	many[len(many)-1] = "host" // sorts after every "hXX"
	tests := []struct {
		name   string
		header string
		err    string // "" for success
	}{
		{"canonical", "AWS4-HMAC-SHA256 " + goodCred + ", SignedHeaders=host;x-amz-date, " + goodSig, ""},
		{"no spaces after commas", "AWS4-HMAC-SHA256 " + goodCred + ",SignedHeaders=host;x-amz-date," + goodSig, ""},
		{"extra spaces and tabs", "AWS4-HMAC-SHA256  " + goodCred + " ,\tSignedHeaders=host;x-amz-date ,  " + goodSig + " ", ""},
		{"parameters in another order", "AWS4-HMAC-SHA256 " + goodSig + ", SignedHeaders=host;x-amz-date, " + goodCred, ""},
		{"upper-case signature", "AWS4-HMAC-SHA256 " + goodCred + ", SignedHeaders=host;x-amz-date, " + goodSig[:10] + strings.ToUpper(goodSig[10:]), ""},
		{"64 signed headers", "AWS4-HMAC-SHA256 " + goodCred + ", SignedHeaders=" + strings.Join(many, ";") + ", " + goodSig, ""},

		{"empty", "", "not an AWS Signature Version 4 header"},
		{"bearer", "Bearer abc", "not an AWS Signature Version 4 header"},
		{"sigv2", "AWS AKIDEXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=", "not an AWS Signature Version 4 header"},
		{"lower-case algorithm", "aws4-hmac-sha256 " + goodCred, "not an AWS Signature Version 4 header"},
		{"sigv4a", "AWS4-ECDSA-P256-SHA256 " + goodCred + ", SignedHeaders=host, " + goodSig, "Unsupported signing algorithm 'AWS4-ECDSA-P256-SHA256'"},
		{"algorithm only", "AWS4-HMAC-SHA256", "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter."},
		{"missing signature", "AWS4-HMAC-SHA256 " + goodCred + ", SignedHeaders=host", "Authorization header requires 'Signature' parameter."},
		{"missing signed headers", "AWS4-HMAC-SHA256 " + goodCred + ", " + goodSig, "Authorization header requires 'SignedHeaders' parameter."},
		{"duplicate credential", "AWS4-HMAC-SHA256 " + goodCred + ", " + goodCred + ", SignedHeaders=host, " + goodSig, "'Credential' parameter more than once"},
		{"duplicate signature", "AWS4-HMAC-SHA256 " + goodCred + ", SignedHeaders=host, " + goodSig + ", " + goodSig, "'Signature' parameter more than once"},
		{"unknown parameter", "AWS4-HMAC-SHA256 " + goodCred + ", SignedHeaders=host, " + goodSig + ", Foo=bar", "unknown parameter 'Foo'"},
		{"lower-case parameter", "AWS4-HMAC-SHA256 credential=AKIDEXAMPLE/20150830/us-east-1/amplifybackend/aws4_request, SignedHeaders=host, " + goodSig, "unknown parameter 'credential'"},
		{"stray comma", "AWS4-HMAC-SHA256 " + goodCred + ",, SignedHeaders=host, " + goodSig, "empty parameter"},
		{"no equals", "AWS4-HMAC-SHA256 " + goodCred + ", SignedHeaders, " + goodSig, "'SignedHeaders' has no '='"},
		{"too many parameters", "AWS4-HMAC-SHA256 " + strings.Repeat("a=b, ", 10), "unknown parameter 'a'"},
		{"too long", "AWS4-HMAC-SHA256 " + goodCred + ", SignedHeaders=" + strings.Repeat("a", 9000), "longer than 8192 bytes"},

		{"credential parts", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/aws4_request, SignedHeaders=host, " + goodSig, "Credential must have the form"},
		{"credential extra part", "AWS4-HMAC-SHA256 Credential=A/B/20150830/us-east-1/amplifybackend/aws4_request, SignedHeaders=host, " + goodSig, "Credential must have the form"},
		{"terminator", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/amplifybackend/aws4_requests, SignedHeaders=host, " + goodSig, "valid terminator: 'aws4_request', not 'aws4_requests'."},
		{"empty key", "AWS4-HMAC-SHA256 Credential=/20150830/us-east-1/amplifybackend/aws4_request, SignedHeaders=host, " + goodSig, "empty access key id"},
		{"key characters", "AWS4-HMAC-SHA256 Credential=AK ID/20150830/us-east-1/amplifybackend/aws4_request, SignedHeaders=host, " + goodSig, "invalid access key id"},
		{"key too long", "AWS4-HMAC-SHA256 Credential=" + strings.Repeat("A", 129) + "/20150830/us-east-1/amplifybackend/aws4_request, SignedHeaders=host, " + goodSig, "longer than 128"},
		{"date", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20151330/us-east-1/amplifybackend/aws4_request, SignedHeaders=host, " + goodSig, "valid date in yyyymmdd form, not '20151330'"},
		{"region case", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/US-EAST-1/amplifybackend/aws4_request, SignedHeaders=host, " + goodSig, "valid region, not 'US-EAST-1'"},
		{"region empty", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830//amplifybackend/aws4_request, SignedHeaders=host, " + goodSig, "valid region, not ''"},
		{"region too long", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/" + strings.Repeat("a", 33) + "/amplifybackend/aws4_request, SignedHeaders=host, " + goodSig, "valid region"},

		{"signed headers empty", "AWS4-HMAC-SHA256 " + goodCred + ", SignedHeaders=, " + goodSig, "SignedHeaders is empty"},
		{"signed headers upper case", "AWS4-HMAC-SHA256 " + goodCred + ", SignedHeaders=Host;x-amz-date, " + goodSig, "lower-case header names: 'Host'"},
		{"signed headers unsorted", "AWS4-HMAC-SHA256 " + goodCred + ", SignedHeaders=x-amz-date;host, " + goodSig, "must be sorted: 'host' comes before 'x-amz-date'"},
		{"signed headers duplicate", "AWS4-HMAC-SHA256 " + goodCred + ", SignedHeaders=host;host, " + goodSig, "lists 'host' more than once"},
		{"signed headers stray semicolon", "AWS4-HMAC-SHA256 " + goodCred + ", SignedHeaders=host;;x-amz-date, " + goodSig, "empty header name"},
		{"signed headers without host", "AWS4-HMAC-SHA256 " + goodCred + ", SignedHeaders=x-amz-date, " + goodSig, "'Host' must be a 'SignedHeader'"},
		{"signed headers too many", "AWS4-HMAC-SHA256 " + goodCred + ", SignedHeaders=" + strings.Join(append(many, "zz"), ";") + ", " + goodSig, "more than 64 headers"},
		{"signed header too long", "AWS4-HMAC-SHA256 " + goodCred + ", SignedHeaders=" + strings.Repeat("a", 129) + ";host, " + goodSig, "longer than 128 bytes"},
		{"signed header space", "AWS4-HMAC-SHA256 " + goodCred + ", SignedHeaders=host;x amz, " + goodSig, "lower-case header names: 'x amz'"},

		{"signature short", "AWS4-HMAC-SHA256 " + goodCred + ", SignedHeaders=host, " + goodSig[:len(goodSig)-1], "64 hexadecimal characters, not 63"},
		{"signature long", "AWS4-HMAC-SHA256 " + goodCred + ", SignedHeaders=host, " + goodSig + "00", "not 66"},
		{"signature not hex", "AWS4-HMAC-SHA256 " + goodCred + ", SignedHeaders=host, Signature=" + strings.Repeat("g", 64), "64 hexadecimal characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAuthorization(tt.header)
			if tt.err != "" {
				wantCode(t, err, InvalidSignature, tt.err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.name == "64 signed headers" {
				want := want
				want.SignedHeaders = many
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("got %+v", got)
				}
				return
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got %+v, want %+v", got, want)
			}
		})
	}
}

func TestParsePresigned(t *testing.T) {
	const base = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
	tests := []struct {
		name, query, err string
	}{
		{"ok", base + "&X-Amz-Expires=3600", ""},
		{"one second", base + "&X-Amz-Expires=1", ""},
		{"seven days", base + "&X-Amz-Expires=604800", ""},
		{"token", base + "&X-Amz-Expires=60&X-Amz-Security-Token=abc%2Fdef", ""},
		{"missing expires", base, "Missing: X-Amz-Expires."},
		{"missing all", "a=b", "Missing: X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, X-Amz-Expires."},
		{"duplicate", base + "&X-Amz-Expires=60&X-Amz-Expires=60", "X-Amz-Expires parameter more than once"},
		{"algorithm", strings.Replace(base, "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512", 1) + "&X-Amz-Expires=60", "X-Amz-Algorithm must be AWS4-HMAC-SHA256, not 'AWS4-HMAC-SHA512'"},
		{"expires zero", base + "&X-Amz-Expires=0", "X-Amz-Expires must be a number of seconds from 1 to 604800 (seven days), not '0'."},
		{"expires over a week", base + "&X-Amz-Expires=604801", "not '604801'"},
		{"expires signed", base + "&X-Amz-Expires=%2B60", "not '+60'"},
		{"expires not a number", base + "&X-Amz-Expires=1h", "not '1h'"},
		{"expires huge", base + "&X-Amz-Expires=99999999999999999999", "X-Amz-Expires must be"},
		{"date format", strings.Replace(base, "20150830T123600Z", "2015-08-30T12:36:00Z", 1) + "&X-Amz-Expires=60", "ISO 8601 basic format"},
		{"bad encoding", base + "&X-Amz-Expires=60&x=%zz", "not validly percent-encoded"},
		{"signed headers", strings.Replace(base, "SignedHeaders=host", "SignedHeaders=HOST", 1) + "&X-Amz-Expires=60", "lower-case header names"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParsePresigned(tt.query)
			if tt.err != "" {
				wantCode(t, err, InvalidSignature, tt.err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Credential.Service != "service" || !p.Time.Equal(suiteTime) || p.Expires <= 0 || len(p.Signature) != 32 {
				t.Fatalf("got %+v", p)
			}
			if tt.name == "token" && p.SecurityToken != "abc/def" {
				t.Errorf("token %q", p.SecurityToken)
			}
		})
	}
}

func TestCanonicalURI(t *testing.T) {
	tests := []struct{ raw, canonical, normalized string }{
		{"", "/", "/"},
		{"/", "/", "/"},
		{"/a b", "/a%20b", "/a%20b"},
		{"/a%20b", "/a%2520b", "/a%2520b"},
		{"/a%2Fb/c", "/a%252Fb/c", "/a%252Fb/c"},
		{"/-._~", "/-._~", "/-._~"},
		{"/a!$&'()*+,;=:@", "/a%21%24%26%27%28%29%2A%2B%2C%3B%3D%3A%40", "/a%21%24%26%27%28%29%2A%2B%2C%3B%3D%3A%40"},
		{"/\u1234", "/%E1%88%B4", "/%E1%88%B4"},
		{"//example//", "//example//", "/example/"},
		{"/./", "/./", "/"},
		{"/./example", "/./example", "/example"},
		{"/example1/example2/../..", "/example1/example2/../..", "/"},
		{"/a/../../b", "/a/../../b", "/b"},
		{"/a/..", "/a/..", "/"},
		{"/a/b/", "/a/b/", "/a/b/"},
		{"/..", "/..", "/"},
		{"a/b", "a/b", "a/b"},
	}
	for _, tt := range tests {
		if got := CanonicalURI(tt.raw); got != tt.canonical {
			t.Errorf("CanonicalURI(%q) = %q, want %q", tt.raw, got, tt.canonical)
		}
		if got := CanonicalURI(NormalizePath(tt.raw)); got != tt.normalized {
			t.Errorf("CanonicalURI(NormalizePath(%q)) = %q, want %q", tt.raw, got, tt.normalized)
		}
	}
}

func TestCanonicalQuery(t *testing.T) {
	tests := []struct {
		raw, skip, want string
		ok              bool
	}{
		{"", "", "", true},
		{"b=2&a=1", "", "a=1&b=2", true},
		{"a=2&a=1&a=10", "", "a=1&a=10&a=2", true},
		{"Param-3=Value3&Param=Value2&%E1%88%B4=Value1", "", "%E1%88%B4=Value1&Param=Value2&Param-3=Value3", true},
		{"flag&x=", "", "flag=&x=", true},
		{"a=b+c&d=e%20f", "", "a=b%20c&d=e%20f", true},
		{"k=%7e%2f%2F", "", "k=~%2F%2F", true},
		{"a=1&&b=2&", "", "a=1&b=2", true},
		{"X-Amz-Signature=abc&a=1", "X-Amz-Signature", "a=1", true},
		{"=v", "", "=v", true},
		{"a=%zz&b=1", "", "b=1", false},
		{"a=%", "", "", false},
		{"a=%4", "", "", false},
	}
	for _, tt := range tests {
		got, ok := CanonicalQuery(tt.raw, tt.skip)
		if got != tt.want || ok != tt.ok {
			t.Errorf("CanonicalQuery(%q) = %q, %v; want %q, %v", tt.raw, got, ok, tt.want, tt.ok)
		}
	}
	if _, ok := CanonicalQuery(strings.Repeat("a=1&", maxQueryParams+1), ""); ok {
		t.Errorf("more than %d parameters accepted", maxQueryParams)
	}
}

func TestTrimAll(t *testing.T) {
	tests := []struct{ in, all, spaces string }{
		{"value", "value", "value"},
		{"  a   b  ", "a b", "a b"},
		{"\"a   b   c\"", "\"a b c\"", "\"a b c\""},
		{"\ta \t b\t", "a b", "a \t b"},
		{"a\tb", "a b", "a\tb"},
		{"", "", ""},
	}
	for _, tt := range tests {
		if got := trimAll(tt.in, false); got != tt.all {
			t.Errorf("trimAll(%q) = %q, want %q", tt.in, got, tt.all)
		}
		if got := trimAll(tt.in, true); got != tt.spaces {
			t.Errorf("trimAll(%q, spacesOnly) = %q, want %q", tt.in, got, tt.spaces)
		}
	}
}

// signHere signs r with this package's own functions: for the cases no SDK produces.
func signHere(r *http.Request, body []byte, at time.Time, region, service string, signed []string) {
	q, _ := CanonicalQuery(r.URL.RawQuery, "")
	creq := CanonicalRequest(r.Method, CanonicalURI(r.URL.EscapedPath()), q, CanonicalHeaders(r, signed), signed, payloadHashOr(r, body))
	sts := StringToSign(at, Scope(at.Format(DateFormat), region, service), creq)
	sig := Signature(SigningKey(testSecret, at.Format(DateFormat), region, service), sts)
	r.Header.Set("Authorization", Algorithm+" Credential="+testKey+"/"+Scope(at.Format(DateFormat), region, service)+", SignedHeaders="+strings.Join(signed, ";")+", Signature="+hex.EncodeToString(sig))
}

// payloadHashOr returns the X-Amz-Content-Sha256 header, else the body's hash.
func payloadHashOr(r *http.Request, body []byte) string {
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != "" {
		return h
	}
	return PayloadHash(body)
}

func TestVerifyEdges(t *testing.T) {
	at := testNow.Add(-time.Minute)
	newReq := func(method, target string, body string) *http.Request {
		r := httptest.NewRequest(method, "http://backend.example:4580"+target, strings.NewReader(body))
		r.Header.Set("X-Amz-Date", at.Format(TimeFormat))
		return r
	}
	hostDate := []string{"host", "x-amz-date"}
	tests := []struct {
		name  string
		build func() (*http.Request, []byte)
		code  Code
		msg   string
	}{
		{"date header fallback, HTTP format", func() (*http.Request, []byte) {
			r := newReq("GET", "/backend", "")
			r.Header.Del("X-Amz-Date")
			r.Header.Set("Date", at.Format(http.TimeFormat))
			signHere(r, nil, at, "us-east-1", ServiceName, []string{"date", "host"})
			return r, nil
		}, "", ""},
		{"date header fallback, basic format", func() (*http.Request, []byte) {
			r := newReq("GET", "/backend", "")
			r.Header.Del("X-Amz-Date")
			r.Header.Set("Date", at.Format(TimeFormat))
			signHere(r, nil, at, "us-east-1", ServiceName, []string{"date", "host"})
			return r, nil
		}, "", ""},
		{"no date", func() (*http.Request, []byte) {
			r := newReq("GET", "/backend", "")
			signHere(r, nil, at, "us-east-1", ServiceName, hostDate)
			r.Header.Del("X-Amz-Date")
			return r, nil
		}, InvalidSignature, "requires existence of either a 'X-Amz-Date' or a 'Date' header"},
		{"bad date header", func() (*http.Request, []byte) {
			r := newReq("GET", "/backend", "")
			r.Header.Del("X-Amz-Date")
			r.Header.Set("Date", "yesterday")
			signHere(r, nil, at, "us-east-1", ServiceName, []string{"date", "host"})
			return r, nil
		}, InvalidSignature, "The Date header must be an HTTP date"},
		{"bad x-amz-date", func() (*http.Request, []byte) {
			r := newReq("GET", "/backend", "")
			signHere(r, nil, at, "us-east-1", ServiceName, hostDate)
			r.Header.Set("X-Amz-Date", "20260707T1534Z")
			return r, nil
		}, InvalidSignature, "ISO 8601 basic format"},
		{"two x-amz-date", func() (*http.Request, []byte) {
			r := newReq("GET", "/backend", "")
			signHere(r, nil, at, "us-east-1", ServiceName, hostDate)
			r.Header.Add("X-Amz-Date", at.Format(TimeFormat))
			return r, nil
		}, InvalidSignature, "more than one X-Amz-Date header"},
		{"two authorization headers", func() (*http.Request, []byte) {
			r := newReq("GET", "/backend", "")
			signHere(r, nil, at, "us-east-1", ServiceName, hostDate)
			r.Header.Add("Authorization", r.Header.Get("Authorization"))
			return r, nil
		}, InvalidSignature, "more than one Authorization header"},
		{"credential date differs", func() (*http.Request, []byte) {
			r := newReq("GET", "/backend", "")
			signHere(r, nil, at, "us-east-1", ServiceName, hostDate)
			r.Header.Set("X-Amz-Date", at.Add(-24*time.Hour).Format(TimeFormat))
			return r, nil
		}, InvalidSignature, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20260707' != '20260706', from '20260706T153305Z'."},
		{"content hash upper case", func() (*http.Request, []byte) {
			r := newReq("POST", "/backend", "{}")
			r.Header.Set("X-Amz-Content-Sha256", strings.ToUpper(PayloadHash([]byte("{}"))))
			signHere(r, []byte("{}"), at, "us-east-1", ServiceName, hostDate)
			return r, []byte("{}")
		}, "", ""},
		{"content hash not hex", func() (*http.Request, []byte) {
			r := newReq("POST", "/backend", "{}")
			r.Header.Set("X-Amz-Content-Sha256", "abc")
			signHere(r, []byte("{}"), at, "us-east-1", ServiceName, hostDate)
			return r, []byte("{}")
		}, InvalidSignature, "must be UNSIGNED-PAYLOAD or the hex SHA-256 of the payload, not 'abc'"},
		{"two content hashes", func() (*http.Request, []byte) {
			r := newReq("POST", "/backend", "{}")
			r.Header.Add("X-Amz-Content-Sha256", UnsignedPayload)
			r.Header.Add("X-Amz-Content-Sha256", UnsignedPayload)
			signHere(r, []byte("{}"), at, "us-east-1", ServiceName, hostDate)
			return r, []byte("{}")
		}, InvalidSignature, "more than one X-Amz-Content-Sha256"},
		{"signed header absent", func() (*http.Request, []byte) {
			r := newReq("GET", "/backend", "")
			signHere(r, nil, at, "us-east-1", ServiceName, []string{"host", "x-absent", "x-amz-date"})
			return r, nil
		}, "", ""},
		{"host changed", func() (*http.Request, []byte) {
			r := newReq("GET", "/backend", "")
			signHere(r, nil, at, "us-east-1", ServiceName, hostDate)
			r.Host = "other.example:4580"
			return r, nil
		}, InvalidSignature, "host:other.example:4580"},
		{"malformed query, unsigned", func() (*http.Request, []byte) {
			r := newReq("GET", "/backend?a=%zz", "")
			return r, nil
		}, MissingAuthenticationToken, MissingTokenMessage},
		{"malformed presigned query", func() (*http.Request, []byte) {
			r := newReq("GET", "/backend?X-Amz-Signature=%zz", "")
			return r, nil
		}, InvalidSignature, "not validly percent-encoded"},
		{"malformed query, signed", func() (*http.Request, []byte) {
			r := newReq("GET", "/backend?a=%zz", "")
			signHere(r, nil, at, "us-east-1", ServiceName, hostDate)
			return r, nil
		}, InvalidSignature, "not validly percent-encoded"},
		{"unsigned request with a date", func() (*http.Request, []byte) {
			return newReq("GET", "/backend", ""), nil
		}, MissingAuthenticationToken, MissingTokenMessage},
		{"service of another region's key", func() (*http.Request, []byte) {
			r := newReq("GET", "/backend", "")
			signHere(r, nil, at, "us-east-1", "execute-api", hostDate)
			return r, nil
		}, InvalidSignature, "Credential should be scoped to correct service: 'amplifybackend'."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, body := tt.build()
			res, err := Verify(r, body, testNow, testLookup)
			if tt.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				if res.AccessKeyID != testKey || res.Region != "us-east-1" {
					t.Fatalf("result %+v", res)
				}
				return
			}
			wantCode(t, err, tt.code, tt.msg)
		})
	}

	// Nothing to go on at all.
	_, err := Verify(&http.Request{}, nil, testNow, nil)
	wantCode(t, err, MissingAuthenticationToken, MissingTokenMessage)
	// No lookup: every key is unknown.
	r := newReq("GET", "/backend", "")
	signHere(r, nil, at, "us-east-1", ServiceName, hostDate)
	_, err = Verifier{Service: ServiceName}.Verify(r, nil, testNow)
	wantCode(t, err, UnrecognizedClient, UnknownKeyMessage)
}

// TestNormalPathFastPath checks that the allocation-free shortcut of NormalizePath agrees with
// the full normalization on every kind of path.
func TestNormalPathFastPath(t *testing.T) {
	paths := []string{"/", "/backend", "/backend/", "/backend/a/job/dev/j-1", "/a//b", "//", "/./a", "/a/.", "/a/..",
		"/a/../b", "a/b", ".", "/...", "/a/.b/c.", "/%2E%2E/x", "/a/b//", "/a//"}
	for _, p := range paths {
		full := normalizeSegments(p)
		if got := NormalizePath(p); got != full {
			t.Errorf("NormalizePath(%q) = %q, want %q", p, got, full)
		}
		if isNormalPath(p) && full != p {
			t.Errorf("isNormalPath(%q) is true, but it normalizes to %q", p, full)
		}
	}
	for _, name := range []string{"x-amz-date", "content-type", "x-custom-thing", "amz-sdk-request"} {
		if got, want := headerKey(name), textproto.CanonicalMIMEHeaderKey(name); got != want {
			t.Errorf("headerKey(%q) = %q, want %q", name, got, want)
		}
	}
}
