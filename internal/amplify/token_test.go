package amplify

import (
	"strings"
	"testing"
	"time"
)

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func TestChallengeCodeEntropy(t *testing.T) {
	// 5 bits a character: at least 60 bits.
	if bits := challengeLength * 5; bits < 60 || len(challengeAlphabet) != 32 {
		t.Fatalf("challenge codes carry %d bits from a %d-letter alphabet", bits, len(challengeAlphabet))
	}
	s := &Service{Configs: wireConfigs}
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		c := s.randomString(challengeAlphabet, challengeLength)
		if len(c) != challengeLength || strings.Trim(c, challengeAlphabet) != "" {
			t.Fatalf("code %q", c)
		}
		if seen[c] {
			t.Fatalf("code %q drawn twice", c)
		}
		seen[c] = true
	}
}

func TestEpochSeconds(t *testing.T) {
	s := &Service{Configs: wireConfigs}
	if got := s.tokenTTL(); got != DefaultTokenTTL {
		t.Errorf("default TTL = %v", got)
	}
	tm := mustTime(t, "2026-07-07T15:04:05.999Z")
	if got := EpochSeconds(tm); got != "1783436645" {
		t.Errorf("EpochSeconds = %s", got)
	}
}
