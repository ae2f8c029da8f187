package console

import (
	"errors"
	"net/url"
	"testing"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
)

func TestDrawDiagram(t *testing.T) {
	d := drawDiagram(`
type Post @model {
  id: ID!
  title: String!
  comments: [Comment] @hasMany
  author: Author @belongsTo
}
type Comment @model { id: ID! text: String post: Post }
type Author @model { id: ID! name: String }
type Address { street: String }
enum Kind { A B }
`)
	if d == nil {
		t.Fatal("no diagram")
	}
	var names []string
	for _, b := range d.Boxes {
		names = append(names, b.Name)
		if b.X+b.W > d.Width || b.Y+b.H > d.Height {
			t.Errorf("box %s (%d,%d %dx%d) is outside the %dx%d drawing", b.Name, b.X, b.Y, b.W, b.H, d.Width, d.Height)
		}
	}
	if len(names) != 3 || names[0] != "Post" || names[1] != "Comment" || names[2] != "Author" {
		t.Errorf("boxes = %v; want the three @model types in order (not Address or Kind)", names)
	}
	if len(d.Boxes[0].Fields) != 4 || d.Boxes[0].Fields[2].Text != "comments: [Comment]" {
		t.Errorf("Post's fields = %+v", d.Boxes[0].Fields)
	}
	labels := map[string]bool{}
	for _, e := range d.Edges {
		labels[e.Label] = true
	}
	// Post-Comment is drawn once (Comment.post is the other end of @hasMany).
	if len(d.Edges) != 2 || !labels["@hasMany"] || !labels["@belongsTo"] {
		t.Errorf("edges = %+v; want @hasMany and @belongsTo", d.Edges)
	}
	if drawDiagram("type Broken @model {") != nil {
		t.Error("a schema that does not parse has a diagram")
	}
	if drawDiagram("type Plain { id: ID }") != nil {
		t.Error("a schema without @model types has a diagram")
	}
}

// A validation error lands next to the field whose wire path it names; any other error is
// the form's.
func TestFailedForm(t *testing.T) {
	values := url.Values{"resourceName": {"x"}, "resourceConfig.userPoolConfigs.signInMethod": {"BAD"}, "csrf": {"t"}}
	f := failed("auth-create", values, amplify.Errorf(amplify.BadRequest,
		"1 validation error detected: Value 'BAD' at 'resourceConfig.userPoolConfigs.signInMethod' failed to satisfy constraint"))
	if f.Message != "" || len(f.Fields) != 1 || f.Fields["resourceConfig.userPoolConfigs.signInMethod"] == "" {
		t.Errorf("validation error: %+v", f)
	}
	f = failed("auth-create", values, amplify.Errorf(amplify.NotFound, "NotFoundException - An error occurred while processing your request: No app found"))
	if len(f.Fields) != 0 || f.Message != "NotFoundException - An error occurred while processing your request: No app found" {
		t.Errorf("domain error: %+v", f)
	}
	f = failed("auth-create", values, errors.New("ServiceUnavailableException: injected"))
	if f.Message != "ServiceUnavailableException: injected" {
		t.Errorf("fault: %+v", f)
	}
}
