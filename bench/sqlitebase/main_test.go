package main

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/amplifybackendd/amplifybackendd/internal/sqlite"
)

// TestBaselineHasTheProductSchema holds the yardstick to the product: the database the
// baseline writes has exactly the schema (tables, indexes, triggers, as SQLite stores their
// text) of the product's store, and the baseline's inserts succeed on it.
func TestBaselineHasTheProductSchema(t *testing.T) {
	ctx := context.Background()
	base := t.TempDir()
	res, err := run(ctx, base, 4, 1, 200*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if res.Inserts == 0 || res.Errors != 0 {
		t.Fatalf("baseline: %d inserts, %d errors; want some and none", res.Inserts, res.Errors)
	}

	prod := t.TempDir()
	store, err := sqlite.Open(ctx, prod)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	want := schemaOf(t, filepath.Join(prod, "amplifybackend.db"))
	got := schemaOf(t, filepath.Join(base, "baseline.db"))
	if got != want {
		t.Errorf("baseline schema differs from the product's.\nbaseline:\n%s\nproduct:\n%s", got, want)
	}
	if !strings.Contains(want, "jobs_app_wide_pending_insert") {
		t.Errorf("the product schema has no pending-job trigger; the comparison proves nothing:\n%s", want)
	}
}

func schemaOf(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT type, name, coalesce(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var typ, name, text string
		if err := rows.Scan(&typ, &name, &text); err != nil {
			t.Fatal(err)
		}
		b.WriteString(typ + " " + name + ": " + text + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
