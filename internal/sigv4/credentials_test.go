package sigv4

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

func TestParseCredentials(t *testing.T) {
	const alice = "[alice]\naws_access_key_id = AKIAALICE\naws_secret_access_key = alice/secret+key\naws_account_id = 111111111111\n"
	tests := []struct {
		name string
		file string
		want []Key
		err  string // "" for success
	}{
		{"one profile", alice, []Key{{Profile: "alice", AccessKeyID: "AKIAALICE", SecretAccessKey: "alice/secret+key", AccountID: "111111111111"}}, ""},
		{"two profiles, comments, CRLF, BOM, case, spacing, other settings",
			"\xef\xbb\xbf# team keys\r\n; more\r\n[default]\r\nAWS_ACCESS_KEY_ID=AKIADEFAULT\r\n  aws_secret_access_key   =   s#not-a-comment  \r\naws_account_id=000000000000\r\nregion = us-east-1\r\naws_session_token = ignored\r\n\r\n[ profile bob ]\r\naws_access_key_id = bob_key-1.x\r\naws_secret_access_key = b\r\naws_account_id = 222222222222\r\n",
			[]Key{
				{Profile: "default", AccessKeyID: "AKIADEFAULT", SecretAccessKey: "s#not-a-comment", AccountID: "000000000000"},
				{Profile: "bob", AccessKeyID: "bob_key-1.x", SecretAccessKey: "b", AccountID: "222222222222"},
			}, ""},
		{"empty file", "", nil, "creds: no profiles"},
		{"comments only", "# nothing\n", nil, "no profiles"},
		{"setting before profile", "aws_access_key_id = A\n" + alice, nil, "creds:1: a setting before the first [profile] header"},
		{"unterminated header", "[alice\n", nil, "creds:1: a profile header must end with ']'"},
		{"empty profile name", "[ ]\n", nil, "creds:1: empty profile name"},
		{"duplicate profile", alice + "[alice]\n", nil, "creds:5: profile \"alice\" is defined twice (first on line 1)"},
		{"no equals", "[alice]\naws_access_key_id AKIA\n", nil, "creds:2: expected 'name = value' in profile \"alice\""},
		{"no name", "[alice]\n= x\n", nil, "creds:2: a setting without a name"},
		{"duplicate setting", alice + "aws_account_id = 111111111111\n", nil, "creds:5: aws_account_id is set twice in profile \"alice\" (first on line 4)"},
		{"missing account", "[alice]\naws_access_key_id = AKIAALICE\naws_secret_access_key = s\n", nil, "creds:1: profile \"alice\" has no aws_account_id"},
		{"missing secret", "[alice]\naws_access_key_id = AKIAALICE\naws_account_id = 111111111111\n", nil, "creds:1: profile \"alice\" has no aws_secret_access_key"},
		{"missing key id", "[alice]\n\n", nil, "creds:1: profile \"alice\" has no aws_access_key_id"},
		{"account not 12 digits", strings.Replace(alice, "111111111111", "11111111111", 1), nil, "creds:4: aws_account_id in profile \"alice\": it must be 12 digits, not \"11111111111\""},
		{"account not digits", strings.Replace(alice, "111111111111", "11111111111a", 1), nil, "creds:4: aws_account_id"},
		{"key id characters", strings.Replace(alice, "AKIAALICE", "AKIA/ALICE", 1), nil, "creds:2: aws_access_key_id in profile \"alice\": only letters, digits"},
		{"key id empty", strings.Replace(alice, "AKIAALICE", "", 1), nil, "creds:2: aws_access_key_id in profile \"alice\": it is empty"},
		{"key id too long", strings.Replace(alice, "AKIAALICE", strings.Repeat("A", 129), 1), nil, "longer than 128"},
		{"secret empty", strings.Replace(alice, "alice/secret+key", "", 1), nil, "creds:3: aws_secret_access_key in profile \"alice\": it must be 1 to 256 characters"},
		{"secret with space", strings.Replace(alice, "alice/secret+key", "a b", 1), nil, "creds:3: aws_secret_access_key in profile \"alice\": it must be printable ASCII"},
		{"duplicate key id", alice + "[alice2]\naws_access_key_id = AKIAALICE\naws_secret_access_key = x\naws_account_id = 333333333333\n", nil,
			"creds:6: access key id AKIAALICE of profile \"alice2\" is also the one of profile \"alice\" (line 2)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys, err := ParseCredentials("creds", []byte(tt.file))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				if strings.Contains(err.Error(), "alice/secret+key") {
					t.Fatalf("error leaks the secret: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(keys, tt.want) {
				t.Fatalf("keys %v, want %v", keys, tt.want)
			}
		})
	}
}

func TestLoadCredentials(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "credentials")
	if _, err := LoadCredentials(path); err == nil || !strings.Contains(err.Error(), "credentials") {
		t.Fatalf("missing file: %v", err)
	}
	os.WriteFile(path, []byte("[a]\naws_access_key_id=K\naws_secret_access_key=S\naws_account_id=123456789012\n"), 0o600)
	keys, err := LoadCredentials(path)
	if err != nil || len(keys) != 1 || keys[0].AccountID != "123456789012" {
		t.Fatalf("keys %v, %v", keys, err)
	}
	os.WriteFile(path, []byte("[a]\naws_access_key_id=K\n"), 0o600)
	if _, err := LoadCredentials(path); err == nil || !strings.HasPrefix(err.Error(), path+":1: ") {
		t.Fatalf("error %v does not name the file and line", err)
	}
	os.WriteFile(path, bytes.Repeat([]byte("#"), maxCredentialsFile+1), 0o600)
	if _, err := LoadCredentials(path); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("huge file: %v", err)
	}
}

func TestKeyNeverPrintsSecret(t *testing.T) {
	k := Key{Profile: "p", AccessKeyID: "AKIA", SecretAccessKey: "TOPSECRET", AccountID: "123456789012"}
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("key", "key", k)
	for _, s := range []string{fmt.Sprint(k), fmt.Sprintf("%v %+v %#v %s", k, k, k, k), fmt.Sprint([]Key{k}), logged.String()} {
		if strings.Contains(s, "TOPSECRET") {
			t.Errorf("secret printed: %s", s)
		}
		if !strings.Contains(s, "AKIA") {
			t.Errorf("key id not printed: %s", s)
		}
	}
}

func TestKeyring(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "credentials")
	write := func(accounts ...string) {
		var b strings.Builder
		for i, a := range accounts {
			fmt.Fprintf(&b, "[p%d]\naws_access_key_id = KEY%d\naws_secret_access_key = secret%d\naws_account_id = %s\n", i, i, i, a)
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("111111111111", "222222222222")
	kr, err := OpenKeyring(path)
	if err != nil {
		t.Fatal(err)
	}
	if kr.Len() != 2 || kr.Path() != path {
		t.Fatalf("Len %d, Path %q", kr.Len(), kr.Path())
	}
	if k, ok := kr.Lookup("KEY1"); !ok || k.SecretAccessKey != "secret1" || k.AccountID != "222222222222" {
		t.Fatalf("Lookup KEY1 = %v, %v", k, ok)
	}
	if _, ok := kr.Lookup("KEY9"); ok {
		t.Fatal("unknown key found")
	}

	// A broken file leaves the keys in force.
	os.WriteFile(path, []byte("[broken\n"), 0o600)
	if err := kr.Reload(); err == nil {
		t.Fatal("reload of a broken file succeeded")
	}
	if _, ok := kr.Lookup("KEY1"); !ok {
		t.Fatal("failed reload dropped the keys")
	}

	// A good file replaces them all: KEY1 is gone, KEY0 moved account.
	write("999999999999")
	if err := kr.Reload(); err != nil {
		t.Fatal(err)
	}
	if k, _ := kr.Lookup("KEY0"); k.AccountID != "999999999999" || kr.Len() != 1 {
		t.Fatalf("after reload: %v, Len %d", k, kr.Len())
	}
	if _, ok := kr.Lookup("KEY1"); ok {
		t.Fatal("removed key still found")
	}

	// Concurrent lookups during reloads see one whole key set or the other: KEY0 is always
	// there, in the account of whichever file is in force, and the count matches.
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				k, ok := kr.Lookup("KEY0")
				if !ok || k.AccountID != "999999999999" && k.AccountID != "888888888888" {
					t.Errorf("lookup during reload: %v %v", k, ok)
					return
				}
			}
		}()
	}
	for i := 0; i < 50; i++ {
		acct := "888888888888"
		if i%2 == 0 {
			acct = "999999999999"
		}
		if err := kr.Replace([]Key{{Profile: "p0", AccessKeyID: "KEY0", SecretAccessKey: "s", AccountID: acct}}); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()

	if _, err := NewKeyring([]Key{{AccessKeyID: "A", SecretAccessKey: "s", AccountID: "123456789012"}, {AccessKeyID: "A", SecretAccessKey: "t", AccountID: "123456789012"}}); err == nil {
		t.Fatal("duplicate keys accepted")
	}
	if _, err := NewKeyring([]Key{{AccessKeyID: "A", SecretAccessKey: "s", AccountID: "1"}}); err == nil {
		t.Fatal("bad account accepted")
	}
	if err := (&Keyring{}).Reload(); err == nil {
		t.Fatal("reload without a file succeeded")
	}
	var nilRing *Keyring
	if _, ok := nilRing.Lookup("A"); ok || nilRing.Len() != 0 {
		t.Fatal("nil keyring knows keys")
	}
}

func TestKeyringSigningKey(t *testing.T) {
	ring, err := NewKeyring([]Key{{AccessKeyID: "AKID1", SecretAccessKey: "secret-one", AccountID: "111111111111"}})
	if err != nil {
		t.Fatal(err)
	}
	want := SigningKey("secret-one", "20260707", "us-east-1", ServiceName)
	for range 2 { // derived, then remembered
		if got := ring.SigningKey("secret-one", "20260707", "us-east-1", ServiceName); !bytes.Equal(got, want) {
			t.Fatalf("SigningKey = %x, want %x", got, want)
		}
	}
	if got := ring.SigningKey("secret-one", "20260708", "us-east-1", ServiceName); bytes.Equal(got, want) {
		t.Fatal("another day gave the same signing key")
	}
	// A reload with a new secret for the same key id derives from the new secret.
	if err := ring.Replace([]Key{{AccessKeyID: "AKID1", SecretAccessKey: "secret-two", AccountID: "111111111111"}}); err != nil {
		t.Fatal(err)
	}
	if n := len(ring.derived.Load().keys); n != 0 {
		t.Fatalf("after Replace the cache holds %d keys, want 0", n)
	}
	if got, want := ring.SigningKey("secret-two", "20260707", "us-east-1", ServiceName), SigningKey("secret-two", "20260707", "us-east-1", ServiceName); !bytes.Equal(got, want) {
		t.Fatalf("after Replace: SigningKey = %x, want %x", got, want)
	}
	// Bounded: many regions never grow it past maxDerivedKeys.
	for i := range maxDerivedKeys + 10 {
		ring.SigningKey("secret-two", "20260707", fmt.Sprintf("r-%d", i), ServiceName)
	}
	if n := len(ring.derived.Load().keys); n > maxDerivedKeys {
		t.Fatalf("cache holds %d keys, more than %d", n, maxDerivedKeys)
	}
	// A nil keyring still derives.
	var none *Keyring
	if got := none.SigningKey("secret-one", "20260707", "us-east-1", ServiceName); !bytes.Equal(got, want) {
		t.Fatal("nil keyring derived a different key")
	}
}
