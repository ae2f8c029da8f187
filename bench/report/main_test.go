package main

import (
	"testing"

	"github.com/amplifybackendd/amplifybackendd/internal/testenv"
)

// TestMain seals the tests from the machine's AWS_* variables and HOME (internal/testenv).
func TestMain(m *testing.M) { testenv.Main(m) }

func TestMedianIndex(t *testing.T) {
	for _, c := range []struct {
		xs   []float64
		want int
	}{
		{nil, -1},
		{[]float64{3}, 0},
		{[]float64{1.86, 1.04, 1.07, 0.91, 2.01}, 2},
		{[]float64{2, 1}, 1},
		{[]float64{5, 1, 4, 2}, 3},
	} {
		if got := medianIndex(c.xs); got != c.want {
			t.Errorf("medianIndex(%v) = %d, want %d", c.xs, got, c.want)
		}
	}
}
