package modelgen

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/amplifybackendd/amplifybackendd/internal/schema"
)

// Result is what GenerateBackendAPIModels stores.
type Result struct {
	// Models is the DataStore schema.js text (`export const schema = {...};`),
	// byte for byte what the reference generator's "metadata" target emits.
	Models string
	// Introspection is the model introspection schema as compact JSON
	// (JSON.stringify without spaces), keys in the reference's order.
	Introspection string
}

// Generate turns an Amplify GraphQL schema (transformer v2 directives) into
// DataStore models. A schema that does not parse or validate, or that the
// reference generator would reject, gives an error saying what is wrong and,
// where known, at which line:column.
func Generate(schema string) (*Result, error) {
	return GenerateContext(context.Background(), schema)
}

// GenerateContext is Generate that stops early, with ctx's error, once ctx is done: it checks
// ctx between its phases and once per definition or model within them.
func GenerateContext(ctx context.Context, schema string) (*Result, error) {
	user, err := parser.ParseSchema(&ast.Source{Name: "schema.graphql", Input: schema})
	if err != nil {
		return nil, wrapGQLError(err)
	}
	snap := snapshotDefinitions(user)
	roots, err := validateSchema(user)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	g := newGenerator(ctx)
	if err := g.load(user, snap, roots); err != nil {
		return nil, err
	}
	if err := g.process(); err != nil {
		return nil, err
	}
	intro, err := g.introspection()
	if err != nil {
		return nil, err
	}
	meta, err := g.metadata()
	if err != nil {
		return nil, err
	}
	return &Result{Models: meta, Introspection: intro}, nil
}

func wrapGQLError(err error) error {
	var gqlErr *gqlerror.Error
	if errors.As(err, &gqlErr) {
		msg := gqlErr.Message
		if len(gqlErr.Locations) > 0 {
			return fmt.Errorf("invalid schema: %d:%d: %s", gqlErr.Locations[0].Line, gqlErr.Locations[0].Column, msg)
		}
		return fmt.Errorf("invalid schema: %s", msg)
	}
	return fmt.Errorf("invalid schema: %w", err)
}

// defSnapshot records the parts of a definition as written, before the
// validator merges type extensions into it (the reference ignores extensions).
type defSnapshot struct {
	fields, directives, enumValues, types int
}

func snapshotDefinitions(doc *ast.SchemaDocument) map[*ast.Definition]defSnapshot {
	snap := make(map[*ast.Definition]defSnapshot, len(doc.Definitions))
	for _, d := range doc.Definitions {
		snap[d] = defSnapshot{len(d.Fields), len(d.Directives), len(d.EnumValues), len(d.Types)}
	}
	return snap
}

// validateSchema validates the user schema together with the Amplify
// directive definitions and AWS scalars, as reference.js's buildSchema does.
func validateSchema(user *ast.SchemaDocument) (rootNames, error) {
	var roots rootNames
	prelude, err := parser.ParseSchema(validator.Prelude)
	if err != nil {
		return roots, err
	}
	// graphql-js 15 (the reference's) has neither @defer nor @oneOf.
	dirs := prelude.Directives[:0]
	for _, d := range prelude.Directives {
		if d.Name != "defer" && d.Name != "oneOf" {
			dirs = append(dirs, d)
		}
	}
	prelude.Directives = dirs
	amplify, err := parser.ParseSchema(&ast.Source{Name: "amplify-directives.graphql", Input: schema.Definitions, BuiltIn: true})
	if err != nil {
		return roots, err
	}
	// graphql-js rejects extensions of undefined types; gqlparser creates them.
	defined := map[string]bool{}
	for _, d := range [][]*ast.Definition{prelude.Definitions, amplify.Definitions, user.Definitions} {
		for _, def := range d {
			defined[def.Name] = true
		}
	}
	for _, ext := range user.Extensions {
		if !defined[ext.Name] {
			return roots, wrapGQLError(gqlerror.ErrorPosf(ext.Position, "Cannot extend type %q because it is not defined.", ext.Name))
		}
	}
	if err := relaxForGraphQLJS(user, prelude, amplify, defined); err != nil {
		return roots, err
	}
	doc := &ast.SchemaDocument{}
	doc.Merge(prelude)
	doc.Merge(amplify)
	doc.Merge(user)
	schema, err := validator.ValidateSchemaDocument(doc)
	if err != nil {
		return roots, wrapGQLError(err)
	}
	if schema.Query != nil {
		roots.query = schema.Query.Name
	}
	if schema.Mutation != nil {
		roots.mutation = schema.Mutation.Name
	}
	if schema.Subscription != nil {
		roots.subscription = schema.Subscription.Name
	}
	return roots, nil
}

// placeholderName names the stand-in member given to empty types during
// validation only (graphql-js's buildSchema accepts empty types, gqlparser
// does not). It is never read back: generation uses the snapshot lengths.
const placeholderName = "_modelgenPlaceholder"

// relaxForGraphQLJS adjusts the user document so that gqlparser's stricter
// schema validation accepts what the reference's buildSchema (graphql-js 15
// without validateSchema) accepts, and adds the one SDL rule gqlparser does
// not apply to type definitions: UniqueDirectivesPerLocation.
func relaxForGraphQLJS(user, prelude, amplify *ast.SchemaDocument, defined map[string]bool) error {
	repeatable := map[string]bool{}
	for _, d := range append(append(ast.DirectiveDefinitionList{}, prelude.Directives...), amplify.Directives...) {
		repeatable[d.Name] = d.IsRepeatable
	}
	for _, d := range user.Directives {
		repeatable[d.Name] = d.IsRepeatable
	}
	defs := append(append(ast.DefinitionList{}, user.Definitions...), user.Extensions...)
	for _, def := range defs {
		seen := map[string]bool{}
		for _, d := range def.Directives {
			if seen[d.Name] && !repeatable[d.Name] {
				return wrapGQLError(gqlerror.ErrorPosf(d.Position, "The directive \"@%s\" can only be used once at this location.", d.Name))
			}
			seen[d.Name] = true
		}
		// graphql-js does not check that implementations match their interfaces.
		for _, intf := range def.Interfaces {
			if !defined[intf] {
				return wrapGQLError(gqlerror.ErrorPosf(def.Position, "Unknown type %q.", intf))
			}
		}
		def.Interfaces = nil
	}
	for _, def := range user.Definitions {
		switch def.Kind {
		case ast.Object, ast.Interface, ast.InputObject:
			if len(def.Fields) == 0 {
				def.Fields = append(def.Fields, &ast.FieldDefinition{Name: placeholderName, Type: ast.NamedType("String", nil), Position: def.Position})
			}
		case ast.Enum:
			if len(def.EnumValues) == 0 {
				def.EnumValues = append(def.EnumValues, &ast.EnumValueDefinition{Name: placeholderName, Position: def.Position})
			}
		}
	}
	return nil
}

// rootNames are the names of the schema's root operation types.
type rootNames struct {
	query, mutation, subscription string
}

// typesUsedInDirectives lists the enum and input types the directive
// definitions declare; the reference skips user types of those names.
var typesUsedInDirectives = func() map[string]bool {
	doc, err := parser.ParseSchema(&ast.Source{Input: schema.Definitions})
	if err != nil {
		panic(err)
	}
	m := map[string]bool{"AMPLIFY": true}
	for _, d := range doc.Definitions {
		if d.Kind == ast.Enum || d.Kind == ast.InputObject {
			m[d.Name] = true
		}
	}
	return m
}()

// astValue is graphql-js valueFromASTUntyped.
func astValue(v *ast.Value) any {
	if v == nil {
		return undefined
	}
	switch v.Kind {
	case ast.NullValue:
		return nil
	case ast.IntValue, ast.FloatValue:
		f, err := strconv.ParseFloat(v.Raw, 64)
		if err != nil {
			var ne *strconv.NumError
			if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
				return f // ±Inf or 0, as JS parses it
			}
			return math.NaN()
		}
		return f
	case ast.StringValue, ast.BlockValue, ast.EnumValue:
		return v.Raw
	case ast.BooleanValue:
		return v.Raw == "true"
	case ast.ListValue:
		out := make([]any, 0, len(v.Children))
		for _, c := range v.Children {
			out = append(out, astValue(c.Value))
		}
		return out
	case ast.ObjectValue:
		o := newObject()
		for _, c := range v.Children {
			o.set(c.Name, astValue(c.Value))
		}
		return o
	}
	return undefined
}

// convertDirectives is the reference's getDirectives.
func convertDirectives(list ast.DirectiveList) []*directive {
	out := make([]*directive, 0, len(list))
	for _, d := range list {
		args := newObject()
		for _, a := range d.Arguments {
			args.set(a.Name, astValue(a.Value))
			if d.Name == "hasOne" || d.Name == "belongsTo" || d.Name == "hasMany" {
				if r := args.get("references"); truthy(r) {
					if _, isArr := r.([]any); !isArr {
						args.set("references", []any{r})
					}
				}
			}
		}
		out = append(out, &directive{name: d.Name, args: args})
	}
	return out
}

// setTypeInfo is the reference's getTypeInfo.
func setTypeInfo(f *field, t *ast.Type) {
	if t.Elem == nil {
		f.typ = t.NamedType
		f.isNullable = !t.NonNull
		f.isList = false
		f.isListNullable = undefined
		return
	}
	setTypeInfo(f, t.Elem)
	f.isList = true
	f.isListNullable = !t.NonNull
}

func convertField(fd *ast.FieldDefinition) *field {
	f := &field{name: fd.Name, directives: convertDirectives(fd.Directives), pos: fd.Position, isReadOnly: undefined}
	setTypeInfo(f, fd.Type)
	for _, a := range fd.Arguments {
		p := &field{name: a.Name, directives: convertDirectives(a.Directives), pos: a.Position, isReadOnly: undefined}
		setTypeInfo(p, a.Type)
		f.params = append(f.params, p)
	}
	return f
}

func convertInputValue(fd *ast.FieldDefinition) *field {
	f := &field{name: fd.Name, directives: convertDirectives(fd.Directives), pos: fd.Position, isReadOnly: undefined}
	setTypeInfo(f, fd.Type)
	return f
}
