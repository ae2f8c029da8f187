package amplify

import (
	"fmt"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// checkNameSlow is CheckName's verdict without the printable-ASCII fast path.
func checkNameSlow(value string) bool {
	if value == "" || len(value) > MaxNameLength || !utf8.ValidString(value) || value == "." || value == ".." {
		return false
	}
	for _, r := range value {
		if r == '/' || unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// TestCheckNameFastPath holds CheckName's fast path to the rune-by-rune rule: every byte
// alone, between letters and repeated, and some multi-byte and edge values.
func TestCheckNameFastPath(t *testing.T) {
	values := []string{".", "..", "...", "a.b", "é", "\u0085", "a\u009fb", "\u2028", "x\xffy", strings.Repeat("a", 255), strings.Repeat("a", 256)}
	for b := 0; b < 256; b++ {
		c := string([]byte{byte(b)})
		values = append(values, c, "a"+c+"z", c+c)
		// Every position of strings long enough for the eight-bytes-at-a-time check.
		for n := 8; n <= 17; n++ {
			for pos := range n {
				values = append(values, strings.Repeat("a", pos)+c+strings.Repeat("z", n-pos-1))
			}
		}
	}
	for _, v := range values {
		err := CheckName("appId", v)
		if ok := err == nil; ok != checkNameSlow(v) {
			t.Errorf("CheckName(%q) = %v, want ok=%v", v, err, checkNameSlow(v))
		}
		if err != nil && !strings.Contains(err.Error(), "appId") {
			t.Errorf("CheckName(%q) = %v: the member is not named", v, fmt.Sprint(err))
		}
	}
}
