package dml

import (
	"strings"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// RowBuilder turns supplied values into a full table row: defaults,
// identity, conversion to column types, NOT NULL.
type RowBuilder struct {
	sc   Scope
	t    Table
	cols []Column
	// Targets is the table column of each supplied value.
	Targets []int
	// Stmt names the statement in 515 (INSERT, UPDATE, BULK INSERT).
	Stmt string
	// explicitIdent: SET IDENTITY_INSERT ON and the identity column listed.
	explicitIdent bool
}

// identityCol is the index of t's identity column, -1 when it has none.
func identityCol(cols []Column) int {
	for i, c := range cols {
		if c.Identity {
			return i
		}
	}
	return -1
}

// colIndex finds a column by name, case-insensitively; -1 when none.
func colIndex(cols []Column, name string) int {
	for i, c := range cols {
		if strings.EqualFold(c.Name, name) {
			return i
		}
	}
	return -1
}

// NewRowBuilder builds rows of t from the columns listed (all but the
// identity column when none are).
func NewRowBuilder(sc Scope, t Table, cols []tsql.Ident) (*RowBuilder, error) {
	tc := t.Columns()
	rb := &RowBuilder{sc: sc, t: t, cols: tc, Stmt: "INSERT"}
	ic := identityCol(tc)
	identInsert := ic >= 0 && sc.IdentityInsert(t)
	if len(cols) == 0 {
		if identInsert {
			return nil, newErr(sqlerr.IdentityInsertColumnList, t.TableName())
		}
		for i := range tc {
			if i != ic {
				rb.Targets = append(rb.Targets, i)
			}
		}
		return rb, nil
	}
	seen := map[int]bool{}
	for _, c := range cols {
		i := colIndex(tc, c.Name)
		if i < 0 {
			return nil, newErr(sqlerr.InvalidColumn, c.Name)
		}
		if seen[i] {
			return nil, newErr(sqlerr.ColumnAssignedTwice, c.Name)
		}
		seen[i] = true
		if i == ic {
			if !identInsert {
				return nil, newErr(sqlerr.IdentityInsertOff, t.TableName())
			}
			rb.explicitIdent = true
		}
		rb.Targets = append(rb.Targets, i)
	}
	if identInsert && !rb.explicitIdent {
		return nil, newErr(sqlerr.IdentityValueRequired, t.TableName())
	}
	return rb, nil
}

// Build makes the row from supplied values (their types in types; a value
// whose isDefault is set takes the column's default).
func (rb *RowBuilder) Build(vals []Value, types []Type, isDefault []bool) ([]Value, error) {
	t, cols := rb.t, rb.cols
	row := make([]Value, len(cols))
	supplied := make([]bool, len(cols))
	for k, ci := range rb.Targets {
		if isDefault != nil && isDefault[k] {
			continue
		}
		supplied[ci] = true
		v := vals[k]
		if v == nil {
			continue
		}
		cv, err := storeValue(v, types[k], t, cols, ci)
		if err != nil {
			return nil, err
		}
		row[ci] = cv
	}
	for i, c := range cols {
		if supplied[i] {
			continue
		}
		if c.Identity {
			row[i] = t.NextIdentity()
			continue
		}
		if c.Default != "" {
			v, vt, err := rb.sc.Default(c.Default)
			if err != nil {
				return nil, err
			}
			if v != nil {
				if row[i], err = storeValue(v, vt, t, cols, i); err != nil {
					return nil, err
				}
			}
		}
	}
	if rb.explicitIdent {
		if v, ok := row[identityCol(cols)].(int64); ok {
			t.NoteExplicitIdentity(v)
		}
	}
	for i, c := range cols {
		if row[i] == nil && !c.Nullable {
			return nil, newErr(sqlerr.NullNotAllowed, c.Name, qualifiedName(t), rb.Stmt)
		}
	}
	return row, nil
}

// storeValue converts v to column ci's type: truncation is 2628 (as SQL
// Server 2022 reports it), other failures the conversion's own error.
func storeValue(v Value, vt Type, t Table, cols []Column, ci int) (Value, error) {
	ct := cols[ci].Type
	if (ct.Kind.IsString() || ct.Kind.IsBinary()) && ct.Length != sqltypes.MaxLength {
		if (vt.Kind.IsString() && ct.Kind.IsString()) || (vt.Kind.IsBinary() && ct.Kind.IsBinary()) {
			if !sqltypes.Fits(v, ct) {
				s := sqltypes.FormatValue(v, vt)
				if r := []rune(s); len(r) > ct.Length {
					s = string(r[:ct.Length])
				}
				return nil, newErr(sqlerr.Truncation, t.TableName(), cols[ci].Name, s)
			}
		}
	}
	cv, err := sqltypes.ConvertImplicit(v, vt, ct)
	if err != nil {
		return nil, err
	}
	return cv, nil
}
