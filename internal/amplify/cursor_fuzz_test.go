package amplify

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"testing"
)

// cursorKeyStore is a Store that only has key material: the page tokens need nothing else. Any
// other method panics (the embedded interface is nil), which a fuzz run would report.
type cursorKeyStore struct {
	Store
	key []byte
}

func (s cursorKeyStore) Secret(_ context.Context, name string) ([]byte, error) {
	if name != "cursor" {
		return nil, errors.New("unexpected secret " + name)
	}
	return s.key, nil
}

func cursorService() *Service {
	return &Service{Configs: wireConfigs, Store: cursorKeyStore{key: bytes.Repeat([]byte{0x5a}, 32)}}
}

// wantTokenRefused fails unless err is a BadRequest *Error.
func wantTokenRefused(t *testing.T, what string, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Code != BadRequest || e.Message == "" {
		t.Fatalf("%s: error %T %v; want BadRequest", what, err, err)
	}
}

// FuzzCursor fuzzes the NextToken of ListBackendJobs and ListS3Buckets. Any string is refused
// with BadRequest unless it is, byte for byte, a token the service sealed for the same query;
// a token the service seals round-trips, and opens for no other query, position or listing.
func FuzzCursor(f *testing.F) {
	s := cursorService()
	ctx := context.Background()
	q := JobQuery{EnvKey: EnvKey{AppKey: AppKey{Scope: Scope{Account: "111111111111", Region: "us-east-1"}, AppID: "d1abc"}, Env: "dev"}}
	valid, err := s.encodeCursor(ctx, q, 42)
	if err != nil {
		f.Fatal(err)
	}
	bucket, err := s.sealToken(ctx, "buckets", []string{"111111111111", "us-east-1"}, []byte("my-bucket"))
	if err != nil {
		f.Fatal(err)
	}
	for _, tok := range []string{valid, bucket, "", "A", "AAAA", valid + "=", valid[:len(valid)-1], "\n" + valid, valid[:10] + "\r\n" + valid[10:], "-_-_", "////", string(make([]byte, 200))} {
		f.Add(tok, "111111111111", "us-east-1", "d1abc", "dev", "", "", "", int64(42), uint8(0))
	}
	f.Add(valid, "11111111111", "1us-east-1", "d1abc", "dev", "", "", "", int64(1), uint8(31))
	f.Add(valid, "111111111111", "us-east-1", "d1abc", "dev", "job", "CreateBackend", "COMPLETED", int64(-1), uint8(7))
	f.Fuzz(func(t *testing.T, token, account, region, app, env, jobID, operation, status string, seq int64, pos uint8) {
		fq := JobQuery{
			EnvKey:    EnvKey{AppKey: AppKey{Scope: Scope{Account: account, Region: region}, AppID: app}, Env: env},
			JobFilter: JobFilter{JobID: jobID, Operation: operation, Status: status},
		}
		// A fuzzed token opens only if it is the token of its position for this query.
		if before, err := s.decodeCursor(ctx, fq, token); err != nil {
			wantTokenRefused(t, "decode a fuzzed token", err)
		} else {
			sealed, err := s.encodeCursor(ctx, fq, before)
			if err != nil {
				t.Fatal(err)
			}
			if !sameTokenBytes(token, sealed) {
				t.Fatalf("token %q opened at %d for %+v, but the service seals %q there", token, before, fq, sealed)
			}
		}
		if payload, err := s.openToken(ctx, "buckets", []string{account, region}, token); err != nil {
			wantTokenRefused(t, "open a fuzzed bucket token", err)
		} else {
			sealed, err := s.sealToken(ctx, "buckets", []string{account, region}, payload)
			if err != nil {
				t.Fatal(err)
			}
			if !sameTokenBytes(token, sealed) {
				t.Fatalf("bucket token %q opened as %q, but the service seals %q", token, payload, sealed)
			}
		}

		// A sealed token round-trips for its query and position only.
		tok, err := s.encodeCursor(ctx, fq, seq)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.decodeCursor(ctx, fq, tok)
		if seq <= 0 {
			wantTokenRefused(t, "a token of a position that cannot exist", err)
		} else if err != nil || got != seq {
			t.Fatalf("round trip of %d for %+v: %d, %v", seq, fq, got, err)
		}
		for i, other := range []JobQuery{fq, fq, fq, fq, fq, fq, fq} {
			// Change one member of the query; the token must not open for it.
			switch i {
			case 0:
				other.Account += "0"
			case 1:
				other.Region += "x"
			case 2:
				other.AppID += "x"
			case 3:
				other.Env += "x"
			case 4:
				other.JobID += "x"
			case 5:
				other.Operation += "x"
			case 6:
				other.Status += "x"
			}
			if _, err := s.decodeCursor(ctx, other, tok); err == nil {
				t.Fatalf("token of %+v opened for %+v", fq, other)
			}
		}
		// Members that shift a byte from one to the next are another query.
		if len(account) > 0 {
			shifted := fq
			shifted.Account, shifted.Region = account[:len(account)-1], account[len(account)-1:]+region
			if _, err := s.decodeCursor(ctx, shifted, tok); err == nil {
				t.Fatalf("token of %+v opened for %+v", fq, shifted)
			}
		}
		// A job token is no bucket token, and the other way round.
		if _, err := s.openToken(ctx, "buckets", []string{account, region}, tok); err == nil {
			t.Fatalf("job token %q opened as a bucket token", tok)
		}
		btok, err := s.sealToken(ctx, "buckets", []string{account, region}, []byte(app))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.decodeCursor(ctx, fq, btok); err == nil {
			t.Fatalf("bucket token %q opened as a job token", btok)
		}
		// Altering any one character of a job token (24 bytes, 32 characters, no padding
		// bits) makes it invalid.
		b := []byte(tok)
		i := int(pos) % len(b)
		const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
		b[i] = alphabet[(bytes.IndexByte([]byte(alphabet), b[i])+1+int(pos)%63)%64]
		if _, err := s.decodeCursor(ctx, fq, string(b)); err == nil {
			t.Fatalf("token %q altered at %d to %q still opens", tok, i, b)
		}
	})
}

// sameTokenBytes reports whether two tokens decode to the same bytes.
func sameTokenBytes(a, b string) bool {
	da, errA := base64.RawURLEncoding.DecodeString(a)
	db, errB := base64.RawURLEncoding.DecodeString(b)
	return errA == nil && errB == nil && bytes.Equal(da, db)
}

// TestCursorTokenAltered: behaviour.md promises that an altered NextToken is BadRequest. The
// token is base64 (RawURLEncoding), whose decoder skips '\r' and '\n' anywhere; openToken
// accepts only the canonical spelling, so a token with line breaks inserted is refused like
// any other alteration.
func TestCursorTokenAltered(t *testing.T) {
	s := cursorService()
	ctx := context.Background()
	q := JobQuery{EnvKey: EnvKey{AppKey: AppKey{Scope: Scope{Account: "111111111111", Region: "us-east-1"}, AppID: "d1abc"}, Env: "dev"}}
	tok, err := s.encodeCursor(ctx, q, 42)
	if err != nil {
		t.Fatal(err)
	}
	for _, altered := range []string{"\n" + tok, tok[:8] + "\r\n" + tok[8:], tok + "\n"} {
		if _, err := s.decodeCursor(ctx, q, altered); err == nil {
			t.Errorf("BUG: the token %q with line breaks inserted (%q) still opens", tok, altered)
		}
	}
}
