package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/modelgen/modelgentest"
	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/amplifybackend"
)

// diffApps is how many apps the API-level differential test drives at once.
const diffApps = 4

// TestModelgenDifferentialThroughAPI is internal/modelgen's TestDifferential end to end: the
// same schemas (testdata/edge and the seeded random ones of modelgentest.SchemaGen) go
// through the running server and the aws-sdk-go client the way a user sends them. Every
// other schema creates an API with CreateBackendAPI (in an environment of its own: an
// environment holds one API); the rest replace the schema of an existing API with
// UpdateBackendAPI. Then GenerateBackendAPIModels runs as a job (with
// --job-duration 0 and the server's own job runner, polled through GetBackendJob) and
// GetBackendAPIModels must return byte for byte what the reference generator prints. A
// schema the reference rejects must fail one of the jobs with an error that says where.
//
// The API checks a TransformSchema as the Amplify transformer does before it builds anything
// (internal/schema), which is stricter than the model generator alone: a few hand-written
// edge cases (an object type without fields, an interface its implementation does not
// satisfy, a number where a directive argument is a String) are valid input for the
// reference generator but are refused by CreateBackendAPI / UpdateBackendAPI, so they never
// become an API's schema. Such a refusal is allowed for an edge case when it is a schema
// error with a line and column, and logged; a random schema is meant to be valid for both,
// so there it is a mismatch.
//
// It needs MODELGEN_REFERENCE_DIR; see e2e/modelgen-diff/run.sh.
func TestModelgenDifferentialThroughAPI(t *testing.T) {
	cfg := modelgentest.ConfigFromEnv(t)
	cases := modelgentest.Cases(t, filepath.Join(corpusDir, "edge"), cfg)
	results := modelgentest.RunReference(t, cfg, cases)
	modelgentest.CheckAccepted(t, cases, results)

	s := startServer(t, func(m *Main) {
		m.ManualJobs = false
		m.Config.JobDuration = 0
	})
	var (
		diffs      modelgentest.Mismatches
		wg         sync.WaitGroup
		mu         sync.Mutex
		setupErrs  []error
		viaCreate  int
		viaUpdate  int
		generated  int
		refused    []string
		start      = time.Now()
		seedSchema = "type Seed @model { id: ID! }"
	)
	for w := range diffApps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := &diffDriver{c: s.clientAs("AKIDEXAMPLE", "us-east-1"), app: fmt.Sprintf("d1diff%d", w)}
			if err := d.setup(seedSchema); err != nil {
				mu.Lock()
				setupErrs = append(setupErrs, err)
				mu.Unlock()
				return
			}
			for i := w; i < len(cases); i += diffApps {
				create := (i/diffApps)%2 == 0
				problem, outcome := d.run(cases[i], results[cases[i].File], create, i)
				mu.Lock()
				if create {
					viaCreate++
				} else {
					viaUpdate++
				}
				switch outcome {
				case diffGenerated:
					generated++
				case diffRefusedByCheck:
					refused = append(refused, cases[i].Name+": "+problem)
					problem = ""
				}
				mu.Unlock()
				if problem != "" {
					diffs.Add(cases[i], problem)
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range setupErrs {
		t.Fatal(err)
	}
	t.Logf("%d schemas through the API in %v (%d by CreateBackendAPI, %d by UpdateBackendAPI; %d generated models); %d mismatches",
		len(cases), time.Since(start).Round(time.Millisecond), viaCreate, viaUpdate, generated, diffs.Count())
	sort.Strings(refused)
	for _, r := range refused {
		t.Logf("refused by the API's schema check, valid for the model generator alone: %s", r)
	}
	if viaCreate == 0 || viaUpdate == 0 {
		t.Errorf("every schema went in one way (%d created, %d updated)", viaCreate, viaUpdate)
	}
	diffs.Report(t, len(cases))
}

// diffDriver sends schemas through one app's environment. Its methods return errors rather
// than failing the test, so that several run at once.
type diffDriver struct {
	c   *amplifybackend.AmplifyBackend
	app string
}

// The API whose schema UpdateBackendAPI replaces, and its environment.
const (
	diffSharedAPI = "shared"
	diffSharedEnv = "dev"
)

func (d *diffDriver) setup(seed string) error {
	if err := d.createEnv(diffSharedEnv); err != nil {
		return err
	}
	job, err := d.createAPI(diffSharedEnv, diffSharedAPI, seed)
	if err != nil || aws.StringValue(job.Status) != "COMPLETED" {
		return fmt.Errorf("CreateBackendAPI %s/%s: %v %v", d.app, diffSharedAPI, job, err)
	}
	return nil
}

func (d *diffDriver) createEnv(env string) error {
	out, err := d.c.CreateBackend(&amplifybackend.CreateBackendInput{
		AppId: aws.String(d.app), AppName: aws.String(d.app), BackendEnvironmentName: aws.String(env),
	})
	if err != nil {
		return fmt.Errorf("CreateBackend %s/%s: %v", d.app, env, err)
	}
	if job, err := d.wait(env, out.JobId); err != nil || aws.StringValue(job.Status) != "COMPLETED" {
		return fmt.Errorf("CreateBackend %s/%s job: %v %v", d.app, env, job, err)
	}
	return nil
}

// wait polls GetBackendJob until the job has finished.
func (d *diffDriver) wait(env string, jobID *string) (*amplifybackend.GetBackendJobOutput, error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := d.c.GetBackendJob(&amplifybackend.GetBackendJobInput{
			AppId: aws.String(d.app), BackendEnvironmentName: aws.String(env), JobId: jobID,
		})
		if err != nil {
			return nil, fmt.Errorf("GetBackendJob %s: %v", aws.StringValue(jobID), err)
		}
		if st := aws.StringValue(out.Status); st != "IN_PROGRESS" && st != "CREATE_IN_PROGRESS" {
			return out, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("job %s (%s) still %s after 30s", aws.StringValue(jobID), aws.StringValue(out.Operation), aws.StringValue(out.Status))
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (d *diffDriver) createAPI(env, name, schema string) (*amplifybackend.GetBackendJobOutput, error) {
	out, err := d.c.CreateBackendAPI(&amplifybackend.CreateBackendAPIInput{
		AppId: aws.String(d.app), BackendEnvironmentName: aws.String(env), ResourceName: aws.String(name),
		ResourceConfig: &amplifybackend.BackendAPIResourceConfig{
			ApiName: aws.String(name), Service: aws.String("AppSync"), TransformSchema: aws.String(schema),
			DefaultAuthType: &amplifybackend.BackendAPIAuthType{Mode: aws.String("API_KEY")},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("CreateBackendAPI: %v", err)
	}
	return d.wait(env, out.JobId)
}

func (d *diffDriver) updateAPI(env, name, schema string) (*amplifybackend.GetBackendJobOutput, error) {
	out, err := d.c.UpdateBackendAPI(&amplifybackend.UpdateBackendAPIInput{
		AppId: aws.String(d.app), BackendEnvironmentName: aws.String(env), ResourceName: aws.String(name),
		ResourceConfig: &amplifybackend.BackendAPIResourceConfig{TransformSchema: aws.String(schema)},
	})
	if err != nil {
		return nil, fmt.Errorf("UpdateBackendAPI: %v", err)
	}
	return d.wait(env, out.JobId)
}

func (d *diffDriver) models(env, name string) (*amplifybackend.GetBackendAPIModelsOutput, error) {
	out, err := d.c.GetBackendAPIModels(&amplifybackend.GetBackendAPIModelsInput{
		AppId: aws.String(d.app), BackendEnvironmentName: aws.String(env), ResourceName: aws.String(name),
	})
	if err != nil {
		return nil, fmt.Errorf("GetBackendAPIModels: %v", err)
	}
	return out, nil
}

// What became of a schema sent through the API.
type diffOutcome int

const (
	diffFailed         diffOutcome = iota // a job failed or the API call was refused
	diffGenerated                         // GenerateBackendAPIModels completed
	diffRefusedByCheck                    // an edge case the API's schema check refuses (see above)
)

// apiCheckRefusal is how a Create/UpdateBackendAPI job reports a schema the check refuses.
var apiCheckRefusal = regexp.MustCompile(`is not valid: schema\.graphql:\d+:\d+: `)

// run sends one schema through the API and compares the models with the reference's. It
// returns what differs ("" if nothing) and what became of the schema.
func (d *diffDriver) run(c modelgentest.Case, ref *modelgentest.Result, create bool, i int) (string, diffOutcome) {
	env, name := diffSharedEnv, diffSharedAPI
	var job *amplifybackend.GetBackendJobOutput
	var err error
	if create {
		env, name = fmt.Sprintf("c%05d", i), fmt.Sprintf("api%05d", i)
		if err := d.createEnv(env); err != nil {
			return err.Error(), diffFailed
		}
		job, err = d.createAPI(env, name, c.Schema)
	} else {
		job, err = d.updateAPI(env, name, c.Schema)
	}
	if err != nil {
		return err.Error(), diffFailed
	}
	// A rejected schema fails a job with an error that says where, and never yields models.
	rejected := func(job *amplifybackend.GetBackendJobOutput) string {
		msg := aws.StringValue(job.Error)
		if ref.OK {
			return fmt.Sprintf("the reference accepts the schema; %s failed: %s", aws.StringValue(job.Operation), msg)
		}
		if !modelgentest.SaysWhere(msg, c.Schema) {
			return fmt.Sprintf("%s failed (the reference rejects the schema: %s) with an error that does not say where (no line:column, no name from the schema): %q",
				aws.StringValue(job.Operation), ref.Error, msg)
		}
		return ""
	}
	switch st := aws.StringValue(job.Status); st {
	case "COMPLETED":
	case "FAILED":
		if msg := aws.StringValue(job.Error); ref.OK && !c.Random && apiCheckRefusal.MatchString(msg) {
			return msg, diffRefusedByCheck
		}
		return rejected(job), diffFailed
	default:
		return fmt.Sprintf("%s job ended %s", aws.StringValue(job.Operation), st), diffFailed
	}
	if before, err := d.models(env, name); err != nil {
		return err.Error(), diffFailed
	} else if aws.StringValue(before.Status) != "STALE" {
		return fmt.Sprintf("GetBackendAPIModels before generation: %s; want STALE", aws.StringValue(before.Status)), diffFailed
	}

	gen, err := d.c.GenerateBackendAPIModels(&amplifybackend.GenerateBackendAPIModelsInput{
		AppId: aws.String(d.app), BackendEnvironmentName: aws.String(env), ResourceName: aws.String(name),
	})
	if err != nil {
		return fmt.Sprintf("GenerateBackendAPIModels: %v", err), diffFailed
	}
	if job, err = d.wait(env, gen.JobId); err != nil {
		return err.Error(), diffFailed
	}
	got, err := d.models(env, name)
	if err != nil {
		return err.Error(), diffFailed
	}
	switch st := aws.StringValue(job.Status); st {
	case "COMPLETED":
	case "FAILED":
		if aws.StringValue(got.Status) == "LATEST" {
			return "GetBackendAPIModels is LATEST after the generation failed", diffFailed
		}
		return rejected(job), diffFailed
	default:
		return fmt.Sprintf("GenerateBackendAPIModels job ended %s", st), diffFailed
	}
	if !ref.OK {
		return fmt.Sprintf("the reference rejects the schema (%s); GenerateBackendAPIModels completed", ref.Error), diffGenerated
	}
	if st := aws.StringValue(got.Status); st != "LATEST" {
		return fmt.Sprintf("GetBackendAPIModels after generation: %s; want LATEST", st), diffGenerated
	}
	if m := aws.StringValue(got.Models); m != ref.Models {
		return "Models differ from the reference:\n" + modelgentest.FirstDifference(m, ref.Models), diffGenerated
	}
	if mis := aws.StringValue(got.ModelIntrospectionSchema); mis != ref.Introspection {
		return "ModelIntrospectionSchema differs from the reference (key order included):\n" + modelgentest.FirstDifference(mis, ref.Introspection), diffGenerated
	}
	return "", diffGenerated
}
