package control

import (
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/amplifybackendd/amplifybackendd/internal/api"
	"github.com/amplifybackendd/amplifybackendd/internal/httpapi"
)

// Bounds of fault rules: they are our own API, and every input is bounded.
const (
	// MaxFaults is how many rules may exist at once.
	MaxFaults = 1000
	// MaxLatency is the longest latency a rule may add: the server's write timeout is 60 s,
	// and a longer wait would end in a dropped connection rather than a late answer.
	MaxLatency = 50 * time.Second
	// MaxTimes bounds a rule's times.
	MaxTimes = 1_000_000
	maxText  = 4096
	maxCode  = 128
)

// Rule is a fault rule as the control plane takes and answers it.
type Rule struct {
	ID string `json:"id"`
	// Operation, AccountID, Region and AppID narrow the requests the rule matches; empty
	// matches every value.
	Operation string `json:"operation,omitempty"`
	AccountID string `json:"accountId,omitempty"`
	Region    string `json:"region,omitempty"`
	AppID     string `json:"appId,omitempty"`
	// Probability is the chance that a matching request fires the rule (default 1).
	Probability *float64 `json:"probability,omitempty"`
	// Times is how often the rule fires before it is removed; 0 is without end.
	Times int64 `json:"times,omitempty"`
	// Fired counts how often the rule has fired (answered only).
	Fired int64 `json:"fired"`
	// The effects, at least one: an error answered instead of running the operation, a
	// latency added before answering, an error the started job ends FAILED with.
	Error    *ErrorEffect `json:"error,omitempty"`
	Latency  string       `json:"latency,omitempty"`
	JobError string       `json:"jobError,omitempty"`
}

// ErrorEffect is the error a rule answers, in AWS's wire form.
type ErrorEffect struct {
	Status  int    `json:"status"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}

// rule is a Rule in force.
type rule struct {
	Rule
	prob    float64
	latency time.Duration
	// jobOnly: the rule's only effect is jobError, so it matches only operations that start
	// a job (elsewhere it would fire without doing anything).
	jobOnly bool
	// left counts the fires still allowed (times > 0); fired counts fires.
	left  atomic.Int64
	fired atomic.Int64
}

// Faults holds the fault rules of this process and decides, for each AWS request, whether
// one fires. It implements httpapi.Faults. The zero value is not usable; call NewFaults.
type Faults struct {
	// rand draws a probability in [0, 1); it must be safe for concurrent use.
	rand   func() float64
	active atomic.Int32 // len(rules), read without the lock on every request
	fired  atomic.Int64 // fires of every rule so far, for metrics

	mu     sync.RWMutex
	rules  []*rule
	nextID uint64
}

var _ httpapi.Faults = (*Faults)(nil)

// NewFaults returns an empty rule set. rnd draws probabilities in [0, 1) (math/rand/v2's
// Float64 when nil) and must be safe for concurrent use; tests give their own.
func NewFaults(rnd func() float64) *Faults {
	if rnd == nil {
		rnd = rand.Float64
	}
	return &Faults{rand: rnd}
}

// Active reports whether any rule exists: one atomic load.
func (f *Faults) Active() bool { return f.active.Load() != 0 }

// Match returns the fault of the first rule, in the order they were added, that matches c
// and fires: its probability is drawn, then one of its times is taken (exactly Times fires
// happen, however many requests race for them). A rule whose times are used up is removed.
func (f *Faults) Match(c httpapi.Call) (httpapi.Fault, bool) {
	f.mu.RLock()
	var hit *rule
	exhausted := false
	for _, r := range f.rules {
		if !r.matches(c) {
			continue
		}
		if r.prob < 1 && f.rand() >= r.prob {
			continue
		}
		ok, last := r.take()
		if !ok {
			continue // used up by a racing request, and about to be removed
		}
		hit, exhausted = r, last
		break
	}
	f.mu.RUnlock()
	if hit == nil {
		return httpapi.Fault{}, false
	}
	f.fired.Add(1)
	if exhausted {
		f.remove(hit)
	}
	out := httpapi.Fault{Rule: hit.ID, Latency: hit.latency, JobError: hit.JobError}
	if e := hit.Error; e != nil {
		out.Status, out.Code, out.Message = e.Status, e.Code, e.Message
	}
	return out, true
}

func (r *rule) matches(c httpapi.Call) bool {
	return (r.Operation == "" || r.Operation == c.Operation) &&
		(r.AccountID == "" || r.AccountID == c.Account) &&
		(r.Region == "" || r.Region == c.Region) &&
		(r.AppID == "" || r.AppID == c.AppID) &&
		(!r.jobOnly || jobOperations[c.Operation])
}

// take uses one of the rule's times; last reports that it was the last one.
func (r *rule) take() (ok, last bool) {
	if r.Times == 0 {
		r.fired.Add(1)
		return true, false
	}
	for {
		n := r.left.Load()
		if n <= 0 {
			return false, false
		}
		if r.left.CompareAndSwap(n, n-1) {
			r.fired.Add(1)
			return true, n == 1
		}
	}
}

// Add validates in and adds it as the last rule; it answers the rule with its id. Errors are
// *amplify.Error BadRequest naming the member and the rule.
func (f *Faults) Add(in Rule) (Rule, error) {
	r, err := newRule(in)
	if err != nil {
		return Rule{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.rules) >= MaxFaults {
		return Rule{}, amplify.Errorf(amplify.BadRequest, "there are already %d fault rules, the most there may be; delete some first", MaxFaults)
	}
	f.nextID++
	r.ID = "fault-" + strconv.FormatUint(f.nextID, 10)
	f.rules = append(f.rules, r)
	f.active.Store(int32(len(f.rules)))
	return r.snapshot(), nil
}

// Fired counts the faults injected so far, by every rule (deleted ones included): a
// monotonic counter for metrics.
func (f *Faults) Fired() int64 { return f.fired.Load() }

// List answers the rules in force, in the order they were added.
func (f *Faults) List() []Rule {
	f.mu.RLock()
	defer f.mu.RUnlock()
	out := make([]Rule, 0, len(f.rules))
	for _, r := range f.rules {
		out = append(out, r.snapshot())
	}
	return out
}

// Delete removes the rule with id; false if there is none.
func (f *Faults) Delete(id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, r := range f.rules {
		if r.ID == id {
			f.rules = append(f.rules[:i:i], f.rules[i+1:]...)
			f.active.Store(int32(len(f.rules)))
			return true
		}
	}
	return false
}

// Clear removes every rule and answers how many there were.
func (f *Faults) Clear() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := len(f.rules)
	f.rules = nil
	f.active.Store(0)
	return n
}

func (f *Faults) remove(target *rule) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, r := range f.rules {
		if r == target {
			f.rules = append(f.rules[:i:i], f.rules[i+1:]...)
			f.active.Store(int32(len(f.rules)))
			return
		}
	}
}

func (r *rule) snapshot() Rule {
	out := r.Rule
	p := r.prob
	out.Probability = &p
	out.Fired = r.fired.Load()
	if out.Error != nil {
		e := *out.Error
		out.Error = &e
	}
	return out
}

// jobOperations are the operations that start a job (a jobError effect applies to them).
var jobOperations = func() map[string]bool {
	m := map[string]bool{}
	for _, op := range amplify.JobOperations() {
		m[op] = true
	}
	return m
}()

// operationNames are the 31 operations of the API.
var operationNames = func() map[string]bool {
	m := map[string]bool{}
	for _, op := range api.OperationList() {
		m[op.Name] = true
	}
	return m
}()

// defaultCodes name the error of a status when a rule gives none: the modeled exceptions
// where one has the status, else what AWS services answer with it.
var defaultCodes = map[int]string{
	400: amplify.BadRequest,
	403: "AccessDeniedException",
	404: amplify.NotFound,
	429: amplify.TooManyRequests,
	500: amplify.Internal,
	502: "BadGatewayException",
	503: "ServiceUnavailableException",
	504: amplify.GatewayTimeout,
}

func badRule(format string, args ...any) error {
	return amplify.Errorf(amplify.BadRequest, "fault rule: "+format, args...)
}

// newRule checks in and returns it as a rule in force (without id).
func newRule(in Rule) (*rule, error) {
	r := &rule{Rule: in, prob: 1}
	r.ID, r.Fired = "", 0
	if in.Operation != "" && !operationNames[in.Operation] {
		return nil, badRule("operation %q is not an operation of the AmplifyBackend API", clip(in.Operation))
	}
	if in.AccountID != "" && !isAccountID(in.AccountID) {
		return nil, badRule("accountId %q must be 12 digits", clip(in.AccountID))
	}
	for _, m := range [][2]string{{"region", in.Region}, {"appId", in.AppID}} {
		if m[1] == "" {
			continue
		}
		if err := amplify.CheckName(m[0], m[1]); err != nil {
			return nil, badRule("%s", err.(*amplify.Error).Message)
		}
	}
	if p := in.Probability; p != nil {
		if !(*p >= 0 && *p <= 1) { // also refuses NaN
			return nil, badRule("probability %v must be between 0 and 1", *p)
		}
		r.prob = *p
	}
	if in.Times < 0 || in.Times > MaxTimes {
		return nil, badRule("times %d must be between 0 (without end) and %d", in.Times, MaxTimes)
	}
	r.left.Store(in.Times)
	if in.Error == nil && in.Latency == "" && in.JobError == "" {
		return nil, badRule("give at least one effect: error, latency or jobError")
	}
	if e := in.Error; e != nil {
		if e.Status < 400 || e.Status > 599 {
			return nil, badRule("error.status %d must be between 400 and 599", e.Status)
		}
		e2 := *e
		if e2.Code == "" {
			e2.Code = defaultCodes[e2.Status]
			if e2.Code == "" {
				e2.Code = "InjectedFault"
			}
		} else if err := checkCode(e2.Code); err != nil {
			return nil, err
		}
		if len(e2.Message) > maxText {
			return nil, badRule("error.message is longer than %d bytes", maxText)
		}
		if e2.Message == "" {
			e2.Message = "Injected fault: " + e2.Code
		}
		r.Error = &e2
		if in.JobError != "" {
			return nil, badRule("error and jobError exclude each other: an error answers instead of running the operation, so no job starts")
		}
	}
	if in.Latency != "" {
		d, err := time.ParseDuration(in.Latency)
		if err != nil {
			return nil, badRule("latency %q is not a duration such as \"250ms\" or \"2s\"", clip(in.Latency))
		}
		if d <= 0 || d > MaxLatency {
			return nil, badRule("latency %s must be positive and at most %s", d, MaxLatency)
		}
		r.latency = d
	}
	if in.JobError != "" {
		if len(in.JobError) > maxText {
			return nil, badRule("jobError is longer than %d bytes", maxText)
		}
		if in.Operation != "" && !jobOperations[in.Operation] {
			return nil, badRule("jobError: %s does not start a job", in.Operation)
		}
		r.jobOnly = in.Error == nil && in.Latency == ""
	}
	return r, nil
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// checkCode keeps an error code to what may stand in a header and an SDK's error type.
func checkCode(code string) error {
	if len(code) > maxCode {
		return badRule("error.code is longer than %d bytes", maxCode)
	}
	for i := 0; i < len(code); i++ {
		c := code[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-' || c == ':' || c == '#') {
			return badRule("error.code %q may hold only letters, digits and . _ - : #", clip(code))
		}
	}
	return nil
}

// clip shortens a value quoted in a message.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
