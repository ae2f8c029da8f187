package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
)

// apiModel is the subset of an AWS API model (api.json) the generator understands.
type apiModel struct {
	Metadata   map[string]any          `json:"metadata"`
	Operations map[string]*operation   `json:"operations"`
	Shapes     map[string]*shape       `json:"shapes"`
	docs       *docsModel              // documentation strings, never nil after load
	names      []string                // sorted shape names
	opNames    []string                // sorted operation names
	inputs     map[string]bool         // shapes that are operation inputs
	reachable  map[string]bool         // structures reachable from operation inputs
	errorCodes map[string]*errorTraits // exception shapes
}

// operation is one API operation.
type operation struct {
	Name string `json:"name"`
	HTTP struct {
		Method       string `json:"method"`
		RequestURI   string `json:"requestUri"`
		ResponseCode int    `json:"responseCode"`
	} `json:"http"`
	Input  *shapeRef  `json:"input"`
	Output *shapeRef  `json:"output"`
	Errors []shapeRef `json:"errors"`
	params []string   // uri parameter names in path order
}

// shapeRef points at a shape by name.
type shapeRef struct {
	Shape string `json:"shape"`
}

// errorTraits are the error traits of an exception shape.
type errorTraits struct {
	HTTPStatusCode int `json:"httpStatusCode"`
}

// shape is one shape of the model.
type shape struct {
	Type            string       `json:"type"`
	Members         members      `json:"members"`
	Required        []string     `json:"required"`
	Enum            []string     `json:"enum"`
	Member          *shapeRef    `json:"member"`
	Min             *int64       `json:"min"`
	Max             *int64       `json:"max"`
	Exception       bool         `json:"exception"`
	Error           *errorTraits `json:"error"`
	TimestampFormat string       `json:"timestampFormat"`
	Sensitive       bool         `json:"sensitive"`
	name            string
}

// member is one member of a structure shape.
type member struct {
	Name         string `json:"-"`
	Shape        string `json:"shape"`
	Location     string `json:"location"`
	LocationName string `json:"locationName"`
}

// wireName is the JSON (or uri) name of the member.
func (m member) wireName() string {
	if m.LocationName != "" {
		return m.LocationName
	}
	return m.Name
}

// members keeps structure members in model order.
type members []member

// UnmarshalJSON decodes a JSON object into members, preserving key order.
func (ms *members) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return fmt.Errorf("members: want object, got %v (%v)", tok, err)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		var m member
		if err := dec.Decode(&m); err != nil {
			return err
		}
		m.Name = tok.(string)
		*ms = append(*ms, m)
	}
	_, err := dec.Token()
	return err
}

// loadModel reads and checks the api.json model at path and the docs.json at docsPath.
func loadModel(path, docsPath string) (*apiModel, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m := new(apiModel)
	if err := json.Unmarshal(data, m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if m.docs, err = loadDocs(docsPath); err != nil {
		return nil, err
	}
	if err := m.index(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// index computes the derived, sorted views of the model and checks what the generator supports.
func (m *apiModel) index() error {
	for name, s := range m.Shapes {
		s.name = name
		m.names = append(m.names, name)
	}
	sort.Strings(m.names)
	for name, op := range m.Operations {
		op.Name = name
		m.opNames = append(m.opNames, name)
	}
	sort.Strings(m.opNames)
	for _, name := range m.names {
		if err := m.checkShape(m.Shapes[name]); err != nil {
			return err
		}
	}
	m.inputs = map[string]bool{}
	m.reachable = map[string]bool{}
	for _, name := range m.opNames {
		op := m.Operations[name]
		if op.Input == nil || op.Output == nil {
			return fmt.Errorf("operation %s: operations without input or output are not supported", name)
		}
		m.inputs[op.Input.Shape] = true
		m.markReachable(op.Input.Shape)
		params, err := m.uriParams(op)
		if err != nil {
			return err
		}
		op.params = params
	}
	m.errorCodes = map[string]*errorTraits{}
	for _, name := range m.names {
		if s := m.Shapes[name]; s.Exception {
			if s.Error == nil || s.Error.HTTPStatusCode == 0 {
				return fmt.Errorf("exception %s has no httpStatusCode", name)
			}
			m.errorCodes[name] = s.Error
		}
	}
	return nil
}

// checkShape rejects shape features the generator does not implement.
func (m *apiModel) checkShape(s *shape) error {
	switch s.Type {
	case "string", "integer", "long", "boolean", "double", "timestamp":
	case "list":
		if s.Member == nil || m.Shapes[s.Member.Shape] == nil {
			return fmt.Errorf("list %s: unknown member shape", s.name)
		}
	case "structure":
		for _, mem := range s.Members {
			if m.Shapes[mem.Shape] == nil {
				return fmt.Errorf("%s.%s: unknown shape %q", s.name, mem.Name, mem.Shape)
			}
			if mem.Location != "" && mem.Location != "uri" {
				return fmt.Errorf("%s.%s: location %q not supported", s.name, mem.Name, mem.Location)
			}
		}
		for _, r := range s.Required {
			if _, ok := s.member(r); !ok {
				return fmt.Errorf("%s: required member %s does not exist", s.name, r)
			}
		}
	default:
		return fmt.Errorf("shape %s: type %q not supported", s.name, s.Type)
	}
	if (s.Min != nil || s.Max != nil) && s.Type != "integer" && s.Type != "long" {
		return fmt.Errorf("shape %s: min/max only supported on integers", s.name)
	}
	return nil
}

// member returns the member called name.
func (s *shape) member(name string) (member, bool) {
	for _, m := range s.Members {
		if m.Name == name {
			return m, true
		}
	}
	return member{}, false
}

// isRequired reports whether the member called name is required.
func (s *shape) isRequired(name string) bool {
	for _, r := range s.Required {
		if r == name {
			return true
		}
	}
	return false
}

// markReachable marks the structure name and every structure below it.
func (m *apiModel) markReachable(name string) {
	s := m.Shapes[name]
	switch s.Type {
	case "list":
		m.markReachable(s.Member.Shape)
	case "structure":
		if m.reachable[name] {
			return
		}
		m.reachable[name] = true
		for _, mem := range s.Members {
			m.markReachable(mem.Shape)
		}
	}
}

// uriParams returns the {param} names of the operation's requestUri in order, checking
// each is bound to a uri member of the input.
func (m *apiModel) uriParams(op *operation) ([]string, error) {
	in := m.Shapes[op.Input.Shape]
	var params []string
	rest := op.HTTP.RequestURI
	for {
		i := indexByte(rest, '{')
		if i < 0 {
			break
		}
		j := indexByte(rest[i:], '}')
		if j < 0 {
			return nil, fmt.Errorf("operation %s: bad requestUri %q", op.Name, op.HTTP.RequestURI)
		}
		name := rest[i+1 : i+j]
		if _, ok := uriMember(in, name); !ok {
			return nil, fmt.Errorf("operation %s: no uri member for {%s}", op.Name, name)
		}
		params = append(params, name)
		rest = rest[i+j+1:]
	}
	for _, mem := range in.Members {
		if mem.Location == "uri" && !contains(params, mem.wireName()) {
			return nil, fmt.Errorf("operation %s: uri member %s not in path", op.Name, mem.Name)
		}
	}
	return params, nil
}

// uriMember returns the member of s bound to the uri parameter param.
func uriMember(s *shape, param string) (member, bool) {
	for _, mem := range s.Members {
		if mem.Location == "uri" && mem.wireName() == param {
			return mem, true
		}
	}
	return member{}, false
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
