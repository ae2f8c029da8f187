package amplify

import "encoding/json"

// Configs reads and writes the wire JSON of resource configurations. The domain keeps a
// resource's configuration as the client gave it (Resource.Config: the wire JSON of its
// ResourceConfig shape), and reads through Configs only what its behaviour needs, as the
// untagged types below; the wire member names live with the implementation
// (internal/wireconfig, over the generated types of internal/api).
//
// Methods return the decoding error as is; the caller says which BadRequest it is.
type Configs interface {
	// Storage reads a storage ResourceConfig (the Create or the Update shape).
	Storage(raw json.RawMessage) (*StorageConfig, error)
	// EncodeStorage writes the ResourceConfig of a storage resource.
	EncodeStorage(c StorageConfig) (json.RawMessage, error)

	// API reads an API ResourceConfig (a BackendAPIResourceConfig, whole or some members).
	API(raw json.RawMessage) (*APIConfig, error)
	// SetAPIUserPool returns an API ResourceConfig with poolID as the user pool id of every
	// AMAZON_COGNITO_USER_POOLS auth type, every other member as it was.
	SetAPIUserPool(raw json.RawMessage, poolID string) (json.RawMessage, error)
}

// APIConfig is what the service reads of an API ResourceConfig.
type APIConfig struct {
	TransformSchema string
	// SchemaGiven is set when the configuration has a transformSchema, even an empty one.
	SchemaGiven         bool
	DefaultAuthType     *APIAuthType
	AdditionalAuthTypes []APIAuthType
}

// APIAuthType is one auth type of an API: its mode and, when given, its settings.
type APIAuthType struct {
	Mode     string
	Settings *APIAuthSettings
}

// APIAuthSettings are the settings of an API auth type the service reads.
type APIAuthSettings struct {
	CognitoUserPoolID  string
	Description        string
	ExpirationTime     *float64 // days; nil: not given
	OpenIDClientID     string
	OpenIDIssueURL     string
	OpenIDProviderName string
}

// modes returns the modes of the API's auth types, the default one first.
func (c *APIConfig) modes() []string {
	var modes []string
	if c.DefaultAuthType != nil {
		modes = append(modes, c.DefaultAuthType.Mode)
	}
	for _, a := range c.AdditionalAuthTypes {
		modes = append(modes, a.Mode)
	}
	return modes
}

// StorageConfig is what the service reads of a storage ResourceConfig.
type StorageConfig struct {
	BucketName  string // empty: the service names the bucket
	ServiceName string
}

// configs returns the Configs of the service. Its absence is a wiring error of the program,
// as an unset Store is.
func (s *Service) configs() Configs {
	if s.Configs == nil {
		panic("amplify: Service.Configs is not set")
	}
	return s.Configs
}
