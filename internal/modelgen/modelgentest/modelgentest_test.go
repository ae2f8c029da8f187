package modelgentest

import (
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
