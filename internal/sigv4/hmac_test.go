package sigv4

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestSignPadded checks the verifier's allocation-free HMAC against crypto/hmac, for keys
// shorter than, as long as and longer than a block (signing keys are 32 bytes) and messages
// around the block size.
func TestSignPadded(t *testing.T) {
	for _, keyLen := range []int{0, 1, 32, 63, 64, 65, 200} {
		for _, msgLen := range []int{0, 1, 55, 56, 63, 64, 65, 300} {
			key := bytes.Repeat([]byte{byte(keyLen + 1)}, keyLen)
			msg := strings.Repeat(string(rune('a'+msgLen%26)), msgLen)
			m := hmac.New(sha256.New, key)
			m.Write([]byte(msg))
			want := m.Sum(nil)
			padded := append(make([]byte, hmacBlock), msg...)
			if got := signPadded(key, padded); !bytes.Equal(got[:], want) {
				t.Errorf("key %d bytes, message %d bytes: got %x, want %x", keyLen, msgLen, got, want)
			}
			if got := Signature(key, msg); !bytes.Equal(got, want) {
				t.Errorf("Signature, key %d bytes, message %d bytes: got %x, want %x", keyLen, msgLen, got, want)
			}
		}
	}
}

func TestEmptyPayloadHash(t *testing.T) {
	sum := sha256.Sum256(nil)
	if want := hex.EncodeToString(sum[:]); emptyPayloadHash != want || PayloadHash(nil) != want || PayloadHash([]byte{}) != want {
		t.Errorf("emptyPayloadHash = %s, PayloadHash(nil) = %s, want %s", emptyPayloadHash, PayloadHash(nil), want)
	}
}

// TestSigningKeyChain checks SigningKey against the HMAC chain computed with crypto/hmac,
// including a region longer than SigningKey's stack buffer.
func TestSigningKeyChain(t *testing.T) {
	mac := func(key []byte, data string) []byte {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(data))
		return m.Sum(nil)
	}
	for _, region := range []string{"us-east-1", strings.Repeat("r", 100)} {
		want := mac(mac(mac(mac([]byte("AWS4"+testSecret), "20260707"), region), ServiceName), "aws4_request")
		if got := SigningKey(testSecret, "20260707", region, ServiceName); !bytes.Equal(got, want) {
			t.Errorf("SigningKey(region %.12s...) = %x, want %x", region, got, want)
		}
	}
}

// TestParseBasic checks parseBasic against time.Parse(TimeFormat, s) on valid times, edge
// values and random mutations of them, and appendDate/appendTime against AppendFormat.
func TestParseBasic(t *testing.T) {
	seeds := []string{
		"20260707T153405Z", "20240229T235959Z", "20230229T120000Z", "20261231T000000Z",
		"00000101T000000Z", "99991231T235959Z", "20260230T000000Z", "20261301T000000Z",
		"20260007T000000Z", "20260700T000000Z", "20260707T240000Z", "20260707T236000Z",
		"20260707T235960Z", "2026070T7153405Z", "20260707 153405Z", "20260707T153405z",
		"+0260707T153405Z", "-0260707T153405Z", "2026-7-7T153405Z", "20260707T15340 Z",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "0123456789TZ +-:\x00"
	for _, seed := range slices.Clone(seeds) {
		for range 300 {
			b := []byte(seed)
			for range 1 + rng.IntN(3) {
				b[rng.IntN(len(b))] = alphabet[rng.IntN(len(alphabet))]
			}
			seeds = append(seeds, string(b))
		}
	}
	for _, s := range seeds {
		want, err := time.Parse(TimeFormat, s)
		got, ok := parseBasic(s)
		if ok != (err == nil) || ok && !got.Equal(want) {
			t.Errorf("parseBasic(%q) = %v, %v; time.Parse: %v, %v", s, got, ok, want, err)
		}
		if ok {
			if f := string(appendTime(nil, got)); f != want.Format(TimeFormat) {
				t.Errorf("appendTime(%v) = %q, want %q", got, f, want.Format(TimeFormat))
			}
			if f := string(appendDate(nil, got)); f != want.Format(DateFormat) {
				t.Errorf("appendDate(%v) = %q, want %q", got, f, want.Format(DateFormat))
			}
		}
		_, derr := time.Parse(DateFormat, s[:8])
		if validDate(s[:8]) != (derr == nil) {
			t.Errorf("validDate(%q) = %v, time.Parse: %v", s[:8], validDate(s[:8]), derr)
		}
	}
}

// TestKeyringVerify checks Keyring.Verify against Verifier.Verify: the same result for a good
// and a bad signature, the key that verified it, and a nil keyring that knows no key.
func TestKeyringVerify(t *testing.T) {
	ring, err := NewKeyring([]Key{{AccessKeyID: testKey, SecretAccessKey: testSecret, AccountID: "123456789012"}})
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"appId":"d1abc"}`)
	for _, secret := range []string{testSecret, "wrong" + testSecret} {
		req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:4580/backend", bytes.NewReader(body))
		sign(t, req, body, secret, "", ServiceName, "eu-west-1", testNow)
		want, werr := Verify(req, body, testNow, testLookup)
		got, key, gerr := ring.Verify(req, body, testNow)
		if fmt.Sprint(werr) != fmt.Sprint(gerr) || !reflect.DeepEqual(got, want) {
			t.Errorf("secret %.5s: Keyring.Verify = %+v, %v; Verify = %+v, %v", secret, got, gerr, want, werr)
		}
		if wantAccount := map[bool]string{true: "123456789012"}[werr == nil]; key.AccountID != wantAccount {
			t.Errorf("secret %.5s: key account %q, want %q", secret, key.AccountID, wantAccount)
		}
		var nilRing *Keyring
		if _, _, err := nilRing.Verify(req, body, testNow); !strings.Contains(fmt.Sprint(err), string(UnrecognizedClient)) {
			t.Errorf("nil keyring: %v, want %s", err, UnrecognizedClient)
		}
	}
}
