// The scenario both JS suites run: every one of the 31 AmplifyBackend commands, with
// assertions on what comes back, through the AWS SDK for JavaScript v3. The Node suite turns
// each step into a node:test test; the browser page runs the steps in order and reports them.
//
// The steps share state (the app they build up), so they must run in order.
//
// options:
//   sdk, client   the SDK module and a client pointed at the server
//   app           an app id of its own (the scenario creates and finally removes it)
//   importBucket  a bucket the server was started with (--s3-buckets), for ImportBackendStorage
//   reference     { schema, models, introspection }: a corpus schema and what the Amplify tool
//                 chain generates for it (internal/modelgen/testdata/corpus)
import { waitJob, listAllJobs, listAllBuckets } from "./jobs.js";
import * as fx from "./fixtures.js";
import { ok, equal, deepEqual, match, rejects } from "./expect.js";

export function scenario({ sdk, client, app, importBucket, reference }) {
  const send = (command, input) => client.send(new sdk[command](input));
  const AppId = app;
  const dev = { AppId, BackendEnvironmentName: "dev" };
  const prod = { AppId, BackendEnvironmentName: "prod" };
  const configApp = `${app}cfg`;
  const bucket = `${app.toLowerCase()}-photos`;
  const state = {};

  // submitted checks a job-creating response and waits for the job; it returns the job.
  async function submitted(out, { env, operation, status = "COMPLETED" }) {
    equal(out.Status, "IN_PROGRESS", `${operation} response Status`);
    equal(out.AppId, AppId, `${operation} response AppId`);
    if (env) equal(out.BackendEnvironmentName, env, `${operation} response BackendEnvironmentName`);
    // The storage operations' response shapes have no Operation member.
    if (!operation.endsWith("Storage")) equal(out.Operation, operation, `${operation} response Operation`);
    match(out.JobId, fx.uuidRE, `${operation} JobId`);
    const job = await waitJob(sdk, client, AppId, env || "dev", out.JobId);
    equal(job.Status, status, `${operation} job ${out.JobId} status (error: ${job.Error})`);
    equal(job.Operation, operation, `${operation} job Operation`);
    return job;
  }

  async function meta(env) {
    const out = await send("GetBackendCommand", { AppId, BackendEnvironmentName: env });
    return JSON.parse(out.AmplifyMetaConfig);
  }

  return [
    {
      name: "CreateBackend + GetBackendJob: the app and its first environment",
      async run() {
        const out = await send("CreateBackendCommand", {
          ...dev, AppName: "E2E App", ResourceName: "main", ResourceConfig: {},
        });
        const job = await submitted(out, { env: "dev", operation: "CreateBackend" });
        equal(job.JobId, out.JobId, "GetBackendJob JobId");
        equal(job.AppId, AppId, "GetBackendJob AppId");
        equal(job.BackendEnvironmentName, "dev", "GetBackendJob BackendEnvironmentName");
        match(job.CreateTime, fx.epochMillisRE, "CreateTime");
        match(job.UpdateTime, fx.epochMillisRE, "UpdateTime");
        ok(Number(job.UpdateTime) >= Number(job.CreateTime), `UpdateTime ${job.UpdateTime} < CreateTime ${job.CreateTime}`);
        ok(Math.abs(Number(job.CreateTime) - Date.now()) < 60000, `CreateTime ${job.CreateTime} is not now`);
        equal(job.Error, undefined, "Error of a completed job");
        state.firstJob = job.JobId;
        // The environment exists now: creating it again is refused at once.
        await rejects(send("CreateBackendCommand", { ...dev, AppName: "E2E App" }), sdk.BadRequestException,
          { status: 400, message: /dev/ }, "CreateBackend of an existing environment");
      },
    },
    {
      name: "GetBackend: environments, amplify-meta.json and cli.json",
      async run() {
        const whole = await send("GetBackendCommand", { AppId });
        equal(whole.AppId, AppId, "AppId");
        equal(whole.AppName, "E2E App", "AppName");
        deepEqual(whole.BackendEnvironmentList, ["dev"], "BackendEnvironmentList");
        equal(whole.AmplifyMetaConfig, undefined, "AmplifyMetaConfig without an environment");
        const env = await send("GetBackendCommand", dev);
        equal(env.BackendEnvironmentName, "dev", "BackendEnvironmentName");
        const cfn = JSON.parse(env.AmplifyMetaConfig).providers.awscloudformation;
        match(cfn.StackName, /^amplify-e2eapp-dev-\d{6}$/, "StackName");
        equal(cfn.AmplifyAppId, AppId, "AmplifyAppId");
        equal(cfn.Region, "us-east-1", "Region");
        equal(cfn.AuthRoleName, `${cfn.StackName}-authRole`, "AuthRoleName");
        equal(cfn.DeploymentBucketName, `${cfn.StackName}-deployment`, "DeploymentBucketName");
        const flags = JSON.parse(env.AmplifyFeatureFlags);
        ok(flags && typeof flags.features === "object", `AmplifyFeatureFlags has no features: ${env.AmplifyFeatureFlags}`);
      },
    },
    {
      name: "CreateBackendAuth + GetBackendAuth: the full nested configuration round-trips",
      async run() {
        const out = await send("CreateBackendAuthCommand", { ...dev, ResourceName: "e2eauth", ResourceConfig: fx.fullAuthConfig() });
        await submitted(out, { env: "dev", operation: "CreateBackendAuth" });
        const got = await send("GetBackendAuthCommand", { ...dev, ResourceName: "e2eauth" });
        equal(got.AppId, AppId, "AppId");
        equal(got.BackendEnvironmentName, "dev", "BackendEnvironmentName");
        equal(got.ResourceName, "e2eauth", "ResourceName");
        deepEqual(got.ResourceConfig, fx.fullAuthConfig(), "GetBackendAuth ResourceConfig");
        const entry = (await meta("dev")).auth.e2eauth;
        equal(entry.service, "Cognito", "auth service");
        deepEqual(entry.frontendAuthConfig.socialProviders, ["FACEBOOK", "GOOGLE", "AMAZON", "APPLE"], "socialProviders");
        match(entry.output.UserPoolId, fx.userPoolIdRE, "UserPoolId");
        match(entry.output.AppClientIDWeb, fx.clientIdRE, "AppClientIDWeb");
        match(entry.output.IdentityPoolId, fx.identityPoolIdRE, "IdentityPoolId");
        state.authOutput = entry.output;
        // One auth resource per environment.
        await rejects(send("ImportBackendAuthCommand", { ...dev, ...fx.importAuthIds }), sdk.BadRequestException,
          { status: 400 }, "ImportBackendAuth where auth exists");
        await rejects(send("GetBackendAuthCommand", { ...dev, ResourceName: "other" }), sdk.NotFoundException,
          { status: 404, resourceType: "auth" }, "GetBackendAuth of another name");
      },
    },
    {
      name: "UpdateBackendAuth: merges into the stored configuration",
      async run() {
        const out = await send("UpdateBackendAuthCommand", { ...dev, ResourceName: "e2eauth", ResourceConfig: fx.authUpdate() });
        await submitted(out, { env: "dev", operation: "UpdateBackendAuth" });
        const got = await send("GetBackendAuthCommand", { ...dev, ResourceName: "e2eauth" });
        deepEqual(got.ResourceConfig, fx.authMerged(), "GetBackendAuth after UpdateBackendAuth");
        deepEqual((await meta("dev")).auth.e2eauth.output, state.authOutput, "deployed ids after an update");
      },
    },
    {
      name: "CloneBackend: a new environment with the same configuration and new ids",
      async run() {
        const out = await send("CloneBackendCommand", { ...dev, TargetEnvironmentName: "prod" });
        await submitted(out, { env: "dev", operation: "CloneBackend" });
        deepEqual((await send("GetBackendCommand", { AppId })).BackendEnvironmentList, ["dev", "prod"], "environments after clone");
        const got = await send("GetBackendAuthCommand", { ...prod, ResourceName: "e2eauth" });
        deepEqual(got.ResourceConfig, fx.authMerged(), "cloned auth configuration");
        const cloned = (await meta("prod")).auth.e2eauth.output;
        ok(cloned.UserPoolId !== state.authOutput.UserPoolId, `clone kept UserPoolId ${cloned.UserPoolId}`);
        await rejects(send("CloneBackendCommand", { ...dev, TargetEnvironmentName: "prod" }), sdk.BadRequestException,
          { status: 400 }, "CloneBackend onto an existing environment");
      },
    },
    {
      name: "DeleteBackendAuth + ImportBackendAuth: replace created auth by existing pools",
      async run() {
        const del = await send("DeleteBackendAuthCommand", { ...prod, ResourceName: "e2eauth" });
        await submitted(del, { env: "prod", operation: "DeleteBackendAuth" });
        await rejects(send("GetBackendAuthCommand", { ...prod, ResourceName: "e2eauth" }), sdk.NotFoundException,
          { status: 404, resourceType: "auth" }, "GetBackendAuth after DeleteBackendAuth");

        const imp = await send("ImportBackendAuthCommand", { ...prod, ...fx.importAuthIds });
        await submitted(imp, { env: "prod", operation: "ImportBackendAuth" });
        const auth = (await meta("prod")).auth;
        const names = Object.keys(auth);
        equal(names.length, 1, `auth resources after import (${names})`);
        const name = names[0];
        match(name, /^e2e_app[0-9a-f]{8}$/, "imported resource name");
        equal(auth[name].serviceType, "imported", "serviceType");
        equal(auth[name].output.UserPoolId, fx.importAuthIds.UserPoolId, "imported UserPoolId");
        equal(auth[name].output.AppClientIDWeb, fx.importAuthIds.WebClientId, "imported AppClientIDWeb");
        equal(auth[name].output.AppClientID, fx.importAuthIds.NativeClientId, "imported AppClientID");
        const got = await send("GetBackendAuthCommand", { ...prod, ResourceName: name });
        deepEqual(got.ResourceConfig, {
          AuthResources: "IDENTITY_POOL_AND_USER_POOL",
          Service: "COGNITO",
          IdentityPoolConfigs: { IdentityPoolName: fx.importAuthIds.IdentityPoolId },
          UserPoolConfigs: { UserPoolName: fx.importAuthIds.UserPoolId },
        }, "GetBackendAuth of imported auth");
        await rejects(send("UpdateBackendAuthCommand", { ...prod, ResourceName: name, ResourceConfig: fx.authUpdate() }),
          sdk.BadRequestException, { status: 400 }, "UpdateBackendAuth of imported auth");
        await rejects(send("ImportBackendAuthCommand", { AppId, BackendEnvironmentName: "qa", ...fx.importAuthIds, UserPoolId: "not-a-pool" }),
          sdk.BadRequestException, { status: 400, message: /not-a-pool|userPoolId|UserPoolId/ }, "ImportBackendAuth of a malformed pool id");
      },
    },
    {
      name: "CreateBackendAPI + GetBackendAPI: the stored configuration",
      async run() {
        const out = await send("CreateBackendAPICommand", { ...dev, ResourceName: "todoapi", ResourceConfig: fx.apiConfig(reference.schema) });
        await submitted(out, { env: "dev", operation: "CreateBackendAPI" });
        const got = await send("GetBackendAPICommand", { ...dev, ResourceName: "todoapi" });
        equal(got.ResourceName, "todoapi", "ResourceName");
        deepEqual(got.ResourceConfig, fx.apiConfig(reference.schema), "GetBackendAPI ResourceConfig");
        const entry = (await meta("dev")).api.todoapi;
        equal(entry.service, "AppSync", "api service");
        match(entry.output.GraphQLAPIKeyOutput, /^da2-[a-z0-9]{26}$/, "GraphQLAPIKeyOutput");
        match(entry.output.GraphQLAPIEndpointOutput, /^https:\/\/[a-z0-9]{26}\.appsync-api\.us-east-1\.amazonaws\.com\/graphql$/, "endpoint");
      },
    },
    {
      name: "GenerateBackendAPIModels + GetBackendAPIModels: the Amplify tool chain's models, STALE then LATEST",
      async run() {
        const before = await send("GetBackendAPIModelsCommand", { ...dev, ResourceName: "todoapi" });
        equal(before.Status, "STALE", "Status before any generation");
        equal(before.Models, "", "Models before any generation");
        equal(before.ModelIntrospectionSchema, "", "ModelIntrospectionSchema before any generation");

        const out = await send("GenerateBackendAPIModelsCommand", { ...dev, ResourceName: "todoapi" });
        await submitted(out, { env: "dev", operation: "GenerateBackendAPIModels" });
        const got = await send("GetBackendAPIModelsCommand", { ...dev, ResourceName: "todoapi" });
        equal(got.Status, "LATEST", "Status after generation");
        ok(got.Models.startsWith("export const schema = {"), `Models does not start with "export const schema": ${got.Models.slice(0, 80)}`);
        equal(got.Models, reference.models, "Models (the tool chain's model-introspection metadata)");
        // Same content and same key order as the reference.
        equal(JSON.stringify(JSON.parse(got.ModelIntrospectionSchema)), JSON.stringify(reference.introspection), "ModelIntrospectionSchema");
        state.models = got.Models;
      },
    },
    {
      name: "UpdateBackendAPI: a new schema makes the models STALE; a bad schema fails its job",
      async run() {
        const rename = await send("UpdateBackendAPICommand", { ...dev, ResourceName: "todoapi", ResourceConfig: { ApiName: "todos2" } });
        await submitted(rename, { env: "dev", operation: "UpdateBackendAPI" });
        equal((await send("GetBackendAPIModelsCommand", { ...dev, ResourceName: "todoapi" })).Status, "LATEST", "Status after an update that keeps the schema");

        const schema2 = reference.schema.replace(/\}\s*$/, "  priority: Int\n}\n");
        const out = await send("UpdateBackendAPICommand", { ...dev, ResourceName: "todoapi", ResourceConfig: { TransformSchema: schema2 } });
        await submitted(out, { env: "dev", operation: "UpdateBackendAPI" });
        const got = await send("GetBackendAPICommand", { ...dev, ResourceName: "todoapi" });
        deepEqual(got.ResourceConfig, { ...fx.apiConfig(reference.schema), ApiName: "todos2", TransformSchema: schema2 }, "GetBackendAPI after updates (merged)");
        const models = await send("GetBackendAPIModelsCommand", { ...dev, ResourceName: "todoapi" });
        equal(models.Status, "STALE", "Status after a schema change");
        equal(models.Models, state.models, "Models stay readable until the next generation");

        const bad = await send("UpdateBackendAPICommand", { ...dev, ResourceName: "todoapi", ResourceConfig: { TransformSchema: fx.badSchema } });
        const job = await submitted(bad, { env: "dev", operation: "UpdateBackendAPI", status: "FAILED" });
        ok(job.Error.includes(fx.badSchemaError), `Error of the failed job: ${job.Error}`);
        const after = await send("GetBackendAPICommand", { ...dev, ResourceName: "todoapi" });
        equal(after.ResourceConfig.TransformSchema, schema2, "schema after a failed update");
      },
    },
    {
      name: "DeleteBackendAPI: the API and its models go",
      async run() {
        const out = await send("DeleteBackendAPICommand", { ...dev, ResourceName: "todoapi" });
        await submitted(out, { env: "dev", operation: "DeleteBackendAPI" });
        await rejects(send("GetBackendAPICommand", { ...dev, ResourceName: "todoapi" }), sdk.NotFoundException,
          { status: 404, resourceType: "api" }, "GetBackendAPI after delete");
        await rejects(send("GetBackendAPIModelsCommand", { ...dev, ResourceName: "todoapi" }), sdk.NotFoundException,
          { status: 404, resourceType: "api" }, "GetBackendAPIModels after delete");
        equal((await meta("dev")).api, undefined, "api section of amplify-meta.json after delete");
      },
    },
    {
      name: "CreateBackendStorage + GetBackendStorage + ListS3Buckets: a new bucket",
      async run() {
        const out = await send("CreateBackendStorageCommand", { ...dev, ResourceName: "photos", ResourceConfig: fx.storageConfig(bucket) });
        await submitted(out, { env: "dev", operation: "CreateBackendStorage" });
        const got = await send("GetBackendStorageCommand", { ...dev, ResourceName: "photos" });
        equal(got.ResourceName, "photos", "ResourceName");
        deepEqual(got.ResourceConfig, { ...fx.storageConfig(bucket), Imported: false }, "GetBackendStorage ResourceConfig");
        const listed = await listAllBuckets(sdk, client);
        const mine = listed.find((b) => b.Name === bucket);
        ok(mine, `ListS3Buckets lacks ${bucket}: ${JSON.stringify(listed)}`);
        match(mine.CreationDate, fx.isoDateRE, "CreationDate");
        ok(listed.some((b) => b.Name === importBucket), `ListS3Buckets lacks the pre-existing ${importBucket}`);
        equal(new Set(listed.map((b) => b.Name)).size, listed.length, "buckets listed twice");
        equal((await meta("dev")).storage.photos.output.BucketName, bucket, "amplify-meta storage BucketName");
      },
    },
    {
      name: "UpdateBackendStorage: permissions replaced, an empty list kept as empty",
      async run() {
        const out = await send("UpdateBackendStorageCommand", {
          ...dev, ResourceName: "photos",
          ResourceConfig: { ServiceName: "S3", Permissions: { Authenticated: ["READ", "DELETE"], UnAuthenticated: [] } },
        });
        await submitted(out, { env: "dev", operation: "UpdateBackendStorage" });
        const got = await send("GetBackendStorageCommand", { ...dev, ResourceName: "photos" });
        deepEqual(got.ResourceConfig.Permissions, { Authenticated: ["READ", "DELETE"], UnAuthenticated: [] }, "Permissions after update");
        equal(got.ResourceConfig.BucketName, bucket, "BucketName after update");
      },
    },
    {
      name: "ImportBackendStorage: a pre-existing bucket",
      async run() {
        await rejects(send("ImportBackendStorageCommand", { ...prod, BucketName: "no-such-bucket-e2e", ServiceName: "S3" }),
          sdk.NotFoundException, { status: 404, resourceType: "bucket" }, "ImportBackendStorage of an unknown bucket");
        const out = await send("ImportBackendStorageCommand", { ...prod, BucketName: importBucket, ServiceName: "S3" });
        await submitted(out, { env: "prod", operation: "ImportBackendStorage" });
        const name = importBucket.replace(/[^A-Za-z0-9]/g, "");
        const got = await send("GetBackendStorageCommand", { ...prod, ResourceName: name });
        equal(got.ResourceConfig.BucketName, importBucket, "imported BucketName");
        equal(got.ResourceConfig.Imported, true, "Imported");
        equal(got.ResourceConfig.ServiceName, "S3", "ServiceName");
        equal((await meta("prod")).storage[name].serviceType, "imported", "amplify-meta serviceType");
        state.importedStorage = name;
      },
    },
    {
      name: "DeleteBackendStorage: a created bucket goes, an imported one stays",
      async run() {
        const out = await send("DeleteBackendStorageCommand", { ...dev, ResourceName: "photos", ServiceName: "S3" });
        await submitted(out, { env: "dev", operation: "DeleteBackendStorage" });
        await rejects(send("GetBackendStorageCommand", { ...dev, ResourceName: "photos" }), sdk.NotFoundException,
          { status: 404, resourceType: "storage" }, "GetBackendStorage after delete");
        const imp = await send("DeleteBackendStorageCommand", { ...prod, ResourceName: state.importedStorage, ServiceName: "S3" });
        await submitted(imp, { env: "prod", operation: "DeleteBackendStorage" });
        const names = (await listAllBuckets(sdk, client)).map((b) => b.Name);
        ok(!names.includes(bucket), `${bucket} outlived its storage resource`);
        ok(names.includes(importBucket), `imported ${importBucket} was removed with its resource`);
      },
    },
    {
      name: "ListBackendJobs: NextToken pages, newest first, filters",
      async run() {
        const { jobs, pages } = await listAllJobs(sdk, client, { ...dev, MaxResults: 3 });
        const operations = jobs.map((j) => j.Operation);
        // Jobs of dev, newest first (CloneBackend ran on dev; later ones too).
        deepEqual(operations.slice().reverse(), [
          "CreateBackend", "CreateBackendAuth", "UpdateBackendAuth", "CloneBackend", "CreateBackendAPI",
          "GenerateBackendAPIModels", "UpdateBackendAPI", "UpdateBackendAPI", "UpdateBackendAPI", "DeleteBackendAPI",
          "CreateBackendStorage", "UpdateBackendStorage", "DeleteBackendStorage",
        ], "operations of dev's jobs, oldest first");
        equal(pages, Math.ceil(jobs.length / 3), "pages of 3");
        equal(new Set(jobs.map((j) => j.JobId)).size, jobs.length, "a job listed twice");
        for (const j of jobs) {
          equal(j.AppId, AppId, "AppId of a listed job");
          equal(j.BackendEnvironmentName, "dev", "BackendEnvironmentName of a listed job");
          match(j.CreateTime, fx.epochMillisRE, "CreateTime of a listed job");
        }
        for (let i = 1; i < jobs.length; i++) {
          ok(Number(jobs[i - 1].CreateTime) >= Number(jobs[i].CreateTime), `not newest first at ${i}`);
        }
        equal(jobs.at(-1).JobId, state.firstJob, "the oldest job");

        const byOp = await listAllJobs(sdk, client, { ...dev, Operation: "UpdateBackendAPI" });
        equal(byOp.jobs.length, 3, "jobs filtered by Operation");
        const failed = await listAllJobs(sdk, client, { ...dev, Operation: "UpdateBackendAPI", Status: "FAILED" });
        equal(failed.jobs.length, 1, "jobs filtered by Operation and Status");
        ok(failed.jobs[0].Error.includes(fx.badSchemaError), `Error of the listed failed job: ${failed.jobs[0].Error}`);
        const byId = await listAllJobs(sdk, client, { ...dev, JobId: state.firstJob });
        deepEqual(byId.jobs.map((j) => j.Operation), ["CreateBackend"], "jobs filtered by JobId");

        await rejects(send("ListBackendJobsCommand", { ...dev, MaxResults: 26 }), sdk.BadRequestException,
          { status: 400, message: /maxResults/ }, "MaxResults 26");
        await rejects(send("ListBackendJobsCommand", { ...dev, NextToken: "forged" }), sdk.BadRequestException,
          { status: 400, message: /NextToken|nextToken/ }, "a forged NextToken");
        const first = await send("ListBackendJobsCommand", { ...dev, MaxResults: 1 });
        await rejects(send("ListBackendJobsCommand", { ...prod, MaxResults: 1, NextToken: first.NextToken }), sdk.BadRequestException,
          { status: 400 }, "a NextToken of another query");
      },
    },
    {
      name: "UpdateBackendJob: relabels a job and bumps UpdateTime",
      async run() {
        const before = await send("GetBackendJobCommand", { ...dev, JobId: state.firstJob });
        await new Promise((r) => setTimeout(r, 5));
        const out = await send("UpdateBackendJobCommand", { ...dev, JobId: state.firstJob, Operation: "Relabelled", Status: "FAILED" });
        equal(out.JobId, state.firstJob, "JobId");
        equal(out.Operation, "Relabelled", "Operation");
        equal(out.Status, "FAILED", "Status");
        equal(out.CreateTime, before.CreateTime, "CreateTime");
        ok(Number(out.UpdateTime) > Number(before.UpdateTime), `UpdateTime ${out.UpdateTime} not after ${before.UpdateTime}`);
        const again = await send("GetBackendJobCommand", { ...dev, JobId: state.firstJob });
        equal(again.Operation, "Relabelled", "Operation as GetBackendJob sees it");
        await rejects(send("UpdateBackendJobCommand", { ...dev, JobId: state.firstJob, Status: "DONE" }), sdk.BadRequestException,
          { status: 400, message: /DONE|status/ }, "UpdateBackendJob to an unknown Status");
        await rejects(send("GetBackendJobCommand", { ...dev, JobId: "00000000-0000-4000-8000-000000000000" }), sdk.NotFoundException,
          { status: 404, resourceType: "job" }, "GetBackendJob of an unknown job");
      },
    },
    {
      name: "CreateBackendConfig + UpdateBackendConfig + RemoveBackendConfig: the Admin UI of a new app",
      async run() {
        const out = await send("CreateBackendConfigCommand", { AppId: configApp });
        equal(out.AppId, configApp, "AppId");
        equal(out.BackendEnvironmentName, "staging", "the environment whose job to poll");
        equal(out.Status, "IN_PROGRESS", "Status");
        const job = await waitJob(sdk, client, configApp, "staging", out.JobId);
        equal(job.Status, "COMPLETED", `CreateBackendConfig job (${job.Error})`);
        equal(job.Operation, "CreateBackendConfig", "job Operation");
        const made = await send("GetBackendCommand", { AppId: configApp });
        equal(made.AppName, configApp, "AppName of an app made by CreateBackendConfig");
        deepEqual(made.BackendEnvironmentList, ["staging"], "environments of an app made by CreateBackendConfig");

        const cfg = await send("UpdateBackendConfigCommand", { AppId: configApp });
        equal(cfg.AppId, configApp, "AppId");
        equal(cfg.BackendManagerAppId, configApp, "BackendManagerAppId");
        const login = cfg.LoginAuthConfig;
        match(login.AwsUserPoolsId, fx.userPoolIdRE, "AwsUserPoolsId");
        match(login.AwsUserPoolsWebClientId, fx.clientIdRE, "AwsUserPoolsWebClientId");
        match(login.AwsCognitoIdentityPoolId, fx.identityPoolIdRE, "AwsCognitoIdentityPoolId");
        equal(login.AwsCognitoRegion, "us-east-1", "AwsCognitoRegion");
        const updated = await send("UpdateBackendConfigCommand", { AppId: configApp, LoginAuthConfig: { AwsUserPoolsWebClientId: "newclient" } });
        deepEqual(updated.LoginAuthConfig, { ...login, AwsUserPoolsWebClientId: "newclient" }, "LoginAuthConfig after update");
        await rejects(send("UpdateBackendConfigCommand", { AppId: configApp, LoginAuthConfig: { AwsUserPoolsId: "not-a-pool" } }),
          sdk.BadRequestException, { status: 400 }, "UpdateBackendConfig with a malformed pool id");
        await rejects(send("CreateBackendConfigCommand", { AppId: configApp }), sdk.BadRequestException,
          { status: 400 }, "a second CreateBackendConfig");

        const removed = await send("RemoveBackendConfigCommand", { AppId: configApp });
        equal(removed.Error, undefined, "RemoveBackendConfig Error");
        await rejects(send("RemoveBackendConfigCommand", { AppId: configApp }), sdk.NotFoundException,
          { status: 404, resourceType: "config" }, "RemoveBackendConfig without a config");
        await rejects(send("UpdateBackendConfigCommand", { AppId: configApp }), sdk.NotFoundException,
          { status: 404, resourceType: "config" }, "UpdateBackendConfig without a config");
        await rejects(send("UpdateBackendConfigCommand", { AppId: `${app}none` }), sdk.NotFoundException,
          { status: 404, resourceType: "app" }, "UpdateBackendConfig of a missing app");

        // On an app with environments, the job belongs to the first one by name.
        const onApp = await send("CreateBackendConfigCommand", { AppId, BackendManagerAppId: `${app}mgr` });
        equal(onApp.BackendEnvironmentName, "dev", "the environment of CreateBackendConfig on an existing app");
        equal((await waitJob(sdk, client, AppId, "dev", onApp.JobId)).Status, "COMPLETED", "CreateBackendConfig job");
        equal((await send("UpdateBackendConfigCommand", { AppId })).BackendManagerAppId, `${app}mgr`, "BackendManagerAppId");
      },
    },
    {
      name: "CreateToken + GetToken + DeleteToken: one-time challenge codes",
      async run() {
        const tok = await send("CreateTokenCommand", { AppId });
        equal(tok.AppId, AppId, "AppId");
        match(tok.SessionId, fx.uuidRE, "SessionId");
        match(tok.ChallengeCode, /^[A-Z2-7]{16}$/, "ChallengeCode");
        match(tok.Ttl, /^\d{10}$/, "Ttl");
        const ttl = Number(tok.Ttl) - Date.now() / 1000;
        ok(ttl > 540 && ttl <= 660, `Ttl is ${ttl}s from now; want about 600`);
        const other = await send("CreateTokenCommand", { AppId });
        ok(other.SessionId !== tok.SessionId && other.ChallengeCode !== tok.ChallengeCode, "two tokens alike");

        const got = await send("GetTokenCommand", { AppId, SessionId: tok.SessionId });
        deepEqual({ ...got, $metadata: undefined }, { ...tok, $metadata: undefined }, "GetToken");
        const del = await send("DeleteTokenCommand", { AppId, SessionId: tok.SessionId });
        equal(del.IsSuccess, true, "IsSuccess");
        await rejects(send("GetTokenCommand", { AppId, SessionId: tok.SessionId }), sdk.NotFoundException,
          { status: 404, resourceType: "token" }, "GetToken after DeleteToken");
        await rejects(send("DeleteTokenCommand", { AppId, SessionId: tok.SessionId }), sdk.NotFoundException,
          { status: 404, resourceType: "token" }, "DeleteToken twice");
        await rejects(send("CreateTokenCommand", { AppId: `${app}none` }), sdk.NotFoundException,
          { status: 404, resourceType: "app" }, "CreateToken of a missing app");
        state.token = other.SessionId;
      },
    },
    {
      name: "BadRequestException and NotFoundException: typed, with status, message and ResourceType",
      async run() {
        // The JS SDK does not check required members: the server does, in AWS's words.
        const { UserPoolConfigs, ...noUserPool } = fx.fullAuthConfig();
        await rejects(send("CreateBackendAuthCommand", { ...dev, ResourceName: "x", ResourceConfig: noUserPool }), sdk.BadRequestException,
          { status: 400, message: /Value null at 'resourceConfig\.userPoolConfigs' failed to satisfy constraint: Member must not be null/ },
          "CreateBackendAuth without userPoolConfigs");
        await rejects(send("CreateBackendStorageCommand", { ...dev, ResourceName: "x", ResourceConfig: { ...fx.storageConfig(bucket), ServiceName: "GCS" } }),
          sdk.BadRequestException, { status: 400, message: /serviceName/ }, "CreateBackendStorage with an unknown ServiceName");
        await rejects(send("GetBackendCommand", { AppId: `${app}none` }), sdk.NotFoundException,
          { status: 404, resourceType: "app", message: new RegExp(`${app}none`) }, "GetBackend of a missing app");
        await rejects(send("GetBackendCommand", { AppId, BackendEnvironmentName: "nope" }), sdk.NotFoundException,
          { status: 404, resourceType: "environment" }, "GetBackend of a missing environment");
        await rejects(send("CreateBackendAPICommand", { AppId, BackendEnvironmentName: "nope", ResourceName: "a", ResourceConfig: fx.apiConfig(reference.schema) }),
          sdk.NotFoundException, { status: 404, resourceType: "environment" }, "CreateBackendAPI in a missing environment");
      },
    },
    {
      name: "DeleteBackend: one environment goes; its jobs still answer",
      async run() {
        const out = await send("DeleteBackendCommand", prod);
        const job = await submitted(out, { env: "prod", operation: "DeleteBackend" });
        equal(job.BackendEnvironmentName, "prod", "job BackendEnvironmentName");
        deepEqual((await send("GetBackendCommand", { AppId })).BackendEnvironmentList, ["dev"], "environments after DeleteBackend");
        await rejects(send("GetBackendAuthCommand", { ...prod, ResourceName: "e2eauth" }), sdk.NotFoundException,
          { status: 404, resourceType: "environment" }, "GetBackendAuth in a removed environment");
        const { jobs } = await listAllJobs(sdk, client, prod);
        ok(jobs.some((j) => j.JobId === out.JobId), "ListBackendJobs of the removed environment lacks its DeleteBackend job");
      },
    },
    {
      name: "RemoveAllBackends with CleanAmplifyApp: the app, its config and tokens go",
      async run() {
        const out = await send("RemoveAllBackendsCommand", { AppId, CleanAmplifyApp: true });
        equal(out.Operation, "RemoveAllBackends", "Operation");
        equal(out.AppId, AppId, "AppId");
        equal(out.Status, "IN_PROGRESS", "Status");
        // An app-wide job is found under any environment name of its app.
        const job = await waitJob(sdk, client, AppId, "dev", out.JobId);
        equal(job.Status, "COMPLETED", `RemoveAllBackends job (${job.Error})`);
        equal((await send("GetBackendJobCommand", { ...prod, JobId: out.JobId })).Status, "COMPLETED", "the job under another environment");
        await rejects(send("GetBackendCommand", { AppId }), sdk.NotFoundException,
          { status: 404, resourceType: "app" }, "GetBackend after RemoveAllBackends");
        await rejects(send("GetTokenCommand", { AppId, SessionId: state.token }), sdk.NotFoundException,
          { status: 404 }, "GetToken after the app was cleaned");
        await rejects(send("UpdateBackendConfigCommand", { AppId }), sdk.NotFoundException,
          { status: 404 }, "UpdateBackendConfig after the app was cleaned");
      },
    },
  ];
}
