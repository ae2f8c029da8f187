package api

import (
	"encoding/json"
	"unicode/utf8"
)

// The helpers of the generated AppendJSON methods (encode_gen.go).

// appendKey appends a member's `"name":`, after a comma unless it is the first member of
// the object that starts at start.
func appendKey(b []byte, start int, key string) []byte {
	if len(b) > start {
		b = append(b, ',')
	}
	return append(b, key...)
}

// appendMarshal appends what encoding/json makes of v (values with their own rules:
// timestamps, doubles).
func appendMarshal(b []byte, v any) ([]byte, error) {
	out, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, out...), nil
}

const hexDigits = "0123456789abcdef"

// plainJSON[c] reports whether appendString copies the byte c as it is: ASCII from 0x20 up,
// but '"', '\\' and the HTML-escaped '<', '>' and '&'. One table load per byte in place of
// six comparisons.
var plainJSON = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// escapedWord reports whether a word of 8 bytes holds one that appendString does not copy
// as it is (!plainJSON): 0x80 or above, under 0x20, or one of '"', '\\', '<', '>', '&'. With
// every byte under 0x80, (x - n*ones) & ^x & highs is non-zero exactly when a byte of x is
// under n; a byte equal to c is one under 1 after the XOR with c.
func escapedWord(x uint64) bool {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	q, bs, lt, gt, amp := x^(0x22*ones), x^(0x5C*ones), x^(0x3C*ones), x^(0x3E*ones), x^(0x26*ones)
	return (x|(x-0x20*ones)&^x|(q-ones)&^q|(bs-ones)&^bs|(lt-ones)&^lt|(gt-ones)&^gt|(amp-ones)&^amp)&highs != 0
}

// appendString appends s as a JSON string exactly as encoding/json.Marshal does: '"' and
// '\\' escaped, control characters as \b \f \n \r \t or \u00XX, '<', '>' and '&' as
// \u003c \u003e \u0026 (HTML-safe), U+2028 and U+2029 escaped, and each byte of invalid
// UTF-8 replaced by \ufffd.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if i+8 <= len(s) {
			w := s[i : i+8] // eight bytes at a time while none needs escaping (one load)
			x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
				uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
			if !escapedWord(x) {
				i += 8
				continue
			}
		}
		c := s[i]
		if plainJSON[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
