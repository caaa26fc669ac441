package memory_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/memory"
	"github.com/pchatdr/harness/failback/sqlrules"
	"github.com/pchatdr/harness/failback/topology"
)

func world(t *testing.T) *memory.World {
	// Relative to the package's folder, where go test runs it (not
	// runtime.Caller's path: wrong under -trimpath, which make test uses).
	topo, err := topology.Load(filepath.Join("..", "..", "topologies", "embedded.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return memory.NewWorld(topo)
}

// The model refuses what SQL Server refuses, with the same numbers: the
// rules table the simulator also runs over TDS (rulestest).
func TestSQLServerRules(t *testing.T) {
	sqlrules.Run(t, func(t *testing.T) sqlrules.Deployment { return deployment{world(t)} })
}

// deployment is the model as the rules table sees it.
type deployment struct{ w *memory.World }

func (d deployment) SQL(instance string) failback.SQL { return d.w.SQL(instance) }
func (d deployment) Share() string                    { return d.w.Topo.Share.UNC }
func (d deployment) NonSysadmin(instance string) failback.SQL {
	return d.w.SQLAs(instance, "pchat_failback", false)
}

func TestChatSessionsFollowThePool(t *testing.T) {
	w := world(t)
	if n := w.SessionsNow("sql-backup", "mgc"); n != 2 {
		t.Fatalf("%d sessions on the backup mgc while failed over, want 2", n)
	}
	if err := w.Env(failback.Options{}).Pool.ClearActiveServers(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := w.SessionsNow("sql-backup", "mgc"); n != 0 {
		t.Fatalf("%d sessions after clearing the active list", n)
	}
}
