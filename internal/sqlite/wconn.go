package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// wconn is the writer's connection: the driver's own connection, used by the writer
// goroutine alone, without database/sql. database/sql costs the single writer, on every
// statement of a transaction, a goroutine and a cancelable context (Rows.initContextClose:
// a transaction's context is always cancelable), a Stmt bound to the transaction, locks,
// and reflection to convert arguments and scanned values; under write load that was about
// a quarter of the writer's CPU, spent while every caller waits for the batch.
//
// Each query text is prepared once and kept (the store's queries are its own, a bounded
// set); a statement's rows must be closed before it runs again, as with database/sql's
// statement of a transaction.
type wconn struct {
	conn  driver.Conn
	stmts map[string]driver.Stmt
	args  []driver.NamedValue
	// open holds the rows of the transaction under way, which closeRows closes at its
	// end: rows a function left open would keep their statement busy for the next run
	// (database/sql closes a transaction's rows when it ends, with the goroutine above).
	open []*wrows
	// busy counts the open rows of each kept statement: a query run again while its rows
	// are open (nested in their loop) gets a statement of its own for that run.
	busy map[string]int
}

// maxWriterStmts bounds the prepared statements the writer keeps; past it a query is
// prepared for one run (queries built per call, like a reset's, cannot grow the map).
const maxWriterStmts = 256

func newWConn(conn driver.Conn) *wconn {
	return &wconn{conn: conn, stmts: map[string]driver.Stmt{}, busy: map[string]int{}}
}

// prepare returns query's statement and whether the caller must close it after its run.
func (w *wconn) prepare(query string) (driver.Stmt, bool, error) {
	st, ok := w.stmts[query]
	if ok && w.busy[query] == 0 {
		return st, false, nil
	}
	st, err := w.conn.(driver.ConnPrepareContext).PrepareContext(context.Background(), query)
	if err != nil {
		return nil, false, err
	}
	if ok || len(w.stmts) >= maxWriterStmts {
		return st, true, nil
	}
	w.stmts[query] = st
	return st, false, nil
}

// bind converts args as database/sql's default converter does, into w's scratch slice (the
// driver copies what it binds).
func (w *wconn) bind(args []any) ([]driver.NamedValue, error) {
	w.args = w.args[:0]
	for i, a := range args {
		v, err := driverValue(a)
		if err != nil {
			return nil, fmt.Errorf("argument %d: %w", i+1, err)
		}
		w.args = append(w.args, driver.NamedValue{Ordinal: i + 1, Value: v})
	}
	return w.args, nil
}

func driverValue(a any) (driver.Value, error) {
	switch v := a.(type) {
	case nil, int64, float64, bool, []byte, string, time.Time:
		return v, nil
	case int:
		return int64(v), nil
	case json.RawMessage:
		return []byte(v), nil
	case driver.Valuer:
		return v.Value()
	}
	return driver.DefaultParameterConverter.ConvertValue(a)
}

// exec runs a statement that returns no rows.
func (w *wconn) exec(query string, args []any) (driver.Result, error) {
	st, temp, err := w.prepare(query)
	if err != nil {
		return nil, err
	}
	if temp {
		defer st.Close()
	}
	nv, err := w.bind(args)
	if err != nil {
		return nil, err
	}
	return st.(driver.StmtExecContext).ExecContext(context.Background(), nv)
}

// query runs a statement that returns rows; the caller closes them.
func (w *wconn) query(query string, args []any) (*wrows, error) {
	st, temp, err := w.prepare(query)
	if err != nil {
		return nil, err
	}
	nv, err := w.bind(args)
	if err != nil {
		if temp {
			st.Close()
		}
		return nil, err
	}
	rows, err := st.(driver.StmtQueryContext).QueryContext(context.Background(), nv)
	if err != nil {
		if temp {
			st.Close()
		}
		return nil, err
	}
	r := &wrows{rows: rows, values: make([]driver.Value, len(rows.Columns()))}
	if temp {
		r.stmt = st
	} else {
		r.w, r.query = w, query
		w.busy[query]++
	}
	w.open = append(w.open, r)
	return r, nil
}

// closeRows closes the rows still open and forgets them all.
func (w *wconn) closeRows() {
	for i, r := range w.open {
		r.Close()
		w.open[i] = nil
	}
	w.open = w.open[:0]
}

// queryRow runs a statement and scans its first row, as *sql.Row does: sql.ErrNoRows when
// there is none.
func (w *wconn) queryRow(query string, args []any) rowScanner {
	rows, err := w.query(query, args)
	if err != nil {
		return errRow{err}
	}
	return wrow{rows}
}

// close closes the prepared statements and the connection.
func (w *wconn) close() error {
	var errs []error
	for q, st := range w.stmts {
		errs = append(errs, st.Close())
		delete(w.stmts, q)
	}
	return errors.Join(append(errs, w.conn.Close())...)
}

// wrows iterates a statement's rows as *sql.Rows does.
type wrows struct {
	rows   driver.Rows
	stmt   driver.Stmt // closed with the rows when prepared for this run only
	w      *wconn      // else the kept statement of query is busy until Close
	query  string
	values []driver.Value
	err    error
	closed bool
}

func (r *wrows) Next() bool {
	if r.closed {
		return false
	}
	if err := r.rows.Next(r.values); err != nil {
		if err != io.EOF {
			r.err = err
		}
		r.Close()
		return false
	}
	return true
}

func (r *wrows) Scan(dest ...any) error {
	if r.closed {
		return errors.New("sql: Rows are closed")
	}
	if len(dest) != len(r.values) {
		return fmt.Errorf("sql: expected %d destination arguments in Scan, not %d", len(r.values), len(dest))
	}
	for i, d := range dest {
		if err := assign(d, r.values[i]); err != nil {
			return fmt.Errorf("sql: Scan error on column index %d: %w", i, err)
		}
	}
	return nil
}

func (r *wrows) Err() error { return r.err }

func (r *wrows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	err := r.rows.Close()
	if r.w != nil {
		r.w.busy[r.query]--
	}
	if r.stmt != nil {
		err = errors.Join(err, r.stmt.Close())
	}
	return err
}

// wrow is the first row of a query, as *sql.Row.
type wrow struct{ rows *wrows }

func (r wrow) Scan(dest ...any) error {
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	return r.rows.Close()
}

// assign stores a column's value in dest, for the destinations the store scans into: the
// conversions database/sql makes between them and SQLite's values, and sql.Scanner.
func assign(dest any, src driver.Value) error {
	switch d := dest.(type) {
	case *string:
		switch s := src.(type) {
		case string:
			*d = s
			return nil
		case []byte:
			*d = string(s)
			return nil
		}
	case *[]byte:
		switch s := src.(type) {
		case []byte:
			*d = s // the driver's copy, not shared with SQLite
			return nil
		case string:
			*d = []byte(s)
			return nil
		case nil:
			*d = nil
			return nil
		}
	case *int64:
		if s, ok := src.(int64); ok {
			*d = s
			return nil
		}
	case *int:
		if s, ok := src.(int64); ok {
			*d = int(s)
			return nil
		}
	case *bool:
		if s, ok := src.(int64); ok && (s == 0 || s == 1) {
			*d = s == 1
			return nil
		}
	case *float64:
		switch s := src.(type) {
		case float64:
			*d = s
			return nil
		case int64:
			*d = float64(s)
			return nil
		}
	case *any:
		*d = src
		return nil
	case sql.Scanner:
		return d.Scan(src)
	}
	return fmt.Errorf("converting %T to %T is unsupported", src, dest)
}
