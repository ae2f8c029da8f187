package amplify

// wireConfigs is internal/wireconfig's Configs for the tests of this package, which cannot
// import it (it imports this package): wireconfig_test.go, of package amplify_test, sets it
// before any test runs.
var wireConfigs Configs

// SetWireConfigs sets wireConfigs.
func SetWireConfigs(c Configs) { wireConfigs = c }
