// Package sysprocs is the simulated SQL Server's system procedures that
// are features of their own rather than part of EXEC's machinery (which the
// engine keeps: binding, sp_executesql, sp_prepare): sp_who and sp_who2,
// sp_reset_connection, and the server configuration options
// (sp_configure, RECONFIGURE; sys.configurations shows them through the
// catalog feature).
// Each is an engine.Feature that sim/mssql/features puts at its place in
// the list; handlers see the engine through its exported surface.
package sysprocs

import (
	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sqlerr"
)

// Procedures is the procedures feature: sp_who, sp_who2 and
// sp_reset_connection.
func Procedures() engine.Feature {
	return engine.Feature{Name: "procedures", Install: installSystemProcs}
}

// Config is the server configuration feature: sp_configure, RECONFIGURE
// and the per-instance option values sys.configurations shows.
func Config() engine.Feature { return engine.Feature{Name: "config", Install: installConfig} }

// newErr is the SQL Server message n (sqlerr's catalogue).
func newErr(n int32, args ...any) *engine.Error { return sqlerr.New(n, args...) }
