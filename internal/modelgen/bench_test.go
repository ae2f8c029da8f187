package modelgen

import (
	"fmt"
	"strings"
	"testing"
)

// synthetic200 builds a 200-model schema: every model has auth rules, scalar
// fields, an @index, a hasMany/belongsTo pair to the next model, and every
// tenth model a custom primary key, a hasOne and a manyToMany.
func synthetic200() string {
	const n = 200
	var b strings.Builder
	b.WriteString("enum Status {\n  DRAFT\n  PUBLISHED\n  ARCHIVED\n}\n")
	b.WriteString("type Location {\n  lat: Float!\n  lng: Float!\n  tags: [String!]\n}\n")
	name := func(i int) string { return fmt.Sprintf("Entity%03d", i) }
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "type %s @model @auth(rules: [{ allow: owner }, { allow: groups, groups: [\"Admin\"] }, { allow: public, provider: apiKey, operations: [read] }]) {\n", name(i))
		if i%10 == 5 {
			b.WriteString("  code: String! @primaryKey(sortKeyFields: [\"region\"])\n  region: String!\n")
		} else {
			b.WriteString("  id: ID!\n")
		}
		b.WriteString("  title: String!\n  body: String\n  rating: Int @index(name: \"byRating\", queryField: \"byRating" + name(i) + "\")\n")
		b.WriteString("  status: Status\n  location: Location\n  publishedAt: AWSDateTime\n  secret: String @auth(rules: [{ allow: owner }])\n")
		if i+1 < n {
			fmt.Fprintf(&b, "  children: [%s] @hasMany\n", name(i+1))
		}
		if i > 0 {
			fmt.Fprintf(&b, "  parent: %s @belongsTo\n", name(i-1))
		}
		if i%10 == 0 && i+2 < n {
			fmt.Fprintf(&b, "  buddy: %s @hasOne\n", name(i+2))
			fmt.Fprintf(&b, "  peers: [%s] @manyToMany(relationName: \"Peer%d\")\n", name(i+3), i)
		}
		if i%10 == 3 && i >= 3 {
			fmt.Fprintf(&b, "  peers: [%s] @manyToMany(relationName: \"Peer%d\")\n", name(i-3), i-3)
		}
		b.WriteString("}\n")
	}
	b.WriteString("type Query {\n  search(text: String!, limit: Int): [Entity000]\n}\n")
	return b.String()
}

func TestSynthetic200(t *testing.T) {
	res, err := Generate(synthetic200())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Models, `"Peer0"`) || !strings.Contains(res.Introspection, `"Entity199"`) {
		t.Fatal("synthetic schema output is missing models")
	}
}

func BenchmarkGenerate200Models(b *testing.B) {
	schema := synthetic200()
	b.SetBytes(int64(len(schema)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Generate(schema); err != nil {
			b.Fatal(err)
		}
	}
}
