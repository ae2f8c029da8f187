package httpapi

import (
	"context"

	"github.com/amplifybackendd/amplifybackendd/internal/api"
)

func (o *operations) CreateBackendConfig(ctx context.Context, in *api.CreateBackendConfigRequest) (*api.CreateBackendConfigResponse, error) {
	return nil, notImplemented("CreateBackendConfig")
}

func (o *operations) CreateToken(ctx context.Context, in *api.CreateTokenRequest) (*api.CreateTokenResponse, error) {
	return nil, notImplemented("CreateToken")
}

func (o *operations) DeleteToken(ctx context.Context, in *api.DeleteTokenRequest) (*api.DeleteTokenResponse, error) {
	return nil, notImplemented("DeleteToken")
}

func (o *operations) GetToken(ctx context.Context, in *api.GetTokenRequest) (*api.GetTokenResponse, error) {
	return nil, notImplemented("GetToken")
}

func (o *operations) RemoveBackendConfig(ctx context.Context, in *api.RemoveBackendConfigRequest) (*api.RemoveBackendConfigResponse, error) {
	return nil, notImplemented("RemoveBackendConfig")
}

func (o *operations) UpdateBackendConfig(ctx context.Context, in *api.UpdateBackendConfigRequest) (*api.UpdateBackendConfigResponse, error) {
	return nil, notImplemented("UpdateBackendConfig")
}
