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

finish
