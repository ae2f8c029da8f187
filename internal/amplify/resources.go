package amplify

import (
	"encoding/json"
	"errors"
	"strings"
	"time"
)

const (
	lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"
	alnum      = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

// authOutputKeys are the output members of an auth resource, in amplify-meta.json's order.
var authOutputKeys = []string{
	"UserPoolId", "UserPoolArn", "UserPoolName", "AppClientIDWeb", "AppClientID",
	"IdentityPoolId", "IdentityPoolName",
}

// usesUserPools reports whether an API config has the Cognito user pool auth mode.
func usesUserPools(cf Configs, raw json.RawMessage) bool {
	c, err := cf.API(raw)
	if err != nil {
		return false
	}
	for _, m := range c.modes() {
		if m == "AMAZON_COGNITO_USER_POOLS" {
			return true
		}
	}
	return false
}

// frontendAuthConfig derives amplify-meta.json's frontendAuthConfig from an auth config, as
// the Amplify CLI does.
func frontendAuthConfig(cf Configs, raw json.RawMessage) (json.RawMessage, error) {
	c, err := cf.Auth(raw)
	if err != nil {
		return nil, err
	}
	fac := struct {
		SocialProviders            []string `json:"socialProviders"`
		UsernameAttributes         []string `json:"usernameAttributes"`
		SignupAttributes           []string `json:"signupAttributes"`
		PasswordProtectionSettings struct {
			PasswordPolicyMinLength  float64  `json:"passwordPolicyMinLength"`
			PasswordPolicyCharacters []string `json:"passwordPolicyCharacters"`
		} `json:"passwordProtectionSettings"`
		MfaConfiguration       string   `json:"mfaConfiguration"`
		MfaTypes               []string `json:"mfaTypes"`
		VerificationMechanisms []string `json:"verificationMechanisms"`
	}{
		SocialProviders: []string{}, UsernameAttributes: []string{}, SignupAttributes: []string{},
		MfaConfiguration: "OFF", MfaTypes: []string{}, VerificationMechanisms: []string{},
	}
	fac.PasswordProtectionSettings.PasswordPolicyMinLength = 8
	fac.PasswordProtectionSettings.PasswordPolicyCharacters = []string{}
	if up := c.UserPool; up != nil {
		if up.OAuth != nil {
			fac.SocialProviders = append(fac.SocialProviders, up.OAuth.SocialProviders...)
		}
		switch up.SignInMethod {
		case "EMAIL":
			fac.UsernameAttributes = []string{"EMAIL"}
			fac.VerificationMechanisms = []string{"EMAIL"}
		case "PHONE_NUMBER":
			fac.UsernameAttributes = []string{"PHONE_NUMBER"}
			fac.VerificationMechanisms = []string{"PHONE_NUMBER"}
		case "EMAIL_AND_PHONE_NUMBER":
			fac.UsernameAttributes = []string{"EMAIL", "PHONE_NUMBER"}
			fac.VerificationMechanisms = []string{"EMAIL", "PHONE_NUMBER"}
		}
		fac.SignupAttributes = append(fac.SignupAttributes, up.RequiredSignUpAttributes...)
		if up.PasswordMinLength != nil {
			fac.PasswordProtectionSettings.PasswordPolicyMinLength = *up.PasswordMinLength
		}
		for _, c := range up.PasswordConstraints {
			fac.PasswordProtectionSettings.PasswordPolicyCharacters = append(
				fac.PasswordProtectionSettings.PasswordPolicyCharacters, passwordCharacters(c))
		}
		if up.MFAMode != "" {
			fac.MfaConfiguration = up.MFAMode
		}
		fac.MfaTypes = append(fac.MfaTypes, up.MFATypes...)
	}
	return json.Marshal(fac)
}

// passwordCharacters maps a model password constraint to the CLI's frontend name.
func passwordCharacters(constraint string) string {
	switch constraint {
	case "REQUIRE_DIGIT":
		return "REQUIRES_NUMBERS"
	case "REQUIRE_SYMBOL":
		return "REQUIRES_SYMBOLS"
	default:
		return strings.Replace(constraint, "REQUIRE_", "REQUIRES_", 1)
	}
}

// apiAuthConfig derives an AppSync API's authConfig output from its config.
//
// poolID is the user pool id of the environment's auth resource: the one AppSync authorizes
// with. The stored config carries it too (withUserPool); an API stored before it did gets it
// here.
func apiAuthConfig(cf Configs, raw json.RawMessage, poolID string) (any, error) {
	c, err := cf.API(raw)
	if err != nil {
		return nil, err
	}
	provider := func(a APIAuthType) orderedMap {
		m := orderedMap{}.with("authenticationType", a.Mode)
		switch a.Mode {
		case "API_KEY":
			days := 7.0
			desc := ""
			if a.Settings != nil {
				if a.Settings.ExpirationTime != nil {
					days = *a.Settings.ExpirationTime
				}
				desc = a.Settings.Description
			}
			m.set("apiKeyConfig", orderedMap{}.with("apiKeyExpirationDays", days).with("description", desc))
		case "AMAZON_COGNITO_USER_POOLS":
			id := poolID
			if id == "" && a.Settings != nil {
				id = a.Settings.CognitoUserPoolID
			}
			m.set("userPoolConfig", orderedMap{}.with("userPoolId", id))
		case "OPENID_CONNECT":
			oc := orderedMap{}
			if a.Settings != nil {
				oc.set("name", a.Settings.OpenIDProviderName)
				oc.set("issuerUrl", a.Settings.OpenIDIssueURL)
				oc.set("clientId", a.Settings.OpenIDClientID)
			}
			m.set("openIDConnectConfig", oc)
		}
		return m
	}
	out := orderedMap{}
	if c.DefaultAuthType != nil {
		out.set("defaultAuthentication", provider(*c.DefaultAuthType))
	}
	additional := []orderedMap{}
	for _, a := range c.AdditionalAuthTypes {
		additional = append(additional, provider(a))
	}
	out.set("additionalAuthenticationProviders", additional)
	return out, nil
}

// deploy generates the deployed ids of a resource in an environment, in the formats AWS uses.
// Storage resources get their bucket name from the caller.
func (s *Service) deploy(key EnvKey, r *Resource) error {
	d := map[string]string{}
	switch r.Kind {
	case KindAuth:
		c, err := s.configs().Auth(r.Config)
		if err != nil {
			return err
		}
		poolID := key.Region + "_" + s.randomString(alnum, 9)
		name := r.Name
		if c.UserPool != nil && c.UserPool.Name != "" {
			name = c.UserPool.Name
		}
		d["UserPoolId"] = poolID
		d["UserPoolArn"] = userPoolArn(key.Account, poolID)
		d["UserPoolName"] = name
		d["AppClientIDWeb"] = s.randomString(lowerAlnum, 26)
		d["AppClientID"] = s.randomString(lowerAlnum, 26)
		if c.AuthResources == authWithIdentityPool {
			s.deployIdentityPool(key, r.Name, c, d)
		}
	case KindAPI:
		c, err := s.configs().API(r.Config)
		if err != nil {
			return err
		}
		d["GraphQLAPIIdOutput"] = s.randomString(lowerAlnum, 26)
		d["GraphQLAPIEndpointOutput"] = "https://" + s.randomString(lowerAlnum, 26) + ".appsync-api." + key.Region + ".amazonaws.com/graphql"
		for _, m := range c.modes() {
			if m == "API_KEY" {
				d["GraphQLAPIKeyOutput"] = "da2-" + s.randomString(lowerAlnum, 26)
				break
			}
		}
	case KindStorage:
		if r.Deployed != nil {
			d["BucketName"] = r.Deployed["BucketName"]
		}
	}
	r.Deployed = d
	return nil
}

// bucketOwner names the storage resource of an environment as the owner of the bucket it made.
func bucketOwner(key EnvKey) string {
	return key.Account + "/" + key.Region + "/" + key.AppID + "/" + key.Env + "/storage"
}

// cloneResource copies r into the environment to, with new deployed ids. A storage resource
// that created its bucket gets a new bucket; an imported one shares the imported bucket.
func (s *Service) cloneResource(tx Tx, to EnvKey, r *Resource, now time.Time) error {
	c := *r
	c.UpdatedAt = now
	c.Models = nil
	c.Revision = 1
	if r.Kind == KindStorage && !r.Imported {
		name, err := s.createBucket(tx, to, "", now)
		if err != nil {
			return err
		}
		c.Deployed = map[string]string{"BucketName": name}
	}
	if !r.Imported {
		if err := s.deploy(to, &c); err != nil {
			return err
		}
	}
	return tx.PutResource(to, &c)
}

// releaseResource deletes what a resource created outside its environment: a storage
// resource's own bucket. Imported buckets stay.
func (s *Service) releaseResource(tx Tx, key EnvKey, r *Resource) error {
	if r.Kind != KindStorage || r.Deployed == nil {
		return nil
	}
	b, err := tx.Bucket(r.Deployed["BucketName"])
	if ErrorCode(err) == NotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if b.Owner != bucketOwner(key) {
		return nil
	}
	return tx.DeleteBucket(b.Name)
}

// createBucket records a new bucket owned by the storage resource of key. Without a name, it
// generates one as the Amplify CLI does (<prefix><8 random>-<env>).
func (s *Service) createBucket(tx Tx, key EnvKey, name string, now time.Time) (string, error) {
	if name == "" {
		name = bucketPrefix(key.AppID) + s.randomString("0123456789abcdef", 8) + "-" + stackSafe(key.Env)
		if len(name) > 63 {
			name = name[:63]
		}
		name = strings.TrimRight(name, "-.")
	}
	err := tx.InsertBucket(&Bucket{Scope: key.Scope, Name: name, CreatedAt: now, Owner: bucketOwner(key)})
	if errors.Is(err, ErrBucketExists) {
		return "", bucketTaken(name)
	}
	return name, err
}

// bucketTaken is the BadRequest for a bucket name that exists, in any account.
func bucketTaken(name string) error {
	return Invalid("The bucket name %s is not available: bucket names are unique across all accounts. Choose another name, or import a bucket of your account with ImportBackendStorage.", name)
}

func bucketPrefix(appID string) string {
	p := stackSafe(appID)
	if len(p) > 20 {
		p = p[:20]
	}
	return "amplify" + p + "storage"
}

// resourceNamed returns the environment's resource of kind if its name is name; NotFound
// (with the kind as resource type) if the environment has none or it has another name.
func resourceNamed(tx Tx, key EnvKey, kind ResourceKind, name string) (*Resource, error) {
	if err := envPresent(tx, key); err != nil {
		return nil, err
	}
	r, err := tx.Resource(key, kind)
	if err != nil {
		return nil, err
	}
	if r.Name != name {
		return nil, Missing(string(kind), "No %s resource named %s found for appId: %s and backendEnvironmentName: %s (the environment's %s resource is %s)",
			kind, name, key.AppID, key.Env, kind, r.Name)
	}
	return r, nil
}

// resourceAbsent returns BadRequest if the environment already has a resource of kind: the
// Amplify tool chain allows one of each per environment.
func resourceAbsent(tx Tx, key EnvKey, kind ResourceKind) error {
	r, err := tx.Resource(key, kind)
	switch ErrorCode(err) {
	case NotFound:
		return nil
	case "":
		return Invalid("The backend environment %s of appId: %s already has a %s resource (%s); an environment holds one %s resource.",
			key.Env, key.AppID, kind, r.Name, kind)
	default:
		return err
	}
}

// MergeJSON merges patch into base: members of patch replace those of base, except that
// objects present in both are merged member by member. Lists and scalars are replaced whole.
func MergeJSON(base, patch json.RawMessage) (json.RawMessage, error) {
	if len(base) == 0 {
		return patch, nil
	}
	if len(patch) == 0 {
		return base, nil
	}
	var b, p any
	if err := json.Unmarshal(base, &b); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(patch, &p); err != nil {
		return nil, err
	}
	return json.Marshal(mergeValues(b, p))
}

func mergeValues(base, patch any) any {
	bm, ok1 := base.(map[string]any)
	pm, ok2 := patch.(map[string]any)
	if !ok1 || !ok2 {
		return patch
	}
	for k, v := range pm {
		if old, ok := bm[k]; ok {
			bm[k] = mergeValues(old, v)
		} else {
			bm[k] = v
		}
	}
	return bm
}
