package amplify

import (
	_ "embed"
	"encoding/json"
	"strings"
)

// featureFlags is the cli.json of a new Amplify CLI project, which GetBackend returns as
// AmplifyFeatureFlags.
//
//go:embed cli.json
var featureFlags string

// stackName is the CloudFormation stack name the Amplify CLI gives an environment:
// amplify-<appname>-<env>-<6 digits>, with characters CloudFormation refuses removed.
func stackName(app *App, env *Environment) string {
	return "amplify-" + stackSafe(app.Name) + "-" + stackSafe(env.Env) + "-" + env.StackSuffix
}

func stackSafe(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "app"
	}
	if b.Len() > 20 {
		return b.String()[:20]
	}
	return b.String()
}

// awsCloudFormation is providers.awscloudformation of amplify-meta.json, in the CLI's key order.
type awsCloudFormation struct {
	AuthRoleName         string
	UnauthRoleArn        string
	AuthRoleArn          string
	Region               string
	DeploymentBucketName string
	UnauthRoleName       string
	StackName            string
	StackId              string
	AmplifyAppId         string
}

// metaResource is one resource entry of amplify-meta.json, in the CLI's key order.
type metaResource struct {
	Service            string            `json:"service"`
	ServiceType        string            `json:"serviceType,omitempty"`
	ProviderPlugin     string            `json:"providerPlugin"`
	DependsOn          []dependency      `json:"dependsOn"`
	CustomAuth         *bool             `json:"customAuth,omitempty"`
	FrontendAuthConfig json.RawMessage   `json:"frontendAuthConfig,omitempty"`
	Output             orderedMap        `json:"output"`
	LastPushTimeStamp  string            `json:"lastPushTimeStamp"`
	ProviderMetadata   *providerMetadata `json:"providerMetadata,omitempty"`
}

// dependency is one entry of a resource's dependsOn list.
type dependency struct {
	Category     string   `json:"category"`
	ResourceName string   `json:"resourceName"`
	Attributes   []string `json:"attributes"`
}

type providerMetadata struct {
	S3TemplateURL string `json:"s3TemplateURL"`
	LogicalID     string `json:"logicalId"`
}

// amplifyMeta renders an environment's amplify-meta.json: the providers section and one
// section per resource kind.
func amplifyMeta(cf Configs, app *App, env *Environment, resources []Resource) (string, error) {
	stack := stackName(app, env)
	arn := func(service, resource string) string {
		return "arn:aws:" + service + "::" + env.Account + ":" + resource
	}
	meta := orderedMap{}
	meta.set("providers", orderedMap{}.with("awscloudformation", awsCloudFormation{
		AuthRoleName:         stack + "-authRole",
		UnauthRoleArn:        arn("iam", "role/"+stack+"-unauthRole"),
		AuthRoleArn:          arn("iam", "role/"+stack+"-authRole"),
		Region:               env.Region,
		DeploymentBucketName: stack + "-deployment",
		UnauthRoleName:       stack + "-unauthRole",
		StackName:            stack,
		StackId:              "arn:aws:cloudformation:" + env.Region + ":" + env.Account + ":stack/" + stack + "/" + env.StackUUID,
		AmplifyAppId:         app.AppID,
	}))
	for _, kind := range []ResourceKind{KindAuth, KindAPI, KindStorage} {
		for i := range resources {
			r := &resources[i]
			if r.Kind != kind {
				continue
			}
			entry, err := metaEntry(cf, stack, env, r, resources)
			if err != nil {
				return "", err
			}
			meta.set(string(kind), orderedMap{}.with(r.Name, entry))
		}
	}
	out, err := json.Marshal(meta)
	return string(out), err
}

func metaEntry(cf Configs, stack string, env *Environment, r *Resource, all []Resource) (metaResource, error) {
	e := metaResource{
		ProviderPlugin:    "awscloudformation",
		DependsOn:         []dependency{},
		Output:            orderedMap{},
		LastPushTimeStamp: r.UpdatedAt.UTC().Format("2006-01-02T15:04:05.000Z"),
		ProviderMetadata: &providerMetadata{
			S3TemplateURL: "https://s3.amazonaws.com/" + stack + "-deployment/amplify-cfn-templates/" + string(r.Kind) + "/" + r.Name + "-cloudformation-template.json",
			LogicalID:     string(r.Kind) + r.Name,
		},
	}
	if r.Imported {
		e.ServiceType = "imported"
		e.ProviderMetadata = nil
	}
	switch r.Kind {
	case KindAuth:
		e.Service = "Cognito"
		custom := false
		e.CustomAuth = &custom
		fac, err := frontendAuthConfig(cf, r.Config)
		if err != nil {
			return e, err
		}
		e.FrontendAuthConfig = fac
		for _, k := range authOutputKeys {
			if v, ok := r.Deployed[k]; ok {
				e.Output.set(k, v)
			}
		}
	case KindAPI:
		e.Service = "AppSync"
		for _, k := range []string{"GraphQLAPIIdOutput", "GraphQLAPIEndpointOutput", "GraphQLAPIKeyOutput"} {
			if v, ok := r.Deployed[k]; ok {
				e.Output.set(k, v)
			}
		}
		poolID := ""
		for _, other := range all {
			if other.Kind == KindAuth {
				poolID = other.Deployed["UserPoolId"]
			}
		}
		ac, err := apiAuthConfig(cf, r.Config, poolID)
		if err != nil {
			return e, err
		}
		e.Output.set("authConfig", ac)
		if usesUserPools(cf, r.Config) {
			for _, other := range all {
				if other.Kind == KindAuth {
					e.DependsOn = append(e.DependsOn, dependency{Category: "auth", ResourceName: other.Name, Attributes: []string{"UserPoolId"}})
				}
			}
		}
	case KindStorage:
		e.Service = "S3"
		e.Output.set("BucketName", r.Deployed["BucketName"])
		e.Output.set("Region", env.Region)
	}
	return e, nil
}

// orderedMap is a JSON object that keeps its keys in insertion order, as amplify-meta.json does.
type orderedMap struct {
	keys   []string
	values map[string]any
}

func (m *orderedMap) set(k string, v any) {
	if m.values == nil {
		m.values = map[string]any{}
	}
	if _, ok := m.values[k]; !ok {
		m.keys = append(m.keys, k)
	}
	m.values[k] = v
}

func (m orderedMap) with(k string, v any) orderedMap {
	m.set(k, v)
	return m
}

// MarshalJSON writes the object with its keys in insertion order.
func (m orderedMap) MarshalJSON() ([]byte, error) {
	buf := []byte{'{'}
	for i, k := range m.keys {
		if i > 0 {
			buf = append(buf, ',')
		}
		kb, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		vb, err := json.Marshal(m.values[k])
		if err != nil {
			return nil, err
		}
		buf = append(append(append(buf, kb...), ':'), vb...)
	}
	return append(buf, '}'), nil
}
