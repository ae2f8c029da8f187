package testenv

import (
	"bytes"
	"strings"
	"testing"
)

// A stream as `go test -json` writes it: one package passes, one test skips with a reason,
// a subtest skips, a test passes.
const events = `{"Action":"start","Package":"example.com/a"}
{"Action":"run","Package":"example.com/a","Test":"TestDB"}
{"Action":"output","Package":"example.com/a","Test":"TestDB","Output":"=== RUN   TestDB\n"}
{"Action":"output","Package":"example.com/a","Test":"TestDB","Output":"    db_test.go:12: PostgreSQL tests need a database\n"}
{"Action":"output","Package":"example.com/a","Test":"TestDB","Output":"--- SKIP: TestDB (0.00s)\n"}
{"Action":"skip","Package":"example.com/a","Test":"TestDB","Elapsed":0}
{"Action":"run","Package":"example.com/a","Test":"TestNode/js"}
{"Action":"output","Package":"example.com/a","Test":"TestNode/js","Output":"    node_test.go:3: node not installed\n"}
{"Action":"skip","Package":"example.com/a","Test":"TestNode/js","Elapsed":0}
{"Action":"pass","Package":"example.com/a","Test":"TestNode","Elapsed":0}
{"Action":"run","Package":"example.com/a","Test":"TestOK"}
{"Action":"output","Package":"example.com/a","Test":"TestOK","Output":"--- PASS: TestOK (0.00s)\n"}
{"Action":"pass","Package":"example.com/a","Test":"TestOK","Elapsed":0}
{"Action":"run","Package":"example.com/a","Test":"TestBad"}
{"Action":"output","Package":"example.com/a","Test":"TestBad","Output":"    bad_test.go:9: boom\n"}
{"Action":"output","Package":"example.com/a","Test":"TestBad","Output":"--- FAIL: TestBad (0.00s)\n"}
{"Action":"fail","Package":"example.com/a","Test":"TestBad","Elapsed":0}
{"Action":"output","Package":"example.com/a","Output":"ok  \texample.com/a\t0.01s\n"}
{"Action":"pass","Package":"example.com/a","Elapsed":0.01}
{"Action":"skip","Package":"example.com/b","Elapsed":0}
`

func TestSkips(t *testing.T) {
	var out bytes.Buffer
	skips, err := Skips(strings.NewReader(events), &out)
	if err != nil {
		t.Fatal(err)
	}
	want := []Skip{{"example.com/a TestDB", "db_test.go:12: PostgreSQL tests need a database"}, {"example.com/a TestNode/js", "node_test.go:3: node not installed"}}
	if len(skips) != len(want) || skips[0] != want[0] || skips[1] != want[1] {
		t.Errorf("skips = %q; want %q (a package without tests is not a skipped test)", skips, want)
	}
	// What go test without -v prints: package lines and failing tests' output only.
	if got, want := out.String(), "    bad_test.go:9: boom\n--- FAIL: TestBad (0.00s)\nok  \texample.com/a\t0.01s\n"; got != want {
		t.Errorf("printed:\n%s\nwant:\n%s", got, want)
	}

	unexpected, err := Unexpected(skips, strings.NewReader("# expected skips\nexample.com/a TestNode/js  node is not in this image\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(unexpected) != 1 || unexpected[0].Test != "example.com/a TestDB" {
		t.Errorf("unexpected = %q; want only TestDB", unexpected)
	}
	if _, err := Unexpected(skips, strings.NewReader("example.com/a TestDB\n")); err == nil {
		t.Error("an allowed skip without a reason was accepted")
	}
}
