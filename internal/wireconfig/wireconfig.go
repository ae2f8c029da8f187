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
