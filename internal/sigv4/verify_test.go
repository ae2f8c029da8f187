package sigv4

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go/aws/credentials"
	v4 "github.com/aws/aws-sdk-go/aws/signer/v4"
)

// Keys of the round-trip tests.
const (
	testKey    = "AKIAIOSFODNN7EXAMPLE"
	testSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

var testNow = time.Date(2026, 7, 7, 15, 34, 5, 0, time.UTC)

func fixedNow() time.Time { return testNow }

func testLookup(id string) (string, bool) {
	if id == testKey {
		return testSecret, true
	}
	return "", false
}

// verdict is what the test server answers: the result of Verify, or its error. Region and
// AccessKeyID travel as GetBackend's appId and appName, so that SDK clients can read them.
type verdict struct {
	Code          string   `json:"code,omitempty"`
	Message       string   `json:"message,omitempty"`
	AccessKeyID   string   `json:"appName,omitempty"`
	Region        string   `json:"appId,omitempty"`
	SignedHeaders []string `json:"signedHeaders,omitempty"`
	Presigned     bool     `json:"presigned,omitempty"`
	SecurityToken bool     `json:"securityToken,omitempty"`
}

// newVerifyServer starts a real HTTP server that verifies every request at time now() and
// answers a verdict, as AWS would: 200, or 403 with X-Amzn-ErrorType.
func newVerifyServer(t *testing.T, now func() time.Time) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		res, err := Verify(r, body, now(), testLookup)
		v := verdict{AccessKeyID: res.AccessKeyID, Region: res.Region, SignedHeaders: res.SignedHeaders, Presigned: res.Presigned, SecurityToken: res.SecurityToken}
		status := http.StatusOK
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Errorf("Verify returned %T %v, not an *Error", err, err)
				e = &Error{Code: "?", Message: err.Error()}
			}
			v.Code, v.Message, status = string(e.Code), e.Message, http.StatusForbidden
			w.Header().Set("X-Amzn-ErrorType", string(e.Code))
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(v)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func do(t *testing.T, req *http.Request) verdict {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	var v verdict
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatalf("decode verdict: %v", err)
	}
	if (v.Code == "") != (resp.StatusCode == 200) || resp.Header.Get("X-Amzn-ErrorType") != v.Code {
		t.Fatalf("status %d, error type %q, verdict %+v", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), v)
	}
	return v
}

func wantOK(t *testing.T, v verdict) {
	t.Helper()
	if v.Code != "" {
		t.Fatalf("rejected: %s: %s", v.Code, v.Message)
	}
}

func wantErr(t *testing.T, v verdict, code Code, msg string) {
	t.Helper()
	if v.Code != string(code) || !strings.Contains(v.Message, msg) {
		t.Fatalf("verdict %s: %q, want %s containing %q", v.Code, v.Message, code, msg)
	}
}

// request builds a request to srv; target is the path and query exactly as sent.
func request(t *testing.T, srv *httptest.Server, method, target string, body []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+target, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// sign signs req with aws-sdk-go v1's signer.
func sign(t *testing.T, req *http.Request, body []byte, secret, token, service, region string, at time.Time, opts ...func(*v4.Signer)) {
	t.Helper()
	s := v4.NewSigner(credentials.NewStaticCredentials(testKey, secret, token), opts...)
	var rs io.ReadSeeker
	if body != nil {
		rs = bytes.NewReader(body)
	}
	if _, err := s.Sign(req, rs, service, region, at); err != nil {
		t.Fatal(err)
	}
}

// TestRoundTripV1 signs many requests with odd paths, queries and headers with the real
// aws-sdk-go v1 signer and sends them over HTTP: every one must verify.
func TestRoundTripV1(t *testing.T) {
	srv := newVerifyServer(t, fixedNow)
	paths := []string{
		"/backend/app1/details",
		"/backend",
		"/",
		"/prod/backend/d1abc/job/dev/123",
		"/backend/a%2Fb/details",            // a label holding '/'
		"/backend/a%20b/details",            // a space
		"/backend/a~b/details",              // unreserved '~'
		"/backend/a%7Eb/details",            // '~' needlessly encoded
		"/backend/%E2%9C%93%C3%BC/details",  // UTF-8
		"/backend/a%25b/details",            // a literal '%'
		"/backend/a!$&'()*+,;=:@b/details",  // sub-delims sent raw
		"/backend/a%21%27%28%29%2A/details", // sub-delims encoded
		"//double//slashes//",               // not normalized by the Go SDK
		"/a/./b/../c",                       // dot segments
		"/backend/..",
		"/backend/app1/details/",
	}
	queries := []string{"", "a=1&b=2", "b=2&a=1", "a=2&a=1&a=10", "k=a%20b", "k=a+b", "k=%E2%9C%93", "empty=", "flag", "x=%2F%3D%26", "Z=1&a=1&_=1&~=1", "%C3%A9=1&~=2", "a=%C3%A9&a=~"}
	for _, p := range paths {
		for _, q := range queries {
			target := p
			if q != "" {
				target += "?" + q
			}
			for _, method := range []string{"GET", "POST"} {
				var body []byte
				if method == "POST" {
					body = []byte(`{"resourceName":"x","n":` + `1}`)
				}
				req := request(t, srv, method, target, body)
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-Custom", "  a   b\tc  ")
				req.Header.Add("X-Multi", "one")
				req.Header.Add("X-Multi", " two ")
				sign(t, req, body, testSecret, "", ServiceName, "eu-west-1", testNow)
				v := do(t, req)
				if v.Code != "" {
					t.Errorf("%s %s: %s: %s", method, target, v.Code, v.Message)
					continue
				}
				if v.Region != "eu-west-1" || v.AccessKeyID != testKey || v.Presigned {
					t.Errorf("%s %s: verdict %+v", method, target, v)
				}
			}
		}
	}
}

// TestRoundTripV1Failures tampers with v1-signed requests; each must fail as AWS fails it.
func TestRoundTripV1Failures(t *testing.T) {
	srv := newVerifyServer(t, fixedNow)
	body := []byte(`{"appName":"x"}`)
	fresh := func(target string) *http.Request {
		req := request(t, srv, "POST", target, body)
		req.Header.Set("X-Custom", "signed")
		return req
	}
	tests := []struct {
		name string
		send func() *http.Request
		code Code
		msg  string
	}{
		{"ok", func() *http.Request {
			req := fresh("/backend")
			sign(t, req, body, testSecret, "", ServiceName, "us-east-1", testNow)
			return req
		}, "", ""},
		{"missing authentication", func() *http.Request {
			return fresh("/backend")
		}, MissingAuthenticationToken, MissingTokenMessage},
		{"wrong secret", func() *http.Request {
			req := fresh("/backend")
			sign(t, req, body, "not-the-secret", "", ServiceName, "us-east-1", testNow)
			return req
		}, InvalidSignature, MismatchMessage},
		{"unknown key", func() *http.Request {
			req := fresh("/backend")
			s := v4.NewSigner(credentials.NewStaticCredentials("AKIAUNKNOWNKEY000000", testSecret, ""))
			s.Sign(req, bytes.NewReader(body), ServiceName, "us-east-1", testNow)
			return req
		}, UnrecognizedClient, UnknownKeyMessage},
		{"tampered body", func() *http.Request {
			req := fresh("/backend")
			sign(t, req, body, testSecret, "", ServiceName, "us-east-1", testNow)
			tampered := []byte(`{"appName":"y"}`)
			req.Body = io.NopCloser(bytes.NewReader(tampered))
			return req
		}, InvalidSignature, MismatchMessage},
		{"tampered body with content hash", func() *http.Request {
			req := fresh("/backend")
			req.Header.Set("X-Amz-Content-Sha256", PayloadHash(body))
			sign(t, req, body, testSecret, "", ServiceName, "us-east-1", testNow)
			req.Body = io.NopCloser(bytes.NewReader([]byte(`{"appName":"y"}`)))
			return req
		}, InvalidSignature, "does not match what was computed"},
		{"tampered signed header", func() *http.Request {
			req := fresh("/backend")
			sign(t, req, body, testSecret, "", ServiceName, "us-east-1", testNow)
			req.Header.Set("X-Custom", "changed")
			return req
		}, InvalidSignature, MismatchMessage},
		{"unsigned header added", func() *http.Request {
			req := fresh("/backend")
			sign(t, req, body, testSecret, "", ServiceName, "us-east-1", testNow)
			req.Header.Set("X-Later", "not signed")
			return req
		}, "", ""},
		{"changed path", func() *http.Request {
			req := fresh("/backend/a/details")
			sign(t, req, body, testSecret, "", ServiceName, "us-east-1", testNow)
			req.URL.Path = "/backend/b/details"
			return req
		}, InvalidSignature, MismatchMessage},
		{"changed query", func() *http.Request {
			req := fresh("/backend?a=1")
			sign(t, req, body, testSecret, "", ServiceName, "us-east-1", testNow)
			req.URL.RawQuery = "a=2"
			return req
		}, InvalidSignature, MismatchMessage},
		{"added query", func() *http.Request {
			req := fresh("/backend")
			sign(t, req, body, testSecret, "", ServiceName, "us-east-1", testNow)
			req.URL.RawQuery = "a=1"
			return req
		}, InvalidSignature, MismatchMessage},
		{"changed method", func() *http.Request {
			req := fresh("/backend")
			sign(t, req, body, testSecret, "", ServiceName, "us-east-1", testNow)
			req.Method = "PUT"
			return req
		}, InvalidSignature, MismatchMessage},
		{"changed region", func() *http.Request {
			req := fresh("/backend")
			sign(t, req, body, testSecret, "", ServiceName, "us-east-1", testNow)
			req.Header.Set("Authorization", strings.Replace(req.Header.Get("Authorization"), "/us-east-1/", "/us-west-2/", 1))
			return req
		}, InvalidSignature, MismatchMessage},
		{"expired", func() *http.Request {
			req := fresh("/backend")
			sign(t, req, body, testSecret, "", ServiceName, "us-east-1", testNow.Add(-16*time.Minute))
			return req
		}, InvalidSignature, "Signature expired: 20260707T151805Z is now earlier than 20260707T151905Z (20260707T153405Z - 15 min.)"},
		{"14 minutes old", func() *http.Request {
			req := fresh("/backend")
			sign(t, req, body, testSecret, "", ServiceName, "us-east-1", testNow.Add(-14*time.Minute))
			return req
		}, "", ""},
		{"future", func() *http.Request {
			req := fresh("/backend")
			sign(t, req, body, testSecret, "", ServiceName, "us-east-1", testNow.Add(16*time.Minute))
			return req
		}, InvalidSignature, "Signature not yet current: 20260707T155005Z is still later than 20260707T154905Z (20260707T153405Z + 15 min.)"},
		{"14 minutes ahead", func() *http.Request {
			req := fresh("/backend")
			sign(t, req, body, testSecret, "", ServiceName, "us-east-1", testNow.Add(14*time.Minute))
			return req
		}, "", ""},
		{"wrong service", func() *http.Request {
			req := fresh("/backend")
			sign(t, req, body, testSecret, "", "amplify", "us-east-1", testNow)
			return req
		}, InvalidSignature, "Credential should be scoped to correct service: 'amplifybackend'."},
		{"invalid region", func() *http.Request {
			req := fresh("/backend")
			sign(t, req, body, testSecret, "", ServiceName, "US_EAST_1", testNow)
			return req
		}, InvalidSignature, "Credential should be scoped to a valid region, not 'US_EAST_1'."},
		{"unsigned payload", func() *http.Request {
			req := fresh("/backend")
			sign(t, req, body, testSecret, "", ServiceName, "us-east-1", testNow, func(s *v4.Signer) { s.UnsignedPayload = true })
			if req.Header.Get("X-Amz-Content-Sha256") != UnsignedPayload {
				t.Errorf("signer did not send UNSIGNED-PAYLOAD")
			}
			// The body is not signed: another body is accepted.
			req.Body = io.NopCloser(bytes.NewReader([]byte(`{"other":1}`)))
			req.ContentLength = 11
			return req
		}, "", ""},
		{"security token signed", func() *http.Request {
			req := fresh("/backend")
			sign(t, req, body, testSecret, "session-token-value", ServiceName, "us-east-1", testNow)
			return req
		}, "", ""},
		{"security token added after signing", func() *http.Request {
			req := fresh("/backend")
			sign(t, req, body, testSecret, "", ServiceName, "us-east-1", testNow)
			req.Header.Set("X-Amz-Security-Token", "added-later")
			return req
		}, "", ""},
		{"authorization and presigned query", func() *http.Request {
			req := fresh("/backend")
			sign(t, req, body, testSecret, "", ServiceName, "us-east-1", testNow)
			req.URL.RawQuery = "X-Amz-Signature=00"
			return req
		}, InvalidSignature, "Only one auth mechanism allowed"},
		{"not sigv4", func() *http.Request {
			req := fresh("/backend")
			req.Header.Set("Authorization", "Bearer abc")
			return req
		}, InvalidSignature, "not an AWS Signature Version 4 header"},
		{"streaming payload", func() *http.Request {
			req := fresh("/backend")
			req.Header.Set("X-Amz-Content-Sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
			sign(t, req, body, testSecret, "", ServiceName, "us-east-1", testNow)
			return req
		}, InvalidSignature, "streaming"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := do(t, tt.send())
			if tt.code == "" {
				wantOK(t, v)
				return
			}
			wantErr(t, v, tt.code, tt.msg)
		})
	}
}

// TestPresignV1 verifies URLs presigned by aws-sdk-go v1.
func TestPresignV1(t *testing.T) {
	srv := newVerifyServer(t, fixedNow)
	presign := func(target string, token string, at time.Time, exp time.Duration) string {
		req := request(t, srv, "GET", target, nil)
		s := v4.NewSigner(credentials.NewStaticCredentials(testKey, testSecret, token))
		if _, err := s.Presign(req, nil, ServiceName, "ap-southeast-2", exp, at); err != nil {
			t.Fatal(err)
		}
		return req.URL.String()
	}
	get := func(u string) verdict {
		req, err := http.NewRequest("GET", u, nil)
		if err != nil {
			t.Fatal(err)
		}
		return do(t, req)
	}
	for _, target := range []string{"/backend/d1abc/job/dev/42", "/backend/a%2Fb/challenge/s%20id", "/x?a=2&a=1&b=%E2%9C%93", "//y/./z"} {
		v := get(presign(target, "", testNow, 15*time.Minute))
		wantOK(t, v)
		if !v.Presigned || v.Region != "ap-southeast-2" {
			t.Errorf("%s: verdict %+v", target, v)
		}
	}
	wantOK(t, get(presign("/backend/x/details", "a-session-token", testNow, time.Minute)))
	wantOK(t, get(presign("/backend/x/details", "", testNow.Add(-time.Hour+time.Second), time.Hour)))
	wantOK(t, get(presign("/backend/x/details", "", testNow.Add(10*time.Minute), time.Minute)))

	wantErr(t, get(presign("/backend/x/details", "", testNow.Add(-16*time.Minute), 15*time.Minute)),
		InvalidSignature, "Signature expired: the presigned request expired at 20260707T153305Z (X-Amz-Date 20260707T151805Z + X-Amz-Expires 900 sec.); it is now 20260707T153405Z.")
	wantErr(t, get(presign("/backend/x/details", "", testNow.Add(16*time.Minute), time.Hour)),
		InvalidSignature, "Signature not yet current")

	u := presign("/backend/x/details", "", testNow, time.Hour)
	wantErr(t, get(strings.Replace(u, "/x/", "/y/", 1)), InvalidSignature, MismatchMessage)
	wantErr(t, get(u+"&extra=1"), InvalidSignature, MismatchMessage)
	wantErr(t, get(strings.Replace(u, "X-Amz-Expires=3600", "X-Amz-Expires=7200", 1)), InvalidSignature, MismatchMessage)
	wantErr(t, get(strings.Replace(u, "X-Amz-Expires=3600", "X-Amz-Expires=604801", 1)), InvalidSignature, "X-Amz-Expires must be a number of seconds from 1 to 604800")
	wantErr(t, get(strings.Replace(u, "X-Amz-Expires=3600", "X-Amz-Expires=0", 1)), InvalidSignature, "X-Amz-Expires")
	wantErr(t, get(strings.Replace(u, "X-Amz-Algorithm=AWS4-HMAC-SHA256&", "", 1)), InvalidSignature, "Missing: X-Amz-Algorithm.")
	wantErr(t, get(u+"&X-Amz-Date=20260707T153405Z"), InvalidSignature, "X-Amz-Date parameter more than once")

	// A presigned POST with a body: the SDKs sign the body's hash.
	body := []byte(`{"k":"v"}`)
	req := request(t, srv, "POST", "/backend/x/details", body)
	s := v4.NewSigner(credentials.NewStaticCredentials(testKey, testSecret, ""))
	if _, err := s.Presign(req, bytes.NewReader(body), ServiceName, "us-east-1", time.Minute, testNow); err != nil {
		t.Fatal(err)
	}
	post, _ := http.NewRequest("POST", req.URL.String(), bytes.NewReader(body))
	wantOK(t, do(t, post))
	post, _ = http.NewRequest("POST", req.URL.String(), bytes.NewReader([]byte(`{"k":"w"}`)))
	wantErr(t, do(t, post), InvalidSignature, MismatchMessage)
}

// TestPresignUnsignedPayload accepts a presigned URL signed with S3's rule (UNSIGNED-PAYLOAD),
// as some hand-written signers do.
func TestPresignUnsignedPayload(t *testing.T) {
	q := url.Values{}
	q.Set("X-Amz-Algorithm", Algorithm)
	q.Set("X-Amz-Credential", testKey+"/20260707/us-east-1/amplifybackend/aws4_request")
	q.Set("X-Amz-Date", "20260707T153000Z")
	q.Set("X-Amz-Expires", "600")
	q.Set("X-Amz-SignedHeaders", "host")
	r := httptest.NewRequest("GET", "http://h.example/backend/x?"+q.Encode(), nil)
	query, _ := CanonicalQuery(r.URL.RawQuery, "")
	creq := CanonicalRequest("GET", "/backend/x", query, "host:h.example\n", []string{"host"}, UnsignedPayload)
	sts := StringToSign(time.Date(2026, 7, 7, 15, 30, 0, 0, time.UTC), Scope("20260707", "us-east-1", ServiceName), creq)
	sig := Signature(SigningKey(testSecret, "20260707", "us-east-1", ServiceName), sts)
	r = httptest.NewRequest("GET", "http://h.example/backend/x?"+q.Encode()+"&X-Amz-Signature="+hexString(sig), nil)
	if _, err := Verify(r, nil, testNow, testLookup); err != nil {
		t.Fatal(err)
	}
	// Signed with UNSIGNED-PAYLOAD, the body is not covered.
	r = httptest.NewRequest("GET", "http://h.example/backend/x?"+q.Encode()+"&X-Amz-Signature="+hexString(sig), strings.NewReader("x"))
	if _, err := Verify(r, []byte("x"), testNow, testLookup); err != nil {
		t.Fatal(err)
	}
	// Another path is not.
	r = httptest.NewRequest("GET", "http://h.example/backend/y?"+q.Encode()+"&X-Amz-Signature="+hexString(sig), nil)
	wantCode(t, verifyErr(r, nil), InvalidSignature, MismatchMessage)
}

func hexString(b []byte) string { return hex.EncodeToString(b) }

func verifyErr(r *http.Request, body []byte) error {
	_, err := Verify(r, body, testNow, testLookup)
	return err
}
