package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/daemon"
	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/amplifybackend"
)

// limitsSchema returns a schema of n models with fields fields each.
func limitsSchema(n, fields int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "type Model%d @model {\n  id: ID!\n", i)
		for j := range fields {
			fmt.Fprintf(&b, "  field%d: String\n", j)
		}
		b.WriteString("}\n")
	}
	return b.String()
}

// TestJobLimits sends API jobs over each limit of one job's work: each ends FAILED with an
// Error that names the limit and the flag that raises it, and the API is not created.
func TestJobLimits(t *testing.T) {
	tests := []struct {
		name   string
		set    func(*daemon.Config)
		schema string
		want   []string
	}{
		{"bytes", func(c *daemon.Config) { c.SchemaMaxBytes = 100 }, limitsSchema(3, 5), []string{"bytes long, more than the limit of 100", "--schema-max-bytes"}},
		{"types", func(c *daemon.Config) { c.SchemaMaxTypes = 2 }, limitsSchema(3, 1), []string{"defines 3 types, more than the limit of 2", "--schema-max-types"}},
		{"fields", func(c *daemon.Config) { c.SchemaMaxFields = 10 }, limitsSchema(3, 3), []string{"has 12 fields and enum values, more than the limit of 10", "--schema-max-fields"}},
		{"depth", func(c *daemon.Config) { c.SchemaMaxDepth = 3 }, "type A @model { id: ID! tags: [[[[String]]]] }", []string{"nests brackets 5 deep, more than the limit of 3", "--schema-max-depth"}},
		{"time", func(c *daemon.Config) { c.JobTimeout = time.Nanosecond }, limitsSchema(3, 3), []string{"took longer than the limit of 1ns", "--job-timeout"}},
		{"memory", func(c *daemon.Config) { c.JobMaxMemory = 1 }, limitsSchema(1500, 15), []string{"more memory than the limit of 1 MiB", "--job-max-memory"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startServer(t, func(m *Main) { tt.set(&m.Config) })
			s.createBackend(s.client, "d1lim", "limits", "dev")
			out := s.apiSubmit(s.client, "d1lim", "dev", "big", apiResourceConfig(tt.schema, "API_KEY"))
			job := s.finish(s.client, "d1lim", "dev", out.JobId)
			msg := aws.StringValue(job.Error)
			if aws.StringValue(job.Status) != "FAILED" {
				t.Fatalf("job %s (%q); want FAILED", aws.StringValue(job.Status), msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("Error %q does not say %q", msg, w)
				}
			}
			_, err := s.client.GetBackendAPI(&amplifybackend.GetBackendAPIInput{AppId: aws.String("d1lim"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("big")})
			apiWantNotFound(t, err, "api")
		})
	}
}
