// Package catalog is the catalog views of the simulated SQL Server (sys.*,
// INFORMATION_SCHEMA.*, the SQL Server 2000 compatibility views) and the
// procedures that describe the catalog (sp_databases, sp_help): virtual tables computed on read from what the engine
// exports (engine/export_catalog.go), as go-mysql-server's
// information_schema package computes its tables from the catalog. The
// engine imports nothing of it; sim/mssql/features wires its features in.
//
// A view's object_id follows the order views are added to the instance's
// registry, so the order of the r.View calls here and of the features in
// features.Default() is part of what clients see: append only.
package catalog

import (
	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sqlerr"
)

// Catalog is the catalog feature: sys.databases, the session and request
// views, sys.objects, sys.tables, sys.columns, INFORMATION_SCHEMA,
// the file views, sys.dm_server_services, sys.database_mirroring,
// sys.indexes, sys.key_constraints, the principal views and
// sys.configurations.
func Catalog() engine.Feature {
	return engine.Feature{Name: "catalog", Install: func(r *engine.Registry) {
		installCatalogViews(r)
		installProcessViews(r)
		installObjectViews(r)
	}}
}

// ClientCatalog is what client tools and drivers' own tests read besides
// the catalog the failback needs (issue 14): sp_databases and
// sys.dm_exec_connections.
func ClientCatalog() engine.Feature {
	return engine.Feature{Name: "client-catalog", Install: installClientCatalog}
}

// CompatibilityViews is sysobjects and syscomments, the SQL Server 2000
// views old DBA scripts still query.
func CompatibilityViews() engine.Feature {
	return engine.Feature{Name: "compatibility-views", Install: installCompatibilityViews}
}

// WithModuleViews is the modules feature (sim/mssql/modules: CREATE
// PROCEDURE and VIEW; the engine keeps the definitions) with the catalog's
// views of them added
// at its end, where they always were: sys.procedures, sys.views,
// sys.sql_modules and sp_helptext. One feature, as before, so the views
// keep their object_ids.
func WithModuleViews(modules engine.Feature) engine.Feature {
	install := modules.Install
	modules.Install = func(r *engine.Registry) {
		install(r)
		installModuleCatalog(r)
	}
	return modules
}

// SpHelp is sp_help: the objects of the current database, or one table's,
// view's or procedure's description.
func SpHelp() engine.Feature { return engine.Feature{Name: "sp_help", Install: installSpHelp} }

// Column types the views use, named as in the engine.
var (
	tSys  = sqltypes.TypeSysname
	tInt  = sqltypes.TypeInt
	tSm   = sqltypes.TypeSmallInt
	tTiny = sqltypes.TypeTinyInt
	tBit  = sqltypes.TypeBit
	tBig  = sqltypes.TypeBigInt
	tDT   = sqltypes.TypeDateTime
	tGUID = sqltypes.TypeGUID
	tLSN  = sqltypes.DecimalType(25, 0)
)

func col(name string, t engine.Type, nullable bool) engine.Column {
	return engine.Col(name, t, nullable)
}
func nv(n int) engine.Type    { return sqltypes.NVarChar(n) }
func vc(n int) engine.Type    { return sqltypes.VarChar(n) }
func b2v(b bool) engine.Value { return b }

// newErr is the SQL Server message n (sqlerr's catalogue).
func newErr(n int32, args ...any) *engine.Error { return sqlerr.New(n, args...) }
