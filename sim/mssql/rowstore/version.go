package rowstore

import (
	"strings"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tabledef"
	"github.com/pchatdr/harness/sqlerr"
)

// Value is a SQL value (sqltypes).
type Value = sqltypes.Value

// A row version carries the transaction that inserted it (xmin) until that
// transaction commits durably, and the one that deleted it (xmax); nil is
// committed, or not deleted. The functions below are the rules over that
// pair, for the engine's versions (engine/table.go, rows.go).

// Visible reports whether tx (nil: no transaction) sees a version xmin
// inserted and xmax deleted: an insert only once committed, unless it is
// tx's own; a deleted version until its delete commits, unless tx deleted
// it. This gives read-committed-snapshot semantics: readers never block
// and never see uncommitted or not-yet-durable data.
func Visible(xmin, xmax, tx *Tx) bool {
	if xmin != nil && xmin != tx && xmin.State() != Committed {
		return false
	}
	if xmax == nil {
		return true
	}
	if xmax == tx {
		return false
	}
	return xmax.State() != Committed
}

// Durable reports whether a version belongs in a checkpoint: its insert
// committed and its delete did not.
func Durable(xmin, xmax *Tx) bool {
	if xmin != nil && xmin.State() != Committed {
		return false
	}
	return xmax == nil || xmax.State() != Committed
}

// Holder is the active transaction other than tx that is inserting (first)
// or deleting a version, nil when none: tx must wait for it before it
// takes the version's key or changes it, as SQL Server's key lock makes it
// wait.
func Holder(xmin, xmax, tx *Tx) *Tx {
	if xmin != nil && xmin != tx && xmin.State() == Active {
		return xmin
	}
	if xmax != nil && xmax != tx && xmax.State() == Active {
		return xmax
	}
	return nil
}

// Key is vals' key in the unique index ix of a table with columns cols:
// equal for values SQL Server's comparison finds equal (sqltypes.Key). A
// NULL is a value of its own in a UNIQUE key; a primary key cannot hold
// one (false).
func Key(ix *tabledef.Index, cols []tabledef.Column, vals []Value) (string, bool) {
	if len(ix.Cols) == 1 {
		// The common single-column key, without a builder's copy.
		c := ix.Cols[0]
		switch {
		case vals[c] != nil:
			return sqltypes.Key(vals[c], cols[c].Type), true
		case ix.Primary:
			return "", false
		}
		return "\x00N", true
	}
	var b strings.Builder
	for i, c := range ix.Cols {
		v := vals[c]
		if v == nil {
			if ix.Primary {
				return "", false
			}
			b.WriteString("\x00N")
		} else {
			b.WriteString(sqltypes.Key(v, cols[c].Type))
		}
		if i < len(ix.Cols)-1 {
			b.WriteString("\x00|")
		}
	}
	return b.String(), true
}

// FormatKey writes vals' key in ix as SQL Server's duplicate key messages
// do: the key columns' values, <NULL> for a NULL, comma separated.
func FormatKey(ix *tabledef.Index, cols []tabledef.Column, vals []Value) string {
	parts := make([]string, len(ix.Cols))
	for i, c := range ix.Cols {
		if vals[c] == nil {
			parts[i] = "<NULL>"
		} else {
			parts[i] = sqltypes.FormatValue(vals[c], cols[c].Type)
		}
	}
	return strings.Join(parts, ", ")
}

// DuplicateKey is the error of inserting vals into table t when another
// row holds their key in ix: 2601 for a unique index, 2627 for a PRIMARY
// KEY or UNIQUE constraint.
func DuplicateKey(t *tabledef.Table, ix *tabledef.Index, vals []Value) error {
	key := "(" + FormatKey(ix, t.Cols, vals) + ")"
	if ix.Index {
		return sqlerr.New(sqlerr.DuplicateKeyRow, t.Schema+"."+t.Name, ix.Name, key)
	}
	kind := "UNIQUE KEY"
	if ix.Primary {
		kind = "PRIMARY KEY"
	}
	return sqlerr.New(sqlerr.DuplicateKey, kind, ix.Name, t.Schema+"."+t.Name, key)
}
