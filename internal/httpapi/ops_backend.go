package httpapi

import (
	"cmp"
	"context"
	"strconv"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/api"
)

// operations implements api.Operations: it turns wire shapes into domain calls and back.
type operations struct {
	svc *amplify.Service
}

var _ api.Operations = (*operations)(nil)

var str = api.String

func appKey(ctx context.Context, appID *string) amplify.AppKey {
	return amplify.AppKey{Scope: ScopeFrom(ctx), AppID: api.StringValue(appID)}
}

func envKey(ctx context.Context, appID, env *string) amplify.EnvKey {
	return amplify.EnvKey{AppKey: appKey(ctx, appID), Env: api.StringValue(env)}
}

// optional returns a pointer to s, or nil for "" (absent members are omitted on the wire).
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// jobReply is what every job-creating operation answers.
type jobReply struct {
	AppID, Env, JobID, Operation, Status, Error *string
}

func reply(job *amplify.Job) jobReply {
	return jobReply{
		AppID:     str(job.AppID),
		Env:       optional(job.Env),
		JobID:     str(job.JobID),
		Operation: str(job.Operation),
		Status:    str(job.Status),
		Error:     optional(job.Error),
	}
}

func jobObject(job *amplify.Job) api.BackendJobRespObj {
	// The wire struct points to its strings: one allocation holds them all, rather than one
	// each, and the two timestamps (amplify.EpochMillis) share one string (GetBackendJob, the
	// poll clients repeat, is the hot path).
	var digits [40]byte
	b := strconv.AppendInt(digits[:0], job.CreatedAt.UnixMilli(), 10)
	n := len(b)
	times := string(strconv.AppendInt(b, job.UpdatedAt.UnixMilli(), 10))
	v := &struct{ app, env, created, updated, errMsg, id, op, status string }{
		job.AppID, job.Env, times[:n], times[n:],
		job.Error, job.JobID, job.Operation, job.Status,
	}
	present := func(p *string) *string {
		if *p == "" {
			return nil
		}
		return p
	}
	return api.BackendJobRespObj{
		AppId:                  &v.app,
		BackendEnvironmentName: present(&v.env), // app-wide jobs have none: omitted
		CreateTime:             &v.created,
		UpdateTime:             &v.updated,
		Error:                  present(&v.errMsg),
		JobId:                  &v.id,
		Operation:              &v.op,
		Status:                 &v.status,
	}
}

func (o *operations) CreateBackend(ctx context.Context, in *api.CreateBackendRequest) (*api.CreateBackendResponse, error) {
	job, err := o.svc.CreateBackend(ctx, envKey(ctx, in.AppId, in.BackendEnvironmentName), api.StringValue(in.AppName))
	if err != nil {
		return nil, err
	}
	r := reply(job)
	return &api.CreateBackendResponse{AppId: r.AppID, BackendEnvironmentName: r.Env, JobId: r.JobID, Operation: r.Operation, Status: r.Status, Error: r.Error}, nil
}

func (o *operations) GetBackend(ctx context.Context, in *api.GetBackendRequest) (*api.GetBackendResponse, error) {
	env := api.StringValue(in.BackendEnvironmentName)
	if in.BackendEnvironmentName != nil {
		if err := amplify.CheckName("backendEnvironmentName", env); err != nil {
			return nil, err
		}
	}
	b, err := o.svc.GetBackend(ctx, appKey(ctx, in.AppId), env)
	if err != nil {
		return nil, err
	}
	return &api.GetBackendResponse{
		AppId:                  str(b.App.AppID),
		AppName:                str(b.App.Name),
		BackendEnvironmentList: b.Environments,
		BackendEnvironmentName: optional(env),
		AmplifyMetaConfig:      optional(b.MetaConfig),
		AmplifyFeatureFlags:    optional(b.FeatureFlags),
	}, nil
}

func (o *operations) CloneBackend(ctx context.Context, in *api.CloneBackendRequest) (*api.CloneBackendResponse, error) {
	job, err := o.svc.CloneBackend(ctx, envKey(ctx, in.AppId, in.BackendEnvironmentName), api.StringValue(in.TargetEnvironmentName))
	if err != nil {
		return nil, err
	}
	r := reply(job)
	return &api.CloneBackendResponse{AppId: r.AppID, BackendEnvironmentName: r.Env, JobId: r.JobID, Operation: r.Operation, Status: r.Status, Error: r.Error}, nil
}

func (o *operations) DeleteBackend(ctx context.Context, in *api.DeleteBackendRequest) (*api.DeleteBackendResponse, error) {
	job, err := o.svc.DeleteBackend(ctx, envKey(ctx, in.AppId, in.BackendEnvironmentName))
	if err != nil {
		return nil, err
	}
	r := reply(job)
	return &api.DeleteBackendResponse{AppId: r.AppID, BackendEnvironmentName: r.Env, JobId: r.JobID, Operation: r.Operation, Status: r.Status, Error: r.Error}, nil
}

func (o *operations) RemoveAllBackends(ctx context.Context, in *api.RemoveAllBackendsRequest) (*api.RemoveAllBackendsResponse, error) {
	job, err := o.svc.RemoveAllBackends(ctx, appKey(ctx, in.AppId), api.BoolValue(in.CleanAmplifyApp))
	if err != nil {
		return nil, err
	}
	r := reply(job)
	return &api.RemoveAllBackendsResponse{AppId: r.AppID, JobId: r.JobID, Operation: r.Operation, Status: r.Status, Error: r.Error}, nil
}

func (o *operations) GetBackendJob(ctx context.Context, in *api.GetBackendJobRequest) (*api.GetBackendJobResponse, error) {
	job, err := o.svc.GetJob(ctx, envKey(ctx, in.AppId, in.BackendEnvironmentName), api.StringValue(in.JobId))
	if err != nil {
		return nil, err
	}
	j := jobObject(job)
	return &api.GetBackendJobResponse{
		AppId: j.AppId, BackendEnvironmentName: j.BackendEnvironmentName, CreateTime: j.CreateTime, UpdateTime: j.UpdateTime,
		Error: j.Error, JobId: j.JobId, Operation: j.Operation, Status: j.Status,
	}, nil
}

func (o *operations) ListBackendJobs(ctx context.Context, in *api.ListBackendJobsRequest) (*api.ListBackendJobsResponse, error) {
	if in.JobId != nil {
		if err := amplify.CheckName("jobId", *in.JobId); err != nil {
			return nil, err
		}
	}
	if err := cmp.Or(notEmpty("operation", in.Operation), notEmpty("status", in.Status)); err != nil {
		return nil, err
	}
	filter := amplify.JobFilter{
		JobID:     api.StringValue(in.JobId),
		Operation: api.StringValue(in.Operation),
		Status:    api.StringValue(in.Status),
	}
	page, err := o.svc.ListJobs(ctx, envKey(ctx, in.AppId, in.BackendEnvironmentName), filter,
		int(api.Int64Value(in.MaxResults)), api.StringValue(in.NextToken))
	if err != nil {
		return nil, err
	}
	out := &api.ListBackendJobsResponse{Jobs: make([]api.BackendJobRespObj, 0, len(page.Jobs)), NextToken: optional(page.NextToken)}
	for i := range page.Jobs {
		out.Jobs = append(out.Jobs, jobObject(&page.Jobs[i]))
	}
	return out, nil
}

func (o *operations) UpdateBackendJob(ctx context.Context, in *api.UpdateBackendJobRequest) (*api.UpdateBackendJobResponse, error) {
	if err := cmp.Or(notEmpty("operation", in.Operation), notEmpty("status", in.Status)); err != nil {
		return nil, err
	}
	job, err := o.svc.UpdateJob(ctx, envKey(ctx, in.AppId, in.BackendEnvironmentName), api.StringValue(in.JobId),
		api.StringValue(in.Operation), api.StringValue(in.Status))
	if err != nil {
		return nil, err
	}
	j := jobObject(job)
	return &api.UpdateBackendJobResponse{
		AppId: j.AppId, BackendEnvironmentName: j.BackendEnvironmentName, CreateTime: j.CreateTime, UpdateTime: j.UpdateTime,
		Error: j.Error, JobId: j.JobId, Operation: j.Operation, Status: j.Status,
	}, nil
}

// notEmpty returns a BadRequest naming member when an optional member is present but empty:
// a filter or an update to "" is a client's mistake, not a request to ignore the member.
func notEmpty(member string, v *string) error {
	if v != nil && *v == "" {
		return amplify.Errorf(amplify.BadRequest, "1 validation error detected: Value '' at '%s' failed to satisfy constraint: Member must not be empty", member)
	}
	return nil
}
