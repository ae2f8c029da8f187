package httpapi

import (
	"context"

	"github.com/amplifybackendd/amplifybackendd/internal/api"
)

func (o *operations) CreateBackendAuth(ctx context.Context, in *api.CreateBackendAuthRequest) (*api.CreateBackendAuthResponse, error) {
	return nil, notImplemented("CreateBackendAuth")
}

func (o *operations) DeleteBackendAuth(ctx context.Context, in *api.DeleteBackendAuthRequest) (*api.DeleteBackendAuthResponse, error) {
	return nil, notImplemented("DeleteBackendAuth")
}

func (o *operations) GetBackendAuth(ctx context.Context, in *api.GetBackendAuthRequest) (*api.GetBackendAuthResponse, error) {
	return nil, notImplemented("GetBackendAuth")
}

func (o *operations) ImportBackendAuth(ctx context.Context, in *api.ImportBackendAuthRequest) (*api.ImportBackendAuthResponse, error) {
	return nil, notImplemented("ImportBackendAuth")
}

func (o *operations) UpdateBackendAuth(ctx context.Context, in *api.UpdateBackendAuthRequest) (*api.UpdateBackendAuthResponse, error) {
	return nil, notImplemented("UpdateBackendAuth")
}
