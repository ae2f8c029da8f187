package daemon

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// registeredFlags are the flags ParseFlags defines.
func registeredFlags(t *testing.T) *flag.FlagSet {
	t.Helper()
	m := NewMain()
	if err := m.ParseFlags(nil, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	return m.flags
}

// TestEveryFlagHasAGroup: a flag added to ParseFlags without a place in flagGroupOf would
// print under "other" in --help; this names it instead.
func TestEveryFlagHasAGroup(t *testing.T) {
	groups := map[string]bool{}
	for _, g := range flagGroups {
		if groups[g.Name] {
			t.Errorf("group %q is listed twice", g.Name)
		}
		groups[g.Name] = true
	}
	used := map[string]bool{}
	registeredFlags(t).VisitAll(func(f *flag.Flag) {
		g, ok := flagGroupOf[f.Name]
		if !ok {
			t.Errorf("--%s has no group in flagGroupOf (usage.go): add it to one of the groups of --help", f.Name)
			return
		}
		if !groups[g] {
			t.Errorf("--%s is in group %q, which flagGroups does not list", f.Name, g)
		}
		used[g] = true
	})
	// Every document a group with flags names is in the repository.
	for _, g := range flagGroups {
		if !used[g.Name] {
			continue
		}
		for _, doc := range strings.Split(g.Doc, " and ") {
			path, _, _ := strings.Cut(doc, "#")
			if _, err := os.Stat(filepath.Join("..", "..", path)); err != nil {
				t.Errorf("group %q is documented in %s: %v", g.Name, path, err)
			}
		}
	}
}

func TestHelpPrintsGroups(t *testing.T) {
	var out bytes.Buffer
	fs := registeredFlags(t)
	printUsage(&out, fs)
	text := out.String()
	for _, want := range []string{"server: documented in README.md", "--addr string", "auth: documented in docs/security.md", "--credentials", "healthcheck"} {
		if !strings.Contains(text, want) {
			t.Errorf("--help lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "\nother:") {
		t.Errorf("--help has flags outside every group:\n%s", text)
	}
	// The group order is flagGroups' order.
	if i, j := strings.Index(text, "\nserver:"), strings.Index(text, "\nlogging:"); i < 0 || j < i {
		t.Errorf("server should print before logging:\n%s", text)
	}
}

func TestVersionFlag(t *testing.T) {
	m := NewMain()
	if err := m.ParseFlags([]string{"--version"}, func(string) string { return "" }); !errors.Is(err, ErrVersion) {
		t.Fatalf("--version: %v, want ErrVersion", err)
	}
	// A variable named like the flag does not turn a server into a version printer.
	env := map[string]string{"AMPLIFYBACKEND_VERSION": "true"}
	if err := NewMain().ParseFlags(nil, func(k string) string { return env[k] }); err != nil {
		t.Fatalf("AMPLIFYBACKEND_VERSION=true: %v, want the server's configuration", err)
	}
	v := Version()
	if !strings.HasPrefix(v, "amplifybackendd ") || !strings.Contains(v, "go1.") {
		t.Errorf("Version() = %q; want the name, version, commit and Go version", v)
	}
}

func TestHealthURL(t *testing.T) {
	tests := []struct{ addr, want string }{
		{"127.0.0.1:4580", "http://127.0.0.1:4580/healthz"},
		{"0.0.0.0:4580", "http://127.0.0.1:4580/healthz"},
		{":4580", "http://127.0.0.1:4580/healthz"},
		{"[::]:4580", "http://[::1]:4580/healthz"},
		{"[::1]:9", "http://[::1]:9/healthz"},
		{"example.internal:80", "http://example.internal:80/healthz"},
	}
	for _, tt := range tests {
		got, err := healthURL(tt.addr)
		if err != nil || got != tt.want {
			t.Errorf("healthURL(%q) = %q, %v; want %q", tt.addr, got, err, tt.want)
		}
	}
	if _, err := healthURL("4580"); err == nil {
		t.Error(`healthURL("4580") succeeded; want an error (no port)`)
	}
}

func TestHealthcheck(t *testing.T) {
	m := NewMain()
	m.Config.Addr = "127.0.0.1:0"
	m.Config.DataDir = t.TempDir()
	m.LogOutput = io.Discard
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	addr := m.listener.Addr().String()
	noEnv := func(string) string { return "" }
	var out bytes.Buffer
	if rc := Healthcheck(context.Background(), []string{"--addr", addr}, noEnv, &out); rc != 0 {
		t.Fatalf("healthcheck of a serving server: exit %d: %s", rc, out.String())
	}
	// The server's own variable is read when --addr is not given.
	env := func(k string) string {
		if k == "AMPLIFYBACKEND_ADDR" {
			return addr
		}
		return ""
	}
	if rc := Healthcheck(context.Background(), nil, env, &out); rc != 0 {
		t.Fatalf("healthcheck with AMPLIFYBACKEND_ADDR: exit %d: %s", rc, out.String())
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if rc := Healthcheck(context.Background(), []string{"--addr", addr}, noEnv, &out); rc != 1 {
		t.Fatalf("healthcheck of a stopped server: exit %d, want 1: %s", rc, out.String())
	}
}
