package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgCluster is a PostgreSQL server of the test's own, in a directory under t.TempDir(), on a
// loopback port of its own: a test may stop, kill and restart it without disturbing anyone
// else's database (the shared server on 5432 must never be restarted).
type pgCluster struct {
	t       testing.TB
	bin     string // the directory of initdb, pg_ctl, postgres
	data    string
	sockets string
	logFile string
	port    int
	asUser  string // run the server as this user ("" for the current one)
}

// startPGCluster initdb's a cluster and starts it, or skips the test, saying why, where the
// PostgreSQL server binaries are missing. As root it runs them as the user postgres (initdb
// refuses root), which must exist. The cluster is stopped when the test ends.
func startPGCluster(t *testing.T) *pgCluster {
	t.Helper()
	bin := pgBinDir()
	if bin == "" {
		t.Skip("needs the PostgreSQL server binaries (initdb, pg_ctl under /usr/lib/postgresql/*/bin, e.g. Debian's postgresql package) to run a cluster of its own that it can restart")
	}
	c := &pgCluster{t: t, bin: bin}
	dir := t.TempDir()
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skip("runs as root, and initdb refuses root: needs a user postgres to run the cluster as (Debian's postgresql package creates it)")
		}
		c.asUser = u.Username
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		// The user needs to reach the directory: the test's temporary directories are
		// private to root, and so is the directory testenv makes TMPDIR in; the system's
		// temporary directory (/tmp) is where the walk up stops.
		for d := dir; d != "/tmp" && d != "/" && d != "."; d = filepath.Dir(d) {
			if err := os.Chmod(d, 0o711); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	c.data = filepath.Join(dir, "data")
	c.sockets = dir
	c.logFile = filepath.Join(dir, "postgres.log")
	c.port = freePort(t)
	c.run("initdb", "--pgdata", c.data, "--auth", "trust", "--username", "postgres", "--encoding", "UTF8", "--locale", "C", "--no-sync")
	conf := fmt.Sprintf("port = %d\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\nfsync = off\nmax_connections = 200\nshared_buffers = 32MB\nlog_min_messages = fatal\n", c.port, c.sockets)
	f, err := os.OpenFile(filepath.Join(c.data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.WriteString(conf)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	c.start()
	t.Cleanup(func() {
		c.ctl("stop", "-m", "immediate")
		if t.Failed() {
			if log, err := os.ReadFile(c.logFile); err == nil {
				lines := strings.Split(strings.TrimSpace(string(log)), "\n")
				t.Logf("the cluster's last log lines:\n%s", strings.Join(lines[max(0, len(lines)-15):], "\n"))
			}
		}
	})
	return c
}

// pgBinDir returns the newest /usr/lib/postgresql/*/bin with initdb and pg_ctl, or "".
func pgBinDir() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(a, b int) bool {
		va, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[a])))
		vb, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[b])))
		return va > vb
	})
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err != nil {
			continue
		}
		if _, err := os.Stat(filepath.Join(d, "pg_ctl")); err == nil {
			return d
		}
	}
	return ""
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// command runs one of the cluster's programs, as the cluster's user, with an environment of
// its own (nothing of the test's environment reaches it).
func (c *pgCluster) command(name string, args ...string) *exec.Cmd {
	path := filepath.Join(c.bin, name)
	var cmd *exec.Cmd
	if c.asUser != "" {
		cmd = exec.Command("runuser", append([]string{"-u", c.asUser, "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LC_ALL=C"}
	cmd.Dir = c.sockets
	return cmd
}

func (c *pgCluster) run(name string, args ...string) {
	c.t.Helper()
	if out, err := c.command(name, args...).CombinedOutput(); err != nil {
		c.t.Fatalf("%s: %v\n%s", name, err, out)
	}
}

// ctl runs pg_ctl on the cluster and returns its error.
func (c *pgCluster) ctl(args ...string) error {
	out, err := c.command("pg_ctl", append([]string{"--pgdata", c.data, "--log", c.logFile, "--wait", "--timeout", "60"}, args...)...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// start starts the server and waits until it accepts connections.
func (c *pgCluster) start() {
	c.t.Helper()
	if err := c.ctl("start"); err != nil {
		c.t.Fatal(err)
	}
	if err := c.waitReady(); err != nil {
		c.t.Fatal(err)
	}
}

// restart stops the server, fast (connections closed, a checkpoint) or immediate (as a crash:
// recovery replays the WAL), and starts it again.
func (c *pgCluster) restart(mode string) error {
	if err := c.ctl("stop", "-m", mode); err != nil {
		return err
	}
	if err := c.ctl("start"); err != nil {
		return err
	}
	return c.waitReady()
}

// waitReady waits until the server accepts connections.
func (c *pgCluster) waitReady() error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		conn, err := pgx.Connect(ctx, c.dsn())
		if err == nil {
			conn.Close(ctx)
			cancel()
			return nil
		}
		cancel()
		if time.Now().After(deadline) {
			return fmt.Errorf("the cluster did not accept connections within 30s: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// dsn is the DSN of the cluster's postgres database.
func (c *pgCluster) dsn() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}
