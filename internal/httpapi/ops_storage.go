package httpapi

import (
	"context"

	"github.com/amplifybackendd/amplifybackendd/internal/api"
)

func (o *operations) CreateBackendStorage(ctx context.Context, in *api.CreateBackendStorageRequest) (*api.CreateBackendStorageResponse, error) {
	return nil, notImplemented("CreateBackendStorage")
}

func (o *operations) DeleteBackendStorage(ctx context.Context, in *api.DeleteBackendStorageRequest) (*api.DeleteBackendStorageResponse, error) {
	return nil, notImplemented("DeleteBackendStorage")
}

func (o *operations) GetBackendStorage(ctx context.Context, in *api.GetBackendStorageRequest) (*api.GetBackendStorageResponse, error) {
	return nil, notImplemented("GetBackendStorage")
}

func (o *operations) ImportBackendStorage(ctx context.Context, in *api.ImportBackendStorageRequest) (*api.ImportBackendStorageResponse, error) {
	return nil, notImplemented("ImportBackendStorage")
}

func (o *operations) ListS3Buckets(ctx context.Context, in *api.ListS3BucketsRequest) (*api.ListS3BucketsResponse, error) {
	return nil, notImplemented("ListS3Buckets")
}

func (o *operations) UpdateBackendStorage(ctx context.Context, in *api.UpdateBackendStorageRequest) (*api.UpdateBackendStorageResponse, error) {
	return nil, notImplemented("UpdateBackendStorage")
}
