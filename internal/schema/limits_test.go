package schema

import (
	"errors"
	"strings"
	"testing"
)

func TestLimits(t *testing.T) {
	const schema = `
# a comment: type Ignored { x: Int }
"""A description: type Ignored"""
type Post @model @auth(rules: [{allow: owner, operations: [create, read]}]) {
  id: ID!
  title: String @index(name: "byTitle")
  tags: [[String!]]
  comments(limit: Int): [Comment] @hasMany
}
type Comment @model { id: ID! postID: ID! }
enum Mood { HAPPY SAD }
input PostInput { title: String }
scalar Instant
union Thing = Post | Comment
extend type Comment { likes: Int }
`
	// 7 definitions (the extension's keyword is "type" too); fields: id title tags comments,
	// id postID, HAPPY SAD, title, likes = 10; deepest: the operations list in the rule object
	// in the rules list in the directive's arguments = 4.
	tests := []struct {
		name   string
		limits Limits
		limit  string
		got    int
	}{
		{"none", Limits{}, "", 0},
		{"all at their counts", Limits{Bytes: len(schema), Types: 7, Fields: 10, Depth: 4}, "", 0},
		{"bytes", Limits{Bytes: len(schema) - 1}, "bytes", len(schema)},
		{"types", Limits{Types: 6}, "types", 7},
		{"fields", Limits{Fields: 9}, "fields", 10},
		{"depth", Limits{Depth: 3}, "depth", 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.limits.Check(schema)
			if tt.limit == "" {
				if err != nil {
					t.Fatalf("Check: %v; want nil", err)
				}
				return
			}
			var le *LimitError
			if !errors.As(err, &le) || le.Limit != tt.limit || le.Got != tt.got {
				t.Fatalf("Check: %v; want the %s limit, with %d", err, tt.limit, tt.got)
			}
			if !strings.Contains(err.Error(), "more than the limit") {
				t.Errorf("message %q", err)
			}
		})
	}
}

// TestLimitsDeepNesting checks that a schema of nothing but brackets, which would make the
// parser recurse once per bracket, is refused by its depth in constant memory.
func TestLimitsDeepNesting(t *testing.T) {
	schema := "type A { a(x: Int = " + strings.Repeat("[", 1<<20) + ") }"
	var le *LimitError
	if err := (Limits{Depth: 64}).Check(schema); !errors.As(err, &le) || le.Limit != "depth" || le.Got != 1<<20+2 {
		t.Fatalf("Check: %v; want the depth limit", err)
	}
}
