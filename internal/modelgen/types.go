package modelgen

import (
	"fmt"

	"github.com/vektah/gqlparser/v2/ast"
)

// directive is the reference's {name, arguments} directive record. fieldName
// is set (as the reference's flattenFieldDirectives does, by mutation) once the
// directive's model has been flattened; it then shows up in the version hash.
type directive struct {
	name         string
	args         *object
	fieldName    string
	hasFieldName bool
}

// field is the reference's CodeGenField (also used for operation arguments
// and input values).
type field struct {
	name           string
	directives     []*directive
	typ            string
	isNullable     bool
	isList         bool
	isListNullable any // undefined or bool
	isReadOnly     any // undefined or bool
	params         []*field
	pkInfo         *primaryKeyInfo
	conn           *connectionInfo
	pos            *ast.Position
}

const (
	pkManagedID           = "ManagedId"
	pkOptionallyManagedID = "OptionallyManagedId"
	pkCustomID            = "CustomId"
)

type primaryKeyInfo struct {
	kind          string
	sortKeyFields []*field
}

const (
	connHasOne    = "HAS_ONE"
	connHasMany   = "HAS_MANY"
	connBelongsTo = "BELONGS_TO"
)

// connectionInfo is the reference's CodeGenFieldConnection.
type connectionInfo struct {
	kind                 string
	connectedModel       *model
	associatedWithFields []*field // HAS_MANY / HAS_ONE; entries may be nil
	targetNames          []string // HAS_ONE / BELONGS_TO
	hasTargetNames       bool
	isUsingReferences    bool
}

// model is the reference's CodeGenModel (models and non-model types).
type model struct {
	name       string
	directives []*directive
	fields     []*field
	pos        *ast.Position
}

type enumDef struct {
	name   string
	values *object // constantCase(value) -> value
}

type inputDef struct {
	name   string
	values []*field
}

// modelMap is an insertion-ordered name -> model map with JS object semantics.
type modelMap struct {
	list  []*model
	index map[string]int
}

func newModelMap() *modelMap { return &modelMap{index: map[string]int{}} }

func (m *modelMap) set(md *model) {
	if i, ok := m.index[md.name]; ok {
		m.list[i] = md
		return
	}
	m.index[md.name] = len(m.list)
	m.list = append(m.list, md)
}

func (m *modelMap) get(name string) *model {
	if i, ok := m.index[name]; ok {
		return m.list[i]
	}
	return nil
}

func (m *modelMap) values() []*model { return append([]*model(nil), m.list...) }

// genError is an error the reference would raise while generating.
type genError struct {
	pos *ast.Position
	msg string
}

func (e *genError) Error() string {
	if e.pos != nil && e.pos.Line > 0 {
		return fmt.Sprintf("%d:%d: %s", e.pos.Line, e.pos.Column, e.msg)
	}
	return e.msg
}

func errorf(pos *ast.Position, format string, args ...any) error {
	return &genError{pos: pos, msg: fmt.Sprintf(format, args...)}
}

func (md *model) fieldByName(name string) *field {
	for _, f := range md.fields {
		if f.name == name {
			return f
		}
	}
	return nil
}

// fieldByValue finds the field whose name === v.
func (md *model) fieldByValue(v any) *field {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	return md.fieldByName(s)
}

func (f *field) directive(name string) *directive {
	for _, d := range f.directives {
		if d.name == name {
			return d
		}
	}
	return nil
}

func (f *field) hasDirective(name string) bool { return f.directive(name) != nil }

// addFieldToModel appends f unless a field with its name exists.
func addFieldToModel(md *model, f *field) {
	if md.fieldByName(f.name) == nil {
		md.fields = append(md.fields, f)
	}
}

// flattenFieldDirectives returns all field directives of md, marking each
// with its field name as the reference does.
func flattenFieldDirectives(md *model) []*directive {
	var out []*directive
	for _, f := range md.fields {
		for _, d := range f.directives {
			d.fieldName = f.name
			d.hasFieldName = true
			out = append(out, d)
		}
	}
	return out
}

// primaryKeyComponentFields is getModelPrimaryKeyComponentFields.
func primaryKeyComponentFields(md *model) []*field {
	for _, f := range md.fields {
		if f.pkInfo != nil {
			return append([]*field{f}, f.pkInfo.sortKeyFields...)
		}
	}
	return nil
}

// otherSideBelongsToField is getOtherSideBelongsToField.
func otherSideBelongsToField(typ string, other *model) *field {
	for _, f := range other.fields {
		if f.typ == typ && f.hasDirective("belongsTo") {
			return f
		}
	}
	return nil
}

// makeConnectionAttributeName is the reference's helper of that name.
func makeConnectionAttributeName(typ, fieldName, component string) string {
	if fieldName != "" {
		return toCamelCase(typ, fieldName, component)
	}
	return toCamelCase(typ, component)
}
