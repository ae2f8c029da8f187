package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestClassify covers the driver errors each kind of failure shows; the end-to-end test in
// cmd/amplifybackendd meets the common ones on a live database.
func TestClassify(t *testing.T) {
	pg := func(code string) error {
		return fmt.Errorf("postgres: commit: %w", &pgconn.PgError{Code: code, Message: "detail naming db01.internal"})
	}
	tests := []struct {
		name string
		err  error
		want amplify.StoreFailure // "" when the error must come back unchanged
	}{
		{"disk full", pg("53100"), amplify.StoreDiskFull},
		{"read-only transaction", pg("25006"), amplify.StoreReadOnly},
		{"statement timeout", pg("57014"), amplify.StoreTimeout},
		{"lock timeout", pg("55P03"), amplify.StoreTimeout},
		{"admin shutdown", pg("57P01"), amplify.StoreDown},
		{"starting up", pg("57P03"), amplify.StoreDown},
		{"too many connections", pg("53300"), amplify.StoreDown},
		{"connection failure", pg("08006"), amplify.StoreDown},
		{"refused", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, amplify.StoreDown},
		{"eof", fmt.Errorf("postgres: begin: %w", io.ErrUnexpectedEOF), amplify.StoreDown},
		{"deadline", fmt.Errorf("postgres: begin: %w", context.DeadlineExceeded), amplify.StoreTimeout},
		{"client gone", context.Canceled, ""},
		{"unique violation", pg("23505"), ""},
		{"serialization failure", pg("40001"), ""},
		{"domain error", amplify.Missing(amplify.ResourceApp, "no app"), ""},
		{"pending job", amplify.ErrPendingJob, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := classify(tt.err)
			if tt.want == "" {
				if got != tt.err {
					t.Errorf("classify(%v) = %v; want it unchanged", tt.err, got)
				}
				return
			}
			if k := amplify.FailureKind(got); k != tt.want {
				t.Errorf("classify(%v): kind %q; want %q", tt.err, k, tt.want)
			}
			if !errors.Is(got, tt.err) {
				t.Errorf("classify(%v) lost its cause", tt.err)
			}
			if msg := got.(*amplify.Error).Message; strings.Contains(msg, "db01") {
				t.Errorf("message %q repeats the driver's words", msg)
			}
		})
	}
}
