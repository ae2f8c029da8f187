package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
)

// decodeBody decodes the JSON request body into v (a pointer to an input struct).
// Unknown members are ignored and null members are absent, as in AWS. Malformed JSON, a
// body that is not a JSON object and members of the wrong type are BadRequest errors.
func decodeBody(body []byte, v any) error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil
	}
	if !json.Valid(trimmed) {
		var detail any
		err := json.Unmarshal(trimmed, &detail)
		return badRequest("Could not parse request body into json: %v", syntaxDetail(err))
	}
	if trimmed[0] != '{' {
		return badRequest("Could not parse request body into json: the request body must be a JSON object")
	}
	if depth := nesting(trimmed); depth > MaxNesting {
		return badRequest("Could not parse request body into json: objects and lists nest %d levels deep; the limit is %d", depth, MaxNesting)
	}
	err := json.Unmarshal(trimmed, v)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return badRequest("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must be of type %s",
			te.Field, wireType(te.Type))
	}
	return badRequest("Could not parse request body into json: %v", err)
}

// MaxNesting bounds how deeply a request body may nest objects and lists. The deepest
// input of the model nests 6 levels; unknown members may add some.
const MaxNesting = 32

// nesting returns the deepest nesting of objects and lists in valid JSON.
func nesting(body []byte) int {
	depth, deepest := 0, 0
	inString, escaped := false, false
	for _, c := range body {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest
}

// syntaxDetail words a JSON syntax error with its byte offset.
func syntaxDetail(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%v (at offset %d)", se, se.Offset)
	}
	if err == nil {
		return "invalid JSON"
	}
	return err.Error()
}

// wireType is the model type name of the Go type t expects.
func wireType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case reflect.TypeFor[ISO8601Time](), reflect.TypeFor[UnixTime]():
		return "timestamp"
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Bool:
		return "boolean"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Struct:
		return "structure"
	case reflect.Slice, reflect.Array:
		return "list"
	case reflect.Map:
		return "map"
	}
	return t.Kind().String()
}

func badRequest(format string, args ...any) *amplify.Error {
	return &amplify.Error{Code: amplify.BadRequest, Message: fmt.Sprintf(format, args...)}
}
