package rulestest

import (
	"database/sql"
	"testing"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/sqlrules"
	"github.com/pchatdr/harness/failback/sqlserver"
	"github.com/pchatdr/harness/sim/mssql"
	"github.com/pchatdr/harness/sim/world"
	"github.com/pchatdr/harness/topologies"
)

// deployment is a live embedded world as the rules table sees it.
type deployment struct {
	t *testing.T
	w *world.World
}

func (d deployment) SQL(name string) failback.SQL {
	inst, ok := d.w.Instance(name)
	if !ok {
		d.t.Fatalf("no instance %s in the world", name)
	}
	db, err := d.w.DB(inst, "master")
	if err != nil {
		d.t.Fatal(err)
	}
	return &failback.LiveSQL{Name: name, DB: sqlserver.OpenDB(db, name)}
}

func (d deployment) Share() string { return d.w.Topology.Share.UNC }

// NonSysadmin leaves the engine's topology login on the instance a login
// that is not sysadmin, as the precondition scenario does, and connects as
// it.
func (d deployment) NonSysadmin(name string) failback.SQL {
	if err := d.w.EngineLoginNotSysadmin(d.t.Context(), name); err != nil {
		d.t.Fatal(err)
	}
	inst, ok := d.w.Instance(name)
	if !ok {
		d.t.Fatalf("no instance %s in the world", name)
	}
	for _, in := range d.w.Topology.Instances {
		if in.Name != name {
			continue
		}
		pw, err := in.Password.Resolve()
		if err != nil {
			d.t.Fatal(err)
		}
		db, err := sql.Open("sqlserver", mssql.DSN(inst.Addr, in.User, pw, "master"))
		if err != nil {
			d.t.Fatal(err)
		}
		d.t.Cleanup(func() { db.Close() })
		return &failback.LiveSQL{Name: name, DB: sqlserver.OpenDB(db, name)}
	}
	d.t.Fatalf("no instance %s in the topology", name)
	return nil
}

// fresh starts an embedded world, fails it over and rebuilds the primary
// data center, as the scenarios do before a failback.
func fresh(t *testing.T) sqlrules.Deployment {
	t.Helper()
	topo, err := topologies.Load("topologies/embedded.yaml")
	if err != nil {
		t.Fatal(err)
	}
	w, err := world.Start(t.Context(), world.Options{Topology: topo, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := w.Close(); err != nil {
			t.Errorf("close world: %v", err)
		}
	})
	if err := w.FailOver(t.Context(), world.Scene{MessagesBefore: 5, MessagesDuring: 5}); err != nil {
		t.Fatal(err)
	}
	if err := w.RebuildPrimary(t.Context()); err != nil {
		t.Fatal(err)
	}
	return deployment{t: t, w: w}
}

// TestSQLServerRules: the simulator refuses what SQL Server refuses, with
// the numbers the in-memory model gives for the same rule.
func TestSQLServerRules(t *testing.T) {
	if testing.Short() {
		t.Skip("a failed-over world per rule")
	}
	sqlrules.Run(t, fresh)
}
