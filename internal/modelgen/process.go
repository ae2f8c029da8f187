package modelgen

import (
	"context"
	"fmt"

	"github.com/vektah/gqlparser/v2/ast"
)

// generator holds the state of the reference's AppSyncModelVisitor after it
// has visited the schema AST.
type generator struct {
	// ctx ends the work early: the phases check it once per definition or model.
	ctx           context.Context
	models        *modelMap
	nonModels     *modelMap
	enums         []*enumDef
	enumIndex     map[string]int
	queries       []*field
	mutations     []*field
	subscriptions []*field
	inputs        []*inputDef
	inputIndex    map[string]int
	unions        map[string]bool
	interfaces    map[string]bool
}

func newGenerator(ctx context.Context) *generator {
	return &generator{
		ctx:        ctx,
		models:     newModelMap(),
		nonModels:  newModelMap(),
		enumIndex:  map[string]int{},
		inputIndex: map[string]int{},
		unions:     map[string]bool{},
		interfaces: map[string]bool{},
	}
}

// setOperation records an operation field, replacing one of the same name in place.
func setOperation(list []*field, f *field) []*field {
	for i, o := range list {
		if o.name == f.name {
			list[i] = f
			return list
		}
	}
	return append(list, f)
}

// load is the visiting phase (the visitor's ObjectTypeDefinition etc. hooks).
func (g *generator) load(doc *ast.SchemaDocument, snap map[*ast.Definition]defSnapshot, roots rootNames) error {
	for _, def := range doc.Definitions {
		if err := g.ctx.Err(); err != nil {
			return err
		}
		s := snap[def]
		if typesUsedInDirectives[def.Name] {
			continue
		}
		switch def.Kind {
		case ast.Object:
			dirs := convertDirectives(def.Directives[:s.directives])
			fields := make([]*field, 0, s.fields)
			for _, fd := range def.Fields[:s.fields] {
				fields = append(fields, convertField(fd))
			}
			var modelDir *directive
			for _, d := range dirs {
				if d.name == "model" {
					modelDir = d
					break
				}
			}
			switch {
			case modelDir != nil:
				md := &model{name: def.Name, directives: dirs, fields: fields, pos: def.Position}
				if err := ensurePrimaryKeyField(md); err != nil {
					return err
				}
				addTimestampFields(md, modelDir)
				sortFields(md)
				g.models.set(md)
			case roots.query != "" && def.Name == roots.query:
				for _, f := range fields {
					g.queries = setOperation(g.queries, f)
				}
			case roots.mutation != "" && def.Name == roots.mutation:
				for _, f := range fields {
					g.mutations = setOperation(g.mutations, f)
				}
			case roots.subscription != "" && def.Name == roots.subscription:
				for _, f := range fields {
					g.subscriptions = setOperation(g.subscriptions, f)
				}
			default:
				g.nonModels.set(&model{name: def.Name, directives: dirs, fields: fields, pos: def.Position})
			}
		case ast.InputObject:
			in := &inputDef{name: def.Name}
			for _, fd := range def.Fields[:s.fields] {
				in.values = append(in.values, convertInputValue(fd))
			}
			if i, ok := g.inputIndex[def.Name]; ok {
				g.inputs[i] = in
			} else {
				g.inputIndex[def.Name] = len(g.inputs)
				g.inputs = append(g.inputs, in)
			}
		case ast.Enum:
			e := &enumDef{name: def.Name, values: newObject()}
			for _, v := range def.EnumValues[:s.enumValues] {
				e.values.set(constantCase(v.Name), v.Name)
			}
			if i, ok := g.enumIndex[def.Name]; ok {
				g.enums[i] = e
			} else {
				g.enumIndex[def.Name] = len(g.enums)
				g.enums = append(g.enums, e)
			}
		case ast.Union:
			g.unions[def.Name] = true
		case ast.Interface:
			g.interfaces[def.Name] = true
		}
	}
	return nil
}

// ensurePrimaryKeyField is ensurePrimaryKeyFieldV2.
func ensurePrimaryKeyField(md *model) error {
	var withPK *field
	for _, f := range md.fields {
		if f.hasDirective("primaryKey") {
			withPK = f
			break
		}
	}
	if withPK == nil {
		ensureIDField(md)
		pk, err := primaryKeyFieldByName(md, "id")
		if err != nil {
			return err
		}
		pk.pkInfo = &primaryKeyInfo{kind: pkManagedID}
		return nil
	}
	pk, err := primaryKeyFieldByName(md, withPK.name)
	if err != nil {
		return err
	}
	var pkDir *directive
	for _, d := range flattenFieldDirectives(md) {
		if d.name == "primaryKey" {
			pkDir = d
			break
		}
	}
	var sortKeyFields []*field
	names := pkDir.args.get("sortKeyFields")
	if n, ok := jsLength(names); ok && n > 0 {
		arr, isArr := names.([]any)
		if !isArr {
			return errorf(withPK.pos, "@primaryKey on %s.%s: sortKeyFields must be a list of field names", md.name, withPK.name)
		}
		for _, nm := range arr {
			sf := md.fieldByValue(nm)
			if sf == nil {
				return errorf(withPK.pos, "@primaryKey on %s.%s: sort key field %s does not exist on type %s", md.name, withPK.name, jsonCompact(nm), md.name)
			}
			sortKeyFields = append(sortKeyFields, sf)
		}
	}
	kind := pkCustomID
	if pk.name == "id" && len(sortKeyFields) == 0 {
		kind = pkOptionallyManagedID
	}
	pk.pkInfo = &primaryKeyInfo{kind: kind, sortKeyFields: sortKeyFields}
	return nil
}

func primaryKeyFieldByName(md *model, name string) (*field, error) {
	f := md.fieldByName(name)
	if f == nil {
		return nil, errorf(md.pos, "Cannot find primary key field in type %s", md.name)
	}
	if f.isNullable {
		return nil, errorf(f.pos, "The primary key on type '%s' must reference non-null fields.", md.name)
	}
	return f, nil
}

func ensureIDField(md *model) {
	if f := md.fieldByName("id"); f != nil {
		f.isNullable = false
		return
	}
	md.fields = append([]*field{{name: "id", typ: "ID", isNullable: false, isList: false, isListNullable: undefined, isReadOnly: undefined}}, md.fields...)
}

func addTimestampFields(md *model, modelDir *directive) {
	if modelDir.args.has("timestamps") && modelDir.args.get("timestamps") == nil {
		return
	}
	ts := modelDir.args.get("timestamps")
	name := func(key, def string) string {
		v := or(jsGet(ts, key), def)
		if s, ok := v.(string); ok {
			return s
		}
		return jsonCompact(v)
	}
	for _, n := range []string{name("createdAt", "createdAt"), name("updatedAt", "updatedAt")} {
		addFieldToModel(md, &field{name: n, typ: "AWSDateTime", isList: false, isNullable: true, isReadOnly: true, isListNullable: undefined})
	}
}

// sortFields moves the id field first.
func sortFields(md *model) {
	out := make([]*field, 0, len(md.fields))
	for _, f := range md.fields {
		if f.name == "id" {
			out = append([]*field{f}, out...)
		} else {
			out = append(out, f)
		}
	}
	md.fields = out
}

// process is the reference's processDirectives for transformer v2 with
// custom primary keys respected on connection fields.
func (g *generator) process() error {
	for _, md := range g.models.values() {
		if err := g.ctx.Err(); err != nil {
			return err
		}
		processPrimaryKey(md)
		if err := processIndex(md); err != nil {
			return err
		}
	}
	if err := g.processManyToMany(); err != nil {
		return err
	}
	if err := g.processConnections(); err != nil {
		return err
	}
	return g.processAuth()
}

func processPrimaryKey(md *model) {
	for _, d := range md.directives {
		if _, u := d.args.get("name").(undefinedType); u && d.name == "key" {
			return
		}
	}
	for _, f := range md.fields {
		if pd := f.directive("primaryKey"); pd != nil {
			fields := jsConcat([]any{f.name}, nullish(pd.args.get("sortKeyFields"), []any{}))
			md.directives = append(md.directives, &directive{name: "key", args: newObject().set("fields", fields)})
			return
		}
	}
}

func processIndex(md *model) error {
	// The reference collects index directives in an object keyed by field
	// name, so a repeated field name keeps the first position and the last
	// field's directives.
	type entry struct {
		f    *field
		dirs []*directive
	}
	var entries []*entry
	byName := map[string]*entry{}
	for _, f := range md.fields {
		var dirs []*directive
		for _, d := range f.directives {
			if d.name == "index" {
				dirs = append(dirs, d)
			}
		}
		if e, ok := byName[f.name]; ok {
			e.f, e.dirs = f, dirs
			continue
		}
		e := &entry{f, dirs}
		byName[f.name] = e
		entries = append(entries, e)
	}
	var keys []*directive
	for _, e := range entries {
		f := e.f
		for _, d := range e.dirs {
			fields := jsConcat([]any{f.name}, nullish(d.args.get("sortKeyFields"), []any{}))
			name := d.args.get("name")
			if isNullish(name) {
				n, err := defaultIndexName(md.name, fields)
				if err != nil {
					return errorf(f.pos, "@index on %s.%s: %v", md.name, f.name, err)
				}
				name = n
			}
			keys = append(keys, &directive{name: "key", args: newObject().
				set("name", name).
				set("queryField", d.args.get("queryField")).
				set("fields", fields)})
		}
	}
	var existing []any
	for _, d := range md.directives {
		if d.name == "key" && truthy(d.args.get("name")) {
			existing = append(existing, d.args.get("name"))
		}
	}
	for _, k := range keys {
		dup := false
		for _, e := range existing {
			if strictEqual(e, k.args.get("name")) {
				dup = true
				break
			}
		}
		if !dup {
			md.directives = append(md.directives, k)
		}
	}
	return nil
}

func defaultIndexName(modelName string, fields []any) (string, error) {
	s := toLower(plural(modelName)) + "By"
	for i, f := range fields {
		str, ok := f.(string)
		if !ok {
			return "", fmt.Errorf("sortKeyFields must be field names, got %s", jsonCompact(f))
		}
		if i > 0 {
			s += "And"
		}
		s += toUpper(str)
	}
	return s, nil
}

// sortKeyFieldsOf is getSortKeyFields (from the primary key's key directive).
func sortKeyFieldsOf(md *model) []*field {
	for _, d := range md.directives {
		if d.name == "key" && !truthy(d.args.get("name")) {
			arr, _ := d.args.get("fields").([]any)
			var out []*field
			for i, n := range arr {
				if i == 0 {
					continue
				}
				out = append(out, md.fieldByValue(n))
			}
			return out
		}
	}
	return nil
}

type manyToManyCtx struct {
	model *model
	field *field
	dir   *directive
}

func relationNameOf(d *directive, f *field, md *model) (string, error) {
	rn, ok := d.args.get("relationName").(string)
	if !ok {
		return "", errorf(f.pos, "@manyToMany on %s.%s: relationName must be a string", md.name, f.name)
	}
	return graphqlName(toUpper(rn)), nil
}

func (g *generator) processManyToMany() error {
	var order []string
	groups := map[string][]manyToManyCtx{}
	for _, md := range g.models.values() {
		for _, f := range md.fields {
			for _, d := range f.directives {
				if d.name != "manyToMany" {
					continue
				}
				rn, err := relationNameOf(d, f, md)
				if err != nil {
					return err
				}
				if _, ok := groups[rn]; !ok {
					order = append(order, rn)
				}
				groups[rn] = append(groups[rn], manyToManyCtx{md, f, d})
			}
		}
	}
	for _, rn := range order {
		ctxs := groups[rn]
		if len(ctxs) != 2 {
			return errorf(ctxs[0].field.pos, "Error for relation: '%s', there should be two matching manyToMany directives and found: %d", ctxs[0].dir.args.get("relationName"), len(ctxs))
		}
		first, second := ctxs[0].model, ctxs[1].model
		im, err := g.intermediateModel(first, second, rn)
		if err != nil {
			return err
		}
		// Auth rules of both sides, de-duplicated by their JSON text.
		seen := map[string]bool{}
		for _, d := range append(append([]*directive{}, first.directives...), second.directives...) {
			if d.name != "auth" {
				continue
			}
			key := directiveJSON(d)
			if seen[key] {
				continue
			}
			seen[key] = true
			im.directives = append(im.directives, &directive{name: "auth", args: deepCopyJSON(d.args).(*object)})
		}
		processPrimaryKey(im)
		if err := processIndex(im); err != nil {
			return err
		}
		if err := ensurePrimaryKeyField(im); err != nil {
			return err
		}
		addTimestampFields(im, im.directives[0])
		sortFields(im)
		g.models.set(im)
		for _, c := range ctxs {
			for i, d := range c.field.directives {
				if d == c.dir {
					c.field.directives = append(c.field.directives[:i:i], c.field.directives[i+1:]...)
					break
				}
			}
			c.field.typ = rn
			fields := []any{determinePrimaryKeyFieldName(c.model)}
			for _, sf := range sortKeyFieldsOf(c.model) {
				if sf == nil {
					return errorf(c.field.pos, "@manyToMany on %s.%s: unknown sort key field", c.model.name, c.field.name)
				}
				fields = append(fields, sf.name)
			}
			c.field.directives = append(c.field.directives, &directive{name: "hasMany", args: newObject().
				set("indexName", "by"+c.model.name).
				set("fields", fields)})
		}
	}
	return nil
}

// directiveJSON is JSON.stringify of a directive record.
func directiveJSON(d *directive) string {
	o := newObject().set("name", d.name).set("arguments", d.args)
	if d.hasFieldName {
		o.set("fieldName", d.fieldName)
	}
	return jsonCompact(o)
}

func determinePrimaryKeyFieldName(md *model) string {
	name := "id"
	for _, f := range md.fields {
		for _, d := range f.directives {
			if d.name == "primaryKey" {
				name = f.name
			}
		}
	}
	return name
}

func intermediateSortKeyName(md *model, f *field) string {
	return toLower(md.name) + f.name
}

func (g *generator) intermediateModel(first, second *model, name string) (*model, error) {
	side := func(md *model) (string, []*field, error) {
		var pk *field
		for _, f := range md.fields {
			if f.pkInfo != nil {
				pk = f
				break
			}
		}
		if pk == nil {
			return "", nil, errorf(md.pos, "no primary key found for model %s", md.name)
		}
		sks := sortKeyFieldsOf(md)
		for _, sf := range sks {
			if sf == nil {
				return "", nil, errorf(md.pos, "unknown sort key field in the primary key of %s", md.name)
			}
		}
		return toCamelCase(md.name, pk.name), sks, nil
	}
	firstKey, firstSK, err := side(first)
	if err != nil {
		return nil, err
	}
	secondKey, secondSK, err := side(second)
	if err != nil {
		return nil, err
	}
	names := func(md *model, sks []*field) []any {
		out := make([]any, 0, len(sks))
		for _, f := range sks {
			out = append(out, intermediateSortKeyName(md, f))
		}
		return out
	}
	fields := []*field{{typ: "ID", isNullable: false, name: "id", isListNullable: undefined, isReadOnly: undefined}}
	addSide := func(md *model, key string, sks []*field) {
		fields = append(fields, &field{typ: "ID", isNullable: true, name: key, isListNullable: undefined, isReadOnly: undefined,
			directives: []*directive{{name: "index", args: newObject().set("name", "by"+md.name).set("sortKeyFields", names(md, sks))}}})
		for _, f := range sks {
			fields = append(fields, &field{typ: f.typ, isNullable: true, isList: f.isList, name: intermediateSortKeyName(md, f), isListNullable: undefined, isReadOnly: undefined})
		}
	}
	addSide(first, firstKey, firstSK)
	addSide(second, secondKey, secondSK)
	for _, s := range []struct {
		md  *model
		key string
		sks []*field
	}{{first, firstKey, firstSK}, {second, secondKey, secondSK}} {
		fields = append(fields, &field{typ: s.md.name, isNullable: false, name: camelCase(s.md.name), isListNullable: undefined, isReadOnly: undefined,
			directives: []*directive{{name: "belongsTo", args: newObject().set("fields", append([]any{s.key}, names(s.md, s.sks)...))}}})
	}
	return &model{name: name, directives: []*directive{{name: "model", args: newObject()}}, fields: fields, pos: first.pos}, nil
}

func (g *generator) processConnections() error {
	for _, md := range g.models.values() {
		n := len(md.fields)
		for i := 0; i < n; i++ {
			f := md.fields[i]
			ci, err := g.connectionFor(f, md)
			if err != nil {
				return err
			}
			if ci == nil {
				continue
			}
			switch ci.kind {
			case connHasMany:
				for _, af := range ci.associatedWithFields {
					if af == nil {
						return errorf(f.pos, "@hasMany on %s.%s: a referenced field does not exist on %s", md.name, f.name, ci.connectedModel.name)
					}
					addFieldToModel(ci.connectedModel, af)
				}
				if hasManyHasImplicitKey(f, md, ci) {
					names := make([]any, 0, len(ci.associatedWithFields))
					for _, af := range ci.associatedWithFields {
						names = append(names, af.name)
					}
					ci.connectedModel.directives = append(ci.connectedModel.directives, &directive{name: "key", args: newObject().
						set("name", "gsi-"+md.name+"."+f.name).
						set("fields", names)})
				}
			case connHasOne, connBelongsTo:
				pkFields := primaryKeyComponentFields(ci.connectedModel)
				if len(pkFields) > 0 && ci.hasTargetNames {
					for idx, t := range ci.targetNames {
						if idx >= len(pkFields) {
							return errorf(f.pos, "%s.%s: the relationship has %d fields but the primary key of %s has %d", md.name, f.name, len(ci.targetNames), ci.connectedModel.name, len(pkFields))
						}
						addFieldToModel(md, &field{name: t, typ: pkFields[idx].typ, isList: false, isNullable: f.isNullable, isListNullable: undefined, isReadOnly: undefined})
					}
				}
			}
			f.conn = ci
		}
		kept := md.fields[:0:0]
		for _, f := range md.fields {
			if g.models.get(f.typ) != nil && f.conn == nil {
				continue // "has field ... but its not connected": dropped with a warning
			}
			kept = append(kept, f)
		}
		md.fields = kept
	}
	return nil
}

func hasManyHasImplicitKey(f *field, md *model, ci *connectionInfo) bool {
	var ref *field
	for _, cf := range ci.connectedModel.fields {
		if cf.typ == md.name {
			ref = cf
			break
		}
	}
	if ref != nil && ref.hasDirective("belongsTo") {
		return false
	}
	for _, d := range f.directives {
		if d.name == "hasMany" && truthy(d.args.get("indexName")) {
			return false
		}
	}
	return true
}

// stringList converts a directive argument used as a list of field names.
func stringList(v any, what string) ([]string, error) {
	if isNullish(v) {
		return nil, nil
	}
	items, ok := jsSpread(v)
	if !ok {
		return nil, fmt.Errorf("%s must be a list of field names", what)
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		s, ok := it.(string)
		if !ok {
			return nil, fmt.Errorf("%s must be a list of field names, got %s", what, jsonCompact(it))
		}
		out = append(out, s)
	}
	return out, nil
}

func (g *generator) connectionFor(f *field, md *model) (*connectionInfo, error) {
	var d *directive
	for _, x := range f.directives {
		if x.name == "hasOne" || x.name == "hasMany" || x.name == "belongsTo" {
			d = x
			break
		}
	}
	if d == nil {
		return nil, nil
	}
	where := fmt.Sprintf("@%s on %s.%s", d.name, md.name, f.name)
	if d.name == "hasMany" && !f.isList {
		return nil, errorf(f.pos, "%s: A field with hasMany must be a list type", where)
	}
	if d.name == "belongsTo" && f.isList {
		return nil, errorf(f.pos, "%s: A list field does not support the 'belongsTo' relation", where)
	}
	other := g.models.get(f.typ)
	if other == nil {
		return nil, errorf(f.pos, "%s: type %s is not a @model type", where, f.typ)
	}
	refs, err := stringList(or(d.args.get("references"), []any{}), where+": references")
	if err != nil {
		return nil, errorf(f.pos, "%v", err)
	}
	var connFields []string
	switch d.name {
	case "hasOne":
		// connectionFields.length > 0 ? [...connectionFields] : ...
		v := or(d.args.get("fields"), []any{})
		if n, ok := jsLength(v); ok && n > 0 {
			if connFields, err = stringList(v, where+": fields"); err != nil {
				return nil, errorf(f.pos, "%v", err)
			}
		}
	case "belongsTo":
		// [...connectionFields, ...references]
		if connFields, err = stringList(or(d.args.get("fields"), []any{}), where+": fields"); err != nil {
			return nil, errorf(f.pos, "%v", err)
		}
	}
	switch d.name {
	case "hasOne":
		bt := otherSideBelongsToField(md.name, other)
		if f.isList || (bt != nil && bt.isList) {
			return nil, errorf(f.pos, "%s: A hasOne relationship should be 1:1, no lists", where)
		}
		if len(refs) > 0 {
			if _, err := connectedFieldForReferences(f, md, other, d, where); err != nil {
				return nil, err
			}
			assoc := make([]*field, 0, len(refs))
			for _, r := range refs {
				assoc = append(assoc, other.fieldByName(r))
			}
			return &connectionInfo{kind: connHasOne, connectedModel: other, associatedWithFields: assoc}, nil
		}
		assoc := primaryKeyComponentFields(other)
		targets := connFields
		if len(connFields) == 0 {
			for _, c := range primaryKeyComponentFields(other) {
				targets = append(targets, makeConnectionAttributeName(md.name, f.name, c.name))
			}
		}
		if targets == nil {
			targets = []string{}
		}
		return &connectionInfo{kind: connHasOne, connectedModel: other, associatedWithFields: assoc, targetNames: targets, hasTargetNames: true}, nil
	case "belongsTo":
		connected := belongsToConnectedFields(md, other)
		if len(connected) == 0 {
			return nil, errorf(f.pos, "%s: A 'belongsTo' field should match to a corresponding 'hasMany' or 'hasOne' field", where)
		}
		if len(refs) > 0 {
			if _, err := connectedFieldForReferences(f, md, other, d, where); err != nil {
				return nil, err
			}
		}
		otherField := connected[0]
		targets := append(append([]string{}, connFields...), refs...)
		if len(targets) == 0 {
			for _, c := range primaryKeyComponentFields(other) {
				if otherField.isList {
					targets = append(targets, makeConnectionAttributeName(other.name, otherField.name, c.name))
				} else {
					targets = append(targets, makeConnectionAttributeName(md.name, f.name, c.name))
				}
			}
		}
		return &connectionInfo{kind: connBelongsTo, connectedModel: other, targetNames: targets, hasTargetNames: true, isUsingReferences: len(refs) > 0}, nil
	default: // hasMany
		if len(refs) > 0 {
			if _, err := connectedFieldForReferences(f, md, other, d, where); err != nil {
				return nil, err
			}
			assoc := make([]*field, 0, len(refs))
			for _, r := range refs {
				assoc = append(assoc, other.fieldByName(r))
			}
			return &connectionInfo{kind: connHasMany, connectedModel: other, associatedWithFields: assoc}, nil
		}
		assoc, err := connectedFieldsForHasMany(f, md, other, d, where)
		if err != nil {
			return nil, err
		}
		return &connectionInfo{kind: connHasMany, connectedModel: other, associatedWithFields: assoc}, nil
	}
}

// belongsToConnectedFields is getBelongsToConnectedFields.
func belongsToConnectedFields(md, other *model) []*field {
	var out []*field
	for _, d := range flattenFieldDirectives(other) {
		cf := other.fieldByName(d.fieldName)
		if cf == nil {
			continue
		}
		if ((d.name == "hasOne" && !cf.isList) || (d.name == "hasMany" && cf.isList)) && md.name == cf.typ {
			out = append(out, cf)
		}
	}
	return out
}

// connectedFieldForReferences is getConnectedFieldForReferences (validation only).
func connectedFieldForReferences(f *field, md, other *model, d *directive, where string) (*field, error) {
	refs := d.args.get("references")
	if !truthy(refs) {
		return nil, errorf(f.pos, "The %s on model %s does not have references.", f.name, md.name)
	}
	if truthy(d.args.get("fields")) {
		return nil, errorf(f.pos, "%s: 'fields' and 'references' cannot be used together.", where)
	}
	refsJSON := jsonCompact(refs)
	if d.name == "belongsTo" {
		for _, cf := range belongsToConnectedFields(md, other) {
			for _, od := range cf.directives {
				if (od.name == "hasOne" || od.name == "hasMany") && truthy(od.args.get("references")) && jsonCompact(od.args.get("references")) == refsJSON {
					return cf, nil
				}
			}
		}
		return nil, errorf(f.pos, "Error processing @belongsTo directive on %s.%s. @hasOne or @hasMany directive with references %s was not found in connected model %s", md.name, f.name, refsJSON, other.name)
	}
	for _, od := range flattenFieldDirectives(other) {
		if truthy(od.args.get("references")) && jsonCompact(od.args.get("references")) == refsJSON {
			return other.fieldByName(od.fieldName), nil
		}
	}
	return nil, errorf(f.pos, "Error processing @%s directive on %s.%s. @belongsTo directive with references %s was not found in connected model %s", d.name, md.name, f.name, refsJSON, other.name)
}

// connectedFieldsForHasMany is getConnectedFieldsForHasMany.
func connectedFieldsForHasMany(f *field, md, other *model, d *directive, where string) ([]*field, error) {
	indexName := d.args.get("indexName")
	matching := d.args.get("fields")
	if truthy(matching) {
		dirs := flattenFieldDirectives(other)
		var found *directive
		if truthy(indexName) {
			for _, od := range dirs {
				if od.name == "index" && strictEqual(od.args.get("name"), indexName) {
					found = od
					break
				}
			}
			if found == nil {
				return nil, errorf(f.pos, "Error processing @hasMany directive on %s.%s, @index directive with name %v was not found in connected model %s", md.name, f.name, indexName, other.name)
			}
		} else {
			for _, od := range dirs {
				if od.name == "primaryKey" {
					found = od
					break
				}
			}
		}
		name := "id"
		if found != nil {
			name = found.fieldName
		} else if bt := otherSideBelongsToField(md.name, other); bt != nil {
			name = bt.name
		}
		for _, cf := range other.fields {
			if cf.typ != md.name {
				continue
			}
			for _, od := range cf.directives {
				if od.name == "belongsTo" && truthy(od.args.get("fields")) && strictEqual(jsIndex0(od.args.get("fields")), name) {
					return []*field{cf}, nil
				}
			}
		}
		cf := other.fieldByName(name)
		if cf == nil {
			return nil, errorf(f.pos, "%s: Can not find key field %s in %s", where, name, other.name)
		}
		return []*field{cf}, nil
	}
	var out []*field
	for _, c := range primaryKeyComponentFields(md) {
		fk := makeConnectionAttributeName(md.name, f.name, c.name)
		cf := other.fieldByName(fk)
		if cf == nil {
			cf = &field{name: fk, typ: c.typ, isList: false, isNullable: true, isListNullable: undefined, isReadOnly: undefined}
		}
		out = append(out, cf)
	}
	return out, nil
}

var defaultOperations = []string{"create", "update", "delete", "read"}

func (g *generator) processAuth() error {
	for _, md := range g.models.values() {
		dirs, err := processAuthDirectives(md.directives, md.pos, md.name)
		if err != nil {
			return err
		}
		md.directives = dirs
		for _, f := range md.fields {
			dirs, err := processAuthDirectives(f.directives, f.pos, md.name+"."+f.name)
			if err != nil {
				return err
			}
			f.directives = dirs
		}
	}
	return nil
}

// processAuthDirectives moves auth directives last, with their rules
// completed as the reference's processAuthDirective does.
func processAuthDirectives(dirs []*directive, pos *ast.Position, where string) ([]*directive, error) {
	hasAuth := false
	for _, d := range dirs {
		if d.name == "auth" {
			hasAuth = true
			break
		}
	}
	if !hasAuth {
		return dirs, nil
	}
	out := make([]*directive, 0, len(dirs))
	for _, d := range dirs {
		if d.name != "auth" {
			out = append(out, d)
		}
	}
	for _, d := range dirs {
		if d.name != "auth" {
			continue
		}
		rulesV := or(d.args.get("rules"), []any{})
		rules, ok := rulesV.([]any)
		if !ok {
			return nil, errorf(pos, "@auth on %s: rules must be a list of rule objects", where)
		}
		processed := make([]any, 0, len(rules))
		for _, rv := range rules {
			rule, ok := rv.(*object)
			if !ok {
				return nil, errorf(pos, "@auth on %s: each rule must be an object, got %s", where, jsonCompact(rv))
			}
			allow := rule.get("allow")
			if strictEqual(allow, "groups") && truthy(rule.get("groupField")) {
				continue
			}
			ops := or(or(rule.get("operations"), rule.get("mutations")), nil)
			if !truthy(ops) {
				def := make([]any, len(defaultOperations))
				for i, o := range defaultOperations {
					def[i] = o
				}
				ops = def
			}
			identityClaim := or(or(rule.get("identityClaim"), rule.get("identityField")), "username")
			var r *object
			switch {
			case strictEqual(allow, "owner"):
				ownerField := any("owner")
				if truthy(rule.get("ownerField")) {
					ownerField = rule.get("ownerField")
				}
				if strictEqual(identityClaim, "username") {
					identityClaim = "cognito:username"
				}
				r = newObject().set("provider", "userPools").set("ownerField", ownerField).spread(rule).
					set("identityClaim", identityClaim).set("operations", ops)
			case strictEqual(allow, "groups"):
				var groupField any = undefined
				if !truthy(rule.get("groups")) {
					groupField = or(rule.get("groupField"), "groups")
				}
				r = newObject().set("groupClaim", "cognito:groups").set("provider", "userPools").spread(rule).
					set("groupField", groupField).set("operations", ops)
			default:
				r = rule.clone().set("operations", ops)
			}
			processed = append(processed, r)
		}
		out = append(out, &directive{name: d.name, args: d.args.clone().set("rules", processed), fieldName: d.fieldName, hasFieldName: d.hasFieldName})
	}
	return out, nil
}
