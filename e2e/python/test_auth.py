"""boto3: the Cognito auth resource. CreateBackendAuth, GetBackendAuth, UpdateBackendAuth,
DeleteBackendAuth, ImportBackendAuth."""
import copy
import unittest

from helpers import JobsMixin, body, client, meta, wait_job
from server import Server

IDENTITY_POOL_ID = "us-east-1:0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"


def maximal_config():
    """Every member of a CreateBackendAuth ResourceConfig, social providers included."""
    return {
        "AuthResources": "IDENTITY_POOL_AND_USER_POOL",
        "Service": "COGNITO",
        "IdentityPoolConfigs": {"IdentityPoolName": "myIdentityPool", "UnauthenticatedLogin": True},
        "UserPoolConfigs": {
            "ForgotPassword": {
                "DeliveryMethod": "EMAIL",
                "EmailSettings": {"EmailMessage": "Your code is {####}", "EmailSubject": "Reset"},
                "SmsSettings": {"SmsMessage": "Code {####}"},
            },
            "Mfa": {"MFAMode": "OPTIONAL", "Settings": {"MfaTypes": ["SMS", "TOTP"], "SmsMessage": "MFA code {####}"}},
            "OAuth": {
                "DomainPrefix": "myapp-login",
                "OAuthGrantType": "CODE",
                "OAuthScopes": ["PHONE", "EMAIL", "OPENID", "PROFILE", "AWS_COGNITO_SIGNIN_USER_ADMIN"],
                "RedirectSignInURIs": ["https://example.com/signin", "myapp://signin/"],
                "RedirectSignOutURIs": ["https://example.com/signout"],
                "SocialProviderSettings": {
                    "Facebook": {"ClientId": "fb-id", "ClientSecret": "fb-secret"},
                    "Google": {"ClientId": "g-id", "ClientSecret": "g-secret"},
                    "LoginWithAmazon": {"ClientId": "amzn-id", "ClientSecret": "amzn-secret"},
                    "SignInWithApple": {
                        "ClientId": "com.example.app",
                        "KeyId": "KEY123",
                        "PrivateKey": "-----BEGIN PRIVATE KEY-----\nMIGT\n-----END PRIVATE KEY-----",
                        "TeamId": "TEAM456",
                    },
                },
            },
            "PasswordPolicy": {
                "AdditionalConstraints": ["REQUIRE_DIGIT", "REQUIRE_LOWERCASE", "REQUIRE_SYMBOL", "REQUIRE_UPPERCASE"],
                "MinimumLength": 12.0,
            },
            "RequiredSignUpAttributes": ["EMAIL", "NAME", "PHONE_NUMBER"],
            "SignInMethod": "EMAIL_AND_PHONE_NUMBER",
            "UserPoolName": "myUserPool",
            "VerificationMessage": {
                "DeliveryMethod": "SMS",
                "EmailSettings": {"EmailMessage": "Verify {####}", "EmailSubject": "Verify"},
                "SmsSettings": {"SmsMessage": "Verify {####}"},
            },
        },
    }


def minimal_config():
    return {
        "AuthResources": "USER_POOL_ONLY",
        "Service": "COGNITO",
        "UserPoolConfigs": {"RequiredSignUpAttributes": ["EMAIL"], "SignInMethod": "EMAIL", "UserPoolName": "pool1"},
    }


class Auth(JobsMixin, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        cls.addClassCleanup(cls.server.stop)
        cls.c = client(cls.server.url)
        for env in ("dev", "empty", "imp", "upd", "mfa"):
            out = cls.c.create_backend(AppId="d1auth", AppName="My Auth App", BackendEnvironmentName=env)
            assert wait_job(cls.c, "d1auth", env, out["JobId"])["Status"] == "COMPLETED"


    def get(self, env, name):
        return self.c.get_backend_auth(AppId="d1auth", BackendEnvironmentName=env, ResourceName=name)

    def test_create_get_delete(self):
        c = self.c
        cfg = maximal_config()
        out = c.create_backend_auth(AppId="d1auth", BackendEnvironmentName="dev", ResourceName="myauth", ResourceConfig=cfg)
        self.complete(out, "CreateBackendAuth", "d1auth", "dev")

        got = self.get("dev", "myauth")
        self.assertEqual(body(got), {"AppId": "d1auth", "BackendEnvironmentName": "dev", "ResourceName": "myauth", "ResourceConfig": cfg})

        auth = meta(c, "d1auth", "dev")["auth"]["myauth"]
        self.assertEqual((auth["service"], auth["providerPlugin"], auth["dependsOn"]), ("Cognito", "awscloudformation", []))
        self.assertIn("frontendAuthConfig", auth)
        o = auth["output"]
        self.assertRegex(o["UserPoolId"], r"^us-east-1_[A-Za-z0-9]{9}$")
        self.assertEqual(o["UserPoolArn"], "arn:aws:cognito-idp:us-east-1:000000000000:userpool/" + o["UserPoolId"])
        self.assertRegex(o["AppClientID"], r"^[a-z0-9]{26}$")
        self.assertRegex(o["AppClientIDWeb"], r"^[a-z0-9]{26}$")
        self.assertRegex(o["IdentityPoolId"], r"^us-east-1:[0-9a-f-]{36}$")
        self.assertEqual(o["IdentityPoolName"], "myIdentityPool")

        # One auth resource per environment.
        self.assertBadRequest("auth", c.create_backend_auth, AppId="d1auth", BackendEnvironmentName="dev", ResourceName="other", ResourceConfig=minimal_config())
        self.assertBadRequest("auth", c.import_backend_auth, AppId="d1auth", BackendEnvironmentName="dev",
                              UserPoolId="us-east-1_AbC123xyz", WebClientId="web", NativeClientId="native")

        out = c.delete_backend_auth(AppId="d1auth", BackendEnvironmentName="dev", ResourceName="myauth")
        self.complete(out, "DeleteBackendAuth", "d1auth", "dev")
        self.assertNotFound("auth", "", self.get, "dev", "myauth")
        self.assertNotIn("auth", meta(c, "d1auth", "dev"))

    def test_update_merges(self):
        c = self.c
        cfg = maximal_config()
        self.complete(c.create_backend_auth(AppId="d1auth", BackendEnvironmentName="upd", ResourceName="auth1", ResourceConfig=cfg),
                      "CreateBackendAuth", "d1auth", "upd")
        before = meta(c, "d1auth", "upd")["auth"]["auth1"]["output"]
        update = {
            "AuthResources": "IDENTITY_POOL_AND_USER_POOL",
            "Service": "COGNITO",
            "UserPoolConfigs": {
                "PasswordPolicy": {"MinimumLength": 16.0},
                "OAuth": {
                    "RedirectSignOutURIs": ["https://example.com/bye"],
                    "SocialProviderSettings": {"Google": {"ClientId": "g2-id", "ClientSecret": "g2-secret"}},
                },
                "Mfa": {"MFAMode": "ON", "Settings": {"MfaTypes": ["TOTP"]}},
            },
            "IdentityPoolConfigs": {"UnauthenticatedLogin": False},
        }
        out = c.update_backend_auth(AppId="d1auth", BackendEnvironmentName="upd", ResourceName="auth1", ResourceConfig=update)
        self.complete(out, "UpdateBackendAuth", "d1auth", "upd")
        want = copy.deepcopy(cfg)
        up = want["UserPoolConfigs"]
        up["PasswordPolicy"]["MinimumLength"] = 16.0
        up["OAuth"]["RedirectSignOutURIs"] = ["https://example.com/bye"]
        up["OAuth"]["SocialProviderSettings"]["Google"] = {"ClientId": "g2-id", "ClientSecret": "g2-secret"}
        up["Mfa"] = {"MFAMode": "ON", "Settings": {"MfaTypes": ["TOTP"], "SmsMessage": "MFA code {####}"}}
        want["IdentityPoolConfigs"]["UnauthenticatedLogin"] = False
        self.assertEqual(self.get("upd", "auth1")["ResourceConfig"], want)
        after = meta(c, "d1auth", "upd")["auth"]["auth1"]["output"]
        self.assertEqual(after["UserPoolId"], before["UserPoolId"])
        self.assertEqual(after["IdentityPoolId"], before["IdentityPoolId"])

        # Back to USER_POOL_ONLY: the identity pool goes.
        out = c.update_backend_auth(AppId="d1auth", BackendEnvironmentName="upd", ResourceName="auth1",
                                    ResourceConfig={"AuthResources": "USER_POOL_ONLY", "Service": "COGNITO", "UserPoolConfigs": {}})
        self.complete(out, "UpdateBackendAuth", "d1auth", "upd")
        got = self.get("upd", "auth1")["ResourceConfig"]
        self.assertEqual(got["AuthResources"], "USER_POOL_ONLY")
        self.assertNotIn("IdentityPoolConfigs", got)
        self.assertNotIn("IdentityPoolId", meta(c, "d1auth", "upd")["auth"]["auth1"]["output"])

        # A bad enum value is refused at once, naming the member.
        self.assertBadRequest("resourceConfig.authResources", c.update_backend_auth, AppId="d1auth", BackendEnvironmentName="upd",
                              ResourceName="auth1", ResourceConfig={"AuthResources": "EVERYTHING", "Service": "COGNITO", "UserPoolConfigs": {}})

    def test_update_validates_the_merge(self):
        c = self.c
        self.complete(c.create_backend_auth(AppId="d1auth", BackendEnvironmentName="mfa", ResourceName="auth1", ResourceConfig=minimal_config()),
                      "CreateBackendAuth", "d1auth", "mfa")
        # The stored configuration has no MFA, so an update that adds it must give MFAMode.
        self.assertBadRequest("resourceConfig.userPoolConfigs.mfa.MFAMode", c.update_backend_auth, AppId="d1auth",
                              BackendEnvironmentName="mfa", ResourceName="auth1",
                              ResourceConfig={"AuthResources": "USER_POOL_ONLY", "Service": "COGNITO",
                                              "UserPoolConfigs": {"Mfa": {"Settings": {"MfaTypes": ["TOTP"]}}}})
        self.assertEqual(self.get("mfa", "auth1")["ResourceConfig"], minimal_config())
        out = c.update_backend_auth(AppId="d1auth", BackendEnvironmentName="mfa", ResourceName="auth1",
                                    ResourceConfig={"AuthResources": "USER_POOL_ONLY", "Service": "COGNITO",
                                                    "UserPoolConfigs": {"Mfa": {"MFAMode": "ON", "Settings": {"MfaTypes": ["TOTP"]}}}})
        self.complete(out, "UpdateBackendAuth", "d1auth", "mfa")
        want = minimal_config()
        want["UserPoolConfigs"]["Mfa"] = {"MFAMode": "ON", "Settings": {"MfaTypes": ["TOTP"]}}
        self.assertEqual(self.get("mfa", "auth1")["ResourceConfig"], want)
        fac = meta(c, "d1auth", "mfa")["auth"]["auth1"]["frontendAuthConfig"]
        self.assertEqual(fac["mfaConfiguration"], "ON")

    def test_import(self):
        c = self.c
        out = c.import_backend_auth(AppId="d1auth", BackendEnvironmentName="imp", UserPoolId="us-east-1_AbC123xyz",
                                    WebClientId="webclient1234567890abcdefg", NativeClientId="nativeclient1234567890abcd",
                                    IdentityPoolId=IDENTITY_POOL_ID)
        self.complete(out, "ImportBackendAuth", "d1auth", "imp")
        auth = meta(c, "d1auth", "imp")["auth"]
        self.assertEqual(len(auth), 1)
        name = next(iter(auth))
        self.assertRegex(name, r"^my_auth_app[0-9a-f]{8}$")
        self.assertEqual((auth[name]["service"], auth[name]["serviceType"]), ("Cognito", "imported"))
        self.assertEqual(auth[name]["output"], {
            "UserPoolId": "us-east-1_AbC123xyz",
            "UserPoolArn": "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_AbC123xyz",
            "AppClientIDWeb": "webclient1234567890abcdefg",
            "AppClientID": "nativeclient1234567890abcd",
            "IdentityPoolId": IDENTITY_POOL_ID,
        })
        got = self.get("imp", name)
        self.assertEqual(got["ResourceConfig"], {
            "AuthResources": "IDENTITY_POOL_AND_USER_POOL",
            "Service": "COGNITO",
            "IdentityPoolConfigs": {"IdentityPoolName": IDENTITY_POOL_ID},
            "UserPoolConfigs": {"UserPoolName": "us-east-1_AbC123xyz"},
        })
        # Imported auth cannot be updated.
        self.assertBadRequest("", c.update_backend_auth, AppId="d1auth", BackendEnvironmentName="imp", ResourceName=name,
                              ResourceConfig={"AuthResources": "USER_POOL_ONLY", "Service": "COGNITO", "UserPoolConfigs": {}})
        self.complete(c.delete_backend_auth(AppId="d1auth", BackendEnvironmentName="imp", ResourceName=name),
                      "DeleteBackendAuth", "d1auth", "imp")
        self.assertNotFound("auth", "", self.get, "imp", name)

    def test_errors(self):
        c = self.c
        for app, env, rtype in (("nosuchapp", "dev", "app"), ("d1auth", "nosuchenv", "environment"), ("d1auth", "empty", "auth")):
            with self.subTest(app=app, env=env):
                self.assertNotFound(rtype, "", c.get_backend_auth, AppId=app, BackendEnvironmentName=env, ResourceName="auth1")
                self.assertNotFound(rtype, "", c.update_backend_auth, AppId=app, BackendEnvironmentName=env, ResourceName="auth1",
                                    ResourceConfig={"AuthResources": "USER_POOL_ONLY", "Service": "COGNITO", "UserPoolConfigs": {}})
                self.assertNotFound(rtype, "", c.delete_backend_auth, AppId=app, BackendEnvironmentName=env, ResourceName="auth1")
        self.assertNotFound("app", "nosuchapp", c.create_backend_auth, AppId="nosuchapp", BackendEnvironmentName="dev",
                            ResourceName="x", ResourceConfig=minimal_config())
        self.assertNotFound("environment", "nosuchenv", c.import_backend_auth, AppId="d1auth", BackendEnvironmentName="nosuchenv",
                            UserPoolId="us-east-1_AbC123xyz", WebClientId="web", NativeClientId="native")
        # Invalid configurations and ids: BadRequest naming the member.
        bad = minimal_config()
        bad["UserPoolConfigs"]["Mfa"] = {"Settings": {"MfaTypes": ["TOTP"]}}
        raw = client(self.server.url, validate=False)
        self.assertBadRequest("resourceConfig.userPoolConfigs.mfa.MFAMode", raw.create_backend_auth, AppId="d1auth",
                              BackendEnvironmentName="empty", ResourceName="x", ResourceConfig=bad)
        bad = minimal_config()
        bad["AuthResources"] = "EVERYTHING"
        self.assertBadRequest("resourceConfig.authResources", c.create_backend_auth, AppId="d1auth",
                              BackendEnvironmentName="empty", ResourceName="x", ResourceConfig=bad)
        for pool, ident in (("us-east-1AbC123xyz", None), ("eu-west-1_AbC123xyz", None), ("us-east-1_AbC-123", None),
                            ("us-east-1_AbC123xyz", "us-east-1:not-a-uuid"), ("us-east-1_AbC123xyz", "eu-west-1:0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b")):
            with self.subTest(pool=pool, ident=ident):
                kw = {"IdentityPoolId": ident} if ident else {}
                self.assertBadRequest("", c.import_backend_auth, AppId="d1auth", BackendEnvironmentName="empty",
                                      UserPoolId=pool, WebClientId="web", NativeClientId="native", **kw)
        self.assertEqual(c.list_backend_jobs(AppId="d1auth", BackendEnvironmentName="empty", Status="IN_PROGRESS")["Jobs"], [])


if __name__ == "__main__":
    unittest.main()
