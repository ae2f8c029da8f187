package modelgen

import (
	"crypto/md5"
	"encoding/hex"
	"sort"
	"strings"
)

// codegenVersion is the constant the reference writes into schema.js.
const codegenVersion = "3.4.4"

var metadataScalars = map[string]bool{
	"ID": true, "Boolean": true, "String": true, "AWSDate": true, "AWSTime": true, "AWSDateTime": true,
	"AWSEmail": true, "AWSJSON": true, "AWSURL": true, "AWSPhone": true, "AWSIPAddress": true,
	"Int": true, "Float": true, "AWSTimestamp": true,
}

// typeRef is the metadata visitor's getType; introspection also knows
// inputs, unions and interfaces.
func (g *generator) typeRef(typ string, introspection bool) (any, error) {
	if metadataScalars[typ] {
		return typ, nil
	}
	if i, ok := g.enumIndex[typ]; ok {
		return newObject().set("enum", g.enums[i].name), nil
	}
	if g.nonModels.get(typ) != nil {
		return newObject().set("nonModel", typ), nil
	}
	if g.models.get(typ) != nil {
		return newObject().set("model", typ), nil
	}
	if introspection {
		if _, ok := g.inputIndex[typ]; ok {
			return newObject().set("input", typ), nil
		}
		if g.unions[typ] {
			return newObject().set("union", typ), nil
		}
		if g.interfaces[typ] {
			return newObject().set("interface", typ), nil
		}
		return nil, errorf(nil, "Unknown type %s found during model introspection schema generation", typ)
	}
	return nil, errorf(nil, "Unknown type %s", typ)
}

func isUnionOrInterface(t any) bool {
	o, ok := t.(*object)
	if !ok {
		return false
	}
	_, u := o.get("union").(string)
	_, i := o.get("interface").(string)
	return u || i
}

func fieldNames(fs []*field) []any {
	out := make([]any, len(fs))
	for i, f := range fs {
		out[i] = f.name
	}
	return out
}

func stringsToAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func (g *generator) fieldsMetadata(md *model, introspection bool) (*object, error) {
	fields := newObjectCap(len(md.fields))
	for _, f := range md.fields {
		t, err := g.typeRef(f.typ, introspection)
		if err != nil {
			return nil, errorf(f.pos, "field %s.%s: %s", md.name, f.name, err.(*genError).msg)
		}
		if introspection && isUnionOrInterface(t) {
			continue
		}
		meta := newObjectCap(8).
			set("name", f.name).
			set("isArray", f.isList).
			set("type", t).
			set("isRequired", !f.isNullable).
			set("attributes", []any{})
		if _, u := f.isListNullable.(undefinedType); !u {
			meta.set("isArrayNullable", f.isListNullable)
		}
		if _, u := f.isReadOnly.(undefinedType); !u {
			meta.set("isReadOnly", f.isReadOnly)
		}
		if ci := f.conn; ci != nil {
			assoc := newObject().set("connectionType", ci.kind)
			switch ci.kind {
			case connHasMany:
				assoc.set("associatedWith", fieldNames(ci.associatedWithFields))
			case connHasOne:
				for _, af := range ci.associatedWithFields {
					if af == nil {
						return nil, errorf(f.pos, "@hasOne on %s.%s: a referenced field does not exist on %s", md.name, f.name, ci.connectedModel.name)
					}
				}
				assoc.set("associatedWith", fieldNames(ci.associatedWithFields))
				if ci.hasTargetNames {
					assoc.set("targetNames", stringsToAny(ci.targetNames))
				} else if introspection {
					assoc.set("targetNames", []any{})
				} else {
					assoc.set("targetNames", undefined)
				}
			default:
				assoc.set("targetNames", stringsToAny(ci.targetNames))
			}
			meta.set("association", assoc)
		}
		fields.set(f.name, meta)
	}
	return fields, nil
}

func modelAttributes(md *model) []any {
	out := make([]any, len(md.directives))
	for i, d := range md.directives {
		out[i] = newObject().set("type", d.name).set("properties", d.args)
	}
	return out
}

func (g *generator) modelMetadata(md *model, introspection bool) (*object, error) {
	fields, err := g.fieldsMetadata(md, introspection)
	if err != nil {
		return nil, err
	}
	o := newObjectCap(6).set("name", md.name).set("fields", fields).
		set("syncable", true).
		set("pluralName", plural(md.name)).
		set("attributes", modelAttributes(md))
	if introspection {
		var pk *field
		for _, f := range md.fields {
			if f.pkInfo != nil {
				pk = f
				break
			}
		}
		if pk == nil {
			return nil, errorf(md.pos, "No primary key found for model %s", md.name)
		}
		o.set("primaryKeyInfo", newObject().
			set("isCustomPrimaryKey", pk.pkInfo.kind == pkCustomID).
			set("primaryKeyFieldName", pk.name).
			set("sortKeyFieldNames", fieldNames(pk.pkInfo.sortKeyFields)))
	}
	return o, nil
}

func (g *generator) commonSections(introspection bool) (models, enums, nonModels *object, err error) {
	models = newObjectCap(len(g.models.list))
	for _, md := range g.models.list {
		if err := g.ctx.Err(); err != nil {
			return nil, nil, nil, err
		}
		m, err := g.modelMetadata(md, introspection)
		if err != nil {
			return nil, nil, nil, err
		}
		models.set(md.name, m)
	}
	nonModels = newObject()
	for _, nm := range g.nonModels.list {
		fields, err := g.fieldsMetadata(nm, introspection)
		if err != nil {
			return nil, nil, nil, err
		}
		nonModels.set(nm.name, newObject().set("name", nm.name).set("fields", fields))
	}
	enums = newObject()
	for _, e := range g.enums {
		enums.set(e.name, newObject().set("name", e.name).set("values", append([]any{}, e.values.vals...)))
	}
	return models, enums, nonModels, nil
}

// metadata is AppSyncJSONVisitor.generate with metadataTarget javascript.
func (g *generator) metadata() (string, error) {
	models, enums, nonModels, err := g.commonSections(false)
	if err != nil {
		return "", err
	}
	result := newObject().
		set("models", models).
		set("enums", enums).
		set("nonModels", nonModels).
		set("codegenVersion", codegenVersion).
		set("version", g.computeVersion())
	var b strings.Builder
	b.Grow(g.sizeHint(900))
	b.WriteString("export const schema = ")
	writeJSON(&b, result, "    ", "")
	b.WriteString(";")
	return b.String(), nil
}

// sizeHint estimates an output size from the number of fields.
func (g *generator) sizeHint(perField int) int {
	n := 0
	for _, md := range g.models.list {
		n += len(md.fields)
	}
	for _, md := range g.nonModels.list {
		n += len(md.fields)
	}
	return 4096 + n*perField
}

// computeVersion is the reference's MD5 over JSON.stringify of all model
// and non-model types ({name, directives, fields}, sorted by name, fields
// sorted by name and reduced to name/connection directives/type/nullability).
// The JSON text is written directly rather than built as objects.
func (g *generator) computeVersion() string {
	types := append(append([]*model{}, g.models.list...), g.nonModels.list...)
	sort.SliceStable(types, func(i, j int) bool { return jsLess(types[i].name, types[j].name) })
	var b strings.Builder
	b.Grow(g.sizeHint(200))
	writeDirs := func(dirs []*directive, keep func(string) bool) {
		b.WriteByte('[')
		n := 0
		for _, d := range dirs {
			if !keep(d.name) {
				continue
			}
			if n > 0 {
				b.WriteByte(',')
			}
			n++
			b.WriteString(`{"name":`)
			writeJSONString(&b, d.name)
			b.WriteString(`,"arguments":`)
			jsonCompactTo(&b, d.args)
			if d.hasFieldName {
				b.WriteString(`,"fieldName":`)
				writeJSONString(&b, d.fieldName)
			}
			b.WriteByte('}')
		}
		b.WriteByte(']')
	}
	typeDir := func(n string) bool { return n == "primaryKey" || n == "index" }
	fieldDir := func(n string) bool {
		return n == "hasOne" || n == "belongsTo" || n == "hasMany" || n == "manyToMany"
	}
	writeBool := func(v bool) {
		if v {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	}
	b.WriteByte('[')
	for i, md := range types {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"name":`)
		writeJSONString(&b, md.name)
		b.WriteString(`,"directives":`)
		writeDirs(md.directives, typeDir)
		b.WriteString(`,"fields":[`)
		fields := append([]*field{}, md.fields...)
		sort.SliceStable(fields, func(i, j int) bool { return jsLess(fields[i].name, fields[j].name) })
		for j, f := range fields {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`{"name":`)
			writeJSONString(&b, f.name)
			b.WriteString(`,"directives":`)
			writeDirs(f.directives, fieldDir)
			b.WriteString(`,"type":`)
			writeJSONString(&b, f.typ)
			b.WriteString(`,"isNullable":`)
			writeBool(f.isNullable)
			b.WriteString(`,"isList":`)
			writeBool(f.isList)
			if v, ok := f.isListNullable.(bool); ok {
				b.WriteString(`,"isListNullable":`)
				writeBool(v)
			}
			b.WriteByte('}')
		}
		b.WriteString("]}")
	}
	b.WriteByte(']')
	sum := md5.Sum([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

func directiveObject(d *directive) *object {
	o := newObject().set("name", d.name).set("arguments", d.args)
	if d.hasFieldName {
		o.set("fieldName", d.fieldName)
	}
	return o
}

// jsLess compares strings by UTF-16 code units, as JS's < does.
func jsLess(a, b string) bool {
	ua, ub := []rune(a), []rune(b)
	for i := 0; i < len(ua) && i < len(ub); i++ {
		if ua[i] != ub[i] {
			return utf16Key(ua[i]) < utf16Key(ub[i])
		}
	}
	return len(ua) < len(ub)
}

func utf16Key(r rune) rune {
	if r >= 0x10000 {
		return 0xD800 + (r-0x10000)>>10
	}
	return r
}

// introspection is AppSyncModelIntrospectionVisitor.generate, serialized
// compactly (reference.js re-stringifies the parsed JSON).
func (g *generator) introspection() (string, error) {
	models, enums, nonModels, err := g.commonSections(true)
	if err != nil {
		return "", err
	}
	result := newObject().set("version", 1.0).set("models", models).set("enums", enums).set("nonModels", nonModels)

	queries, generations := newObject(), newObject()
	for _, q := range g.queries {
		t, err := g.typeRef(q.typ, true)
		if err != nil {
			return "", errorf(q.pos, "query %s: %s", q.name, err.(*genError).msg)
		}
		if isUnionOrInterface(t) {
			continue
		}
		meta, err := g.operationMetadata(q)
		if err != nil {
			return "", err
		}
		if q.hasDirective("generation") {
			generations.set(q.name, meta)
		} else {
			queries.set(q.name, meta)
		}
	}
	mutations, conversations := newObject(), newObject()
	for _, m := range g.mutations {
		t, err := g.typeRef(m.typ, true)
		if err != nil {
			return "", errorf(m.pos, "mutation %s: %s", m.name, err.(*genError).msg)
		}
		if m.hasDirective("conversation") {
			meta, err := g.operationMetadata(m)
			if err != nil {
				return "", err
			}
			conversations.set(m.name, conversationRoute(m.name, meta))
			continue
		}
		if isUnionOrInterface(t) {
			continue
		}
		meta, err := g.operationMetadata(m)
		if err != nil {
			return "", err
		}
		mutations.set(m.name, meta)
	}
	subscriptions := newObject()
	for _, s := range g.subscriptions {
		t, err := g.typeRef(s.typ, true)
		if err != nil {
			return "", errorf(s.pos, "subscription %s: %s", s.name, err.(*genError).msg)
		}
		if isUnionOrInterface(t) {
			continue
		}
		meta, err := g.operationMetadata(s)
		if err != nil {
			return "", err
		}
		subscriptions.set(s.name, meta)
	}
	inputs := newObject()
	for _, in := range g.inputs {
		attrs := newObject()
		for _, p := range in.values {
			a, err := g.argumentMetadata(p)
			if err != nil {
				return "", errorf(p.pos, "input %s.%s: %s", in.name, p.name, err.(*genError).msg)
			}
			attrs.set(p.name, a)
		}
		inputs.set(in.name, newObject().set("name", in.name).set("attributes", attrs))
	}
	for _, sec := range []struct {
		key string
		obj *object
	}{{"queries", queries}, {"generations", generations}, {"mutations", mutations}, {"conversations", conversations}, {"subscriptions", subscriptions}, {"inputs", inputs}} {
		if len(sec.obj.keys) > 0 {
			result.set(sec.key, sec.obj)
		}
	}
	if err := validateIntrospection(result); err != nil {
		return "", err
	}
	var b strings.Builder
	b.Grow(g.sizeHint(400))
	jsonCompactTo(&b, result)
	return b.String(), nil
}

func (g *generator) argumentMetadata(p *field) (*object, error) {
	t, err := g.typeRef(p.typ, true)
	if err != nil {
		return nil, err
	}
	a := newObject().set("name", p.name).set("isArray", p.isList).set("type", t).set("isRequired", !p.isNullable)
	if _, u := p.isListNullable.(undefinedType); !u {
		a.set("isArrayNullable", p.isListNullable)
	}
	return a, nil
}

func (g *generator) operationMetadata(op *field) (*object, error) {
	t, err := g.typeRef(op.typ, true)
	if err != nil {
		return nil, errorf(op.pos, "operation %s: %s", op.name, err.(*genError).msg)
	}
	meta := newObject().set("name", op.name).set("isArray", op.isList).set("type", t).set("isRequired", !op.isNullable)
	if _, u := op.isListNullable.(undefinedType); !u {
		meta.set("isArrayNullable", op.isListNullable)
	}
	if len(op.params) > 0 {
		args := newObject()
		for _, p := range op.params {
			a, err := g.argumentMetadata(p)
			if err != nil {
				return nil, errorf(p.pos, "argument %s of %s: %s", p.name, op.name, err.(*genError).msg)
			}
			args.set(p.name, a)
		}
		meta.set("arguments", args)
	}
	return meta, nil
}
