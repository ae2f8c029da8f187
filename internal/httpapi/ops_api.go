package httpapi

import (
	"context"

	"github.com/amplifybackendd/amplifybackendd/internal/api"
)

func (o *operations) CreateBackendAPI(ctx context.Context, in *api.CreateBackendAPIRequest) (*api.CreateBackendAPIResponse, error) {
	return nil, notImplemented("CreateBackendAPI")
}

func (o *operations) DeleteBackendAPI(ctx context.Context, in *api.DeleteBackendAPIRequest) (*api.DeleteBackendAPIResponse, error) {
	return nil, notImplemented("DeleteBackendAPI")
}

func (o *operations) GenerateBackendAPIModels(ctx context.Context, in *api.GenerateBackendAPIModelsRequest) (*api.GenerateBackendAPIModelsResponse, error) {
	return nil, notImplemented("GenerateBackendAPIModels")
}

func (o *operations) GetBackendAPI(ctx context.Context, in *api.GetBackendAPIRequest) (*api.GetBackendAPIResponse, error) {
	return nil, notImplemented("GetBackendAPI")
}

func (o *operations) GetBackendAPIModels(ctx context.Context, in *api.GetBackendAPIModelsRequest) (*api.GetBackendAPIModelsResponse, error) {
	return nil, notImplemented("GetBackendAPIModels")
}

func (o *operations) UpdateBackendAPI(ctx context.Context, in *api.UpdateBackendAPIRequest) (*api.UpdateBackendAPIResponse, error) {
	return nil, notImplemented("UpdateBackendAPI")
}
