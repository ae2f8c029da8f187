package daemon

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/amplifybackendd/amplifybackendd/internal/buildinfo"
)

// ErrVersion is what ParseFlags returns for --version: the caller prints Version and exits 0.
var ErrVersion = errors.New("version requested")

// flagGroup is one section of --help and the document that explains its flags.
type flagGroup struct {
	Name string
	Doc  string
}

// flagGroups are the sections of --help, in the order they print.
var flagGroups = []flagGroup{
	{"program", "README.md"},
	{"server", "README.md#configuration"},
	{"storage", "README.md#configuration and docs/deploy.md"},
	{"auth", "docs/security.md"},
	{"jobs", "docs/behaviour.md"},
	{"limits", "docs/security.md"},
	{"logging", "README.md#configuration"},
	{"testing", "docs/testing.md"},
}

// flagGroupOf places each flag in one group of --help. A flag registered in ParseFlags must
// be here (TestEveryFlagHasAGroup); a name here that no code registers is harmless, so the
// flags of work in progress can be placed before they land.
var flagGroupOf = map[string]string{
	"help":    "program",
	"version": "program",

	"addr":         "server",
	"region":       "server",
	"cors-origins": "server",

	"data-dir":   "storage",
	"store":      "storage",
	"s3-buckets": "storage",
	"ephemeral":  "storage",
	"seed":       "storage",
	"o":          "storage", // amplifybackendd export -o FILE
	"replace":    "storage", // amplifybackendd import --replace FILE

	"auth":        "auth",
	"credentials": "auth",
	"token-ttl":   "auth",

	"job-duration":   "jobs",
	"job-lease":      "jobs",
	"job-timeout":    "jobs",
	"job-max-memory": "jobs",
	"job-workers":    "jobs",

	"rate-limit": "limits",
	"rate-burst": "limits",
	"max-body":   "limits",

	"schema-max-bytes":  "limits",
	"schema-max-types":  "limits",
	"schema-max-fields": "limits",
	"schema-max-depth":  "limits",

	"log-format": "logging",
	"log-level":  "logging",
	"debug-addr": "logging",

	"id-seed":          "testing",
	"journal-size":     "testing",
	"admin-token-file": "testing",
}

// printUsage writes --help: the flags by group, each group with where it is documented.
func printUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, `amplifybackendd serves the AWS Amplify Admin API (AmplifyBackend 2020-08-11).

Usage:
  amplifybackendd [flags]          serve (default http://127.0.0.1:4580, state in ./amplifybackend-data)
  amplifybackendd healthcheck      exit 0 when the server at --addr answers /healthz with 200

Every flag can also be set as AMPLIFYBACKEND_<FLAG> (--data-dir: AMPLIFYBACKEND_DATA_DIR);
the command line wins. The documents named below are in the source repository.
`)
	byGroup := map[string][]*flag.Flag{}
	var other []*flag.Flag
	fs.VisitAll(func(f *flag.Flag) {
		if g, ok := flagGroupOf[f.Name]; ok {
			byGroup[g] = append(byGroup[g], f)
		} else {
			other = append(other, f)
		}
	})
	section := func(title string, flags []*flag.Flag) {
		if len(flags) == 0 {
			return
		}
		fmt.Fprintf(w, "\n%s:\n", title)
		for _, f := range flags {
			name, usage := flag.UnquoteUsage(f)
			line := "  --" + f.Name
			if name != "" {
				line += " " + name
			}
			fmt.Fprintf(w, "%s\n    \t%s", line, strings.ReplaceAll(usage, "\n", "\n    \t"))
			if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
				fmt.Fprintf(w, " (default %s)", f.DefValue)
			}
			fmt.Fprintln(w)
		}
	}
	for _, g := range flagGroups {
		section(fmt.Sprintf("%s: documented in %s", g.Name, g.Doc), byGroup[g.Name])
	}
	section("other", other)
}

// Version is the line --version prints: version, commit and Go version of this binary, read
// from the build information the Go toolchain stamps into it.
func Version() string {
	info := buildinfo.Read()
	commit := info.Commit
	if commit == "" {
		commit = "unknown"
	}
	return fmt.Sprintf("amplifybackendd %s (commit %s, %s)", info.Version, commit, info.GoVersion)
}
