package httpapi

import (
	"context"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/api"
)

// notImplemented answers the operations whose behaviour is not built yet: they are routed,
// decoded and validated, then refused with 501 NotImplementedException.
func notImplemented(op string) error {
	return amplify.Errorf(amplify.NotImplemented, "%s is routed and validated, but its behaviour is not implemented yet in amplifybackendd.", op)
}

func (o *operations) CreateBackendAPI(ctx context.Context, in *api.CreateBackendAPIRequest) (*api.CreateBackendAPIResponse, error) {
	return nil, notImplemented("CreateBackendAPI")
}

func (o *operations) CreateBackendAuth(ctx context.Context, in *api.CreateBackendAuthRequest) (*api.CreateBackendAuthResponse, error) {
	return nil, notImplemented("CreateBackendAuth")
}

func (o *operations) CreateBackendConfig(ctx context.Context, in *api.CreateBackendConfigRequest) (*api.CreateBackendConfigResponse, error) {
	return nil, notImplemented("CreateBackendConfig")
}

func (o *operations) CreateBackendStorage(ctx context.Context, in *api.CreateBackendStorageRequest) (*api.CreateBackendStorageResponse, error) {
	return nil, notImplemented("CreateBackendStorage")
}

func (o *operations) CreateToken(ctx context.Context, in *api.CreateTokenRequest) (*api.CreateTokenResponse, error) {
	return nil, notImplemented("CreateToken")
}

func (o *operations) DeleteBackendAPI(ctx context.Context, in *api.DeleteBackendAPIRequest) (*api.DeleteBackendAPIResponse, error) {
	return nil, notImplemented("DeleteBackendAPI")
}

func (o *operations) DeleteBackendAuth(ctx context.Context, in *api.DeleteBackendAuthRequest) (*api.DeleteBackendAuthResponse, error) {
	return nil, notImplemented("DeleteBackendAuth")
}

func (o *operations) DeleteBackendStorage(ctx context.Context, in *api.DeleteBackendStorageRequest) (*api.DeleteBackendStorageResponse, error) {
	return nil, notImplemented("DeleteBackendStorage")
}

func (o *operations) DeleteToken(ctx context.Context, in *api.DeleteTokenRequest) (*api.DeleteTokenResponse, error) {
	return nil, notImplemented("DeleteToken")
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

func (o *operations) GetBackendAuth(ctx context.Context, in *api.GetBackendAuthRequest) (*api.GetBackendAuthResponse, error) {
	return nil, notImplemented("GetBackendAuth")
}

func (o *operations) GetBackendStorage(ctx context.Context, in *api.GetBackendStorageRequest) (*api.GetBackendStorageResponse, error) {
	return nil, notImplemented("GetBackendStorage")
}

func (o *operations) GetToken(ctx context.Context, in *api.GetTokenRequest) (*api.GetTokenResponse, error) {
	return nil, notImplemented("GetToken")
}

func (o *operations) ImportBackendAuth(ctx context.Context, in *api.ImportBackendAuthRequest) (*api.ImportBackendAuthResponse, error) {
	return nil, notImplemented("ImportBackendAuth")
}

func (o *operations) ImportBackendStorage(ctx context.Context, in *api.ImportBackendStorageRequest) (*api.ImportBackendStorageResponse, error) {
	return nil, notImplemented("ImportBackendStorage")
}

func (o *operations) ListS3Buckets(ctx context.Context, in *api.ListS3BucketsRequest) (*api.ListS3BucketsResponse, error) {
	return nil, notImplemented("ListS3Buckets")
}

func (o *operations) RemoveBackendConfig(ctx context.Context, in *api.RemoveBackendConfigRequest) (*api.RemoveBackendConfigResponse, error) {
	return nil, notImplemented("RemoveBackendConfig")
}

func (o *operations) UpdateBackendAPI(ctx context.Context, in *api.UpdateBackendAPIRequest) (*api.UpdateBackendAPIResponse, error) {
	return nil, notImplemented("UpdateBackendAPI")
}

func (o *operations) UpdateBackendAuth(ctx context.Context, in *api.UpdateBackendAuthRequest) (*api.UpdateBackendAuthResponse, error) {
	return nil, notImplemented("UpdateBackendAuth")
}

func (o *operations) UpdateBackendConfig(ctx context.Context, in *api.UpdateBackendConfigRequest) (*api.UpdateBackendConfigResponse, error) {
	return nil, notImplemented("UpdateBackendConfig")
}

func (o *operations) UpdateBackendStorage(ctx context.Context, in *api.UpdateBackendStorageRequest) (*api.UpdateBackendStorageResponse, error) {
	return nil, notImplemented("UpdateBackendStorage")
}
