package amplify

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCheckLoginAuthPatch(t *testing.T) {
	tests := []struct {
		name, patch string
		ok          bool
	}{
		{"nothing", ``, true},
		{"empty object", `{}`, true},
		{"all members", `{"aws_user_pools_id":"us-east-1_AbC123xyZ","aws_user_pools_web_client_id":"abc",
			"aws_cognito_identity_pool_id":"us-east-1:0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b","aws_cognito_region":"us-east-1"}`, true},
		{"user pool in another region than the request", `{"aws_user_pools_id":"eu-west-1_AbC123xyZ"}`, true},
		{"bad user pool id", `{"aws_user_pools_id":"pool"}`, false},
		{"bad identity pool id", `{"aws_cognito_identity_pool_id":"us-east-1:x"}`, false},
		{"bad region", `{"aws_cognito_region":"Earth"}`, false},
		{"empty client id", `{"aws_user_pools_web_client_id":""}`, false},
		{"overlong client id", `{"aws_user_pools_web_client_id":"` + strings.Repeat("c", 256) + `"}`, false},
		{"control character", `{"aws_user_pools_web_client_id":"a\nb"}`, false},
		{"not a string", `{"aws_cognito_region":1}`, false},
		{"not JSON", `{`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkLoginAuthPatch(wireConfigs, json.RawMessage(tt.patch))
			if (err == nil) != tt.ok {
				t.Fatalf("checkLoginAuthPatch(%s) = %v; want ok %v", tt.patch, err, tt.ok)
			}
			if err != nil && ErrorCode(err) != BadRequest {
				t.Fatalf("error code = %s; want BadRequest", ErrorCode(err))
			}
		})
	}
}
