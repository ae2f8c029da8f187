#!/usr/bin/env bash
# The AWS CLI runs every `aws amplifybackend` subcommand (31) against amplifybackendd, checks
# the outputs with jq and the error cases by exit status and error code, runs the `cli`
# snippet of docs/clients.md, and fails unless every subcommand was run and succeeded once.
# The areas (backends and jobs, auth, API, storage, Admin UI config and tokens) use apps of
# their own and run at once: each CLI call costs half a second of start-up.
cd "$(dirname "$0")"
. ./lib.sh
start_server --s3-buckets existing-cli-bucket,111111111111:foreign-cli-bucket

UUID='^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
job_id() { printf '%s' "$1" | jq -r .JobId; }

# new_backend APP ENV: creates a backend and waits for it.
new_backend() {
	local out
	out=$(ab create-backend --app-id "$1" --app-name "$1" --backend-environment-name "$2")
	completes "create-backend $1/$2" "$1" "$2" "$out"
}

# Request files.
cat >"$WORK/auth.json" <<'EOF'
{
  "AuthResources": "IDENTITY_POOL_AND_USER_POOL",
  "Service": "COGNITO",
  "IdentityPoolConfigs": {"IdentityPoolName": "cliIdentityPool", "UnauthenticatedLogin": true},
  "UserPoolConfigs": {
    "ForgotPassword": {
      "DeliveryMethod": "EMAIL",
      "EmailSettings": {"EmailMessage": "Your code is {####}", "EmailSubject": "Reset"},
      "SmsSettings": {"SmsMessage": "Code {####}"}
    },
    "Mfa": {"MFAMode": "OPTIONAL", "Settings": {"MfaTypes": ["SMS", "TOTP"], "SmsMessage": "MFA code {####}"}},
    "OAuth": {
      "DomainPrefix": "cli-login",
      "OAuthGrantType": "CODE",
      "OAuthScopes": ["PHONE", "EMAIL", "OPENID", "PROFILE", "AWS_COGNITO_SIGNIN_USER_ADMIN"],
      "RedirectSignInURIs": ["https://example.com/signin", "myapp://signin/"],
      "RedirectSignOutURIs": ["https://example.com/signout"],
      "SocialProviderSettings": {
        "Facebook": {"ClientId": "fb-id", "ClientSecret": "fb-secret"},
        "Google": {"ClientId": "g-id", "ClientSecret": "g-secret"},
        "LoginWithAmazon": {"ClientId": "amzn-id", "ClientSecret": "amzn-secret"},
        "SignInWithApple": {"ClientId": "com.example.app", "KeyId": "KEY123", "PrivateKey": "-----BEGIN PRIVATE KEY-----\nMIGT\n-----END PRIVATE KEY-----", "TeamId": "TEAM456"}
      }
    },
    "PasswordPolicy": {"AdditionalConstraints": ["REQUIRE_DIGIT", "REQUIRE_SYMBOL"], "MinimumLength": 12},
    "RequiredSignUpAttributes": ["EMAIL", "NAME"],
    "SignInMethod": "EMAIL_AND_PHONE_NUMBER",
    "UserPoolName": "cliUserPool",
    "VerificationMessage": {
      "DeliveryMethod": "SMS",
      "EmailSettings": {"EmailMessage": "Verify {####}", "EmailSubject": "Verify"},
      "SmsSettings": {"SmsMessage": "Verify {####}"}
    }
  }
}
EOF
cat >"$WORK/import.json" <<'EOF'
{
  "AppId": "d1auth",
  "BackendEnvironmentName": "dev",
  "UserPoolId": "us-east-1_AbC123xyz",
  "WebClientId": "webclient1234567890abcdefg",
  "NativeClientId": "nativeclient1234567890abcd",
  "IdentityPoolId": "us-east-1:0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
}
EOF
cat >"$WORK/api.json" <<'EOF'
{
  "ApiName": "todos",
  "Service": "AppSync",
  "TransformSchema": "type Todo @model { id: ID! name: String! }",
  "DefaultAuthType": {"Mode": "API_KEY", "Settings": {"ExpirationTime": 30, "Description": "cli key"}},
  "AdditionalAuthTypes": [{"Mode": "AWS_IAM"}]
}
EOF

# --- backends, environments and jobs -----------------------------------------------------------
backends() {
	out=$(ab create-backend --app-id d1ops --app-name opsapp --backend-environment-name dev)
	check "create-backend answer" '.AppId == "d1ops" and .BackendEnvironmentName == "dev" and .Operation == "CreateBackend"' "$out"
	completes create-backend d1ops dev "$out"
	created=$(job_id "$out")
	expect_error_msg "create-backend of an existing environment" BadRequestException "already exists" \
		ab create-backend --app-id d1ops --app-name opsapp --backend-environment-name dev

	out=$(ab get-backend --app-id d1ops --backend-environment-name dev)
	check "get-backend" '.AppId == "d1ops" and .AppName == "opsapp" and .BackendEnvironmentList == ["dev"] and .BackendEnvironmentName == "dev"' "$out"
	check "get-backend amplify-meta" '.AmplifyMetaConfig | fromjson | .providers.awscloudformation.StackName | test("^amplify-opsapp-dev-[0-9]{6}$")' "$out"
	check "get-backend cli.json" '.AmplifyFeatureFlags | fromjson | .features.graphqltransformer.transformerversion == 2' "$out"
	expect_error_msg "get-backend of a missing app" NotFoundException "nosuchapp" ab get-backend --app-id nosuchapp
	expect_error_msg "get-backend of a missing environment" NotFoundException "qa" ab get-backend --app-id d1ops --backend-environment-name qa

	out=$(ab clone-backend --app-id d1ops --backend-environment-name dev --target-environment-name prod)
	check "clone-backend answer" '.Operation == "CloneBackend" and .BackendEnvironmentName == "dev"' "$out"
	completes clone-backend d1ops dev "$out"
	cloned=$(job_id "$out")
	expect_error_msg "clone-backend onto an existing environment" BadRequestException "already exists" \
		ab clone-backend --app-id d1ops --backend-environment-name dev --target-environment-name prod
	out=$(ab get-backend --app-id d1ops)
	check "clone made prod" '.BackendEnvironmentList == ["dev", "prod"] and (.AmplifyMetaConfig == null)' "$out"

	out=$(ab get-backend-job --app-id d1ops --backend-environment-name dev --job-id "$created")
	check "get-backend-job" ".JobId == \"$created\" and .Operation == \"CreateBackend\" and .Status == \"COMPLETED\" and .AppId == \"d1ops\" and (.UpdateTime | test(\"^[0-9]{13}$\"))" "$out"
	expect_error_msg "get-backend-job of a missing job" NotFoundException "0000" \
		ab get-backend-job --app-id d1ops --backend-environment-name dev --job-id 0000

	# The CLI paginates list-backend-jobs: pages of 1 are merged; --max-items stops with a token.
	out=$(ab list-backend-jobs --app-id d1ops --backend-environment-name dev --page-size 1)
	check "list-backend-jobs walks pages" "[.Jobs[].JobId] == [\"$cloned\", \"$created\"] and .NextToken == null" "$out"
	out=$(ab list-backend-jobs --app-id d1ops --backend-environment-name dev --page-size 1 --max-items 1)
	check "list-backend-jobs --max-items" "[.Jobs[].JobId] == [\"$cloned\"] and (.NextToken | length > 0)" "$out"
	out=$(ab list-backend-jobs --app-id d1ops --backend-environment-name dev --page-size 1 --starting-token "$(printf '%s' "$out" | jq -r .NextToken)")
	check "list-backend-jobs --starting-token" "[.Jobs[].JobId] == [\"$created\"]" "$out"
	out=$(ab list-backend-jobs --app-id d1ops --backend-environment-name dev --no-paginate --max-results 1)
	check "list-backend-jobs --no-paginate" "(.Jobs | length) == 1 and (.NextToken | length > 0)" "$out"
	out=$(ab list-backend-jobs --app-id d1ops --backend-environment-name dev --operation CreateBackend --status COMPLETED)
	check "list-backend-jobs filters" "[.Jobs[].JobId] == [\"$created\"]" "$out"
	expect_error_msg "list-backend-jobs --max-results 26" BadRequestException "less than or equal to 25" \
		ab list-backend-jobs --app-id d1ops --backend-environment-name dev --max-results 26
	expect_error_msg "list-backend-jobs with a forged token" BadRequestException "NextToken" \
		ab list-backend-jobs --app-id d1ops --backend-environment-name dev --no-paginate --next-token forged

	out=$(ab update-backend-job --app-id d1ops --backend-environment-name dev --job-id "$created" --operation Relabelled --status FAILED)
	check "update-backend-job" ".JobId == \"$created\" and .Operation == \"Relabelled\" and .Status == \"FAILED\" and (.CreateTime | test(\"^[0-9]{13}$\"))" "$out"
	expect_error_msg "update-backend-job with an unknown status" BadRequestException "'status'" \
		ab update-backend-job --app-id d1ops --backend-environment-name dev --job-id "$created" --status DONE
	expect_error_msg "update-backend-job of a missing job" NotFoundException "0000" \
		ab update-backend-job --app-id d1ops --backend-environment-name dev --job-id 0000 --status FAILED
	# Regression: --job-id "" is sent as POST /backend/d1ops/job/dev/, which the server once
	# answered as ListBackendJobs (200), so the CLI exited 0 as if the job had been updated.
	expect_error_msg "update-backend-job with an empty job id" BadRequestException "'jobId'" \
		ab update-backend-job --app-id d1ops --backend-environment-name dev --job-id "" --status FAILED
	# Regression: an empty backendEnvironmentName in the body was once taken as absent (200).
	expect_error_msg "get-backend with an empty environment name" BadRequestException "'backendEnvironmentName'" \
		ab get-backend --app-id d1ops --backend-environment-name ""

	out=$(ab delete-backend --app-id d1ops --backend-environment-name prod)
	check "delete-backend answer" '.Operation == "DeleteBackend" and .BackendEnvironmentName == "prod"' "$out"
	completes delete-backend d1ops prod "$out"
	expect_error_msg "delete-backend of a missing environment" NotFoundException "prod" ab delete-backend --app-id d1ops --backend-environment-name prod
	out=$(ab list-backend-jobs --app-id d1ops --backend-environment-name prod)
	check "jobs outlive their environment" '[.Jobs[].Operation] == ["DeleteBackend"]' "$out"
	out=$(ab remove-all-backends --app-id d1ops --clean-amplify-app)
	check "remove-all-backends answer" '.Operation == "RemoveAllBackends" and .AppId == "d1ops" and .Status == "IN_PROGRESS"' "$out"
	job=$(wait_job d1ops dev "$(job_id "$out")")
	check "remove-all-backends completes" '.Status == "COMPLETED" and .Operation == "RemoveAllBackends"' "$job"
	expect_error_msg "get-backend after remove-all-backends --clean-amplify-app" NotFoundException "d1ops" ab get-backend --app-id d1ops
	expect_error_msg "remove-all-backends of a missing app" NotFoundException "" ab remove-all-backends --app-id d1ops
}

# --- auth ----------------------------------------------------------------------------------------
auth() {
	new_backend d1auth dev
	expect_error_msg "import-backend-auth with a bad user pool id" BadRequestException "userPoolId" \
		ab import-backend-auth --app-id d1auth --backend-environment-name dev --user-pool-id us-east-1AbC123xyz --web-client-id w --native-client-id n
	out=$(ab create-backend-auth --app-id d1auth --backend-environment-name dev --resource-name cliauth --resource-config "file://$WORK/auth.json")
	check "create-backend-auth answer" '.Operation == "CreateBackendAuth" and .BackendEnvironmentName == "dev"' "$out"
	completes create-backend-auth d1auth dev "$out"
	out=$(ab get-backend-auth --app-id d1auth --backend-environment-name dev --resource-name cliauth)
	check "get-backend-auth returns the configuration as written" \
		".ResourceName == \"cliauth\" and .AppId == \"d1auth\" and .ResourceConfig == $(jq -c . "$WORK/auth.json")" "$out"
	out=$(ab get-backend --app-id d1auth --backend-environment-name dev)
	check "auth in amplify-meta" '.AmplifyMetaConfig | fromjson | .auth.cliauth | .service == "Cognito" and (.output.UserPoolId | test("^us-east-1_[A-Za-z0-9]{9}$")) and (.output.IdentityPoolId | test("^us-east-1:"))' "$out"
	expect_error_msg "create-backend-auth over existing auth" BadRequestException "" \
		ab create-backend-auth --app-id d1auth --backend-environment-name dev --resource-name other --resource-config "file://$WORK/auth.json"

	# Inline JSON; merges member by member.
	out=$(ab update-backend-auth --app-id d1auth --backend-environment-name dev --resource-name cliauth --resource-config \
		'{"AuthResources":"IDENTITY_POOL_AND_USER_POOL","Service":"COGNITO","UserPoolConfigs":{"PasswordPolicy":{"MinimumLength":16},"OAuth":{"SocialProviderSettings":{"Google":{"ClientId":"g2","ClientSecret":"g2s"}}}}}')
	check "update-backend-auth answer" '.Operation == "UpdateBackendAuth"' "$out"
	completes update-backend-auth d1auth dev "$out"
	out=$(ab get-backend-auth --app-id d1auth --backend-environment-name dev --resource-name cliauth)
	check "update-backend-auth merged" \
		".ResourceConfig == ($(jq -c . "$WORK/auth.json") | .UserPoolConfigs.PasswordPolicy.MinimumLength = 16 | .UserPoolConfigs.OAuth.SocialProviderSettings.Google = {\"ClientId\":\"g2\",\"ClientSecret\":\"g2s\"})" "$out"
	expect_error_msg "update-backend-auth with a bad enum" BadRequestException "resourceConfig.authResources" \
		ab update-backend-auth --app-id d1auth --backend-environment-name dev --resource-name cliauth \
		--resource-config '{"AuthResources":"EVERYTHING","Service":"COGNITO","UserPoolConfigs":{}}'

	out=$(ab delete-backend-auth --app-id d1auth --backend-environment-name dev --resource-name cliauth)
	check "delete-backend-auth answer" '.Operation == "DeleteBackendAuth"' "$out"
	completes delete-backend-auth d1auth dev "$out"
	expect_error_msg "get-backend-auth after delete" NotFoundException "" \
		ab get-backend-auth --app-id d1auth --backend-environment-name dev --resource-name cliauth

	# Import, with --cli-input-json.
	out=$(ab import-backend-auth --cli-input-json "file://$WORK/import.json")
	check "import-backend-auth answer" '.Operation == "ImportBackendAuth"' "$out"
	completes import-backend-auth d1auth dev "$out"
	meta=$(ab get-backend --app-id d1auth --backend-environment-name dev | jq -r .AmplifyMetaConfig)
	check "imported auth in amplify-meta" '.auth | to_entries | length == 1 and (.[0].key | test("^d1auth[0-9a-f]{8}$")) and .[0].value.serviceType == "imported" and .[0].value.output.UserPoolId == "us-east-1_AbC123xyz"' "$meta"
	imported=$(printf '%s' "$meta" | jq -r '.auth | keys[0]')
	out=$(ab get-backend-auth --app-id d1auth --backend-environment-name dev --resource-name "$imported")
	check "get-backend-auth of imported auth" '.ResourceConfig == {"AuthResources":"IDENTITY_POOL_AND_USER_POOL","Service":"COGNITO","IdentityPoolConfigs":{"IdentityPoolName":"us-east-1:0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"},"UserPoolConfigs":{"UserPoolName":"us-east-1_AbC123xyz"}}' "$out"
	expect_error_msg "import-backend-auth into a missing environment" NotFoundException "qa" \
		ab import-backend-auth --app-id d1auth --backend-environment-name qa --user-pool-id us-east-1_AbC123xyz --web-client-id w --native-client-id n

}

# --- GraphQL API and data models ------------------------------------------------------------------
api() {
	new_backend d1api dev
	expect_error_msg "create-backend-api with a bad auth mode" BadRequestException "resourceConfig.defaultAuthType.mode" \
		ab create-backend-api --app-id d1api --backend-environment-name dev --resource-name x \
		--resource-config '{"TransformSchema":"type A @model { id: ID! }","DefaultAuthType":{"Mode":"PASSWORD"}}'
	out=$(ab create-backend-api --app-id d1api --backend-environment-name dev --resource-name todoapi --resource-config "file://$WORK/api.json")
	check "create-backend-api answer" '.Operation == "CreateBackendAPI"' "$out"
	completes create-backend-api d1api dev "$out"
	out=$(ab get-backend-api --app-id d1api --backend-environment-name dev --resource-name todoapi)
	check "get-backend-api" ".ResourceName == \"todoapi\" and .ResourceConfig == $(jq -c . "$WORK/api.json")" "$out"
	out=$(ab get-backend-api-models --app-id d1api --backend-environment-name dev --resource-name todoapi)
	check "get-backend-api-models before generation" '.Status == "STALE" and .Models == "" and .ModelIntrospectionSchema == ""' "$out"
	out=$(ab generate-backend-api-models --app-id d1api --backend-environment-name dev --resource-name todoapi)
	check "generate-backend-api-models answer" '.Operation == "GenerateBackendAPIModels"' "$out"
	completes generate-backend-api-models d1api dev "$out"
	out=$(ab get-backend-api-models --app-id d1api --backend-environment-name dev --resource-name todoapi)
	check "get-backend-api-models LATEST" '.Status == "LATEST" and (.Models | contains("export const schema")) and (.ModelIntrospectionSchema | fromjson | .models.Todo.fields.name.type == "String")' "$out"
	out=$(ab update-backend-api --app-id d1api --backend-environment-name dev --resource-name todoapi \
		--resource-config '{"TransformSchema":"type Todo @model { id: ID! name: String! done: Boolean }"}')
	check "update-backend-api answer" '.Operation == "UpdateBackendAPI"' "$out"
	completes update-backend-api d1api dev "$out"
	out=$(ab get-backend-api-models --app-id d1api --backend-environment-name dev --resource-name todoapi)
	check "get-backend-api-models STALE after a schema change" '.Status == "STALE" and (.Models | contains("export const schema"))' "$out"
	out=$(ab get-backend-api --app-id d1api --backend-environment-name dev --resource-name todoapi)
	check "update-backend-api merged" '.ResourceConfig.ApiName == "todos" and (.ResourceConfig.TransformSchema | contains("done: Boolean"))' "$out"
	out=$(ab delete-backend-api --app-id d1api --backend-environment-name dev --resource-name todoapi)
	check "delete-backend-api answer" '.Operation == "DeleteBackendAPI"' "$out"
	completes delete-backend-api d1api dev "$out"
	expect_error_msg "get-backend-api after delete" NotFoundException "" \
		ab get-backend-api --app-id d1api --backend-environment-name dev --resource-name todoapi

}

# --- storage and buckets ---------------------------------------------------------------------------
storage() {
	new_backend d1st dev
	# Storage needs auth, as `amplify add storage` does.
	expect_error_msg "create-backend-storage without auth" BadRequestException \
		"CreateBackendStorage needs an auth resource, but backend environment dev of appId: d1st has none: add auth first (CreateBackendAuth or ImportBackendAuth" \
		ab create-backend-storage --app-id d1st --backend-environment-name dev --resource-name f \
		--resource-config 'ServiceName=S3,Permissions={Authenticated=[READ]}'
	out=$(ab create-backend-auth --app-id d1st --backend-environment-name dev --resource-name stauth --resource-config \
		'{"AuthResources":"USER_POOL_ONLY","Service":"COGNITO","UserPoolConfigs":{"RequiredSignUpAttributes":["EMAIL"],"SignInMethod":"EMAIL","UserPoolName":"stpool"}}')
	completes create-backend-auth d1st dev "$out"
	expect_error_msg "import-backend-storage of another account's bucket" NotFoundException "" \
		ab import-backend-storage --app-id d1st --backend-environment-name dev --bucket-name foreign-cli-bucket --service-name S3
	expect_error_msg "create-backend-storage with a bad bucket name" BadRequestException "Bucket names" \
		ab create-backend-storage --app-id d1st --backend-environment-name dev --resource-name f \
		--resource-config 'ServiceName=S3,BucketName=Bad_Bucket,Permissions={Authenticated=[READ]}'
	out=$(ab list-s3-buckets)
	check "list-s3-buckets: the account's pre-existing bucket only" '[.Buckets[].Name] == ["existing-cli-bucket"] and (.Buckets[0].CreationDate | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$"))' "$out"
	# Shorthand syntax.
	out=$(ab create-backend-storage --app-id d1st --backend-environment-name dev --resource-name files \
		--resource-config 'ServiceName=S3,BucketName=cli-files-bucket,Permissions={Authenticated=[READ,CREATE_AND_UPDATE],UnAuthenticated=[READ]}')
	completes create-backend-storage d1st dev "$out"
	out=$(ab get-backend-storage --app-id d1st --backend-environment-name dev --resource-name files)
	check "get-backend-storage" '.ResourceName == "files" and .ResourceConfig == {"BucketName":"cli-files-bucket","Imported":false,"ServiceName":"S3","Permissions":{"Authenticated":["READ","CREATE_AND_UPDATE"],"UnAuthenticated":["READ"]}}' "$out"
	out=$(ab list-s3-buckets)
	check "list-s3-buckets shows the created bucket" '[.Buckets[].Name] == ["cli-files-bucket", "existing-cli-bucket"]' "$out"
	out=$(ab update-backend-storage --app-id d1st --backend-environment-name dev --resource-name files \
		--resource-config '{"ServiceName":"S3","Permissions":{"Authenticated":["READ"],"UnAuthenticated":[]}}')
	completes update-backend-storage d1st dev "$out"
	out=$(ab get-backend-storage --app-id d1st --backend-environment-name dev --resource-name files)
	check "update-backend-storage" '.ResourceConfig.Permissions == {"Authenticated":["READ"],"UnAuthenticated":[]}' "$out"
	out=$(ab delete-backend-storage --app-id d1st --backend-environment-name dev --resource-name files --service-name S3)
	completes delete-backend-storage d1st dev "$out"
	expect_error_msg "get-backend-storage after delete" NotFoundException "" \
		ab get-backend-storage --app-id d1st --backend-environment-name dev --resource-name files
	out=$(ab import-backend-storage --app-id d1st --backend-environment-name dev --bucket-name existing-cli-bucket --service-name S3)
	completes import-backend-storage d1st dev "$out"
	out=$(ab get-backend-storage --app-id d1st --backend-environment-name dev --resource-name existingclibucket)
	check "imported storage" '.ResourceConfig.BucketName == "existing-cli-bucket" and .ResourceConfig.Imported == true' "$out"
	expect_error_msg "delete-backend-auth while storage depends on it" BadRequestException \
		"The auth resource stauth cannot be deleted: the storage resource existingclibucket of appId: d1st and backendEnvironmentName: dev depends on it." \
		ab delete-backend-auth --app-id d1st --backend-environment-name dev --resource-name stauth

}

# --- Admin UI config and tokens ---------------------------------------------------------------------
config_tokens() {
	new_backend d1cfg dev
	expect_error_msg "update-backend-config without a config" NotFoundException "" ab update-backend-config --app-id d1cfg
	out=$(ab create-backend-config --app-id d1cfg --backend-manager-app-id mgr1)
	check "create-backend-config answer" '.AppId == "d1cfg" and .BackendEnvironmentName == "dev"' "$out"
	completes create-backend-config d1cfg dev "$out"
	out=$(ab update-backend-config --app-id d1cfg)
	check "update-backend-config reads the config" '.AppId == "d1cfg" and .BackendManagerAppId == "mgr1" and (.LoginAuthConfig.AwsUserPoolsId | test("^us-east-1_")) and .LoginAuthConfig.AwsCognitoRegion == "us-east-1"' "$out"
	pool=$(printf '%s' "$out" | jq -r .LoginAuthConfig.AwsUserPoolsId)
	out=$(ab update-backend-config --app-id d1cfg --login-auth-config AwsUserPoolsWebClientId=newclient)
	check "update-backend-config overwrites the given members" ".LoginAuthConfig.AwsUserPoolsWebClientId == \"newclient\" and .LoginAuthConfig.AwsUserPoolsId == \"$pool\"" "$out"
	expect_error_msg "create-backend-config twice" BadRequestException "" ab create-backend-config --app-id d1cfg
	out=$(ab remove-backend-config --app-id d1cfg)
	check_eq "remove-backend-config prints nothing" "$out" ""
	expect_error_msg "remove-backend-config twice" NotFoundException "" ab remove-backend-config --app-id d1cfg

	out=$(ab create-token --app-id d1cfg)
	check "create-token" ".AppId == \"d1cfg\" and (.SessionId | test(\"$UUID\")) and (.ChallengeCode | test(\"^[A-Z2-7]{16}$\")) and (.Ttl | tonumber) > now" "$out"
	session=$(printf '%s' "$out" | jq -r .SessionId)
	got=$(ab get-token --app-id d1cfg --session-id "$session")
	check "get-token returns the token" "$out == ." "$got"
	out=$(ab delete-token --app-id d1cfg --session-id "$session")
	check "delete-token" '. == {"IsSuccess": true}' "$out"
	expect_error_msg "get-token after delete" NotFoundException "$session" ab get-token --app-id d1cfg --session-id "$session"
	expect_error_msg "create-token of a missing app" NotFoundException "" ab create-token --app-id nosuchapp

}

# --- more jobs than a server page: the CLI follows the NextToken on its own ------------------------
# The jobs are made with curl (unsigned: account 000000000000 in us-east-1, as AKIDEXAMPLE), fast.
many_jobs() {
	local i id st
	curl -sf -X POST "$ENDPOINT/backend" -H 'Content-Type: application/json' \
		-d '{"appId":"d1many","appName":"many","backendEnvironmentName":"dev"}' >/dev/null
	for i in $(seq 1 27); do
		for _ in $(seq 1 200); do
			st=$(curl -sf "$ENDPOINT/backend/d1many/job/dev" -X POST -H 'Content-Type: application/json' -d '{"maxResults":1}' | jq -r '.jobs[0].status')
			[ "$st" != IN_PROGRESS ] && break
			sleep 0.02
		done
		curl -sf -X POST "$ENDPOINT/backend/d1many/environments/dev/clone" -H 'Content-Type: application/json' \
			-d "{\"targetEnvironmentName\":\"e$i\"}" >/dev/null
	done
	out=$(ab list-backend-jobs --app-id d1many --backend-environment-name dev)
	check "list-backend-jobs walks the server's pages of 25" '(.Jobs | length) == 28 and ([.Jobs[].JobId] | unique | length) == 28 and .Jobs[-1].Operation == "CreateBackend" and .NextToken == null' "$out"
	out=$(ab list-backend-jobs --app-id d1many --backend-environment-name dev --max-items 27)
	check "list-backend-jobs --max-items 27" '(.Jobs | length) == 27 and (.NextToken | length > 0)' "$out"
	out=$(ab list-backend-jobs --app-id d1many --backend-environment-name dev --starting-token "$(printf '%s' "$out" | jq -r .NextToken)")
	check "list-backend-jobs --starting-token after 27" '(.Jobs | length) == 1 and .Jobs[0].Operation == "CreateBackend"' "$out"
}

# --- the cli snippet of docs/clients.md -----------------------------------------------------------
docs_snippet() {
	code=$(snippet cli "$ENDPOINT")
	check_eq "docs/clients.md has a cli snippet" "$([ -n "$code" ] && echo yes)" yes
	rc=0
	out=$(bash -c "$code" 2>&1) || rc=$?
	check_eq "the cli snippet exits 0" "$rc" 0
	check "the cli snippet creates and reads the backend" '[inputs] | .[0].Status == "IN_PROGRESS" and .[1].AppName == "docsapp"' "$(printf 'null\n%s' "$out")"
}

parallel backends auth api storage config_tokens many_jobs docs_snippet
check_coverage
finish
