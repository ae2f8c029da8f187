package api

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
)

// decodeBody decodes the JSON request body into v (a pointer to an input struct).
// Members are matched by their exact, case-sensitive locationName; any other name, "APPID"
// for "appId" included, is an unknown member and ignored, as in AWS. Null members are absent;
// of a repeated member the last counts. Malformed JSON, a body that is not a JSON object,
// members of the wrong type and strings that are not valid UTF-8 (raw, or an escaped lone
// surrogate) are BadRequest errors naming the member.
//
// It is encoding/json/v2's Unmarshal (through github.com/go-json-experiment/json, which
// becomes an alias of the standard library's package from Go 1.27): encoding/json (v1)
// matches names case-insensitively and replaces invalid UTF-8 with U+FFFD, neither of which
// an option turns off, and it is slower.
func decodeBody(body []byte, v any) error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil
	}
	if trimmed[0] != '{' {
		if !jsontext.Value(trimmed).IsValid() {
			return badRequest("Could not parse request body into json: %s", syntaxDetail(json.Unmarshal(trimmed, new(any))))
		}
		return badRequest("Could not parse request body into json: the request body must be a JSON object")
	}
	if depth := nesting(trimmed); depth > MaxNesting {
		return badRequest("Could not parse request body into json: objects and lists nest %d levels deep; the limit is %d", depth, MaxNesting)
	}
	err := json.Unmarshal(trimmed, v, decodeOptions)
	if err == nil {
		// JSON writes U+0000 only as the escape \u0000 (a raw control byte is a syntax
		// error), so the body shows whether a decoded string may hold one.
		if bytes.Contains(trimmed, nulEscape) {
			if path, ok := nulMember(reflect.ValueOf(v), ""); ok {
				return badRequest("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must not contain the NUL character (U+0000)", path)
			}
		}
		return nil
	}
	var se *jsontext.SyntacticError
	if errors.As(err, &se) && (errors.Is(se.Err, errInvalidUTF8) || surrogateEscape(trimmed, se.ByteOffset)) {
		if path := pointerPath(se.JSONPointer); path != "" && !nameError(trimmed, se.ByteOffset) {
			return badRequest("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must be valid UTF-8", path)
		}
		return badRequest("Could not parse request body into json: a member name is not valid UTF-8 (at offset %d)", se.ByteOffset)
	}
	var te *json.SemanticError
	if errors.As(err, &te) && te.GoType != nil {
		return badRequest("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must be of type %s",
			pointerPath(te.JSONPointer), wireType(te.GoType))
	}
	return badRequest("Could not parse request body into json: %s", syntaxDetail(err))
}

var nulEscape = []byte(`\u0000`)

// nulMember returns the wire path of the first string in v, a decoded input, that holds
// U+0000. PostgreSQL cannot store it and no member needs it.
func nulMember(v reflect.Value, path string) (string, bool) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			return nulMember(v.Elem(), path)
		}
	case reflect.String:
		if strings.IndexByte(v.String(), 0) >= 0 {
			return path, true
		}
	case reflect.Slice:
		for i := range v.Len() {
			if p, ok := nulMember(v.Index(i), memberPath(path, i)); ok {
				return p, true
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			if name == "" || name == "-" {
				continue // path parameters are checked by the router (amplify.CheckName)
			}
			if p, ok := nulMember(v.Field(i), joinPath(path, name)); ok {
				return p, true
			}
		}
	}
	return "", false
}

// decodeOptions: of a repeated member the last counts, as encoding/json (v1) took it.
var decodeOptions = jsontext.AllowDuplicateNames(true)

// errInvalidUTF8 is what jsontext wraps for a string that is not valid UTF-8: the raw
// bytes, or an escape of a lone surrogate ("\ud800").
var errInvalidUTF8 = func() error {
	err := json.Unmarshal([]byte("\"\xff\""), new(string))
	var se *jsontext.SyntacticError
	if !errors.As(err, &se) {
		panic(fmt.Sprintf("api: invalid UTF-8 decodes without a syntactic error: %v", err))
	}
	return se.Err
}()

// surrogateEscape reports whether body has an escaped UTF-16 surrogate ("\\ud800") at offset,
// where jsontext reports a lone or mismatched surrogate: a string that is not valid UTF-8.
func surrogateEscape(body []byte, offset int64) bool {
	if offset < 0 || offset+6 > int64(len(body)) || body[offset] != '\\' || body[offset+1] != 'u' {
		return false
	}
	v, err := strconv.ParseUint(string(body[offset+2:offset+6]), 16, 16)
	return err == nil && v >= 0xd800 && v <= 0xdfff
}

// nameError reports whether the invalid string that ends at or after offset is a member name
// rather than a value: the next non-space byte after its closing quote is ':'.
func nameError(body []byte, offset int64) bool {
	if offset < 0 || offset >= int64(len(body)) {
		return false
	}
	rest := body[offset:]
	i := bytes.IndexByte(rest, '"')
	if i < 0 {
		return false
	}
	rest = bytes.TrimLeft(rest[i+1:], " \t\r\n")
	return len(rest) > 0 && rest[0] == ':'
}

// pointerPath turns a JSON pointer (/resourceConfig/userPoolConfigs/requiredSignUpAttributes/1)
// into the path validation messages use (resourceConfig.userPoolConfigs.requiredSignUpAttributes.member.2).
// The model's inputs have no maps, so a number is a list index.
func pointerPath(p jsontext.Pointer) string {
	path := ""
	for tok := range p.Tokens() {
		if i, err := strconv.Atoi(tok); err == nil && i >= 0 && path != "" {
			path = memberPath(path, i)
			continue
		}
		path = joinPath(path, tok)
	}
	return path
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
	var se *jsontext.SyntacticError
	if errors.As(err, &se) {
		return fmt.Sprintf("%v (at offset %d)", se.Err, se.ByteOffset)
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
