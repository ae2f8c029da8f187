package sigv4

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go/aws/credentials"
	v4 "github.com/aws/aws-sdk-go/aws/signer/v4"
)

// BenchmarkVerify verifies requests signed by aws-sdk-go v1's signer, as the server does for
// every request in auth mode sigv4: a GetBackendJob poll (GET, empty body) and a
// CreateBackend (POST with a JSON body, the payload hashed). "keyring" derives signing keys
// through Keyring.SigningKey, as the server does; "derive" derives each one afresh.
func BenchmarkVerify(b *testing.B) {
	ring, err := NewKeyring([]Key{{AccessKeyID: testKey, SecretAccessKey: testSecret, AccountID: "123456789012"}})
	if err != nil {
		b.Fatal(err)
	}
	signer := v4.NewSigner(credentials.NewStaticCredentials(testKey, testSecret, ""))
	cases := []struct {
		name, method, url, body string
	}{
		{"GetBackendJob", http.MethodGet, "http://127.0.0.1:4580/backend/d1abc/job/dev/8f9ac5b2-7a43-4b60-9d52-1f5e2f4a9c10", ""},
		{"CreateBackend", http.MethodPost, "http://127.0.0.1:4580/backend", `{"appId":"d1abc","appName":"myapp","backendEnvironmentName":"dev"}`},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			r, err := http.NewRequest(c.method, c.url, strings.NewReader(c.body))
			if err != nil {
				b.Fatal(err)
			}
			r.Header.Set("Content-Type", "application/json")
			at := testNow.Add(-time.Minute)
			if _, err := signer.Sign(r, strings.NewReader(c.body), "amplifybackend", "us-east-1", at); err != nil {
				b.Fatal(err)
			}
			r.RequestURI = r.URL.RequestURI()
			body := []byte(c.body)
			for _, v := range []struct {
				name string
				v    Verifier
			}{
				{"keyring", Verifier{Service: ServiceName, Lookup: testLookup, Derive: ring.SigningKey}},
				{"derive", Verifier{Service: ServiceName, Lookup: testLookup}},
			} {
				b.Run(v.name, func(b *testing.B) {
					if _, err := v.v.Verify(r, body, testNow); err != nil {
						b.Fatal(err)
					}
					b.ReportAllocs()
					for b.Loop() {
						if _, err := v.v.Verify(r, body, testNow); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
