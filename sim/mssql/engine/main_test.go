package engine_test

import (
	"os"
	"testing"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/features"
)

// TestMain gives the package's internal tests (testfeatures_test.go) their
// feature list: features.Default() without the features that were never
// the engine's own (endpoints and mirroring, the Agent and log shipping),
// i.e. the engine's own list before issue 13 moved the catalog views,
// security, the system procedures and BACKUP/RESTORE out of it. Tests that
// need the rest build their instances with features.Default() themselves
// (close_test.go, helpers_ext_test.go).
func TestMain(m *testing.M) {
	outside := map[string]bool{"endpoints": true, "mirroring": true, "logshipping": true, "agent": true, "logshipping-alert": true}
	var fs []engine.Feature
	for _, f := range features.Default() {
		if !outside[f.Name] {
			fs = append(fs, f)
		}
	}
	engine.SetTestFeatures(fs)
	os.Exit(m.Run())
}
