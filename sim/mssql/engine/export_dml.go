package engine

import "github.com/pchatdr/harness/sim/mssql/dml"

// A Table is the dml.Table INSERT, UPDATE, DELETE and TRUNCATE change
// (sim/mssql/dml); its rows are reached through the statement's dml.Tx.
var _ dml.Table = (*Table)(nil)

// TableName is the table's name.
func (t *Table) TableName() string { return t.Name }

// SchemaName is the schema the table is in.
func (t *Table) SchemaName() string { return t.Schema }

// DatabaseName is the database the table is in.
func (t *Table) DatabaseName() string { return t.db.Name() }

// Columns are the table's columns as a statement changing its rows sees
// them.
func (t *Table) Columns() []dml.Column {
	out := make([]dml.Column, len(t.Cols))
	for i, c := range t.Cols {
		out[i] = dml.Column{Name: c.Name, Type: c.Type, Nullable: c.Nullable, Identity: c.Identity, Default: c.Default}
	}
	return out
}

// NextIdentity and NoteExplicitIdentity are the row store's (rowstore.Table),
// as a row version's Values (a dml.Row) is.
