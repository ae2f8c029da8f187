package amplify

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// jsonTagsJustified are the declarations of this package that may give struct fields json
// tags, and why none of them is an API wire shape.
var jsonTagsJustified = map[string]string{
	// Job payloads: the domain's own encoding of a job's input in the Store (Job.Payload);
	// written and read only by this package, never seen by a client.
	"authPayload":          "job payload",
	"ImportedAuth":         "job payload (authPayload.Import)",
	"apiPayload":           "job payload",
	"createBackendPayload": "job payload",
	"clonePayload":         "job payload",
	"removeAllPayload":     "job payload",
	"createConfigPayload":  "job payload",
	"storagePayload":       "job payload",
	// amplify-meta.json: a file format the Amplify CLI reads (SERVICE.md §8), built here as the
	// CLI builds it; no operation's shape in the API model describes it.
	"metaResource":     "amplify-meta.json",
	"dependency":       "amplify-meta.json",
	"providerMetadata": "amplify-meta.json",
	// frontendAuthConfig builds amplify-meta.json's frontendAuthConfig (from the AuthConfig
	// Configs read).
	"func frontendAuthConfig": "amplify-meta.json",
}

// TestNoJSONTags fails when a struct field of this package has a json tag outside the
// declarations listed above: the domain knows no JSON wire shape (package doc); the generated
// types of internal/api hold those.
func TestNoJSONTags(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	tagged := map[string]bool{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if jsonTagged(d) {
					tagged["func "+d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					if ts, ok := s.(*ast.TypeSpec); ok && jsonTagged(ts) {
						tagged[ts.Name.Name] = true
					}
				}
			}
		}
	}
	if len(tagged) == 0 {
		t.Fatal("found no json-tagged field at all: the parser walk is broken (the job payloads have tags)")
	}
	for owner := range tagged {
		if _, ok := jsonTagsJustified[owner]; !ok {
			t.Errorf("%s declares struct fields with json tags: the domain knows no wire shape; decode the wire JSON outside internal/amplify (or, if it is not a wire shape, say why in jsonTagsJustified)", owner)
		}
	}
	for owner := range jsonTagsJustified {
		if !tagged[owner] {
			t.Errorf("%s no longer has json tags: remove it from jsonTagsJustified", owner)
		}
	}
}

// jsonTagged reports whether a struct type anywhere under n has a field with a json tag.
func jsonTagged(n ast.Node) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		f, ok := n.(*ast.Field)
		if !ok || f.Tag == nil {
			return !found
		}
		tag, err := strconv.Unquote(f.Tag.Value)
		if err != nil {
			return !found
		}
		if _, ok := reflect.StructTag(tag).Lookup("json"); ok {
			found = true
		}
		return !found
	})
	return found
}
