package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// gatedConnector is a driver.Connector whose Connect blocks until its context ends, as a
// connection being opened on a slow disk does.
type gatedConnector struct {
	entered  chan struct{}
	returned atomic.Bool
}

func (c *gatedConnector) Connect(ctx context.Context) (driver.Conn, error) {
	close(c.entered)
	<-ctx.Done()
	c.returned.Store(true)
	return nil, ctx.Err()
}

func (c *gatedConnector) Driver() driver.Driver { return nil }

// TestStmtCacheCloseWaitsForPreparations checks that closing the statement cache ends and
// waits for a preparation still opening a connection: one left running could open the
// database after Close, creating its WAL files in a directory the caller is removing.
func TestStmtCacheCloseWaitsForPreparations(t *testing.T) {
	conn := &gatedConnector{entered: make(chan struct{})}
	pool := sql.OpenDB(conn)
	defer pool.Close()
	c := newStmtCache(pool)
	if st := c.get("SELECT 1"); st != nil {
		t.Fatal("a first get returned a statement; want nil and a preparation started")
	}
	select {
	case <-conn.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the preparation never asked for a connection")
	}
	if err := c.close(); err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("close: %v", err)
	}
	if !conn.returned.Load() {
		t.Fatal("close returned while a preparation was still opening a connection")
	}
	if st := c.get("SELECT 1"); st != nil {
		t.Fatal("get after close returned a statement")
	}
}
