// Package dml executes the simulator's data-changing statements: INSERT
// (VALUES, DEFAULT VALUES, SELECT, EXEC), UPDATE and DELETE (with FROM,
// WHERE and TOP) and TRUNCATE TABLE, and builds the rows they and BULK
// INSERT store (defaults, identity, conversion to the column's type, NOT
// NULL), with the errors SQL Server gives (109/110/120/121/213 for a
// column count, 207, 264, 544/545/8101 for IDENTITY_INSERT, 8102, 515,
// 2628, 127 for a negative TOP, 147, 137).
//
// It knows no instance: the engine's statement scope implements Scope,
// through which a statement resolves its target table, compiles its
// expressions (sim/mssql/query), runs in the session's transaction and
// reports its row count; the row store is reached through Table and Tx
// (scan, insert, delete, identity), as go-mysql-server's row executors see
// sql.Table's RowInserter and RowDeleter. Locking, constraint checks and
// the log stay in the engine behind Tx.
package dml

import (
	"github.com/pchatdr/harness/sim/mssql/query"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

type (
	// Value is a SQL value (sqltypes).
	Value = sqltypes.Value
	// Type is a SQL type (sqltypes).
	Type = sqltypes.Type
)

// RowVersionCol names the hidden last column the target of UPDATE/DELETE
// ... FROM gets in its FROM clause: its value is the Row the source row
// came from, so that the statement changes the row it matched.
const RowVersionCol = "\x00rowversion"

// Column is what a statement needs of a table's column.
type Column struct {
	Name     string
	Type     Type
	Nullable bool
	Identity bool
	// Default is the DEFAULT expression as SQL text ("" for none).
	Default string
}

// Table is a user table or a table variable a statement changes. Its rows
// are read and changed through a Tx.
type Table interface {
	// TableName is the table's own name (544, 545, 8101, 2628 name it).
	TableName() string
	// SchemaName and DatabaseName are where it lives (515 names all
	// three; a column of the target binds with them).
	SchemaName() string
	DatabaseName() string
	// Columns are the table's columns in order.
	Columns() []Column
	// NextIdentity hands out the identity column's next value.
	NextIdentity() int64
	// NoteExplicitIdentity moves the identity past v, a value SET
	// IDENTITY_INSERT ON supplied.
	NoteExplicitIdentity(v int64)
}

// Row is one version of a table's row the statement read.
type Row interface {
	// Values are the row's column values in table order.
	Values() []Value
}

// Tx is the transaction a statement's changes belong to. A change that
// meets another transaction's uncommitted one fails with an error the
// engine recognises: Scope.WithTx undoes the statement, waits and runs it
// again.
type Tx interface {
	// Scan is the table's rows this transaction sees.
	Scan(t Table) []Row
	// Insert adds a row, checking the table's keys (2627, 2601).
	Insert(t Table, row []Value) error
	// Delete removes r; false when another statement of the transaction
	// already did.
	Delete(t Table, r Row) (bool, error)
	// ResetIdentity reseeds the identity as TRUNCATE does, logged so that
	// a restart does not resume after the truncated rows.
	ResetIdentity(t Table)
}

// Scope is what a data-changing statement needs of the batch it runs in.
type Scope interface {
	// Compiler compiles the statement's expressions and queries.
	Compiler() *query.Builder
	// Var is the variable @name, nil when none is declared.
	Var(name string) query.Var
	// Target resolves the table a statement changes: the table named, or
	// the table variable when tableVar is set (208, 1087, 259 for a
	// view, 3906 for a read-only database).
	Target(n *tsql.ObjectName, tableVar string) (Table, error)
	// FromTarget compiles the FROM clause of UPDATE/DELETE ... FROM, in
	// which ref is the target's item: its table gets the hidden
	// RowVersionCol as its last column. It returns the table ref resolved
	// to (259 when a view or catalog view, 3906 when read-only).
	FromTarget(from []tsql.TableSource, ref *tsql.TableRef) (*query.Source, Table, error)
	// InsertExec runs INSERT ... EXEC's procedure now and returns its rows
	// as a plan of want columns (213).
	InsertExec(x *tsql.ExecStmt, want int) (*query.Plan, error)
	// Default evaluates a column's DEFAULT text, in a scope of its own.
	Default(text string) (Value, Type, error)
	// IdentityInsert says whether SET IDENTITY_INSERT is ON for t.
	IdentityInsert(t Table) bool
	// WithTx runs fn atomically in the session's transaction (a savepoint
	// inside an explicit one, else one of its own committed durably).
	WithTx(fn func(tx Tx) (int64, error)) (int64, error)
	// SetIdentity records the last identity an INSERT stored
	// (@@IDENTITY, SCOPE_IDENTITY()).
	SetIdentity(v Value)
	// Done ends the statement: @@ROWCOUNT is n, @@ERROR 0, and DONE
	// carries the count when hasCount, for command cmd.
	Done(n int64, hasCount bool, cmd uint16) error
}

// The DONE token's current-command numbers of the statements.
const (
	cmdInsert = 0xC3
	cmdDelete = 0xC4
	cmdUpdate = 0xC5
)

// qualifiedName is database.schema.table, as 515 names the table.
func qualifiedName(t Table) string {
	return t.DatabaseName() + "." + t.SchemaName() + "." + t.TableName()
}

// newErr builds SQL Server message number (a sqlerr constant).
func newErr(n int32, args ...any) *sqlerr.Error { return sqlerr.New(n, args...) }
