"""boto3: the S3 storage resource and the account's buckets. CreateBackendStorage,
GetBackendStorage, UpdateBackendStorage, DeleteBackendStorage, ImportBackendStorage,
ListS3Buckets. The server starts with pre-existing buckets (--s3-buckets). Storage needs an
auth resource in its environment (as `amplify add storage` does), and holds it."""
import unittest

from helpers import JobsMixin, body, client, meta, wait_job
from server import Server

ISO8601 = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$"


AUTH_CONFIG = {
    "AuthResources": "USER_POOL_ONLY", "Service": "COGNITO",
    "UserPoolConfigs": {"RequiredSignUpAttributes": ["EMAIL"], "SignInMethod": "EMAIL", "UserPoolName": "stpool"},
}
NEEDS_AUTH = ("needs an auth resource, but backend environment %s of appId: %s has none: "
              "add auth first (CreateBackendAuth or ImportBackendAuth")


def add_auth(c, app, env, name="stauth"):
    """Creates the auth resource storage needs and waits for its job."""
    out = c.create_backend_auth(AppId=app, BackendEnvironmentName=env, ResourceName=name, ResourceConfig=AUTH_CONFIG)
    job = wait_job(c, app, env, out["JobId"])
    assert job["Status"] == "COMPLETED", job


def storage_config(bucket=None):
    cfg = {"ServiceName": "S3", "Permissions": {"Authenticated": ["READ", "CREATE_AND_UPDATE", "DELETE"], "UnAuthenticated": ["READ"]}}
    if bucket:
        cfg["BucketName"] = bucket
    return cfg


class Storage(JobsMixin, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server("--s3-buckets", "existing.bucket-1,111111111111:foreign-bucket")
        cls.addClassCleanup(cls.server.stop)
        cls.c = client(cls.server.url)
        for env in ("dev", "empty", "imp", "gen", "noauth"):
            out = cls.c.create_backend(AppId="d1st", AppName="stapp", BackendEnvironmentName=env)
            assert wait_job(cls.c, "d1st", env, out["JobId"])["Status"] == "COMPLETED"
            if env != "noauth":
                add_auth(cls.c, "d1st", env)


    def buckets(self, c=None):
        """Every bucket c sees, walking the NextToken, as name -> CreationDate."""
        c = c or self.c
        seen, token = {}, None
        while True:
            page = c.list_s3_buckets(**({"NextToken": token} if token else {}))
            for b in page["Buckets"]:
                self.assertNotIn(b["Name"], seen)
                self.assertRegex(b["CreationDate"], ISO8601)
                seen[b["Name"]] = b["CreationDate"]
            token = page.get("NextToken")
            if not token:
                return seen

    def get(self, env, name):
        return self.c.get_backend_storage(AppId="d1st", BackendEnvironmentName=env, ResourceName=name)

    def test_create_update_delete(self):
        c = self.c
        out = c.create_backend_storage(AppId="d1st", BackendEnvironmentName="dev", ResourceName="photos",
                                       ResourceConfig=storage_config("my-photos.bucket"))
        self.complete(out, "CreateBackendStorage", "d1st", "dev")
        got = self.get("dev", "photos")
        self.assertEqual(body(got), {
            "AppId": "d1st", "BackendEnvironmentName": "dev", "ResourceName": "photos",
            "ResourceConfig": {"BucketName": "my-photos.bucket", "Imported": False, "ServiceName": "S3",
                               "Permissions": {"Authenticated": ["READ", "CREATE_AND_UPDATE", "DELETE"], "UnAuthenticated": ["READ"]}},
        })
        self.assertIn("my-photos.bucket", self.buckets())
        st = meta(c, "d1st", "dev")["storage"]["photos"]
        self.assertEqual((st["service"], st["providerPlugin"]), ("S3", "awscloudformation"))
        self.assertEqual(st["output"], {"BucketName": "my-photos.bucket", "Region": "us-east-1"})

        # Update merges the permissions: a given list replaces, an absent one stays, an empty one clears.
        up = c.update_backend_storage(AppId="d1st", BackendEnvironmentName="dev", ResourceName="photos",
                                      ResourceConfig={"ServiceName": "S3", "Permissions": {"Authenticated": ["READ"]}})
        self.complete(up, "UpdateBackendStorage", "d1st", "dev")
        self.assertEqual(self.get("dev", "photos")["ResourceConfig"]["Permissions"], {"Authenticated": ["READ"], "UnAuthenticated": ["READ"]})
        up = c.update_backend_storage(AppId="d1st", BackendEnvironmentName="dev", ResourceName="photos",
                                      ResourceConfig={"ServiceName": "S3", "Permissions": {"Authenticated": ["READ", "DELETE"], "UnAuthenticated": []}})
        self.complete(up, "UpdateBackendStorage", "d1st", "dev")
        self.assertEqual(self.get("dev", "photos")["ResourceConfig"]["Permissions"], {"Authenticated": ["READ", "DELETE"], "UnAuthenticated": []})

        # The bucket name is taken, in any account.
        other = client(self.server.url, key="222222222222")
        self.complete(other.create_backend(AppId="d1st", AppName="x", BackendEnvironmentName="dev"), "CreateBackend", "d1st", "dev", c=other)
        add_auth(other, "d1st", "dev")
        with self.assertRaises(other.exceptions.BadRequestException) as ctx:
            other.create_backend_storage(AppId="d1st", BackendEnvironmentName="dev", ResourceName="photos", ResourceConfig=storage_config("my-photos.bucket"))
        self.assertIn("The bucket name my-photos.bucket is not available", ctx.exception.response["Error"]["Message"])

        out = c.delete_backend_storage(AppId="d1st", BackendEnvironmentName="dev", ResourceName="photos", ServiceName="S3")
        self.complete(out, "DeleteBackendStorage", "d1st", "dev")
        self.assertNotFound("storage", "", self.get, "dev", "photos")
        self.assertNotIn("my-photos.bucket", self.buckets())
        self.assertNotIn("storage", meta(c, "d1st", "dev"))

    def test_generated_bucket_name(self):
        c = self.c
        out = c.create_backend_storage(AppId="d1st", BackendEnvironmentName="gen", ResourceName="files", ResourceConfig=storage_config())
        self.complete(out, "CreateBackendStorage", "d1st", "gen")
        name = self.get("gen", "files")["ResourceConfig"]["BucketName"]
        self.assertRegex(name, r"^amplifyd1ststorage[a-z0-9]{8}-gen$")
        self.assertIn(name, self.buckets())

    def test_import_and_list(self):
        c = self.c
        listing = c.list_s3_buckets()
        self.assertNotIn("NextToken", listing)
        self.assertIn("existing.bucket-1", [b["Name"] for b in listing["Buckets"]])
        self.assertEqual([b["Name"] for b in listing["Buckets"]], sorted(b["Name"] for b in listing["Buckets"]))
        self.assertNotIn("foreign-bucket", self.buckets())
        self.assertEqual(list(self.buckets(client(self.server.url, key="111111111111"))), ["foreign-bucket"])
        self.assertEqual(self.buckets(client(self.server.url, region="eu-west-1")), {})

        out = c.import_backend_storage(AppId="d1st", BackendEnvironmentName="imp", BucketName="existing.bucket-1", ServiceName="S3")
        self.complete(out, "ImportBackendStorage", "d1st", "imp")
        got = self.get("imp", "existingbucket1")
        self.assertEqual(got["ResourceConfig"]["BucketName"], "existing.bucket-1")
        self.assertIs(got["ResourceConfig"]["Imported"], True)
        self.assertEqual(got["ResourceConfig"]["ServiceName"], "S3")
        st = meta(c, "d1st", "imp")["storage"]["existingbucket1"]
        self.assertEqual(st["serviceType"], "imported")
        # One storage resource per environment.
        self.assertBadRequest("already has a storage resource (existingbucket1)", c.import_backend_storage,
                              AppId="d1st", BackendEnvironmentName="imp", BucketName="existing.bucket-1", ServiceName="S3")
        # Deleting imported storage keeps the bucket.
        self.complete(c.delete_backend_storage(AppId="d1st", BackendEnvironmentName="imp", ResourceName="existingbucket1", ServiceName="S3"),
                      "DeleteBackendStorage", "d1st", "imp")
        self.assertIn("existing.bucket-1", self.buckets())

    def test_errors(self):
        c = self.c
        self.assertNotFound("bucket", "", c.import_backend_storage, AppId="d1st", BackendEnvironmentName="empty", BucketName="no-such-bucket", ServiceName="S3")
        self.assertNotFound("bucket", "", c.import_backend_storage, AppId="d1st", BackendEnvironmentName="empty", BucketName="foreign-bucket", ServiceName="S3")
        self.assertNotFound("app", "", c.import_backend_storage, AppId="nope", BackendEnvironmentName="dev", BucketName="existing.bucket-1", ServiceName="S3")
        self.assertNotFound("environment", "", c.create_backend_storage, AppId="d1st", BackendEnvironmentName="prod", ResourceName="f", ResourceConfig=storage_config())
        self.assertNotFound("storage", "", self.get, "empty", "files")
        self.assertNotFound("storage", "", c.update_backend_storage, AppId="d1st", BackendEnvironmentName="empty", ResourceName="files",
                            ResourceConfig={"ServiceName": "S3", "Permissions": {"Authenticated": ["READ"]}})
        self.assertNotFound("storage", "", c.delete_backend_storage, AppId="d1st", BackendEnvironmentName="empty", ResourceName="files", ServiceName="S3")
        for bucket, rule in (("ab", "between 3 and 63 characters"), ("My-Bucket", "lowercase letters"), ("my..bucket", "two adjacent periods")):
            with self.subTest(bucket=bucket):
                self.assertBadRequest(rule, c.create_backend_storage, AppId="d1st", BackendEnvironmentName="empty",
                                      ResourceName="f", ResourceConfig=storage_config(bucket))
        bad = storage_config()
        bad["Permissions"]["Authenticated"] = ["WRITE"]
        self.assertBadRequest("resourceConfig.permissions.authenticated", c.create_backend_storage, AppId="d1st",
                              BackendEnvironmentName="empty", ResourceName="f", ResourceConfig=bad)
        self.assertBadRequest("NextToken", c.list_s3_buckets, NextToken="not-a-token")
        self.assertEqual([j["Operation"] for j in c.list_backend_jobs(AppId="d1st", BackendEnvironmentName="empty")["Jobs"]],
                         ["CreateBackendAuth", "CreateBackend"])

    def test_needs_auth(self):
        """Without auth, storage is refused at once; auth is refused deletion while storage holds it."""
        c = self.c
        resp = self.assertBadRequest("CreateBackendStorage " + NEEDS_AUTH % ("noauth", "d1st"), c.create_backend_storage, AppId="d1st",
                                     BackendEnvironmentName="noauth", ResourceName="files", ResourceConfig=storage_config())
        self.assertRegex(resp["Error"]["Message"], r"^ValidationException - An error occurred while processing your request: ")
        self.assertBadRequest("ImportBackendStorage " + NEEDS_AUTH % ("noauth", "d1st"), c.import_backend_storage, AppId="d1st",
                              BackendEnvironmentName="noauth", BucketName="existing.bucket-1", ServiceName="S3")
        self.assertEqual([j["Operation"] for j in c.list_backend_jobs(AppId="d1st", BackendEnvironmentName="noauth")["Jobs"]], ["CreateBackend"])

        # With auth, storage is added; auth then stays until the storage is gone.
        self.complete(c.create_backend(AppId="d1sa", AppName="sa", BackendEnvironmentName="dev"), "CreateBackend", "d1sa", "dev")
        add_auth(c, "d1sa", "dev", "saauth")
        self.complete(c.create_backend_storage(AppId="d1sa", BackendEnvironmentName="dev", ResourceName="files", ResourceConfig=storage_config()),
                      "CreateBackendStorage", "d1sa", "dev")
        self.assertEqual(meta(c, "d1sa", "dev")["storage"]["files"]["dependsOn"], [])
        self.assertBadRequest("The auth resource saauth cannot be deleted: the storage resource files of appId: d1sa and "
                              "backendEnvironmentName: dev depends on it.",
                              c.delete_backend_auth, AppId="d1sa", BackendEnvironmentName="dev", ResourceName="saauth")
        self.assertEqual(c.get_backend_auth(AppId="d1sa", BackendEnvironmentName="dev", ResourceName="saauth")["ResourceName"], "saauth")
        self.assertEqual(c.list_backend_jobs(AppId="d1sa", BackendEnvironmentName="dev", Status="IN_PROGRESS")["Jobs"], [])
        self.complete(c.delete_backend_storage(AppId="d1sa", BackendEnvironmentName="dev", ResourceName="files", ServiceName="S3"),
                      "DeleteBackendStorage", "d1sa", "dev")
        self.complete(c.delete_backend_auth(AppId="d1sa", BackendEnvironmentName="dev", ResourceName="saauth"), "DeleteBackendAuth", "d1sa", "dev")


class BucketPages(unittest.TestCase):
    """ListS3Buckets pages (100 a page) walked with NextToken."""

    def test_pages(self):
        server = Server("--s3-buckets", ",".join("seed-%03d" % i for i in range(230)))
        try:
            c = client(server.url)
            sizes, names, token = [], [], None
            while True:
                page = c.list_s3_buckets(**({"NextToken": token} if token else {}))
                sizes.append(len(page["Buckets"]))
                names += [b["Name"] for b in page["Buckets"]]
                token = page.get("NextToken")
                if not token:
                    break
            self.assertEqual(sizes, [100, 100, 30])
            self.assertEqual(names, ["seed-%03d" % i for i in range(230)])
        finally:
            server.stop()


if __name__ == "__main__":
    unittest.main()
