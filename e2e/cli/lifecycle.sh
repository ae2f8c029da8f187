#!/usr/bin/env bash
# The AWS CLI drives the backend / environment / job lifecycle against amplifybackendd.
cd "$(dirname "$0")"
. ./lib.sh
start_server

out=$(ab create-backend --app-id d1cli --app-name cliapp --backend-environment-name dev)
check "create-backend answers IN_PROGRESS" '.Status == "IN_PROGRESS" and .Operation == "CreateBackend"' "$out"
job=$(wait_job d1cli dev "$(printf '%s' "$out" | jq -r .JobId)")
check "job completes with epoch-millisecond times" '.Status == "COMPLETED" and (.CreateTime | test("^[0-9]{13}$"))' "$job"

out=$(ab get-backend --app-id d1cli --backend-environment-name dev)
check "get-backend" '.AppName == "cliapp" and .BackendEnvironmentList == ["dev"]' "$out"
meta=$(printf '%s' "$out" | jq -r .AmplifyMetaConfig)
check "amplify-meta providers" '.providers.awscloudformation.StackName | test("^amplify-cliapp-dev-[0-9]{6}$")' "$meta"

out=$(ab clone-backend --app-id d1cli --backend-environment-name dev --target-environment-name prod)
wait_job d1cli dev "$(printf '%s' "$out" | jq -r .JobId)" >/dev/null
for i in 1 2 3; do
	out=$(ab clone-backend --app-id d1cli --backend-environment-name dev --target-environment-name "e$i")
	wait_job d1cli dev "$(printf '%s' "$out" | jq -r .JobId)" >/dev/null
done
# The CLI's own paginator walks pages of 2 and merges them.
out=$(ab list-backend-jobs --app-id d1cli --backend-environment-name dev --page-size 2)
check "list-backend-jobs paginates" '(.Jobs | length) == 5 and .Jobs[-1].Operation == "CreateBackend"' "$out"
out=$(ab list-backend-jobs --app-id d1cli --backend-environment-name dev --max-items 2)
check "list-backend-jobs --max-items gives a NextToken" '(.Jobs | length) == 2 and (.NextToken | length) > 0' "$out"
first=$(printf '%s' "$out" | jq -r '.Jobs[0].JobId')
out=$(ab update-backend-job --app-id d1cli --backend-environment-name dev --job-id "$first" --operation Relabelled)
check "update-backend-job" '.Operation == "Relabelled"' "$out"

out=$(ab delete-backend --app-id d1cli --backend-environment-name prod)
wait_job d1cli prod "$(printf '%s' "$out" | jq -r .JobId)" >/dev/null
out=$(ab get-backend --app-id d1cli)
check "delete-backend" '.BackendEnvironmentList == ["dev", "e1", "e2", "e3"]' "$out"
out=$(ab remove-all-backends --app-id d1cli --clean-amplify-app)
job=$(wait_job d1cli dev "$(printf '%s' "$out" | jq -r .JobId)")
check "remove-all-backends" '.Status == "COMPLETED" and .Operation == "RemoveAllBackends"' "$job"

expect_error "get-backend of a removed app" NotFoundException ab get-backend --app-id d1cli
expect_error "update-backend-job with an unknown status" BadRequestException ab update-backend-job --app-id d1cli --backend-environment-name dev --job-id "$first" --status DONE
expect_error "list-backend-jobs with a forged token" BadRequestException ab list-backend-jobs --app-id d1cli --backend-environment-name dev --starting-token forged --max-items 1

# --- a resource another depends on: auth under an API that uses its user pool -------------------
out=$(ab create-backend --app-id d1dep --app-name depapp --backend-environment-name dev)
wait_job d1dep dev "$(printf '%s' "$out" | jq -r .JobId)" >/dev/null
out=$(ab create-backend-auth --app-id d1dep --backend-environment-name dev --resource-name depauth --resource-config \
	'{"AuthResources":"USER_POOL_ONLY","Service":"COGNITO","UserPoolConfigs":{"RequiredSignUpAttributes":["EMAIL"],"SignInMethod":"EMAIL","UserPoolName":"deppool"}}')
job=$(wait_job d1dep dev "$(printf '%s' "$out" | jq -r .JobId)")
check "create-backend-auth" '.Status == "COMPLETED"' "$job"
out=$(ab create-backend-api --app-id d1dep --backend-environment-name dev --resource-name depapi --resource-config \
	'{"ApiName":"depapi","TransformSchema":"type Todo @model { id: ID! }","DefaultAuthType":{"Mode":"AMAZON_COGNITO_USER_POOLS"}}')
job=$(wait_job d1dep dev "$(printf '%s' "$out" | jq -r .JobId)")
check "create-backend-api with user pools" '.Status == "COMPLETED"' "$job"
expect_error_msg "delete-backend-auth while the API uses its user pool" BadRequestException \
	"The auth resource depauth cannot be deleted: the API resource depapi of appId: d1dep and backendEnvironmentName: dev authorizes with AMAZON_COGNITO_USER_POOLS." \
	ab delete-backend-auth --app-id d1dep --backend-environment-name dev --resource-name depauth
out=$(ab get-backend-auth --app-id d1dep --backend-environment-name dev --resource-name depauth)
check "the refused delete left auth in place" '.ResourceName == "depauth"' "$out"

# --- the pending-job rule: jobs stay IN_PROGRESS for an hour after a restart ----------------------
for env in dev test; do
	out=$(ab create-backend --app-id d1pend --app-name pendapp --backend-environment-name "$env")
	wait_job d1pend "$env" "$(printf '%s' "$out" | jq -r .JobId)" >/dev/null
done
restart_server --job-duration 1h
pending() {
	local clause=
	[ -n "$1" ] && clause=" and backendEnvironmentName: $1"
	printf 'ValidationException - An error occurred while processing your request: There is already a pending job for the requested appId: d1pend%s, wait for it to complete before creating a new job.' "$clause"
}
out=$(ab clone-backend --app-id d1pend --backend-environment-name dev --target-environment-name qa)
check "clone-backend stays IN_PROGRESS" '.Status == "IN_PROGRESS"' "$out"
clone=$(printf '%s' "$out" | jq -r .JobId)
expect_error_exact "delete-backend while a job of its environment is pending" BadRequestException DeleteBackend "$(pending dev)" \
	ab delete-backend --app-id d1pend --backend-environment-name dev
expect_error_exact "remove-all-backends while a job of dev is pending" BadRequestException RemoveAllBackends "$(pending dev)" \
	ab remove-all-backends --app-id d1pend
out=$(ab update-backend-job --app-id d1pend --backend-environment-name dev --job-id "$clone" --status FAILED)
check "update-backend-job closes the pending clone" '.Status == "FAILED"' "$out"
out=$(ab remove-all-backends --app-id d1pend)
check "remove-all-backends once dev is free" '.Status == "IN_PROGRESS" and .Operation == "RemoveAllBackends"' "$out"
rm=$(printf '%s' "$out" | jq -r .JobId)
# A pending remove-all-backends blocks every environment, named as requested, new ones too.
expect_error_exact "create-backend-auth of test behind a pending remove-all-backends" BadRequestException CreateBackendAuth "$(pending test)" \
	ab create-backend-auth --app-id d1pend --backend-environment-name test --resource-name a --resource-config \
	'{"AuthResources":"USER_POOL_ONLY","Service":"COGNITO","UserPoolConfigs":{"RequiredSignUpAttributes":["EMAIL"],"SignInMethod":"EMAIL","UserPoolName":"p"}}'
expect_error_exact "create-backend of a new environment behind a pending remove-all-backends" BadRequestException CreateBackend "$(pending brandnew)" \
	ab create-backend --app-id d1pend --app-name pendapp --backend-environment-name brandnew
expect_error_exact "remove-all-backends behind a pending remove-all-backends" BadRequestException RemoveAllBackends "$(pending "")" \
	ab remove-all-backends --app-id d1pend --clean-amplify-app
out=$(ab get-backend-job --app-id d1pend --backend-environment-name test --job-id "$rm")
check "the app-wide job has no environment" '.Status == "IN_PROGRESS" and .Operation == "RemoveAllBackends" and (has("BackendEnvironmentName") | not)' "$out"
out=$(ab get-backend --app-id d1pend)
check "nothing was removed while the job is pending" '.BackendEnvironmentList == ["dev", "test"]' "$out"

finish
