// Package schema validates the annotated GraphQL schemas (TransformSchema) of Amplify GraphQL
// APIs as the Amplify tool chain does before it transforms them: the schema must parse and
// validate against the GraphQL specification together with the Amplify transformer v2
// directives and the AWS AppSync scalars, and every directive argument and default value must
// have its declared type.
package schema

import (
	_ "embed"
	"errors"
	"fmt"
	"strconv"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

// Definitions is the SDL of the Amplify GraphQL transformer v2 directives and the AppSync
// scalars that every Amplify schema may use; see directives.graphql for its source. The
// model generator parses schemas against the same text.
//
//go:embed directives.graphql
var Definitions string

// FileName is the name schema errors give the checked schema.
const FileName = "schema.graphql"

const definitionsName = "amplify-directives.graphql"

// internalFailure begins the message of a schema that made the validator fail.
const internalFailure = "The schema could not be validated"

// Error is a problem found in a schema, at a line and column (1-based; 0 when unknown) of File.
type Error struct {
	File    string
	Line    int
	Column  int
	Message string
}

// Error returns the problem as "schema.graphql:3:15: Undefined type Strin.".
func (e *Error) Error() string {
	if e.Line <= 0 {
		return e.File + ": " + e.Message
	}
	return e.File + ":" + strconv.Itoa(e.Line) + ":" + strconv.Itoa(e.Column) + ": " + e.Message
}

// Check parses and validates an Amplify GraphQL TransformSchema. It returns nil or an *Error
// naming the first problem with its line and column.
func Check(schema string) (err error) {
	defer func() {
		// gqlparser is not expected to panic, but a schema comes from a client: a bug there
		// must fail this schema, not the process that checks it.
		if p := recover(); p != nil {
			err = &Error{File: FileName, Message: fmt.Sprintf("%s: %v", internalFailure, p)}
		}
	}()
	doc, perr := parser.ParseSchemas(
		validator.Prelude,
		&ast.Source{Name: definitionsName, Input: Definitions, BuiltIn: true},
		&ast.Source{Name: FileName, Input: schema},
	)
	if perr != nil {
		return convert(perr)
	}
	if e := checkWork(doc); e != nil {
		return convert(e)
	}
	if e := checkRepeated(doc); e != nil {
		return convert(e)
	}
	s, verr := validator.ValidateSchemaDocument(doc)
	if verr != nil {
		return convert(verr)
	}
	if e := (&valueChecker{schema: s}).check(doc); e != nil {
		return convert(e)
	}
	return nil
}

// convert turns a gqlparser error into an *Error.
func convert(err error) error {
	var ge *gqlerror.Error
	if !errors.As(err, &ge) {
		return &Error{File: FileName, Message: err.Error()}
	}
	e := &Error{File: FileName, Message: ge.Message}
	if f, ok := ge.Extensions["file"].(string); ok && f != "" {
		e.File = f
	}
	if len(ge.Locations) > 0 && ge.Locations[0].Line > 0 {
		e.Line, e.Column = ge.Locations[0].Line, ge.Locations[0].Column
	}
	return e
}

// MaxWork bounds the work of validating a schema, counted in the pairs of list entries that
// gqlparser compares: it finds duplicates in the lists of a schema (the fields of a type, the
// values of an enum, the members of a union, the arguments of a field or directive) and checks
// interface implementations by comparing every pair, so a schema within the body limit could
// otherwise cost hours to check. Real schemas use a tiny fraction of it; a single list of
// 20,000 entries fits, and the largest schemas it admits take about a second to check.
const MaxWork = 200_000_000

// checkWork estimates the comparisons gqlparser will make and refuses a schema over MaxWork,
// before gqlparser starts.
func checkWork(doc *ast.SchemaDocument) *gqlerror.Error {
	type typeInfo struct {
		pos                     *ast.Position
		fields, values, members int
		interfaces              []string
		fieldTypes              []string // named types of the fields, lists unwrapped
	}
	types := map[string]*typeInfo{}
	var order []string
	work := 0
	// The largest single contribution names the culprit in the error.
	largest, largestWhat := 0, ""
	var largestPos *ast.Position
	add := func(n int, what func() string, pos *ast.Position) {
		work += n
		if n > largest {
			largest, largestWhat, largestPos = n, what(), pos
		}
	}
	note := func(n int, what string, pos *ast.Position) {
		add(n*n/2, func() string { return fmt.Sprintf("%s, with %d entries", what, n) }, pos)
	}
	for _, list := range []ast.DefinitionList{doc.Definitions, doc.Extensions} {
		for _, def := range list {
			ti := types[def.Name]
			if ti == nil {
				ti = &typeInfo{pos: def.Position}
				types[def.Name] = ti
				order = append(order, def.Name)
			}
			ti.fields += len(def.Fields)
			ti.values += len(def.EnumValues)
			ti.members += len(def.Types)
			ti.interfaces = append(ti.interfaces, def.Interfaces...)
			for _, f := range def.Fields {
				if len(f.Arguments) > 1 {
					note(len(f.Arguments), "the argument list of field "+strconv.Quote(def.Name+"."+f.Name), f.Position)
				}
				if f.Type != nil {
					ti.fieldTypes = append(ti.fieldTypes, f.Type.Name())
				}
			}
		}
	}
	for _, list := range []ast.DirectiveDefinitionList{doc.Directives, doc.DirectiveExtensions} {
		for _, dd := range list {
			note(len(dd.Arguments), "the argument list of directive "+strconv.Quote("@"+dd.Name), dd.Position)
		}
	}
	// implementers approximates gqlparser's PossibleTypes, which it scans when it compares the
	// field types of an implementation with those of the interface.
	implementers := map[string]int{}
	for _, name := range order {
		ti := types[name]
		q := strconv.Quote(name)
		note(ti.fields, "the field list of type "+q, ti.pos)
		note(ti.values, "the value list of enum "+q, ti.pos)
		note(ti.members, "the member list of union "+q, ti.pos)
		note(len(ti.interfaces), "the interface list of type "+q, ti.pos)
		for _, i := range ti.interfaces {
			implementers[i]++
		}
	}
	// covariance is, per interface, the work of comparing one implementation's field types.
	covariance := map[string]int{}
	for _, name := range order {
		ti := types[name]
		for _, i := range ti.interfaces {
			intf := types[i]
			if intf == nil {
				continue
			}
			c, ok := covariance[i]
			if !ok {
				for _, ft := range intf.fieldTypes {
					c += implementers[ft]
				}
				covariance[i] = c
			}
			add(ti.fields*intf.fields+len(ti.interfaces)*len(intf.interfaces)+c, func() string {
				return fmt.Sprintf("the implementation of interface %s (%d fields) by type %s (%d fields)",
					strconv.Quote(i), intf.fields, strconv.Quote(name), ti.fields)
			}, ti.pos)
		}
		if work > MaxWork {
			break
		}
	}
	if work > MaxWork {
		return gqlerror.ErrorPosf(largestPos,
			"The schema is too large to validate: checking its lists (fields, enum values, union members, arguments, interfaces) would take more than %d comparisons; the largest part is %s.",
			MaxWork, largestWhat)
	}
	return nil
}

// checkRepeated rejects a non-repeatable directive used twice on one type definition or
// extension. gqlparser checks fields, arguments and enum values, but not types: it merges a
// type's directives across its extensions (each a location of its own) before it validates.
func checkRepeated(doc *ast.SchemaDocument) *gqlerror.Error {
	repeatable := map[string]bool{}
	for _, list := range []ast.DirectiveDefinitionList{doc.Directives, doc.DirectiveExtensions} {
		for _, dd := range list {
			repeatable[dd.Name] = repeatable[dd.Name] || dd.IsRepeatable
		}
	}
	for _, list := range []ast.DefinitionList{doc.Definitions, doc.Extensions} {
		for _, def := range list {
			seen := make(map[string]bool, len(def.Directives))
			for _, d := range def.Directives {
				if r, defined := repeatable[d.Name]; seen[d.Name] && defined && !r {
					return gqlerror.ErrorPosf(d.Position, "The directive %s can only be used once at this location.", d.Name)
				}
				seen[d.Name] = true
			}
		}
	}
	return nil
}

// valueChecker checks what gqlparser leaves to the transformer: that the arguments given to
// directives and the default values of arguments and input fields have their declared types
// (graphql-js's ValuesOfCorrectTypeRule, which the Amplify transformer applies).
type valueChecker struct {
	schema *ast.Schema
	// inputFields caches the fields of input types by name, so that checking an object value
	// costs time linear in its size.
	inputFields map[*ast.Definition]map[string]*ast.FieldDefinition
}

// check visits the definitions in document order, so the first problem reported is the first
// in the source.
func (vc *valueChecker) check(doc *ast.SchemaDocument) *gqlerror.Error {
	for _, list := range []ast.SchemaDefinitionList{doc.Schema, doc.SchemaExtension} {
		for _, sd := range list {
			if err := vc.checkDirectives(sd.Directives); err != nil {
				return err
			}
		}
	}
	for _, list := range []ast.DirectiveDefinitionList{doc.Directives, doc.DirectiveExtensions} {
		for _, dd := range list {
			if err := vc.checkArguments(dd.Arguments); err != nil {
				return err
			}
		}
	}
	for _, list := range []ast.DefinitionList{doc.Definitions, doc.Extensions} {
		for _, def := range list {
			if err := vc.checkDefinition(def); err != nil {
				return err
			}
		}
	}
	return nil
}

func (vc *valueChecker) checkDefinition(def *ast.Definition) *gqlerror.Error {
	if err := vc.checkDirectives(def.Directives); err != nil {
		return err
	}
	for _, f := range def.Fields {
		if err := vc.checkDirectives(f.Directives); err != nil {
			return err
		}
		if err := vc.checkArguments(f.Arguments); err != nil {
			return err
		}
		if f.DefaultValue != nil && f.Type != nil {
			if err := vc.checkValue(f.DefaultValue, f.Type); err != nil {
				return err
			}
		}
	}
	for _, ev := range def.EnumValues {
		if err := vc.checkDirectives(ev.Directives); err != nil {
			return err
		}
	}
	return nil
}

func (vc *valueChecker) checkArguments(args ast.ArgumentDefinitionList) *gqlerror.Error {
	for _, a := range args {
		if err := vc.checkDirectives(a.Directives); err != nil {
			return err
		}
		if a.DefaultValue != nil && a.Type != nil {
			if err := vc.checkValue(a.DefaultValue, a.Type); err != nil {
				return err
			}
		}
	}
	return nil
}

func (vc *valueChecker) checkDirectives(dirs ast.DirectiveList) *gqlerror.Error {
	for _, d := range dirs {
		def := d.Definition
		if def == nil {
			def = vc.schema.Directives[d.Name]
		}
		if def == nil {
			continue // gqlparser reports undefined directives
		}
		for _, arg := range d.Arguments {
			ad := def.Arguments.ForName(arg.Name)
			if ad == nil || ad.Type == nil {
				continue
			}
			if err := vc.checkValue(arg.Value, ad.Type); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkValue checks a constant value against an input type, with GraphQL's input coercion
// (a single value where a list is expected is a list of one). The parser bounds the nesting
// of values and types, so the recursion is bounded too.
func (vc *valueChecker) checkValue(v *ast.Value, t *ast.Type) *gqlerror.Error {
	if v == nil || t == nil {
		return nil
	}
	if v.Kind == ast.NullValue {
		if t.NonNull {
			return gqlerror.ErrorPosf(v.Position, "Expected value of type %s, found null.", strconv.Quote(t.String()))
		}
		return nil
	}
	if v.Kind == ast.Variable {
		return gqlerror.ErrorPosf(v.Position, "Variable %s is not allowed in a schema.", strconv.Quote("$"+v.Raw))
	}
	if t.Elem != nil {
		if v.Kind != ast.ListValue {
			return vc.checkValue(v, t.Elem)
		}
		for _, c := range v.Children {
			if err := vc.checkValue(c.Value, t.Elem); err != nil {
				return err
			}
		}
		return nil
	}
	def := vc.schema.Types[t.NamedType]
	if def == nil {
		return nil // gqlparser reports undefined types
	}
	switch def.Kind {
	case ast.Scalar:
		return checkScalar(v, def.Name)
	case ast.Enum:
		if v.Kind != ast.EnumValue {
			return gqlerror.ErrorPosf(v.Position, "Enum %s cannot represent non-enum value: %s.", strconv.Quote(def.Name), v.String())
		}
		if def.EnumValues.ForName(v.Raw) == nil {
			return gqlerror.ErrorPosf(v.Position, "Value %s does not exist in %s enum.", strconv.Quote(v.Raw), strconv.Quote(def.Name))
		}
		return nil
	case ast.InputObject:
		if v.Kind != ast.ObjectValue {
			return gqlerror.ErrorPosf(v.Position, "Expected value of type %s, found %s.", strconv.Quote(t.String()), v.String())
		}
		fields := vc.fieldsOf(def)
		given := make(map[string]bool, len(v.Children))
		for _, c := range v.Children {
			given[c.Name] = true
			f := fields[c.Name]
			if f == nil {
				return gqlerror.ErrorPosf(c.Position, "Field %s is not defined by type %s.", strconv.Quote(c.Name), strconv.Quote(def.Name))
			}
			if err := vc.checkValue(c.Value, f.Type); err != nil {
				return err
			}
		}
		for _, f := range def.Fields {
			if f.Type != nil && f.Type.NonNull && f.DefaultValue == nil && !given[f.Name] {
				return gqlerror.ErrorPosf(v.Position, "Field %s of required type %s was not provided.",
					strconv.Quote(def.Name+"."+f.Name), strconv.Quote(f.Type.String()))
			}
		}
		return nil
	default:
		return gqlerror.ErrorPosf(v.Position, "Type %s is not an input type.", strconv.Quote(def.Name))
	}
}

func (vc *valueChecker) fieldsOf(def *ast.Definition) map[string]*ast.FieldDefinition {
	if m, ok := vc.inputFields[def]; ok {
		return m
	}
	if vc.inputFields == nil {
		vc.inputFields = map[*ast.Definition]map[string]*ast.FieldDefinition{}
	}
	m := make(map[string]*ast.FieldDefinition, len(def.Fields))
	for _, f := range def.Fields {
		if _, dup := m[f.Name]; !dup {
			m[f.Name] = f
		}
	}
	vc.inputFields[def] = m
	return m
}

// checkScalar checks a value of a scalar type. The built-in scalars take the literals the
// GraphQL specification allows; custom scalars (the AppSync ones among them) take any literal.
func checkScalar(v *ast.Value, name string) *gqlerror.Error {
	ok := true
	switch name {
	case "Int":
		ok = v.Kind == ast.IntValue
		if ok {
			if _, err := strconv.ParseInt(v.Raw, 10, 32); err != nil {
				return gqlerror.ErrorPosf(v.Position, "Int cannot represent non 32-bit signed integer value: %s", v.Raw)
			}
		}
	case "Float":
		ok = v.Kind == ast.IntValue || v.Kind == ast.FloatValue
	case "String":
		ok = v.Kind == ast.StringValue || v.Kind == ast.BlockValue
	case "Boolean":
		ok = v.Kind == ast.BooleanValue
	case "ID":
		ok = v.Kind == ast.StringValue || v.Kind == ast.BlockValue || v.Kind == ast.IntValue
	}
	if !ok {
		return gqlerror.ErrorPosf(v.Position, "%s cannot represent value: %s", name, v.String())
	}
	return nil
}
