// Package logging is the program's slog.Handler: slog's own text and JSON formats, byte for
// byte, written cheaply enough for one access-log line per request.
//
// A record whose attributes are all strings, numbers, booleans, durations or times (the
// access log's are) is formatted here, into a pooled buffer, without slog's per-attribute
// machinery; any other record (groups, errors, LogValuers, a handler with WithAttrs or
// WithGroup) is formatted by slog's TextHandler or JSONHandler. Both reach the output through
// one sink, which can hold lines for a moment and write them in one system call: under load,
// one write(2) per request costs more than formatting the line.
package logging

import (
	"context"
	"io"
	"log/slog"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"
)

// Options configure a Handler.
type Options struct {
	// Level is the minimum level logged (slog.LevelInfo when nil).
	Level slog.Leveler
	// JSON selects slog's JSON format instead of its text format.
	JSON bool
	// FlushAfter, when positive, lets lines wait in a buffer up to this long (or until 64 KiB
	// gather) before one write; records at WARN and above, and Flush, write at once. Zero
	// writes every line when it is logged.
	FlushAfter time.Duration
}

// Handler is an slog.Handler writing slog's text or JSON format.
type Handler struct {
	opts Options
	sink *sink
	// slow formats what the fast path does not; derived marks a handler made by WithAttrs or
	// WithGroup, whose records all take the slow path.
	slow    slog.Handler
	derived bool
}

var _ slog.Handler = (*Handler)(nil)

// New returns a Handler writing to w.
func New(w io.Writer, opts Options) *Handler {
	if opts.Level == nil {
		opts.Level = slog.LevelInfo
	}
	s := &sink{out: w, delay: opts.FlushAfter}
	if s.delay > 0 {
		s.timer = time.AfterFunc(time.Hour, s.flushTimer)
		s.timer.Stop()
	}
	ho := &slog.HandlerOptions{Level: opts.Level}
	h := &Handler{opts: opts, sink: s}
	if opts.JSON {
		h.slow = slog.NewJSONHandler(s, ho)
	} else {
		h.slow = slog.NewTextHandler(s, ho)
	}
	return h
}

// Enabled implements slog.Handler.
func (h *Handler) Enabled(_ context.Context, level slog.Level) bool {
	return level >= h.opts.Level.Level()
}

// WithAttrs implements slog.Handler.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &Handler{opts: h.opts, sink: h.sink, slow: h.slow.WithAttrs(attrs), derived: true}
}

// WithGroup implements slog.Handler.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{opts: h.opts, sink: h.sink, slow: h.slow.WithGroup(name), derived: true}
}

// Handle implements slog.Handler.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	var err error
	ok := false
	if !h.derived && r.NumAttrs() <= maxFastAttrs {
		var array [maxFastAttrs]slog.Attr
		attrs := array[:0]
		r.Attrs(func(a slog.Attr) bool {
			attrs = append(attrs, a)
			return true
		})
		ok, err = h.format(r.Time, r.Level, r.Message, attrs)
	}
	if !ok {
		err = h.slow.Handle(ctx, r)
	}
	return h.flushAt(r.Level, err)
}

// HandleAttrs logs what Handle logs for a record of t, level, msg and attrs, with no
// slog.Record: a record holds five attributes inline and allocates for more, and the access
// log's line has eight to ten. It does not keep attrs. Callers on a hot path hold the
// concrete *Handler and pass a slice of an array on their stack.
func (h *Handler) HandleAttrs(ctx context.Context, t time.Time, level slog.Level, msg string, attrs []slog.Attr) error {
	if !h.Enabled(ctx, level) {
		return nil
	}
	var err error
	ok := false
	if !h.derived {
		ok, err = h.format(t, level, msg, attrs)
	}
	if !ok {
		r := slog.NewRecord(t, level, msg, 0)
		r.AddAttrs(attrs...)
		err = h.slow.Handle(ctx, r)
	}
	return h.flushAt(level, err)
}

// format writes the line through the fast path, or reports that it cannot (ok false, and
// nothing written): the fast path formats as it checks, and a record it cannot take is
// dropped half-way and handed to slog whole.
func (h *Handler) format(t time.Time, level slog.Level, msg string, attrs []slog.Attr) (ok bool, err error) {
	bp := bufPool.Get().(*[]byte)
	var b []byte
	if h.opts.JSON {
		b, ok = appendJSON((*bp)[:0], t, level, msg, attrs)
	} else {
		b, ok = appendText((*bp)[:0], t, level, msg, attrs, &h.sink.times)
	}
	if ok {
		_, err = h.sink.Write(b)
	}
	if cap(b) <= 16<<10 { // do not keep a huge line's buffer
		*bp = b
		bufPool.Put(bp)
	}
	return ok, err
}

// maxFastAttrs bounds the attributes of a record the fast path takes: they are copied to an
// array on the stack.
const maxFastAttrs = 16

// flushAt writes the waiting lines at once after a record at WARN or above.
func (h *Handler) flushAt(level slog.Level, err error) error {
	if level >= slog.LevelWarn {
		if ferr := h.sink.Flush(); err == nil {
			err = ferr
		}
	}
	return err
}

// Flush writes the lines waiting in the buffer.
func (h *Handler) Flush() error { return h.sink.Flush() }

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// fast reports whether every attribute of r is of a kind the fast path formats exactly as
// slog does.
func fast(r slog.Record) bool {
	ok := true
	r.Attrs(func(a slog.Attr) bool {
		ok = fastAttr(a)
		return ok
	})
	return ok
}

func fastAttr(a slog.Attr) bool {
	if a.Key == "" {
		return false // slog drops empty attributes
	}
	switch a.Value.Kind() {
	case slog.KindString, slog.KindInt64, slog.KindUint64, slog.KindBool, slog.KindDuration, slog.KindTime:
		return true
	case slog.KindFloat64:
		f := a.Value.Float64()
		return !math.IsNaN(f) && !math.IsInf(f, 0) // slog's JSON writes an error for these
	}
	return false
}

// appendText formats a record (its time, level, message and attributes) as slog.TextHandler
// does, or reports that it cannot (!fast(r)).
func appendText(b []byte, t time.Time, level slog.Level, msg string, attrs []slog.Attr, times *timeCache) ([]byte, bool) {
	if !t.IsZero() {
		b = append(b, "time="...)
		b = times.appendRFC3339Millis(b, t.Round(0))
		b = append(b, ' ')
	}
	b = append(b, "level="...)
	b = appendTextString(b, level.String())
	b = append(b, " msg="...)
	b = appendTextString(b, msg)
	for _, a := range attrs {
		if !fastAttr(a) {
			return b, false
		}
		b = append(b, ' ')
		b = appendTextString(b, a.Key)
		b = append(b, '=')
		switch v := a.Value; v.Kind() {
		case slog.KindString:
			b = appendTextString(b, v.String())
		case slog.KindInt64:
			b = strconv.AppendInt(b, v.Int64(), 10)
		case slog.KindUint64:
			b = strconv.AppendUint(b, v.Uint64(), 10)
		case slog.KindFloat64:
			b = appendTextFloat(b, v.Float64())
		case slog.KindBool:
			b = strconv.AppendBool(b, v.Bool())
		case slog.KindDuration:
			b = appendTextString(b, v.Duration().String())
		case slog.KindTime:
			b = appendRFC3339Millis(b, v.Time())
		}
	}
	return append(b, '\n'), true
}

// appendJSON formats a record as slog.JSONHandler does, or reports that it cannot
// (!fast(r)).
func appendJSON(b []byte, t time.Time, level slog.Level, msg string, attrs []slog.Attr) ([]byte, bool) {
	b = append(b, '{')
	if !t.IsZero() {
		b = append(b, `"time":"`...)
		b = t.Round(0).AppendFormat(b, time.RFC3339Nano)
		b = append(b, `",`...)
	}
	b = append(b, `"level":`...)
	b = appendJSONString(b, level.String())
	b = append(b, `,"msg":`...)
	b = appendJSONString(b, msg)
	for _, a := range attrs {
		if !fastAttr(a) {
			return b, false
		}
		b = append(b, ',')
		b = appendJSONString(b, a.Key)
		b = append(b, ':')
		switch v := a.Value; v.Kind() {
		case slog.KindString:
			b = appendJSONString(b, v.String())
		case slog.KindInt64:
			b = strconv.AppendInt(b, v.Int64(), 10)
		case slog.KindUint64:
			b = strconv.AppendUint(b, v.Uint64(), 10)
		case slog.KindFloat64:
			b = appendJSONFloat(b, v.Float64())
		case slog.KindBool:
			b = strconv.AppendBool(b, v.Bool())
		case slog.KindDuration:
			b = strconv.AppendInt(b, int64(v.Duration()), 10)
		case slog.KindTime:
			b = append(b, '"')
			b = v.Time().AppendFormat(b, time.RFC3339Nano)
			b = append(b, '"')
		}
	}
	return append(b, "}\n"...), true
}

// appendTextFloat writes f as slog's text format does (strconv's 'g', shortest).
func appendTextFloat(b []byte, f float64) []byte {
	if b, ok := appendMillis(b, f); ok {
		return b
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64)
}

// appendMillis writes f, when it is a whole number of thousandths from 0 to under 1e6 (the
// access log's duration_ms: microseconds over 1,000), as its shortest decimal: what strconv
// writes for it in 'g' and 'f' format alike, without the shortest-digits search. Thousandths
// are 0.001 apart and a float64 under 1e6 is exact to 1e-10, so no other decimal with at
// most three fractional digits is as close to f: this one is the shortest that reads back
// as f. ok is false, and nothing written, for any other f.
func appendMillis(b []byte, f float64) ([]byte, bool) {
	if !(f >= 0 && f < 1e6) || math.Signbit(f) {
		return b, false
	}
	n := int64(f*1000 + 0.5)
	if float64(n)/1000 != f {
		return b, false
	}
	b = strconv.AppendInt(b, n/1000, 10)
	if frac := n % 1000; frac != 0 {
		b = append(b, '.', byte('0'+frac/100), byte('0'+frac/10%10), byte('0'+frac%10))
		for b[len(b)-1] == '0' {
			b = b[:len(b)-1]
		}
	}
	return b, true
}

// appendJSONFloat writes f as encoding/json does (slog's JSON handler calls it): decimal
// notation from 1e-6 to 1e21, else an exponent without a leading zero.
func appendJSONFloat(b []byte, f float64) []byte {
	if b, ok := appendMillis(b, f); ok {
		return b
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1] // e-09 becomes e-9
			b = b[:n-1]
		}
	}
	return b
}

// timeCache remembers the text time format of the last second seen: lines of the same second
// (most of them, under load) copy its date and time and write only the milliseconds.
type timeCache struct {
	last atomic.Pointer[formattedSecond]
}

type formattedSecond struct {
	unix   int64
	loc    *time.Location
	prefix []byte // "2006-01-02T15:04:05."
	zone   []byte // "Z" or "-07:00"
}

func (c *timeCache) appendRFC3339Millis(b []byte, t time.Time) []byte {
	sec, loc := t.Unix(), t.Location()
	f := c.last.Load()
	if f == nil || f.unix != sec || f.loc != loc {
		full := appendRFC3339Millis(nil, t)
		const dot = len("2006-01-02T15:04:05.")
		if len(full) < dot+3 || full[dot-1] != '.' { // a year past 9999: no shortcut
			return append(b, full...)
		}
		f = &formattedSecond{unix: sec, loc: loc, prefix: full[:dot], zone: full[dot+3:]}
		c.last.Store(f)
	}
	ms := t.Nanosecond() / 1e6
	b = append(b, f.prefix...)
	b = append(b, byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
	return append(b, f.zone...)
}

// appendRFC3339Millis is slog's text time format: RFC 3339 with exactly three decimals.
func appendRFC3339Millis(b []byte, t time.Time) []byte {
	const prefixLen = len("2006-01-02T15:04:05.000")
	n := len(b)
	t = t.Truncate(time.Millisecond).Add(time.Millisecond / 10)
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b[:n+prefixLen], b[n+prefixLen+1:]...) // drop the fourth decimal
}

// appendTextString writes s bare, or quoted (strconv.Quote) where slog's text format quotes.
func appendTextString(b []byte, s string) []byte {
	if needsQuoting(s) {
		return strconv.AppendQuote(b, s)
	}
	return append(b, s...)
}

// needsQuoting is slog's rule: quote an empty string, and one with a space, '=', '"', a
// control character, or a rune that is not printable. It is a fifth of the line's cost, so
// eight bytes at a time are first checked at once for anything but plain printable ASCII.
func needsQuoting(s string) bool {
	if len(s) == 0 {
		return true
	}
	if len(s) >= 4 && len(s) < 8 {
		// Keys and short values: the first four bytes and the last four (they overlap) as
		// one word.
		if x := load4(s[:4]) | load4(s[len(s)-4:])<<32; x&highs == 0 {
			return quotedWord(x)
		}
	}
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := load8(s[i : i+8])
		if x&highs != 0 {
			break // a byte of a multi-byte rune: the loop below decodes it
		}
		if quotedWord(x) {
			return true
		}
	}
	if i >= 8 && i < len(s) && len(s)-i < 8 {
		// The last bytes, read as the word that ends the string (it overlaps bytes already
		// checked, which passed): one check instead of one per byte.
		if x := load8(s[len(s)-8:]); x&highs == 0 {
			return quotedWord(x)
		}
	}
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if quotedASCII[c] {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return true
		}
		i += size
	}
	return false
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// load4 reads the 4 bytes of s as a little-endian word.
func load4(s string) uint64 {
	_ = s[3]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24
}

// load8 reads the 8 bytes of s as a little-endian word (the compiler makes it one load).
func load8(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// quotedWord reports whether a word of 8 ASCII bytes holds one that makes slog's text
// format quote (quotedASCII): under '!' (space, controls), '=' or '"'. With every byte under
// 0x80, (x - n*ones) & ^x & highs is non-zero exactly when a byte of x is under n; a byte
// equal to c is one under 1 after the XOR with c.
func quotedWord(x uint64) bool {
	eq, quote := x^(0x3D*ones), x^(0x22*ones)
	return ((x-0x21*ones)&^x|(eq-ones)&^eq|(quote-ones)&^quote)&highs != 0
}

// quotedASCII[c] reports whether the ASCII byte c makes slog's text format quote a string:
// a space or a control character below it, '=' or '"'. One table load per byte.
var quotedASCII = func() (t [utf8.RuneSelf]bool) {
	for c := range utf8.RuneSelf {
		t[c] = c <= ' ' || c == '=' || c == '"'
	}
	return t
}()

const hex = "0123456789abcdef"

// appendJSONString writes s as a JSON string, escaped as slog's JSON handler escapes it
// (encoding/json without HTML escaping).
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= ' ' && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
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
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// sink is where every line goes: straight to out, or through a buffer that a timer flushes.
type sink struct {
	out   io.Writer
	delay time.Duration
	timer *time.Timer
	times timeCache // shared by the handlers writing here

	mu    sync.Mutex
	buf   []byte
	armed bool
}

// flushAt is how much the buffer holds before it is written regardless of the delay.
const flushAt = 64 << 10

// Write takes one whole line (slog's handlers write each record in one call).
func (s *sink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.delay <= 0 {
		return s.out.Write(p)
	}
	s.buf = append(s.buf, p...)
	if len(s.buf) >= flushAt {
		return len(p), s.flushLocked()
	}
	if !s.armed {
		s.armed = true
		s.timer.Reset(s.delay)
	}
	return len(p), nil
}

// Flush writes what the buffer holds.
func (s *sink) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.flushLocked()
}

func (s *sink) flushTimer() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.armed = false
	s.flushLocked()
}

func (s *sink) flushLocked() error {
	if len(s.buf) == 0 {
		return nil
	}
	_, err := s.out.Write(s.buf)
	if cap(s.buf) > 4*flushAt {
		s.buf = nil // a burst of huge lines: do not keep its buffer
	} else {
		s.buf = s.buf[:0]
	}
	return err
}
