package schema

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// todoSchema uses most of the Amplify transformer v2 directives and AppSync scalars.
const todoSchema = `# This "input" configures a global authorization rule to enable public access to
# all models in this schema.
input AMPLIFY { globalAuthRule: AuthRule = { allow: public } }

type Blog @model @auth(rules: [{allow: owner, operations: [create, update, delete, read]}, {allow: public, provider: apiKey, operations: [read]}]) {
  id: ID! @primaryKey
  name: String! @default(value: "untitled")
  posts: [Post] @hasMany(indexName: "byBlog", fields: ["id"])
  owner: String @auth(rules: [{allow: owner, operations: [read, delete]}])
}

type Post @model(subscriptions: {level: off}, timestamps: {createdAt: "created", updatedAt: "updated"}) @searchable {
  id: ID!
  blogID: ID! @index(name: "byBlog", sortKeyFields: ["title"], queryField: "postsByBlog")
  title: String! @validate(type: minLength, value: "3", errorMessage: "too short")
  blog: Blog @belongsTo(fields: ["blogID"])
  tags: [Tag] @manyToMany(relationName: "PostTags")
  meta: Meta @hasOne
  published: AWSDateTime
  day: AWSDate
  at: AWSTime
  stamp: AWSTimestamp
  email: AWSEmail
  extra: AWSJSON
  link: AWSURL
  phone: AWSPhone
  ip: AWSIPAddress
}

type Tag @model @mapsTo(name: "Label") {
  id: ID!
  label: String!
  posts: [Post] @manyToMany(relationName: "PostTags")
}

type Meta @model @auth(rules: [{allow: groups, groups: ["Admin"]}, {allow: private, provider: iam}]) {
  id: ID!
  words: Int
}

enum Status { DRAFT PUBLISHED }

type Query {
  echo(msg: String): String @function(name: "echo-${env}") @function(name: "audit", invocationType: Event)
  weather(city: String!): AWSJSON @http(method: GET, url: "https://example.com/weather/:city")
  speak(text: String!): String @predictions(actions: [translateText, convertTextToSpeech])
  raw: [Meta] @sql(statement: "SELECT * FROM meta") @aws_iam @aws_api_key
  status: Status @deprecated(reason: "gone")
}

type Subscription {
  onPost: Post @aws_subscribe(mutations: ["createPost"]) @aws_cognito_user_pools(cognito_groups: ["Admin"])
}
`

func TestCheck(t *testing.T) {
	tests := []struct {
		name   string
		schema string
		// want is "" for a valid schema, else the whole error message.
		want string
	}{
		{name: "valid with directives", schema: todoSchema},
		{name: "empty", schema: ""},
		{name: "single model", schema: "type Todo @model {\n  id: ID!\n  name: String!\n}\n"},
		{name: "list coercion", schema: "type Todo @model @auth(rules: {allow: owner, operations: read}) { id: ID! }"},
		{
			name:   "syntax error",
			schema: "type Todo @model {\n  id: ID!\n  name String\n}\n",
			want:   "schema.graphql:3:8: Expected :, found Name",
		},
		{
			name:   "unterminated",
			schema: "type Todo @model {\n  id: ID!\n",
			want:   "schema.graphql:3:1: Expected Name, found <EOF>",
		},
		{
			name:   "unknown type",
			schema: "type Todo @model {\n  id: ID!\n  name: Strin\n}\n",
			want:   "schema.graphql:3:9: Undefined type Strin.",
		},
		{
			name:   "unknown directive argument",
			schema: "type Todo @model(query: null) {\n  id: ID!\n}\n",
			want:   "schema.graphql:1:18: Undefined argument query for directive model.",
		},
		{
			name:   "transformer v1 directive",
			schema: "type Todo @model @key(fields: [\"id\"]) {\n  id: ID!\n}\n",
			want:   "schema.graphql:1:19: Undefined directive key.",
		},
		{
			name:   "directive at the wrong location",
			schema: "type Todo {\n  id: ID! @model\n}\n",
			want:   "schema.graphql:2:12: Directive model is not applicable on FIELD_DEFINITION.",
		},
		{
			name:   "missing required argument",
			schema: "type Todo @model {\n  id: ID!\n  tags: [Todo] @manyToMany\n}\n",
			want:   "schema.graphql:3:17: Argument relationName for directive manyToMany cannot be null.",
		},
		{
			name:   "non-repeatable directive twice",
			schema: "type Todo @model @model {\n  id: ID!\n}\n",
			want:   "schema.graphql:1:19: The directive model can only be used once at this location.",
		},
		{
			name:   "unknown enum value",
			schema: "type Todo @model @auth(rules: [{allow: owners}]) {\n  id: ID!\n}\n",
			want:   `schema.graphql:1:40: Value "owners" does not exist in "AuthStrategy" enum.`,
		},
		{
			// gqlparser places a string value after its opening quote.
			name:   "string for an enum",
			schema: "type Todo @model @auth(rules: [{allow: \"owner\"}]) {\n  id: ID!\n}\n",
			want:   `schema.graphql:1:41: Enum "AuthStrategy" cannot represent non-enum value: "owner".`,
		},
		{
			name:   "unknown input field",
			schema: "type Todo @model @auth(rules: [{allow: owner, who: \"me\"}]) {\n  id: ID!\n}\n",
			want:   `schema.graphql:1:47: Field "who" is not defined by type "AuthRule".`,
		},
		{
			name:   "missing input field",
			schema: "type Todo @model @auth(rules: [{provider: iam}]) {\n  id: ID!\n}\n",
			want:   `schema.graphql:1:32: Field "AuthRule.allow" of required type "AuthStrategy!" was not provided.`,
		},
		{
			name:   "int for a string",
			schema: "type Todo @model {\n  id: ID!\n  n: Int @default(value: 5)\n}\n",
			want:   "schema.graphql:3:26: String cannot represent value: 5",
		},
		{
			name:   "null for a non-null list item",
			schema: "type Todo @model {\n  id: ID!\n  n: Int @index(name: \"x\", sortKeyFields: [\"a\"]) @hasMany(fields: [null])\n}\n",
			want:   `schema.graphql:3:68: Expected value of type "String!", found null.`,
		},
		{
			name:   "bad default of an input field",
			schema: "input AMPLIFY { globalAuthRule: AuthRule = { allow: everyone } }\n",
			want:   `schema.graphql:1:53: Value "everyone" does not exist in "AuthStrategy" enum.`,
		},
		{
			name:   "redeclared directive",
			schema: "directive @model on OBJECT\n",
			want:   "schema.graphql:1:12: Cannot redeclare directive model.",
		},
		{
			name:   "redeclared AppSync scalar",
			schema: "scalar AWSDateTime\n",
			want:   "schema.graphql:1:8: Cannot redeclare type AWSDateTime.",
		},
		{
			name:   "int out of range",
			schema: "type Todo @model {\n  id: ID!\n  tags: [Todo] @hasMany(limit: 99999999999)\n}\n",
			want:   "schema.graphql:3:32: Int cannot represent non 32-bit signed integer value: 99999999999",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(tt.schema)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Check: %v; want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Check: nil; want %q", tt.want)
			}
			if err.Error() != tt.want {
				t.Fatalf("Check:\n got %q\nwant %q", err.Error(), tt.want)
			}
			var se *Error
			if !errors.As(err, &se) || se.Line <= 0 || se.Column <= 0 || se.File != FileName {
				t.Fatalf("error %#v: want a *schema.Error with file %s, line and column", err, FileName)
			}
		})
	}
}

func TestCheckTooLarge(t *testing.T) {
	fields := func(n int) string {
		var b strings.Builder
		b.WriteString("type Todo @model {\n")
		for i := 0; i < n; i++ {
			b.WriteString("  f" + strconv.Itoa(i) + ": Int\n")
		}
		b.WriteString("}\n")
		return b.String()
	}
	err := Check(fields(21000))
	if err == nil || !strings.HasPrefix(err.Error(), "schema.graphql:1:6: The schema is too large to validate") ||
		!strings.Contains(err.Error(), `the field list of type "Todo", with 21000 entries`) {
		t.Fatalf("Check: %v; want too large, naming the field list of Todo", err)
	}
	// Below the bound, the same shape is checked.
	if err := Check(fields(15000)); err != nil {
		t.Fatalf("Check of 15000 fields: %v", err)
	}
}

func TestErrorWithoutLocation(t *testing.T) {
	e := &Error{File: FileName, Message: "boom"}
	if e.Error() != "schema.graphql: boom" {
		t.Fatalf("Error() = %q", e.Error())
	}
}
