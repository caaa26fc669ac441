package features_test

import (
	"testing"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/features"
)

// TestDefaultKeepsTheOrder checks the list names every feature once, in the
// order the catalog views' object_ids were given in: moving a feature out of
// the engine must not renumber the views clients have seen.
func TestDefaultKeepsTheOrder(t *testing.T) {
	want := []string{"catalog", "procedures", "files", "logins", "endpoints", "logshipping", "agent",
		"mirroring", "backup", "restore", "capacity", "client-catalog", "compatibility-views",
		"logshipping-alert", "modules", "config", "agent-help", "sp_help", "databases", "security"}
	got := features.Default()
	if len(got) != len(want) {
		t.Fatalf("features.Default() has %d features, want %d", len(got), len(want))
	}
	for i, f := range got {
		if f.Name != want[i] {
			t.Errorf("feature %d is %q, want %q", i, f.Name, want[i])
		}
		if f.Install == nil {
			t.Errorf("feature %q installs nothing", f.Name)
		}
	}
	seen := map[string]bool{}
	for _, f := range engine.DefaultFeatures() {
		seen[f.Name] = true
	}
	for _, f := range got {
		delete(seen, f.Name)
	}
	for name := range seen {
		t.Errorf("engine feature %q is not in features.Default()", name)
	}
}
