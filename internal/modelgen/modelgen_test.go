package modelgen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// expectedOutput is one corpus/NN-name.expected.json: what reference.js printed.
type expectedOutput struct {
	Introspection json.RawMessage `json:"introspection"`
	Metadata      string          `json:"metadata"`
}

// compactOrdered re-serializes a JSON text compactly, keeping key order
// (json.Decoder tokens, no maps) and writing strings the way JSON.stringify does.
func compactOrdered(raw []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var b strings.Builder
	type frame struct {
		obj   bool
		count int
		key   bool // next token in an object is a key
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", err
		}
		if len(stack) > 0 {
			top := stack[len(stack)-1]
			isEnd := tok == json.Delim('}') || tok == json.Delim(']')
			if !isEnd {
				if top.obj {
					if top.key {
						if top.count > 0 {
							b.WriteByte(',')
						}
						top.count++
					} else {
						b.WriteByte(':')
					}
				} else {
					if top.count > 0 {
						b.WriteByte(',')
					}
					top.count++
				}
			}
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				b.WriteByte(byte(t))
				if len(stack) > 0 && stack[len(stack)-1].obj {
					stack[len(stack)-1].key = true
				}
				stack = append(stack, &frame{obj: t == '{', key: true})
				continue
			case '}', ']':
				b.WriteByte(byte(t))
				stack = stack[:len(stack)-1]
			}
		case string:
			writeJSONString(&b, t)
		case json.Number:
			b.WriteString(t.String())
		case bool:
			fmt.Fprint(&b, t)
		case nil:
			b.WriteString("null")
		}
		if len(stack) > 0 {
			top := stack[len(stack)-1]
			if top.obj {
				if _, isDelim := tok.(json.Delim); isDelim {
					top.key = true
				} else {
					top.key = !top.key
				}
			}
		}
	}
	return b.String(), nil
}

// firstDiff describes where two texts first differ.
func firstDiff(got, want string) string {
	n := min(len(got), len(want))
	i := 0
	for i < n && got[i] == want[i] {
		i++
	}
	if i == len(got) && i == len(want) {
		return "identical"
	}
	line := strings.Count(want[:i], "\n") + 1
	ctx := func(s string) string {
		lo, hi := max(0, i-120), min(len(s), i+120)
		return s[lo:i] + "⟦HERE⟧" + s[i:hi]
	}
	return fmt.Sprintf("first difference at byte %d (line %d)\n  got:  %q\n  want: %q", i, line, ctx(got), ctx(want))
}

func TestCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/corpus/*.graphql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".graphql")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := os.ReadFile(strings.TrimSuffix(file, ".graphql") + ".expected.json")
			if err != nil {
				t.Fatal(err)
			}
			var want expectedOutput
			if err := json.Unmarshal(raw, &want); err != nil {
				t.Fatal(err)
			}
			wantIntro, err := compactOrdered(want.Introspection)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Generate(string(src))
			if err != nil {
				t.Fatalf("Generate: %v", err)
			}
			if res.Models != want.Metadata {
				t.Errorf("Models differ: %s", firstDiff(res.Models, want.Metadata))
			}
			if res.Introspection != wantIntro {
				t.Errorf("Introspection differs: %s", firstDiff(res.Introspection, wantIntro))
			}
		})
	}
}

// invalidWant maps each testdata/invalid schema to a substring its error must contain.
var invalidWant = map[string]string{
	"i01-has-many-nonmodel.graphql":    "A.b",
	"i02-syntax.graphql":               "4:1: Expected Name",
	"i03-unknown-type.graphql":         "Unknown",
	"i04-belongs-to-no-parent.graphql": "belongsTo",
}

func TestInvalid(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid/*.graphql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no invalid schemas: %v", err)
	}
	for _, file := range files {
		base := filepath.Base(file)
		t.Run(base, func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			want, ok := invalidWant[base]
			if !ok {
				t.Fatalf("no expected error substring registered for %s", base)
			}
			_, err = Generate(string(src))
			if err == nil {
				t.Fatal("Generate succeeded; want an error")
			}
			if !strings.Contains(err.Error(), want) {
				t.Fatalf("error %q does not contain %q", err, want)
			}
			t.Logf("error: %v", err)
		})
	}
}
