package api

// String returns a pointer to s.
func String(s string) *string { return &s }

// StringValue returns *p, or "" if p is nil.
func StringValue(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// Int64 returns a pointer to i.
func Int64(i int64) *int64 { return &i }

// Int64Value returns *p, or 0 if p is nil.
func Int64Value(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// Bool returns a pointer to b.
func Bool(b bool) *bool { return &b }

// BoolValue returns *p, or false if p is nil.
func BoolValue(p *bool) bool {
	if p == nil {
		return false
	}
	return *p
}

// Float64 returns a pointer to f.
func Float64(f float64) *float64 { return &f }

// Float64Value returns *p, or 0 if p is nil.
func Float64Value(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}
