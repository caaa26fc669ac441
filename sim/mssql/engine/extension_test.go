package engine_test

import (
	"context"
	"testing"

	"github.com/pchatdr/harness/sim/mssql/catalog"
	"github.com/pchatdr/harness/sim/mssql/databases"
	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sqlerr"
)

// fakeMirroring is a MirrorController from outside the engine that calls
// one database the principal of a session: the engine must ask it, not
// keep an idea of mirroring of its own.
type fakeMirroring struct{ db string }

func (f *fakeMirroring) Role(d *engine.Database) engine.MirrorRole {
	if d.Name() == f.db {
		return engine.MirrorRolePrincipal
	}
	return engine.MirrorRoleNone
}

func (f *fakeMirroring) Row(d *engine.Database) []engine.Value {
	if f.Role(d) == engine.MirrorRoleNone {
		return nil
	}
	// mirroring_guid, then mirroring_state and its desc.
	return []engine.Value{nil, int64(4), "SYNCHRONIZED"}
}

// rowsResults keeps the rows and the error numbers of a batch.
type rowsResults struct {
	rows [][]engine.Value
	errs []int32
}

func (r *rowsResults) Columns([]engine.Column) error { return nil }
func (r *rowsResults) Row(v []engine.Value) error    { r.rows = append(r.rows, v); return nil }
func (r *rowsResults) Done(engine.DoneInfo) error    { return nil }
func (r *rowsResults) Message(m *engine.Error) error {
	if !m.IsInfo() {
		r.errs = append(r.errs, m.Number)
	}
	return nil
}
func (r *rowsResults) EnvChange(engine.EnvChange) error     { return nil }
func (r *rowsResults) ReturnStatus(int32) error             { return nil }
func (r *rowsResults) ReturnValue(engine.ReturnValue) error { return nil }

func batch(t *testing.T, s *engine.Session, sql string) *rowsResults {
	t.Helper()
	var r rowsResults
	if err := s.Batch(context.Background(), sql, &r); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return &r
}

// TestFeatureOutsideTheEngine builds an instance with a feature installed
// from outside the package: its per-instance state is made once per
// instance even when two features register it, and its MirrorController
// decides what the core's mirroring checks and sys.database_mirroring see.
func TestFeatureOutsideTheEngine(t *testing.T) {
	type stateKey struct{}
	made := 0
	ext := engine.Feature{Name: "outside", Install: func(r *engine.Registry) {
		for range 2 {
			r.InstanceState(stateKey{}, func(*engine.Instance) any { made++; return &fakeMirroring{db: "mgc"} })
		}
		r.MirrorController(func(inst *engine.Instance) engine.MirrorController {
			return inst.State(stateKey{}).(*fakeMirroring)
		})
	}}
	inst, err := engine.New(engine.Config{Name: "EXT01", DataDir: t.TempDir(), SAPassword: "Pa55w.rd!", NoSync: true,
		Features: append(append([]engine.Feature{catalog.Catalog()}, engine.DefaultFeatures()...), databases.Databases(), ext)})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	defer inst.Close()
	if made != 1 {
		t.Fatalf("state made %d times, want once", made)
	}
	if inst.MirrorController() != inst.State(stateKey{}) {
		t.Fatal("the controller is not the state the feature registered")
	}
	s, err := inst.Login(context.Background(), engine.LoginRequest{User: "sa", Password: "Pa55w.rd!"})
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	defer s.Close()
	for _, sql := range []string{"CREATE DATABASE mgc", "CREATE DATABASE other", "ALTER DATABASE mgc SET RECOVERY FULL", "ALTER DATABASE other SET RECOVERY FULL"} {
		if r := batch(t, s, sql); len(r.errs) > 0 {
			t.Fatalf("%s: errors %v", sql, r.errs)
		}
	}
	if !inst.DB("mgc").IsMirrored() || inst.DB("other").IsMirrored() {
		t.Fatal("IsMirrored does not follow the controller")
	}
	// A mirrored database keeps FULL recovery (1468, then 5069); the other
	// may change.
	if r := batch(t, s, "ALTER DATABASE mgc SET RECOVERY SIMPLE"); len(r.errs) != 2 || r.errs[0] != sqlerr.InvolvedInMirroring || r.errs[1] != sqlerr.AlterDatabaseFailed {
		t.Fatalf("SET RECOVERY SIMPLE on the mirrored database: errors %v, want [1468 5069]", r.errs)
	}
	if r := batch(t, s, "ALTER DATABASE other SET RECOVERY SIMPLE"); len(r.errs) > 0 {
		t.Fatalf("SET RECOVERY SIMPLE on an unmirrored database: errors %v", r.errs)
	}
	r := batch(t, s, "SELECT DB_NAME(database_id), ISNULL(mirroring_state_desc, 'NULL') FROM sys.database_mirroring WHERE database_id > 4 ORDER BY database_id")
	if len(r.errs) > 0 || len(r.rows) != 2 {
		t.Fatalf("sys.database_mirroring: rows %v errors %v", r.rows, r.errs)
	}
	if r.rows[0][0] != "mgc" || r.rows[0][1] != "SYNCHRONIZED" || r.rows[1][0] != "other" || r.rows[1][1] != "NULL" {
		t.Fatalf("sys.database_mirroring shows %v, want mgc SYNCHRONIZED and other NULL", r.rows)
	}
}

// TestNoMirroringWithoutTheFeature: the engine's own features (and the
// database DDL, which left the core) have no mirroring controller; SET
// PARTNER is then an option the instance does not know, as on an edition
// without mirroring, not a silent success.
func TestNoMirroringWithoutTheFeature(t *testing.T) {
	inst, err := engine.New(engine.Config{Name: "EXT02", DataDir: t.TempDir(), SAPassword: "Pa55w.rd!", NoSync: true,
		Features: append(engine.DefaultFeatures(), databases.Databases())})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	defer inst.Close()
	if inst.MirrorController() != nil {
		t.Fatal("an instance without the mirroring feature has a controller")
	}
	s, err := inst.Login(context.Background(), engine.LoginRequest{User: "sa", Password: "Pa55w.rd!"})
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	defer s.Close()
	batch(t, s, "CREATE DATABASE mgc")
	r := batch(t, s, "ALTER DATABASE mgc SET PARTNER = 'TCP://mirror.contoso.local:5022'")
	if len(r.errs) != 2 || r.errs[0] != sqlerr.Message || r.errs[1] != sqlerr.AlterDatabaseFailed {
		t.Fatalf("SET PARTNER without mirroring: errors %v, want [%d %d]", r.errs, sqlerr.Message, sqlerr.AlterDatabaseFailed)
	}
}
