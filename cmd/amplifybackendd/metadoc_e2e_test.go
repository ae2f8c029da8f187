package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/amplifybackend"
)

// updateDocs rewrites the generated examples of the docs instead of comparing them:
//
//	go test ./cmd/amplifybackendd -run TestAmplifyMetaDoc -update-docs
var updateDocs = flag.Bool("update-docs", false, "rewrite the generated examples in docs/ from this run")

// generatedBlock finds the generated example NAME of a doc: the fenced block between
// "<!-- generated: NAME -->" and "<!-- end generated: NAME -->".
func generatedBlock(name string) *regexp.Regexp {
	return regexp.MustCompile("(?s)(<!-- generated: " + regexp.QuoteMeta(name) + " -->\n```json\n)(.*?)(```\n<!-- end generated: " + regexp.QuoteMeta(name) + " -->)")
}

// TestAmplifyMetaDoc builds an environment with every kind of resource through the API, with
// a fixed clock and a seeded id source, and holds docs/amplify-meta.md's examples to what
// GetBackend answers. It also checks what the page promises about stability: the document
// is the same on every call, and a clone keeps the configuration and gets new deployed ids.
func TestAmplifyMetaDoc(t *testing.T) {
	s := startServer(t)
	// Fixed ids: the same run gives the same document. No request has been served yet.
	s.Service.Rand = rand.NewChaCha8([32]byte{'a', 'm', 'p', 'l', 'i', 'f', 'y', '-', 'm', 'e', 't', 'a'})
	c := s.client
	s.createBackend(c, "d1meta", "notes", "dev")

	auth, err := c.CreateBackendAuth(&amplifybackend.CreateBackendAuthInput{
		AppId: aws.String("d1meta"), BackendEnvironmentName: aws.String("dev"), ResourceName: aws.String("notesauth"),
		ResourceConfig: &amplifybackend.CreateBackendAuthResourceConfig{
			AuthResources: aws.String("IDENTITY_POOL_AND_USER_POOL"), Service: aws.String("COGNITO"),
			IdentityPoolConfigs: &amplifybackend.CreateBackendAuthIdentityPoolConfig{IdentityPoolName: aws.String("notesIdentityPool"), UnauthenticatedLogin: aws.Bool(true)},
			UserPoolConfigs: &amplifybackend.CreateBackendAuthUserPoolConfig{
				UserPoolName: aws.String("notesUserPool"), SignInMethod: aws.String("EMAIL"),
				RequiredSignUpAttributes: aws.StringSlice([]string{"EMAIL"}),
				Mfa:                      &amplifybackend.CreateBackendAuthMFAConfig{MFAMode: aws.String("OPTIONAL"), Settings: &amplifybackend.Settings{MfaTypes: aws.StringSlice([]string{"TOTP"})}},
				PasswordPolicy:           &amplifybackend.CreateBackendAuthPasswordPolicyConfig{MinimumLength: aws.Float64(10), AdditionalConstraints: aws.StringSlice([]string{"REQUIRE_DIGIT"})},
			},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	s.mustComplete(c, "d1meta", "dev", auth.JobId)
	s.apiCreate(c, "d1meta", "dev", "notesapi", &amplifybackend.BackendAPIResourceConfig{
		ApiName: aws.String("notesapi"), Service: aws.String("AppSync"),
		TransformSchema: aws.String("type Note @model @auth(rules: [{ allow: owner }, { allow: public, operations: [read] }]) {\n  id: ID!\n  text: String!\n}\n"),
		DefaultAuthType: &amplifybackend.BackendAPIAuthType{Mode: aws.String("AMAZON_COGNITO_USER_POOLS")},
		AdditionalAuthTypes: []*amplifybackend.BackendAPIAuthType{{Mode: aws.String("API_KEY"), Settings: &amplifybackend.BackendAPIAppSyncAuthSettings{
			ExpirationTime: aws.Float64(7), Description: aws.String("public reads"),
		}}},
	})
	s.storageCreate(c, "d1meta", "dev", "notesfiles", "")

	get := func(env string) *amplifybackend.GetBackendOutput {
		t.Helper()
		out, err := c.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d1meta"), BackendEnvironmentName: aws.String(env)})
		if err != nil {
			t.Fatalf("GetBackend %s: %v", env, err)
		}
		return out
	}
	dev := get("dev")
	if again := get("dev"); aws.StringValue(again.AmplifyMetaConfig) != aws.StringValue(dev.AmplifyMetaConfig) {
		t.Errorf("amplify-meta.json differs between two GetBackend calls:\n%s\n%s", aws.StringValue(dev.AmplifyMetaConfig), aws.StringValue(again.AmplifyMetaConfig))
	}
	checkClone(t, s, c, aws.StringValue(dev.AmplifyMetaConfig))

	examples := map[string]string{
		"amplify-meta.json": aws.StringValue(dev.AmplifyMetaConfig),
		"cli.json":          aws.StringValue(dev.AmplifyFeatureFlags),
	}
	path := filepath.Join("..", "..", "docs", "amplify-meta.md")
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	updated := doc
	for _, name := range []string{"amplify-meta.json", "cli.json"} {
		var pretty bytes.Buffer
		if err := json.Indent(&pretty, []byte(examples[name]), "", "  "); err != nil {
			t.Fatalf("%s is not JSON: %v", name, err)
		}
		pretty.WriteByte('\n')
		re := generatedBlock(name)
		m := re.FindSubmatch(updated)
		if m == nil {
			t.Fatalf("docs/amplify-meta.md has no generated block %q (<!-- generated: %s --> ```json ... ``` <!-- end generated: %s -->)", name, name, name)
		}
		if *updateDocs {
			updated = re.ReplaceAllFunc(updated, func(b []byte) []byte {
				sm := re.FindSubmatch(b)
				return append(append(append([]byte{}, sm[1]...), pretty.Bytes()...), sm[3]...)
			})
			continue
		}
		if !bytes.Equal(m[2], pretty.Bytes()) {
			t.Errorf("docs/amplify-meta.md's %s example differs from what the server answers now; if the change is intended, regenerate it with\n\tgo test ./cmd/amplifybackendd -run TestAmplifyMetaDoc -update-docs\nfirst difference: %s", name, firstDiff(string(m[2]), pretty.String()))
		}
	}
	if *updateDocs && !bytes.Equal(updated, doc) {
		if err := os.WriteFile(path, updated, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote %s", path)
	}
}

// checkClone clones dev and checks what docs/amplify-meta.md says stays and what changes.
func checkClone(t *testing.T, s *testServer, c *amplifybackend.AmplifyBackend, devMeta string) {
	t.Helper()
	out, err := c.CloneBackend(&amplifybackend.CloneBackendInput{AppId: aws.String("d1meta"), BackendEnvironmentName: aws.String("dev"), TargetEnvironmentName: aws.String("prod")})
	if err != nil {
		t.Fatal(err)
	}
	s.mustComplete(c, "d1meta", "dev", out.JobId)
	prodOut, err := c.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d1meta"), BackendEnvironmentName: aws.String("prod")})
	if err != nil {
		t.Fatal(err)
	}
	var dev, prod map[string]any
	if err := json.Unmarshal([]byte(devMeta), &dev); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(aws.StringValue(prodOut.AmplifyMetaConfig)), &prod); err != nil {
		t.Fatal(err)
	}
	at := func(m map[string]any, path ...string) any {
		var v any = m
		for _, p := range path {
			v, _ = v.(map[string]any)[p]
		}
		return v
	}
	same := [][]string{
		{"auth", "notesauth", "frontendAuthConfig"},
		{"auth", "notesauth", "output", "UserPoolName"},
		{"api", "notesapi", "output", "authConfig", "additionalAuthenticationProviders"},
		{"api", "notesapi", "dependsOn"},
		{"storage", "notesfiles", "service"},
		{"providers", "awscloudformation", "Region"},
		{"providers", "awscloudformation", "AmplifyAppId"},
	}
	for _, p := range same {
		if a, b := fmt.Sprint(at(dev, p...)), fmt.Sprint(at(prod, p...)); a != b || a == "<nil>" {
			t.Errorf("%s: dev %s, clone %s; want the same", strings.Join(p, "."), a, b)
		}
	}
	changed := [][]string{
		{"auth", "notesauth", "output", "UserPoolId"},
		{"auth", "notesauth", "output", "AppClientIDWeb"},
		{"auth", "notesauth", "output", "IdentityPoolId"},
		{"api", "notesapi", "output", "GraphQLAPIIdOutput"},
		{"api", "notesapi", "output", "GraphQLAPIEndpointOutput"},
		{"api", "notesapi", "output", "GraphQLAPIKeyOutput"},
		{"api", "notesapi", "output", "authConfig", "defaultAuthentication", "userPoolConfig", "userPoolId"},
		{"storage", "notesfiles", "output", "BucketName"},
		{"providers", "awscloudformation", "StackName"},
		{"providers", "awscloudformation", "DeploymentBucketName"},
	}
	for _, p := range changed {
		if a, b := fmt.Sprint(at(dev, p...)), fmt.Sprint(at(prod, p...)); a == b || a == "<nil>" || b == "<nil>" {
			t.Errorf("%s: dev %s, clone %s; want a new value in the clone", strings.Join(p, "."), a, b)
		}
	}
	// The clone's API authorizes with the clone's pool.
	if a, b := at(prod, "api", "notesapi", "output", "authConfig", "defaultAuthentication", "userPoolConfig", "userPoolId"), at(prod, "auth", "notesauth", "output", "UserPoolId"); a != b {
		t.Errorf("clone: the API's user pool %v is not the clone's %v", a, b)
	}
}

// firstDiff describes where two texts first differ, by line.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d: doc %q, server %q", i+1, w, g)
		}
	}
	return "none"
}
