package amplify

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestMergeAuthConfig(t *testing.T) {
	stored := `{"authResources":"USER_POOL_ONLY","service":"COGNITO","userPoolConfigs":{
		"userPoolName":"pool","signInMethod":"EMAIL","requiredSignUpAttributes":["EMAIL"],
		"passwordPolicy":{"minimumLength":8,"additionalConstraints":["REQUIRE_DIGIT"]},
		"oAuth":{"oAuthGrantType":"CODE","oAuthScopes":["OPENID"],"redirectSignInURIs":["a"],"redirectSignOutURIs":["b"],
			"socialProviderSettings":{"Facebook":{"client_id":"f","client_secret":"fs"},"Google":{"client_id":"g","client_secret":"gs"}}}}}`
	withIP := `{"authResources":"IDENTITY_POOL_AND_USER_POOL","service":"COGNITO",
		"identityPoolConfigs":{"identityPoolName":"ip","unauthenticatedLogin":true},
		"userPoolConfigs":{"userPoolName":"pool","signInMethod":"EMAIL","requiredSignUpAttributes":["EMAIL"]}}`
	tests := []struct {
		name, stored, patch, want string
	}{
		{
			name:   "nested member replaced, siblings kept",
			stored: stored,
			patch:  `{"authResources":"USER_POOL_ONLY","service":"COGNITO","userPoolConfigs":{"passwordPolicy":{"minimumLength":12}}}`,
			want: `{"authResources":"USER_POOL_ONLY","service":"COGNITO","userPoolConfigs":{
				"userPoolName":"pool","signInMethod":"EMAIL","requiredSignUpAttributes":["EMAIL"],
				"passwordPolicy":{"minimumLength":12,"additionalConstraints":["REQUIRE_DIGIT"]},
				"oAuth":{"oAuthGrantType":"CODE","oAuthScopes":["OPENID"],"redirectSignInURIs":["a"],"redirectSignOutURIs":["b"],
					"socialProviderSettings":{"Facebook":{"client_id":"f","client_secret":"fs"},"Google":{"client_id":"g","client_secret":"gs"}}}}}`,
		},
		{
			name:   "one social provider replaced, lists replaced whole",
			stored: stored,
			patch: `{"authResources":"USER_POOL_ONLY","service":"COGNITO","userPoolConfigs":{"oAuth":{"oAuthScopes":["EMAIL","PHONE"],
				"socialProviderSettings":{"Google":{"client_id":"g2"},"SignInWithApple":{"client_id":"a","key_id":"k","private_key":"p","team_id":"t"}}}}}`,
			want: `{"authResources":"USER_POOL_ONLY","service":"COGNITO","userPoolConfigs":{
				"userPoolName":"pool","signInMethod":"EMAIL","requiredSignUpAttributes":["EMAIL"],
				"passwordPolicy":{"minimumLength":8,"additionalConstraints":["REQUIRE_DIGIT"]},
				"oAuth":{"oAuthGrantType":"CODE","oAuthScopes":["EMAIL","PHONE"],"redirectSignInURIs":["a"],"redirectSignOutURIs":["b"],
					"socialProviderSettings":{"Facebook":{"client_id":"f","client_secret":"fs"},"Google":{"client_id":"g2","client_secret":"gs"},
						"SignInWithApple":{"client_id":"a","key_id":"k","private_key":"p","team_id":"t"}}}}}`,
		},
		{
			name:   "identity pool added gets default name and guest access off",
			stored: `{"authResources":"USER_POOL_ONLY","service":"COGNITO","userPoolConfigs":{"userPoolName":"pool","signInMethod":"EMAIL","requiredSignUpAttributes":["EMAIL"]}}`,
			patch:  `{"authResources":"IDENTITY_POOL_AND_USER_POOL","service":"COGNITO","identityPoolConfigs":{},"userPoolConfigs":{}}`,
			want: `{"authResources":"IDENTITY_POOL_AND_USER_POOL","service":"COGNITO",
				"identityPoolConfigs":{"identityPoolName":"auth1_identitypool","unauthenticatedLogin":false},
				"userPoolConfigs":{"userPoolName":"pool","signInMethod":"EMAIL","requiredSignUpAttributes":["EMAIL"]}}`,
		},
		{
			name:   "identity pool kept with its name",
			stored: withIP,
			patch:  `{"authResources":"IDENTITY_POOL_AND_USER_POOL","service":"COGNITO","identityPoolConfigs":{"unauthenticatedLogin":false},"userPoolConfigs":{}}`,
			want: `{"authResources":"IDENTITY_POOL_AND_USER_POOL","service":"COGNITO",
				"identityPoolConfigs":{"identityPoolName":"ip","unauthenticatedLogin":false},
				"userPoolConfigs":{"userPoolName":"pool","signInMethod":"EMAIL","requiredSignUpAttributes":["EMAIL"]}}`,
		},
		{
			name:   "USER_POOL_ONLY drops the identity pool",
			stored: withIP,
			patch:  `{"authResources":"USER_POOL_ONLY","service":"COGNITO","userPoolConfigs":{}}`,
			want:   `{"authResources":"USER_POOL_ONLY","service":"COGNITO","userPoolConfigs":{"userPoolName":"pool","signInMethod":"EMAIL","requiredSignUpAttributes":["EMAIL"]}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := mergeAuthConfig(wireConfigs, json.RawMessage(tt.stored), json.RawMessage(tt.patch), "auth1")
			if err != nil {
				t.Fatal(err)
			}
			var g, w any
			if err := json.Unmarshal(got, &g); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(tt.want), &w); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(g, w) {
				t.Fatalf("merged:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
	if _, err := mergeAuthConfig(wireConfigs, json.RawMessage(stored), json.RawMessage(`{"broken`), "auth1"); ErrorCode(err) != BadRequest {
		t.Fatalf("merge of malformed JSON: err = %v; want BadRequest", err)
	}
}

func TestRedeployIdentityPool(t *testing.T) {
	s := &Service{Configs: wireConfigs}
	key := EnvKey{AppKey: AppKey{Scope: Scope{Account: "123456789012", Region: "eu-west-1"}, AppID: "a"}, Env: "dev"}
	base := map[string]string{"UserPoolId": "eu-west-1_AAAAAAAAA", "AppClientID": "c"}
	r := &Resource{Kind: KindAuth, Name: "auth1", Deployed: base,
		Config: json.RawMessage(`{"authResources":"IDENTITY_POOL_AND_USER_POOL","identityPoolConfigs":{"identityPoolName":"ip"}}`)}
	if err := s.redeployIdentityPool(key, r); err != nil {
		t.Fatal(err)
	}
	if r.Deployed["UserPoolId"] != "eu-west-1_AAAAAAAAA" || r.Deployed["AppClientID"] != "c" || r.Deployed["IdentityPoolName"] != "ip" ||
		!strings.HasPrefix(r.Deployed["IdentityPoolId"], "eu-west-1:") {
		t.Fatalf("deployed = %v", r.Deployed)
	}
	if _, ok := base["IdentityPoolId"]; ok {
		t.Fatal("redeploy changed the map it was given")
	}
	id := r.Deployed["IdentityPoolId"]
	if err := s.redeployIdentityPool(key, r); err != nil || r.Deployed["IdentityPoolId"] != id {
		t.Fatalf("second redeploy changed the identity pool id: %v -> %v (%v)", id, r.Deployed["IdentityPoolId"], err)
	}
	r.Config = json.RawMessage(`{"authResources":"USER_POOL_ONLY"}`)
	if err := s.redeployIdentityPool(key, r); err != nil {
		t.Fatal(err)
	}
	if want := (map[string]string{"UserPoolId": "eu-west-1_AAAAAAAAA", "AppClientID": "c"}); !reflect.DeepEqual(r.Deployed, want) {
		t.Fatalf("deployed = %v; want %v", r.Deployed, want)
	}
}

func TestCheckUserPoolID(t *testing.T) {
	tests := []struct {
		id, region string
		ok         bool
	}{
		{"us-east-1_AbC123xyZ", "us-east-1", true},
		{"us-east-1_AbC123xyZ", "", true},
		{"us-gov-west-1_abc", "us-gov-west-1", true},
		{"ap-southeast-2_Z9", "", true},
		{"eu-west-1_AbC123xyZ", "us-east-1", false},
		{"us-east-1AbC123xyZ", "", false},
		{"_AbC123xyZ", "", false},
		{"us-east-1_", "", false},
		{"us-east-1_AbC-123", "", false},
		{"us-east-1_AbC_123", "", false},
		{"moon-base_AbC", "", false},
		{"US-EAST-1_AbC", "", false},
		{"us-east-1_" + strings.Repeat("a", 56), "", false},
	}
	for _, tt := range tests {
		err := checkUserPoolID("userPoolId", tt.id, tt.region)
		if (err == nil) != tt.ok {
			t.Errorf("checkUserPoolID(%q, %q) = %v; want ok %v", tt.id, tt.region, err, tt.ok)
		}
		if err != nil && (ErrorCode(err) != BadRequest || !strings.Contains(err.Error(), "userPoolId")) {
			t.Errorf("checkUserPoolID(%q) error = %v; want a BadRequest naming the member", tt.id, err)
		}
	}
}

func TestCheckIdentityPoolID(t *testing.T) {
	const u = "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
	tests := []struct {
		id, region string
		ok         bool
	}{
		{"us-east-1:" + u, "us-east-1", true},
		{"eu-central-1:" + strings.ToUpper(u), "", true},
		{"eu-west-1:" + u, "us-east-1", false},
		{u, "", false},
		{":" + u, "", false},
		{"us-east-1:" + u[:35], "", false},
		{"us-east-1:" + u + "0", "", false},
		{"us-east-1_" + u, "", false},
		{"us-east-1:{" + u + "}", "", false},
		{"nowhere:" + u, "", false},
	}
	for _, tt := range tests {
		err := checkIdentityPoolID("identityPoolId", tt.id, tt.region)
		if (err == nil) != tt.ok {
			t.Errorf("checkIdentityPoolID(%q, %q) = %v; want ok %v", tt.id, tt.region, err, tt.ok)
		}
	}
}

func TestImportedAuthName(t *testing.T) {
	tests := []struct{ app, want string }{
		{"My App", "my_app1a2b3c4d"},
		{"todo-list!!v2", "todo_list_v21a2b3c4d"},
		{"snake_case", "snake_case1a2b3c4d"},
	}
	for _, tt := range tests {
		if got := importedAuthName(tt.app, "1a2b3c4d"); got != tt.want {
			t.Errorf("importedAuthName(%q) = %q; want %q", tt.app, got, tt.want)
		}
	}
}

func TestImportedAuthConfig(t *testing.T) {
	got, err := importedAuthConfig(wireConfigs, ImportedAuth{UserPoolID: "us-east-1_A", WebClientID: "w", NativeClientID: "n"})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"authResources":"USER_POOL_ONLY","service":"COGNITO","userPoolConfigs":{"userPoolName":"us-east-1_A"}}`; string(got) != want {
		t.Errorf("user pool only: %s; want %s", got, want)
	}
	got, err = importedAuthConfig(wireConfigs, ImportedAuth{UserPoolID: "us-east-1_A", WebClientID: "w", NativeClientID: "n", IdentityPoolID: "us-east-1:x"})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"authResources":"IDENTITY_POOL_AND_USER_POOL","identityPoolConfigs":{"identityPoolName":"us-east-1:x"},"service":"COGNITO","userPoolConfigs":{"userPoolName":"us-east-1_A"}}`; string(got) != want {
		t.Errorf("with identity pool: %s; want %s", got, want)
	}
}
