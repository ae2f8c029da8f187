// Package buildinfo tells which build of amplifybackendd is running, from the information
// the Go toolchain stamps into every binary (runtime/debug.ReadBuildInfo): no hand-kept
// version string.
package buildinfo

import (
	"runtime"
	"runtime/debug"
)

// version and commit are stamped by build/release.sh (go build -ldflags "-X ...") from git
// describe and git rev-parse: a binary built from a checkout has no module version of its
// own ("(devel)"), and one built with -trimpath outside a VCS work tree has no revision. The
// toolchain's own information wins where it has any.
var (
	version string
	commit  string
)

// Info is what a build says about itself.
type Info struct {
	// Version is the module version ("v1.2.3" when installed with go install ...@v1.2.3),
	// or "(devel)" for a build from a checkout.
	Version string
	// Commit is the VCS revision the binary was built from ("" when unknown), with
	// "-dirty" appended when the work tree had changes.
	Commit string
	// GoVersion is the Go toolchain that built the binary.
	GoVersion string
}

// Read returns the running binary's build information.
func Read() Info {
	info := read()
	if info.Version == "(devel)" && version != "" {
		info.Version = version
	}
	if info.Commit == "" && commit != "" {
		info.Commit = commit
	}
	return info
}

func read() Info {
	info := Info{Version: "(devel)", GoVersion: runtime.Version()}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return info
	}
	if v := bi.Main.Version; v != "" {
		info.Version = v
	}
	if bi.GoVersion != "" {
		info.GoVersion = bi.GoVersion
	}
	var dirty bool
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			info.Commit = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if info.Commit != "" && dirty {
		info.Commit += "-dirty"
	}
	return info
}
