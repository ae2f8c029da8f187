package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"time"
)

// iso8601Layout is how ISO8601Time is written: UTC, milliseconds, "Z".
const iso8601Layout = "2006-01-02T15:04:05.000Z07:00"

// ISO8601Time is a timestamp written as a JSON string in ISO 8601 / RFC 3339 form with
// milliseconds, e.g. "2021-07-07T15:04:05.123Z" (model timestampFormat "iso8601").
type ISO8601Time time.Time

// Time returns t as a time.Time.
func (t ISO8601Time) Time() time.Time { return time.Time(t) }

// MarshalJSON writes t as an ISO 8601 string in UTC with milliseconds.
func (t ISO8601Time) MarshalJSON() ([]byte, error) {
	return strconv.AppendQuote(nil, time.Time(t).UTC().Format(iso8601Layout)), nil
}

// UnmarshalJSON reads an RFC 3339 string (fractional seconds optional); null is a no-op.
func (t *ISO8601Time) UnmarshalJSON(data []byte) error {
	if bytes.Equal(data, []byte("null")) {
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return &json.UnmarshalTypeError{Value: "non-string", Type: reflect.TypeFor[ISO8601Time]()}
	}
	parsed, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("invalid ISO 8601 timestamp %q", s)
	}
	*t = ISO8601Time(parsed)
	return nil
}

// UnixTime is a timestamp written as a JSON number of seconds since the Unix epoch,
// with a fractional part for sub-second precision (model timestampFormat "unixTimestamp").
type UnixTime time.Time

// Time returns t as a time.Time.
func (t UnixTime) Time() time.Time { return time.Time(t) }

// MarshalJSON writes t as epoch seconds, with millisecond precision.
func (t UnixTime) MarshalJSON() ([]byte, error) {
	ms := time.Time(t).UnixMilli()
	if ms%1000 == 0 {
		return strconv.AppendInt(nil, ms/1000, 10), nil
	}
	return strconv.AppendFloat(nil, float64(ms)/1000, 'f', -1, 64), nil
}

// UnmarshalJSON reads a JSON number of epoch seconds; null is a no-op.
func (t *UnixTime) UnmarshalJSON(data []byte) error {
	if bytes.Equal(data, []byte("null")) {
		return nil
	}
	f, err := strconv.ParseFloat(string(data), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return &json.UnmarshalTypeError{Value: "non-number", Type: reflect.TypeFor[UnixTime]()}
	}
	sec, frac := math.Modf(f)
	*t = UnixTime(time.Unix(int64(sec), int64(math.Round(frac*1e3))*int64(time.Millisecond)).UTC())
	return nil
}
