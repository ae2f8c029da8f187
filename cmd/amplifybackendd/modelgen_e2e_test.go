package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/amplifybackend"
)

const corpusDir = "../../internal/modelgen/testdata"

// TestModelgenCorpusThroughAPI runs every corpus schema the way a user does: the schema goes
// into the API with UpdateBackendAPI, GenerateBackendAPIModels runs the generator as a job,
// and GetBackendAPIModels must return exactly what the Amplify tool chain produced.
func TestModelgenCorpusThroughAPI(t *testing.T) {
	schemas, err := filepath.Glob(filepath.Join(corpusDir, "corpus", "*.graphql"))
	if err != nil || len(schemas) < 30 {
		t.Fatalf("corpus: %d schemas, %v", len(schemas), err)
	}
	s := startServer(t)
	s.createBackend(s.client, "d1gen", "gen", "dev")
	s.apiCreate(s.client, "d1gen", "dev", "genapi", &amplifybackend.BackendAPIResourceConfig{
		ApiName:         aws.String("genapi"),
		Service:         aws.String("AppSync"),
		TransformSchema: aws.String("type Seed @model { id: ID! }"),
		DefaultAuthType: &amplifybackend.BackendAPIAuthType{Mode: aws.String("API_KEY")},
	})
	for _, path := range schemas {
		name := strings.TrimSuffix(filepath.Base(path), ".graphql")
		t.Run(name, func(t *testing.T) {
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
				t.Fatalf("expected output: %v", err)
			}
			job := s.apiUpdate("d1gen", "dev", "genapi", &amplifybackend.BackendAPIResourceConfig{TransformSchema: aws.String(string(schema))})
			if aws.StringValue(job.Status) != "COMPLETED" {
				t.Fatalf("UpdateBackendAPI: %s %s", aws.StringValue(job.Status), aws.StringValue(job.Error))
			}
			if got := s.apiGetModels("d1gen", "dev", "genapi"); aws.StringValue(got.Status) != "STALE" {
				t.Errorf("models after a schema change: %s; want STALE", aws.StringValue(got.Status))
			}
			if job := s.apiGenerateModels("d1gen", "dev", "genapi"); aws.StringValue(job.Status) != "COMPLETED" {
				t.Fatalf("GenerateBackendAPIModels: %s %s", aws.StringValue(job.Status), aws.StringValue(job.Error))
			}
			got := s.apiGetModels("d1gen", "dev", "genapi")
			if aws.StringValue(got.Status) != "LATEST" {
				t.Errorf("Status = %s; want LATEST", aws.StringValue(got.Status))
			}
			if aws.StringValue(got.Models) != want.Metadata {
				t.Errorf("Models differ from the reference:\n%s", firstDifference(aws.StringValue(got.Models), want.Metadata))
			}
			var compact bytes.Buffer
			if err := json.Compact(&compact, want.Introspection); err != nil {
				t.Fatal(err)
			}
			if aws.StringValue(got.ModelIntrospectionSchema) != compact.String() {
				t.Errorf("ModelIntrospectionSchema differs from the reference (key order included):\n%s",
					firstDifference(aws.StringValue(got.ModelIntrospectionSchema), compact.String()))
			}
		})
	}
}

// TestModelgenInvalidThroughAPI: a schema the reference rejects never yields models. Either
// the API job refuses it (it does not parse or validate) or the generation job fails, and the
// error says what and where.
func TestModelgenInvalidThroughAPI(t *testing.T) {
	schemas, err := filepath.Glob(filepath.Join(corpusDir, "invalid", "*.graphql"))
	if err != nil || len(schemas) == 0 {
		t.Fatalf("invalid corpus: %v", err)
	}
	s := startServer(t)
	s.createBackend(s.client, "d1bad", "bad", "dev")
	s.apiCreate(s.client, "d1bad", "dev", "badapi", &amplifybackend.BackendAPIResourceConfig{
		ApiName: aws.String("badapi"), Service: aws.String("AppSync"),
		TransformSchema: aws.String("type Seed @model { id: ID! }"),
		DefaultAuthType: &amplifybackend.BackendAPIAuthType{Mode: aws.String("API_KEY")},
	})
	for _, path := range schemas {
		t.Run(filepath.Base(path), func(t *testing.T) {
			schema, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			job := s.apiUpdate("d1bad", "dev", "badapi", &amplifybackend.BackendAPIResourceConfig{TransformSchema: aws.String(string(schema))})
			if aws.StringValue(job.Status) == "COMPLETED" {
				job = s.apiGenerateModels("d1bad", "dev", "badapi")
			}
			if aws.StringValue(job.Status) != "FAILED" {
				t.Fatalf("%s job of an invalid schema: %s", aws.StringValue(job.Operation), aws.StringValue(job.Status))
			}
			msg := aws.StringValue(job.Error)
			if !strings.ContainsAny(msg, "0123456789") || !strings.Contains(msg, ":") {
				t.Errorf("error does not say where: %q", msg)
			}
			if got := s.apiGetModels("d1bad", "dev", "badapi"); aws.StringValue(got.Status) == "LATEST" {
				t.Errorf("models of a rejected schema are LATEST")
			}
		})
	}
}

// firstDifference shows where two texts part.
func firstDifference(got, want string) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	from := max(0, i-80)
	return "at byte " + strconv.Itoa(i) + "\n got: …" + got[from:min(len(got), i+80)] + "\nwant: …" + want[from:min(len(want), i+80)]
}
