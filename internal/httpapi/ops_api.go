package httpapi

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/amplifybackendd/amplifybackendd/internal/api"
)

// apiConfigJSON encodes a BackendAPIResourceConfig as the domain stores it: the wire JSON of
// the members given (nil when the request has none).
func apiConfigJSON(c *api.BackendAPIResourceConfig) (json.RawMessage, error) {
	if c == nil {
		return nil, nil
	}
	raw, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode API resourceConfig: %w", err)
	}
	return raw, nil
}

func (o *operations) CreateBackendAPI(ctx context.Context, in *api.CreateBackendAPIRequest) (*api.CreateBackendAPIResponse, error) {
	config, err := apiConfigJSON(in.ResourceConfig)
	if err != nil {
		return nil, err
	}
	job, err := o.svc.CreateBackendAPI(ctx, envKey(ctx, in.AppId, in.BackendEnvironmentName), api.StringValue(in.ResourceName), config)
	if err != nil {
		return nil, err
	}
	r := reply(job)
	return &api.CreateBackendAPIResponse{AppId: r.AppID, BackendEnvironmentName: r.Env, JobId: r.JobID, Operation: r.Operation, Status: r.Status, Error: r.Error}, nil
}

func (o *operations) DeleteBackendAPI(ctx context.Context, in *api.DeleteBackendAPIRequest) (*api.DeleteBackendAPIResponse, error) {
	// The request's resourceConfig, which the model allows, says nothing a deletion needs.
	job, err := o.svc.DeleteBackendAPI(ctx, envKey(ctx, in.AppId, in.BackendEnvironmentName), api.StringValue(in.ResourceName))
	if err != nil {
		return nil, err
	}
	r := reply(job)
	return &api.DeleteBackendAPIResponse{AppId: r.AppID, BackendEnvironmentName: r.Env, JobId: r.JobID, Operation: r.Operation, Status: r.Status, Error: r.Error}, nil
}

func (o *operations) GenerateBackendAPIModels(ctx context.Context, in *api.GenerateBackendAPIModelsRequest) (*api.GenerateBackendAPIModelsResponse, error) {
	job, err := o.svc.GenerateBackendAPIModels(ctx, envKey(ctx, in.AppId, in.BackendEnvironmentName), api.StringValue(in.ResourceName))
	if err != nil {
		return nil, err
	}
	r := reply(job)
	return &api.GenerateBackendAPIModelsResponse{AppId: r.AppID, BackendEnvironmentName: r.Env, JobId: r.JobID, Operation: r.Operation, Status: r.Status, Error: r.Error}, nil
}

func (o *operations) GetBackendAPI(ctx context.Context, in *api.GetBackendAPIRequest) (*api.GetBackendAPIResponse, error) {
	key := envKey(ctx, in.AppId, in.BackendEnvironmentName)
	res, err := o.svc.GetBackendAPI(ctx, key, api.StringValue(in.ResourceName))
	if err != nil {
		return nil, err
	}
	config := new(api.BackendAPIResourceConfig)
	if err := json.Unmarshal(res.Config, config); err != nil {
		return nil, fmt.Errorf("decode stored API config of %s/%s: %w", key.AppID, key.Env, err)
	}
	return &api.GetBackendAPIResponse{
		AppId:                  str(key.AppID),
		BackendEnvironmentName: str(key.Env),
		ResourceConfig:         config,
		ResourceName:           str(res.Name),
	}, nil
}

func (o *operations) GetBackendAPIModels(ctx context.Context, in *api.GetBackendAPIModelsRequest) (*api.GetBackendAPIModelsResponse, error) {
	m, err := o.svc.GetBackendAPIModels(ctx, envKey(ctx, in.AppId, in.BackendEnvironmentName), api.StringValue(in.ResourceName))
	if err != nil {
		return nil, err
	}
	status := api.Status(m.Status)
	// Before the first generation the models are empty strings, not absent members.
	return &api.GetBackendAPIModelsResponse{
		Models:                   str(m.Models),
		ModelIntrospectionSchema: str(m.Introspection),
		Status:                   &status,
	}, nil
}

func (o *operations) UpdateBackendAPI(ctx context.Context, in *api.UpdateBackendAPIRequest) (*api.UpdateBackendAPIResponse, error) {
	patch, err := apiConfigJSON(in.ResourceConfig)
	if err != nil {
		return nil, err
	}
	job, err := o.svc.UpdateBackendAPI(ctx, envKey(ctx, in.AppId, in.BackendEnvironmentName), api.StringValue(in.ResourceName), patch)
	if err != nil {
		return nil, err
	}
	r := reply(job)
	return &api.UpdateBackendAPIResponse{AppId: r.AppID, BackendEnvironmentName: r.Env, JobId: r.JobID, Operation: r.Operation, Status: r.Status, Error: r.Error}, nil
}
