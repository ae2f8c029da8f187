package main

import (
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/awserr"
	"github.com/aws/aws-sdk-go/service/amplifybackend"
)

// The linearizability tests record what concurrent clients asked and were answered, each
// request through any server of a deployment, while servers are killed and the database
// restarts, and check with porcupine that the answers fit one order of the operations in
// which each takes effect at one instant between its call and its return, as a single server
// answers: the model below. CI runs them for seconds; bench/linearizability.sh runs them
// longer (-linearizability=2m).
var linearizabilityLoad = flag.Duration("linearizability", 6*time.Second, "how long the linearizability tests drive their load")

// The model covers the one-pending-job rule and environment existence: CreateBackend and
// DeleteBackend of two environments in each of a few apps, GetBackend, and GetBackendJob of
// accepted jobs. Jobs run asynchronously: between any two operations, any pending job may
// complete. With these operations no job may fail (each one's precondition holds from its
// acceptance until it runs), so a FAILED job, like a second acceptance, is a violation.
const linApps = 4

var linEnvs = [2]string{"dev", "prod"}

type linKind uint8

const (
	linNone linKind = iota
	linCreate
	linDelete
	linGetBackend
	linGetJob
)

func (k linKind) String() string {
	return [...]string{"none", "CreateBackend", "DeleteBackend", "GetBackend", "GetBackendJob"}[k]
}

type linInput struct {
	kind linKind
	app  int
	env  int    // the environment's index in linEnvs
	job  string // GetBackendJob
}

// linAnswer is what a request got back.
type linAnswer uint8

const (
	linAccepted   linAnswer = iota // a job was accepted (CreateBackend, DeleteBackend)
	linPendingJob                  // BadRequest: a pending job
	linExists                      // BadRequest: the environment exists
	linNotFound                    // NotFound (app or environment)
	linRead                        // a read answered
	linUnknown                     // no answer or a 5xx: it may or may not have taken effect
)

type linOutput struct {
	answer linAnswer
	job    string // the accepted job's id
	found  bool   // GetBackend: the app exists
	envs   uint8  // GetBackend: bit i set if environment i is listed
	status string // GetBackendJob
}

type linEnvState struct {
	exists  bool
	pending linKind // linNone, linCreate or linDelete
	job     string  // the pending job's id ("" when its acceptance was not answered)
}

// linState is one app's state (the model is partitioned by app). It is comparable.
type linState struct {
	app  bool
	envs [2]linEnvState
}

// linCompletions returns every state that completing any subset of s's pending jobs gives.
func linCompletions(s linState) []linState {
	out := []linState{s}
	for i := range s.envs {
		if s.envs[i].pending == linNone {
			continue
		}
		for _, prev := range out {
			c := prev
			if c.envs[i].pending == linCreate {
				c.envs[i].exists, c.app = true, true
			} else {
				c.envs[i].exists = false
			}
			c.envs[i].pending, c.envs[i].job = linNone, ""
			out = append(out, c)
		}
	}
	return out
}

// linApply returns the states in which op, run on s, gives out (none if it cannot).
func linApply(s linState, in linInput, out linOutput) []linState {
	switch in.kind {
	case linCreate, linDelete:
		e := s.envs[in.env]
		want := linAccepted
		switch {
		case e.pending != linNone:
			want = linPendingJob
		case in.kind == linCreate && e.exists:
			want = linExists
		case in.kind == linDelete && !e.exists:
			want = linNotFound
		}
		accepted := s
		accepted.envs[in.env].pending, accepted.envs[in.env].job = in.kind, out.job
		switch {
		case out.answer == linUnknown && want == linAccepted:
			return []linState{s, accepted}
		case out.answer == linUnknown:
			return []linState{s}
		case out.answer != want:
			return nil
		case want == linAccepted:
			return []linState{accepted}
		}
		return []linState{s}
	case linGetBackend:
		if out.answer == linNotFound && !s.app {
			return []linState{s}
		}
		var envs uint8
		for i, e := range s.envs {
			if e.exists {
				envs |= 1 << i
			}
		}
		if out.answer == linRead && s.app && out.found && out.envs == envs {
			return []linState{s}
		}
		return nil
	case linGetJob:
		pending := false
		for _, e := range s.envs {
			pending = pending || e.pending != linNone && e.job == in.job
		}
		if out.answer == linRead && (out.status == "IN_PROGRESS" && pending || out.status == "COMPLETED" && !pending) {
			return []linState{s}
		}
		return nil
	}
	return nil
}

var linModel = porcupine.NondeterministicModel{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		parts := make([][]porcupine.Operation, linApps)
		for _, op := range history {
			app := op.Input.(linInput).app
			parts[app] = append(parts[app], op)
		}
		return parts
	},
	Init: func() []any { return []any{linState{}} },
	Step: func(state, input, output any) []any {
		var next []any
		for _, c := range linCompletions(state.(linState)) {
			for _, n := range linApply(c, input.(linInput), output.(linOutput)) {
				if !slices.Contains(next, any(n)) {
					next = append(next, n)
				}
			}
		}
		return next
	},
	DescribeOperation: func(input, output any) string {
		in, out := input.(linInput), output.(linOutput)
		what := fmt.Sprintf("%s(app%d", in.kind, in.app)
		switch in.kind {
		case linCreate, linDelete:
			what += "/" + linEnvs[in.env]
		case linGetJob:
			what += ", " + in.job[:8]
		}
		answers := [...]string{"accepted " + out.job, "BadRequest: pending job", "BadRequest: exists", "NotFound", "", "unknown"}
		answer := answers[out.answer]
		switch {
		case in.kind == linGetBackend && out.answer == linRead:
			answer = fmt.Sprintf("envs %02b", out.envs)
		case in.kind == linGetJob && out.answer == linRead:
			answer = out.status
		}
		return what + ") -> " + answer
	},
	DescribeState: func(state any) string { return fmt.Sprintf("%+v", state.(linState)) },
}

// linDeployment is what the clients call: the servers that are up now (a server being
// restarted is absent).
type linDeployment struct {
	mu      sync.Mutex
	servers []*replica // nil while down
	failed  sync.Map   // the FAILED jobs already reported
}

func (d *linDeployment) pick(r *rand.Rand) *replica {
	d.mu.Lock()
	defer d.mu.Unlock()
	var up []*replica
	for _, s := range d.servers {
		if s != nil {
			up = append(up, s)
		}
	}
	if len(up) == 0 {
		return nil
	}
	return up[r.IntN(len(up))]
}

func (d *linDeployment) set(i int, r *replica) {
	d.mu.Lock()
	d.servers[i] = r
	d.mu.Unlock()
}

// linHistory records operations with times relative to its start.
type linHistory struct {
	start   time.Time
	mu      sync.Mutex
	ops     []porcupine.Operation
	unknown int
}

func (h *linHistory) now() int64 { return int64(time.Since(h.start)) }

// add records an operation; one with an unknown outcome returns at the end of time: it may
// take effect at any point after its call.
func (h *linHistory) add(client int, in linInput, out linOutput, call, ret int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if out.answer == linUnknown {
		ret = 1 << 62
		h.unknown++
	}
	h.ops = append(h.ops, porcupine.Operation{ClientId: client, Input: in, Call: call, Output: out, Return: ret})
}

// call sends one operation to r and classifies the answer. refused reports a request that
// reached no server (it cannot have taken effect).
func (d *linDeployment) call(t *testing.T, r *replica, in linInput) (out linOutput, refused bool) {
	app := aws.String(fmt.Sprintf("app%d", in.app))
	var err error
	switch in.kind {
	case linCreate:
		var o *amplifybackend.CreateBackendOutput
		o, err = r.client.CreateBackend(&amplifybackend.CreateBackendInput{AppId: app, AppName: app, BackendEnvironmentName: aws.String(linEnvs[in.env])})
		if err == nil {
			out = linOutput{answer: linAccepted, job: aws.StringValue(o.JobId)}
		}
	case linDelete:
		var o *amplifybackend.DeleteBackendOutput
		o, err = r.client.DeleteBackend(&amplifybackend.DeleteBackendInput{AppId: app, BackendEnvironmentName: aws.String(linEnvs[in.env])})
		if err == nil {
			out = linOutput{answer: linAccepted, job: aws.StringValue(o.JobId)}
		}
	case linGetBackend:
		var o *amplifybackend.GetBackendOutput
		o, err = r.client.GetBackend(&amplifybackend.GetBackendInput{AppId: app})
		if err == nil {
			out = linOutput{answer: linRead, found: true}
			for _, name := range aws.StringValueSlice(o.BackendEnvironmentList) {
				i := slices.Index(linEnvs[:], name)
				if i < 0 {
					t.Errorf("GetBackend app%d lists environment %q, which no client created", in.app, name)
					continue
				}
				out.envs |= 1 << i
			}
		}
	case linGetJob:
		var o *amplifybackend.GetBackendJobOutput
		o, err = r.client.GetBackendJob(&amplifybackend.GetBackendJobInput{AppId: app, BackendEnvironmentName: aws.String(linEnvs[in.env]), JobId: aws.String(in.job)})
		if err == nil {
			out = linOutput{answer: linRead, status: aws.StringValue(o.Status)}
			if _, seen := d.failed.LoadOrStore(in.job, true); out.status == "FAILED" && !seen {
				t.Errorf("job %s of app%d FAILED: %s", in.job, in.app, aws.StringValue(o.Error))
			}
		}
	}
	if err == nil {
		return out, false
	}
	var rf awserr.RequestFailure
	switch {
	case !errors.As(err, &rf):
		return linOutput{answer: linUnknown}, strings.Contains(err.Error(), "connection refused")
	case rf.StatusCode() >= 500:
		return linOutput{answer: linUnknown}, false
	case rf.Code() == "NotFoundException":
		return linOutput{answer: linNotFound}, false
	case rf.Code() == "BadRequestException" && strings.Contains(rf.Message(), "pending job"):
		return linOutput{answer: linPendingJob}, false
	case rf.Code() == "BadRequestException" && strings.Contains(rf.Message(), "already exists"):
		return linOutput{answer: linExists}, false
	}
	t.Errorf("%s of app%d on %s: unexpected answer %v", in.kind, in.app, r.name, err)
	return linOutput{answer: linUnknown}, false
}

// linClient sends random operations until stop, each to a random server that is up.
func linClient(t *testing.T, id int, d *linDeployment, h *linHistory, stop *atomic.Bool) {
	r := rand.New(rand.NewPCG(uint64(id), uint64(time.Now().UnixNano())))
	var jobs []linInput // GetBackendJob inputs of jobs this client saw accepted
	for !stop.Load() {
		in := linInput{app: r.IntN(linApps), env: r.IntN(len(linEnvs))}
		switch p := r.IntN(100); {
		case p < 40:
			in.kind = linCreate
		case p < 65:
			in.kind = linDelete
		case p < 80 || len(jobs) == 0:
			in.kind = linGetBackend
		default:
			in = jobs[len(jobs)-1-r.IntN(min(len(jobs), 8))]
		}
		s := d.pick(r)
		if s == nil {
			time.Sleep(20 * time.Millisecond) // every server is restarting
			continue
		}
		call := h.now()
		out, refused := d.call(t, s, in)
		ret := h.now()
		read := in.kind == linGetBackend || in.kind == linGetJob
		if refused || read && out.answer == linUnknown {
			// It took no effect (no server got it), or it is a read: leave it out.
			time.Sleep(20 * time.Millisecond)
			continue
		}
		h.add(id, in, out, call, ret)
		if out.answer == linAccepted {
			jobs = append(jobs, linInput{kind: linGetJob, app: in.app, env: in.env, job: out.job})
		}
		if out.answer == linUnknown {
			// A server died or the database is down: do not pile up operations of unknown
			// outcome, each of which the check must place anywhere after its call.
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// linCheck checks the history and, when it is not linearizable, writes porcupine's
// visualization of it to the test's artifact directory.
func linCheck(t *testing.T, h *linHistory) {
	model := linModel.ToModel()
	start := time.Now()
	result, info := porcupine.CheckOperationsVerbose(model, h.ops, 5*time.Minute)
	t.Logf("%d operations (%d of unknown outcome), checked in %v: %v", len(h.ops), h.unknown, time.Since(start).Round(time.Millisecond), result)
	switch result {
	case porcupine.Ok:
	case porcupine.Illegal:
		path := filepath.Join(t.ArtifactDir(), "linearizability.html")
		if err := porcupine.VisualizePath(model, info, path); err != nil {
			t.Errorf("visualize: %v", err)
		}
		t.Errorf("the history is not linearizable: see %s", path)
	default:
		t.Errorf("the check did not finish in 5 minutes (%v)", result)
	}
}

// linFinal waits until no job is pending, then records, one by one, GetBackend of every app
// and GetBackendJob of every accepted job: each accepted job must be COMPLETED.
func linFinal(t *testing.T, d *linDeployment, h *linHistory) {
	r := rand.New(rand.NewPCG(1, 2))
	pending := func() (int, error) {
		n := 0
		for app := range linApps {
			for _, env := range linEnvs {
				out, err := d.pick(r).client.ListBackendJobs(&amplifybackend.ListBackendJobsInput{AppId: aws.String(fmt.Sprintf("app%d", app)), BackendEnvironmentName: aws.String(env), Status: aws.String("IN_PROGRESS")})
				if err != nil {
					return 0, err
				}
				n += len(out.Jobs)
			}
		}
		return n, nil
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		n, err := pending()
		if err == nil && n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("jobs still pending 30s after the load: %d, %v", n, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	var reads []linInput
	for app := range linApps {
		reads = append(reads, linInput{kind: linGetBackend, app: app})
	}
	for _, op := range h.ops {
		if out := op.Output.(linOutput); out.answer == linAccepted {
			in := op.Input.(linInput)
			reads = append(reads, linInput{kind: linGetJob, app: in.app, env: in.env, job: out.job})
		}
	}
	for _, in := range reads {
		s := d.pick(r)
		call := h.now()
		out, _ := d.call(t, s, in)
		if out.answer == linUnknown {
			t.Fatalf("%s of app%d on %s got no answer after the load", in.kind, in.app, s.name)
		}
		h.add(len(d.servers)+100, in, out, call, h.now())
	}
}

// linRun drives the clients against d for the load's duration while fault injects one fault
// after another (returning its name), then waits for every job and checks the history.
func linRun(t *testing.T, d *linDeployment, fault func(step int, r *rand.Rand) (string, error)) {
	h := &linHistory{start: time.Now()}
	var stop atomic.Bool
	var clients sync.WaitGroup
	for id := range 6 {
		clients.Go(func() { linClient(t, id, d, h, &stop) })
	}
	var faults []string
	chaos := make(chan error, 1)
	go func() {
		r := rand.New(rand.NewPCG(7, uint64(time.Now().UnixNano())))
		end := time.Now().Add(*linearizabilityLoad)
		for step := 0; time.Now().Before(end); step++ {
			time.Sleep(time.Duration(300+r.IntN(700)) * time.Millisecond)
			name, err := fault(step, r)
			if err != nil {
				chaos <- err
				return
			}
			faults = append(faults, name)
		}
		chaos <- nil
	}()
	err := <-chaos
	stop.Store(true)
	clients.Wait()
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, f := range faults {
		counts[strings.TrimRight(f, "0123456789")]++
	}
	t.Logf("%d faults: %v", len(faults), counts)
	linFinal(t, d, h)
	linCheck(t, h)
}

// linRestart SIGKILLs server i and starts it again with args after a moment.
func linRestart(t *testing.T, d *linDeployment, i int, r *rand.Rand, args []string) (string, error) {
	victim := d.servers[i]
	d.set(i, nil)
	victim.kill()
	time.Sleep(time.Duration(100+r.IntN(400)) * time.Millisecond)
	next, err := startReplica(victim.name, args...)
	if err != nil {
		return "", err
	}
	stopReplicaAtEnd(t, next)
	d.set(i, next)
	return "kill " + victim.name, nil
}

// TestReplicasLinearizable drives three replicas on a PostgreSQL cluster of the test's own
// while replicas are SIGKILLed and restarted and PostgreSQL restarts (fast, and immediate as
// after a crash), and checks that the history is linearizable.
func TestReplicasLinearizable(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary and a PostgreSQL cluster")
	}
	pg := startPGCluster(t)
	args := []string{"--store", pg.dsn(), "--job-duration", "30ms", "--job-lease", "1s"}
	d := &linDeployment{servers: startReplicas(t, 3, args...)}
	restarts := 0
	linRun(t, d, func(step int, r *rand.Rand) (string, error) {
		if step%3 != 2 {
			return linRestart(t, d, r.IntN(len(d.servers)), r, args)
		}
		mode := []string{"fast", "immediate"}[restarts%2]
		restarts++
		return "postgres restart " + mode, pg.restart(mode)
	})
	if restarts == 0 {
		t.Errorf("PostgreSQL never restarted: run the load longer than %v", *linearizabilityLoad)
	}
}

// TestSQLiteLinearizable does the same with one server on SQLite, SIGKILLed and restarted on
// its data directory: its one writer leaves no window between a submission's check and its
// insert.
func TestSQLiteLinearizable(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	args := []string{"--data-dir", t.TempDir(), "--job-duration", "30ms"}
	d := &linDeployment{servers: startReplicas(t, 1, args...)}
	linRun(t, d, func(_ int, r *rand.Rand) (string, error) { return linRestart(t, d, 0, r, args) })
}
