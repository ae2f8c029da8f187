package sqlite

import (
	"sync"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
)

// jobCache keeps recently read jobs in memory: clients poll GetBackendJob far more often than
// jobs change. It is coherent because one process owns the database (the lock file) and every
// write goes through the writer, which drops the jobs it touched after each commit, before it
// answers. A reader fills the cache only if no write committed since its snapshot began (the
// epoch it took before beginning is unchanged), so a fill never puts back an older version.
type jobCache struct {
	mu    sync.RWMutex
	epoch uint64
	// jobs are copies of what was read, never modified once stored: get hands them out
	// shared (amplify.JobPeeker).
	jobs map[amplify.JobKey]*amplify.Job
}

// Bounds: the number of jobs kept, and the payload size of a job worth keeping (the
// payloads of API jobs carry whole schemas; those jobs are read from the database).
const (
	jobCacheSize     = 50000
	maxCachedPayload = 1024
)

func newJobCache() *jobCache {
	return &jobCache{jobs: map[amplify.JobKey]*amplify.Job{}}
}

func (c *jobCache) get(key amplify.JobKey) (*amplify.Job, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	j, ok := c.jobs[key]
	return j, ok
}

// now returns the epoch a reader takes before it begins its transaction.
func (c *jobCache) now() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.epoch
}

// fill keeps job, read in a snapshot that began at epoch, unless a write committed since.
func (c *jobCache) fill(job *amplify.Job, epoch uint64) {
	if len(job.Payload) > maxCachedPayload {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.epoch != epoch {
		return
	}
	if len(c.jobs) >= jobCacheSize {
		for k := range c.jobs { // map order: an arbitrary victim
			delete(c.jobs, k)
			break
		}
	}
	kept := *job
	c.jobs[job.JobKey] = &kept
}

// invalidate drops the jobs a committed (or failed) batch wrote and starts a new epoch; the
// zero key drops them all.
func (c *jobCache) invalidate(keys []amplify.JobKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	for _, k := range keys {
		if k == (amplify.JobKey{}) { // a reset or load: every job may have changed
			clear(c.jobs)
			return
		}
		delete(c.jobs, k)
	}
}
