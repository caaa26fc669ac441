package catalog

import (
	"sort"
	"strings"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/sysprocs"
)

func installObjectViews(r *engine.Registry) {
	r.View("sys", "indexes", []engine.Column{
		col("object_id", tInt, false), col("name", tSys, true), col("index_id", tInt, false), col("type", tTiny, false),
		col("type_desc", nv(60), true), col("is_unique", tBit, true), col("is_primary_key", tBit, true),
		col("is_unique_constraint", tBit, true),
	}, func(sc *engine.Scope, db *engine.Database) ([][]engine.Value, error) {
		var out [][]engine.Value
		for _, t := range sc.Tables(db) {
			hasPK := false
			for _, ix := range t.Indexes {
				hasPK = hasPK || ix.Primary
			}
			if !hasPK {
				out = append(out, []engine.Value{int64(t.ID), nil, int64(0), int64(0), "HEAP", false, false, false})
			}
			next := int64(2)
			for _, ix := range t.Indexes {
				id, typ, desc := next, int64(2), "NONCLUSTERED"
				if ix.Primary {
					id, typ, desc = 1, 1, "CLUSTERED"
				} else {
					next++
				}
				out = append(out, []engine.Value{int64(t.ID), ix.Name, id, typ, desc, !ix.NonUnique, ix.Primary, !ix.Primary && !ix.Index})
			}
		}
		return out, nil
	})
	r.View("sys", "key_constraints", []engine.Column{
		col("name", tSys, false), col("object_id", tInt, false), col("parent_object_id", tInt, false),
		col("type", sqltypes.Type{Kind: sqltypes.KindChar, Length: 2}, true), col("type_desc", nv(60), true),
		col("unique_index_id", tInt, true), col("is_system_named", tBit, false),
	}, func(sc *engine.Scope, db *engine.Database) ([][]engine.Value, error) {
		var out [][]engine.Value
		for _, t := range sc.Tables(db) {
			for i, ix := range t.Indexes {
				if ix.Index {
					continue
				}
				typ, desc, idx := "UQ", "UNIQUE_CONSTRAINT", int64(i+2)
				if ix.Primary {
					typ, desc, idx = "PK", "PRIMARY_KEY_CONSTRAINT", 1
				}
				sysNamed := strings.HasPrefix(ix.Name, "PK__") || strings.HasPrefix(ix.Name, "UQ__")
				out = append(out, []engine.Value{ix.Name, int64(t.ID*100 + i + 1), int64(t.ID), typ, desc, idx, sysNamed})
			}
		}
		return out, nil
	})
	principalCols := []engine.Column{
		col("name", tSys, false), col("principal_id", tInt, false), col("sid", sqltypes.VarBinary(85), true),
		col("type", sqltypes.Type{Kind: sqltypes.KindChar, Length: 1}, false), col("type_desc", nv(60), true),
		col("is_disabled", tBit, true), col("create_date", tDT, false), col("modify_date", tDT, false),
		col("default_database_name", tSys, true),
	}
	logins := func(sc *engine.Scope) [][]engine.Value {
		inst := sc.Instance()
		created := engine.SystemCreated()
		rows := [][]engine.Value{{"sa", int64(1), []byte{1}, "S", "SQL_LOGIN", false, created, created, "master"}}
		var names []string
		for n := range inst.Config().Logins {
			names = append(names, n)
		}
		sort.Strings(names)
		for i, n := range names {
			rows = append(rows, []engine.Value{n, int64(256 + i), []byte{byte(i + 2)}, "S", "SQL_LOGIN", false, created, created, "master"})
		}
		return rows
	}
	r.View("sys", "server_principals", principalCols, func(sc *engine.Scope, _ *engine.Database) ([][]engine.Value, error) {
		// Logins of every kind and the fixed server roles.
		var rows [][]engine.Value
		created := engine.SystemCreated()
		for _, p := range sc.Instance().ServerPrincipals() {
			var defDB engine.Value = "master"
			if p.Type == "R" {
				defDB = nil
			}
			rows = append(rows, []engine.Value{p.Name, int64(p.ID), p.SID, p.Type, p.TypeDesc, false, created, created, defDB})
		}
		return rows, nil
	})
	r.View("sys", "sql_logins", principalCols, func(sc *engine.Scope, _ *engine.Database) ([][]engine.Value, error) {
		return logins(sc), nil
	})
	// sys.configurations: every option, advanced or not (sp_configure's
	// table, kept by the config feature: sim/mssql/sysprocs).
	r.View("sys", "configurations", []engine.Column{
		col("configuration_id", tInt, false), col("name", nv(35), false), col("value", tInt, true),
		col("minimum", tInt, true), col("maximum", tInt, true), col("value_in_use", tInt, true),
		col("description", nv(255), false), col("is_dynamic", tBit, false), col("is_advanced", tBit, false),
	}, func(sc *engine.Scope, _ *engine.Database) ([][]engine.Value, error) {
		return sysprocs.Configurations(sc.Instance()), nil
	})
}
