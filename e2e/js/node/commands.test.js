// All 31 AmplifyBackend commands through the AWS SDK for JavaScript v3 in Node, with
// assertions on every answer (the scenario in lib/scenario.js, shared with the browser suite).
// The last test fails if any command the SDK module exports was not sent.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as sdk from "@aws-sdk/client-amplifybackend";
import { scenarioSuite } from "./suite.js";

test("the SDK has no paginateListBackendJobs (lib/jobs.js walks NextToken instead)", () => {
  // If a future SDK adds it, use it in lib/jobs.js and in docs/clients.md.
  assert.equal(sdk.paginateListBackendJobs, undefined, "the SDK now exports paginateListBackendJobs");
  const paginators = Object.keys(sdk).filter((k) => k.startsWith("paginate"));
  assert.deepEqual(paginators, [], "the SDK now exports paginators");
});

await scenarioSuite({ title: "all 31 commands (auth mode any)", app: "d1node" });
