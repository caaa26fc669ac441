package engine

// The package's own tests build their instances from the engine's features
// and the ones that left it for packages of their own (the catalog views,
// sim/mssql/catalog), as they did before: a test observes a restore's
// result in sys.databases. Those packages import the engine, so a test in
// package engine cannot name them; main_test.go (package engine_test, in
// the same test binary) hands the list in from TestMain before any test
// runs, and nothing writes it afterwards.

// testFeatureList is the list main_test.go's TestMain sets.
var testFeatureList []Feature

// SetTestFeatures sets the feature list of the package's tests (TestMain
// only).
func SetTestFeatures(fs []Feature) { testFeatureList = fs }

// testFeatures is a copy of the tests' feature list.
func testFeatures() []Feature {
	if testFeatureList == nil {
		panic("engine tests: no feature list (TestMain in main_test.go sets it)")
	}
	return append([]Feature(nil), testFeatureList...)
}

// newInstance is New with the tests' feature list when c names none.
func newInstance(c Config) (*Instance, error) {
	if c.Features == nil {
		c.Features = testFeatures()
	}
	return New(c)
}
