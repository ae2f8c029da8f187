package amplifybackendtest_test

import (
	"fmt"
	"testing"

	"github.com/amplifybackendd/amplifybackendd/amplifybackendtest"
)

// BenchmarkStart is the cost of a server per test: Start and Close of an in-memory server.
func BenchmarkStart(b *testing.B) {
	for b.Loop() {
		srv, err := amplifybackendtest.Start()
		if err != nil {
			b.Fatal(err)
		}
		if err := srv.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkResetBetweenTests is the cost of a shared server's reset between tests: what a
// test typically leaves (a few apps with their jobs) removed, plus faults and journal
// cleared, over HTTP.
func BenchmarkResetBetweenTests(b *testing.B) {
	srv, err := amplifybackendtest.Start()
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	snapshot := func() []byte {
		c := srv.AmplifyBackend()
		for i := range 5 {
			app := fmt.Sprintf("app%d", i)
			createBackend(b, c, app)
		}
		s, err := srv.State(amplifybackendtest.Scope{})
		if err != nil {
			b.Fatal(err)
		}
		return s
	}()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		if err := srv.LoadState(snapshot); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := srv.Reset(amplifybackendtest.Scope{}); err != nil {
			b.Fatal(err)
		}
		if err := srv.ClearFaults(); err != nil {
			b.Fatal(err)
		}
		if err := srv.ClearRequests(); err != nil {
			b.Fatal(err)
		}
	}
}
