package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/amplifybackendd/amplifybackendd/internal/modelgen/modelgentest"
	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/amplifybackend"
)

const corpusDir = "../../internal/modelgen/testdata"

// TestModelgenCorpusThroughAPI runs every corpus schema the way a user does, both ways a
// schema gets into an API: CreateBackendAPI with the schema itself (in an environment of its
// own, as an environment holds one API), and UpdateBackendAPI of an existing API. Then
// GenerateBackendAPIModels runs the generator as a job, and GetBackendAPIModels must return
// exactly what the Amplify tool chain produced.
func TestModelgenCorpusThroughAPI(t *testing.T) {
	schemas, err := filepath.Glob(filepath.Join(corpusDir, "corpus", "*.graphql"))
	if err != nil || len(schemas) < 30 {
		t.Fatalf("corpus: %d schemas, %v", len(schemas), err)
	}
	s := startServer(t)
	s.createBackend(s.client, "d1gen", "gen", "dev")
	s.apiCreate(s.client, "d1gen", "dev", "genapi", modelgenSeedConfig("genapi"))
	for i, path := range schemas {
		name := strings.TrimSuffix(filepath.Base(path), ".graphql")
		schema, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var want struct {
			Introspection json.RawMessage `json:"introspection"`
			Metadata      string          `json:"metadata"`
		}
		raw, err := os.ReadFile(strings.TrimSuffix(path, ".graphql") + ".expected.json")
		if err != nil || json.Unmarshal(raw, &want) != nil {
			t.Fatalf("expected output of %s: %v", name, err)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, want.Introspection); err != nil {
			t.Fatal(err)
		}
		check := func(t *testing.T, env, api string) {
			if got := s.apiGetModels("d1gen", env, api); aws.StringValue(got.Status) != "STALE" {
				t.Errorf("models before generation from this schema: %s; want STALE", aws.StringValue(got.Status))
			}
			if job := s.apiGenerateModels("d1gen", env, api); aws.StringValue(job.Status) != "COMPLETED" {
				t.Fatalf("GenerateBackendAPIModels: %s %s", aws.StringValue(job.Status), aws.StringValue(job.Error))
			}
			got := s.apiGetModels("d1gen", env, api)
			if aws.StringValue(got.Status) != "LATEST" {
				t.Errorf("Status = %s; want LATEST", aws.StringValue(got.Status))
			}
			if aws.StringValue(got.Models) != want.Metadata {
				t.Errorf("Models differ from the reference:\n%s", modelgentest.FirstDifference(aws.StringValue(got.Models), want.Metadata))
			}
			if aws.StringValue(got.ModelIntrospectionSchema) != compact.String() {
				t.Errorf("ModelIntrospectionSchema differs from the reference (key order included):\n%s",
					modelgentest.FirstDifference(aws.StringValue(got.ModelIntrospectionSchema), compact.String()))
			}
		}
		t.Run(name+"/CreateBackendAPI", func(t *testing.T) {
			env := "c" + strconv.Itoa(i)
			s.createBackend(s.client, "d1gen", "gen", env)
			cfg := modelgenSeedConfig("api" + strconv.Itoa(i))
			cfg.TransformSchema = aws.String(string(schema))
			s.apiCreate(s.client, "d1gen", env, "api"+strconv.Itoa(i), cfg)
			if got := aws.StringValue(s.apiGet("d1gen", env, "api"+strconv.Itoa(i)).ResourceConfig.TransformSchema); got != string(schema) {
				t.Fatalf("GetBackendAPI TransformSchema differs from the one created")
			}
			check(t, env, "api"+strconv.Itoa(i))
		})
		t.Run(name+"/UpdateBackendAPI", func(t *testing.T) {
			job := s.apiUpdate("d1gen", "dev", "genapi", &amplifybackend.BackendAPIResourceConfig{TransformSchema: aws.String(string(schema))})
			if aws.StringValue(job.Status) != "COMPLETED" {
				t.Fatalf("UpdateBackendAPI: %s %s", aws.StringValue(job.Status), aws.StringValue(job.Error))
			}
			check(t, "dev", "genapi")
		})
	}
}

// modelgenSeedConfig is an API config with a one-model schema.
func modelgenSeedConfig(name string) *amplifybackend.BackendAPIResourceConfig {
	return &amplifybackend.BackendAPIResourceConfig{
		ApiName:         aws.String(name),
		Service:         aws.String("AppSync"),
		TransformSchema: aws.String("type Seed @model { id: ID! }"),
		DefaultAuthType: &amplifybackend.BackendAPIAuthType{Mode: aws.String("API_KEY")},
	}
}

// invalidWant is what the job error of each schema of testdata/invalid must say: which job
// fails, where (line:column of the offending element) and what is wrong.
var invalidWant = map[string]struct {
	job   string // the operation of the failing job, with UpdateBackendAPI
	where string
	what  []string
}{
	"i01-has-many-nonmodel.graphql":    {"GenerateBackendAPIModels", "3:3", []string{"@hasMany", "A.b", "B", "not a @model"}},
	"i02-syntax.graphql":               {"UpdateBackendAPI", "4:1", []string{"Expected Name, found <EOF>"}},
	"i03-unknown-type.graphql":         {"UpdateBackendAPI", "3:6", []string{"Undefined type Unknown"}},
	"i04-belongs-to-no-parent.graphql": {"GenerateBackendAPIModels", "3:3", []string{"@belongsTo", "A.b", "hasMany", "hasOne"}},
}

// TestModelgenInvalidThroughAPI: a schema the reference rejects never yields models. Either
// the API job refuses it (it does not parse or validate) or the generation job fails, and the
// error says what is wrong and where, whether the schema came with CreateBackendAPI or with
// UpdateBackendAPI.
func TestModelgenInvalidThroughAPI(t *testing.T) {
	schemas, err := filepath.Glob(filepath.Join(corpusDir, "invalid", "*.graphql"))
	if err != nil || len(schemas) == 0 {
		t.Fatalf("invalid corpus: %v", err)
	}
	s := startServer(t)
	s.createBackend(s.client, "d1bad", "bad", "dev")
	s.apiCreate(s.client, "d1bad", "dev", "badapi", modelgenSeedConfig("badapi"))
	for i, path := range schemas {
		base := filepath.Base(path)
		want, ok := invalidWant[base]
		if !ok {
			t.Fatalf("%s: no expected error in invalidWant", base)
		}
		schema, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		checkError := func(t *testing.T, job *amplifybackend.GetBackendJobOutput, apiJob string) {
			t.Helper()
			if aws.StringValue(job.Status) != "FAILED" {
				t.Fatalf("%s job of an invalid schema: %s", aws.StringValue(job.Operation), aws.StringValue(job.Status))
			}
			wantJob := want.job
			if wantJob == "UpdateBackendAPI" {
				wantJob = apiJob
			}
			if got := aws.StringValue(job.Operation); got != wantJob {
				t.Errorf("the failing job is %s; want %s", got, wantJob)
			}
			msg := aws.StringValue(job.Error)
			if !regexp.MustCompile(`(^|\D)` + regexp.QuoteMeta(want.where) + `:`).MatchString(msg) {
				t.Errorf("error %q does not give the position %s of the offending element", msg, want.where)
			}
			for _, w := range want.what {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not say %q", msg, w)
				}
			}
		}
		t.Run(base+"/UpdateBackendAPI", func(t *testing.T) {
			job := s.apiUpdate("d1bad", "dev", "badapi", &amplifybackend.BackendAPIResourceConfig{TransformSchema: aws.String(string(schema))})
			if aws.StringValue(job.Status) == "COMPLETED" {
				job = s.apiGenerateModels("d1bad", "dev", "badapi")
			}
			checkError(t, job, "UpdateBackendAPI")
			if got := s.apiGetModels("d1bad", "dev", "badapi"); aws.StringValue(got.Status) == "LATEST" {
				t.Errorf("models of a rejected schema are LATEST")
			}
		})
		t.Run(base+"/CreateBackendAPI", func(t *testing.T) {
			env, api := "c"+strconv.Itoa(i), "api"+strconv.Itoa(i)
			s.createBackend(s.client, "d1bad", "bad", env)
			cfg := modelgenSeedConfig(api)
			cfg.TransformSchema = aws.String(string(schema))
			job := s.finish(s.client, "d1bad", env, s.apiSubmit(s.client, "d1bad", env, api, cfg).JobId)
			if aws.StringValue(job.Status) == "COMPLETED" {
				job = s.apiGenerateModels("d1bad", env, api)
				if got := s.apiGetModels("d1bad", env, api); aws.StringValue(got.Status) == "LATEST" {
					t.Errorf("models of a rejected schema are LATEST")
				}
			}
			checkError(t, job, "CreateBackendAPI")
		})
	}
}
