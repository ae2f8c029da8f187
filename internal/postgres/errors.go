package postgres

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"github.com/jackc/pgx/v5/pgconn"
)

// classify is the one place where the store's failures become domain codes: an error that
// says the database cannot serve now (unreachable, shutting down, read-only, out of disk,
// too slow) becomes an Unavailable *amplify.Error naming the kind of failure, with the
// driver's error kept as its cause for the log. Domain errors, a client's cancellation and
// anything else (a constraint, a bug) are returned as they are.
//
// Every method of DB that the domain or the job runner calls returns through it; Tx methods
// do not, so that a transaction's function sees the driver's errors (ErrPendingJob and the
// like) and the domain never takes a store failure for a refusal.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var domain *amplify.Error
	if errors.As(err, &domain) || errors.Is(err, context.Canceled) {
		return err
	}
	if kind := failureKind(err); kind != "" {
		return amplify.StoreUnavailable(kind, err)
	}
	return err
}

func failureKind(err error) amplify.StoreFailure {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch code := pgErr.Code; {
		case code == "53100": // disk_full
			return amplify.StoreDiskFull
		case code == "25006": // read_only_sql_transaction: a standby, or default_transaction_read_only
			return amplify.StoreReadOnly
		case code == "57014", code == "55P03": // query_canceled (statement_timeout), lock_not_available
			return amplify.StoreTimeout
		case strings.HasPrefix(code, "08"), // connection exception
			strings.HasPrefix(code, "53"),                     // insufficient resources: memory, connections
			code == "57P01", code == "57P02", code == "57P03", // shutting down, crashed, starting up
			code == "58030": // io_error
			return amplify.StoreDown
		}
		return ""
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), pgconn.Timeout(err):
		return amplify.StoreTimeout
	case errors.Is(err, syscall.ENOSPC):
		return amplify.StoreDiskFull
	case errors.As(err, &connectErr), errors.As(err, &netErr),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return amplify.StoreDown
	}
	// A connection that broke mid-statement, or a pool closed under way: pgx says so in its
	// own words.
	var pe interface{ SafeToRetry() bool }
	if errors.As(err, &pe) || strings.Contains(err.Error(), "conn closed") || strings.Contains(err.Error(), "closed pool") {
		return amplify.StoreDown
	}
	return ""
}
