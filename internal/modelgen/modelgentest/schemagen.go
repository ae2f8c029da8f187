// Package modelgentest holds what the differential tests of internal/modelgen share, in the
// way net/http/httptest serves net/http's tests: a seeded random generator of Amplify
// GraphQL schemas, and a runner of the reference model generator (the Amplify tool chain's
// @aws-amplify/appsync-modelgen-plugin under node) on many schemas at once.
//
// internal/modelgen's TestDifferential compares modelgen.Generate with the reference;
// cmd/amplifybackendd's TestModelgenDifferentialThroughAPI sends the same schemas through
// the running server (CreateBackendAPI or UpdateBackendAPI, GenerateBackendAPIModels,
// GetBackendAPIModels). Both need MODELGEN_REFERENCE_DIR; see e2e/modelgen-diff/run.sh.
package modelgentest

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// SchemaGen builds random Amplify schemas combining the features the generator supports:
// models with every @model argument, @auth rules of every kind and provider (type- and
// field-level, and the global auth rule), @primaryKey with sort keys, @index, every
// relationship directive (with fields, indexes, references, and the join model of
// @manyToMany), @default values of each scalar type, enums, non-model types, inputs,
// unions and interfaces, custom scalars, custom queries, mutations and subscriptions, and
// now and then something the reference rejects. The same seed gives the same schemas.
type SchemaGen struct {
	r *rand.Rand
	b strings.Builder

	enums      []string
	enumValues map[string][]string
	nonModels  []string
	inputs     []string
	models     []*genModel
}

type genModel struct {
	name     string
	pk       string   // primary key field name
	pkType   string   // its type
	sortKeys []string // primary key sort key fields
	fields   []string // rendered field lines
	names    map[string]bool
	dirs     string // model-level directives
}

var (
	modelNamePool = []string{
		"Category", "Person", "Box", "Quiz", "Post", "Comment", "Blog", "Tag", "Address", "Child",
		"Mouse", "Analysis", "Matrix", "Sheep", "Leaf", "Hero", "Bus", "Wife", "Fish", "Index",
		"Company", "Employee", "Project", "Task", "Day", "Series", "News", "Photo", "Potato", "Alias",
		"Octopus", "Criterion", "Datum", "Status", "Knife", "Cactus", "Ox", "Goose", "Tooth", "Axis",
		"Thief", "User", "UserProfile", "OrderItem", "Invoice", "Library", "Dish", "Church", "Entry",
		"HTTPRequest", "APIKey", "S3Object", "Item2", "URLLink", "Syllabus", "Radius", "Hoof",
	}
	enumNamePool     = []string{"Priority", "Color", "Level", "Kind", "Visibility", "Mood"}
	nonModelNamePool = []string{"Location", "Dimensions", "Meta", "Tracking", "Settings", "Coordinates"}
	enumValuePool    = []string{"LOW", "HIGH", "inProgress", "DONE", "low_value", "RED", "Green", "blueSky", "A1", "NOT_STARTED", "fooBar", "FOO_BAR"}
	scalarPool       = []string{"ID", "String", "Int", "Float", "Boolean", "AWSDate", "AWSTime", "AWSDateTime", "AWSTimestamp", "AWSEmail", "AWSJSON", "AWSURL", "AWSPhone", "AWSIPAddress"}
	fieldWordPool    = []string{"title", "name", "description", "rating", "count", "score", "email", "url", "phone", "ip", "when", "day", "at", "meta", "done", "tags", "notes", "value", "createdOn", "sortOrder", "label", "kind", "owner", "editors", "groups", "tenant"}
	providerPool     = []string{"apiKey", "iam", "oidc", "userPools", "function", "identityPool"}
	operationPool    = []string{"create", "update", "delete", "read", "list", "get", "sync", "listen", "search"}
)

// NewSchemaGen returns a generator seeded with seed.
func NewSchemaGen(seed uint64) *SchemaGen {
	return &SchemaGen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

func (g *SchemaGen) chance(p float64) bool { return g.r.Float64() < p }

func (g *SchemaGen) pick(list []string) string { return list[g.r.IntN(len(list))] }

func (g *SchemaGen) pickN(list []string, n int) []string {
	perm := g.r.Perm(len(list))
	out := make([]string, 0, n)
	for _, i := range perm[:min(n, len(list))] {
		out = append(out, list[i])
	}
	return out
}

func quoteList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// wrap renders a type with a random list/nullability combination.
func (g *SchemaGen) wrap(t string, allowList bool) string {
	if allowList && g.chance(0.25) {
		inner := t
		if g.chance(0.5) {
			inner += "!"
		}
		if g.chance(0.1) {
			inner = "[" + inner + "]"
		}
		out := "[" + inner + "]"
		if g.chance(0.5) {
			out += "!"
		}
		return out
	}
	if g.chance(0.4) {
		return t + "!"
	}
	return t
}

func (g *SchemaGen) authRule(fieldLevel bool) string {
	var parts []string
	switch g.r.IntN(7) {
	case 0:
		parts = append(parts, "allow: owner")
		if g.chance(0.4) {
			parts = append(parts, fmt.Sprintf("ownerField: %q", g.pick([]string{"owner", "editor", "author"})))
		}
		if g.chance(0.3) {
			parts = append(parts, fmt.Sprintf("identityClaim: %q", g.pick([]string{"sub", "username", "email"})))
		}
		if g.chance(0.2) {
			parts = append(parts, "provider: "+g.pick([]string{"userPools", "oidc"}))
		}
	case 1:
		parts = append(parts, "allow: groups", fmt.Sprintf("groups: %s", quoteList(g.pickN([]string{"Admin", "Editors", "Viewers"}, 1+g.r.IntN(2)))))
		if g.chance(0.2) {
			parts = append(parts, fmt.Sprintf("groupClaim: %q", "custom:groups"))
		}
	case 2:
		parts = append(parts, "allow: groups", fmt.Sprintf("groupsField: %q", g.pick([]string{"groups", "editors"})))
	case 3:
		parts = append(parts, "allow: public")
		if g.chance(0.6) {
			parts = append(parts, "provider: "+g.pick([]string{"apiKey", "iam", "identityPool"}))
		}
	case 4:
		parts = append(parts, "allow: private")
		if g.chance(0.5) {
			parts = append(parts, "provider: "+g.pick([]string{"userPools", "iam", "oidc"}))
		}
	case 5:
		parts = append(parts, "allow: custom")
		if g.chance(0.7) {
			parts = append(parts, "provider: function")
		}
	case 6:
		parts = append(parts, "allow: "+g.pick([]string{"public", "private", "owner"}), "provider: "+g.pick(providerPool))
	}
	if g.chance(0.35) {
		parts = append(parts, "operations: ["+strings.Join(g.pickN(operationPool, 1+g.r.IntN(4)), ", ")+"]")
	}
	_ = fieldLevel
	return "{ " + strings.Join(parts, ", ") + " }"
}

func (g *SchemaGen) authDirective(fieldLevel bool) string {
	n := 1 + g.r.IntN(3)
	rules := make([]string, n)
	for i := range rules {
		rules[i] = g.authRule(fieldLevel)
	}
	return " @auth(rules: [" + strings.Join(rules, ", ") + "])"
}

func (g *SchemaGen) modelDirective() string {
	var args []string
	if g.chance(0.2) {
		switch g.r.IntN(4) {
		case 0:
			args = append(args, "timestamps: null")
		case 1:
			args = append(args, `timestamps: { createdAt: "createdOn", updatedAt: "updatedOn" }`)
		case 2:
			args = append(args, `timestamps: { createdAt: "made" }`)
		case 3:
			args = append(args, `timestamps: { updatedAt: "changedAt" }`)
		}
	}
	if g.chance(0.15) {
		args = append(args, g.pick([]string{"queries: null", `queries: { get: "fetchIt" }`, `queries: { list: "listAll", get: "getOne" }`}))
	}
	if g.chance(0.15) {
		args = append(args, g.pick([]string{"mutations: null", `mutations: { create: "makeIt", delete: null }`}))
	}
	if g.chance(0.15) {
		args = append(args, g.pick([]string{"subscriptions: null", "subscriptions: { level: public }", `subscriptions: { onCreate: ["onMake"], level: on }`}))
	}
	if len(args) == 0 {
		return " @model"
	}
	return " @model(" + strings.Join(args, ", ") + ")"
}

func (m *genModel) add(name, line string) bool {
	if m.names[name] {
		return false
	}
	m.names[name] = true
	m.fields = append(m.fields, "  "+name+": "+line)
	return true
}

// Generate returns a random schema of at most maxModels models (at least one).
func (g *SchemaGen) Generate(maxModels int) string {
	g.b.Reset()
	g.enums, g.nonModels, g.inputs, g.models = nil, nil, nil, nil
	g.enumValues = map[string][]string{}

	if g.chance(0.2) {
		g.b.WriteString("input AMPLIFY { globalAuthRule: AuthRule = { allow: public } }\n")
	}
	for _, e := range g.pickN(enumNamePool, g.r.IntN(3)) {
		g.enums = append(g.enums, e)
		vals := g.pickN(enumValuePool, 1+g.r.IntN(4))
		g.enumValues[e] = vals
		fmt.Fprintf(&g.b, "enum %s {\n  %s\n}\n", e, strings.Join(vals, "\n  "))
	}
	for _, n := range g.pickN(nonModelNamePool, g.r.IntN(3)) {
		g.nonModels = append(g.nonModels, n)
	}
	for i, n := range g.nonModels {
		var fs []string
		for _, w := range g.pickN(fieldWordPool, 1+g.r.IntN(3)) {
			fs = append(fs, "  "+w+": "+g.wrap(g.pick(scalarPool), true))
		}
		if i > 0 && g.chance(0.6) {
			fs = append(fs, "  nested: "+g.wrap("["+g.nonModels[i-1]+"]", false))
		}
		if len(g.enums) > 0 && g.chance(0.4) {
			fs = append(fs, "  choice: "+g.wrap(g.pick(g.enums), true))
		}
		fmt.Fprintf(&g.b, "type %s {\n%s\n}\n", n, strings.Join(fs, "\n"))
	}

	names := g.pickN(modelNamePool, 1+g.r.IntN(maxModels))
	for _, n := range names {
		if contains(g.enums, n) || contains(g.nonModels, n) {
			continue
		}
		m := &genModel{name: n, names: map[string]bool{}}
		m.dirs = g.modelDirective()
		if g.chance(0.4) {
			m.dirs += g.authDirective(false)
		}
		switch {
		case g.chance(0.25): // custom primary key
			m.pk = g.pick([]string{"sku", "code", "email", "slug"})
			m.pkType = g.pick([]string{"ID", "String", "AWSEmail", "Int"})
			pkLine := m.pkType + "! @primaryKey"
			if g.chance(0.5) {
				sk := g.pickN([]string{"region", "year", "label2"}, 1+g.r.IntN(2))
				m.sortKeys = sk
				pkLine = m.pkType + "! @primaryKey(sortKeyFields: " + quoteList(sk) + ")"
			}
			m.add(m.pk, pkLine)
			for _, sk := range m.sortKeys {
				t := "String!"
				if sk == "year" {
					t = "Int!"
				}
				m.add(sk, t)
			}
			if g.chance(0.3) {
				m.add("id", "ID")
			}
		case g.chance(0.2): // @primaryKey on id itself
			m.pk, m.pkType = "id", "ID"
			m.add("id", "ID! @primaryKey")
		default:
			m.pk, m.pkType = "id", "ID"
			if g.chance(0.8) {
				m.add("id", g.pick([]string{"ID!", "ID!", "ID"}))
			}
		}
		for _, w := range g.pickN(fieldWordPool, g.r.IntN(5)) {
			scalar := g.pick(scalarPool)
			line := g.wrap(scalar, true)
			if g.chance(0.12) {
				line += fmt.Sprintf(" @default(value: %q)", g.defaultValue(scalar))
			}
			if g.chance(0.15) {
				var args []string
				if g.chance(0.5) {
					args = append(args, fmt.Sprintf("name: %q", "by"+toUpper(w)))
				}
				if g.chance(0.3) {
					args = append(args, fmt.Sprintf("sortKeyFields: %s", quoteList([]string{"createdAt"})))
				}
				if g.chance(0.3) {
					args = append(args, fmt.Sprintf("queryField: %q", m.name+"By"+toUpper(w)))
				}
				if len(args) > 0 {
					line += " @index(" + strings.Join(args, ", ") + ")"
				} else {
					line += " @index"
				}
			}
			if g.chance(0.1) {
				line += g.authDirective(true)
			}
			m.add(w, line)
		}
		if len(g.enums) > 0 && g.chance(0.5) {
			e := g.pick(g.enums)
			line := g.wrap(e, true)
			if vals := g.enumValues[e]; g.chance(0.2) {
				line += fmt.Sprintf(" @default(value: %q)", g.pick(vals))
			}
			m.add("state", line)
		}
		if len(g.nonModels) > 0 && g.chance(0.5) {
			m.add("extra", g.wrap(g.pick(g.nonModels), true))
		}
		if g.chance(0.1) {
			m.add("createdAt", "AWSDateTime")
		}
		if len(m.fields) == 0 {
			m.add("title", "String")
		}
		g.models = append(g.models, m)
	}

	g.relations()

	for _, m := range g.models {
		fmt.Fprintf(&g.b, "type %s%s {\n%s\n}\n", m.name, m.dirs, strings.Join(m.fields, "\n"))
	}
	g.operations()
	return g.b.String()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// relations adds connection fields between the generated models.
func (g *SchemaGen) relations() {
	if len(g.models) == 0 {
		return
	}
	n := g.r.IntN(2 + len(g.models))
	relIdx := 0
	for i := 0; i < n; i++ {
		a := g.models[g.r.IntN(len(g.models))]
		b := g.models[g.r.IntN(len(g.models))]
		lf := toLower(b.name)
		kind := g.r.IntN(11)
		if a == b && kind >= 6 && kind <= 7 && !g.chance(0.1) {
			kind = 0
		}
		switch kind {
		case 0: // implicit hasMany, unidirectional
			a.add(toLower(plural(b.name)), "["+b.name+"] @hasMany")
		case 1: // hasMany + belongsTo (bidirectional, implicit)
			if a.add(toLower(plural(b.name)), "["+b.name+"] @hasMany") {
				b.add(toLower(a.name), a.name+" @belongsTo")
			}
		case 2: // hasMany with index and fields
			idx := "by" + a.name
			fk := toLower(a.name) + "ID"
			if b.names[fk] {
				break
			}
			pkFields := append([]string{a.pk}, a.sortKeys...)
			args := fmt.Sprintf("indexName: %q, fields: %s", idx, quoteList(pkFields))
			if g.chance(0.3) {
				args = fmt.Sprintf("fields: %s", quoteList(pkFields))
			}
			if a.add(toLower(plural(b.name))+"List", "["+b.name+"] @hasMany("+args+")") {
				b.add(fk, a.pkType+" @index(name: "+fmt.Sprintf("%q", idx)+")")
				if g.chance(0.5) {
					b.add(toLower(a.name)+"Ref", a.name+" @belongsTo(fields: "+quoteList([]string{fk})+")")
				}
			}
		case 3: // hasOne implicit
			line := b.name + " @hasOne"
			if g.chance(0.3) {
				line = b.name + "! @hasOne"
			}
			if a.add(lf, line) && g.chance(0.5) {
				b.add(toLower(a.name)+"Owner", a.name+" @belongsTo")
			}
		case 4: // hasOne with fields
			fk := lf + "Key"
			if a.add(fk, b.pkType) {
				a.add(lf+"One", b.name+" @hasOne(fields: "+quoteList([]string{fk})+")")
			}
		case 5: // unconnected model field (dropped with a warning)
			a.add(lf+"Plain", b.name)
		case 6, 7: // manyToMany
			relIdx++
			rel := g.pick([]string{a.name + b.name, a.name + "To" + b.name, "link " + a.name, "rel" + a.name})
			if g.chance(0.6) {
				rel += strconv.Itoa(relIdx)
			}
			if g.chance(0.95) {
				if a.add(toLower(plural(b.name))+"M", "["+b.name+"] @manyToMany(relationName: "+fmt.Sprintf("%q", rel)+")") {
					b.add(toLower(plural(a.name))+"M", "["+a.name+"] @manyToMany(relationName: "+fmt.Sprintf("%q", rel)+")")
				}
			} else {
				a.add(toLower(plural(b.name))+"M", "["+b.name+"] @manyToMany(relationName: "+fmt.Sprintf("%q", rel)+")")
			}
		case 8: // hasMany + belongsTo with references
			fk := toLower(a.name) + "Ref" + strconv.Itoa(i)
			refs := []string{fk}
			if g.chance(0.5) {
				if a.add(toLower(plural(b.name))+"R", "["+b.name+"] @hasMany(references: "+quoteList(refs)+")") {
					b.add(fk, a.pkType+"!")
					b.add(toLower(a.name)+"R"+strconv.Itoa(i), a.name+" @belongsTo(references: "+quoteList(refs)+")")
				}
			} else if a.add(lf+"R", b.name+" @hasOne(references: "+quoteList(refs)+")") {
				b.add(fk, a.pkType)
				b.add(toLower(a.name)+"R"+strconv.Itoa(i), a.name+" @belongsTo(references: "+quoteList(refs)+")")
			}
		case 9: // hasOne + belongsTo with fields on the child
			fk := toLower(a.name) + "Id" + strconv.Itoa(i)
			if a.add(lf+"Solo", b.name+" @hasOne") {
				b.add(fk, "ID")
				b.add(toLower(a.name)+"Parent"+strconv.Itoa(i), a.name+" @belongsTo(fields: "+quoteList([]string{fk})+")")
			}
		case 10: // hasMany with fields but no index (primary key lookup)
			a.add(toLower(plural(b.name))+"PK", "["+b.name+"] @hasMany(fields: "+quoteList([]string{a.pk})+")")
		}
	}
	// Rarely, something the reference rejects.
	if g.chance(0.08) {
		a := g.models[g.r.IntN(len(g.models))]
		switch g.r.IntN(6) {
		case 0:
			a.add("broken", g.models[0].name+" @belongsTo")
		case 1:
			a.add("broken", g.models[0].name+" @hasMany")
		case 2:
			if len(g.nonModels) > 0 {
				a.add("broken", "["+g.nonModels[0]+"] @hasMany")
			}
		case 3:
			a.add("broken", "Nope")
		case 4:
			a.add("broken", "String @primaryKey")
		case 5:
			a.add("broken2", "[String] @hasOne")
		}
	}
}

// operations adds inputs and custom Query/Mutation/Subscription fields.
func (g *SchemaGen) operations() {
	if g.chance(0.5) {
		n := "FilterInput"
		g.inputs = append(g.inputs, n)
		var fs []string
		for _, w := range g.pickN(fieldWordPool, 1+g.r.IntN(3)) {
			fs = append(fs, "  "+w+": "+g.wrap(g.pick(scalarPool), true))
		}
		if len(g.enums) > 0 {
			fs = append(fs, "  choice: "+g.wrap(g.pick(g.enums), true))
		}
		fmt.Fprintf(&g.b, "input %s {\n%s\n}\n", n, strings.Join(fs, "\n"))
		if g.chance(0.5) {
			g.inputs = append(g.inputs, "WrapperInput")
			fmt.Fprintf(&g.b, "input WrapperInput {\n  inner: %s\n  list: [%s!]\n}\n", n, n)
		}
	}
	extraOut := []string{}
	if g.chance(0.15) {
		if len(g.models) >= 2 {
			fmt.Fprintf(&g.b, "union SearchResult = %s | %s\n", g.models[0].name, g.models[len(g.models)-1].name)
			extraOut = append(extraOut, "SearchResult")
		}
		fmt.Fprintf(&g.b, "interface Node {\n  id: ID!\n}\n")
		extraOut = append(extraOut, "Node")
	}
	if g.chance(0.05) {
		g.b.WriteString("scalar Custom\n")
		if g.chance(0.5) {
			extraOut = append(extraOut, "Custom")
		}
	}
	outTypes := append([]string{}, scalarPool...)
	outTypes = append(outTypes, extraOut...)
	outTypes = append(outTypes, g.enums...)
	outTypes = append(outTypes, g.nonModels...)
	for _, m := range g.models {
		outTypes = append(outTypes, m.name)
	}
	inTypes := append(append([]string{}, scalarPool...), g.enums...)
	inTypes = append(inTypes, g.inputs...)
	args := func() string {
		if g.chance(0.4) {
			return ""
		}
		var as []string
		for i, w := range g.pickN([]string{"id", "input", "filter", "limit", "text", "tags"}, 1+g.r.IntN(3)) {
			_ = i
			as = append(as, w+": "+g.wrap(g.pick(inTypes), true))
		}
		return "(" + strings.Join(as, ", ") + ")"
	}
	ops := func(typ string, names []string, extra func() string) {
		if !g.chance(0.5) {
			return
		}
		var fs []string
		for _, n := range g.pickN(names, 1+g.r.IntN(3)) {
			fs = append(fs, "  "+n+args()+": "+g.wrap(g.pick(outTypes), true)+extra())
		}
		fmt.Fprintf(&g.b, "type %s {\n%s\n}\n", typ, strings.Join(fs, "\n"))
	}
	ops("Query", []string{"echo", "search", "stats", "lookup", "ping"}, func() string {
		if g.chance(0.1) {
			return ` @generation(aiModel: "m", systemPrompt: "p")`
		}
		if g.chance(0.2) {
			return " @aws_api_key @aws_iam"
		}
		return ""
	})
	ops("Mutation", []string{"archive", "publish", "reset", "bulkImport"}, func() string { return "" })
	ops("Subscription", []string{"onArchive", "onPublish"}, func() string {
		if g.chance(0.5) {
			return ` @aws_subscribe(mutations: ["archive"])`
		}
		return ""
	})
}

// defaultPool holds @default values by field type: ordinary values, edge values (zero,
// negative, exponent, empty, quotes, backslashes, non-ASCII) and, for the AWS scalars,
// the formats AppSync accepts.
var defaultPool = map[string][]string{
	"ID":           {"id-1", "0", "b7f3c2e0-0000-4000-8000-000000000000"},
	"String":       {"x", "", "hello world", `say "hi"`, `back\slash`, "café ☕", "line\nbreak", "  padded  "},
	"Int":          {"0", "42", "-7", "2147483647"},
	"Float":        {"0", "3.5", "-0.25", "1e3", "6.02e23"},
	"Boolean":      {"true", "false"},
	"AWSDate":      {"2024-01-31", "1970-01-01Z", "2024-02-29+05:30"},
	"AWSTime":      {"12:30", "12:30:00", "23:59:59.999Z", "08:00:00-07:00"},
	"AWSDateTime":  {"2024-01-31T12:30:00Z", "2024-01-31T12:30:00.000+02:00"},
	"AWSTimestamp": {"0", "1700000000"},
	"AWSEmail":     {"someone@example.com", "a.b+c@example.org"},
	"AWSJSON":      {`{"a":1}`, `[1,2,3]`, `"text"`, `{"nested":{"k":[true,null]}}`},
	"AWSURL":       {"https://example.com/x?y=1", "http://localhost:8080/"},
	"AWSPhone":     {"+1 555 0100", "+44 20 7946 0958"},
	"AWSIPAddress": {"10.0.0.1", "::1", "2001:db8::/32"},
}

// defaultValue returns a @default value for a field of the scalar type t.
func (g *SchemaGen) defaultValue(t string) string {
	if vals := defaultPool[t]; len(vals) > 0 {
		return g.pick(vals)
	}
	return "x"
}

// toUpper upper-cases the first letter (the names here are ASCII).
func toUpper(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// toLower lower-cases the first letter.
func toLower(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// plural is a plain English plural for field names; the generator under test does its own
// (irregular) pluralization of the model names, which this does not need to match.
func plural(s string) string {
	switch {
	case strings.HasSuffix(s, "y") && len(s) > 1 && !strings.ContainsRune("aeiou", rune(s[len(s)-2])):
		return s[:len(s)-1] + "ies"
	case strings.HasSuffix(s, "s"), strings.HasSuffix(s, "x"), strings.HasSuffix(s, "z"),
		strings.HasSuffix(s, "ch"), strings.HasSuffix(s, "sh"):
		return s + "es"
	}
	return s + "s"
}
