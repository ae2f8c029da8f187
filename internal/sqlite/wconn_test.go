package sqlite

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
)

// TestWriterClosesLeftRows checks that rows an Update's function leaves open are closed when
// its transaction ends: the writer keeps each statement prepared, and a statement whose rows
// were left mid-way could not run again.
func TestWriterClosesLeftRows(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	scope := amplify.Scope{Account: "000000000000", Region: "us-east-1"}
	for _, id := range []string{"a1", "a2"} {
		if err := db.Update(ctx, func(tx amplify.Tx) error {
			return tx.PutApp(&amplify.App{AppKey: amplify.AppKey{Scope: scope, AppID: id}, Name: id, CreatedAt: time.Now()})
		}); err != nil {
			t.Fatal(err)
		}
	}
	const query = `SELECT app_id FROM apps ORDER BY app_id`
	for i := range 3 {
		var first string
		err := db.Update(ctx, func(tx amplify.Tx) error {
			rows, err := tx.(*txn).query(query)
			if err != nil {
				return err
			}
			if !rows.Next() {
				return rows.Err()
			}
			return rows.Scan(&first) // and the rows stay open
		})
		if err != nil || first != "a1" {
			t.Fatalf("Update %d: first app %q, %v; want a1", i, first, err)
		}
	}
}

// TestAssign checks the writer's scan conversions against database/sql's for the
// destinations the store uses.
func TestAssign(t *testing.T) {
	var (
		s  string
		b  []byte
		i  int
		i6 int64
		ns sql.NullString
		ni sql.NullInt64
	)
	for _, c := range []struct {
		dest any
		src  any
		ok   bool
	}{
		{&s, "x", true}, {&s, []byte("x"), true}, {&s, nil, false}, {&s, int64(1), false},
		{&b, []byte("x"), true}, {&b, "x", true}, {&b, nil, true},
		{&i, int64(7), true}, {&i6, int64(7), true}, {&i, "7", false},
		{&ns, nil, true}, {&ns, "x", true}, {&ni, int64(3), true}, {&ni, nil, true},
	} {
		if err := assign(c.dest, c.src); (err == nil) != c.ok {
			t.Errorf("assign(%T, %#v): %v; want ok %v", c.dest, c.src, err, c.ok)
		}
	}
	if s != "x" || b != nil || i != 7 || i6 != 7 || ns != (sql.NullString{String: "x", Valid: true}) || ni.Valid {
		t.Errorf("values: %q %q %d %d %v %v", s, b, i, i6, ns, ni)
	}
}

// TestWriterNestedQuery runs a query again inside the loop over its own rows, which the
// writer's kept statement cannot serve twice at once.
func TestWriterNestedQuery(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	scope := amplify.Scope{Account: "000000000000", Region: "us-east-1"}
	var got []string
	err := db.Update(ctx, func(tx amplify.Tx) error {
		for _, id := range []string{"a1", "a2"} {
			if err := tx.PutApp(&amplify.App{AppKey: amplify.AppKey{Scope: scope, AppID: id}, Name: id, CreatedAt: time.Now()}); err != nil {
				return err
			}
		}
		t := tx.(*txn)
		const query = `SELECT app_id FROM apps WHERE app_id >= ? ORDER BY app_id`
		rows, err := t.query(query, "")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, inner string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			if err := t.queryRow(query, id).Scan(&inner); err != nil {
				return err
			}
			got = append(got, id+"/"+inner)
		}
		return rows.Err()
	})
	if err != nil || len(got) != 2 || got[0] != "a1/a1" || got[1] != "a2/a2" {
		t.Fatalf("nested query: %v, %v; want [a1/a1 a2/a2]", got, err)
	}
}

// openDB opens a store in a fresh directory, closed when the test ends.
func openDB(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
