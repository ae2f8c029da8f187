// Package wireconfig reads and writes the wire JSON of resource configurations for the domain
// (amplify.Configs), over the generated shapes of internal/api: the domain keeps a resource's
// configuration as the client gave it and knows none of its member names.
package wireconfig

import (
	"encoding/json"

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
