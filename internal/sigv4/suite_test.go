package sigv4

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The AWS test suite's credential and clock.
const (
	suiteKey    = "AKIDEXAMPLE"
	suiteSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
)

var suiteTime = time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)

func suiteLookup(id string) (string, bool) {
	if id == suiteKey {
		return suiteSecret, true
	}
	return "", false
}

var suiteVerifier = Verifier{Service: "service", Lookup: suiteLookup}

// readSuiteRequest reads a request in the suite's raw form. The target is taken verbatim (it
// may contain a space), as a server sees the request line.
func readSuiteRequest(t *testing.T, path string) (*http.Request, []byte) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(bytes.NewReader(data))
	line, err := br.ReadString('\n')
	if err != nil {
		t.Fatalf("%s: request line: %v", path, err)
	}
	line = strings.TrimRight(line, "\r\n")
	method, rest, _ := strings.Cut(line, " ")
	target := rest[:strings.LastIndex(rest, " ")]
	r := &http.Request{Method: method, RequestURI: target, Header: http.Header{}}
	p, q, _ := strings.Cut(target, "?")
	r.URL = &url.URL{Path: p, RawQuery: q}
	var last string // the header a continuation line continues
	for {
		l, err := br.ReadString('\n')
		l = strings.TrimRight(l, "\r\n")
		if l == "" {
			break
		}
		if (l[0] == ' ' || l[0] == '\t') && last != "" {
			// An obsolete folded line: net/textproto joins it to the value with one space.
			vals := r.Header[last]
			vals[len(vals)-1] += " " + strings.TrimLeft(l, " \t")
			continue
		}
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			t.Fatalf("%s: bad header line %q", path, l)
		}
		if strings.EqualFold(name, "host") {
			r.Host = value
			continue
		}
		r.Header.Add(name, strings.TrimLeft(value, " "))
		last = http.CanonicalHeaderKey(name)
		if err != nil {
			break
		}
	}
	body, _ := io.ReadAll(br)
	return r, body
}

func TestSuite(t *testing.T) {
	files, err := filepath.Glob("testdata/suite/*.req")
	if err != nil || len(files) < 48 {
		t.Fatalf("suite files: %v (%d)", err, len(files))
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".req")
		t.Run(name, func(t *testing.T) {
			r, body := readSuiteRequest(t, f)
			res, err := suiteVerifier.Verify(r, body, suiteTime)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if res.AccessKeyID != suiteKey || res.Region != "us-east-1" || res.Service != "service" {
				t.Errorf("result = %+v", res)
			}
			if want := strings.HasPrefix(name, "presigned-"); res.Presigned != want {
				t.Errorf("Presigned = %v, want %v", res.Presigned, want)
			}
			checkSuiteSteps(t, strings.TrimSuffix(f, ".req"))

			// The same request with one bit of the signature flipped must fail.
			bad, body := readSuiteRequest(t, f)
			flip := func(s string) string {
				i := strings.Index(s, "Signature=") + len("Signature=")
				c := byte('0')
				if s[i] == '0' {
					c = '1'
				}
				return s[:i] + string(c) + s[i+1:]
			}
			if a := bad.Header.Get("Authorization"); a != "" {
				bad.Header.Set("Authorization", flip(a))
			} else {
				bad.URL.RawQuery = flip(bad.URL.RawQuery)
				bad.RequestURI = bad.URL.Path + "?" + bad.URL.RawQuery
			}
			_, err = suiteVerifier.Verify(bad, body, suiteTime)
			wantCode(t, err, InvalidSignature, MismatchMessage)
		})
	}
}

// checkSuiteSteps checks the intermediate values of a case whose published canonical request
// (NAME.creq) and string to sign (NAME.sts) are in testdata, computed by the exported steps:
// the path normalized unless the case is "-unnormalized", as the suite's context says. The
// signature of the string to sign must be the one in NAME.req.
func checkSuiteSteps(t *testing.T, base string) {
	t.Helper()
	wantCreq, err := os.ReadFile(base + ".creq")
	if errors.Is(err, os.ErrNotExist) {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	wantSTS, err := os.ReadFile(base + ".sts")
	if err != nil {
		t.Fatal(err)
	}
	r, body := readSuiteRequest(t, base+".req")
	auth, err := ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		t.Fatal(err)
	}
	path := requestPath(r)
	if !strings.HasSuffix(base, "-unnormalized") {
		path = NormalizePath(path)
	}
	query, ok := CanonicalQuery(r.URL.RawQuery, "")
	if !ok {
		t.Fatalf("query %q does not parse", r.URL.RawQuery)
	}
	creq := CanonicalRequest(r.Method, CanonicalURI(path), query, CanonicalHeaders(r, auth.SignedHeaders), auth.SignedHeaders, PayloadHash(body))
	if creq != string(wantCreq) {
		t.Errorf("canonical request:\n%s\nwant (%s.creq)\n%s", creq, filepath.Base(base), wantCreq)
	}
	sts := StringToSign(suiteTime, auth.Credential.Scope(), creq)
	if sts != string(wantSTS) {
		t.Errorf("string to sign:\n%s\nwant (%s.sts)\n%s", sts, filepath.Base(base), wantSTS)
	}
	key := SigningKey(suiteSecret, auth.Credential.Date, auth.Credential.Region, auth.Credential.Service)
	if got := Signature(key, string(wantSTS)); !bytes.Equal(got, auth.Signature) {
		t.Errorf("signature of %s.sts %x; the request carries %x", filepath.Base(base), got, auth.Signature)
	}
}

// TestSuiteStepsPublished makes sure the step checks above run: the suite's intermediate
// files are present for the cases that publish them.
func TestSuiteStepsPublished(t *testing.T) {
	creqs, _ := filepath.Glob("testdata/suite/*.creq")
	if len(creqs) < 36 {
		t.Fatalf("%d .creq files; want the 36 published header cases", len(creqs))
	}
	for _, c := range creqs {
		base := strings.TrimSuffix(c, ".creq")
		for _, ext := range []string{".req", ".sts"} {
			if _, err := os.Stat(base + ext); err != nil {
				t.Errorf("%s without %s: %v", c, ext, err)
			}
		}
	}
}

// TestSuiteVanillaSteps checks each step of get-vanilla against the suite's intermediate
// values, and the signing key and signature of AWS's documented IAM example.
func TestSuiteVanillaSteps(t *testing.T) {
	r, _ := readSuiteRequest(t, "testdata/suite/get-vanilla.req")
	signed := []string{"host", "x-amz-date"}
	creq := CanonicalRequest("GET", CanonicalURI("/"), "", CanonicalHeaders(r, signed), signed, PayloadHash(nil))
	wantCreq := "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	if creq != wantCreq {
		t.Errorf("canonical request:\n%s\nwant\n%s", creq, wantCreq)
	}
	sts := StringToSign(suiteTime, Scope("20150830", "us-east-1", "service"), creq)
	wantSTS := "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"
	if sts != wantSTS {
		t.Errorf("string to sign:\n%s\nwant\n%s", sts, wantSTS)
	}
	sig := hex.EncodeToString(Signature(SigningKey(suiteSecret, "20150830", "us-east-1", "service"), sts))
	if want := "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"; sig != want {
		t.Errorf("signature %s, want %s", sig, want)
	}

	// AWS's documented example: GET https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08.
	key := SigningKey(suiteSecret, "20150830", "us-east-1", "iam")
	if got, want := hex.EncodeToString(key), "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"; got != want {
		t.Errorf("signing key %s, want %s", got, want)
	}
	iam := &http.Request{Method: "GET", Host: "iam.amazonaws.com", Header: http.Header{
		"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"},
		"X-Amz-Date":   {"20150830T123600Z"},
	}}
	signed = []string{"content-type", "host", "x-amz-date"}
	query, ok := CanonicalQuery("Version=2010-05-08&Action=ListUsers", "")
	if !ok || query != "Action=ListUsers&Version=2010-05-08" {
		t.Errorf("query %q %v", query, ok)
	}
	creq = CanonicalRequest("GET", "/", query, CanonicalHeaders(iam, signed), signed, PayloadHash(nil))
	sts = StringToSign(suiteTime, Scope("20150830", "us-east-1", "iam"), creq)
	if got, want := sts[strings.LastIndex(sts, "\n")+1:], "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59"; got != want {
		t.Errorf("canonical request hash %s, want %s", got, want)
	}
	if got, want := hex.EncodeToString(Signature(key, sts)), "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"; got != want {
		t.Errorf("signature %s, want %s", got, want)
	}
}

// wantCode fails unless err is an *Error with the code and a message containing want.
func wantCode(t *testing.T, err error, code Code, want string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v, want %s", err, code)
	}
	if e.Code != code || !strings.Contains(e.Message, want) {
		t.Fatalf("error = %s: %q, want %s containing %q", e.Code, e.Message, code, want)
	}
}
