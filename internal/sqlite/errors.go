package sqlite

import (
	"context"
	"errors"
	"syscall"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// classify is the one place where the store's failures become domain codes: an error that
// says the database cannot serve now (disk full, read-only, I/O failure, locked past the busy
// timeout, closed) becomes an Unavailable *amplify.Error naming the kind of failure, with the
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
	var se *sqlite.Error
	if errors.As(err, &se) {
		// Extended result codes carry the primary code in their low byte.
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_FULL:
			return amplify.StoreDiskFull
		case sqlite3.SQLITE_READONLY:
			return amplify.StoreReadOnly
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return amplify.StoreTimeout
		case sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN:
			// The VFS reports the OS error by code only; the file system's state decides.
			return amplify.StoreDown
		}
	}
	switch {
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return amplify.StoreDiskFull
	case errors.Is(err, syscall.EROFS):
		return amplify.StoreReadOnly
	case errors.Is(err, syscall.EIO), errors.Is(err, errClosed):
		return amplify.StoreDown
	case errors.Is(err, context.DeadlineExceeded):
		return amplify.StoreTimeout
	}
	return ""
}
