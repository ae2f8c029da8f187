"""boto3: the GraphQL API resource and its data models. CreateBackendAPI, GetBackendAPI,
UpdateBackendAPI, DeleteBackendAPI, GenerateBackendAPIModels, GetBackendAPIModels."""
import json
import unittest

from helpers import JobsMixin, body, client, meta, wait_job
from server import Server

SCHEMA = "type Todo @model { id: ID! name: String! }"
SCHEMA2 = "type Todo @model { id: ID! name: String! }\ntype Note @model { id: ID! text: String }\n"


def api_config(schema=SCHEMA):
    return {
        "ApiName": "todos",
        "Service": "AppSync",
        "TransformSchema": schema,
        "DefaultAuthType": {"Mode": "API_KEY", "Settings": {"ExpirationTime": 30.0, "Description": "demo key"}},
        "AdditionalAuthTypes": [{"Mode": "AWS_IAM"}],
        "ConflictResolution": {"ResolutionStrategy": "AUTOMERGE"},
    }


class API(JobsMixin, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        cls.addClassCleanup(cls.server.stop)
        cls.c = client(cls.server.url)
        for env in ("dev", "empty", "bad"):
            out = cls.c.create_backend(AppId="d1api", AppName="apiapp", BackendEnvironmentName=env)
            assert wait_job(cls.c, "d1api", env, out["JobId"])["Status"] == "COMPLETED"


    def ids(self, env="dev"):
        return {"AppId": "d1api", "BackendEnvironmentName": env, "ResourceName": "todoapi"}

    def test_lifecycle_and_models(self):
        c = self.c
        cfg = api_config()
        out = c.create_backend_api(ResourceConfig=cfg, **self.ids())
        self.complete(out, "CreateBackendAPI", "d1api", "dev")
        got = c.get_backend_api(**self.ids())
        self.assertEqual(body(got), dict(self.ids(), ResourceConfig=cfg))

        api = meta(c, "d1api", "dev")["api"]["todoapi"]
        self.assertEqual((api["service"], api["providerPlugin"], api["dependsOn"]), ("AppSync", "awscloudformation", []))
        o = api["output"]
        self.assertRegex(o["GraphQLAPIIdOutput"], r"^[a-z0-9]{26}$")
        self.assertRegex(o["GraphQLAPIEndpointOutput"], r"^https://[a-z0-9]{26}\.appsync-api\.us-east-1\.amazonaws\.com/graphql$")
        self.assertRegex(o["GraphQLAPIKeyOutput"], r"^da2-[a-z0-9]{26}$")
        self.assertEqual(o["authConfig"], {
            "defaultAuthentication": {"authenticationType": "API_KEY", "apiKeyConfig": {"apiKeyExpirationDays": 30, "description": "demo key"}},
            "additionalAuthenticationProviders": [{"authenticationType": "AWS_IAM"}],
        })

        # Before any generation: empty models, STALE.
        m = c.get_backend_api_models(**self.ids())
        self.assertEqual(body(m), {"Models": "", "Status": "STALE", "ModelIntrospectionSchema": ""})

        gen = c.generate_backend_api_models(**self.ids())
        self.complete(gen, "GenerateBackendAPIModels", "d1api", "dev")
        m = c.get_backend_api_models(**self.ids())
        self.assertEqual(m["Status"], "LATEST")
        self.assertIn("export const schema", m["Models"])
        self.assertIn('"Todo"', m["Models"])
        intro = json.loads(m["ModelIntrospectionSchema"])
        self.assertEqual(intro["version"], 1)
        fields = intro["models"]["Todo"]["fields"]
        self.assertEqual((fields["name"]["type"], fields["name"]["isRequired"]), ("String", True))
        self.assertEqual(fields["id"]["type"], "ID")

        # A change that is not the schema keeps them LATEST.
        up = c.update_backend_api(ResourceConfig={"ApiName": "renamed"}, **self.ids())
        self.complete(up, "UpdateBackendAPI", "d1api", "dev")
        self.assertEqual(c.get_backend_api_models(**self.ids())["Status"], "LATEST")
        # Update merges: new default mode, emptied list; the schema and the settings stay.
        up = c.update_backend_api(ResourceConfig={"DefaultAuthType": {"Mode": "AWS_IAM"}, "AdditionalAuthTypes": []}, **self.ids())
        self.complete(up, "UpdateBackendAPI", "d1api", "dev")
        rc = c.get_backend_api(**self.ids())["ResourceConfig"]
        self.assertEqual(rc["ApiName"], "renamed")
        self.assertEqual(rc["TransformSchema"], SCHEMA)
        self.assertEqual(rc["DefaultAuthType"], {"Mode": "AWS_IAM", "Settings": {"ExpirationTime": 30.0, "Description": "demo key"}})
        self.assertEqual(rc["AdditionalAuthTypes"], [])
        o2 = meta(c, "d1api", "dev")["api"]["todoapi"]["output"]
        self.assertEqual(o2["GraphQLAPIIdOutput"], o["GraphQLAPIIdOutput"])
        self.assertNotIn("GraphQLAPIKeyOutput", o2)

        # A schema change makes them STALE; the old models stay readable until regenerated.
        up = c.update_backend_api(ResourceConfig={"TransformSchema": SCHEMA2}, **self.ids())
        self.complete(up, "UpdateBackendAPI", "d1api", "dev")
        stale = c.get_backend_api_models(**self.ids())
        self.assertEqual((stale["Status"], stale["Models"]), ("STALE", m["Models"]))
        self.complete(c.generate_backend_api_models(**self.ids()), "GenerateBackendAPIModels", "d1api", "dev")
        m2 = c.get_backend_api_models(**self.ids())
        self.assertEqual(m2["Status"], "LATEST")
        self.assertIn('"Note"', m2["Models"])
        self.assertIn("Note", json.loads(m2["ModelIntrospectionSchema"])["models"])

        out = c.delete_backend_api(**self.ids())
        self.complete(out, "DeleteBackendAPI", "d1api", "dev")
        self.assertNotFound("api", "", c.get_backend_api, **self.ids())
        self.assertNotFound("api", "", c.get_backend_api_models, **self.ids())
        self.assertNotIn("api", meta(c, "d1api", "dev"))

    def test_bad_schema_fails_the_job(self):
        c = self.c
        out = c.create_backend_api(ResourceConfig=api_config("type Todo @model {\n  id: ID!\n  name: Strin\n}\n"), **self.ids("bad"))
        job = wait_job(c, "d1api", "bad", self.assertSubmitted(out, "CreateBackendAPI", "d1api", "bad"))
        self.assertEqual(job["Status"], "FAILED")
        self.assertIn("schema.graphql:3:9: Undefined type Strin.", job["Error"])
        self.assertNotFound("api", "", c.get_backend_api, **self.ids("bad"))

    def test_errors(self):
        c = self.c
        ops = {
            "GetBackendAPI": lambda **kw: c.get_backend_api(**kw),
            "UpdateBackendAPI": lambda **kw: c.update_backend_api(ResourceConfig={"ApiName": "x"}, **kw),
            "DeleteBackendAPI": lambda **kw: c.delete_backend_api(**kw),
            "GenerateBackendAPIModels": lambda **kw: c.generate_backend_api_models(**kw),
            "GetBackendAPIModels": lambda **kw: c.get_backend_api_models(**kw),
        }
        for op, f in ops.items():
            with self.subTest(op=op):
                self.assertNotFound("app", "", f, AppId="nope", BackendEnvironmentName="dev", ResourceName="todoapi")
                self.assertNotFound("environment", "", f, AppId="d1api", BackendEnvironmentName="prod", ResourceName="todoapi")
                self.assertNotFound("api", "", f, AppId="d1api", BackendEnvironmentName="empty", ResourceName="todoapi")
        self.assertNotFound("app", "", c.create_backend_api, AppId="nope", BackendEnvironmentName="dev", ResourceName="x", ResourceConfig=api_config())
        # AMAZON_COGNITO_USER_POOLS needs auth first: the job fails, saying so, and makes nothing.
        cfg = api_config()
        cfg["AdditionalAuthTypes"] = [{"Mode": "AMAZON_COGNITO_USER_POOLS"}]
        out = c.create_backend_api(ResourceConfig=cfg, **self.ids("empty"))
        job = wait_job(c, "d1api", "empty", self.assertSubmitted(out, "CreateBackendAPI", "d1api", "empty"))
        self.assertEqual(job["Status"], "FAILED")
        self.assertIn("add auth first", job["Error"])
        self.assertNotFound("api", "", c.get_backend_api, **self.ids("empty"))
        # Bad enum, empty schema: refused at once, naming the member.
        cfg = api_config()
        cfg["DefaultAuthType"] = {"Mode": "PASSWORD"}
        self.assertBadRequest("resourceConfig.defaultAuthType.mode", c.create_backend_api, ResourceConfig=cfg, **self.ids("empty"))
        self.assertBadRequest("Value '' at 'resourceConfig.transformSchema'", c.create_backend_api,
                              ResourceConfig=api_config(""), **self.ids("empty"))
        self.assertEqual(c.list_backend_jobs(AppId="d1api", BackendEnvironmentName="empty", Status="IN_PROGRESS")["Jobs"], [])


if __name__ == "__main__":
    unittest.main()
