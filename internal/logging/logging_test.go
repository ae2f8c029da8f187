package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// records covers what the fast path formats (every kind it takes, strings that need quoting
// or escaping, floats in every notation) and what it hands to slog (errors, groups, NaN).
func records() []slog.Record {
	at := time.Date(2026, 12, 4, 14, 31, 58, 123456789, time.UTC)
	zone := time.FixedZone("X", -5*3600)
	mk := func(t time.Time, level slog.Level, msg string, attrs ...slog.Attr) slog.Record {
		r := slog.NewRecord(t, level, msg, 0)
		r.AddAttrs(attrs...)
		return r
	}
	return []slog.Record{
		mk(at, slog.LevelInfo, "request", append(accessAttrs(nil), slog.String("errorType", "NotFoundException"))...),
		mk(at.In(zone), slog.LevelWarn+2, "odd = \"text\"\n",
			slog.String("empty", ""),
			slog.String("space", "a b"),
			slog.String("eq", "a=b"),
			slog.String("quote", `say "hi"`),
			slog.String("backslash", `C:\dir`),
			slog.String("control", "tab\tnl\nbell\a"),
			slog.String("unicode", "héllo wörld ✓"),
			slog.String("nbsp", "a\u00a0b"),
			slog.String("separators", "a\u2028b\u2029c"),
			slog.String("invalid", "bad\xffutf8"),
			slog.String("html", "<a href='x'>&</a>"),
			slog.String("k y", "key with space")),
		mk(at, slog.LevelDebug, "numbers",
			slog.Int64("neg", -42),
			slog.Uint64("big", 1<<63),
			slog.Float64("zero", 0),
			slog.Float64("tiny", 1.5e-7),
			slog.Float64("small", 0.00001),
			slog.Float64("huge", 3e21),
			slog.Float64("int", 12),
			slog.Float64("third", 1.0/3),
			slog.Bool("yes", true),
			slog.Duration("d", 1500*time.Microsecond),
			slog.Time("t", at.Add(time.Hour))),
		mk(time.Time{}, slog.LevelError, "no time", slog.Int("n", 1)),
		// The slow path: slog formats these.
		mk(at, slog.LevelError, "internal error", slog.Any("err", errors.New("disk on fire"))),
		mk(at, slog.LevelInfo, "empty key", slog.String("", "dropped by slog"), slog.Int("n", 1)),
		mk(at, slog.LevelInfo, "group", slog.Group("g", slog.Int("a", 1), slog.String("b", "x y"))),
		mk(at, slog.LevelInfo, "any", slog.Float64("f", 0), slog.Any("struct", struct{ A int }{1})),
	}
}

// fastRecords is how many of records() the fast path formats (the first ones).
const fastRecords = 4

// The Handler's lines are slog's own, byte for byte, in both formats.
func TestSameAsSlog(t *testing.T) {
	for i, r := range records() {
		if got, want := fast(r), i < fastRecords; got != want {
			t.Errorf("record %d (%s): fast path %v, want %v", i, r.Message, got, want)
		}
	}
	for _, json := range []bool{false, true} {
		for i, r := range records() {
			var want, got bytes.Buffer
			opts := &slog.HandlerOptions{Level: slog.LevelDebug}
			var ref slog.Handler = slog.NewTextHandler(&want, opts)
			if json {
				ref = slog.NewJSONHandler(&want, opts)
			}
			h := New(&got, Options{Level: slog.LevelDebug, JSON: json})
			if err := ref.Handle(context.Background(), r.Clone()); err != nil {
				t.Fatal(err)
			}
			if err := h.Handle(context.Background(), r.Clone()); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Errorf("json=%v record %d:\n got %s\nwant %s", json, i, got.String(), want.String())
			}
		}
	}
}

// HandleAttrs writes what Handle writes for the same record, in both formats and below or
// above the level, for what the fast path takes and for what it hands to slog.
func TestHandleAttrsSameAsHandle(t *testing.T) {
	for _, json := range []bool{false, true} {
		for i, r := range records() {
			var want, got bytes.Buffer
			opts := Options{Level: slog.LevelInfo, JSON: json}
			if err := New(&want, opts).Handle(context.Background(), r.Clone()); err != nil {
				t.Fatal(err)
			}
			if r.Level < slog.LevelInfo {
				want.Reset() // Handle is called only when Enabled; HandleAttrs checks itself
			}
			var attrs []slog.Attr
			r.Attrs(func(a slog.Attr) bool { attrs = append(attrs, a); return true })
			if err := New(&got, opts).HandleAttrs(context.Background(), r.Time, r.Level, r.Message, attrs); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Errorf("json=%v record %d:\n got %s\nwant %s", json, i, got.String(), want.String())
			}
		}
	}
}

// accessAttrs appends the attributes of an access-log line (internal/httpapi's) to dst.
func accessAttrs(dst []slog.Attr) []slog.Attr {
	return append(dst,
		slog.String("requestId", "2c1e0d7e-1b1a-4f5e-9a53-2a3f1c0d9e8b"),
		slog.String("method", "GET"),
		slog.String("path", "/backend/benchapp/job/prod/2c1e0d7e-1b1a-4f5e-9a53-2a3f1c0d9e8b"),
		slog.String("operation", "GetBackendJob"),
		slog.String("account", "123456789012"),
		slog.String("region", "us-east-1"),
		slog.Int("status", 200),
		slog.Float64("duration_ms", 0.153))
}

// The access log's line through HandleAttrs allocates nothing: the attributes stay in the
// caller's array, and the line is formatted into a pooled buffer.
func TestHandleAttrsDoesNotAllocate(t *testing.T) {
	at := time.Date(2026, 12, 4, 14, 31, 58, 123456789, time.UTC)
	for _, json := range []bool{false, true} {
		h := New(io.Discard, Options{JSON: json, FlushAfter: time.Hour})
		n := testing.AllocsPerRun(200, func() {
			var array [10]slog.Attr
			h.HandleAttrs(context.Background(), at, slog.LevelInfo, "request", accessAttrs(array[:0]))
		})
		if n != 0 {
			t.Errorf("json=%v: %v allocations per line", json, n)
		}
	}
}

// WithAttrs and WithGroup keep slog's behaviour, and share the output.
func TestDerivedHandlers(t *testing.T) {
	var want, got bytes.Buffer
	ref := slog.New(slog.NewTextHandler(&want, nil)).With("component", "jobs").WithGroup("g")
	h := slog.New(New(&got, Options{})).With("component", "jobs").WithGroup("g")
	for _, l := range []*slog.Logger{ref, h} {
		l.LogAttrs(context.Background(), slog.LevelInfo, "claimed", slog.Int("n", 3))
	}
	strip := func(s string) string { return s[strings.Index(s, " level="):] } // the times differ
	if strip(got.String()) != strip(want.String()) {
		t.Errorf("got %q\nwant %q", got.String(), want.String())
	}
}

// lockedWriter counts the writes that reach the output.
type lockedWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	writes int
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writes++
	return w.buf.Write(p)
}

func (w *lockedWriter) state() (string, int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String(), w.writes
}

// With FlushAfter, lines wait and leave in one write: after the delay, at once for a warning
// (with the lines before it, in order), on Flush, or when 64 KiB gather.
func TestBuffered(t *testing.T) {
	out := &lockedWriter{}
	log := slog.New(New(out, Options{FlushAfter: time.Hour}))
	log.Info("one", "n", 1)
	log.Info("two", "n", 2)
	if s, n := out.state(); n != 0 || s != "" {
		t.Fatalf("lines written before the delay: %d writes, %q", n, s)
	}
	log.Warn("three")
	s, n := out.state()
	if n != 1 || strings.Count(s, "\n") != 3 || !(strings.Index(s, "one") < strings.Index(s, "two") && strings.Index(s, "two") < strings.Index(s, "three")) {
		t.Fatalf("after a warning: %d writes, %q; want the three lines in order, in one write", n, s)
	}
	log.Info(strings.Repeat("x", flushAt))
	if _, n := out.state(); n != 2 {
		t.Errorf("a full buffer was not written: %d writes", n)
	}

	out = &lockedWriter{}
	h := New(out, Options{FlushAfter: time.Millisecond})
	slog.New(h).Info("later")
	deadline := time.Now().Add(10 * time.Second)
	for {
		if s, _ := out.state(); strings.Contains(s, "later") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the timer never flushed the line")
		}
		time.Sleep(time.Millisecond)
	}
	slog.New(h).Info("flushed")
	if err := h.Flush(); err != nil {
		t.Fatal(err)
	}
	if s, _ := out.state(); !strings.Contains(s, "flushed") {
		t.Errorf("Flush left the line in the buffer: %q", s)
	}
}

// BenchmarkAccessLine is the access log's line through slog.Logger, to the handler that
// formats it: slog's handlers against this one. bench/run.sh records allocs per line.
func BenchmarkAccessLine(b *testing.B) {
	handlers := []struct {
		name string
		h    slog.Handler
	}{
		{"slog.TextHandler", slog.NewTextHandler(io.Discard, nil)},
		{"slog.JSONHandler", slog.NewJSONHandler(io.Discard, nil)},
		{"logging/text", New(io.Discard, Options{})},
		{"logging/json", New(io.Discard, Options{JSON: true})},
		{"logging/text,buffered", New(io.Discard, Options{FlushAfter: 100 * time.Millisecond})},
	}
	b.Run("logging/text,HandleAttrs", func(b *testing.B) {
		h := New(io.Discard, Options{})
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			var array [10]slog.Attr
			h.HandleAttrs(ctx, time.Now(), slog.LevelInfo, "request", accessAttrs(array[:0]))
		}
	})
	for _, c := range handlers {
		b.Run(c.name, func(b *testing.B) {
			log := slog.New(c.h)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				var array [10]slog.Attr
				log.LogAttrs(ctx, slog.LevelInfo, "request", accessAttrs(array[:0])...)
			}
		})
	}
}

// One handler writing many lines: the remembered second serves lines of the same second
// and zone only, and each line is still slog's.
func TestTimeCacheSameAsSlog(t *testing.T) {
	var want, got bytes.Buffer
	ref := slog.NewTextHandler(&want, nil)
	h := New(&got, Options{})
	base := time.Date(2026, 12, 4, 23, 59, 59, 0, time.UTC)
	times := []time.Time{
		base, base.Add(time.Millisecond), base.Add(999999999), base.Add(time.Second + 5*time.Millisecond),
		base.Add(time.Second + 5*time.Millisecond).In(time.FixedZone("E", 3600)), base.Add(time.Second).In(time.FixedZone("W", -9000)),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), // past the year 9999
	}
	for _, at := range times {
		r := slog.NewRecord(at, slog.LevelInfo, "tick", 0)
		r.AddAttrs(slog.Int("n", 1))
		if err := ref.Handle(context.Background(), r.Clone()); err != nil {
			t.Fatal(err)
		}
		if err := h.Handle(context.Background(), r.Clone()); err != nil {
			t.Fatal(err)
		}
	}
	if got.String() != want.String() {
		t.Errorf("got\n%s\nwant\n%s", got.String(), want.String())
	}
}

// needsQuoting's eight-bytes-at-once check agrees with slog's text handler (the oracle: does
// it quote the value?) with each special character at every position of strings that span
// one to three words.
func TestNeedsQuoting(t *testing.T) {
	slogQuotes := func(s string) bool {
		var buf bytes.Buffer
		slog.New(slog.NewTextHandler(&buf, nil)).Info("", "k", s)
		return strings.Contains(buf.String(), ` k="`)
	}
	specials := []string{" ", "=", "\"", "\t", "\n", "\x00", "\x1f", "!", "\\", "~", "\x7f", "é", "\u00a0", "\u2028", "\xff", "<", "&"}
	for n := 1; n <= 20; n++ {
		for pos := 0; pos < n; pos++ {
			for _, c := range specials {
				s := strings.Repeat("a", pos) + c + strings.Repeat("b", n-pos-1)
				if got, want := needsQuoting(s), slogQuotes(s); got != want {
					t.Errorf("needsQuoting(%q) = %v, slog quotes: %v", s, got, want)
				}
			}
		}
	}
	if !needsQuoting("") || needsQuoting("plain-ASCII_value/with:punctuation.0123456789") {
		t.Error("the empty string is quoted, plain ASCII is not")
	}
}

// appendMillis writes what strconv writes, in slog's text ('g') and JSON ('f') formats, for
// every whole number of thousandths up to 2,000,000 and for sampled ones up to the limit,
// and declines everything else.
func TestAppendMillisSameAsStrconv(t *testing.T) {
	check := func(f float64) {
		t.Helper()
		got, ok := appendMillis(nil, f)
		if !ok {
			return
		}
		if g := strconv.FormatFloat(f, 'g', -1, 64); string(got) != g {
			t.Fatalf("appendMillis(%v) = %s, strconv 'g' %s", f, got, g)
		}
		if j := string(appendJSONFloatSlow(f)); string(got) != j {
			t.Fatalf("appendMillis(%v) = %s, encoding/json %s", f, got, j)
		}
	}
	for n := int64(0); n <= 2_000_000; n++ {
		if _, ok := appendMillis(nil, float64(n)/1000); !ok {
			t.Fatalf("appendMillis(%d/1000) declined", n)
		}
		check(float64(n) / 1000)
	}
	for n := int64(1); n < 1_000_000_000; n += 7919 {
		check(float64(n) / 1000)
	}
	for _, f := range []float64{0.0005, 0.1234, 1e-7, 999999.9995, 1e6, 1e21, -0.5, math.Copysign(0, -1), math.NaN(), math.Inf(1), 0.1 + 0.2} {
		got, ok := appendMillis(nil, f)
		if ok && (string(got) != strconv.FormatFloat(f, 'g', -1, 64) || math.Signbit(f)) {
			t.Errorf("appendMillis(%v) = %s", f, got)
		}
	}
}

// appendJSONFloatSlow is appendJSONFloat without the thousandths path: encoding/json's
// rules.
func appendJSONFloatSlow(f float64) []byte {
	b, _ := json.Marshal(f)
	return b
}
