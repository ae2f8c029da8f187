// Package wireconfig reads and writes the wire JSON of resource configurations for the domain
// (amplify.Configs), over the generated shapes of internal/api: the domain keeps a resource's
// configuration as the client gave it and knows none of its member names.
package wireconfig

import (
	"encoding/json"
	"fmt"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/api"
)

// Configs implements amplify.Configs. Its zero value is ready to use.
type Configs struct{}

var _ amplify.Configs = Configs{}

// decode reads raw into a value of the wire shape T; no JSON reads as the zero shape.
func decode[T any](raw json.RawMessage) (*T, error) {
	var v T
	if len(raw) == 0 {
		return &v, nil
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

func str[T ~string](p *T) string {
	if p == nil {
		return ""
	}
	return string(*p)
}

// Storage reads a storage ResourceConfig. The Update shape's members are the Create shape's,
// less bucketName, so the Create shape reads both.
func (Configs) Storage(raw json.RawMessage) (*amplify.StorageConfig, error) {
	c, err := decode[api.CreateBackendStorageResourceConfig](raw)
	if err != nil {
		return nil, err
	}
	return &amplify.StorageConfig{BucketName: str(c.BucketName), ServiceName: str(c.ServiceName)}, nil
}

// EncodeStorage writes the ResourceConfig of a storage resource: bucketName, serviceName.
func (Configs) EncodeStorage(c amplify.StorageConfig) (json.RawMessage, error) {
	return json.Marshal(api.CreateBackendStorageResourceConfig{
		BucketName:  &c.BucketName,
		ServiceName: (*api.ServiceName)(&c.ServiceName),
	})
}

// API reads an API ResourceConfig: a BackendAPIResourceConfig, whole or some of its members.
func (Configs) API(raw json.RawMessage) (*amplify.APIConfig, error) {
	c, err := decode[api.BackendAPIResourceConfig](raw)
	if err != nil {
		return nil, err
	}
	out := &amplify.APIConfig{TransformSchema: str(c.TransformSchema), SchemaGiven: c.TransformSchema != nil}
	if c.DefaultAuthType != nil {
		a := apiAuthType(*c.DefaultAuthType)
		out.DefaultAuthType = &a
	}
	for _, a := range c.AdditionalAuthTypes {
		out.AdditionalAuthTypes = append(out.AdditionalAuthTypes, apiAuthType(a))
	}
	return out, nil
}

func apiAuthType(a api.BackendAPIAuthType) amplify.APIAuthType {
	out := amplify.APIAuthType{Mode: str(a.Mode)}
	if s := a.Settings; s != nil {
		out.Settings = &amplify.APIAuthSettings{
			CognitoUserPoolID:  str(s.CognitoUserPoolId),
			Description:        str(s.Description),
			ExpirationTime:     s.ExpirationTime,
			OpenIDClientID:     str(s.OpenIDClientId),
			OpenIDIssueURL:     str(s.OpenIDIssueURL),
			OpenIDProviderName: str(s.OpenIDProviderName),
		}
	}
	return out
}

// SetAPIUserPool writes poolID into settings.cognitoUserPoolId of the user pool auth types of
// an API config (the wire JSON of a BackendAPIResourceConfig), leaving every other member as
// it was.
func (Configs) SetAPIUserPool(config json.RawMessage, poolID string) (json.RawMessage, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(config, &top); err != nil {
		return nil, fmt.Errorf("API config: %w", err)
	}
	stamp := func(raw json.RawMessage) (json.RawMessage, error) {
		var t map[string]json.RawMessage
		if err := json.Unmarshal(raw, &t); err != nil || t == nil {
			return raw, err
		}
		var mode string
		if json.Unmarshal(t["mode"], &mode) != nil || mode != string(api.ModeAmazonCognitoUserPools) {
			return raw, nil
		}
		var settings map[string]json.RawMessage
		if s := t["settings"]; len(s) > 0 && string(s) != "null" {
			if err := json.Unmarshal(s, &settings); err != nil {
				return nil, err
			}
		}
		if settings == nil {
			settings = map[string]json.RawMessage{}
		}
		id, _ := json.Marshal(poolID)
		settings["cognitoUserPoolId"] = id
		var err error
		if t["settings"], err = json.Marshal(settings); err != nil {
			return nil, err
		}
		return json.Marshal(t)
	}
	var err error
	if d := top["defaultAuthType"]; len(d) > 0 && string(d) != "null" {
		if top["defaultAuthType"], err = stamp(d); err != nil {
			return nil, err
		}
	}
	if a := top["additionalAuthTypes"]; len(a) > 0 && string(a) != "null" {
		var list []json.RawMessage
		if err := json.Unmarshal(a, &list); err != nil {
			return nil, err
		}
		for i := range list {
			if list[i], err = stamp(list[i]); err != nil {
				return nil, err
			}
		}
		if top["additionalAuthTypes"], err = json.Marshal(list); err != nil {
			return nil, err
		}
	}
	return json.Marshal(top)
}

// Auth reads an auth ResourceConfig. The UpdateBackendAuth shapes name their members as the
// CreateBackendAuth ones do, so the Create shape reads both.
func (Configs) Auth(raw json.RawMessage) (*amplify.AuthConfig, error) {
	c, err := decode[api.CreateBackendAuthResourceConfig](raw)
	if err != nil {
		return nil, err
	}
	out := &amplify.AuthConfig{AuthResources: str(c.AuthResources), Service: str(c.Service)}
	if ip := c.IdentityPoolConfigs; ip != nil {
		out.IdentityPool = &amplify.AuthIdentityPool{Name: str(ip.IdentityPoolName)}
	}
	up := c.UserPoolConfigs
	if up == nil {
		return out, nil
	}
	pool := &amplify.AuthUserPool{
		Name:                     str(up.UserPoolName),
		SignInMethod:             str(up.SignInMethod),
		RequiredSignUpAttributes: strs(up.RequiredSignUpAttributes),
	}
	if m := up.Mfa; m != nil {
		pool.MFAMode = str(m.MFAMode)
		if m.Settings != nil {
			pool.MFATypes = strs(m.Settings.MfaTypes)
		}
	}
	if o := up.OAuth; o != nil {
		pool.OAuth = &amplify.AuthOAuth{DomainPrefix: str(o.DomainPrefix)}
		if p := o.SocialProviderSettings; p != nil {
			for _, given := range []struct {
				ok   bool
				name string
			}{{p.Facebook != nil, "FACEBOOK"}, {p.Google != nil, "GOOGLE"}, {p.LoginWithAmazon != nil, "AMAZON"}, {p.SignInWithApple != nil, "APPLE"}} {
				if given.ok {
					pool.OAuth.SocialProviders = append(pool.OAuth.SocialProviders, given.name)
				}
			}
		}
	}
	if pp := up.PasswordPolicy; pp != nil {
		pool.PasswordMinLength = pp.MinimumLength
		pool.PasswordConstraints = strs(pp.AdditionalConstraints)
	}
	out.UserPool = pool
	return out, nil
}

func strs[T ~string](list []T) []string {
	if list == nil {
		return nil
	}
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = string(v)
	}
	return out
}

func ptr[T ~string](s string) *T {
	if s == "" {
		return nil
	}
	v := T(s)
	return &v
}

func elems[T ~string](list []string) []T {
	if list == nil {
		return nil
	}
	out := make([]T, len(list))
	for i, v := range list {
		out[i] = T(v)
	}
	return out
}

// EncodeAuth writes the CreateBackendAuth ResourceConfig of c, leaving out what c leaves
// empty. Social providers are not written: AuthConfig does not carry their settings.
func (Configs) EncodeAuth(c amplify.AuthConfig) (json.RawMessage, error) {
	out := api.CreateBackendAuthResourceConfig{
		AuthResources: ptr[api.AuthResources](c.AuthResources),
		Service:       ptr[api.Service](c.Service),
	}
	if ip := c.IdentityPool; ip != nil {
		out.IdentityPoolConfigs = &api.CreateBackendAuthIdentityPoolConfig{IdentityPoolName: ptr[string](ip.Name)}
	}
	if up := c.UserPool; up != nil {
		pool := &api.CreateBackendAuthUserPoolConfig{
			UserPoolName:             ptr[string](up.Name),
			SignInMethod:             ptr[api.SignInMethod](up.SignInMethod),
			RequiredSignUpAttributes: elems[api.RequiredSignUpAttributesElement](up.RequiredSignUpAttributes),
		}
		if up.MFAMode != "" || up.MFATypes != nil {
			pool.Mfa = &api.CreateBackendAuthMFAConfig{MFAMode: ptr[api.MFAMode](up.MFAMode)}
			if up.MFATypes != nil {
				pool.Mfa.Settings = &api.Settings{MfaTypes: elems[api.MfaTypesElement](up.MFATypes)}
			}
		}
		if up.OAuth != nil {
			pool.OAuth = &api.CreateBackendAuthOAuthConfig{DomainPrefix: ptr[string](up.OAuth.DomainPrefix)}
		}
		if up.PasswordMinLength != nil || up.PasswordConstraints != nil {
			pool.PasswordPolicy = &api.CreateBackendAuthPasswordPolicyConfig{
				MinimumLength:         up.PasswordMinLength,
				AdditionalConstraints: elems[api.AdditionalConstraintsElement](up.PasswordConstraints),
			}
		}
		out.UserPoolConfigs = pool
	}
	return json.Marshal(out)
}

// MergeAuth merges an UpdateBackendAuth ResourceConfig into a stored CreateBackendAuth one.
// The Update shapes use the Create shapes' member names, so the merge is by name
// (amplify.MergeJSON: objects member by member, lists and scalars replaced whole); what the
// Update shapes lack (userPoolName, signInMethod, requiredSignUpAttributes, identityPoolName)
// keeps its stored value. Two members follow from authResources, to keep the result a valid
// CreateBackendAuth ResourceConfig: USER_POOL_ONLY drops identityPoolConfigs, and an
// identityPoolConfigs the update introduces gets identityPoolName (the name the identity pool
// is deployed with) and unauthenticatedLogin false unless given.
func (Configs) MergeAuth(stored, patch json.RawMessage, identityPoolName string) (json.RawMessage, error) {
	merged, err := amplify.MergeJSON(stored, patch)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(merged, &m); err != nil {
		return nil, err
	}
	if m["authResources"] == string(api.AuthResourcesUserPoolOnly) {
		delete(m, "identityPoolConfigs")
	}
	if ip, ok := m["identityPoolConfigs"].(map[string]any); ok {
		if _, ok := ip["identityPoolName"]; !ok {
			ip["identityPoolName"] = identityPoolName
		}
		if _, ok := ip["unauthenticatedLogin"]; !ok {
			ip["unauthenticatedLogin"] = false
		}
	}
	return json.Marshal(m)
}

// LoginAuth reads a LoginAuthConfig (LoginAuthConfigReqObj), whole or some members.
func (Configs) LoginAuth(raw json.RawMessage) (*amplify.LoginAuthConfig, error) {
	c, err := decode[api.LoginAuthConfigReqObj](raw)
	if err != nil {
		return nil, err
	}
	return &amplify.LoginAuthConfig{
		IdentityPoolID: c.AwsCognitoIdentityPoolId,
		Region:         c.AwsCognitoRegion,
		UserPoolID:     c.AwsUserPoolsId,
		WebClientID:    c.AwsUserPoolsWebClientId,
	}, nil
}

// EncodeLoginAuth writes a LoginAuthConfig (LoginAuthConfigReqObj).
func (Configs) EncodeLoginAuth(c amplify.LoginAuthConfig) (json.RawMessage, error) {
	return json.Marshal(api.LoginAuthConfigReqObj{
		AwsCognitoIdentityPoolId: c.IdentityPoolID,
		AwsCognitoRegion:         c.Region,
		AwsUserPoolsId:           c.UserPoolID,
		AwsUserPoolsWebClientId:  c.WebClientID,
	})
}
