package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/amplifybackend"
)

// storageConfig returns a storage config for bucket ("" for a generated name).
func storageConfig(bucket string) *amplifybackend.CreateBackendStorageResourceConfig {
	c := &amplifybackend.CreateBackendStorageResourceConfig{
		ServiceName: aws.String("S3"),
		Permissions: &amplifybackend.BackendStoragePermissions{
			Authenticated:   aws.StringSlice([]string{"READ", "CREATE_AND_UPDATE", "DELETE"}),
			UnAuthenticated: aws.StringSlice([]string{"READ"}),
		},
	}
	if bucket != "" {
		c.BucketName = aws.String(bucket)
	}
	return c
}

// storageEnv creates an app with an environment and the auth resource storage needs (as
// `amplify add storage` needs auth first), through c, waiting for both jobs.
func (s *testServer) storageEnv(c *amplifybackend.AmplifyBackend, appID, appName, env string) {
	s.t.Helper()
	s.createBackend(c, appID, appName, env)
	s.storageAuth(c, appID, env)
}

// storageAuth adds the auth resource "storageauth" to an environment through c and waits for
// the job.
func (s *testServer) storageAuth(c *amplifybackend.AmplifyBackend, appID, env string) {
	s.t.Helper()
	out, err := c.CreateBackendAuth(&amplifybackend.CreateBackendAuthInput{
		AppId: aws.String(appID), BackendEnvironmentName: aws.String(env), ResourceName: aws.String("storageauth"), ResourceConfig: minimalAuthConfig(),
	})
	if err != nil {
		s.t.Fatalf("CreateBackendAuth: %v", err)
	}
	s.mustComplete(c, appID, env, out.JobId)
}

func (s *testServer) storageSubmit(c *amplifybackend.AmplifyBackend, appID, env, name, bucket string) (*amplifybackend.CreateBackendStorageOutput, error) {
	return c.CreateBackendStorage(&amplifybackend.CreateBackendStorageInput{
		AppId: aws.String(appID), BackendEnvironmentName: aws.String(env), ResourceName: aws.String(name), ResourceConfig: storageConfig(bucket),
	})
}

func (s *testServer) storageCreate(c *amplifybackend.AmplifyBackend, appID, env, name, bucket string) {
	s.t.Helper()
	out, err := s.storageSubmit(c, appID, env, name, bucket)
	if err != nil {
		s.t.Fatalf("CreateBackendStorage: %v", err)
	}
	s.mustComplete(c, appID, env, out.JobId)
}

func (s *testServer) storageGet(c *amplifybackend.AmplifyBackend, appID, env, name string) *amplifybackend.GetBackendStorageOutput {
	s.t.Helper()
	out, err := c.GetBackendStorage(&amplifybackend.GetBackendStorageInput{AppId: aws.String(appID), BackendEnvironmentName: aws.String(env), ResourceName: aws.String(name)})
	if err != nil {
		s.t.Fatalf("GetBackendStorage %s/%s/%s: %v", appID, env, name, err)
	}
	return out
}

func (s *testServer) storageImport(c *amplifybackend.AmplifyBackend, appID, env, bucket string) (*amplifybackend.ImportBackendStorageOutput, error) {
	return c.ImportBackendStorage(&amplifybackend.ImportBackendStorageInput{
		AppId: aws.String(appID), BackendEnvironmentName: aws.String(env), BucketName: aws.String(bucket), ServiceName: aws.String("S3"),
	})
}

func (s *testServer) storageDelete(c *amplifybackend.AmplifyBackend, appID, env, name string) {
	s.t.Helper()
	out, err := c.DeleteBackendStorage(&amplifybackend.DeleteBackendStorageInput{
		AppId: aws.String(appID), BackendEnvironmentName: aws.String(env), ResourceName: aws.String(name), ServiceName: aws.String("S3"),
	})
	if err != nil {
		s.t.Fatalf("DeleteBackendStorage: %v", err)
	}
	s.mustComplete(c, appID, env, out.JobId)
}

// storageBuckets lists every bucket c sees, walking all pages, as name -> creation date.
func (s *testServer) storageBuckets(c *amplifybackend.AmplifyBackend) map[string]string {
	s.t.Helper()
	all := map[string]string{}
	var token *string
	for {
		out, err := c.ListS3Buckets(&amplifybackend.ListS3BucketsInput{NextToken: token})
		if err != nil {
			s.t.Fatalf("ListS3Buckets: %v", err)
		}
		for _, b := range out.Buckets {
			if _, dup := all[aws.StringValue(b.Name)]; dup {
				s.t.Fatalf("ListS3Buckets lists %s twice", aws.StringValue(b.Name))
			}
			all[aws.StringValue(b.Name)] = aws.StringValue(b.CreationDate)
		}
		if out.NextToken == nil {
			return all
		}
		token = out.NextToken
	}
}

func storageBucketNames(m map[string]string) []string {
	var names []string
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func TestStorageLifecycle(t *testing.T) {
	s := startServer(t)
	c := s.client
	s.storageEnv(c, "d1abc", "myapp", "dev")

	out, err := s.storageSubmit(c, "d1abc", "dev", "photos", "my-photos.bucket")
	if err != nil {
		t.Fatal(err)
	}
	if aws.StringValue(out.Status) != "IN_PROGRESS" || aws.StringValue(out.AppId) != "d1abc" || aws.StringValue(out.BackendEnvironmentName) != "dev" || out.JobId == nil {
		t.Fatalf("CreateBackendStorage answered %v", out)
	}
	_, err = c.GetBackendStorage(&amplifybackend.GetBackendStorageInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("photos")})
	apiWantNotFound(t, err, "storage")
	if buckets := s.storageBuckets(c); len(buckets) != 0 {
		t.Fatalf("a bucket exists before the job ran: %v", buckets)
	}
	s.mustComplete(c, "d1abc", "dev", out.JobId)
	if job := s.finish(c, "d1abc", "dev", out.JobId); aws.StringValue(job.Operation) != "CreateBackendStorage" {
		t.Fatalf("job operation %q", aws.StringValue(job.Operation))
	}

	got := s.storageGet(c, "d1abc", "dev", "photos")
	rc := got.ResourceConfig
	if aws.StringValue(got.ResourceName) != "photos" || aws.StringValue(got.AppId) != "d1abc" || aws.StringValue(got.BackendEnvironmentName) != "dev" ||
		aws.StringValue(rc.BucketName) != "my-photos.bucket" || rc.Imported == nil || *rc.Imported || aws.StringValue(rc.ServiceName) != "S3" ||
		fmt.Sprint(aws.StringValueSlice(rc.Permissions.Authenticated)) != "[READ CREATE_AND_UPDATE DELETE]" ||
		fmt.Sprint(aws.StringValueSlice(rc.Permissions.UnAuthenticated)) != "[READ]" {
		t.Fatalf("GetBackendStorage = %v", got)
	}
	_, body := s.raw("POST", "/backend/d1abc/storage/dev/details", `{"resourceName":"photos"}`, nil)
	for _, want := range []string{`"resourceName":"photos"`, `"bucketName":"my-photos.bucket"`, `"imported":false`, `"serviceName":"S3"`,
		`"permissions":{"authenticated":["READ","CREATE_AND_UPDATE","DELETE"],"unAuthenticated":["READ"]}`} {
		if !strings.Contains(body, want) {
			t.Fatalf("GetBackendStorage body lacks %s:\n%s", want, body)
		}
	}

	// The bucket is listed, with the creation time in ISO 8601.
	if buckets := s.storageBuckets(c); len(buckets) != 1 || buckets["my-photos.bucket"] != "2026-07-07T15:04:05.000Z" {
		t.Fatalf("ListS3Buckets = %v", buckets)
	}
	_, body = s.raw("POST", "/s3Buckets", `{}`, nil)
	if body != `{"buckets":[{"creationDate":"2026-07-07T15:04:05.000Z","name":"my-photos.bucket"}]}` {
		t.Fatalf("ListS3Buckets body = %s", body)
	}

	storage := s.apiMetaSection(c, "d1abc", "dev", "storage")["photos"].(map[string]any)
	if storage["service"] != "S3" || storage["providerPlugin"] != "awscloudformation" || storage["serviceType"] != nil ||
		fmt.Sprint(storage["output"]) != "map[BucketName:my-photos.bucket Region:us-east-1]" {
		t.Fatalf("amplify-meta storage.photos = %v", storage)
	}

	// Update merges the permissions: a given list replaces the old one, an absent one stays,
	// an empty one clears.
	update := func(p *amplifybackend.BackendStoragePermissions) {
		t.Helper()
		out, err := c.UpdateBackendStorage(&amplifybackend.UpdateBackendStorageInput{
			AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("photos"),
			ResourceConfig: &amplifybackend.UpdateBackendStorageResourceConfig{ServiceName: aws.String("S3"), Permissions: p},
		})
		if err != nil {
			t.Fatal(err)
		}
		s.mustComplete(c, "d1abc", "dev", out.JobId)
	}
	update(&amplifybackend.BackendStoragePermissions{Authenticated: aws.StringSlice([]string{"READ"})})
	rc = s.storageGet(c, "d1abc", "dev", "photos").ResourceConfig
	if fmt.Sprint(aws.StringValueSlice(rc.Permissions.Authenticated)) != "[READ]" || fmt.Sprint(aws.StringValueSlice(rc.Permissions.UnAuthenticated)) != "[READ]" ||
		aws.StringValue(rc.BucketName) != "my-photos.bucket" {
		t.Fatalf("after update = %v", rc)
	}
	update(&amplifybackend.BackendStoragePermissions{Authenticated: aws.StringSlice([]string{"READ", "DELETE"}), UnAuthenticated: []*string{}})
	_, body = s.raw("POST", "/backend/d1abc/storage/dev/details", `{"resourceName":"photos"}`, nil)
	if !strings.Contains(body, `"permissions":{"authenticated":["READ","DELETE"],"unAuthenticated":[]}`) {
		t.Fatalf("after clearing unAuthenticated: %s", body)
	}

	s.storageDelete(c, "d1abc", "dev", "photos")
	_, err = c.GetBackendStorage(&amplifybackend.GetBackendStorageInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("photos")})
	apiWantNotFound(t, err, "storage")
	if buckets := s.storageBuckets(c); len(buckets) != 0 {
		t.Fatalf("the created bucket outlived its storage resource: %v", buckets)
	}
	if section := s.apiMetaSection(c, "d1abc", "dev", "storage"); section != nil {
		t.Fatalf("amplify-meta keeps a storage section: %v", section)
	}
	// The name is free again.
	s.storageCreate(c, "d1abc", "dev", "photos2", "my-photos.bucket")
}

func TestStorageGeneratedBucket(t *testing.T) {
	s := startServer(t)
	c := s.client
	s.storageEnv(c, "d1abc", "myapp", "dev")
	s.storageCreate(c, "d1abc", "dev", "files", "")
	name := aws.StringValue(s.storageGet(c, "d1abc", "dev", "files").ResourceConfig.BucketName)
	if !strings.HasPrefix(name, "amplifyd1abcstorage") || !strings.HasSuffix(name, "-dev") || len(name) != len("amplifyd1abcstorage")+8+len("-dev") {
		t.Fatalf("generated bucket name %q", name)
	}
	if buckets := s.storageBuckets(c); len(buckets) != 1 || buckets[name] == "" {
		t.Fatalf("ListS3Buckets = %v; want %s", buckets, name)
	}
	if out := s.apiMetaOutput(c, "d1abc", "dev", "storage", "files"); out["BucketName"] != name {
		t.Fatalf("amplify-meta storage output %v", out)
	}
}

func TestStorageBucketNameRules(t *testing.T) {
	s := startServer(t)
	c := s.client
	s.createBackend(c, "d1abc", "myapp", "dev")
	for bucket, rule := range map[string]string{
		"ab":                    "between 3 and 63 characters",
		strings.Repeat("a", 64): "between 3 and 63 characters",
		"My-Bucket":             "only of lowercase letters, numbers, dots (.), and hyphens (-)",
		"my_bucket":             "only of lowercase letters, numbers, dots (.), and hyphens (-)",
		"-bucket":               "begin and end with a letter or number",
		"my..bucket":            "two adjacent periods",
		"192.168.5.4":           "IP address",
		"xn--bucket":            "prefix xn--",
		"bucket-s3alias":        "suffix -s3alias",
	} {
		_, err := s.storageSubmit(c, "d1abc", "dev", "files", bucket)
		apiWantBadRequest(t, err, "at 'resourceConfig.bucketName' failed to satisfy constraint: "+"Bucket names")
		apiWantBadRequest(t, err, rule)
		_, err = s.storageImport(c, "d1abc", "dev", bucket)
		apiWantBadRequest(t, err, "at 'bucketName' failed to satisfy constraint")
	}
	if n := s.runJobs(); n != 0 {
		t.Fatalf("%d jobs were recorded for refused requests", n)
	}
}

func TestStorageBucketUniqueAcrossAccounts(t *testing.T) {
	s := startServer(t)
	a := s.client
	b := s.clientAs("111111111111", "us-east-1")
	eu := s.clientAs("111111111111", "eu-west-1")
	s.storageEnv(a, "d1abc", "myapp", "dev")
	s.storageEnv(b, "d1abc", "myapp", "dev")
	s.storageEnv(eu, "d1abc", "myapp", "dev")

	s.storageCreate(a, "d1abc", "dev", "files", "shared-name")
	// Taken in any account or region, at once.
	_, err := s.storageSubmit(b, "d1abc", "dev", "files", "shared-name")
	apiWantBadRequest(t, err, "The bucket name shared-name is not available")
	_, err = s.storageSubmit(eu, "d1abc", "dev", "files", "shared-name")
	apiWantBadRequest(t, err, "The bucket name shared-name is not available")

	// Two accounts ask for the same free name before either job ran: the second job fails.
	jb, err := s.storageSubmit(b, "d1abc", "dev", "files", "race-name")
	if err != nil {
		t.Fatal(err)
	}
	je, err := s.storageSubmit(eu, "d1abc", "dev", "files", "race-name")
	if err != nil {
		t.Fatal(err)
	}
	s.runJobs()
	rb := s.finish(b, "d1abc", "dev", jb.JobId)
	re := s.finish(eu, "d1abc", "dev", je.JobId)
	statuses := []string{aws.StringValue(rb.Status), aws.StringValue(re.Status)}
	sort.Strings(statuses)
	if fmt.Sprint(statuses) != "[COMPLETED FAILED]" {
		t.Fatalf("racing creates: %v / %v", rb, re)
	}
	failed := rb
	if aws.StringValue(re.Status) == "FAILED" {
		failed = re
	}
	if !strings.Contains(aws.StringValue(failed.Error), "The bucket name race-name is not available") {
		t.Fatalf("failed job error %q", aws.StringValue(failed.Error))
	}
	// Exactly one of them owns the bucket; the loser has no storage.
	owners := 0
	for _, c := range []*amplifybackend.AmplifyBackend{b, eu} {
		if _, ok := s.storageBuckets(c)["race-name"]; ok {
			owners++
		}
	}
	if owners != 1 {
		t.Fatalf("race-name is listed in %d scopes", owners)
	}
}

func TestListS3BucketsIsolationAndPaging(t *testing.T) {
	var seed []string
	for i := 0; i < 230; i++ {
		seed = append(seed, fmt.Sprintf("seed-%03d", i))
	}
	seed = append(seed, "111111111111:other-account-bucket")
	s := startServer(t, func(m *Main) { m.Config.S3Buckets = strings.Join(seed, ",") })
	a := s.client
	b := s.clientAs("111111111111", "us-east-1")
	aEU := s.clientAs("AKIDEXAMPLE", "eu-west-1")
	s.storageEnv(aEU, "d1abc", "myapp", "dev")
	s.storageCreate(aEU, "d1abc", "dev", "files", "eu-bucket")

	// Pages of 100, by name, with an opaque token.
	var pages [][]string
	var token *string
	var firstToken string
	for {
		out, err := a.ListS3Buckets(&amplifybackend.ListS3BucketsInput{NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, bk := range out.Buckets {
			names = append(names, aws.StringValue(bk.Name))
		}
		pages = append(pages, names)
		if out.NextToken == nil {
			break
		}
		if firstToken == "" {
			firstToken = *out.NextToken
			// A bucket created now before the cursor neither shows up nor shifts the pages.
			s.storageEnv(a, "d1abc", "myapp", "dev")
			s.storageCreate(a, "d1abc", "dev", "files", "aaa-late-bucket")
		}
		token = out.NextToken
	}
	if len(pages) != 3 || len(pages[0]) != 100 || len(pages[1]) != 100 || len(pages[2]) != 30 {
		t.Fatalf("page sizes: %d pages %v", len(pages), func() []int {
			var n []int
			for _, p := range pages {
				n = append(n, len(p))
			}
			return n
		}())
	}
	all := append(append(append([]string{}, pages[0]...), pages[1]...), pages[2]...)
	if !sort.StringsAreSorted(all) || all[0] != "seed-000" || all[229] != "seed-229" {
		t.Fatalf("listing is not the 230 seeded buckets by name: %v ... %v", all[:3], all[len(all)-3:])
	}
	if got := storageBucketNames(s.storageBuckets(a)); len(got) != 231 || got[0] != "aaa-late-bucket" {
		t.Fatalf("a new listing: %d buckets, first %v", len(got), got[:1])
	}

	// Isolation: another account, another region.
	if got := storageBucketNames(s.storageBuckets(b)); fmt.Sprint(got) != "[other-account-bucket]" {
		t.Fatalf("account 111111111111 sees %v", got)
	}
	if got := storageBucketNames(s.storageBuckets(aEU)); fmt.Sprint(got) != "[eu-bucket]" {
		t.Fatalf("eu-west-1 sees %v", got)
	}

	// A token only continues its own listing.
	_, err := b.ListS3Buckets(&amplifybackend.ListS3BucketsInput{NextToken: aws.String(firstToken)})
	apiWantBadRequest(t, err, "The NextToken is not valid")
	_, err = aEU.ListS3Buckets(&amplifybackend.ListS3BucketsInput{NextToken: aws.String(firstToken)})
	apiWantBadRequest(t, err, "The NextToken is not valid")
	tampered := []byte(firstToken)
	tampered[2] ^= 'A' ^ 'B'
	if tampered[2] == firstToken[2] {
		tampered[2] = 'C'
	}
	for _, bad := range []string{string(tampered), firstToken[:len(firstToken)-1], "not-a-token", strings.Repeat("x", 5000)} {
		_, err = a.ListS3Buckets(&amplifybackend.ListS3BucketsInput{NextToken: aws.String(bad)})
		apiWantBadRequest(t, err, "The NextToken is not valid")
	}
}

func TestS3BucketsSeeding(t *testing.T) {
	dir := t.TempDir()
	flag := func(v string) func(*Main) { return func(m *Main) { m.Config.S3Buckets = v } }
	s := startServerIn(t, dir, flag(" alpha-bucket , 111111111111:beta-bucket,,alpha-bucket"))
	a := s.client
	b := s.clientAs("111111111111", "us-east-1")
	first := s.storageBuckets(a)
	if fmt.Sprint(storageBucketNames(first)) != "[alpha-bucket]" || first["alpha-bucket"] != "2026-07-07T15:04:05.000Z" {
		t.Fatalf("default account sees %v", first)
	}
	if got := storageBucketNames(s.storageBuckets(b)); fmt.Sprint(got) != "[beta-bucket]" {
		t.Fatalf("account 111111111111 sees %v", got)
	}
	// The region is the server's --region.
	if got := s.storageBuckets(s.clientAs("AKIDEXAMPLE", "eu-west-1")); len(got) != 0 {
		t.Fatalf("eu-west-1 sees %v", got)
	}
	// A seeded bucket's name is taken.
	s.storageEnv(a, "d1abc", "myapp", "dev")
	_, err := s.storageSubmit(a, "d1abc", "dev", "files", "beta-bucket")
	apiWantBadRequest(t, err, "not available")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// A restart with the same flag (and a later clock) changes nothing; a new name is added.
	s2 := startServerIn(t, dir, flag("alpha-bucket,111111111111:beta-bucket,gamma-bucket"), func(m *Main) {
		c := &clock{now: s.clock.Now().AddDate(0, 0, 1)}
		m.Now = c.Now
	})
	again := s2.storageBuckets(s2.client)
	if fmt.Sprint(storageBucketNames(again)) != "[alpha-bucket gamma-bucket]" || again["alpha-bucket"] != first["alpha-bucket"] || again["gamma-bucket"] != "2026-07-08T15:04:05.000Z" {
		t.Fatalf("after restart: %v", again)
	}
	if err := s2.Close(); err != nil {
		t.Fatal(err)
	}

	// Start-up fails fast on a bad flag, naming the problem.
	for value, want := range map[string]string{
		"Bad_Bucket":               `--s3-buckets: bucket "Bad_Bucket": Bucket names can consist only of lowercase letters`,
		"12345:bucket":             `--s3-buckets: "12345:bucket": the account must be 12 digits`,
		"ab":                       `--s3-buckets: bucket "ab": Bucket names must be between 3 and 63 characters long`,
		"222222222222:beta-bucket": `--s3-buckets: bucket "beta-bucket" (account 222222222222, region us-east-1) is already taken by account 111111111111, region us-east-1`,
	} {
		m := NewMain()
		m.Config.Addr = "127.0.0.1:0"
		m.Config.DataDir = dir
		m.Config.S3Buckets = value
		m.LogOutput = &strings.Builder{}
		err := m.Run(context.Background())
		if err == nil {
			m.Close()
			t.Fatalf("--s3-buckets %q: Run succeeded", value)
		}
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("--s3-buckets %q: %v; want %q", value, err, want)
		}
	}
	// The environment variable sets the flag too.
	m := NewMain()
	if err := m.ParseFlags(nil, func(k string) string {
		if k == "AMPLIFYBACKEND_S3_BUCKETS" {
			return "env-bucket"
		}
		return ""
	}); err != nil || m.Config.S3Buckets != "env-bucket" {
		t.Fatalf("AMPLIFYBACKEND_S3_BUCKETS: %v, %q", err, m.Config.S3Buckets)
	}
}

func TestStorageImport(t *testing.T) {
	s := startServer(t, func(m *Main) { m.Config.S3Buckets = "existing.bucket-1,111111111111:foreign-bucket" })
	c := s.client
	s.storageEnv(c, "d1abc", "myapp", "dev")
	s.storageEnv(c, "d1abc", "myapp", "prod")
	s.storageEnv(c, "d1abc", "myapp", "test")

	out, err := s.storageImport(c, "d1abc", "dev", "existing.bucket-1")
	if err != nil {
		t.Fatal(err)
	}
	if aws.StringValue(out.Status) != "IN_PROGRESS" || out.JobId == nil {
		t.Fatalf("ImportBackendStorage answered %v", out)
	}
	s.mustComplete(c, "d1abc", "dev", out.JobId)
	if job := s.finish(c, "d1abc", "dev", out.JobId); aws.StringValue(job.Operation) != "ImportBackendStorage" {
		t.Fatalf("job operation %q", aws.StringValue(job.Operation))
	}
	got := s.storageGet(c, "d1abc", "dev", "existingbucket1")
	if rc := got.ResourceConfig; aws.StringValue(rc.BucketName) != "existing.bucket-1" || !aws.BoolValue(rc.Imported) || aws.StringValue(rc.ServiceName) != "S3" {
		t.Fatalf("GetBackendStorage of imported = %v", got)
	}
	_, body := s.raw("POST", "/backend/d1abc/storage/dev/details", `{"resourceName":"existingbucket1"}`, nil)
	if !strings.Contains(body, `"imported":true`) {
		t.Fatalf("body %s", body)
	}
	entry := s.apiMetaSection(c, "d1abc", "dev", "storage")["existingbucket1"].(map[string]any)
	if entry["serviceType"] != "imported" || fmt.Sprint(entry["output"]) != "map[BucketName:existing.bucket-1 Region:us-east-1]" {
		t.Fatalf("amplify-meta storage entry of imported = %v", entry)
	}

	// Permissions can be set on imported storage.
	up, err := c.UpdateBackendStorage(&amplifybackend.UpdateBackendStorageInput{
		AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("existingbucket1"),
		ResourceConfig: &amplifybackend.UpdateBackendStorageResourceConfig{ServiceName: aws.String("S3"), Permissions: &amplifybackend.BackendStoragePermissions{Authenticated: aws.StringSlice([]string{"READ"})}},
	})
	if err != nil {
		t.Fatal(err)
	}
	s.mustComplete(c, "d1abc", "dev", up.JobId)
	if p := s.storageGet(c, "d1abc", "dev", "existingbucket1").ResourceConfig.Permissions; fmt.Sprint(aws.StringValueSlice(p.Authenticated)) != "[READ]" {
		t.Fatalf("permissions of imported storage: %v", p)
	}

	// Another environment may import the same bucket.
	out, err = s.storageImport(c, "d1abc", "prod", "existing.bucket-1")
	if err != nil {
		t.Fatal(err)
	}
	s.mustComplete(c, "d1abc", "prod", out.JobId)

	// Refusals.
	_, err = s.storageImport(c, "d1abc", "dev", "existing.bucket-1")
	apiWantBadRequest(t, err, "already has a storage resource (existingbucket1)")
	_, err = s.storageImport(c, "d1abc", "test", "no-such-bucket")
	apiWantNotFound(t, err, "bucket")
	_, err = s.storageImport(c, "d1abc", "test", "foreign-bucket") // another account's
	apiWantNotFound(t, err, "bucket")
	_, err = s.storageImport(s.clientAs("AKIDEXAMPLE", "eu-west-1"), "d1abc", "test", "existing.bucket-1")
	apiWantNotFound(t, err, "app")
	_, err = c.ImportBackendStorage(&amplifybackend.ImportBackendStorageInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("test"), ServiceName: aws.String("S3")})
	apiWantBadRequest(t, err, "Value null at 'bucketName'")
	if resp, body := s.raw("POST", "/backend/d1abc/storage/test/import", `{"bucketName":"existing.bucket-1"}`, nil); resp.StatusCode != 400 || !strings.Contains(body, "'serviceName'") {
		t.Fatalf("import without serviceName: %d %s", resp.StatusCode, body)
	}
	s.storageCreate(c, "d1abc", "test", "made", "made-bucket")
	s.storageEnv(c, "d1abc", "myapp", "other")
	_, err = s.storageImport(c, "d1abc", "other", "made-bucket")
	apiWantBadRequest(t, err, "belongs to the storage resource of appId: d1abc and backendEnvironmentName: test")

	// Deleting imported storage keeps the bucket; deleting created storage removes its bucket.
	s.storageDelete(c, "d1abc", "dev", "existingbucket1")
	s.storageDelete(c, "d1abc", "test", "made")
	if got := storageBucketNames(s.storageBuckets(c)); fmt.Sprint(got) != "[existing.bucket-1]" {
		t.Fatalf("buckets after deletes: %v", got)
	}
	// prod still uses the imported bucket.
	if rc := s.storageGet(c, "d1abc", "prod", "existingbucket1").ResourceConfig; aws.StringValue(rc.BucketName) != "existing.bucket-1" {
		t.Fatalf("prod storage = %v", rc)
	}
}

func TestStorageCloneAndRemove(t *testing.T) {
	s := startServer(t, func(m *Main) { m.Config.S3Buckets = "shared-existing" })
	c := s.client
	s.storageEnv(c, "d1abc", "myapp", "dev")
	s.apiCreate(c, "d1abc", "dev", "todoapi", apiResourceConfig(apiTodoSchema, "API_KEY"))
	s.storageCreate(c, "d1abc", "dev", "files", "dev-files")

	clone, err := c.CloneBackend(&amplifybackend.CloneBackendInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), TargetEnvironmentName: aws.String("prod")})
	if err != nil {
		t.Fatal(err)
	}
	s.mustComplete(c, "d1abc", "dev", clone.JobId)

	// Same configuration, new deployed ids, a new bucket.
	devAPI, prodAPI := s.apiMetaOutput(c, "d1abc", "dev", "api", "todoapi"), s.apiMetaOutput(c, "d1abc", "prod", "api", "todoapi")
	for _, k := range []string{"GraphQLAPIIdOutput", "GraphQLAPIEndpointOutput", "GraphQLAPIKeyOutput"} {
		if prodAPI[k] == nil || prodAPI[k] == devAPI[k] {
			t.Fatalf("cloned API %s: dev %v, prod %v", k, devAPI[k], prodAPI[k])
		}
	}
	if rc := s.apiGet("d1abc", "prod", "todoapi").ResourceConfig; aws.StringValue(rc.TransformSchema) != apiTodoSchema {
		t.Fatalf("cloned API config %v", rc)
	}
	prod := s.storageGet(c, "d1abc", "prod", "files").ResourceConfig
	prodBucket := aws.StringValue(prod.BucketName)
	if prodBucket == "dev-files" || !strings.HasPrefix(prodBucket, "amplifyd1abcstorage") || !strings.HasSuffix(prodBucket, "-prod") ||
		aws.BoolValue(prod.Imported) || fmt.Sprint(aws.StringValueSlice(prod.Permissions.Authenticated)) != "[READ CREATE_AND_UPDATE DELETE]" {
		t.Fatalf("cloned storage = %v", prod)
	}
	if out := s.apiMetaOutput(c, "d1abc", "prod", "storage", "files"); out["BucketName"] != prodBucket {
		t.Fatalf("cloned storage meta %v", out)
	}
	if got := storageBucketNames(s.storageBuckets(c)); fmt.Sprint(got) != fmt.Sprint([]string{prodBucket, "dev-files", "shared-existing"}) {
		t.Fatalf("buckets after clone: %v", got)
	}

	// An imported bucket is shared by the clone, and outlives both.
	s.storageEnv(c, "d1abc", "myapp", "imp")
	out, err := s.storageImport(c, "d1abc", "imp", "shared-existing")
	if err != nil {
		t.Fatal(err)
	}
	s.mustComplete(c, "d1abc", "imp", out.JobId)
	clone, err = c.CloneBackend(&amplifybackend.CloneBackendInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("imp"), TargetEnvironmentName: aws.String("imp2")})
	if err != nil {
		t.Fatal(err)
	}
	s.mustComplete(c, "d1abc", "imp", clone.JobId)
	if rc := s.storageGet(c, "d1abc", "imp2", "sharedexisting").ResourceConfig; aws.StringValue(rc.BucketName) != "shared-existing" || !aws.BoolValue(rc.Imported) {
		t.Fatalf("clone of imported storage = %v", rc)
	}

	// DeleteBackend removes the environment's created bucket only.
	del, err := c.DeleteBackend(&amplifybackend.DeleteBackendInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("prod")})
	if err != nil {
		t.Fatal(err)
	}
	s.mustComplete(c, "d1abc", "prod", del.JobId)
	if got := storageBucketNames(s.storageBuckets(c)); fmt.Sprint(got) != "[dev-files shared-existing]" {
		t.Fatalf("buckets after DeleteBackend prod: %v", got)
	}

	// RemoveAllBackends removes every created bucket; the pre-existing one stays.
	rm, err := c.RemoveAllBackends(&amplifybackend.RemoveAllBackendsInput{AppId: aws.String("d1abc"), CleanAmplifyApp: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	s.mustComplete(c, "d1abc", "dev", rm.JobId)
	if got := storageBucketNames(s.storageBuckets(c)); fmt.Sprint(got) != "[shared-existing]" {
		t.Fatalf("buckets after RemoveAllBackends: %v", got)
	}
	// Its name stays taken; a removed bucket's name is free.
	s.storageEnv(c, "d2xyz", "other", "dev")
	_, err = s.storageSubmit(c, "d2xyz", "dev", "files", "shared-existing")
	apiWantBadRequest(t, err, "not available")
	s.storageCreate(c, "d2xyz", "dev", "files", "dev-files")
}

func TestStorageErrors(t *testing.T) {
	s := startServer(t)
	c := s.client
	s.storageEnv(c, "d1abc", "myapp", "dev")
	s.createBackend(c, "d1abc", "myapp", "empty")
	s.storageCreate(c, "d1abc", "dev", "files", "files-bucket")

	type call func(app, env, name string) error
	ops := map[string]call{
		"GetBackendStorage": func(app, env, name string) error {
			_, err := c.GetBackendStorage(&amplifybackend.GetBackendStorageInput{AppId: aws.String(app), BackendEnvironmentName: aws.String(env), ResourceName: aws.String(name)})
			return err
		},
		"UpdateBackendStorage": func(app, env, name string) error {
			_, err := c.UpdateBackendStorage(&amplifybackend.UpdateBackendStorageInput{AppId: aws.String(app), BackendEnvironmentName: aws.String(env), ResourceName: aws.String(name),
				ResourceConfig: &amplifybackend.UpdateBackendStorageResourceConfig{ServiceName: aws.String("S3"), Permissions: &amplifybackend.BackendStoragePermissions{Authenticated: aws.StringSlice([]string{"READ"})}}})
			return err
		},
		"DeleteBackendStorage": func(app, env, name string) error {
			_, err := c.DeleteBackendStorage(&amplifybackend.DeleteBackendStorageInput{AppId: aws.String(app), BackendEnvironmentName: aws.String(env), ResourceName: aws.String(name), ServiceName: aws.String("S3")})
			return err
		},
		"CreateBackendStorage": func(app, env, name string) error {
			_, err := s.storageSubmit(c, app, env, name, "")
			return err
		},
		"ImportBackendStorage": func(app, env, name string) error {
			_, err := s.storageImport(c, app, env, "files-bucket")
			return err
		},
	}
	for op, f := range ops {
		t.Run(op, func(t *testing.T) {
			apiWantNotFound(t, f("nope", "dev", "files"), "app")
			apiWantNotFound(t, f("d1abc", "prod", "files"), "environment")
			switch op {
			case "CreateBackendStorage", "ImportBackendStorage":
				apiWantBadRequest(t, f("d1abc", "dev", "other"), "already has a storage resource (files)")
				apiWantBadRequest(t, f("d1abc", "empty", "files"), op+" needs an auth resource, but backend environment empty of appId: d1abc has none")
				return
			}
			apiWantNotFound(t, f("d1abc", "dev", "other"), "storage")
			apiWantNotFound(t, f("d1abc", "empty", "files"), "storage")
		})
	}
	// Another account sees nothing.
	_, err := s.clientAs("111111111111", "us-east-1").GetBackendStorage(&amplifybackend.GetBackendStorageInput{AppId: aws.String("d1abc"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("files")})
	apiWantNotFound(t, err, "app")

	for name, tc := range map[string]struct{ path, body, want string }{
		"create without serviceName": {"/backend/d1abc/storage", `{"backendEnvironmentName":"empty","resourceName":"x","resourceConfig":{"permissions":{"authenticated":["READ"]}}}`, "resourceConfig.serviceName"},
		"create without permissions": {"/backend/d1abc/storage", `{"backendEnvironmentName":"empty","resourceName":"x","resourceConfig":{"serviceName":"S3"}}`, "resourceConfig.permissions"},
		"bad permission":             {"/backend/d1abc/storage", `{"backendEnvironmentName":"empty","resourceName":"x","resourceConfig":{"serviceName":"S3","permissions":{"authenticated":["WRITE"]}}}`, "resourceConfig.permissions.authenticated"},
		"bad service":                {"/backend/d1abc/storage", `{"backendEnvironmentName":"empty","resourceName":"x","resourceConfig":{"serviceName":"GCS","permissions":{"authenticated":["READ"]}}}`, "resourceConfig.serviceName"},
		"bucketName not a string":    {"/backend/d1abc/storage", `{"backendEnvironmentName":"empty","resourceName":"x","resourceConfig":{"bucketName":7,"serviceName":"S3","permissions":{"authenticated":["READ"]}}}`, "bucketName"},
		"delete without serviceName": {"/backend/d1abc/storage/dev/remove", `{"resourceName":"files"}`, "serviceName"},
		"update without config":      {"/backend/d1abc/storage/dev", `{"resourceName":"files"}`, "resourceConfig"},
		"list with a number token":   {"/s3Buckets", `{"nextToken":5}`, "nextToken"},
	} {
		if resp, body := s.raw("POST", tc.path, tc.body, nil); resp.StatusCode != 400 || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d %s; want 400 naming %s", name, resp.StatusCode, body, tc.want)
		}
	}
	if n := s.runJobs(); n != 0 {
		t.Fatalf("%d jobs were recorded for refused requests", n)
	}
}
