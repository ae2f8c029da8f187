package modelgen

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The reference generator is JavaScript; its output is whatever JSON.stringify
// makes of plain JS values. This file models those values so that key order,
// `undefined` members and number formatting come out the same:
//
//	nil        JS null
//	undefined  JS undefined (omitted from objects, null inside arrays)
//	bool       JS boolean
//	float64    JS number
//	string     JS string
//	[]any      JS array
//	*object    JS plain object with insertion-ordered keys

type undefinedType struct{}

// undefined is the JS undefined value.
var undefined = undefinedType{}

// object is a JS object: keys keep the position of their first insertion,
// exactly as JS objects do for non-integer keys.
type object struct {
	keys []string
	vals []any
	idx  map[string]int // built lazily for large objects
}

const objectIndexThreshold = 12

func newObject() *object { return newObjectCap(4) }

// newObjectCap makes an empty object with room for n keys.
func newObjectCap(n int) *object {
	return &object{keys: make([]string, 0, n), vals: make([]any, 0, n)}
}

func (o *object) index(k string) int {
	if o.idx != nil {
		if i, ok := o.idx[k]; ok {
			return i
		}
		return -1
	}
	for i, key := range o.keys {
		if key == k {
			return i
		}
	}
	if len(o.keys) >= objectIndexThreshold {
		o.idx = make(map[string]int, len(o.keys)*2)
		for i, key := range o.keys {
			o.idx[key] = i
		}
	}
	return -1
}

// set assigns k; an existing key keeps its position.
func (o *object) set(k string, v any) *object {
	if i := o.index(k); i >= 0 {
		o.vals[i] = v
		return o
	}
	if o.idx != nil {
		o.idx[k] = len(o.keys)
	}
	o.keys = append(o.keys, k)
	o.vals = append(o.vals, v)
	return o
}

// get returns the member k, or undefined.
func (o *object) get(k string) any {
	if o == nil {
		return undefined
	}
	if i := o.index(k); i >= 0 {
		return o.vals[i]
	}
	return undefined
}

// has reports whether k is an own key (even if its value is undefined).
func (o *object) has(k string) bool { return o != nil && o.index(k) >= 0 }

// spread copies all members of src into o ({...o, ...src}).
func (o *object) spread(src *object) *object {
	if src == nil {
		return o
	}
	for i, k := range src.keys {
		o.set(k, src.vals[i])
	}
	return o
}

// clone makes a shallow copy.
func (o *object) clone() *object {
	c := &object{keys: make([]string, len(o.keys)), vals: make([]any, len(o.vals))}
	if o.idx != nil {
		c.idx = make(map[string]int, len(o.idx))
		for k, v := range o.idx {
			c.idx[k] = v
		}
	}
	copy(c.keys, o.keys)
	copy(c.vals, o.vals)
	return c
}

// jsGet reads property k of v (undefined unless v is an object).
func jsGet(v any, k string) any {
	if o, ok := v.(*object); ok {
		return o.get(k)
	}
	return undefined
}

// truthy implements JS ToBoolean.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil, undefinedType:
		return false
	case bool:
		return x
	case float64:
		return x != 0 && !math.IsNaN(x)
	case string:
		return x != ""
	default:
		return true
	}
}

// or implements a || b.
func or(a, b any) any {
	if truthy(a) {
		return a
	}
	return b
}

// nullish implements a ?? b.
func nullish(a, b any) any {
	switch a.(type) {
	case nil, undefinedType:
		return b
	}
	return a
}

// isNullish reports whether v is null or undefined.
func isNullish(v any) bool {
	switch v.(type) {
	case nil, undefinedType:
		return true
	}
	return false
}

// jsLength returns v.length for arrays and strings (UTF-16 units), and
// false for other values.
func jsLength(v any) (int, bool) {
	switch x := v.(type) {
	case []any:
		return len(x), true
	case string:
		return utf16Len(x), true
	}
	return 0, false
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// jsSpread implements [...v]: arrays give their elements, strings their
// code points. Other values are not iterable and give an error.
func jsSpread(v any) ([]any, bool) {
	switch x := v.(type) {
	case []any:
		return x, true
	case string:
		out := make([]any, 0, len(x))
		for _, r := range x {
			out = append(out, string(r))
		}
		return out, true
	}
	return nil, false
}

// jsConcat implements [first...].concat(v).
func jsConcat(first []any, v any) []any {
	out := append([]any{}, first...)
	if arr, ok := v.([]any); ok {
		return append(out, arr...)
	}
	return append(out, v)
}

// jsIndex0 implements v[0].
func jsIndex0(v any) any {
	switch x := v.(type) {
	case []any:
		if len(x) > 0 {
			return x[0]
		}
	case string:
		if x != "" {
			r, _ := utf8.DecodeRuneInString(x)
			if r >= 0x10000 {
				return undefined // a lone surrogate; never equal to a GraphQL name
			}
			return string(r)
		}
	}
	return undefined
}

// strictEqual implements a === b for primitive values.
func strictEqual(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case undefinedType:
		_, ok := b.(undefinedType)
		return ok
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case *object:
		y, ok := b.(*object)
		return ok && x == y
	}
	return false
}

// deepCopyJSON implements JSON.parse(JSON.stringify(v)).
func deepCopyJSON(v any) any {
	switch x := v.(type) {
	case *object:
		c := newObject()
		for i, k := range x.keys {
			switch x.vals[i].(type) {
			case undefinedType:
				continue
			}
			c.set(k, deepCopyJSON(x.vals[i]))
		}
		return c
	case []any:
		c := make([]any, len(x))
		for i, e := range x {
			c[i] = deepCopyJSON(e)
		}
		return c
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
		return x
	case undefinedType:
		return nil
	}
	return v
}

// jsonCompact implements JSON.stringify(v).
func jsonCompact(v any) string {
	var b strings.Builder
	writeJSON(&b, v, "", "")
	return b.String()
}

// jsonCompactTo appends JSON.stringify(v) to b.
func jsonCompactTo(b *strings.Builder, v any) { writeJSON(b, v, "", "") }

// jsonIndent implements JSON.stringify(v, null, indent).
func jsonIndent(v any, indent string) string {
	var b strings.Builder
	b.Grow(1 << 16)
	writeJSON(&b, v, indent, "")
	return b.String()
}

// indentCache holds "", indent, indent+indent, ... for the common indent.
var indentCache = func() []string {
	out := make([]string, 32)
	for i := range out {
		out[i] = strings.Repeat("    ", i)
	}
	return out
}()

// nextIndent returns cur+indent, reusing cached strings for 4-space indents.
func nextIndent(cur, indent string) string {
	if indent == "    " && len(cur)%4 == 0 && len(cur)/4+1 < len(indentCache) {
		return indentCache[len(cur)/4+1]
	}
	return cur + indent
}

func writeJSON(b *strings.Builder, v any, indent, cur string) {
	switch x := v.(type) {
	case nil, undefinedType:
		b.WriteString("null")
	case bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			b.WriteString("null")
		} else {
			b.WriteString(jsNumber(x))
		}
	case string:
		writeJSONString(b, x)
	case []any:
		if len(x) == 0 {
			b.WriteString("[]")
			return
		}
		inner := nextIndent(cur, indent)
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			if indent != "" {
				b.WriteByte('\n')
				b.WriteString(inner)
			}
			writeJSON(b, e, indent, inner)
		}
		if indent != "" {
			b.WriteByte('\n')
			b.WriteString(cur)
		}
		b.WriteByte(']')
	case *object:
		inner := nextIndent(cur, indent)
		n := 0
		for i, k := range x.keys {
			if _, u := x.vals[i].(undefinedType); u {
				continue
			}
			if n == 0 {
				b.WriteByte('{')
			} else {
				b.WriteByte(',')
			}
			n++
			if indent != "" {
				b.WriteByte('\n')
				b.WriteString(inner)
			}
			writeJSONString(b, k)
			b.WriteByte(':')
			if indent != "" {
				b.WriteByte(' ')
			}
			writeJSON(b, x.vals[i], indent, inner)
		}
		if n == 0 {
			b.WriteString("{}")
			return
		}
		if indent != "" {
			b.WriteByte('\n')
			b.WriteString(cur)
		}
		b.WriteByte('}')
	default:
		panic("modelgen: unexpected value in JSON output")
	}
}

const hexDigits = "0123456789abcdef"

// writeJSONString quotes s as JSON.stringify does (no HTML escaping).
func writeJSONString(b *strings.Builder, s string) {
	b.WriteByte('"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		var esc string
		switch c {
		case '"':
			esc = `\"`
		case '\\':
			esc = `\\`
		case '\b':
			esc = `\b`
		case '\f':
			esc = `\f`
		case '\n':
			esc = `\n`
		case '\r':
			esc = `\r`
		case '\t':
			esc = `\t`
		default:
			if c < 0x20 {
				esc = `\u00` + string(hexDigits[c>>4]) + string(hexDigits[c&0xf])
			}
		}
		if esc != "" {
			b.WriteString(s[start:i])
			b.WriteString(esc)
			start = i + 1
		}
	}
	b.WriteString(s[start:])
	b.WriteByte('"')
}

// jsNumber formats f as JS Number.prototype.toString does.
func jsNumber(f float64) string {
	if f == 0 {
		return "0"
	}
	if math.IsNaN(f) {
		return "NaN"
	}
	if math.IsInf(f, 1) {
		return "Infinity"
	}
	if math.IsInf(f, -1) {
		return "-Infinity"
	}
	sign := ""
	if f < 0 {
		sign = "-"
		f = -f
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // d.ddddde±XX
	mant, expStr, _ := strings.Cut(e, "e")
	digits := strings.Replace(mant, ".", "", 1)
	exp, _ := strconv.Atoi(expStr)
	k := len(digits)
	n := exp + 1
	switch {
	case k <= n && n <= 21:
		return sign + digits + strings.Repeat("0", n-k)
	case 0 < n && n <= 21:
		return sign + digits[:n] + "." + digits[n:]
	case -6 < n && n <= 0:
		return sign + "0." + strings.Repeat("0", -n) + digits
	}
	es := "+"
	if n-1 < 0 {
		es = "-"
	}
	ev := n - 1
	if ev < 0 {
		ev = -ev
	}
	if k == 1 {
		return sign + digits + "e" + es + strconv.Itoa(ev)
	}
	return sign + digits[:1] + "." + digits[1:] + "e" + es + strconv.Itoa(ev)
}
