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

	// Auth reads an auth ResourceConfig (the CreateBackendAuth shape, or an UpdateBackendAuth
	// one: its members are named as the Create shape's).
	Auth(raw json.RawMessage) (*AuthConfig, error)
	// EncodeAuth writes the CreateBackendAuth ResourceConfig of c; zero values are left out.
	EncodeAuth(c AuthConfig) (json.RawMessage, error)
	// MergeAuth merges an UpdateBackendAuth ResourceConfig into a stored CreateBackendAuth
	// one, so that the result is a CreateBackendAuth ResourceConfig again; an identity pool
	// the update introduces is named identityPoolName unless the update names it.
	MergeAuth(stored, patch json.RawMessage, identityPoolName string) (json.RawMessage, error)

	// LoginAuth reads an Admin UI config's LoginAuthConfig (whole or some members).
	LoginAuth(raw json.RawMessage) (*LoginAuthConfig, error)
	// EncodeLoginAuth writes a LoginAuthConfig; members c does not give are left out.
	EncodeLoginAuth(c LoginAuthConfig) (json.RawMessage, error)
}

// LoginAuthConfig is an Admin UI config's LoginAuthConfig: the Cognito resources the Admin UI
// signs in with. A nil member is not given.
type LoginAuthConfig struct {
	IdentityPoolID *string
	Region         *string
	UserPoolID     *string
	WebClientID    *string
}

// AuthConfig is what the service reads of an auth ResourceConfig.
type AuthConfig struct {
	AuthResources string // authUserPoolOnly or authWithIdentityPool
	Service       string
	IdentityPool  *AuthIdentityPool // nil: not configured
	UserPool      *AuthUserPool     // nil: not configured
}

// AuthIdentityPool is what the service reads of an auth resource's identity pool.
type AuthIdentityPool struct {
	Name string // empty: not given
}

// AuthUserPool is what the service reads of an auth resource's user pool.
type AuthUserPool struct {
	Name                     string // empty: not given
	SignInMethod             string
	RequiredSignUpAttributes []string
	MFAMode                  string // empty: not given
	MFATypes                 []string
	// OAuth is set when the configuration has an oAuth member.
	OAuth *AuthOAuth
	// PasswordMinLength is nil when not given.
	PasswordMinLength   *float64
	PasswordConstraints []string
}

// AuthOAuth is what the service reads of a user pool's OAuth configuration.
type AuthOAuth struct {
	DomainPrefix string
	// SocialProviders are the providers given settings, as the Amplify CLI names them
	// (FACEBOOK, GOOGLE, AMAZON, APPLE), in that order.
	SocialProviders []string
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
