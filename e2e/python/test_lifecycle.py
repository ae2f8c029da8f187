"""boto3 drives the backend / environment / job lifecycle against amplifybackendd:
CreateBackend, GetBackend, CloneBackend, DeleteBackend, RemoveAllBackends, GetBackendJob,
ListBackendJobs (with the paginator) and UpdateBackendJob."""
import json
import unittest

from helpers import MILLIS_RE, UUID_RE, JobsMixin, body, client, meta, wait_job
from server import Server


class Lifecycle(JobsMixin, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        cls.addClassCleanup(cls.server.stop)
        cls.c = client(cls.server.url)


    def test_lifecycle(self):
        c = self.c
        out = c.create_backend(AppId="d1py", AppName="pyapp", BackendEnvironmentName="dev")
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertRegex(out["ResponseMetadata"]["RequestId"], UUID_RE)
        job = self.complete(out, "CreateBackend", "d1py", "dev")
        self.assertGreaterEqual(int(job["UpdateTime"]), int(job["CreateTime"]))

        got = c.get_backend(AppId="d1py")
        self.assertEqual(body(got), {"AppId": "d1py", "AppName": "pyapp", "BackendEnvironmentList": ["dev"]})
        got = c.get_backend(AppId="d1py", BackendEnvironmentName="dev")
        self.assertEqual(got["BackendEnvironmentName"], "dev")
        m = json.loads(got["AmplifyMetaConfig"])
        p = m["providers"]["awscloudformation"]
        self.assertRegex(p["StackName"], r"^amplify-pyapp-dev-[0-9]{6}$")
        self.assertEqual(p["AuthRoleArn"], "arn:aws:iam::000000000000:role/%s-authRole" % p["StackName"])
        self.assertEqual(p["UnauthRoleName"], p["StackName"] + "-unauthRole")
        self.assertEqual(p["DeploymentBucketName"], p["StackName"] + "-deployment")
        self.assertEqual(p["Region"], "us-east-1")
        self.assertEqual(p["AmplifyAppId"], "d1py")
        self.assertTrue(p["StackId"].startswith("arn:aws:cloudformation:us-east-1:000000000000:stack/%s/" % p["StackName"]))
        flags = json.loads(got["AmplifyFeatureFlags"])
        self.assertEqual(flags["features"]["graphqltransformer"]["transformerversion"], 2)
        # Deployed ids are stable between reads.
        self.assertEqual(meta(c, "d1py", "dev"), m)

        clone = c.clone_backend(AppId="d1py", BackendEnvironmentName="dev", TargetEnvironmentName="prod")
        self.complete(clone, "CloneBackend", "d1py", "dev")
        prod = meta(c, "d1py", "prod")["providers"]["awscloudformation"]
        self.assertRegex(prod["StackName"], r"^amplify-pyapp-prod-[0-9]{6}$")
        self.assertNotEqual(prod["StackId"], p["StackId"])
        for i in range(6):
            j = c.clone_backend(AppId="d1py", BackendEnvironmentName="dev", TargetEnvironmentName="e%d" % i)
            self.complete(j, "CloneBackend", "d1py", "dev")
        self.assertEqual(c.get_backend(AppId="d1py")["BackendEnvironmentList"],
                         ["dev", "e0", "e1", "e2", "e3", "e4", "e5", "prod"])

        # The paginator walks pages of 3: 8 jobs (CreateBackend and 7 clones), newest first.
        pages = list(c.get_paginator("list_backend_jobs").paginate(
            AppId="d1py", BackendEnvironmentName="dev", PaginationConfig={"PageSize": 3}))
        self.assertEqual([len(p["Jobs"]) for p in pages], [3, 3, 2])
        self.assertIn("NextToken", pages[0])
        self.assertNotIn("NextToken", pages[-1])
        jobs = [j for p in pages for j in p["Jobs"]]
        self.assertEqual([j["Operation"] for j in jobs], ["CloneBackend"] * 7 + ["CreateBackend"])
        self.assertEqual(len({j["JobId"] for j in jobs}), 8)
        self.assertTrue(all(j["Status"] == "COMPLETED" for j in jobs))
        for j in jobs:
            self.assertRegex(j["CreateTime"], MILLIS_RE)
        self.assertEqual([int(j["CreateTime"]) for j in jobs], sorted((int(j["CreateTime"]) for j in jobs), reverse=True))
        # build_full_result merges the pages; MaxItems and StartingToken resume.
        full = c.get_paginator("list_backend_jobs").paginate(
            AppId="d1py", BackendEnvironmentName="dev", PaginationConfig={"PageSize": 2}).build_full_result()
        self.assertEqual([j["JobId"] for j in full["Jobs"]], [j["JobId"] for j in jobs])
        first = c.get_paginator("list_backend_jobs").paginate(
            AppId="d1py", BackendEnvironmentName="dev", PaginationConfig={"MaxItems": 5, "PageSize": 2}).build_full_result()
        self.assertEqual([j["JobId"] for j in first["Jobs"]], [j["JobId"] for j in jobs[:5]])
        rest = c.get_paginator("list_backend_jobs").paginate(
            AppId="d1py", BackendEnvironmentName="dev",
            PaginationConfig={"StartingToken": first["NextToken"], "PageSize": 2}).build_full_result()
        self.assertEqual([j["JobId"] for j in rest["Jobs"]], [j["JobId"] for j in jobs[5:]])
        # Plain calls: MaxResults and the NextToken.
        page = c.list_backend_jobs(AppId="d1py", BackendEnvironmentName="dev", MaxResults=1)
        self.assertEqual([j["JobId"] for j in page["Jobs"]], [jobs[0]["JobId"]])
        page2 = c.list_backend_jobs(AppId="d1py", BackendEnvironmentName="dev", MaxResults=25, NextToken=page["NextToken"])
        self.assertEqual([j["JobId"] for j in page2["Jobs"]], [j["JobId"] for j in jobs[1:]])
        self.assertNotIn("NextToken", page2)
        # Filters combine.
        only = c.list_backend_jobs(AppId="d1py", BackendEnvironmentName="dev", Operation="CreateBackend")
        self.assertEqual([j["JobId"] for j in only["Jobs"]], [jobs[-1]["JobId"]])
        one = c.list_backend_jobs(AppId="d1py", BackendEnvironmentName="dev", JobId=jobs[2]["JobId"], Status="COMPLETED")
        self.assertEqual([j["JobId"] for j in one["Jobs"]], [jobs[2]["JobId"]])
        none = c.list_backend_jobs(AppId="d1py", BackendEnvironmentName="dev", Operation="CloneBackend", Status="FAILED")
        self.assertEqual(none["Jobs"], [])

        got_job = c.get_backend_job(AppId="d1py", BackendEnvironmentName="dev", JobId=jobs[0]["JobId"])
        self.assertEqual(body(got_job), dict(jobs[0], AppId="d1py", BackendEnvironmentName="dev"))

        upd = c.update_backend_job(AppId="d1py", BackendEnvironmentName="dev", JobId=jobs[0]["JobId"], Operation="Relabelled")
        self.assertEqual(upd["Operation"], "Relabelled")
        self.assertEqual(upd["JobId"], jobs[0]["JobId"])
        self.assertEqual(upd["Status"], "COMPLETED")
        self.assertGreaterEqual(int(upd["UpdateTime"]), int(jobs[0]["UpdateTime"]))
        self.assertEqual(c.get_backend_job(AppId="d1py", BackendEnvironmentName="dev", JobId=jobs[0]["JobId"])["Operation"], "Relabelled")
        upd = c.update_backend_job(AppId="d1py", BackendEnvironmentName="dev", JobId=jobs[0]["JobId"], Status="FAILED")
        self.assertEqual((upd["Operation"], upd["Status"]), ("Relabelled", "FAILED"))

        delete = c.delete_backend(AppId="d1py", BackendEnvironmentName="prod")
        self.complete(delete, "DeleteBackend", "d1py", "prod")
        self.assertNotIn("prod", c.get_backend(AppId="d1py")["BackendEnvironmentList"])
        self.assertNotFound("environment", "prod", c.get_backend, AppId="d1py", BackendEnvironmentName="prod")
        # Jobs outlive the environment they removed.
        prod_jobs = c.list_backend_jobs(AppId="d1py", BackendEnvironmentName="prod")["Jobs"]
        self.assertEqual([j["Operation"] for j in prod_jobs], ["DeleteBackend"])

        rm = c.remove_all_backends(AppId="d1py", CleanAmplifyApp=True)
        self.assertSubmitted(rm, "RemoveAllBackends", "d1py", None)
        job = wait_job(c, "d1py", "dev", rm["JobId"])
        self.assertEqual((job["Status"], job["Operation"]), ("COMPLETED", "RemoveAllBackends"))
        # An app-wide job is found under any environment name of its app.
        self.assertEqual(c.get_backend_job(AppId="d1py", BackendEnvironmentName="e3", JobId=rm["JobId"])["Status"], "COMPLETED")
        self.assertNotFound("app", "d1py", c.get_backend, AppId="d1py")

    def test_remove_all_keeps_app(self):
        c = self.c
        self.complete(c.create_backend(AppId="d1keep", AppName="keep", BackendEnvironmentName="dev"), "CreateBackend", "d1keep", "dev")
        rm = c.remove_all_backends(AppId="d1keep")
        self.assertEqual(wait_job(c, "d1keep", "dev", rm["JobId"])["Status"], "COMPLETED")
        got = c.get_backend(AppId="d1keep")
        self.assertEqual((got["AppName"], got["BackendEnvironmentList"]), ("keep", []))
        # CleanAmplifyApp false explicitly also keeps it.
        self.complete(c.create_backend(AppId="d1keep", AppName="ignored", BackendEnvironmentName="qa"), "CreateBackend", "d1keep", "qa")
        self.assertEqual(c.get_backend(AppId="d1keep")["AppName"], "keep")
        rm = c.remove_all_backends(AppId="d1keep", CleanAmplifyApp=False)
        self.assertEqual(wait_job(c, "d1keep", "qa", rm["JobId"])["Status"], "COMPLETED")
        self.assertEqual(c.get_backend(AppId="d1keep")["BackendEnvironmentList"], [])

    def test_errors(self):
        c = self.c
        self.assertNotFound("app", "missing", c.get_backend, AppId="missing")
        self.assertNotFound("app", "missing", c.remove_all_backends, AppId="missing")
        self.assertNotFound("app", "missing", c.clone_backend, AppId="missing", BackendEnvironmentName="dev", TargetEnvironmentName="x")
        self.assertBadRequest("NextToken", c.list_backend_jobs, AppId="a", BackendEnvironmentName="dev", NextToken="forged")
        out = c.create_backend(AppId="d1err", AppName="p", BackendEnvironmentName="dev")
        self.complete(out, "CreateBackend", "d1err", "dev")
        self.assertBadRequest("already exists", c.create_backend, AppId="d1err", AppName="p", BackendEnvironmentName="dev")
        self.assertBadRequest("already exists", c.clone_backend, AppId="d1err", BackendEnvironmentName="dev", TargetEnvironmentName="dev")
        self.assertNotFound("environment", "qa", c.get_backend, AppId="d1err", BackendEnvironmentName="qa")
        self.assertNotFound("environment", "qa", c.clone_backend, AppId="d1err", BackendEnvironmentName="qa", TargetEnvironmentName="x")
        self.assertNotFound("environment", "qa", c.delete_backend, AppId="d1err", BackendEnvironmentName="qa")
        self.assertNotFound("job", "0000", c.get_backend_job, AppId="d1err", BackendEnvironmentName="dev", JobId="0000")
        self.assertNotFound("job", "0000", c.update_backend_job, AppId="d1err", BackendEnvironmentName="dev", JobId="0000", Status="FAILED")
        self.assertBadRequest("'status'", c.update_backend_job, AppId="d1err", BackendEnvironmentName="dev", JobId=out["JobId"], Status="DONE")
        self.assertBadRequest("less than or equal to 25", c.list_backend_jobs, AppId="d1err", BackendEnvironmentName="dev", MaxResults=26)
        self.assertBadRequest("backendEnvironmentName", c.create_backend, AppId="d1err", AppName="x", BackendEnvironmentName="a/b")
        self.assertBadRequest("appName", c.create_backend, AppId="d2err", AppName="x" * 256, BackendEnvironmentName="dev")
        # A NextToken only continues its own listing.
        for i in range(2):
            self.complete(c.clone_backend(AppId="d1err", BackendEnvironmentName="dev", TargetEnvironmentName="c%d" % i), "CloneBackend", "d1err", "dev")
        token = c.list_backend_jobs(AppId="d1err", BackendEnvironmentName="dev", MaxResults=1)["NextToken"]
        self.assertBadRequest("NextToken", c.list_backend_jobs, AppId="d1err", BackendEnvironmentName="dev", MaxResults=1, Operation="CloneBackend", NextToken=token)
        # Accounts and regions are apart.
        other = client(self.server.url, key="123456789012")
        with self.assertRaises(other.exceptions.NotFoundException):
            other.get_backend(AppId="d1err")
        with self.assertRaises(self.c.exceptions.NotFoundException):
            client(self.server.url, region="eu-west-1").get_backend(AppId="d1err")
        # The message follows the real service's wording.
        resp = self.assertNotFound("app", "d2missing", c.get_backend, AppId="d2missing")
        self.assertRegex(resp["Error"]["Message"], r"^NotFoundException - An error occurred while processing your request: ")

    def test_dependency_refusal(self):
        """DeleteBackendAuth is refused, naming the API, while the API authorizes with the user pool."""
        c = self.c
        self.complete(c.create_backend(AppId="d1dep", AppName="dep", BackendEnvironmentName="dev"), "CreateBackend", "d1dep", "dev")
        self.complete(c.create_backend_auth(AppId="d1dep", BackendEnvironmentName="dev", ResourceName="depauth", ResourceConfig={
            "AuthResources": "USER_POOL_ONLY", "Service": "COGNITO",
            "UserPoolConfigs": {"RequiredSignUpAttributes": ["EMAIL"], "SignInMethod": "EMAIL", "UserPoolName": "deppool"},
        }), "CreateBackendAuth", "d1dep", "dev")
        self.complete(c.create_backend_api(AppId="d1dep", BackendEnvironmentName="dev", ResourceName="depapi", ResourceConfig={
            "ApiName": "depapi", "TransformSchema": "type Todo @model { id: ID! }",
            "DefaultAuthType": {"Mode": "AMAZON_COGNITO_USER_POOLS"},
        }), "CreateBackendAPI", "d1dep", "dev")
        self.assertBadRequest(
            "The auth resource depauth cannot be deleted: the API resource depapi of appId: d1dep and "
            "backendEnvironmentName: dev authorizes with AMAZON_COGNITO_USER_POOLS.",
            c.delete_backend_auth, AppId="d1dep", BackendEnvironmentName="dev", ResourceName="depauth")
        self.assertEqual(c.get_backend_auth(AppId="d1dep", BackendEnvironmentName="dev", ResourceName="depauth")["ResourceName"], "depauth")
        self.assertEqual(c.list_backend_jobs(AppId="d1dep", BackendEnvironmentName="dev", Status="IN_PROGRESS")["Jobs"], [])
        # Once the API uses API keys, auth can go.
        self.complete(c.update_backend_api(AppId="d1dep", BackendEnvironmentName="dev", ResourceName="depapi", ResourceConfig={
            "DefaultAuthType": {"Mode": "API_KEY"},
        }), "UpdateBackendAPI", "d1dep", "dev")
        self.complete(c.delete_backend_auth(AppId="d1dep", BackendEnvironmentName="dev", ResourceName="depauth"), "DeleteBackendAuth", "d1dep", "dev")


def pending_message(app, env=None):
    clause = " and backendEnvironmentName: %s" % env if env else ""
    return ("ValidationException - An error occurred while processing your request: There is already a pending job "
            "for the requested appId: %s%s, wait for it to complete before creating a new job." % (app, clause))


class PendingRemoveAll(JobsMixin, unittest.TestCase):
    """An app with environments, then the server restarted with --job-duration 1h: a pending
    RemoveAllBackends blocks every environment, each refusal naming the requested one."""

    @classmethod
    def setUpClass(cls):
        first = Server()
        c = client(first.url)
        for env in ("dev", "test"):
            out = c.create_backend(AppId="d1rm", AppName="rm", BackendEnvironmentName=env)
            if wait_job(c, "d1rm", env, out["JobId"])["Status"] != "COMPLETED":
                first.stop()
                raise RuntimeError("CreateBackend %s did not complete" % env)
        first.stop(keep_data=True)
        cls.server = Server("--job-duration", "1h", data_dir=first.data_dir)
        cls.addClassCleanup(cls.server.stop)
        cls.c = client(cls.server.url)

    def test_remove_all_blocks_others(self):
        c = self.c
        clone = c.clone_backend(AppId="d1rm", BackendEnvironmentName="dev", TargetEnvironmentName="qa")
        self.assertSubmitted(clone, "CloneBackend", "d1rm", "dev")
        # RemoveAllBackends has no environment of its own: blocked, it names the blocking job's.
        resp = self.assertBadRequest("pending job", c.remove_all_backends, AppId="d1rm")
        self.assertEqual(resp["Error"]["Message"], pending_message("d1rm", "dev"))
        c.update_backend_job(AppId="d1rm", BackendEnvironmentName="dev", JobId=clone["JobId"], Status="FAILED")

        rm = c.remove_all_backends(AppId="d1rm")
        self.assertSubmitted(rm, "RemoveAllBackends", "d1rm", None)
        for call, kwargs, env in [
            (c.delete_backend, {"BackendEnvironmentName": "test"}, "test"),
            (c.create_backend_storage, {"BackendEnvironmentName": "dev", "ResourceName": "files",
                                        "ResourceConfig": {"ServiceName": "S3", "Permissions": {"Authenticated": ["READ"]}}}, "dev"),
            (c.create_backend, {"AppName": "rm", "BackendEnvironmentName": "brandnew"}, "brandnew"),
            (c.remove_all_backends, {"CleanAmplifyApp": True}, None),
        ]:
            resp = self.assertBadRequest("pending job", call, AppId="d1rm", **kwargs)
            self.assertEqual(resp["Error"]["Message"], pending_message("d1rm", env), call.__name__)
        job = c.get_backend_job(AppId="d1rm", BackendEnvironmentName="test", JobId=rm["JobId"])
        self.assertEqual((job["Status"], job["Operation"]), ("IN_PROGRESS", "RemoveAllBackends"))
        self.assertNotIn("BackendEnvironmentName", job)
        self.assertEqual(c.get_backend(AppId="d1rm")["BackendEnvironmentList"], ["dev", "test"])


class PendingJobs(JobsMixin, unittest.TestCase):
    """Jobs that stay IN_PROGRESS (--job-duration 1h): the pending-job rule, UpdateBackendJob closing a job."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server("--job-duration", "1h")
        cls.addClassCleanup(cls.server.stop)
        cls.c = client(cls.server.url)


    def test_pending_rule(self):
        c = self.c
        first = c.create_backend(AppId="d1slow", AppName="slow", BackendEnvironmentName="dev")
        self.assertSubmitted(first, "CreateBackend", "d1slow", "dev")
        resp = self.assertBadRequest("There is already a pending job", c.create_backend, AppId="d1slow", AppName="slow", BackendEnvironmentName="dev")
        self.assertEqual(resp["Error"]["Message"],
                         "ValidationException - An error occurred while processing your request: There is already a pending "
                         "job for the requested appId: d1slow and backendEnvironmentName: dev, wait for it to complete "
                         "before creating a new job.")
        job = c.get_backend_job(AppId="d1slow", BackendEnvironmentName="dev", JobId=first["JobId"])
        self.assertEqual(job["Status"], "IN_PROGRESS")
        # Before the job ran, the app does not exist.
        self.assertNotFound("app", "d1slow", c.get_backend, AppId="d1slow")
        self.assertEqual([j["Status"] for j in c.list_backend_jobs(AppId="d1slow", BackendEnvironmentName="dev", Status="IN_PROGRESS")["Jobs"]], ["IN_PROGRESS"])

        # Closing the pending job: it never runs, and it frees the environment.
        closed = c.update_backend_job(AppId="d1slow", BackendEnvironmentName="dev", JobId=first["JobId"], Status="FAILED")
        self.assertEqual((closed["Status"], closed["Operation"]), ("FAILED", "CreateBackend"))
        again = c.create_backend(AppId="d1slow", AppName="slow", BackendEnvironmentName="dev")
        self.assertSubmitted(again, "CreateBackend", "d1slow", "dev")
        self.assertNotFound("app", "d1slow", c.get_backend, AppId="d1slow")


if __name__ == "__main__":
    unittest.main()
