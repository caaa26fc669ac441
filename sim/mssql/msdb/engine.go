// Package msdb is SQL Server's msdb procedures: SQL Server Agent's job
// procedures (sp_add_job, sp_start_job, ...), the log-shipping master and
// monitor procedures and the log-shipping alert job, and the features that
// create msdb's tables and start the instance's Agent. They live outside
// sim/mssql/engine and see the instance only through its exported surface
// (engine/extension.go): like SQL Server's own msdb procedures, they do
// their work in T-SQL on system sessions, so every rule (BACKUP LOG's
// refusals, RESTORE's chain checks, durability) is the engine's. The Agent
// itself is sim/mssql/agent and the log-shipping agent sim/mssql/sqllogship;
// this package adapts the instance to both.
package msdb

import (
	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sqlerr"
)

// The engine's types, under the names the procedures were written with.
type (
	// Value is a SQL value.
	Value = engine.Value
	// GUID is a uniqueidentifier.
	GUID = engine.GUID
	// Type is a SQL type.
	Type = engine.Type
	// Column is a result set column.
	Column = engine.Column
)

// The column and parameter types the procedures use.
var (
	tSys  = sqltypes.TypeSysname
	tInt  = sqltypes.TypeInt
	tTiny = sqltypes.TypeTinyInt
	tBit  = sqltypes.TypeBit
	tGUID = sqltypes.TypeGUID
)

func nv(n int) Type                                 { return sqltypes.NVarChar(n) }
func col(name string, t Type, nullable bool) Column { return engine.Col(name, t, nullable) }
func newErr(n int32, args ...any) *engine.Error     { return sqlerr.New(n, args...) }
func newGUID() GUID                                 { return engine.NewGUID() }
