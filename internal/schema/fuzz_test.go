package schema

import (
	"errors"
	"strings"
	"testing"
)

// FuzzCheck feeds arbitrary text to Check: it must neither panic nor fail inside the validator
// (Check turns a validator panic into an error whose message says so), and every error must
// be a *schema.Error. Seeds come from testdata/fuzz/FuzzCheck and the cases below.
func FuzzCheck(f *testing.F) {
	f.Add(todoSchema)
	f.Add("type Todo @model { id: ID! name: String }")
	f.Add("input AMPLIFY { globalAuthRule: AuthRule = { allow: public } }")
	f.Add("type T @auth(rules: [[[{allow: owner}]]]) { a: Int }")
	f.Add("interface I { f: I } type T implements I & I { f: T }")
	f.Fuzz(func(t *testing.T, schema string) {
		err := Check(schema)
		if err == nil {
			return
		}
		var se *Error
		if !errors.As(err, &se) {
			t.Fatalf("Check returned %T %v; want *schema.Error", err, err)
		}
		if strings.Contains(se.Message, internalFailure) {
			t.Fatalf("validator failed on %q: %v", schema, err)
		}
	})
}
