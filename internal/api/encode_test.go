package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

type jsonAppender interface {
	AppendJSON(b []byte) ([]byte, error)
}

// TestAppendJSONMatchesEncodingJSON fills every structure of the model with random values
// (absent and empty members, nested lists and structures, strings with every kind of
// character encoding/json escapes) and holds the generated encoder to json.Marshal's bytes.
func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, v := range structures() {
		name := reflect.TypeOf(v).Elem().Name()
		for i := range 200 {
			fill(rng, reflect.ValueOf(v).Elem(), 0)
			want, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("%s: json.Marshal: %v", name, err)
			}
			got, err := v.(jsonAppender).AppendJSON(nil)
			if err != nil {
				t.Fatalf("%s: AppendJSON: %v", name, err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("%s, value %d:\nAppendJSON   %s\njson.Marshal %s", name, i, got, want)
			}
		}
	}
}

// TestAppendStringMatchesEncodingJSON checks the string escaper on every single byte and
// on tricky runes, alone and surrounded.
func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	var cases []string
	for c := range 256 {
		cases = append(cases, string([]byte{byte(c)}), "a"+string([]byte{byte(c)})+"b")
		// Every position of strings long enough for the eight-bytes-at-a-time check.
		for n := 8; n <= 17; n++ {
			for pos := range n {
				cases = append(cases, strings.Repeat("a", pos)+string([]byte{byte(c)})+strings.Repeat("b", n-pos-1))
			}
		}
	}
	cases = append(cases, "", "\u2028", "\u2029", "x\u2028y\u2029z", "héllo wörld", "日本語", "😀",
		"\xed\xa0\x80", "\xf4\x90\x80\x80", "a\xffb", `<script>&"\`, "\x7f")
	for _, s := range cases {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("appendString(%q) = %s; json.Marshal %s", s, got, want)
		}
	}
}

// pieces are the parts random strings are made of.
var pieces = []string{"a", "Z", "0", " ", "\"", "\\", "/", "<", ">", "&", "\n", "\t", "\x00", "\x1f", "\x7f",
	"é", "日", "😀", "\u2028", "\u2029", "\xff", "\xc3", "{", "}", ","}

func fill(rng *rand.Rand, v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.Pointer:
		if rng.IntN(5) == 0 || depth > 6 {
			v.SetZero()
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(rng, v.Elem(), depth+1)
	case reflect.Struct:
		switch v.Interface().(type) {
		case ISO8601Time, UnixTime:
			ts := time.Unix(rng.Int64N(4e9), rng.Int64N(1e9)).UTC()
			v.Set(reflect.ValueOf(ts).Convert(v.Type()))
			return
		}
		for i := range v.NumField() {
			fill(rng, v.Field(i), depth+1)
		}
	case reflect.Slice:
		if rng.IntN(4) == 0 || depth > 6 {
			v.SetZero()
			return
		}
		n := rng.IntN(4)
		v.Set(reflect.MakeSlice(v.Type(), n, n))
		for i := range n {
			fill(rng, v.Index(i), depth+1)
		}
	case reflect.String:
		var s string
		for range rng.IntN(8) {
			s += pieces[rng.IntN(len(pieces))]
		}
		v.SetString(s)
	case reflect.Int64:
		v.SetInt(rng.Int64() - rng.Int64())
	case reflect.Bool:
		v.SetBool(rng.IntN(2) == 0)
	case reflect.Float64:
		v.SetFloat([]float64{0, 1.5, -2, 1e21, 1e-7, 123456789.125, rng.NormFloat64() * 1e6}[rng.IntN(7)])
	default:
		panic(fmt.Sprintf("fill: kind %s", v.Kind()))
	}
}

// BenchmarkEncode compares the generated encoder with encoding/json on GetBackendJob's
// response, the answer clients poll.
func BenchmarkEncode(b *testing.B) {
	str := func(v string) *string { return &v }
	v := &GetBackendJobResponse{AppId: str("benchapp"), BackendEnvironmentName: str("prod"), CreateTime: str("1763791200000"),
		UpdateTime: str("1763791200000"), JobId: str("8b0c62fb-54b0-4a5c-8e3e-2f0d7d5c3a11"), Operation: str("CreateBackend"), Status: str("COMPLETED")}
	b.Run("encoding/json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("AppendJSON", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.AppendJSON(make([]byte, 0, 256)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
