package httpapi

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/api"
)

func (o *operations) CreateBackendConfig(ctx context.Context, in *api.CreateBackendConfigRequest) (*api.CreateBackendConfigResponse, error) {
	job, err := o.svc.CreateBackendConfig(ctx, appKey(ctx, in.AppId), api.StringValue(in.BackendManagerAppId))
	if err != nil {
		return nil, err
	}
	r := reply(job)
	return &api.CreateBackendConfigResponse{AppId: r.AppID, BackendEnvironmentName: r.Env, JobId: r.JobID, Status: r.Status}, nil
}

func (o *operations) UpdateBackendConfig(ctx context.Context, in *api.UpdateBackendConfigRequest) (*api.UpdateBackendConfigResponse, error) {
	var patch json.RawMessage
	if in.LoginAuthConfig != nil {
		var err error
		if patch, err = json.Marshal(in.LoginAuthConfig); err != nil {
			return nil, fmt.Errorf("encode loginAuthConfig: %w", err)
		}
	}
	cfg, err := o.svc.UpdateBackendConfig(ctx, appKey(ctx, in.AppId), patch)
	if err != nil {
		return nil, err
	}
	login := new(api.LoginAuthConfigReqObj)
	if err := json.Unmarshal(cfg.LoginAuthConfig, login); err != nil {
		return nil, fmt.Errorf("decode stored login auth config of %s: %w", cfg.AppID, err)
	}
	return &api.UpdateBackendConfigResponse{
		AppId:               str(cfg.AppID),
		BackendManagerAppId: optional(cfg.BackendManagerAppID),
		LoginAuthConfig:     login,
	}, nil
}

func (o *operations) RemoveBackendConfig(ctx context.Context, in *api.RemoveBackendConfigRequest) (*api.RemoveBackendConfigResponse, error) {
	if err := o.svc.RemoveBackendConfig(ctx, appKey(ctx, in.AppId)); err != nil {
		return nil, err
	}
	return &api.RemoveBackendConfigResponse{}, nil
}

func (o *operations) CreateToken(ctx context.Context, in *api.CreateTokenRequest) (*api.CreateTokenResponse, error) {
	tok, err := o.svc.CreateToken(ctx, appKey(ctx, in.AppId))
	if err != nil {
		return nil, err
	}
	return &api.CreateTokenResponse{
		AppId:         str(tok.AppID),
		ChallengeCode: str(tok.ChallengeCode),
		SessionId:     str(tok.SessionID),
		Ttl:           str(amplify.EpochSeconds(tok.Expires)),
	}, nil
}

func (o *operations) GetToken(ctx context.Context, in *api.GetTokenRequest) (*api.GetTokenResponse, error) {
	tok, err := o.svc.GetToken(ctx, appKey(ctx, in.AppId), api.StringValue(in.SessionId))
	if err != nil {
		return nil, err
	}
	return &api.GetTokenResponse{
		AppId:         str(tok.AppID),
		ChallengeCode: str(tok.ChallengeCode),
		SessionId:     str(tok.SessionID),
		Ttl:           str(amplify.EpochSeconds(tok.Expires)),
	}, nil
}

func (o *operations) DeleteToken(ctx context.Context, in *api.DeleteTokenRequest) (*api.DeleteTokenResponse, error) {
	if err := o.svc.DeleteToken(ctx, appKey(ctx, in.AppId), api.StringValue(in.SessionId)); err != nil {
		return nil, err
	}
	return &api.DeleteTokenResponse{IsSuccess: api.Bool(true)}, nil
}
