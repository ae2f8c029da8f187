#!/usr/bin/env bash
# The AWS CLI against a server that verifies SigV4 (--auth sigv4): the CLI's signatures verify,
# also for names that need percent-encoding in the path (the canonical URI encodes them
# again) and for a GET; a wrong secret or an unknown key is refused with AWS's error codes.
cd "$(dirname "$0")"
. ./lib.sh
cat >"$WORK/credentials" <<'EOF'
[team]
aws_access_key_id = AKIDTEAM
aws_secret_access_key = teamsecret
aws_account_id = 123456789012
EOF
start_server --auth sigv4 --credentials "$WORK/credentials"
export AWS_ACCESS_KEY_ID=AKIDTEAM AWS_SECRET_ACCESS_KEY=teamsecret

app="d1 sig+é"
env="my env:1"
out=$(ab create-backend --app-id "$app" --app-name sigapp --backend-environment-name "$env")
completes "create-backend with encoded names" "$app" "$env" "$out"
out=$(ab get-backend --app-id "$app" --backend-environment-name "$env")
check "get-backend, signed, names round-trip" ".AppId == \"$app\" and .BackendEnvironmentName == \"$env\"" "$out"
check "the account is the key's" '.AmplifyMetaConfig | fromjson | .providers.awscloudformation.AuthRoleArn | startswith("arn:aws:iam::123456789012:role/")' "$out"
out=$(ab create-token --app-id "$app")
session=$(printf '%s' "$out" | jq -r .SessionId)
got=$(ab get-token --app-id "$app" --session-id "$session")
check "get-token (a GET), signed" "$out == ." "$got"

expect_error_msg "a wrong secret" InvalidSignatureException "signature" \
	env AWS_SECRET_ACCESS_KEY=wrong aws amplifybackend --endpoint-url "$ENDPOINT" get-backend --app-id "$app"
expect_error_msg "an unknown key" UnrecognizedClientException "" \
	env AWS_ACCESS_KEY_ID=AKIDUNKNOWN aws amplifybackend --endpoint-url "$ENDPOINT" get-backend --app-id "$app"
expect_error_msg "an unsigned request" MissingAuthenticationTokenException "" \
	aws amplifybackend --endpoint-url "$ENDPOINT" --no-sign-request get-backend --app-id "$app"

finish
