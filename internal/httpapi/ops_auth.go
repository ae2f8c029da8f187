package httpapi

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/api"
)

func (o *operations) CreateBackendAuth(ctx context.Context, in *api.CreateBackendAuthRequest) (*api.CreateBackendAuthResponse, error) {
	config, err := json.Marshal(in.ResourceConfig)
	if err != nil {
		return nil, fmt.Errorf("encode auth resourceConfig: %w", err)
	}
	job, err := o.svc.CreateBackendAuth(ctx, envKey(ctx, in.AppId, in.BackendEnvironmentName), api.StringValue(in.ResourceName), config)
	if err != nil {
		return nil, err
	}
	r := reply(job)
	return &api.CreateBackendAuthResponse{AppId: r.AppID, BackendEnvironmentName: r.Env, JobId: r.JobID, Operation: r.Operation, Status: r.Status, Error: r.Error}, nil
}

func (o *operations) DeleteBackendAuth(ctx context.Context, in *api.DeleteBackendAuthRequest) (*api.DeleteBackendAuthResponse, error) {
	job, err := o.svc.DeleteBackendAuth(ctx, envKey(ctx, in.AppId, in.BackendEnvironmentName), api.StringValue(in.ResourceName))
	if err != nil {
		return nil, err
	}
	r := reply(job)
	return &api.DeleteBackendAuthResponse{AppId: r.AppID, BackendEnvironmentName: r.Env, JobId: r.JobID, Operation: r.Operation, Status: r.Status, Error: r.Error}, nil
}

func (o *operations) GetBackendAuth(ctx context.Context, in *api.GetBackendAuthRequest) (*api.GetBackendAuthResponse, error) {
	key := envKey(ctx, in.AppId, in.BackendEnvironmentName)
	res, err := o.svc.GetBackendAuth(ctx, key, api.StringValue(in.ResourceName))
	if err != nil {
		return nil, err
	}
	config := new(api.CreateBackendAuthResourceConfig)
	if err := json.Unmarshal(res.Config, config); err != nil {
		return nil, fmt.Errorf("decode stored auth config of %s/%s: %w", key.AppID, key.Env, err)
	}
	return &api.GetBackendAuthResponse{
		AppId:                  str(key.AppID),
		BackendEnvironmentName: str(key.Env),
		ResourceConfig:         config,
		ResourceName:           str(res.Name),
	}, nil
}

func (o *operations) ImportBackendAuth(ctx context.Context, in *api.ImportBackendAuthRequest) (*api.ImportBackendAuthResponse, error) {
	job, err := o.svc.ImportBackendAuth(ctx, envKey(ctx, in.AppId, in.BackendEnvironmentName), amplify.ImportedAuth{
		UserPoolID:     api.StringValue(in.UserPoolId),
		WebClientID:    api.StringValue(in.WebClientId),
		NativeClientID: api.StringValue(in.NativeClientId),
		IdentityPoolID: api.StringValue(in.IdentityPoolId),
	})
	if err != nil {
		return nil, err
	}
	r := reply(job)
	return &api.ImportBackendAuthResponse{AppId: r.AppID, BackendEnvironmentName: r.Env, JobId: r.JobID, Operation: r.Operation, Status: r.Status, Error: r.Error}, nil
}

func (o *operations) UpdateBackendAuth(ctx context.Context, in *api.UpdateBackendAuthRequest) (*api.UpdateBackendAuthResponse, error) {
	patch, err := json.Marshal(in.ResourceConfig)
	if err != nil {
		return nil, fmt.Errorf("encode auth resourceConfig: %w", err)
	}
	job, err := o.svc.UpdateBackendAuth(ctx, envKey(ctx, in.AppId, in.BackendEnvironmentName), api.StringValue(in.ResourceName), patch, checkAuthConfig)
	if err != nil {
		return nil, err
	}
	r := reply(job)
	return &api.UpdateBackendAuthResponse{AppId: r.AppID, BackendEnvironmentName: r.Env, JobId: r.JobID, Operation: r.Operation, Status: r.Status, Error: r.Error}, nil
}

// checkAuthConfig validates an auth configuration (wire JSON) against the model's constraints
// of a CreateBackendAuth ResourceConfig, with violations reported at their request path
// ("resourceConfig.userPoolConfigs...").
func checkAuthConfig(raw json.RawMessage) error {
	config := new(api.CreateBackendAuthResourceConfig)
	if err := json.Unmarshal(raw, config); err != nil {
		return amplify.Invalid("The auth resourceConfig could not be read: %v", err)
	}
	// Validation runs over a whole request; the other members are set so that only the
	// configuration's own violations are reported.
	req := api.CreateBackendAuthRequest{AppId: str("-"), BackendEnvironmentName: str("-"), ResourceName: str("-"), ResourceConfig: config}
	return req.Validate()
}
