package amplify

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestValidBucketName(t *testing.T) {
	tests := []struct {
		name string
		// rule is a fragment of the broken rule's wording; "" for a valid name.
		rule string
	}{
		{"my-bucket", ""},
		{"abc", ""},
		{"a.b-c.1", ""},
		{"amplifyd1abcstorage0123abcd-dev", ""},
		{"123", ""},
		{strings.Repeat("a", 63), ""},
		{"ab", "between 3 and 63 characters"},
		{strings.Repeat("a", 64), "between 3 and 63 characters"},
		{"", "between 3 and 63 characters"},
		{"My-Bucket", "only of lowercase letters, numbers, dots (.), and hyphens (-)"},
		{"my_bucket", "only of lowercase letters, numbers, dots (.), and hyphens (-)"},
		{"my bucket", "only of lowercase letters, numbers, dots (.), and hyphens (-)"},
		{"bücket", "only of lowercase letters, numbers, dots (.), and hyphens (-)"},
		{"-bucket", "begin and end with a letter or number"},
		{"bucket-", "begin and end with a letter or number"},
		{".bucket", "begin and end with a letter or number"},
		{"bucket.", "begin and end with a letter or number"},
		{"my..bucket", "two adjacent periods"},
		{"192.168.5.4", "IP address"},
		{"10.0.0.1", "IP address"},
		{"192.168.5.4.5", ""},
		{"xn--bucket", "prefix xn--"},
		{"sthree-bucket", "prefix sthree-"},
		{"amzn-s3-demo-bucket", "prefix amzn-s3-demo-"},
		{"bucket-s3alias", "suffix -s3alias"},
		{"bucket--ol-s3", "suffix --ol-s3"},
		{"bucket.mrap", "suffix .mrap"},
		{"bucket--x-s3", "suffix --x-s3"},
		{"bucket--table-s3", "suffix --table-s3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidBucketName(tt.name)
			if tt.rule == "" {
				if err != nil {
					t.Fatalf("ValidBucketName(%q) = %v; want nil", tt.name, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.rule) {
				t.Fatalf("ValidBucketName(%q) = %v; want the rule %q", tt.name, err, tt.rule)
			}
		})
	}
}

func TestCheckBucketName(t *testing.T) {
	err := CheckBucketName("resourceConfig.bucketName", "My_Bucket")
	want := "1 validation error detected: Value 'My_Bucket' at 'resourceConfig.bucketName' failed to satisfy constraint: Bucket names can consist only of lowercase letters, numbers, dots (.), and hyphens (-)"
	if ErrorCode(err) != BadRequest || err.(*Error).Message != want {
		t.Fatalf("CheckBucketName = %v;\nwant BadRequest %q", err, want)
	}
	if err := CheckBucketName("bucketName", "fine-bucket"); err != nil {
		t.Fatalf("CheckBucketName(fine-bucket) = %v", err)
	}
}

func TestGeneratedBucketNamesAreValid(t *testing.T) {
	s := &Service{Configs: wireConfigs}
	for _, key := range []EnvKey{
		{AppKey: AppKey{AppID: "d1abc"}, Env: "dev"},
		{AppKey: AppKey{AppID: strings.Repeat("X", 200)}, Env: strings.Repeat("Prod-", 40)},
		{AppKey: AppKey{AppID: "___"}, Env: "..."},
	} {
		ft := &fakeBucketTx{}
		name, err := s.createBucket(ft, key, "", time.Date(2026, 7, 7, 15, 4, 5, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		if err := ValidBucketName(name); err != nil {
			t.Errorf("generated bucket name %q for %s/%s: %v", name, key.AppID, key.Env, err)
		}
		if len(ft.inserted) != 1 || ft.inserted[0].Owner != bucketOwner(key) {
			t.Errorf("createBucket recorded %+v; want one bucket owned by %s", ft.inserted, bucketOwner(key))
		}
	}
}

func TestImportedStorageName(t *testing.T) {
	if got := importedStorageName("my.photo-bucket1"); got != "myphotobucket1" {
		t.Fatalf("importedStorageName = %q", got)
	}
}

func TestTokens(t *testing.T) {
	ctx := context.Background()
	s := &Service{Configs: wireConfigs, Store: secretStore{secret: []byte("0123456789abcdef0123456789abcdef")}}
	scope := []string{"000000000000", "us-east-1"}
	tok, err := s.sealToken(ctx, "buckets", scope, []byte("my-bucket"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.openToken(ctx, "buckets", scope, tok)
	if err != nil || string(got) != "my-bucket" {
		t.Fatalf("openToken = %q, %v; want my-bucket", got, err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(tok)
	tampered := append([]byte{}, raw...)
	tampered[0] ^= 1
	for name, bad := range map[string]struct {
		token   string
		purpose string
		binding []string
	}{
		"other scope":   {tok, "buckets", []string{"111111111111", "us-east-1"}},
		"other region":  {tok, "buckets", []string{"000000000000", "eu-west-1"}},
		"other purpose": {tok, "jobs", scope},
		"tampered":      {base64.RawURLEncoding.EncodeToString(tampered), "buckets", scope},
		"truncated":     {tok[:len(tok)-2], "buckets", scope},
		"not base64":    {"!!!", "buckets", scope},
		"empty payload": {base64.RawURLEncoding.EncodeToString(raw[len(raw)-tokenMACLen:]), "buckets", scope},
		"too long":      {strings.Repeat("A", 400), "buckets", scope},
	} {
		if _, err := s.openToken(ctx, bad.purpose, bad.binding, bad.token); ErrorCode(err) != BadRequest {
			t.Errorf("%s: openToken error = %v; want BadRequest", name, err)
		}
	}
}

// secretStore is a Store that only has a secret.
type secretStore struct {
	Store
	secret []byte
}

func (s secretStore) Secret(context.Context, string) ([]byte, error) { return s.secret, nil }

// fakeBucketTx is a Tx that records inserted buckets.
type fakeBucketTx struct {
	Tx
	inserted []Bucket
}

func (f *fakeBucketTx) InsertBucket(b *Bucket) error {
	f.inserted = append(f.inserted, *b)
	return nil
}

// storageTestTx is apiTestTx with buckets and resource deletion: enough for the storage and
// auth effects that re-check the storage -> auth dependency.
type storageTestTx struct {
	*apiTestTx
	buckets map[string]Bucket
	deletes int
}

func newStorageTestTx() *storageTestTx {
	return &storageTestTx{apiTestTx: &apiTestTx{resources: map[ResourceKind]*Resource{}}, buckets: map[string]Bucket{}}
}

func (t *storageTestTx) Bucket(name string) (*Bucket, error) {
	b, ok := t.buckets[name]
	if !ok {
		return nil, NoBucket(name)
	}
	return &b, nil
}

func (t *storageTestTx) InsertBucket(b *Bucket) error {
	if _, ok := t.buckets[b.Name]; ok {
		return ErrBucketExists
	}
	t.buckets[b.Name] = *b
	return nil
}

func (t *storageTestTx) DeleteResource(_ EnvKey, kind ResourceKind) error {
	delete(t.resources, kind)
	t.deletes++
	return nil
}

// The storage jobs re-check that the environment has auth when they run. No request can remove
// auth while a storage job is pending (the pending-job rule), so only this test reaches the
// re-check: the job fails with the refusal and writes nothing.
func TestStorageEffectsRecheckAuth(t *testing.T) {
	now := time.Date(2026, 7, 7, 15, 4, 5, 0, time.UTC)
	s := &Service{Configs: wireConfigs}
	want := "add auth first (CreateBackendAuth or ImportBackendAuth"

	tx := newStorageTestTx()
	err := s.createStorageEffect(tx, apiTestJob(t, OpCreateBackendStorage, storagePayload{Name: "files", Config: json.RawMessage(`{"serviceName":"S3"}`)}), now)
	if ErrorCode(err) != BadRequest || !strings.Contains(err.Error(), "CreateBackendStorage needs an auth resource") || !strings.Contains(err.Error(), want) {
		t.Fatalf("create without auth: %v", err)
	}
	if tx.puts != 0 || len(tx.buckets) != 0 {
		t.Fatalf("create without auth wrote %d resources and %d buckets", tx.puts, len(tx.buckets))
	}

	tx.buckets["seeded-bucket"] = Bucket{Scope: apiTestKey.Scope, Name: "seeded-bucket"}
	err = s.importStorageEffect(tx, apiTestJob(t, OpImportBackendStorage, storagePayload{Name: "seededbucket", Bucket: "seeded-bucket"}), now)
	if ErrorCode(err) != BadRequest || !strings.Contains(err.Error(), "ImportBackendStorage needs an auth resource") || !strings.Contains(err.Error(), want) || tx.puts != 0 {
		t.Fatalf("import without auth: %v (%d writes)", err, tx.puts)
	}

	// With auth, both apply.
	tx.resources[KindAuth] = &Resource{Kind: KindAuth, Name: "myauth"}
	if err := s.importStorageEffect(tx, apiTestJob(t, OpImportBackendStorage, storagePayload{Name: "seededbucket", Bucket: "seeded-bucket"}), now); err != nil {
		t.Fatal(err)
	}
	if r := tx.resources[KindStorage]; r == nil || r.Name != "seededbucket" || !r.Imported {
		t.Fatalf("imported %+v", r)
	}
	delete(tx.resources, KindStorage)
	if err := s.createStorageEffect(tx, apiTestJob(t, OpCreateBackendStorage, storagePayload{Name: "files", Bucket: "my-files", Config: json.RawMessage(`{"bucketName":"my-files","serviceName":"S3"}`)}), now); err != nil {
		t.Fatal(err)
	}
	if r := tx.resources[KindStorage]; r == nil || r.Name != "files" || r.Deployed["BucketName"] != "my-files" {
		t.Fatalf("created %+v", r)
	}
	if b, ok := tx.buckets["my-files"]; !ok || b.Owner != bucketOwner(apiTestKey) {
		t.Fatalf("bucket %+v, %v", b, ok)
	}
}

// DeleteBackendAuth's job re-checks that no storage depends on the auth resource.
func TestDeleteAuthEffectRechecksStorage(t *testing.T) {
	now := time.Date(2026, 7, 7, 15, 4, 5, 0, time.UTC)
	s := &Service{Configs: wireConfigs}
	tx := newStorageTestTx()
	tx.resources[KindAuth] = &Resource{Kind: KindAuth, Name: "myauth"}
	tx.resources[KindStorage] = &Resource{Kind: KindStorage, Name: "files"}
	job := apiTestJob(t, OpDeleteBackendAuth, authPayload{Name: "myauth"})
	err := s.deleteBackendAuthEffect(tx, job, now)
	if ErrorCode(err) != BadRequest || !strings.Contains(err.Error(), "the storage resource files of appId: d1abc and backendEnvironmentName: dev depends on it") || tx.deletes != 0 {
		t.Fatalf("delete with storage: %v (%d deletes)", err, tx.deletes)
	}
	// The API's user pool dependency is named first.
	tx.resources[KindAPI] = &Resource{Kind: KindAPI, Name: "todo", Config: json.RawMessage(`{"defaultAuthType":{"mode":"AMAZON_COGNITO_USER_POOLS"}}`)}
	if err := s.deleteBackendAuthEffect(tx, job, now); ErrorCode(err) != BadRequest || !strings.Contains(err.Error(), "the API resource todo") || tx.deletes != 0 {
		t.Fatalf("delete with API and storage: %v", err)
	}
	// An API without user pools does not hold the auth resource; storage still does.
	tx.resources[KindAPI].Config = json.RawMessage(`{"defaultAuthType":{"mode":"API_KEY"}}`)
	if err := s.deleteBackendAuthEffect(tx, job, now); ErrorCode(err) != BadRequest || !strings.Contains(err.Error(), "the storage resource files") || tx.deletes != 0 {
		t.Fatalf("delete with an API_KEY API and storage: %v", err)
	}
	delete(tx.resources, KindStorage)
	if err := s.deleteBackendAuthEffect(tx, job, now); err != nil || tx.deletes != 1 || tx.resources[KindAuth] != nil {
		t.Fatalf("delete without storage: %v (%d deletes)", err, tx.deletes)
	}
}
