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
