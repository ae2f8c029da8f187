package main

import (
	"strings"
	"testing"
)

// TestStoreName checks that the start-up log's store name shows no password in any DSN form
// pgx accepts, and still says where the store is.
func TestStoreName(t *testing.T) {
	// pgx fills what the DSN leaves out from the environment: keep the machine's out.
	for _, env := range []string{"PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD", "PGSERVICE", "PGSERVICEFILE", "PGSSLMODE"} {
		t.Setenv(env, "")
	}
	t.Setenv("PGPASSFILE", t.TempDir()+"/none")
	tests := []struct {
		name, dsn, want string
		secrets         []string
	}{
		{"url userinfo", "postgres://alice:s3cret@db.example:6543/amplify?sslmode=disable",
			"postgres://alice@db.example:6543/amplify", []string{"s3cret"}},
		{"postgresql scheme, escaped password", "postgresql://alice:s%33cr%2Ft@db.example/amplify?sslmode=disable",
			"postgres://alice@db.example:5432/amplify", []string{"s3cr/t", "s%33cr%2Ft", "s%33cr"}},
		{"password query parameter", "postgres://alice@db.example/amplify?password=qs3cret&sslmode=disable",
			"postgres://alice@db.example:5432/amplify", []string{"qs3cret"}},
		{"userinfo and query parameter", "postgres://alice:u1secret@db.example/amplify?sslmode=disable&password=q2secret",
			"postgres://alice@db.example:5432/amplify", []string{"u1secret", "q2secret"}},
		{"other parameters", "postgres://alice:s3cret@db.example/amplify?sslmode=disable&application_name=app-k3y&search_path=tenant",
			"postgres://alice@db.example:5432/amplify", []string{"s3cret", "app-k3y", "tenant"}},
		{"key=value", "host=db.example port=6543 dbname=amplify user=alice password=s3cret sslmode=disable",
			"postgres://alice@db.example:6543/amplify", []string{"s3cret"}},
		{"key=value, quoted password", `host=db.example dbname=amplify user=alice password='s3 cr\'et x' sslmode=disable`,
			"postgres://alice@db.example:5432/amplify", []string{"s3", "cr", "et x"}},
		{"key=value, spaces around =", "host = db.example user = alice password = s3cret dbname = amplify sslmode=disable",
			"postgres://alice@db.example:5432/amplify", []string{"s3cret"}},
		{"several hosts", "postgres://alice:s3cret@h1.example:5432,h2.example:5433/amplify?sslmode=disable",
			"postgres://alice@h1.example:5432,h2.example:5433/amplify", []string{"s3cret"}},
		{"sslmode prefer repeats no host", "postgres://alice:s3cret@db.example/amplify",
			"postgres://alice@db.example:5432/amplify", []string{"s3cret"}},
		{"ipv6", "postgres://alice:s3cret@[::1]:6543/amplify?sslmode=disable",
			"postgres://alice@[::1]:6543/amplify", []string{"s3cret"}},
		// pgx refuses these; its error might quote them, so nothing of them is shown.
		{"unterminated quote", "host=db.example user=alice password='s3cret", "postgres", []string{"s3cret", "alice"}},
		{"bad url", "postgres://alice:s3cret@db.example:notaport/amplify", "postgres", []string{"s3cret", "alice"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMain()
			m.Config.Store = tt.dsn
			got := m.StoreName()
			if got != tt.want {
				t.Errorf("storeName(%q) = %q; want %q", tt.dsn, got, tt.want)
			}
			for _, s := range tt.secrets {
				if strings.Contains(got, s) {
					t.Errorf("storeName(%q) = %q shows %q", tt.dsn, got, s)
				}
			}
		})
	}
	m := NewMain()
	m.Config.DataDir = "/var/lib/amplifybackendd"
	if got := m.StoreName(); got != "sqlite:/var/lib/amplifybackendd" {
		t.Errorf("storeName() = %q for SQLite", got)
	}
}
