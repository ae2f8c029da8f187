package buildinfo

import (
	"runtime"
	"testing"
)

func TestReadStamped(t *testing.T) {
	plain := read()
	if plain.GoVersion == "" || plain.Version == "" {
		t.Fatalf("read() = %+v; want a version and a Go version", plain)
	}
	if runtime.Version() != plain.GoVersion {
		t.Errorf("GoVersion %q, want the runtime's %q", plain.GoVersion, runtime.Version())
	}
	defer func(v, c string) { version, commit = v, c }(version, commit)
	version, commit = "v9.8.7", "0123abc"
	got := Read()
	// A test binary is "(devel)" with no revision: the stamp fills both.
	if plain.Version == "(devel)" && got.Version != "v9.8.7" {
		t.Errorf("Version = %q, want the stamped v9.8.7", got.Version)
	}
	if plain.Commit == "" && got.Commit != "0123abc" {
		t.Errorf("Commit = %q, want the stamped 0123abc", got.Commit)
	}
	if plain.Version != "(devel)" && got.Version != plain.Version {
		t.Errorf("Version = %q; the toolchain's %q must win over the stamp", got.Version, plain.Version)
	}
}
