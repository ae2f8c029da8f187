// Package snapshot is the JSON document of amplifybackendd's state: what GET
// /_amplifybackend/state answers, PUT /_amplifybackend/state, --seed and `amplifybackendd
// import` read, and `amplifybackendd export` writes.
//
// The document nests as the data does, so that a person can read and edit a fixture:
//
//	{"format": "amplifybackendd-state", "version": 1, "exportedAt": "...",
//	 "accounts": [{"accountId": "000000000000", "regions": [{"region": "us-east-1",
//	   "apps": [{"appId", "appName", "createdAt", "config", "tokens",
//	             "environments": [{"name", ..., "resources": [...]}], "jobs": [...]}],
//	   "buckets": [...]}]}]}
//
// Times are RFC 3339 in UTC with milliseconds (the stores' precision). Configurations,
// payloads and login settings are JSON values, as the API wrote them. Encoding is
// deterministic: the same state always gives the same bytes (but exportedAt).
package snapshot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
)

// Format and Version identify the document; Decode refuses any other.
const (
	Format  = "amplifybackendd-state"
	Version = 1
)

// timeLayout is RFC 3339 with milliseconds, in UTC.
const timeLayout = "2006-01-02T15:04:05.000Z07:00"

type document struct {
	Format     string    `json:"format"`
	Version    int       `json:"version"`
	ExportedAt string    `json:"exportedAt"`
	Accounts   []account `json:"accounts"`
}

type account struct {
	AccountID string   `json:"accountId"`
	Regions   []region `json:"regions"`
}

type region struct {
	Region  string   `json:"region"`
	Apps    []app    `json:"apps,omitempty"`
	Buckets []bucket `json:"buckets,omitempty"`
}

type app struct {
	AppID string `json:"appId"`
	// Removed marks an app that RemoveAllBackends with CleanAmplifyApp removed: only its
	// jobs remain, which clients may still poll.
	Removed      bool          `json:"removed,omitempty"`
	AppName      string        `json:"appName,omitempty"`
	CreatedAt    string        `json:"createdAt,omitempty"`
	Environments []environment `json:"environments,omitempty"`
	Config       *config       `json:"config,omitempty"`
	Tokens       []token       `json:"tokens,omitempty"`
	Jobs         []job         `json:"jobs,omitempty"`
}

type environment struct {
	Name        string     `json:"name"`
	CreatedAt   string     `json:"createdAt"`
	StackSuffix string     `json:"stackSuffix"`
	StackUUID   string     `json:"stackUuid"`
	Resources   []resource `json:"resources,omitempty"`
}

type resource struct {
	Kind      string            `json:"kind"`
	Name      string            `json:"name"`
	Config    json.RawMessage   `json:"config"`
	Deployed  map[string]string `json:"deployed"`
	Imported  bool              `json:"imported"`
	Revision  int64             `json:"revision"`
	Models    *models           `json:"models,omitempty"`
	UpdatedAt string            `json:"updatedAt"`
}

type models struct {
	Models        string `json:"models"`
	Introspection string `json:"introspection"`
	Revision      int64  `json:"revision"`
}

type config struct {
	BackendManagerAppID string            `json:"backendManagerAppId"`
	LoginAuthConfig     json.RawMessage   `json:"loginAuthConfig"`
	Deployed            map[string]string `json:"deployed"`
	UpdatedAt           string            `json:"updatedAt"`
}

type token struct {
	SessionID     string `json:"sessionId"`
	ChallengeCode string `json:"challengeCode"`
	ExpiresAt     string `json:"expiresAt"`
}

type job struct {
	JobID string `json:"jobId"`
	// Environment is "" for a job of the whole app (RemoveAllBackends).
	Environment string          `json:"environment"`
	Operation   string          `json:"operation"`
	Status      string          `json:"status"`
	Error       string          `json:"error,omitempty"`
	CreatedAt   string          `json:"createdAt"`
	UpdatedAt   string          `json:"updatedAt"`
	Action      string          `json:"action"`
	Payload     json.RawMessage `json:"payload"`
	Pending     bool            `json:"pending"`
	RunAt       string          `json:"runAt"`
	// InjectedError is a fault's jobError: the job ends FAILED with it when it runs.
	InjectedError string `json:"injectedError,omitempty"`
}

type bucket struct {
	Name      string `json:"name"`
	CreatedAt string `json:"createdAt"`
	// Owner names the storage resource that created the bucket; "" for a bucket configured
	// with --s3-buckets.
	Owner string `json:"owner,omitempty"`
}

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// Encode writes st as an indented document stamped with exportedAt.
func Encode(st *amplify.State, exportedAt time.Time) ([]byte, error) {
	doc := document{Format: Format, Version: Version, ExportedAt: formatTime(exportedAt), Accounts: []account{}}
	regionOf := func(acct, reg string) *region {
		i := slices.IndexFunc(doc.Accounts, func(a account) bool { return a.AccountID == acct })
		if i < 0 {
			doc.Accounts = append(doc.Accounts, account{AccountID: acct})
			i = len(doc.Accounts) - 1
		}
		a := &doc.Accounts[i]
		j := slices.IndexFunc(a.Regions, func(r region) bool { return r.Region == reg })
		if j < 0 {
			a.Regions = append(a.Regions, region{Region: reg})
			j = len(a.Regions) - 1
		}
		return &a.Regions[j]
	}
	for _, a := range st.Apps {
		out := app{AppID: a.AppID, Removed: a.Gone}
		if !a.Gone {
			out.AppName, out.CreatedAt = a.Name, formatTime(a.CreatedAt)
		}
		for _, e := range a.Environments {
			env := environment{Name: e.Env, CreatedAt: formatTime(e.CreatedAt), StackSuffix: e.StackSuffix, StackUUID: e.StackUUID}
			for _, r := range e.Resources {
				res := resource{Kind: string(r.Kind), Name: r.Name, Config: jsonValue(r.Config), Deployed: nonNil(r.Deployed),
					Imported: r.Imported, Revision: r.Revision, UpdatedAt: formatTime(r.UpdatedAt)}
				if r.Models != nil {
					res.Models = &models{Models: r.Models.Models, Introspection: r.Models.Introspection, Revision: r.Models.Revision}
				}
				env.Resources = append(env.Resources, res)
			}
			out.Environments = append(out.Environments, env)
		}
		if c := a.Config; c != nil {
			out.Config = &config{BackendManagerAppID: c.BackendManagerAppID, LoginAuthConfig: jsonValue(c.LoginAuthConfig),
				Deployed: nonNil(c.Deployed), UpdatedAt: formatTime(c.UpdatedAt)}
		}
		for _, t := range a.Tokens {
			out.Tokens = append(out.Tokens, token{SessionID: t.SessionID, ChallengeCode: t.ChallengeCode, ExpiresAt: formatTime(t.Expires)})
		}
		for _, j := range a.Jobs {
			out.Jobs = append(out.Jobs, job{JobID: j.JobID, Environment: j.Env, Operation: j.Operation, Status: j.Status,
				Error: j.Error, CreatedAt: formatTime(j.CreatedAt), UpdatedAt: formatTime(j.UpdatedAt), Action: j.Action,
				Payload: jsonValue(j.Payload), Pending: j.Pending, RunAt: formatTime(j.RunAt), InjectedError: j.InjectedError})
		}
		r := regionOf(a.Account, a.Region)
		r.Apps = append(r.Apps, out)
	}
	for _, b := range st.Buckets {
		r := regionOf(b.Account, b.Region)
		r.Buckets = append(r.Buckets, bucket{Name: b.Name, CreatedAt: formatTime(b.CreatedAt), Owner: b.Owner})
	}
	// Accounts and regions in order; apps and buckets arrive sorted.
	slices.SortFunc(doc.Accounts, func(a, b account) int { return strings.Compare(a.AccountID, b.AccountID) })
	for i := range doc.Accounts {
		slices.SortFunc(doc.Accounts[i].Regions, func(a, b region) int { return strings.Compare(a.Region, b.Region) })
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encode snapshot: %w", err)
	}
	return buf.Bytes(), nil
}

// jsonValue returns raw as a JSON value for the document ("null" when empty or invalid, which
// the stores never hold).
func jsonValue(raw []byte) json.RawMessage {
	if len(raw) == 0 || !json.Valid(raw) {
		return json.RawMessage("null")
	}
	return json.RawMessage(raw)
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
