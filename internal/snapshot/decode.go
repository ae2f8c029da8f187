package snapshot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
)

// Decode reads a document into a State. It refuses another format or version, malformed
// JSON, unknown members, duplicates (an account, region, app, environment, resource kind,
// token, job id or bucket name given twice), invalid names and times, with a BadRequest
// *amplify.Error whose message says where: `accounts[0].regions[1].apps[2].appId: ...`.
func Decode(data []byte) (*amplify.State, error) {
	// The header first, so that a document of another format or version is named as such
	// rather than as a list of unknown members.
	var head struct {
		Format  *string `json:"format"`
		Version *int    `json:"version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, bad("malformed snapshot: %v", err)
	}
	switch {
	case head.Format == nil:
		return nil, bad("not an amplifybackendd state snapshot: no \"format\" member (want %q)", Format)
	case *head.Format != Format:
		return nil, bad("not an amplifybackendd state snapshot: format %q (want %q)", *head.Format, Format)
	case head.Version == nil:
		return nil, bad("snapshot has no \"version\" (this server reads version %d)", Version)
	case *head.Version != Version:
		return nil, bad("snapshot version %d is not supported (this server reads version %d)", *head.Version, Version)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var doc document
	if err := dec.Decode(&doc); err != nil {
		return nil, bad("malformed snapshot: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, bad("malformed snapshot: data after the document")
	}
	d := &decoder{st: &amplify.State{}, jobIDs: map[string]string{}, buckets: map[string]string{}}
	d.document(&doc)
	if d.err != nil {
		return nil, d.err
	}
	return d.st, nil
}

func bad(format string, args ...any) error {
	return amplify.Errorf(amplify.BadRequest, format, args...)
}

// decoder converts a document, keeping the first error.
type decoder struct {
	st      *amplify.State
	err     error
	jobIDs  map[string]string // job id -> where it was first seen
	buckets map[string]string // bucket name -> where
}

func (d *decoder) fail(path, format string, args ...any) {
	if d.err == nil {
		d.err = bad("%s: %s", path, fmt.Sprintf(format, args...))
	}
}

func (d *decoder) name(path, value string) string {
	if err := amplify.CheckName(path, value); err != nil {
		d.fail(path, "must be a name of 1 to %d bytes without '/' or control characters, not %q", amplify.MaxNameLength, value)
	}
	return value
}

func (d *decoder) time(path, value string) time.Time {
	if value == "" {
		d.fail(path, "missing (an RFC 3339 time)")
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, value)
	if err != nil {
		d.fail(path, "not an RFC 3339 time: %q", value)
	}
	return t.UTC()
}

// raw compacts a JSON value: indentation is the document's, not the value's.
func (d *decoder) raw(path string, v json.RawMessage) json.RawMessage {
	if len(v) == 0 {
		d.fail(path, "missing (a JSON value)")
		return nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, v); err != nil {
		d.fail(path, "%v", err)
	}
	return buf.Bytes()
}

func seen(set map[string]bool, key string) bool {
	if set[key] {
		return true
	}
	set[key] = true
	return false
}

func (d *decoder) document(doc *document) {
	if doc.ExportedAt != "" {
		d.time("exportedAt", doc.ExportedAt)
	}
	accounts := map[string]bool{}
	for i, a := range doc.Accounts {
		p := fmt.Sprintf("accounts[%d]", i)
		if len(a.AccountID) != 12 || strings.Trim(a.AccountID, "0123456789") != "" {
			d.fail(p+".accountId", "must be 12 digits, not %q", a.AccountID)
		}
		if seen(accounts, a.AccountID) {
			d.fail(p+".accountId", "account %s is given twice", a.AccountID)
		}
		regions := map[string]bool{}
		for j, r := range a.Regions {
			rp := fmt.Sprintf("%s.regions[%d]", p, j)
			d.name(rp+".region", r.Region)
			if seen(regions, r.Region) {
				d.fail(rp+".region", "region %s is given twice in account %s", r.Region, a.AccountID)
			}
			scope := amplify.Scope{Account: a.AccountID, Region: r.Region}
			apps := map[string]bool{}
			for k := range r.Apps {
				ap := fmt.Sprintf("%s.apps[%d]", rp, k)
				if seen(apps, r.Apps[k].AppID) {
					d.fail(ap+".appId", "app %s is given twice", r.Apps[k].AppID)
				}
				d.app(ap, scope, &r.Apps[k])
			}
			for k, b := range r.Buckets {
				bp := fmt.Sprintf("%s.buckets[%d]", rp, k)
				if err := amplify.ValidBucketName(b.Name); err != nil {
					d.fail(bp+".name", "%v", err)
				}
				if where, ok := d.buckets[b.Name]; ok {
					d.fail(bp+".name", "bucket %s is given twice (also at %s)", b.Name, where)
				}
				d.buckets[b.Name] = bp
				d.st.Buckets = append(d.st.Buckets, amplify.Bucket{Scope: scope, Name: b.Name, CreatedAt: d.time(bp+".createdAt", b.CreatedAt), Owner: b.Owner})
			}
		}
	}
	slices.SortFunc(d.st.Apps, func(a, b amplify.AppState) int {
		return strings.Compare(a.Account+"\x00"+a.Region+"\x00"+a.AppID, b.Account+"\x00"+b.Region+"\x00"+b.AppID)
	})
	slices.SortFunc(d.st.Buckets, func(a, b amplify.Bucket) int { return strings.Compare(a.Name, b.Name) })
}

var kinds = map[string]bool{string(amplify.KindAuth): true, string(amplify.KindAPI): true, string(amplify.KindStorage): true}

func (d *decoder) app(p string, scope amplify.Scope, a *app) {
	key := amplify.AppKey{Scope: scope, AppID: d.name(p+".appId", a.AppID)}
	out := amplify.AppState{App: amplify.App{AppKey: key}, Gone: a.Removed}
	if a.Removed {
		if a.AppName != "" || a.CreatedAt != "" || len(a.Environments) > 0 || a.Config != nil || len(a.Tokens) > 0 {
			d.fail(p, "a removed app has only jobs (no appName, createdAt, environments, config or tokens)")
		}
	} else {
		out.Name = d.name(p+".appName", a.AppName)
		out.CreatedAt = d.time(p+".createdAt", a.CreatedAt)
	}
	envs := map[string]bool{}
	for i, e := range a.Environments {
		ep := fmt.Sprintf("%s.environments[%d]", p, i)
		ek := amplify.EnvKey{AppKey: key, Env: d.name(ep+".name", e.Name)}
		if seen(envs, e.Name) {
			d.fail(ep+".name", "environment %s is given twice", e.Name)
		}
		env := amplify.EnvironmentState{Environment: amplify.Environment{EnvKey: ek, CreatedAt: d.time(ep+".createdAt", e.CreatedAt),
			StackSuffix: e.StackSuffix, StackUUID: e.StackUUID}}
		kindsSeen := map[string]bool{}
		for j, r := range e.Resources {
			rp := fmt.Sprintf("%s.resources[%d]", ep, j)
			if !kinds[r.Kind] {
				d.fail(rp+".kind", "must be api, auth or storage, not %q", r.Kind)
			}
			if seen(kindsSeen, r.Kind) {
				d.fail(rp+".kind", "environment %s has two %s resources", e.Name, r.Kind)
			}
			res := amplify.Resource{Kind: amplify.ResourceKind(r.Kind), Name: d.name(rp+".name", r.Name), Config: d.raw(rp+".config", r.Config),
				Deployed: r.Deployed, Imported: r.Imported, Revision: r.Revision, UpdatedAt: d.time(rp+".updatedAt", r.UpdatedAt)}
			if res.Deployed == nil {
				res.Deployed = map[string]string{}
			}
			if r.Models != nil {
				res.Models = &amplify.GeneratedModels{Models: r.Models.Models, Introspection: r.Models.Introspection, Revision: r.Models.Revision}
			}
			env.Resources = append(env.Resources, res)
		}
		slices.SortFunc(env.Resources, func(a, b amplify.Resource) int { return strings.Compare(string(a.Kind), string(b.Kind)) })
		out.Environments = append(out.Environments, env)
	}
	slices.SortFunc(out.Environments, func(a, b amplify.EnvironmentState) int { return strings.Compare(a.Env, b.Env) })
	if c := a.Config; c != nil {
		cp := p + ".config"
		out.Config = &amplify.AppConfig{AppKey: key, BackendManagerAppID: d.name(cp+".backendManagerAppId", c.BackendManagerAppID),
			LoginAuthConfig: d.raw(cp+".loginAuthConfig", c.LoginAuthConfig), Deployed: c.Deployed, UpdatedAt: d.time(cp+".updatedAt", c.UpdatedAt)}
		if out.Config.Deployed == nil {
			out.Config.Deployed = map[string]string{}
		}
	}
	sessions := map[string]bool{}
	for i, t := range a.Tokens {
		tp := fmt.Sprintf("%s.tokens[%d]", p, i)
		if seen(sessions, t.SessionID) {
			d.fail(tp+".sessionId", "token %s is given twice", t.SessionID)
		}
		out.Tokens = append(out.Tokens, amplify.Token{AppKey: key, SessionID: d.name(tp+".sessionId", t.SessionID),
			ChallengeCode: t.ChallengeCode, Expires: d.time(tp+".expiresAt", t.ExpiresAt)})
	}
	slices.SortFunc(out.Tokens, func(a, b amplify.Token) int { return strings.Compare(a.SessionID, b.SessionID) })
	actions := map[string]bool{}
	for _, op := range amplify.JobOperations() {
		actions[op] = true
	}
	for i, j := range a.Jobs {
		jp := fmt.Sprintf("%s.jobs[%d]", p, i)
		d.name(jp+".jobId", j.JobID)
		if where, ok := d.jobIDs[j.JobID]; ok {
			d.fail(jp+".jobId", "job %s is given twice (also at %s)", j.JobID, where)
		}
		d.jobIDs[j.JobID] = jp
		if j.Environment != "" {
			d.name(jp+".environment", j.Environment)
		}
		if !actions[j.Action] {
			d.fail(jp+".action", "%q is not an operation that runs as a job", j.Action)
		}
		// A client may relabel a job's operation (UpdateBackendJob): any text of a name's length.
		if j.Operation == "" || len(j.Operation) > amplify.MaxNameLength {
			d.fail(jp+".operation", "must be 1 to %d bytes", amplify.MaxNameLength)
		}
		if !slices.Contains(amplify.JobStatuses(), j.Status) {
			d.fail(jp+".status", "%q is not a job status (%s)", j.Status, strings.Join(amplify.JobStatuses(), ", "))
		}
		if j.Pending && j.Status != amplify.StatusInProgress {
			d.fail(jp+".status", "a pending job is %s, not %q", amplify.StatusInProgress, j.Status)
		}
		out.Jobs = append(out.Jobs, amplify.Job{JobKey: amplify.JobKey{AppKey: key, JobID: j.JobID}, Env: j.Environment,
			Operation: j.Operation, Status: j.Status, Error: j.Error, CreatedAt: d.time(jp+".createdAt", j.CreatedAt),
			UpdatedAt: d.time(jp+".updatedAt", j.UpdatedAt), Action: j.Action, Payload: d.raw(jp+".payload", j.Payload),
			Pending: j.Pending, RunAt: d.time(jp+".runAt", j.RunAt), InjectedError: j.InjectedError})
	}
	d.st.Apps = append(d.st.Apps, out)
}
