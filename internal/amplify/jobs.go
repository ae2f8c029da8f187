package amplify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
)

// MaxJobsPage is the largest and the default page of ListBackendJobs.
const MaxJobsPage = 25

// GetJob returns a job of the app that belongs to env or to the whole app. It answers for
// environments and apps that jobs have since removed. NotFound if there is no such job.
func (s *Service) GetJob(ctx context.Context, key EnvKey, jobID string) (*Job, error) {
	if err := checkNames("appId", key.AppID, "backendEnvironmentName", key.Env, "jobId", jobID); err != nil {
		return nil, err
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
		return nil, Missing(ResourceJob, "No job found with jobId: %s for appId: %s and backendEnvironmentName: %s", jobID, key.AppID, key.Env)
	}
	return job, err
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

// A cursor is 8 bytes of position (the Seq to continue below) and a MAC over the position and
// the query, so a token is valid only for the listing it came from and cannot be forged.
const cursorMACLen = 16

func (s *Service) cursorSecret(ctx context.Context) ([]byte, error) {
	s.cursorOnce.Do(func() {
		s.cursorKey, s.cursorErr = s.Store.Secret(ctx, "cursor")
	})
	return s.cursorKey, s.cursorErr
}

func cursorMAC(key []byte, q JobQuery, before []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(before)
	fmt.Fprintf(m, "\x00%q\x00%q\x00%q\x00%q\x00%q\x00%q\x00%q\x00%q",
		q.Account, q.Region, q.AppID, q.Env, q.JobID, q.Operation, q.Status, "jobs")
	return m.Sum(nil)[:cursorMACLen]
}

func (s *Service) encodeCursor(ctx context.Context, q JobQuery, before int64) (string, error) {
	key, err := s.cursorSecret(ctx)
	if err != nil {
		return "", err
	}
	buf := binary.BigEndian.AppendUint64(nil, uint64(before))
	buf = append(buf, cursorMAC(key, q, buf)...)
	return base64.RawURLEncoding.EncodeToString(buf), nil
}

func (s *Service) decodeCursor(ctx context.Context, q JobQuery, token string) (int64, error) {
	invalid := Invalid("The NextToken is not valid for this request: get a new one by listing from the start.")
	if len(token) > 64 {
		return 0, invalid
	}
	buf, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(buf) != 8+cursorMACLen {
		return 0, invalid
	}
	key, err := s.cursorSecret(ctx)
	if err != nil {
		return 0, err
	}
	if !hmac.Equal(buf[8:], cursorMAC(key, q, buf[:8])) {
		return 0, invalid
	}
	before := int64(binary.BigEndian.Uint64(buf[:8]))
	if before <= 0 {
		return 0, invalid
	}
	return before, nil
}
