package api

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
)

func TestDecodeBody(t *testing.T) {
	tests := []struct {
		name string
		body string
		want string // message prefix; "" means success
	}{
		{"object", `{"resourceName":"auth","unknown":[1,2]}`, ""},
		{"whitespace only", " \n", ""},
		{"null member", `{"resourceName":null}`, ""},
		{"syntax", `{"resourceName":`, "Could not parse request body into json: "},
		{"garbage", `hello`, "Could not parse request body into json: "},
		{"array body", `[]`, "Could not parse request body into json: "},
		{"string body", `"x"`, "Could not parse request body into json: "},
		{"null body", `null`, "Could not parse request body into json: "},
		{"wrong type string member", `{"resourceName":5}`,
			"1 validation error detected: Value at 'resourceName' failed to satisfy constraint: Member must be of type string"},
		{"wrong type nested", `{"resourceConfig":{"userPoolConfigs":{"userPoolName":true}}}`,
			"1 validation error detected: Value at 'resourceConfig.userPoolConfigs.userPoolName' failed to satisfy constraint: Member must be of type string"},
		{"wrong type structure", `{"resourceConfig":"x"}`,
			"1 validation error detected: Value at 'resourceConfig' failed to satisfy constraint: Member must be of type structure"},
		{"wrong type list", `{"resourceConfig":{"userPoolConfigs":{"requiredSignUpAttributes":"EMAIL"}}}`,
			"1 validation error detected: Value at 'resourceConfig.userPoolConfigs.requiredSignUpAttributes' failed to satisfy constraint: Member must be of type list"},
		{"wrong type number", `{"resourceConfig":{"userPoolConfigs":{"passwordPolicy":{"minimumLength":"8"}}}}`,
			"1 validation error detected: Value at 'resourceConfig.userPoolConfigs.passwordPolicy.minimumLength' failed to satisfy constraint: Member must be of type number"},
		{"wrong type list element", `{"resourceConfig":{"userPoolConfigs":{"requiredSignUpAttributes":["EMAIL",5]}}}`,
			"1 validation error detected: Value at 'resourceConfig.userPoolConfigs.requiredSignUpAttributes.member.2' failed to satisfy constraint: Member must be of type string"},
		// Invalid UTF-8 is refused, naming the member, rather than replaced by U+FFFD and stored.
		{"invalid UTF-8", "{\"resourceName\":\"a\xffb\"}",
			"1 validation error detected: Value at 'resourceName' failed to satisfy constraint: Member must be valid UTF-8"},
		{"invalid UTF-8 nested in a list", "{\"resourceConfig\":{\"userPoolConfigs\":{\"requiredSignUpAttributes\":[\"EMAIL\",\"\xc3\"]}}}",
			"1 validation error detected: Value at 'resourceConfig.userPoolConfigs.requiredSignUpAttributes.member.2' failed to satisfy constraint: Member must be valid UTF-8"},
		{"escaped lone surrogate", `{"resourceName":"\ud800"}`,
			"1 validation error detected: Value at 'resourceName' failed to satisfy constraint: Member must be valid UTF-8"},
		{"escaped high surrogate without its pair", `{"resourceName":"ab\ud83dx"}`,
			"1 validation error detected: Value at 'resourceName' failed to satisfy constraint: Member must be valid UTF-8"},
		{"escaped surrogate pair", `{"resourceName":"\ud83d\ude00"}`, ""},
		{"overlong encoding", "{\"resourceName\":\"\xc0\xaf\"}",
			"1 validation error detected: Value at 'resourceName' failed to satisfy constraint: Member must be valid UTF-8"},
		{"invalid UTF-8 in an unknown member", "{\"resourceName\":\"auth\",\"other\":\"\xff\"}",
			"1 validation error detected: Value at 'other' failed to satisfy constraint: Member must be valid UTF-8"},
		{"invalid UTF-8 in a member name", "{\"resource\xffName\":\"auth\"}",
			"Could not parse request body into json: a member name is not valid UTF-8"},
		// U+0000 is refused, naming the member: PostgreSQL cannot store it, SQLite could.
		{"NUL", `{"resourceName":"a\u0000b"}`,
			"1 validation error detected: Value at 'resourceName' failed to satisfy constraint: Member must not contain the NUL character (U+0000)"},
		{"NUL nested in a list", `{"resourceConfig":{"userPoolConfigs":{"requiredSignUpAttributes":["EMAIL","\u0000"]}}}`,
			"1 validation error detected: Value at 'resourceConfig.userPoolConfigs.requiredSignUpAttributes.member.2' failed to satisfy constraint: Member must not contain the NUL character (U+0000)"},
		{"escaped backslash before u0000 is no NUL", `{"resourceName":"a\\u0000b"}`, ""},
		{"NUL in an unknown member is ignored with it", `{"resourceName":"a","other":"\u0000"}`, ""},
		{"valid multibyte UTF-8", `{"resourceName":"añ€😀"}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in CreateBackendAuthRequest
			err := decodeBody([]byte(tt.body), &in)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("decodeBody() = %v, want nil", err)
				}
				return
			}
			var ae *amplify.Error
			if !errors.As(err, &ae) {
				t.Fatalf("decodeBody() = %v (%T), want *amplify.Error", err, err)
			}
			if ae.Code != amplify.BadRequest {
				t.Errorf("Code = %q, want %q", ae.Code, amplify.BadRequest)
			}
			if !strings.HasPrefix(ae.Message, tt.want) {
				t.Errorf("Message =\n%s\nwant prefix\n%s", ae.Message, tt.want)
			}
		})
	}
}

// Members are the exact, case-sensitive locationNames: a member of every structure reachable
// from these inputs (the social providers' client_id, LoginAuthConfig's aws_user_pools_id,
// MFAMode, ...), named with its case changed, is an unknown member and ignored, where
// encoding/json (v1) took "APPID" as "appId".
func TestDecodeBodyNamesAreExact(t *testing.T) {
	inputs := []any{&CreateBackendRequest{}, &CreateBackendAuthRequest{}, &UpdateBackendAuthRequest{},
		&CreateBackendAPIRequest{}, &UpdateBackendConfigRequest{}, &CreateBackendStorageRequest{}, &ListBackendJobsRequest{}}
	checked := 0
	for _, in := range inputs {
		forEachMember(reflect.TypeOf(in).Elem(), nil, func(path []string, f reflect.StructField) {
			name := path[len(path)-1]
			other := strings.ToUpper(name)
			if other == name {
				other = strings.ToLower(name)
			}
			exact, err := json.Marshal(nest(path, sample(f.Type)))
			if err != nil {
				t.Fatal(err)
			}
			changed, _ := json.Marshal(nest(append(path[:len(path)-1:len(path)-1], other), sample(f.Type)))
			t.Run(reflect.TypeOf(in).Elem().Name()+"/"+strings.Join(path, "."), func(t *testing.T) {
				v := reflect.New(reflect.TypeOf(in).Elem())
				if err := decodeBody(exact, v.Interface()); err != nil {
					t.Fatalf("decode %s: %v", exact, err)
				}
				if member(v.Elem(), path).IsZero() {
					t.Fatalf("%s did not set %s", exact, strings.Join(path, "."))
				}
				v = reflect.New(reflect.TypeOf(in).Elem())
				if err := decodeBody(changed, v.Interface()); err != nil {
					t.Fatalf("decode %s: %v", changed, err)
				}
				if m := member(v.Elem(), path); m.IsValid() && !m.IsZero() {
					t.Errorf("%s set %s: names must match exactly", changed, strings.Join(path, "."))
				}
			})
			checked++
		})
	}
	if checked < 50 {
		t.Errorf("checked %d members; the inputs have more", checked)
	}
}

// forEachMember calls fn for every JSON member of struct type t and of the structures below
// it, with the wire names leading to it.
func forEachMember(t reflect.Type, path []string, fn func([]string, reflect.StructField)) {
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || name == "" {
			continue
		}
		p := append(path[:len(path):len(path)], name)
		fn(p, f)
		if ft := f.Type; ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct && !strings.HasSuffix(ft.Elem().Name(), "Time") {
			forEachMember(ft.Elem(), p, fn)
		}
	}
}

// nest wraps v in objects named by path.
func nest(path []string, v any) any {
	for i := len(path) - 1; i >= 0; i-- {
		v = map[string]any{path[i]: v}
	}
	return v
}

// sample is a non-zero JSON value for Go type t.
func sample(t reflect.Type) any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "v"
	case reflect.Bool:
		return true
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Float64:
		return 7
	case reflect.Slice:
		return []any{sample(t.Elem())}
	case reflect.Struct:
		return map[string]any{}
	}
	panic("sample: " + t.String())
}

// member follows path (wire names) from struct value v; the zero Value if a pointer on the
// way is nil.
func member(v reflect.Value, path []string) reflect.Value {
	for _, name := range path {
		for v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}
			}
			v = v.Elem()
		}
		found := false
		for i := range v.NumField() {
			if n, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ","); n == name {
				v, found = v.Field(i), true
				break
			}
		}
		if !found {
			panic("member: no " + name)
		}
	}
	return v
}

func TestDecodeBodyIntegerAndBoolean(t *testing.T) {
	var jobs ListBackendJobsRequest
	err := decodeBody([]byte(`{"maxResults":"ten"}`), &jobs)
	want := "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: Member must be of type integer"
	if ae, ok := err.(*amplify.Error); !ok || ae.Message != want {
		t.Errorf("decodeBody() = %v, want %q", err, want)
	}
	var oauth CreateBackendAuthIdentityPoolConfig
	err = decodeBody([]byte(`{"unauthenticatedLogin":"yes"}`), &oauth)
	want = "1 validation error detected: Value at 'unauthenticatedLogin' failed to satisfy constraint: Member must be of type boolean"
	if ae, ok := err.(*amplify.Error); !ok || ae.Message != want {
		t.Errorf("decodeBody() = %v, want %q", err, want)
	}
}

func TestDecodeBodyValues(t *testing.T) {
	var in CreateBackendAuthRequest
	body := `{"resourceName":"auth","backendEnvironmentName":"dev","resourceConfig":{"authResources":"USER_POOL_ONLY",` +
		`"userPoolConfigs":{"requiredSignUpAttributes":["EMAIL","NAME"],"mfa":{"MFAMode":"ON"}}}}`
	if err := decodeBody([]byte(body), &in); err != nil {
		t.Fatal(err)
	}
	if StringValue(in.ResourceName) != "auth" || StringValue(in.BackendEnvironmentName) != "dev" {
		t.Errorf("strings: %+v", in)
	}
	upc := in.ResourceConfig.UserPoolConfigs
	if got := upc.RequiredSignUpAttributes; len(got) != 2 || got[1] != RequiredSignUpAttributesElementName {
		t.Errorf("RequiredSignUpAttributes = %v", got)
	}
	if *upc.Mfa.MFAMode != MFAModeOn {
		t.Errorf("MFAMode = %v", *upc.Mfa.MFAMode)
	}
	if in.AppId != nil {
		t.Errorf("AppId (uri member) decoded from body: %v", *in.AppId)
	}
}

func TestBounds(t *testing.T) {
	deep := `{"appId":"a","appName":"n","backendEnvironmentName":"dev","x":` + strings.Repeat(`[`, MaxNesting-1) + strings.Repeat(`]`, MaxNesting-1) + `}`
	deeper := `{"x":` + strings.Repeat(`[`, MaxNesting) + strings.Repeat(`]`, MaxNesting) + `}`
	long := strings.Repeat("x", MaxStringLength+1)
	schema := strings.Repeat("type A { id: ID! }\n", 10000)
	tests := []struct {
		name, body, want string
	}{
		{"nesting at the limit", deep, ""},
		{"nesting over the limit", deeper, "nest 33 levels deep; the limit is 32"},
		{"brackets inside strings do not nest", `{"appId":"` + strings.Repeat("[{", 100) + `","appName":"n","backendEnvironmentName":"dev"}`, ""},
		{"string over the limit", `{"appId":"a","appName":"` + long + `","backendEnvironmentName":"dev"}`, "Value at 'appName' failed to satisfy constraint: Member must have length less than or equal to 65536"},
		{"long TransformSchema is fine", `{"backendEnvironmentName":"dev","resourceName":"r","resourceConfig":{"apiName":"a","service":"AppSync","transformSchema":"` + strings.ReplaceAll(schema, "\n", `\n`) + `"}}`, ""},
		{"list over the limit", `{"backendEnvironmentName":"dev","resourceName":"r","resourceConfig":{"apiName":"a","service":"AppSync","additionalAuthTypes":[` + strings.TrimSuffix(strings.Repeat(`{"mode":"API_KEY"},`, MaxListLength+1), ",") + `]}}`, "Value at 'resourceConfig.additionalAuthTypes' failed to satisfy constraint: Member must have length less than or equal to 100"},
		{"long enum value is not echoed whole", `{"backendEnvironmentName":"dev","resourceName":"r","resourceConfig":{"authResources":"` + long + `","service":"COGNITO","userPoolConfigs":{"requiredSignUpAttributes":[],"signInMethod":"EMAIL","userPoolName":"p"}}}`, "xxx...' at 'resourceConfig.authResources'"},
	}
	ops := map[string]Operation{}
	for _, op := range OperationList() {
		ops[op.Name] = op
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op := ops["CreateBackend"]
			switch {
			case strings.Contains(tt.body, "transformSchema") || strings.Contains(tt.body, "additionalAuthTypes"):
				op = ops["CreateBackendAPI"]
			case strings.Contains(tt.body, "authResources"):
				op = ops["CreateBackendAuth"]
			}
			params := make([]string, len(op.Params))
			for i := range params {
				params[i] = "p"
			}
			_, err := op.Invoke(context.Background(), nopOperations{}, params, []byte(tt.body))
			if tt.want == "" {
				if err != errReached {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v; want it to contain %q", err, tt.want)
			}
			if len(err.Error()) > 1024 {
				t.Errorf("error message of %d bytes", len(err.Error()))
			}
		})
	}
}

// nopOperations answers the operations TestBounds calls with an error that is not
// BadRequest: reaching it means the request passed decoding and validation.
type nopOperations struct{ Operations }

var errReached = &amplify.Error{Code: amplify.NotImplemented, Message: "reached"}

func (nopOperations) CreateBackend(context.Context, *CreateBackendRequest) (*CreateBackendResponse, error) {
	return nil, errReached
}

func (nopOperations) CreateBackendAPI(context.Context, *CreateBackendAPIRequest) (*CreateBackendAPIResponse, error) {
	return nil, errReached
}

func (nopOperations) CreateBackendAuth(context.Context, *CreateBackendAuthRequest) (*CreateBackendAuthResponse, error) {
	return nil, errReached
}

// BenchmarkDecode measures decodeBody on the bodies of a small write (CreateBackend), a
// nested one (CreateBackendAuth) and a large TransformSchema (CreateBackendAPI, 64 KiB).
func BenchmarkDecode(b *testing.B) {
	schema := strings.Repeat(`type Todo @model { id: ID! name: String! description: String }\n`, 1000)
	bodies := []struct {
		name string
		body string
		in   func() any
	}{
		{"CreateBackend", `{"appId":"d1abc","appName":"my app","backendEnvironmentName":"dev"}`, func() any { return new(CreateBackendRequest) }},
		{"CreateBackendAuth", `{"backendEnvironmentName":"dev","resourceName":"auth","resourceConfig":{"authResources":"USER_POOL_ONLY",` +
			`"service":"COGNITO","userPoolConfigs":{"userPoolName":"pool","signInMethod":"EMAIL","requiredSignUpAttributes":["EMAIL","NAME"],` +
			`"mfa":{"MFAMode":"ON","settings":{"mfaTypes":["SMS","TOTP"],"smsMessage":"code {####}"}},` +
			`"passwordPolicy":{"minimumLength":8,"additionalConstraints":["REQUIRE_DIGIT"]}}}}`, func() any { return new(CreateBackendAuthRequest) }},
		{"CreateBackendAPI/64KiB", `{"backendEnvironmentName":"dev","resourceName":"api","resourceConfig":{"apiName":"a","service":"AppSync",` +
			`"defaultAuthType":{"mode":"API_KEY","settings":{"expirationTime":7}},"transformSchema":"` + schema + `"}}`, func() any { return new(CreateBackendAPIRequest) }},
	}
	for _, bb := range bodies {
		b.Run(bb.name, func(b *testing.B) {
			body := []byte(bb.body)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if err := decodeBody(body, bb.in()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
