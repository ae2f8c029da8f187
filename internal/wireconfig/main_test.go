package wireconfig

import (
	"testing"

	"github.com/amplifybackendd/amplifybackendd/internal/testenv"
)

// TestMain seals the tests from the machine's AWS_* variables and HOME (internal/testenv).
func TestMain(m *testing.M) { testenv.Main(m) }
