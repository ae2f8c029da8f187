// Package pgtest gives a test a PostgreSQL schema of its own, so that tests sharing one
// database (AMPLIFYBACKEND_TEST_POSTGRES) never see each other's tables.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Schema creates a schema named prefix_<random> in the database of dsn, drops it (with all it
// holds) when the test ends, and returns the DSN with search_path and application_name set to
// it (so that pg_stat_activity tells the test's connections apart), and the schema's name.
// dsn is a postgres:// URL or a key=value DSN.
func Schema(t testing.TB, dsn, prefix string) (schemaDSN, schema string) {
	t.Helper()
	b := make([]byte, 8)
	rand.Read(b)
	schema = prefix + "_" + hex.EncodeToString(b)
	id := pgx.Identifier{schema}.Sanitize()
	exec := func(ctx context.Context, sql string) error {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			return err
		}
		defer conn.Close(context.Background())
		_, err = conn.Exec(ctx, sql)
		return err
	}
	if err := exec(context.Background(), `CREATE SCHEMA `+id); err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := exec(ctx, `DROP SCHEMA `+id+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return WithParams(t, dsn, "search_path", schema, "application_name", schema), schema
}

// WithParams adds connection parameters to a postgres:// URL or a key=value DSN.
func WithParams(t testing.TB, dsn string, kv ...string) string {
	t.Helper()
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatalf("parse the PostgreSQL DSN: %v", err)
		}
		q := u.Query()
		for i := 0; i+1 < len(kv); i += 2 {
			q.Set(kv[i], kv[i+1])
		}
		u.RawQuery = q.Encode()
		return u.String()
	}
	for i := 0; i+1 < len(kv); i += 2 {
		dsn += " " + kv[i] + "=" + kv[i+1]
	}
	return dsn
}
