package postgres

import (
	"context"
	"errors"
	"net"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ErrorCause names the cause of an error that PostgreSQL or pgx raised, for the store's
// error metric (storemetrics.Classify): "serialization" (after the retries), "constraint",
// "resources", "shutdown", "connection", "timeout" or "other"; "" for an error that is not
// the database's (a domain error, a canceled context).
func ErrorCause(err error) string {
	var pgErr *pgconn.PgError
	var netErr net.Error
	switch {
	case errors.Is(err, context.Canceled):
		return ""
	case errors.As(err, &pgErr):
		switch {
		case pgErr.Code == "40001" || pgErr.Code == "40P01":
			return "serialization"
		case strings.HasPrefix(pgErr.Code, "23"):
			return "constraint"
		case strings.HasPrefix(pgErr.Code, "53"):
			return "resources"
		case strings.HasPrefix(pgErr.Code, "57"):
			return "shutdown"
		case strings.HasPrefix(pgErr.Code, "08"):
			return "connection"
		}
		return "other"
	case pgconn.Timeout(err) || errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.As(err, &netErr) || errors.Is(err, pgx.ErrTxClosed) || pgconn.SafeToRetry(err):
		return "connection"
	}
	return ""
}
