package engine

import (
	"github.com/pchatdr/harness/sim/mssql/collation"
)

// Collations (package collation holds the modelled ones). A character
// column takes the collation its COLLATE clause names, else its
// database's; a variable, a CAST target and a varchar literal take the
// current database's (SQL Server's "collation of an identifier ... the
// default collation of the current database"). tempdb, and so #temp
// tables, have the server's collation.

// Collation is the database's default collation (CREATE DATABASE ...
// COLLATE).
func (d *Database) Collation() collation.ID { return d.Meta().Collation }

// dbCollation is the current database's collation.
func (sc *scope) dbCollation() collation.ID {
	if db := sc.s.currentDB(); db != nil {
		return db.Collation()
	}
	return collation.Default
}
