package sigv4

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
)

// Key is one access key of the credentials file: who signs (AccessKeyID, SecretAccessKey) and
// which AWS account the requests act in.
type Key struct {
	Profile         string
	AccessKeyID     string
	SecretAccessKey string
	AccountID       string
}

// String describes the key without its secret, so that printing a Key never leaks it.
func (k Key) String() string {
	return fmt.Sprintf("{Profile:%s AccessKeyID:%s AccountID:%s SecretAccessKey:REDACTED}", k.Profile, k.AccessKeyID, k.AccountID)
}

// GoString is String, for %#v.
func (k Key) GoString() string { return "sigv4.Key" + k.String() }

// LogValue logs the key without its secret.
func (k Key) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("profile", k.Profile),
		slog.String("accessKeyId", k.AccessKeyID),
		slog.String("accountId", k.AccountID),
	)
}

// maxCredentialsFile bounds the credentials file; real ones are a few hundred bytes.
const maxCredentialsFile = 4 << 20

// Credentials file settings.
const (
	settingAccessKeyID = "aws_access_key_id"
	settingSecret      = "aws_secret_access_key"
	settingAccountID   = "aws_account_id"
)

// LoadCredentials reads a credentials file in the AWS shared credentials format:
//
//	# comment
//	[profile-name]
//	aws_access_key_id = AKIAEXAMPLE
//	aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
//	aws_account_id = 123456789012
//
// Every profile needs all three settings; other settings (region, aws_session_token, ...)
// are ignored. Errors name the file, the line and the problem, never a secret.
func LoadCredentials(path string) ([]Key, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read credentials: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxCredentialsFile+1))
	if err != nil {
		return nil, fmt.Errorf("read credentials %s: %w", path, err)
	}
	if len(data) > maxCredentialsFile {
		return nil, fmt.Errorf("%s: the credentials file is larger than %d bytes", path, maxCredentialsFile)
	}
	return ParseCredentials(path, data)
}

// ParseCredentials parses the contents of a credentials file (see LoadCredentials); name is
// the file name errors are reported under.
func ParseCredentials(name string, data []byte) ([]Key, error) {
	type section struct {
		name  string
		line  int
		vals  map[string]string
		lines map[string]int
	}
	fail := func(line int, format string, args ...any) error {
		return fmt.Errorf("%s:%d: %s", name, line, fmt.Sprintf(format, args...))
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var sections []*section
	byName := map[string]*section{}
	var cur *section
	for i, raw := range strings.Split(string(data), "\n") {
		n := i + 1
		line := strings.TrimSpace(raw)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' {
			if line[len(line)-1] != ']' {
				return nil, fail(n, "a profile header must end with ']'")
			}
			pname := strings.TrimSpace(line[1 : len(line)-1])
			if rest, ok := strings.CutPrefix(pname, "profile "); ok {
				pname = strings.TrimSpace(rest) // the config file's spelling
			}
			if pname == "" {
				return nil, fail(n, "empty profile name")
			}
			if prev := byName[pname]; prev != nil {
				return nil, fail(n, "profile %q is defined twice (first on line %d)", pname, prev.line)
			}
			cur = &section{name: pname, line: n, vals: map[string]string{}, lines: map[string]int{}}
			sections = append(sections, cur)
			byName[pname] = cur
			continue
		}
		if cur == nil {
			return nil, fail(n, "a setting before the first [profile] header")
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fail(n, "expected 'name = value' in profile %q", cur.name)
		}
		key = strings.ToLower(strings.TrimSpace(key))
		if key == "" {
			return nil, fail(n, "a setting without a name in profile %q", cur.name)
		}
		if prev, dup := cur.lines[key]; dup {
			return nil, fail(n, "%s is set twice in profile %q (first on line %d)", key, cur.name, prev)
		}
		cur.vals[key] = strings.TrimSpace(value)
		cur.lines[key] = n
	}
	if len(sections) == 0 {
		return nil, fmt.Errorf("%s: no profiles: a credentials file needs at least one [profile] with %s, %s and %s", name, settingAccessKeyID, settingSecret, settingAccountID)
	}
	keys := make([]Key, 0, len(sections))
	seen := map[string]*section{}
	for _, s := range sections {
		for _, setting := range []string{settingAccessKeyID, settingSecret, settingAccountID} {
			if _, ok := s.vals[setting]; !ok {
				return nil, fail(s.line, "profile %q has no %s", s.name, setting)
			}
		}
		k := Key{Profile: s.name, AccessKeyID: s.vals[settingAccessKeyID], SecretAccessKey: s.vals[settingSecret], AccountID: s.vals[settingAccountID]}
		if setting, problem := k.check(); problem != "" {
			return nil, fail(s.lines[setting], "%s in profile %q: %s", setting, s.name, problem)
		}
		if prev := seen[k.AccessKeyID]; prev != nil {
			return nil, fail(s.lines[settingAccessKeyID], "access key id %s of profile %q is also the one of profile %q (line %d)", k.AccessKeyID, s.name, prev.name, prev.lines[settingAccessKeyID])
		}
		seen[k.AccessKeyID] = s
		keys = append(keys, k)
	}
	return keys, nil
}

// check returns the setting of k that is invalid and what is wrong with it, or "" "".
func (k Key) check() (setting, problem string) {
	if p := checkAccessKeyID(k.AccessKeyID); p != "" {
		return settingAccessKeyID, p
	}
	if k.SecretAccessKey == "" || len(k.SecretAccessKey) > 256 {
		return settingSecret, "it must be 1 to 256 characters"
	}
	for i := 0; i < len(k.SecretAccessKey); i++ {
		if c := k.SecretAccessKey[i]; c <= ' ' || c >= 0x7f {
			return settingSecret, "it must be printable ASCII without spaces"
		}
	}
	if len(k.AccountID) != 12 || strings.Trim(k.AccountID, "0123456789") != "" {
		return settingAccountID, fmt.Sprintf("it must be 12 digits, not %q", k.AccountID)
	}
	return "", ""
}

// Keyring holds the access keys the server accepts. It is safe for concurrent use; Reload and
// Replace swap the whole set at once, so a request sees either the old keys or the new ones,
// never a mix, and a failed reload leaves the old keys in force.
type Keyring struct {
	path    string
	keys    atomic.Pointer[map[string]Key]
	derived atomic.Pointer[keyCache] // signing keys of the keys in force; new with each set
}

// NewKeyring returns a keyring holding keys, which must be valid and have distinct access key
// ids.
func NewKeyring(keys []Key) (*Keyring, error) {
	k := &Keyring{}
	if err := k.Replace(keys); err != nil {
		return nil, err
	}
	return k, nil
}

// OpenKeyring returns a keyring loaded from a credentials file (see LoadCredentials), which
// Reload reads again.
func OpenKeyring(path string) (*Keyring, error) {
	k := &Keyring{path: path}
	if err := k.Reload(); err != nil {
		return nil, err
	}
	return k, nil
}

// Path returns the credentials file of the keyring, or "" if it has none.
func (k *Keyring) Path() string { return k.path }

// Reload reads the credentials file again and replaces every key at once (on SIGHUP, say).
// On error the keys in force stay as they were.
func (k *Keyring) Reload() error {
	if k.path == "" {
		return fmt.Errorf("reload keyring: it was not loaded from a file")
	}
	keys, err := LoadCredentials(k.path)
	if err != nil {
		return err
	}
	return k.Replace(keys)
}

// Replace replaces every key at once. On error the keys in force stay as they were.
func (k *Keyring) Replace(keys []Key) error {
	m := make(map[string]Key, len(keys))
	for _, key := range keys {
		if setting, problem := key.check(); problem != "" {
			return fmt.Errorf("key %s: %s: %s", key.AccessKeyID, setting, problem)
		}
		if _, dup := m[key.AccessKeyID]; dup {
			return fmt.Errorf("access key id %s is listed twice", key.AccessKeyID)
		}
		m[key.AccessKeyID] = key
	}
	k.derived.Store(&keyCache{keys: make(map[scopedSecret][]byte)})
	k.keys.Store(&m)
	return nil
}

// SigningKey returns SigningKey(secret, date, region, service), derived once per day, region
// and service of each secret and then remembered until the next Replace or Reload (a
// signature check otherwise spends four of its five HMACs deriving the same key again).
// The cache is bounded: past maxDerivedKeys entries it starts again empty.
func (k *Keyring) SigningKey(secret, date, region, service string) []byte {
	var c *keyCache
	if k != nil {
		c = k.derived.Load()
	}
	if c == nil {
		return SigningKey(secret, date, region, service)
	}
	id := scopedSecret{secret, date, region, service}
	c.mu.RLock()
	key, ok := c.keys[id]
	c.mu.RUnlock()
	if ok {
		return key
	}
	key = SigningKey(secret, date, region, service)
	c.mu.Lock()
	if len(c.keys) >= maxDerivedKeys {
		clear(c.keys)
	}
	c.keys[id] = key
	c.mu.Unlock()
	return key
}

// maxDerivedKeys bounds the signing-key cache: keys times regions times days in use at once.
const maxDerivedKeys = 4096

type scopedSecret struct{ secret, date, region, service string }

type keyCache struct {
	mu   sync.RWMutex
	keys map[scopedSecret][]byte
}

// Lookup returns the key with the given access key id.
func (k *Keyring) Lookup(accessKeyID string) (Key, bool) {
	if k == nil {
		return Key{}, false
	}
	m := k.keys.Load()
	if m == nil {
		return Key{}, false
	}
	key, ok := (*m)[accessKeyID]
	return key, ok
}

// Len returns the number of keys.
func (k *Keyring) Len() int {
	if k == nil {
		return 0
	}
	if m := k.keys.Load(); m != nil {
		return len(*m)
	}
	return 0
}
