package engine

import (
	"context"

	"github.com/pchatdr/harness/sim/mssql/collation"
	"github.com/pchatdr/harness/sim/mssql/tsql"
)

// This file is the engine's surface for the database DDL, which lives
// outside it (sim/mssql/databases: CREATE/DROP DATABASE, ALTER DATABASE ...
// SET): the database's storage, metadata and log state stay here.

// LookupCollation resolves a COLLATE name (def for none or
// DATABASE_DEFAULT; 448 for one the simulator does not model).
func LookupCollation(name string, def collation.ID) (collation.ID, error) {
	return lookupCollation(name, def)
}

// CreateDatabaseCollated is CreateDatabase with the database's default
// collation (CREATE DATABASE ... COLLATE).
func (inst *Instance) CreateDatabaseCollated(ctx context.Context, name string, coll collation.ID, files ...DBFile) (*Database, error) {
	return inst.createDatabase(ctx, name, coll, files...)
}

// AlterDatabaseOption is the handler of ALTER DATABASE ... SET name the
// instance's features installed (nil: none).
func (inst *Instance) AlterDatabaseOption(name string) func(sc *Scope, db *Database, opt *tsql.Option, x *tsql.AlterDatabaseStmt) error {
	return inst.reg.alterDB[name]
}

// LogFailure is how a statement reports a failed log write: a SQL Server
// error passes as is, anything else is logged and becomes 9001 (the log of
// the session's database is not available).
func (sc *scope) LogFailure(err error) error { return sc.s.logFailure(err) }
