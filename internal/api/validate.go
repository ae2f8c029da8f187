package api

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
)

// validator collects constraint violations worded as AWS words them.
type validator struct {
	violations []string
	count      int // violations found, including those not listed
}

// required records a missing required member.
func (v *validator) required(path string) {
	v.add(fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", path))
}

// Bounds the service puts on every string and list member, beyond the model's constraints,
// so that no request can make the server hold or echo unbounded data. A TransformSchema is
// bounded only by the request body limit.
const (
	MaxStringLength = 64 << 10
	MaxListLength   = 100
)

// enum records value at path unless it is one of allowed.
func (v *validator) enum(path, value string, allowed []string) {
	if slices.Contains(allowed, value) {
		return
	}
	if len(value) > 64 {
		value = strings.ToValidUTF8(value[:64], "") + "..."
	}
	v.add(fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]",
		value, path, strings.Join(allowed, ", ")))
}

// maxLength records a string or list at path whose length n is over limit; it reports
// whether the length is within it.
func (v *validator) maxLength(path string, n, limit int) bool {
	if n > limit {
		v.add(fmt.Sprintf("Value at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", path, limit))
		return false
	}
	return true
}

// maxViolations bounds how many violations a message lists, so that its size does not grow
// with the request; the count of the rest is given.
const maxViolations = 20

// add records a violation.
func (v *validator) add(violation string) {
	v.count++
	if len(v.violations) < maxViolations {
		v.violations = append(v.violations, violation)
	}
}

// min records value at path if it is below lo.
func (v *validator) min(path string, value, lo int64) {
	if value < lo {
		v.add(fmt.Sprintf("Value '%d' at '%s' failed to satisfy constraint: Member must have value greater than or equal to %d",
			value, path, lo))
	}
}

// max records value at path if it is above hi.
func (v *validator) max(path string, value, hi int64) {
	if value > hi {
		v.add(fmt.Sprintf("Value '%d' at '%s' failed to satisfy constraint: Member must have value less than or equal to %d",
			value, path, hi))
	}
}

// err returns nil without violations, else a BadRequest listing them all.
func (v *validator) err() error {
	n := v.count
	if n == 0 {
		return nil
	}
	plural := "s"
	if n == 1 {
		plural = ""
	}
	msg := fmt.Sprintf("%d validation error%s detected: %s", n, plural, strings.Join(v.violations, "; "))
	if rest := n - len(v.violations); rest > 0 {
		msg += fmt.Sprintf("; and %d more", rest)
	}
	return &amplify.Error{Code: amplify.BadRequest, Message: msg}
}

// joinPath is the path of member name below path ("" is the top level).
func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// memberPath is the path of the list element with 0-based index i: "list.member.<i+1>".
func memberPath(path string, i int) string {
	return path + ".member." + strconv.Itoa(i+1)
}

// checkParams guards Operation.Invoke against a router passing the wrong number of params.
func checkParams(op string, params []string, n int) error {
	if len(params) != n {
		return fmt.Errorf("api: %s takes %d uri params, got %d", op, n, len(params))
	}
	return nil
}
