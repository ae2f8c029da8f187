package httpapi

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/amplifybackendd/amplifybackendd/internal/api"
)

// s3CreationDate is how ListS3Buckets writes CreationDate: ISO 8601 in UTC with milliseconds,
// as S3 does.
const s3CreationDate = "2006-01-02T15:04:05.000Z"

func (o *operations) CreateBackendStorage(ctx context.Context, in *api.CreateBackendStorageRequest) (*api.CreateBackendStorageResponse, error) {
	config, err := json.Marshal(in.ResourceConfig)
	if err != nil {
		return nil, fmt.Errorf("encode storage resourceConfig: %w", err)
	}
	job, err := o.svc.CreateBackendStorage(ctx, envKey(ctx, in.AppId, in.BackendEnvironmentName), api.StringValue(in.ResourceName), config)
	if err != nil {
		return nil, err
	}
	return &api.CreateBackendStorageResponse{AppId: str(job.AppID), BackendEnvironmentName: str(job.Env), JobId: str(job.JobID), Status: str(job.Status)}, nil
}

func (o *operations) DeleteBackendStorage(ctx context.Context, in *api.DeleteBackendStorageRequest) (*api.DeleteBackendStorageResponse, error) {
	// ServiceName is validated (S3 is the only storage service) and needs nothing more.
	job, err := o.svc.DeleteBackendStorage(ctx, envKey(ctx, in.AppId, in.BackendEnvironmentName), api.StringValue(in.ResourceName))
	if err != nil {
		return nil, err
	}
	return &api.DeleteBackendStorageResponse{AppId: str(job.AppID), BackendEnvironmentName: str(job.Env), JobId: str(job.JobID), Status: str(job.Status)}, nil
}

func (o *operations) GetBackendStorage(ctx context.Context, in *api.GetBackendStorageRequest) (*api.GetBackendStorageResponse, error) {
	key := envKey(ctx, in.AppId, in.BackendEnvironmentName)
	res, err := o.svc.GetBackendStorage(ctx, key, api.StringValue(in.ResourceName))
	if err != nil {
		return nil, err
	}
	// The stored configuration is a Create (or Import) configuration with updates merged in.
	var stored api.CreateBackendStorageResourceConfig
	if err := json.Unmarshal(res.Config, &stored); err != nil {
		return nil, fmt.Errorf("decode stored storage config of %s/%s: %w", key.AppID, key.Env, err)
	}
	service := api.ServiceNameS3
	if stored.ServiceName != nil {
		service = *stored.ServiceName
	}
	return &api.GetBackendStorageResponse{
		AppId:                  str(key.AppID),
		BackendEnvironmentName: str(key.Env),
		ResourceName:           str(res.Name),
		ResourceConfig: &api.GetBackendStorageResourceConfig{
			BucketName:  optional(res.Deployed["BucketName"]),
			Imported:    api.Bool(res.Imported),
			Permissions: stored.Permissions,
			ServiceName: &service,
		},
	}, nil
}

func (o *operations) ImportBackendStorage(ctx context.Context, in *api.ImportBackendStorageRequest) (*api.ImportBackendStorageResponse, error) {
	job, err := o.svc.ImportBackendStorage(ctx, envKey(ctx, in.AppId, in.BackendEnvironmentName), api.StringValue(in.BucketName))
	if err != nil {
		return nil, err
	}
	return &api.ImportBackendStorageResponse{AppId: str(job.AppID), BackendEnvironmentName: str(job.Env), JobId: str(job.JobID), Status: str(job.Status)}, nil
}

func (o *operations) ListS3Buckets(ctx context.Context, in *api.ListS3BucketsRequest) (*api.ListS3BucketsResponse, error) {
	page, err := o.svc.ListS3Buckets(ctx, ScopeFrom(ctx), api.StringValue(in.NextToken))
	if err != nil {
		return nil, err
	}
	out := &api.ListS3BucketsResponse{Buckets: make([]api.S3BucketInfo, 0, len(page.Buckets)), NextToken: optional(page.NextToken)}
	for _, b := range page.Buckets {
		out.Buckets = append(out.Buckets, api.S3BucketInfo{
			Name:         str(b.Name),
			CreationDate: str(b.CreatedAt.UTC().Format(s3CreationDate)),
		})
	}
	return out, nil
}

func (o *operations) UpdateBackendStorage(ctx context.Context, in *api.UpdateBackendStorageRequest) (*api.UpdateBackendStorageResponse, error) {
	patch, err := json.Marshal(in.ResourceConfig)
	if err != nil {
		return nil, fmt.Errorf("encode storage resourceConfig: %w", err)
	}
	job, err := o.svc.UpdateBackendStorage(ctx, envKey(ctx, in.AppId, in.BackendEnvironmentName), api.StringValue(in.ResourceName), patch)
	if err != nil {
		return nil, err
	}
	return &api.UpdateBackendStorageResponse{AppId: str(job.AppID), BackendEnvironmentName: str(job.Env), JobId: str(job.JobID), Status: str(job.Status)}, nil
}
