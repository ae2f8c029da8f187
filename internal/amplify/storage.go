package amplify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// MaxBucketsPage is the page size of ListS3Buckets.
const MaxBucketsPage = 100

// storagePayload is the payload of the storage jobs: the resource, the bucket (Create, Import)
// and the configuration (Create: the whole, Update: the members to merge).
type storagePayload struct {
	Name   string          `json:"name"`
	Bucket string          `json:"bucket,omitempty"`
	Config json.RawMessage `json:"config,omitempty"`
}

// CreateBackendStorage submits a job that creates the environment's S3 storage resource name
// with config (the wire JSON of a CreateBackendStorageResourceConfig) and its bucket: the one
// config names, or a generated one. NotFound if the app or environment does not exist;
// BadRequest if the environment has storage or no auth resource, or the bucket name breaks the
// S3 naming rules or is taken (in any account).
func (s *Service) CreateBackendStorage(ctx context.Context, key EnvKey, name string, config json.RawMessage) (*Job, error) {
	if err := checkNames("appId", key.AppID, "backendEnvironmentName", key.Env, "resourceName", name); err != nil {
		return nil, err
	}
	c, err := s.configs().Storage(config)
	if err != nil {
		return nil, Errorf(BadRequest, "The resourceConfig is not a valid storage configuration: %v", err)
	}
	if c.BucketName != "" {
		if err := CheckBucketName("resourceConfig.bucketName", c.BucketName); err != nil {
			return nil, err
		}
	}
	return s.submit(ctx, jobSpec{
		key:     key,
		action:  OpCreateBackendStorage,
		payload: storagePayload{Name: name, Bucket: c.BucketName, Config: config},
		check: func(tx Tx, _ time.Time) error {
			return storageCreatable(tx, key, c.BucketName)
		},
	})
}

func storageCreatable(tx Tx, key EnvKey, bucket string) error {
	if err := envPresent(tx, key); err != nil {
		return err
	}
	if err := resourceAbsent(tx, key, KindStorage); err != nil {
		return err
	}
	if err := storageAuthPresent(tx, key, OpCreateBackendStorage); err != nil {
		return err
	}
	if bucket == "" {
		return nil
	}
	_, err := tx.Bucket(bucket)
	switch ErrorCode(err) {
	case NotFound:
		return nil
	case "":
		return bucketTaken(bucket)
	default:
		return err
	}
}

// storageAuthPresent returns BadRequest if the environment has no auth resource: the Amplify
// CLI adds storage only to a project with auth (`amplify add storage` asks for it first), since
// the bucket's access policies are attached to the Cognito identity pool's roles. A
// CreateBackendAuth or ImportBackendAuth whose job has not run does not count: its resource
// does not exist yet.
func storageAuthPresent(tx Tx, key EnvKey, op string) error {
	_, err := tx.Resource(key, KindAuth)
	if ErrorCode(err) == NotFound {
		return Invalid("%s needs an auth resource, but backend environment %s of appId: %s has none: add auth first (CreateBackendAuth or ImportBackendAuth, and wait for its job to complete), then add storage.",
			op, key.Env, key.AppID)
	}
	return err
}

func (s *Service) createStorageEffect(tx Tx, job *Job, now time.Time) error {
	var p storagePayload
	if err := json.Unmarshal(job.Payload, &p); err != nil {
		return err
	}
	key := EnvKey{AppKey: job.AppKey, Env: job.Env}
	if err := storageCreatable(tx, key, p.Bucket); err != nil {
		return err
	}
	bucket, err := s.createBucket(tx, key, p.Bucket, now)
	if err != nil {
		return err
	}
	r := &Resource{
		Kind: KindStorage, Name: p.Name, Config: p.Config, Revision: 1, UpdatedAt: now,
		Deployed: map[string]string{"BucketName": bucket},
	}
	if err := s.deploy(key, r); err != nil {
		return err
	}
	return tx.PutResource(key, r)
}

// ImportBackendStorage submits a job that makes an existing bucket of the caller's account and
// region the environment's storage resource, marked imported; its resource name is the
// bucket name without its dots and hyphens. NotFound if the app, environment or bucket does
// not exist; BadRequest if the environment has storage or no auth resource, or a storage
// resource of Amplify created the bucket (and deletes it with itself). Buckets given at start-up or imported
// elsewhere may be imported by any number of environments, as in AWS.
func (s *Service) ImportBackendStorage(ctx context.Context, key EnvKey, bucket string) (*Job, error) {
	if err := checkNames("appId", key.AppID, "backendEnvironmentName", key.Env); err != nil {
		return nil, err
	}
	if bucket == "" {
		return nil, Errorf(BadRequest, "1 validation error detected: Value null at 'bucketName' failed to satisfy constraint: Member must not be null (ImportBackendStorage imports an existing bucket)")
	}
	if err := CheckBucketName("bucketName", bucket); err != nil {
		return nil, err
	}
	return s.submit(ctx, jobSpec{
		key:     key,
		action:  OpImportBackendStorage,
		payload: storagePayload{Name: importedStorageName(bucket), Bucket: bucket},
		check: func(tx Tx, _ time.Time) error {
			return storageImportable(tx, key, bucket)
		},
	})
}

// importedStorageName is the resource name of an imported bucket: its letters and digits.
func importedStorageName(bucket string) string {
	return strings.Map(func(r rune) rune {
		if r == '.' || r == '-' {
			return -1
		}
		return r
	}, bucket)
}

func storageImportable(tx Tx, key EnvKey, bucket string) error {
	if err := envPresent(tx, key); err != nil {
		return err
	}
	if err := resourceAbsent(tx, key, KindStorage); err != nil {
		return err
	}
	if err := storageAuthPresent(tx, key, OpImportBackendStorage); err != nil {
		return err
	}
	b, err := tx.Bucket(bucket)
	if err != nil && ErrorCode(err) != NotFound {
		return err
	}
	if err != nil || b.Scope != key.Scope {
		// Another account's bucket is as invisible as a missing one.
		return Missing(ResourceBucket, "No S3 bucket named %s found in account %s, region %s: ImportBackendStorage imports a bucket that ListS3Buckets lists.",
			bucket, key.Account, key.Region)
	}
	if b.Owner != "" {
		return Invalid("The bucket %s belongs to the storage resource of %s, which deletes it when it is deleted: import a bucket that no Amplify storage resource created.",
			bucket, describeOwner(b.Owner))
	}
	return nil
}

// describeOwner words a bucket owner (see bucketOwner) for a message.
func describeOwner(owner string) string {
	parts := strings.Split(owner, "/")
	if len(parts) != 5 {
		return owner
	}
	return fmt.Sprintf("appId: %s and backendEnvironmentName: %s", parts[2], parts[3])
}

func (s *Service) importStorageEffect(tx Tx, job *Job, now time.Time) error {
	var p storagePayload
	if err := json.Unmarshal(job.Payload, &p); err != nil {
		return err
	}
	key := EnvKey{AppKey: job.AppKey, Env: job.Env}
	if err := storageImportable(tx, key, p.Bucket); err != nil {
		return err
	}
	config, err := s.configs().EncodeStorage(StorageConfig{BucketName: p.Bucket, ServiceName: "S3"})
	if err != nil {
		return err
	}
	r := &Resource{
		Kind: KindStorage, Name: p.Name, Config: config, Imported: true, Revision: 1, UpdatedAt: now,
		Deployed: map[string]string{"BucketName": p.Bucket},
	}
	return tx.PutResource(key, r)
}

// UpdateBackendStorage submits a job that merges patch (the wire JSON of an
// UpdateBackendStorageResourceConfig: permissions, serviceName) into the storage resource's
// configuration; given permission lists replace the old ones, others stay. The bucket stays.
// NotFound if the app, environment or storage resource (by name) does not exist.
func (s *Service) UpdateBackendStorage(ctx context.Context, key EnvKey, name string, patch json.RawMessage) (*Job, error) {
	if err := checkNames("appId", key.AppID, "backendEnvironmentName", key.Env, "resourceName", name); err != nil {
		return nil, err
	}
	if _, err := s.configs().Storage(patch); err != nil {
		return nil, Errorf(BadRequest, "The resourceConfig is not a valid storage configuration: %v", err)
	}
	return s.submit(ctx, jobSpec{
		key:     key,
		action:  OpUpdateBackendStorage,
		payload: storagePayload{Name: name, Config: patch},
		check: func(tx Tx, _ time.Time) error {
			_, err := resourceNamed(tx, key, KindStorage, name)
			return err
		},
	})
}

func (s *Service) updateStorageEffect(tx Tx, job *Job, now time.Time) error {
	var p storagePayload
	if err := json.Unmarshal(job.Payload, &p); err != nil {
		return err
	}
	key := EnvKey{AppKey: job.AppKey, Env: job.Env}
	r, err := resourceNamed(tx, key, KindStorage, p.Name)
	if err != nil {
		return err
	}
	merged, err := MergeJSON(r.Config, p.Config)
	if err != nil {
		return fmt.Errorf("merge storage config: %w", err)
	}
	r.Config, r.UpdatedAt = merged, now
	r.Revision++
	return tx.PutResource(key, r)
}

// DeleteBackendStorage submits a job that removes the environment's storage resource and, if
// the resource created its bucket, the bucket; an imported bucket stays. NotFound if the app,
// environment or storage resource (by name) does not exist.
func (s *Service) DeleteBackendStorage(ctx context.Context, key EnvKey, name string) (*Job, error) {
	if err := checkNames("appId", key.AppID, "backendEnvironmentName", key.Env, "resourceName", name); err != nil {
		return nil, err
	}
	return s.submit(ctx, jobSpec{
		key:     key,
		action:  OpDeleteBackendStorage,
		payload: storagePayload{Name: name},
		check: func(tx Tx, _ time.Time) error {
			_, err := resourceNamed(tx, key, KindStorage, name)
			return err
		},
	})
}

func (s *Service) deleteStorageEffect(tx Tx, job *Job, _ time.Time) error {
	var p storagePayload
	if err := json.Unmarshal(job.Payload, &p); err != nil {
		return err
	}
	key := EnvKey{AppKey: job.AppKey, Env: job.Env}
	r, err := resourceNamed(tx, key, KindStorage, p.Name)
	if err != nil {
		return err
	}
	if err := s.releaseResource(tx, key, r); err != nil {
		return err
	}
	return tx.DeleteResource(key, KindStorage)
}

// GetBackendStorage returns the environment's storage resource: its configuration as last
// written, its bucket (Deployed["BucketName"]) and whether it was imported. NotFound if the
// app, environment or storage resource (by name) does not exist.
func (s *Service) GetBackendStorage(ctx context.Context, key EnvKey, name string) (*Resource, error) {
	if err := checkNames("appId", key.AppID, "backendEnvironmentName", key.Env, "resourceName", name); err != nil {
		return nil, err
	}
	var r *Resource
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		r, err = resourceNamed(tx, key, KindStorage, name)
		return err
	})
	return r, err
}

// addStorageEffects registers the job effects of the S3 storage resource.
func (s *Service) addStorageEffects(m map[string]effect) {
	m[OpCreateBackendStorage] = plain(s.createStorageEffect)
	m[OpImportBackendStorage] = plain(s.importStorageEffect)
	m[OpUpdateBackendStorage] = plain(s.updateStorageEffect)
	m[OpDeleteBackendStorage] = plain(s.deleteStorageEffect)
}

// BucketPage is one page of ListS3Buckets.
type BucketPage struct {
	Buckets   []Bucket
	NextToken string
}

// ListS3Buckets lists the buckets of the caller's account and region by name, in pages of
// MaxBucketsPage. nextToken continues a listing; it is opaque, valid only for the scope it
// came from, and stable under concurrent changes (the next page starts after the last name).
func (s *Service) ListS3Buckets(ctx context.Context, scope Scope, nextToken string) (*BucketPage, error) {
	after := ""
	if nextToken != "" {
		payload, err := s.openToken(ctx, "buckets", []string{scope.Account, scope.Region}, nextToken)
		if err != nil {
			return nil, err
		}
		after = string(payload)
	}
	var buckets []Bucket
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		buckets, err = tx.Buckets(scope, after, MaxBucketsPage+1)
		return err
	})
	if err != nil {
		return nil, err
	}
	page := &BucketPage{Buckets: buckets}
	if len(buckets) > MaxBucketsPage {
		page.Buckets = buckets[:MaxBucketsPage]
		last := page.Buckets[MaxBucketsPage-1].Name
		page.NextToken, err = s.sealToken(ctx, "buckets", []string{scope.Account, scope.Region}, []byte(last))
		if err != nil {
			return nil, err
		}
	}
	return page, nil
}

// SeedBuckets records buckets that exist before any storage resource (--s3-buckets), with
// no owner, so that no resource deletes them. It is idempotent: a bucket already recorded in
// the same account and region without an owner is left alone. A name taken in another
// account or region, or by a storage resource, is an error; so is a name that breaks the S3
// naming rules. Replicas that start together seed the same names at once: the one whose
// insert loses the race tries again in a new transaction, which sees the winner's rows and
// accepts them as its own.
func (s *Service) SeedBuckets(ctx context.Context, buckets []Bucket) error {
	for _, b := range buckets {
		if err := ValidBucketName(b.Name); err != nil {
			return fmt.Errorf("bucket %q: %w", b.Name, err)
		}
	}
	var err error
	for range 3 {
		err = s.seedBuckets(ctx, buckets)
		if !errors.Is(err, ErrBucketExists) {
			break
		}
	}
	return err
}

func (s *Service) seedBuckets(ctx context.Context, buckets []Bucket) error {
	return s.Store.Update(ctx, func(tx Tx) error {
		now := s.now()
		for _, b := range buckets {
			old, err := tx.Bucket(b.Name)
			switch ErrorCode(err) {
			case "":
				if old.Scope != b.Scope || old.Owner != "" {
					holder := "account " + old.Account + ", region " + old.Region
					if old.Owner != "" {
						holder = "the storage resource of " + describeOwner(old.Owner) + " (" + holder + ")"
					}
					return fmt.Errorf("bucket %q (account %s, region %s) is already taken by %s", b.Name, b.Account, b.Region, holder)
				}
				continue
			case NotFound:
			default:
				return err
			}
			nb := Bucket{Scope: b.Scope, Name: b.Name, CreatedAt: b.CreatedAt}
			if nb.CreatedAt.IsZero() {
				nb.CreatedAt = now
			}
			if err := tx.InsertBucket(&nb); err != nil {
				return fmt.Errorf("bucket %q: %w", b.Name, err)
			}
		}
		return nil
	})
}

// CheckBucketName returns a BadRequest naming member and the rule if name breaks the S3
// bucket naming rules.
func CheckBucketName(member, name string) error {
	err := ValidBucketName(name)
	if err == nil {
		return nil
	}
	shown := name
	if len(shown) > 64 {
		shown = shown[:64] + "..."
	}
	return Errorf(BadRequest, "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %v",
		sanitize(shown), member, err)
}

// ValidBucketName checks a bucket name against the S3 naming rules for general purpose
// buckets; the error states the rule broken.
func ValidBucketName(name string) error {
	if len(name) < 3 || len(name) > 63 {
		return errors.New("Bucket names must be between 3 and 63 characters long")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return errors.New("Bucket names can consist only of lowercase letters, numbers, dots (.), and hyphens (-)")
		}
	}
	alnum := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
	if !alnum(name[0]) || !alnum(name[len(name)-1]) {
		return errors.New("Bucket names must begin and end with a letter or number")
	}
	if strings.Contains(name, "..") {
		return errors.New("Bucket names must not contain two adjacent periods")
	}
	if addr, err := netip.ParseAddr(name); err == nil && addr.Is4() {
		return errors.New("Bucket names must not be formatted as an IP address (for example, 192.168.5.4)")
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return fmt.Errorf("Bucket names must not start with the prefix %s", p)
		}
	}
	for _, suffix := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, suffix) {
			return fmt.Errorf("Bucket names must not end with the suffix %s", suffix)
		}
	}
	return nil
}
