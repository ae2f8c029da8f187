import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // One amplifybackendd for the whole run, started before the first test file and stopped
    // after the last.
    globalSetup: ["./global-setup.js"],
    // The test files share that server and reset it before each test, so they run one at a
    // time. (Files that each work in apps of their own could run in parallel and reset only
    // their own apps: POST /_amplifybackend/reset {"accountId": "000000000000", "region":
    // "us-east-1", "appId": "..."}.)
    fileParallelism: false,
    testTimeout: 20000,
  },
});
