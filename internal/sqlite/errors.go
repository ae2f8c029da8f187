package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrorCause names the cause of an error that SQLite or database/sql raised, for the store's
// error metric (storemetrics.Classify): "busy", "io", "full", "corrupt", "constraint",
// "readonly", "connection", "closed" or "other"; "" for an error that is not the database's
// (a domain error, a canceled context).
func ErrorCause(err error) string {
	var e *sqlite.Error
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return ""
	case errors.As(err, &e):
		switch e.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return "busy"
		case sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN:
			return "io"
		case sqlite3.SQLITE_FULL:
			return "full"
		case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
			return "corrupt"
		case sqlite3.SQLITE_CONSTRAINT:
			return "constraint"
		case sqlite3.SQLITE_READONLY:
			return "readonly"
		}
		return "other"
	case errors.Is(err, sql.ErrConnDone) || errors.Is(err, sql.ErrTxDone) || errors.Is(err, driver.ErrBadConn):
		return "connection"
	case errors.Is(err, errClosed):
		return "closed"
	}
	return ""
}
