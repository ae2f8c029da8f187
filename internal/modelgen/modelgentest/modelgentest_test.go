package modelgentest

import (
	"fmt"
	"strings"
	"testing"
)

func TestSchemaGenIsSeeded(t *testing.T) {
	a, b, c := NewSchemaGen(7), NewSchemaGen(7), NewSchemaGen(8)
	for i := range 20 {
		sa, sb, sc := a.Generate(2+i%7), b.Generate(2+i%7), c.Generate(2+i%7)
		if sa != sb {
			t.Fatalf("schema %d differs between two generators of one seed", i)
		}
		if sa == sc && i > 0 {
			t.Fatalf("schema %d is the same for seeds 7 and 8", i)
		}
		if !strings.Contains(sa, "@model") {
			t.Fatalf("schema %d has no model:\n%s", i, sa)
		}
	}
}

func TestDefaultValuesVary(t *testing.T) {
	g := NewSchemaGen(1)
	seen := map[string]bool{}
	for range 300 {
		s := g.Generate(8)
		for _, part := range strings.Split(s, "@default(value: ")[1:] {
			v, _, _ := strings.Cut(part, ")")
			seen[v] = true
		}
	}
	if len(seen) < 20 {
		t.Fatalf("only %d distinct @default values in 300 schemas: %v", len(seen), seen)
	}
}

func TestSaysWhere(t *testing.T) {
	const schema = "type Post @model {\n  id: ID!\n  tags: [Tag] @manyToMany(relationName: \"PostTags\")\n}\n"
	for _, tc := range []struct {
		msg  string
		want bool
	}{
		{"schema.graphql:3:15: Undefined type Strin.", true},
		{"3:3: something is wrong", true},
		{"Unknown type Tag", true},
		{"Error for relation: 'PostTags', there should be two", true},
		{"The directive \"@manyToMany\" can only be used once", true},
		{"field Post.tags is broken", true},
		{"something is wrong with the schema", false},
		{"Unknown type String", false},
		{"contains a digit 3 and a colon:", false},
	} {
		if got := SaysWhere(tc.msg, schema); got != tc.want {
			t.Errorf("SaysWhere(%q) = %v; want %v", tc.msg, got, tc.want)
		}
	}
}

// recordTB records what a check reports instead of failing the test.
type recordTB struct {
	testing.TB
	errors []string
}

func (r *recordTB) Helper()                   {}
func (r *recordTB) Logf(string, ...any)       {}
func (r *recordTB) Errorf(f string, a ...any) { r.errors = append(r.errors, fmt.Sprintf(f, a...)) }

func TestCheckAcceptedFloor(t *testing.T) {
	run := func(accepted, rejected int) []string {
		var cases []Case
		results := map[string]*Result{}
		for i := range accepted + rejected {
			c := Case{Name: fmt.Sprint(i), File: fmt.Sprint(i), Random: true}
			cases = append(cases, c)
			results[c.File] = &Result{OK: i < accepted, Error: "nope"}
		}
		// Edge cases do not count towards the floor.
		cases = append(cases, Case{Name: "edge", File: "edge"})
		results["edge"] = &Result{OK: true}
		rec := &recordTB{TB: t}
		CheckAccepted(rec, cases, results)
		return rec.errors
	}
	if errs := run(70, 30); len(errs) != 0 {
		t.Errorf("70 of 100 accepted: %v; want no failure", errs)
	}
	if errs := run(69, 31); len(errs) != 1 || !strings.Contains(errs[0], "69 of 100") {
		t.Errorf("69 of 100 accepted: %v; want a failure naming 69 of 100", errs)
	}
}

func TestMismatchesReportsAll(t *testing.T) {
	var m Mismatches
	big := strings.Repeat("type T @model { id: ID! }\n", 2000) // 52 KB each
	for i := range 12 {
		m.Add(Case{Name: fmt.Sprintf("s%02d", i), Schema: big, Random: true}, "differs")
	}
	rec := &recordTB{TB: t}
	m.Report(rec, 100)
	if len(rec.errors) != 13 {
		t.Fatalf("%d reports for 12 mismatches; want 12 and a total", len(rec.errors))
	}
	printed := 0
	for _, e := range rec.errors[:12] {
		if strings.Contains(e, big) {
			printed++
		}
	}
	if printed == 0 || printed == 12 {
		t.Errorf("%d of 12 schemas printed; want the first ones up to the output cap", printed)
	}
	if !strings.Contains(rec.errors[12], "12 of 100") {
		t.Errorf("total: %q", rec.errors[12])
	}
}
