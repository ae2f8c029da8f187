package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/sqlite"
	"github.com/amplifybackendd/amplifybackendd/internal/wireconfig"
)

// apiModel is the part of the AWS model these tests read.
type apiModel struct {
	Operations map[string]struct {
		HTTP  struct{ Method, RequestURI string }
		Input struct{ Shape string }
	}
	Shapes map[string]struct {
		Type     string
		Required []string
		Members  map[string]struct {
			Shape        string
			Location     string
			LocationName string
		}
		Enum []string
	}
}

func loadModel(t *testing.T) *apiModel {
	t.Helper()
	raw, err := os.ReadFile("../../model/amplifybackend-2020-08-11.api.json")
	if err != nil {
		t.Fatal(err)
	}
	var m apiModel
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

func newTestServer(t *testing.T) *httptest.Server {
	t.Helper()
	store, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	srv := httptest.NewServer(New(Config{Service: &amplify.Service{Configs: wireconfig.Configs{}, Store: store}}))
	t.Cleanup(srv.Close)
	return srv
}

// fillPath replaces every {param} of a model route with a valid value.
func fillPath(uri string) string {
	var b strings.Builder
	for _, seg := range strings.Split(uri, "/") {
		if b.Len() > 0 || seg != "" {
			b.WriteByte('/')
		}
		if strings.HasPrefix(seg, "{") {
			seg = "p"
		}
		b.WriteString(seg)
	}
	return b.String()
}

// TestRequiredMembersEveryOperation sends every operation an empty JSON object and checks
// that each required body member of its input is reported, by wire name, in AWS's words.
func TestRequiredMembersEveryOperation(t *testing.T) {
	m := loadModel(t)
	srv := newTestServer(t)
	names := make([]string, 0, len(m.Operations))
	for name := range m.Operations {
		names = append(names, name)
	}
	sort.Strings(names)
	if len(names) != 31 {
		t.Fatalf("model has %d operations", len(names))
	}
	for _, name := range names {
		op := m.Operations[name]
		in := m.Shapes[op.Input.Shape]
		var want []string
		for _, member := range in.Required {
			mm := in.Members[member]
			if mm.Location == "uri" {
				continue
			}
			wire := mm.LocationName
			if wire == "" {
				wire = member
			}
			want = append(want, "Value null at '"+wire+"' failed to satisfy constraint: Member must not be null")
		}
		t.Run(name, func(t *testing.T) {
			req, _ := http.NewRequest(op.HTTP.Method, srv.URL+fillPath(op.HTTP.RequestURI), strings.NewReader("{}"))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body struct{ Message string }
			json.NewDecoder(resp.Body).Decode(&body)
			if len(want) == 0 {
				if resp.Header.Get("X-Amzn-ErrorType") == amplify.BadRequest && strings.Contains(body.Message, "validation error") {
					t.Errorf("no required body members, yet: %s", body.Message)
				}
				return
			}
			if resp.StatusCode != 400 || resp.Header.Get("X-Amzn-ErrorType") != amplify.BadRequest {
				t.Fatalf("status %d %s: %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), body.Message)
			}
			for _, w := range want {
				if !strings.Contains(body.Message, w) {
					t.Errorf("message lacks %q:\n%s", w, body.Message)
				}
			}
			count := "1 validation error detected: "
			if len(want) > 1 {
				count = strconv.Itoa(len(want)) + " validation errors detected: "
			}
			if !strings.HasPrefix(body.Message, count) {
				t.Errorf("message does not start with %q: %s", count, body.Message)
			}
		})
	}
}

// TestEnumMembersOnTheWire checks over HTTP that a value outside an enum is refused with the
// allowed set, for a few members (a top-level one, one in a list, storage's). Every enum member
// of every input is covered, model-driven, by internal/api's TestEveryEnumMember.
func TestEnumMembersOnTheWire(t *testing.T) {
	tests := []struct {
		name, path, body, want string
	}{
		{"auth service", "/backend/a/auth", `{"backendEnvironmentName":"dev","resourceName":"r","resourceConfig":{"authResources":"USER_POOL_ONLY","service":"NOPE","userPoolConfigs":{"requiredSignUpAttributes":["EMAIL"],"signInMethod":"EMAIL","userPoolName":"p"}}}`,
			"Value 'NOPE' at 'resourceConfig.service' failed to satisfy constraint: Member must satisfy enum value set: [COGNITO]"},
		{"enum in a list", "/backend/a/auth", `{"backendEnvironmentName":"dev","resourceName":"r","resourceConfig":{"authResources":"USER_POOL_ONLY","service":"COGNITO","userPoolConfigs":{"requiredSignUpAttributes":["EMAIL","SHOE_SIZE"],"signInMethod":"EMAIL","userPoolName":"p"}}}`,
			"Value 'SHOE_SIZE' at 'resourceConfig.userPoolConfigs.requiredSignUpAttributes.member.2'"},
		{"storage service name", "/backend/a/storage", `{"backendEnvironmentName":"dev","resourceName":"r","resourceConfig":{"serviceName":"EFS","permissions":{"authenticated":["READ"]}}}`,
			"at 'resourceConfig.serviceName' failed to satisfy constraint: Member must satisfy enum value set: [S3]"},
		{"max results", "/backend/a/job/dev", `{"maxResults":26}`,
			"Value '26' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 25"},
	}
	srv := newTestServer(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Post(srv.URL+tt.path, "application/json", strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body struct{ Message string }
			json.NewDecoder(resp.Body).Decode(&body)
			if resp.StatusCode != 400 || !strings.Contains(body.Message, tt.want) {
				t.Errorf("%d %q; want 400 containing %q", resp.StatusCode, body.Message, tt.want)
			}
		})
	}
}
