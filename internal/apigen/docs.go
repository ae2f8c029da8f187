package main

import (
	"encoding/json"
	"fmt"
	"html"
	"os"
	"regexp"
	"strings"
	"unicode"
)

// docsModel is an AWS docs.json file.
type docsModel struct {
	Service    string             `json:"service"`
	Operations map[string]string  `json:"operations"`
	Shapes     map[string]docsRef `json:"shapes"`
}

// docsRef documents one shape (base) and its uses as members (refs, keyed "Struct$Member").
type docsRef struct {
	Base *string           `json:"base"`
	Refs map[string]string `json:"refs"`
}

// loadDocs reads a docs.json file; an empty path means no documentation.
func loadDocs(path string) (*docsModel, error) {
	d := &docsModel{}
	if path == "" {
		return d, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, d); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}

// operationDoc is the first sentence documenting an operation, or "".
func (d *docsModel) operationDoc(op string) string {
	return firstSentence(d.Operations[op])
}

// shapeDoc is the first sentence documenting a shape, or "".
func (d *docsModel) shapeDoc(name string) string {
	if b := d.Shapes[name].Base; b != nil {
		return firstSentence(*b)
	}
	return ""
}

// memberDoc is the first sentence documenting member mem of structure parent, or "".
func (d *docsModel) memberDoc(parent string, mem member) string {
	return firstSentence(d.Shapes[mem.Shape].Refs[parent+"$"+mem.Name])
}

var (
	tagRE   = regexp.MustCompile(`<[^>]*>`)
	spaceRE = regexp.MustCompile(`\s+`)
)

// firstSentence strips HTML from doc, collapses whitespace and keeps the first sentence.
func firstSentence(doc string) string {
	s := tagRE.ReplaceAllString(doc, " ")
	s = html.UnescapeString(s)
	s = strings.TrimSpace(spaceRE.ReplaceAllString(s, " "))
	if i := strings.Index(s, ". "); i >= 0 {
		s = s[:i+1]
	}
	if s != "" && !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// docComment words sentence as a Go doc comment for name: "Name is the ...",
// "Name describes ...", else "Name: Sentence". An empty sentence yields fallback.
func docComment(name, sentence, fallback string) string {
	if sentence == "" {
		return "// " + fallback
	}
	first, rest, _ := strings.Cut(sentence, " ")
	switch {
	case first == "The" || first == "A" || first == "An":
		return "// " + name + " is " + lowerFirst(first) + " " + rest
	case len(first) > 3 && strings.HasSuffix(first, "s") && isLetters(first) && rest != "":
		return "// " + name + " " + lowerFirst(first) + " " + rest
	}
	return "// " + name + ": " + sentence
}

func lowerFirst(s string) string {
	r := []rune(s)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

func isLetters(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}
