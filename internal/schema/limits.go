package schema

import (
	"fmt"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/lexer"
)

// Limits bounds the size of a schema that a job checks or turns into models, so that the
// memory and time one job takes are bounded by its configuration, not by what a client sends.
// A zero field is no limit.
type Limits struct {
	// Bytes bounds the length of the schema text.
	Bytes int
	// Types bounds the definitions: types, inputs, interfaces, enums, unions, scalars
	// (extensions included).
	Types int
	// Fields bounds the fields, arguments' owners and enum values of all definitions together
	// (the members directly inside a definition's braces).
	Fields int
	// Depth bounds the nesting of braces, brackets and parentheses (list types, directive
	// arguments, object values): gqlparser's parser recurses once per level.
	Depth int
}

// LimitError says which limit a schema exceeds, and by how much.
type LimitError struct {
	Limit string // "bytes", "types", "fields" or "depth"
	Max   int
	Got   int // what the schema has
}

// Error says it in a sentence.
func (e *LimitError) Error() string {
	what := map[string]string{
		"bytes":  "the schema is %d bytes long, more than the limit of %d",
		"types":  "the schema defines %d types, more than the limit of %d",
		"fields": "the schema has %d fields and enum values, more than the limit of %d",
		"depth":  "the schema nests brackets %d deep, more than the limit of %d",
	}[e.Limit]
	if what == "" {
		what = e.Limit + ": %d, more than the limit of %d"
	}
	return fmt.Sprintf(what, e.Got, e.Max)
}

// definitionKeywords begin the definitions that Types counts.
var definitionKeywords = map[string]bool{
	"type": true, "input": true, "interface": true, "enum": true, "union": true, "scalar": true,
}

// Check returns a *LimitError if schema exceeds a limit, else nil. It reads the schema's
// tokens once, keeping only the stack of open brackets, before anything parses it; text that does not lex is left
// to the parser, which reports it with its position. The types counted are the definition
// keywords at the top level (not after '@'); the fields are the names directly inside a
// definition's braces that do not follow ':' or '@' (field, input value and enum value names).
func (l Limits) Check(schema string) error {
	if l.Bytes > 0 && len(schema) > l.Bytes {
		return &LimitError{Limit: "bytes", Max: l.Bytes, Got: len(schema)}
	}
	if l.Types <= 0 && l.Fields <= 0 && l.Depth <= 0 {
		return nil
	}
	lex := lexer.New(&ast.Source{Name: FileName, Input: schema})
	var stack []lexer.Type // the open brackets
	prev := lexer.Invalid
	types, fields, depth := 0, 0, 0
	for {
		tok, err := lex.ReadToken()
		if err != nil || tok.Kind == lexer.EOF {
			break
		}
		switch tok.Kind {
		case lexer.BraceL, lexer.BracketL, lexer.ParenL:
			stack = append(stack, tok.Kind)
			depth = max(depth, len(stack))
		case lexer.BraceR, lexer.BracketR, lexer.ParenR:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case lexer.Name:
			switch {
			case prev == lexer.At || prev == lexer.Colon:
			case len(stack) == 0 && definitionKeywords[tok.Value]:
				types++
			case len(stack) == 1 && stack[0] == lexer.BraceL:
				fields++
			}
		}
		if tok.Kind != lexer.Comment {
			prev = tok.Kind
		}
	}
	switch {
	case l.Depth > 0 && depth > l.Depth:
		return &LimitError{Limit: "depth", Max: l.Depth, Got: depth}
	case l.Types > 0 && types > l.Types:
		return &LimitError{Limit: "types", Max: l.Types, Got: types}
	case l.Fields > 0 && fields > l.Fields:
		return &LimitError{Limit: "fields", Max: l.Fields, Got: fields}
	}
	return nil
}
