package sigv4

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go/aws/credentials"
	v4 "github.com/aws/aws-sdk-go/aws/signer/v4"
)

// FuzzParseAuthorization: any header parses or fails with InvalidSignature, and what parses
// is well formed and renders back to itself.
func FuzzParseAuthorization(f *testing.F) {
	for _, s := range []string{
		"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/amplifybackend/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
		"AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request,SignedHeaders=host,Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
		"AWS4-HMAC-SHA256 Signature=00, Credential=a/b/c/d/e",
		"AWS4-HMAC-SHA256 Credential=, SignedHeaders=;;, Signature=",
		"AWS4-HMAC-SHA256 ,,,,,,,,,,,",
		"AWS4-ECDSA-P256-SHA256 Credential=x",
		"Bearer x",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		a, err := ParseAuthorization(header)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code != InvalidSignature || e.Message == "" {
				t.Fatalf("error %T %v", err, err)
			}
			return
		}
		if len(a.Signature) != 32 || len(a.SignedHeaders) == 0 || len(a.SignedHeaders) > maxSignedHeaders {
			t.Fatalf("parsed %+v", a)
		}
		host := false
		for i, h := range a.SignedHeaders {
			if i > 0 && h <= a.SignedHeaders[i-1] {
				t.Fatalf("signed headers not sorted: %q", a.SignedHeaders)
			}
			host = host || h == "host"
		}
		if !host || !ValidRegion(a.Credential.Region) || checkAccessKeyID(a.Credential.AccessKeyID) != "" || !validDate(a.Credential.Date) {
			t.Fatalf("parsed %+v", a)
		}
		c := a.Credential
		again, err := ParseAuthorization(Algorithm + " Credential=" + c.AccessKeyID + "/" + c.Scope() + ", SignedHeaders=" + strings.Join(a.SignedHeaders, ";") + ", Signature=" + hex.EncodeToString(a.Signature))
		if err != nil || !reflect.DeepEqual(again, a) {
			t.Fatalf("round trip: %+v, %v; want %+v", again, err, a)
		}
	})
}

// Headers the FuzzVerify differential leaves alone: net/http or the signer treat them
// specially, or they change what is verified.
var fuzzSkipHeaders = map[string]bool{
	"host": true, "content-length": true, "transfer-encoding": true, "authorization": true,
	"user-agent": true, "x-amzn-trace-id": true, "connection": true, "expect": true,
	"trailer": true, "te": true, "upgrade": true, "keep-alive": true, "proxy-connection": true,
	"x-amz-date": true, "date": true, "x-amz-content-sha256": true,
}

func fuzzHeaderOK(name, value string) bool {
	if name == "" || fuzzSkipHeaders[strings.ToLower(name)] {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !lowerTokenChar(c) && !('A' <= c && c <= 'Z') {
			return false
		}
	}
	for i := 0; i < len(value); i++ {
		if c := value[i]; (c < 0x20 && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// FuzzVerify feeds Verify random requests. mode 0: a request signed by aws-sdk-go v1, sent
// through net/http's wire format, must verify. mode 1: the same, presigned. Otherwise: an
// arbitrary request with an arbitrary Authorization header must be refused with one of the
// three authentication codes, and nothing may panic.
func FuzzVerify(f *testing.F) {
	f.Add(uint8(0), "POST", "/backend/app1/details", "X-Custom", "a  b", []byte(`{"a":1}`))
	f.Add(uint8(0), "GET", "/backend/a%2Fb/job/dev%20x/1?b=2&a=1&a=0", "X-Amz-Meta", "\tv\t", []byte{})
	f.Add(uint8(0), "GET", "//x/./y/../z?k=%E2%9C%93&flag", "Content-Type", "application/json", []byte{})
	f.Add(uint8(1), "GET", "/backend/x/challenge/s?X-Amz-Foo=1", "X-Amz-Meta", "v", []byte{})
	f.Add(uint8(1), "GET", "/a~b/%7E?z=%20&y=+", "If-Match", "*", []byte{})
	f.Add(uint8(2), "GET", "/?X-Amz-Signature=00&X-Amz-Credential=a%2Fb", "Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260707/us-east-1/amplifybackend/aws4_request, SignedHeaders=host, Signature=00", []byte{})
	f.Add(uint8(2), "PUT", "/x?%zz", "X-Amz-Date", "20260707T153405Z", []byte("x"))
	f.Add(uint8(3), "GET", "/", "Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260707/us-east-1/amplifybackend/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31", []byte{})
	f.Fuzz(func(t *testing.T, mode uint8, method, target, hname, hvalue string, body []byte) {
		switch mode {
		case 0, 1:
			fuzzSigned(t, mode == 1, method, target, hname, hvalue, body)
		default:
			fuzzRaw(t, method, target, hname, hvalue, body)
		}
	})
}

func fuzzSigned(t *testing.T, presign bool, method, target, hname, hvalue string, body []byte) {
	if !strings.HasPrefix(target, "/") || len(target) > 2048 || strings.ContainsAny(target, "#") {
		return
	}
	if _, q, _ := strings.Cut(target, "?"); strings.Contains(q, "X-Amz-") {
		return // a URL that already holds signature parameters is rightly refused
	}
	if presign {
		method, body = "GET", nil
	}
	req, err := http.NewRequest(method, "http://127.0.0.1:4580"+target, bytes.NewReader(body))
	if err != nil || req.URL.Host != "127.0.0.1:4580" {
		return
	}
	if fuzzHeaderOK(hname, hvalue) {
		req.Header.Add(hname, hvalue)
	}
	s := v4.NewSigner(credentials.NewStaticCredentials(testKey, testSecret, ""))
	if presign {
		_, err = s.Presign(req, nil, ServiceName, "us-east-1", time.Hour, testNow)
	} else {
		_, err = s.Sign(req, bytes.NewReader(body), ServiceName, "us-east-1", testNow)
	}
	if err != nil {
		return
	}
	// Through the wire format, as a server receives it.
	var wire bytes.Buffer
	if err := req.Write(&wire); err != nil {
		return
	}
	sreq, err := http.ReadRequest(bufio.NewReader(&wire))
	if err != nil {
		return
	}
	sbody, err := io.ReadAll(sreq.Body)
	if err != nil {
		return
	}
	if _, err := Verify(sreq, sbody, testNow, testLookup); err != nil {
		t.Fatalf("%s %q (header %q: %q) signed by aws-sdk-go v1 (presigned %v) does not verify: %v\nwire:\n%s", method, target, hname, hvalue, presign, err, wire.String())
	}
}

func fuzzRaw(t *testing.T, method, target, hname, hvalue string, body []byte) {
	r := &http.Request{Method: method, RequestURI: target, Host: "127.0.0.1:4580", Header: http.Header{}}
	if u, err := url.ParseRequestURI(target); err == nil {
		r.URL = u
	} else {
		p, q, _ := strings.Cut(target, "?")
		r.URL = &url.URL{Path: p, RawQuery: q}
	}
	r.Header[hname] = []string{hvalue}
	r.Header["X-Amz-Date"] = []string{testNow.Format(TimeFormat)}
	_, err := Verify(r, body, testNow, testLookup)
	if err == nil {
		return // a fuzzer that forges HMAC-SHA256 deserves its prize
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T %v", err, err)
	}
	switch e.Code {
	case MissingAuthenticationToken, UnrecognizedClient, InvalidSignature:
	default:
		t.Fatalf("code %s", e.Code)
	}
	if e.Message == "" || len(e.Message) > 32<<10 {
		t.Fatalf("message of %d bytes", len(e.Message))
	}
}

// FuzzLoadCredentials: any file parses or fails with an error naming the file; what parses
// is valid, loads into a keyring and renders back to the same keys.
func FuzzLoadCredentials(f *testing.F) {
	f.Add([]byte("[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\naws_account_id = 123456789012\n"))
	f.Add([]byte("\xef\xbb\xbf# c\r\n[profile a]\r\nAWS_ACCESS_KEY_ID=k\r\naws_secret_access_key=s\r\naws_account_id=000000000000\r\nregion=x\r\n[b]\naws_access_key_id=k2\naws_secret_access_key=s\naws_account_id=111111111111\n"))
	f.Add([]byte("[a]\n[a]\n"))
	f.Add([]byte("x=y\n"))
	f.Add([]byte("[a]\naws_access_key_id=k\naws_access_key_id=k\n"))
	f.Add([]byte("[\n]\n[]]\n= \n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, err := ParseCredentials("fuzz.ini", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.ini:") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if len(keys) == 0 {
			t.Fatal("no keys and no error")
		}
		kr, err := NewKeyring(keys)
		if err != nil {
			t.Fatalf("parsed keys do not load: %v", err)
		}
		var b strings.Builder
		for _, k := range keys {
			if got, ok := kr.Lookup(k.AccessKeyID); !ok || got != k {
				t.Fatalf("lookup %s = %v, %v", k.AccessKeyID, got, ok)
			}
			fmt.Fprintf(&b, "[profile %s]\naws_access_key_id = %s\naws_secret_access_key = %s\naws_account_id = %s\n", k.Profile, k.AccessKeyID, k.SecretAccessKey, k.AccountID)
		}
		again, err := ParseCredentials("again", []byte(b.String()))
		if err != nil || !reflect.DeepEqual(again, keys) {
			t.Fatalf("round trip: %v, %v; want %v", again, err, keys)
		}
	})
}
