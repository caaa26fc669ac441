package features_test

import (
	"context"
	"testing"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/features"
)

// rowsOnly keeps a batch's rows and its first error.
type rowsOnly struct {
	rows [][]engine.Value
	err  *engine.Error
}

func (r *rowsOnly) Columns([]engine.Column) error { return nil }
func (r *rowsOnly) Row(v []engine.Value) error    { r.rows = append(r.rows, v); return nil }
func (r *rowsOnly) Done(engine.DoneInfo) error    { return nil }
func (r *rowsOnly) Message(m *engine.Error) error {
	if !m.IsInfo() && r.err == nil {
		r.err = m
	}
	return nil
}
func (r *rowsOnly) EnvChange(engine.EnvChange) error     { return nil }
func (r *rowsOnly) ReturnStatus(int32) error             { return nil }
func (r *rowsOnly) ReturnValue(engine.ReturnValue) error { return nil }

// TestViewObjectIDsKept: a catalog view's object_id is what clients see
// (OBJECT_ID('sys.databases'), sys.objects joins in DBA scripts), and it
// follows the order the features install views in. The ids below are the
// ones main gave before the catalog views left the engine (issue 13);
// moving a feature to a package of its own must give the same ids, and a
// new view gets the next id after them, never one of these.
func TestViewObjectIDsKept(t *testing.T) {
	want := []struct {
		name string
		id   int64
	}{
		{"sys.databases", -100},
		{"sys.dm_exec_sessions", -101},
		{"sys.schemas", -102},
		{"sys.objects", -103},
		{"sys.tables", -104},
		{"sys.columns", -105},
		{"INFORMATION_SCHEMA.TABLES", -106},
		{"INFORMATION_SCHEMA.COLUMNS", -107},
		{"sys.database_files", -108},
		{"sys.master_files", -109},
		{"sys.dm_server_services", -110},
		{"sys.database_mirroring", -111},
		{"sys.dm_exec_requests", -112},
		{"sys.sysprocesses", -113},
		{"sys.indexes", -114},
		{"sys.key_constraints", -115},
		{"sys.server_principals", -116},
		{"sys.sql_logins", -117},
		{"sys.configurations", -118},
		{"sys.endpoints", -119},
		{"sys.tcp_endpoints", -120},
		{"sys.database_mirroring_endpoints", -121},
		{"sys.partitions", -122},
		{"sys.dm_exec_connections", -123},
		{"sys.sysobjects", -124},
		{"sys.syscomments", -125},
		{"sys.procedures", -126},
		{"sys.views", -127},
		{"sys.sql_modules", -128},
		{"sys.server_role_members", -129},
	}
	inst, err := engine.New(engine.Config{Name: "IDS", SAPassword: "Pa55w.rd!", NoSync: true, Features: features.Default()})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	defer inst.Close()
	s, err := inst.Login(context.Background(), engine.LoginRequest{User: "sa", Password: "Pa55w.rd!"})
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	for _, w := range want {
		r := &rowsOnly{}
		if err := s.Batch(context.Background(), "SELECT OBJECT_ID('"+w.name+"')", r); err != nil {
			t.Fatalf("%s: %v", w.name, err)
		}
		if r.err != nil || len(r.rows) != 1 || len(r.rows[0]) != 1 {
			t.Errorf("OBJECT_ID('%s'): rows %v, error %v", w.name, r.rows, r.err)
			continue
		}
		if got, ok := r.rows[0][0].(int64); !ok || got != w.id {
			t.Errorf("OBJECT_ID('%s') = %v, want %d", w.name, r.rows[0][0], w.id)
		}
	}
}
