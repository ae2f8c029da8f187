package sqlite

import (
	"fmt"
	"strings"
	"testing"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
)

// TestListJobsPlans holds every form of ListJobs' query to a plan whose cost does not grow
// with the jobs stored: every read of jobs is a seek (SEARCH), never a SCAN, and every range
// of jobs_by_env_status is bounded by env and status, so that it comes in seq order and the
// page needs no sort of the range. (Before migration 0006, the planner read a listing of every
// status through jobs_by_env_status with no status bound: the whole environment, then a sort.)
func TestListJobsPlans(t *testing.T) {
	db := openDB(t)
	for _, env := range []string{"", "dev"} {
		for _, status := range []string{"", amplify.StatusFailed} {
			for _, before := range []int64{0, 1000} {
				for _, op := range []string{"", amplify.OpCreateBackend} {
					q := amplify.JobQuery{
						EnvKey:    amplify.EnvKey{AppKey: amplify.AppKey{Scope: amplify.Scope{Account: "000000000000", Region: "us-east-1"}, AppID: "app"}, Env: env},
						JobFilter: amplify.JobFilter{Status: status, Operation: op},
						Before:    before,
						Limit:     amplify.MaxJobsPage + 1,
					}
					name := fmt.Sprintf("env=%q,status=%q,before=%d,operation=%q", env, status, before, op)
					t.Run(name, func(t *testing.T) {
						query, args := listJobsQuery(q)
						plan := explain(t, db, query, args)
						ranges := 0
						for _, line := range plan {
							if strings.Contains(line, "SCAN jobs") {
								t.Errorf("a scan of jobs: %q", line)
							}
							if strings.Contains(line, "jobs_by_env_status") {
								ranges++
								if !strings.Contains(line, "env=? AND status=?") {
									t.Errorf("a range not bounded by env and status: %q", line)
								}
							}
						}
						envs, statuses := 2, 1 // the environment's and the app's own; the status filtered on
						if env == "" {
							envs = 1
						}
						if status == "" {
							statuses = len(amplify.JobStatuses())
						}
						if want := envs * statuses; ranges != want {
							t.Errorf("%d ranges of jobs_by_env_status, want %d; plan:\n%s", ranges, want, strings.Join(plan, "\n"))
						}
						if t.Failed() {
							t.Logf("plan:\n%s", strings.Join(plan, "\n"))
						}
					})
				}
			}
		}
	}
}

// explain returns the lines of query's plan on a reader's connection, as ListJobs runs it.
func explain(t *testing.T, db *DB, query string, args []any) []string {
	t.Helper()
	rows, err := db.read.Query(`EXPLAIN QUERY PLAN `+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan
}
