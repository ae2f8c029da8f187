package api

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
)

// validAuthRequest is a CreateBackendAuthRequest without violations.
func validAuthRequest() *CreateBackendAuthRequest {
	return &CreateBackendAuthRequest{
		AppId:                  String("app"),
		BackendEnvironmentName: String("dev"),
		ResourceName:           String("auth"),
		ResourceConfig: &CreateBackendAuthResourceConfig{
			AuthResources: new(AuthResourcesUserPoolOnly),
			Service:       new(ServiceCognito),
			UserPoolConfigs: &CreateBackendAuthUserPoolConfig{
				RequiredSignUpAttributes: []RequiredSignUpAttributesElement{RequiredSignUpAttributesElementEmail},
				SignInMethod:             new(SignInMethodEmail),
				UserPoolName:             String("pool"),
			},
		},
	}
}

func TestValidate(t *testing.T) {
	const (
		null  = "failed to satisfy constraint: Member must not be null"
		inSet = "failed to satisfy constraint: Member must satisfy enum value set: "
	)
	tests := []struct {
		name string
		in   interface{ Validate() error }
		want string // "" means valid
	}{
		{"valid", validAuthRequest(), ""},
		{"valid list jobs", &ListBackendJobsRequest{AppId: String("a"), BackendEnvironmentName: String("b"), MaxResults: Int64(25)}, ""},
		{"missing top level", func() *CreateBackendAuthRequest {
			r := validAuthRequest()
			r.ResourceName = nil
			return r
		}(), "1 validation error detected: Value null at 'resourceName' " + null},
		{"missing uri member", &GetBackendRequest{}, "1 validation error detected: Value null at 'appId' " + null},
		{"missing nested", func() *CreateBackendAuthRequest {
			r := validAuthRequest()
			r.ResourceConfig.UserPoolConfigs.UserPoolName = nil
			return r
		}(), "1 validation error detected: Value null at 'resourceConfig.userPoolConfigs.userPoolName' " + null},
		{"bad enum top level", &CreateBackendStorageRequest{
			AppId: String("a"), BackendEnvironmentName: String("b"), ResourceName: String("r"),
			ResourceConfig: &CreateBackendStorageResourceConfig{
				Permissions: &BackendStoragePermissions{Authenticated: []AuthenticatedElement{AuthenticatedElementRead}},
				ServiceName: new(ServiceName("EFS")),
			},
		}, "1 validation error detected: Value 'EFS' at 'resourceConfig.serviceName' " + inSet + "[S3]"},
		{"bad enum in list", func() *CreateBackendAuthRequest {
			r := validAuthRequest()
			r.ResourceConfig.UserPoolConfigs.RequiredSignUpAttributes = append(
				r.ResourceConfig.UserPoolConfigs.RequiredSignUpAttributes, "SHOE_SIZE")
			return r
		}(), "1 validation error detected: Value 'SHOE_SIZE' at 'resourceConfig.userPoolConfigs.requiredSignUpAttributes.member.2' " +
			inSet + "[ADDRESS, BIRTHDATE, EMAIL, FAMILY_NAME, GENDER, GIVEN_NAME, LOCALE, MIDDLE_NAME, NAME, NICKNAME, " +
			"PHONE_NUMBER, PICTURE, PREFERRED_USERNAME, PROFILE, UPDATED_AT, WEBSITE, ZONE_INFO]"},
		{"range too small", &ListBackendJobsRequest{AppId: String("a"), BackendEnvironmentName: String("b"), MaxResults: Int64(0)},
			"1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"range too large", &ListBackendJobsRequest{AppId: String("a"), BackendEnvironmentName: String("b"), MaxResults: Int64(30)},
			"1 validation error detected: Value '30' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 25"},
		{"brief example", func() *CreateBackendAuthRequest {
			r := validAuthRequest()
			r.ResourceConfig.UserPoolConfigs = nil
			r.ResourceConfig.Service = new(Service("FOO"))
			return r
		}(), "2 validation errors detected: Value null at 'resourceConfig.userPoolConfigs' " + null +
			"; Value 'FOO' at 'resourceConfig.service' " + inSet + "[COGNITO]"},
		{"many, in order", &CreateBackendAuthRequest{
			ResourceConfig: &CreateBackendAuthResourceConfig{AuthResources: new(AuthResources("BOTH"))},
		}, "6 validation errors detected: Value null at 'appId' " + null +
			"; Value null at 'backendEnvironmentName' " + null +
			"; Value null at 'resourceName' " + null +
			"; Value null at 'resourceConfig.service' " + null +
			"; Value null at 'resourceConfig.userPoolConfigs' " + null +
			"; Value 'BOTH' at 'resourceConfig.authResources' " + inSet + "[USER_POOL_ONLY, IDENTITY_POOL_AND_USER_POOL]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.in.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var ae *amplify.Error
			if !errors.As(err, &ae) {
				t.Fatalf("Validate() = %v (%T), want *amplify.Error", err, err)
			}
			if ae.Code != amplify.BadRequest {
				t.Errorf("Code = %q, want %q", ae.Code, amplify.BadRequest)
			}
			if ae.Message != tt.want {
				t.Errorf("Message =\n%s\nwant\n%s", ae.Message, tt.want)
			}
		})
	}
}

func TestValidateNilErrorIsUntypedNil(t *testing.T) {
	if err := validAuthRequest().Validate(); err != nil {
		t.Fatalf("Validate() = %#v, want untyped nil", err)
	}
}

// enumModel is the part of the AWS model TestEveryEnumMember walks.
type enumModel struct {
	Operations map[string]struct {
		Input struct{ Shape string }
	}
	Shapes map[string]enumShape
}

type enumShape struct {
	Type     string
	Required []string
	Members  map[string]struct {
		Shape        string
		Location     string
		LocationName string
	}
	Member *struct{ Shape string }
	Enum   []string
	Min    *float64
}

// step is one member on the way from an input to an enum: a body member (by wire name) or the
// first element of a list.
type step struct {
	member string // "" for a list element
}

func wirePath(steps []step) string {
	var parts []string
	for _, st := range steps {
		if st.member == "" {
			parts = append(parts, "member.1")
		} else {
			parts = append(parts, st.member)
		}
	}
	return strings.Join(parts, ".")
}

// minimal returns the smallest valid JSON value of shape: required members filled, enums at
// their first value, lists of one element.
func (m *enumModel) minimal(t *testing.T, name string) any {
	s := m.Shapes[name]
	switch {
	case len(s.Enum) > 0:
		return s.Enum[0]
	case s.Type == "string":
		return "abc1"
	case s.Type == "integer" || s.Type == "long" || s.Type == "double":
		if s.Min != nil {
			return *s.Min
		}
		return 1
	case s.Type == "boolean":
		return true
	case s.Type == "list":
		return []any{m.minimal(t, s.Member.Shape)}
	case s.Type == "structure":
		obj := map[string]any{}
		for _, r := range s.Required {
			mm := s.Members[r]
			if mm.Location != "" {
				continue // a path parameter
			}
			obj[wireName(r, mm.LocationName)] = m.minimal(t, mm.Shape)
		}
		return obj
	}
	t.Fatalf("shape %s of type %s: no minimal value", name, s.Type)
	return nil
}

func wireName(member, locationName string) string {
	if locationName != "" {
		return locationName
	}
	return member
}

// enumSite is an enum-typed member reached from an operation's input.
type enumSite struct {
	steps  []step
	shapes []string // the shape of each step's value
	enum   string
}

// enumSites walks shape (the value at steps) and returns every enum member under it.
func (m *enumModel) enumSites(t *testing.T, shape string, steps []step, shapes []string) []enumSite {
	s := m.Shapes[shape]
	if len(s.Enum) > 0 {
		return []enumSite{{steps: steps, shapes: shapes, enum: shape}}
	}
	for _, seen := range shapes[:max(len(shapes)-1, 0)] {
		if seen == shape {
			return nil // a cycle: the model has none today, but do not loop if one appears
		}
	}
	var out []enumSite
	switch s.Type {
	case "list":
		out = append(out, m.enumSites(t, s.Member.Shape, append(slicesClone(steps), step{}), append(slicesClone(shapes), s.Member.Shape))...)
	case "structure":
		names := make([]string, 0, len(s.Members))
		for n := range s.Members {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			mm := s.Members[n]
			if mm.Location != "" {
				if len(m.Shapes[mm.Shape].Enum) > 0 {
					t.Fatalf("%s.%s: an enum in the %s; this test sends only body members", shape, n, mm.Location)
				}
				continue
			}
			out = append(out, m.enumSites(t, mm.Shape, append(slicesClone(steps), step{member: wireName(n, mm.LocationName)}), append(slicesClone(shapes), mm.Shape))...)
		}
	}
	return out
}

func slicesClone[T any](s []T) []T { return append([]T(nil), s...) }

// body returns the minimal valid input of shape with value at the site.
func (m *enumModel) body(t *testing.T, input string, site enumSite, value string) []byte {
	root := m.minimal(t, input).(map[string]any)
	var cur any = root
	for i, st := range site.steps {
		last := i == len(site.steps)-1
		next := func() any {
			if last {
				return value
			}
			return m.minimal(t, site.shapes[i])
		}
		switch c := cur.(type) {
		case map[string]any:
			if _, ok := c[st.member]; !ok || last {
				c[st.member] = next()
			}
			cur = c[st.member]
		case []any:
			if last {
				c[0] = value
			}
			cur = c[0]
		}
	}
	raw, err := json.Marshal(root)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestEveryEnumMember walks the model: for every enum-typed member of every operation's input,
// at any depth and inside lists, each allowed value passes decoding and validation, and a
// value outside the set is a BadRequest naming the member's wire path and the allowed values.
func TestEveryEnumMember(t *testing.T) {
	raw, err := os.ReadFile("../../model/amplifybackend-2020-08-11.api.json")
	if err != nil {
		t.Fatal(err)
	}
	var m enumModel
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	reached := map[string]bool{}
	sites := 0
	for _, op := range OperationList() {
		input := m.Operations[op.Name].Input.Shape
		if input == "" {
			t.Fatalf("%s: no input shape in the model", op.Name)
		}
		params := make([]string, len(op.Params))
		for i := range params {
			params[i] = "p"
		}
		invoke := func(body []byte) error {
			_, err := op.Invoke(context.Background(), &sentinelOps{}, params, body)
			return err
		}
		if err := invoke(m.body(t, input, enumSite{}, "")); !errors.Is(err, errSentinel) {
			t.Fatalf("%s: the minimal input does not pass validation: %v", op.Name, err)
		}
		for _, site := range m.enumSites(t, input, nil, nil) {
			sites++
			reached[site.enum] = true
			path := wirePath(site.steps)
			allowed := m.Shapes[site.enum].Enum
			t.Run(op.Name+"/"+path, func(t *testing.T) {
				for _, v := range allowed {
					if err := invoke(m.body(t, input, site, v)); !errors.Is(err, errSentinel) {
						t.Errorf("%s = %q refused: %v", path, v, err)
					}
				}
				err := invoke(m.body(t, input, site, "NOT_A_VALUE"))
				var ae *amplify.Error
				if !errors.As(err, &ae) || ae.Code != amplify.BadRequest {
					t.Fatalf("%s = NOT_A_VALUE: %v; want BadRequest", path, err)
				}
				want := "1 validation error detected: Value 'NOT_A_VALUE' at '" + path +
					"' failed to satisfy constraint: Member must satisfy enum value set: [" + strings.Join(allowed, ", ") + "]"
				if ae.Message != want {
					t.Errorf("message =\n%s\nwant\n%s", ae.Message, want)
				}
			})
		}
	}
	// Every enum of the model that an input can carry was reached (Status is in outputs only).
	var missed []string
	for name, s := range m.Shapes {
		if len(s.Enum) > 0 && !reached[name] && m.inInput(name) {
			missed = append(missed, name)
		}
	}
	if len(missed) > 0 {
		t.Errorf("enums in inputs never tested: %v", missed)
	}
	t.Logf("%d enum members over %d enums", sites, len(reached))
	if len(reached) < 15 {
		t.Errorf("reached %d enums; the model's inputs use 15 of its 16", len(reached))
	}
}

// inInput reports whether any operation's input refers to shape, directly or not.
func (m *enumModel) inInput(shape string) bool {
	seen := map[string]bool{}
	var refers func(name string) bool
	refers = func(name string) bool {
		if name == shape {
			return true
		}
		if seen[name] {
			return false
		}
		seen[name] = true
		s := m.Shapes[name]
		if s.Member != nil && refers(s.Member.Shape) {
			return true
		}
		for _, mm := range s.Members {
			if refers(mm.Shape) {
				return true
			}
		}
		return false
	}
	for _, op := range m.Operations {
		if refers(op.Input.Shape) {
			return true
		}
	}
	return false
}
