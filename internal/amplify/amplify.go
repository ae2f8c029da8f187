// Package amplify is the domain of amplifybackendd: apps, backend environments, their
// resources, asynchronous jobs, Admin UI configs, challenge tokens and S3 buckets, all
// partitioned by AWS account and region. It defines the Store the adapters implement and the
// Service that holds the behaviour of every operation. It knows nothing of HTTP, JSON wire
// shapes or SQL.
//
// The JSON this package does encode is its own: job payloads (how a job's input is kept in the
// Store, read back only here) and amplify-meta.json (a file format of the Amplify CLI, not an
// API shape). TestNoJSONTags holds the package to that. Resource configurations are kept as
// the wire JSON the client gave and read through Service.Configs (internal/wireconfig).
package amplify

import (
	"encoding/json"
	"time"
)

// Scope is the account and region a request acts in. All state is partitioned by it.
type Scope struct {
	Account string
	Region  string
}

// AppKey identifies an app.
type AppKey struct {
	Scope
	AppID string
}

// EnvKey identifies a backend environment of an app.
type EnvKey struct {
	AppKey
	Env string
}

// JobKey identifies a job.
type JobKey struct {
	AppKey
	JobID string
}

// App is an Amplify app as the Admin API knows it.
type App struct {
	AppKey
	Name      string
	CreatedAt time.Time
}

// Environment is a backend environment. StackSuffix and StackUUID are its deployed
// identity: the 6 digits of its CloudFormation stack name and the UUID of its stack id,
// generated once and kept stable.
type Environment struct {
	EnvKey
	CreatedAt   time.Time
	StackSuffix string
	StackUUID   string
}

// ResourceKind names the kind of a backend resource; an environment holds at most one of each.
type ResourceKind string

// The resource kinds.
const (
	KindAuth    ResourceKind = "auth"
	KindAPI     ResourceKind = "api"
	KindStorage ResourceKind = "storage"
)

// Resource is a backend resource of an environment: its name, the configuration as last
// written (the wire JSON of the request's ResourceConfig), and the ids it was "deployed" with.
type Resource struct {
	Kind     ResourceKind
	Name     string
	Config   json.RawMessage
	Deployed map[string]string
	Imported bool
	// Revision counts changes of Config; GeneratedModels records the revision it was made from.
	Revision  int64
	Models    *GeneratedModels
	UpdatedAt time.Time
}

// GeneratedModels is the output of GenerateBackendAPIModels for an API resource.
type GeneratedModels struct {
	Models        string
	Introspection string
	Revision      int64 // the Resource.Revision the models were generated from
}

// AppConfig is the Admin UI configuration of an app.
type AppConfig struct {
	AppKey
	BackendManagerAppID string
	LoginAuthConfig     json.RawMessage // the wire JSON of LoginAuthConfigReqObj
	Deployed            map[string]string
	UpdatedAt           time.Time
}

// Token is an Admin UI challenge token.
type Token struct {
	AppKey
	SessionID     string
	ChallengeCode string
	Expires       time.Time
}

// Bucket is an S3 bucket. Names are unique across all accounts and regions.
type Bucket struct {
	Scope
	Name      string
	CreatedAt time.Time
	// Owner is the resource that created the bucket ("" for a bucket that existed before,
	// given at start-up); deleting that resource deletes the bucket.
	Owner string
}
