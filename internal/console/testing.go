package console

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/control"
	"github.com/amplifybackendd/amplifybackendd/internal/httpapi"
	"github.com/amplifybackendd/amplifybackendd/internal/snapshot"
)

// The testing page: the control plane's tools (fault rules, the journal, reset, state export
// and import, the job mode) with the same domain calls as /_amplifybackend/.

type testingData struct {
	Faults     []control.Rule
	Journal    []httpapi.Record
	JournalOn  bool
	Operations []string
	OpFilter   string
	AppFilter  string
	Settings   amplify.JobSettings
}

// journalRows is how many journal records the page shows.
const journalRows = 50

func (h *Handler) testingPage(w http.ResponseWriter, r *http.Request) {
	h.renderTesting(w, r, http.StatusOK, nil)
}

func (h *Handler) renderTesting(w http.ResponseWriter, r *http.Request, status int, form *formState) {
	q := r.URL.Query()
	p := h.newPage(w, r, h.scope(r), "Testing")
	p.Form = form
	p.Crumbs = []crumb{{"Overview", p.href(nil)}}
	d := &testingData{Faults: h.cfg.Faults.List(), Operations: operationNames(), OpFilter: q.Get("operation"),
		AppFilter: q.Get("appId"), Settings: h.cfg.Service.JobSettings()}
	if h.cfg.Journal != nil {
		d.JournalOn = true
		d.Journal = h.cfg.Journal.Records(control.JournalFilter{Operation: d.OpFilter, AppID: d.AppFilter, Limit: journalRows})
	}
	p.D = d
	h.render(w, status, "testing", p)
}

func operationNames() []string {
	var out []string
	for _, op := range apiOperations() {
		out = append(out, op)
	}
	return out
}

func (h *Handler) testingAction(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	scope := h.scope(r)
	p := h.newPage(w, r, scope, "")
	back := p.href([]string{"testing"})
	switch r.PathValue("action") {
	case "fault-add":
		rule := control.Rule{Operation: f.Get("operation"), AccountID: f.Get("accountId"), Region: f.Get("region"),
			AppID: f.Get("appId"), Latency: f.Get("latency"), JobError: f.Get("jobError")}
		if v := f.Get("times"); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				h.renderTesting(w, r, http.StatusBadRequest, &formState{Name: "fault-add", Values: f,
					Fields: map[string]string{"times": "times is a whole number (0: without end)"}})
				return
			}
			rule.Times = n
		}
		if v := f.Get("probability"); v != "" {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				h.renderTesting(w, r, http.StatusBadRequest, &formState{Name: "fault-add", Values: f,
					Fields: map[string]string{"probability": "probability is a number from 0 to 1"}})
				return
			}
			rule.Probability = &x
		}
		if v := f.Get("error.status"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				h.renderTesting(w, r, http.StatusBadRequest, &formState{Name: "fault-add", Values: f,
					Fields: map[string]string{"error.status": "the status is an HTTP status such as 503"}})
				return
			}
			rule.Error = &control.ErrorEffect{Status: n, Code: f.Get("error.code"), Message: f.Get("error.message")}
		}
		added, err := h.cfg.Faults.Add(rule)
		if err != nil {
			h.renderTesting(w, r, http.StatusBadRequest, &formState{Name: "fault-add", Values: f, Fields: map[string]string{}, Message: errText(err)})
			return
		}
		h.cfg.Logger.Info("console: fault rule added", "id", added.ID)
		h.done(w, r, back, "Fault rule "+added.ID+" added.")
	case "fault-delete":
		if !h.cfg.Faults.Delete(f.Get("id")) {
			h.renderError(w, r, http.StatusNotFound, "There is no fault rule "+f.Get("id")+" (a rule with times is gone once used up).")
			return
		}
		h.done(w, r, back, "Fault rule "+f.Get("id")+" removed.")
	case "journal-clear":
		n := 0
		if h.cfg.Journal != nil {
			n = h.cfg.Journal.Clear()
		}
		h.done(w, r, back, fmt.Sprintf("Journal cleared (%d records).", n))
	case "reset":
		var ss amplify.StateScope
		switch f.Get("scope") {
		case "all":
		case "scope":
			ss = amplify.StateScope{Account: scope.Account, Region: scope.Region}
		case "app":
			ss = amplify.StateScope{Account: scope.Account, Region: scope.Region, AppID: f.Get("appId")}
			if ss.AppID == "" {
				h.renderTesting(w, r, http.StatusBadRequest, &formState{Name: "reset", Values: f,
					Fields: map[string]string{"appId": "name the app to reset"}})
				return
			}
		default:
			h.renderError(w, r, http.StatusBadRequest, "Choose what to reset.")
			return
		}
		removed, err := h.cfg.Service.Reset(r.Context(), ss)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		h.cfg.Logger.Info("console: reset", "apps", removed.Apps, "jobs", removed.Jobs)
		h.done(w, r, back, fmt.Sprintf("Reset: removed %d apps, %d environments, %d jobs, %d tokens, %d buckets.",
			removed.Apps, removed.Environments, removed.Jobs, removed.Tokens, removed.Buckets))
	case "import":
		file, _, err := r.FormFile("state")
		if err != nil {
			h.renderTesting(w, r, http.StatusBadRequest, &formState{Name: "import", Values: f,
				Fields: map[string]string{"state": "choose a state file (exported here or by GET /_amplifybackend/state)"}})
			return
		}
		defer file.Close()
		data, err := io.ReadAll(io.LimitReader(file, control.DefaultMaxStateBody+1))
		if err != nil {
			h.fail(w, r, err)
			return
		}
		st, err := snapshot.Decode(data)
		if err == nil {
			err = h.cfg.Service.ImportState(r.Context(), st)
		}
		if err != nil {
			h.renderTesting(w, r, http.StatusBadRequest, &formState{Name: "import", Values: f,
				Fields: map[string]string{"state": "the state was not imported, nothing changed: " + errText(err)}})
			return
		}
		counts, err := h.cfg.Service.Counts(r.Context())
		if err != nil {
			h.fail(w, r, err)
			return
		}
		h.done(w, r, back, fmt.Sprintf("State imported: %d apps, %d environments.", counts.Apps, counts.Environments))
	default:
		h.renderError(w, r, http.StatusNotFound, "There is no such action.")
	}
}

// exportState downloads the state (all of it, or the page's account and region).
func (h *Handler) exportState(w http.ResponseWriter, r *http.Request) {
	var ss amplify.StateScope
	name := "amplifybackendd-state.json"
	if r.URL.Query().Get("scope") == "scope" {
		s := h.scope(r)
		ss = amplify.StateScope{Account: s.Account, Region: s.Region}
		name = "amplifybackendd-state-" + s.Account + "-" + s.Region + ".json"
	}
	st, err := h.cfg.Service.ExportState(r.Context(), ss)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	buf, err := snapshot.Encode(st, h.cfg.Now())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="`+strings.ReplaceAll(name, `"`, "")+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(buf)))
	w.Write(buf)
}
