package modelgen

import (
	"fmt"
	"strings"
	"testing"

	"github.com/amplifybackendd/amplifybackendd/internal/modelgen/modelgentest"
)

// referenceLine is what reference.js prints for our result.
func referenceLine(res *Result) string {
	var b strings.Builder
	b.WriteString(`{"introspection":`)
	b.WriteString(res.Introspection)
	b.WriteString(`,"metadata":`)
	writeJSONString(&b, res.Models)
	b.WriteString("}")
	return b.String()
}

// TestDifferential compares Generate with the reference generator on the hand-written
// schemas of testdata/edge and on a few hundred seeded random schemas
// (modelgentest.SchemaGen). It needs MODELGEN_REFERENCE_DIR (a directory with reference.js
// and its node_modules installed); see e2e/modelgen-diff/run.sh.
// cmd/amplifybackendd's TestModelgenDifferentialThroughAPI runs the same schemas through
// the server.
func TestDifferential(t *testing.T) {
	cfg := modelgentest.ConfigFromEnv(t)
	cases := modelgentest.Cases(t, "testdata/edge", cfg)
	results := modelgentest.RunReference(t, cfg, cases)
	modelgentest.CheckAccepted(t, cases, results)

	var diffs modelgentest.Mismatches
	for _, c := range cases {
		r := results[c.File]
		res, err := Generate(c.Schema)
		switch {
		case r.OK && err != nil:
			diffs.Add(c, fmt.Sprintf("reference accepts, we reject: %v", err))
		case !r.OK && err == nil:
			diffs.Add(c, fmt.Sprintf("reference rejects (%s), we accept", r.Error))
		case !r.OK && !modelgentest.SaysWhere(err.Error(), c.Schema):
			diffs.Add(c, fmt.Sprintf("our error does not say where (no line:column, no name from the schema): %v", err))
		case r.OK:
			if got := referenceLine(res); got != r.Out {
				diffs.Add(c, "outputs differ: "+modelgentest.FirstDifference(got, r.Out))
			}
		}
	}
	t.Logf("%d schemas compared; %d mismatches", len(cases), diffs.Count())
	diffs.Report(t, len(cases))
}
