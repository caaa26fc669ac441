package engine

import (
	"testing"

	"github.com/pchatdr/harness/sqlerr"
)

// An instance runs what its features installed and nothing else: the
// registries are the instance's own, built in New from Config.Features,
// so an instance without the Agent knows no msdb job procedure while
// another in the same process does.
func TestFeaturesAreTheInstances(t *testing.T) {
	var noAgent []Feature
	for _, f := range DefaultFeatures() {
		if f.Name != "agent" && f.Name != "logshipping" {
			noAgent = append(noAgent, f)
		}
	}
	bare, err := New(Config{Name: "BARE", SAPassword: "Pa55w.rd!", Features: noAgent})
	if err != nil {
		t.Fatal(err)
	}
	defer bare.Close()
	full := newTestInstance(t, "")
	defer full.Close()

	const addJob = "EXEC msdb.dbo.sp_add_job @job_name = N'j'"
	if got := run(t, login(t, bare, "t"), addJob).errNums(); len(got) != 1 || got[0] != sqlerr.ProcedureNotFound {
		t.Errorf("sp_add_job without the agent feature: errors %v, want [%d]", got, sqlerr.ProcedureNotFound)
	}
	if bare.Agent() != nil {
		t.Error("an instance without the agent feature has an Agent")
	}
	mustRun(t, login(t, full, "t"), addJob)
	// Views come from the catalog feature in both.
	wantRows(t, login(t, bare, "t"), "SELECT COUNT(*) FROM sys.databases", "4")
}
