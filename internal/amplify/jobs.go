package amplify

import (
	"context"
	"encoding/binary"
)

// MaxJobsPage is the largest and the default page of ListBackendJobs.
const MaxJobsPage = 25

// GetJob returns a job of the app that belongs to env or to the whole app. It answers for
// environments and apps that jobs have since removed. NotFound if there is no such job. The
// job may be shared with the store's job cache (JobPeeker): callers must not modify it.
func (s *Service) GetJob(ctx context.Context, key EnvKey, jobID string) (*Job, error) {
	if err := checkNames("appId", key.AppID, "backendEnvironmentName", key.Env, "jobId", jobID); err != nil {
		return nil, err
	}
	if p := s.jobPeeker(); p != nil {
		if job, ok := p.PeekJob(JobKey{AppKey: key.AppKey, JobID: jobID}); ok {
			if job.Env != "" && job.Env != key.Env {
				return nil, noJob(key, jobID)
			}
			return job, nil
		}
	}
	var job *Job
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		job, err = findJob(tx, key, jobID)
		return err
	})
	return job, err
}

func findJob(tx Tx, key EnvKey, jobID string) (*Job, error) {
	job, err := tx.Job(JobKey{AppKey: key.AppKey, JobID: jobID})
	if err == nil && job.Env != "" && job.Env != key.Env {
		err = Missing(ResourceJob, "")
	}
	if ErrorCode(err) == NotFound {
		return nil, noJob(key, jobID)
	}
	return job, err
}

func noJob(key EnvKey, jobID string) error {
	return Missing(ResourceJob, "No job found with jobId: %s for appId: %s and backendEnvironmentName: %s", jobID, key.AppID, key.Env)
}

// JobPage is one page of ListBackendJobs.
type JobPage struct {
	Jobs      []Job
	NextToken string
}

// ListJobs lists the jobs of an environment (and the app-wide ones), newest first, filtered,
// in pages of at most limit (MaxJobsPage when 0). nextToken continues a listing; it is opaque,
// bound to the query it came from, and stable under concurrent inserts.
func (s *Service) ListJobs(ctx context.Context, key EnvKey, filter JobFilter, limit int, nextToken string) (*JobPage, error) {
	if err := checkNames("appId", key.AppID, "backendEnvironmentName", key.Env); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > MaxJobsPage {
		limit = MaxJobsPage
	}
	q := JobQuery{EnvKey: key, JobFilter: filter, Limit: limit + 1}
	if nextToken != "" {
		before, err := s.decodeCursor(ctx, q, nextToken)
		if err != nil {
			return nil, err
		}
		q.Before = before
	}
	var jobs []Job
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		jobs, err = tx.ListJobs(q)
		return err
	})
	if err != nil {
		return nil, err
	}
	page := &JobPage{Jobs: jobs}
	if len(jobs) > limit {
		page.Jobs = jobs[:limit]
		page.NextToken, err = s.encodeCursor(ctx, q, jobs[limit-1].Seq)
		if err != nil {
			return nil, err
		}
	}
	return page, nil
}

// UpdateJob sets a job's Operation and Status where given (not empty) and bumps its
// UpdateTime. A pending job that a client closes (COMPLETED or FAILED) will not run.
func (s *Service) UpdateJob(ctx context.Context, key EnvKey, jobID, operation, status string) (*Job, error) {
	if err := checkNames("appId", key.AppID, "backendEnvironmentName", key.Env, "jobId", jobID); err != nil {
		return nil, err
	}
	switch status {
	case "", StatusInProgress, StatusCompleted, StatusFailed:
	default:
		return nil, Errorf(BadRequest, "1 validation error detected: Value '%s' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [%s, %s, %s]",
			sanitize(status), StatusInProgress, StatusCompleted, StatusFailed)
	}
	if len(operation) > MaxNameLength {
		return nil, CheckName("operation", operation)
	}
	var job *Job
	err := s.Store.Update(ctx, func(tx Tx) error {
		var err error
		job, err = findJob(tx, key, jobID)
		if err != nil {
			return err
		}
		if operation != "" {
			job.Operation = operation
		}
		if status != "" {
			job.Status = status
			if status != StatusInProgress {
				job.Pending = false
			}
		}
		job.UpdatedAt = s.now()
		return tx.UpdateJob(job, nil)
	})
	if err != nil {
		return nil, err
	}
	return job, nil
}

// A job listing's NextToken is a signed token (pagetoken.go) whose payload is the Seq to
// continue below, bound to the query it continues.

func (s *Service) cursorSecret(ctx context.Context) ([]byte, error) {
	s.cursorOnce.Do(func() {
		s.cursorKey, s.cursorErr = s.Store.Secret(ctx, "cursor")
	})
	return s.cursorKey, s.cursorErr
}

func cursorBinding(q JobQuery) []string {
	return []string{q.Account, q.Region, q.AppID, q.Env, q.JobID, q.Operation, q.Status}
}

func (s *Service) encodeCursor(ctx context.Context, q JobQuery, before int64) (string, error) {
	return s.sealToken(ctx, "jobs", cursorBinding(q), binary.BigEndian.AppendUint64(nil, uint64(before)))
}

func (s *Service) decodeCursor(ctx context.Context, q JobQuery, token string) (int64, error) {
	payload, err := s.openToken(ctx, "jobs", cursorBinding(q), token)
	if err != nil {
		return 0, err
	}
	if len(payload) != 8 || int64(binary.BigEndian.Uint64(payload)) <= 0 {
		return 0, invalidToken()
	}
	return int64(binary.BigEndian.Uint64(payload)), nil
}
