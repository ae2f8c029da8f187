// Request shapes shared by the Node and browser suites, in the JS SDK's member names. They
// follow the Go end-to-end tests (cmd/amplifybackendd/*_e2e_test.go).

// fullAuthConfig sets every member of a CreateBackendAuth ResourceConfig, including all four
// social providers (whose wire names are client_id, client_secret, key_id, private_key, team_id).
export function fullAuthConfig() {
  return {
    AuthResources: "IDENTITY_POOL_AND_USER_POOL",
    Service: "COGNITO",
    IdentityPoolConfigs: { IdentityPoolName: "e2eIdentityPool", UnauthenticatedLogin: true },
    UserPoolConfigs: {
      ForgotPassword: {
        DeliveryMethod: "EMAIL",
        // Non-ASCII, an astral character, HTML-like text and U+2028 must survive both JSON codecs.
        EmailSettings: { EmailMessage: "Your code is {####}", EmailSubject: "Réinitialiser \u{1F511} <b>&amp;</b> \u2028" },
        SmsSettings: { SmsMessage: "Code {####}" },
      },
      Mfa: { MFAMode: "OPTIONAL", Settings: { MfaTypes: ["SMS", "TOTP"], SmsMessage: "MFA code {####}" } },
      OAuth: {
        DomainPrefix: "e2e-login",
        OAuthGrantType: "CODE",
        OAuthScopes: ["PHONE", "EMAIL", "OPENID", "PROFILE", "AWS_COGNITO_SIGNIN_USER_ADMIN"],
        RedirectSignInURIs: ["https://example.com/signin", "myapp://signin/"],
        RedirectSignOutURIs: ["https://example.com/signout"],
        SocialProviderSettings: {
          Facebook: { ClientId: "fb-id", ClientSecret: "fb-secret" },
          Google: { ClientId: "g-id", ClientSecret: "g-secret" },
          LoginWithAmazon: { ClientId: "amzn-id", ClientSecret: "amzn-secret" },
          SignInWithApple: {
            ClientId: "com.example.app",
            KeyId: "KEY123",
            PrivateKey: "-----BEGIN PRIVATE KEY-----\nMIGT\n-----END PRIVATE KEY-----",
            TeamId: "TEAM456",
          },
        },
      },
      PasswordPolicy: {
        AdditionalConstraints: ["REQUIRE_DIGIT", "REQUIRE_LOWERCASE", "REQUIRE_SYMBOL", "REQUIRE_UPPERCASE"],
        MinimumLength: 12,
      },
      RequiredSignUpAttributes: ["EMAIL", "NAME", "PHONE_NUMBER"],
      SignInMethod: "EMAIL_AND_PHONE_NUMBER",
      UserPoolName: "e2eUserPool",
      VerificationMessage: {
        DeliveryMethod: "SMS",
        EmailSettings: { EmailMessage: "Verify {####}", EmailSubject: "Verify" },
        SmsSettings: { SmsMessage: "Verify {####}" },
      },
    },
  };
}

// authUpdate changes a few nested members; authMerged is what GetBackendAuth must show after
// it: objects merge member by member, lists and scalars given are replaced.
export function authUpdate() {
  return {
    AuthResources: "IDENTITY_POOL_AND_USER_POOL",
    Service: "COGNITO",
    IdentityPoolConfigs: { UnauthenticatedLogin: false },
    UserPoolConfigs: {
      Mfa: { Settings: { MfaTypes: ["TOTP"] } },
      OAuth: {
        RedirectSignOutURIs: ["https://example.com/bye", "myapp://signout/"],
        SocialProviderSettings: { Google: { ClientId: "g-id-2", ClientSecret: "g-secret-2" } },
      },
      PasswordPolicy: { MinimumLength: 10 },
    },
  };
}

export function authMerged() {
  const c = fullAuthConfig();
  c.IdentityPoolConfigs.UnauthenticatedLogin = false;
  c.UserPoolConfigs.Mfa.Settings.MfaTypes = ["TOTP"];
  c.UserPoolConfigs.OAuth.RedirectSignOutURIs = ["https://example.com/bye", "myapp://signout/"];
  c.UserPoolConfigs.OAuth.SocialProviderSettings.Google = { ClientId: "g-id-2", ClientSecret: "g-secret-2" };
  c.UserPoolConfigs.PasswordPolicy.MinimumLength = 10;
  return c;
}

// importAuthIds are existing Cognito pools in us-east-1, for ImportBackendAuth.
export const importAuthIds = {
  UserPoolId: "us-east-1_AbC123xyZ",
  WebClientId: "webclient1234567890abcdefg",
  NativeClientId: "nativeclient1234567890abcd",
  IdentityPoolId: "us-east-1:0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
};

// apiConfig is a GraphQL API with an API key as the default auth mode, IAM and OpenID
// Connect as extra ones, and conflict resolution: every member of BackendAPIResourceConfig.
export function apiConfig(schema) {
  return {
    ApiName: "todos",
    Service: "AppSync",
    TransformSchema: schema,
    DefaultAuthType: { Mode: "API_KEY", Settings: { ExpirationTime: 7.5, Description: "demo key \u{1F511} <b>&</b>" } },
    AdditionalAuthTypes: [
      { Mode: "AWS_IAM" },
      {
        Mode: "OPENID_CONNECT",
        Settings: {
          OpenIDProviderName: "okta", OpenIDIssueURL: "https://issuer.example.com", OpenIDClientId: "oidc-client",
          OpenIDAuthTTL: "3600", OpenIDIatTTL: "7200",
        },
      },
    ],
    ConflictResolution: { ResolutionStrategy: "AUTOMERGE" },
  };
}

// badSchema does not validate: the job that gets it fails, naming line 3, column 9.
export const badSchema = "type Todo @model {\n  id: ID!\n  name: Strin\n}\n";
export const badSchemaError = "schema.graphql:3:9";

export function storageConfig(bucket) {
  return {
    ServiceName: "S3",
    BucketName: bucket,
    Permissions: { Authenticated: ["READ", "CREATE_AND_UPDATE", "DELETE"], UnAuthenticated: ["READ"] },
  };
}

export const uuidRE = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const epochMillisRE = /^\d{13}$/;
export const userPoolIdRE = /^us-east-1_[A-Za-z0-9]{9}$/;
export const clientIdRE = /^[a-z0-9]{26}$/;
export const identityPoolIdRE = /^us-east-1:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const isoDateRE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
