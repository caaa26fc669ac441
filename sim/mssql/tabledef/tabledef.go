// Package tabledef is a user table's definition as SQL Server's table DDL
// makes it: the columns, keys and indexes CREATE TABLE (and DECLARE @t
// TABLE) and CREATE INDEX declare, checked with SQL Server's rules and
// errors (duplicate columns 2705, IDENTITY's type 2749 and nullability
// 8147, a DEFAULT on an identity column 1754, two primary keys 8110, a
// nullable key column 8111 then 1750, unknown key columns 1911, an
// existing index name 1913), and the names SQL Server gives what the DDL
// leaves unnamed (PK__orders__3213E83F1A2B3C4D) and a session's local
// temporary tables (#t________________00000000003A).
//
// It knows no instance, as sim/mssql/query does not: what a definition
// needs of the running statement (a constant's value, how a failed
// constraint is reported) it asks its Scope, which the engine implements;
// creating, dropping and logging the table stays in the engine, which owns
// the database's tables and transactions.
package tabledef

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"

	"github.com/pchatdr/harness/sim/mssql/collation"
	"github.com/pchatdr/harness/sim/mssql/query"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// Column is one column of a user table.
type Column struct {
	Name     string        `json:"name"`
	Type     sqltypes.Type `json:"type"`
	Nullable bool          `json:"nullable"`
	Identity bool          `json:"identity,omitempty"`
	Seed     int64         `json:"seed,omitempty"`
	Incr     int64         `json:"incr,omitempty"`
	// Default is the DEFAULT expression as SQL text; it is parsed again when
	// used, so the log and snapshots only ever hold text.
	Default     string `json:"default,omitempty"`
	DefaultName string `json:"default_name,omitempty"`
}

// Index is a PRIMARY KEY or UNIQUE constraint, or a CREATE INDEX.
type Index struct {
	Name    string `json:"name"`
	Primary bool   `json:"primary"`
	Cols    []int  `json:"cols"`
	// NonUnique marks a plain CREATE INDEX: recorded for the catalog, never
	// enforced.
	NonUnique bool `json:"non_unique,omitempty"`
	// Constraint is false for a CREATE UNIQUE INDEX (2601 instead of 2627).
	Index bool `json:"index,omitempty"`
}

// Table is a table's durable definition.
type Table struct {
	ID      int       `json:"id"`
	Schema  string    `json:"schema"`
	Name    string    `json:"name"`
	Cols    []Column  `json:"cols"`
	Indexes []Index   `json:"indexes,omitempty"`
	Created time.Time `json:"created"`
}

// Scope is what a definition needs of the statement that declares it.
type Scope interface {
	// ConstInt evaluates IDENTITY's seed or increment (def when e is nil);
	// a value that is not an integer is a syntax error (102).
	ConstInt(e tsql.Expr, def int64) (int64, error)
	// ConstraintFail reports a key that cannot be created as SQL Server
	// does: the specific error e, then 1750, which it returns.
	ConstraintFail(e *sqlerr.Error) error
}

// Options are what a definition takes from where it is created.
type Options struct {
	Schema, Name string
	// Collation is the database's: a character column without COLLATE
	// takes it.
	Collation collation.ID
	// AnsiNullDfltOn is the session's ANSI_NULL_DFLT_ON: a column declared
	// neither NULL nor NOT NULL is nullable only when it is set (both
	// ANSI_NULL_DFLT options off: the database's ANSI_NULL_DEFAULT, OFF
	// unless set, i.e. NOT NULL).
	AnsiNullDfltOn bool
	// Created is the table's creation time (wall clock).
	Created time.Time
}

func newErr(n int32, args ...any) *sqlerr.Error { return sqlerr.New(n, args...) }

// Build makes a table's definition from CREATE TABLE (also a table
// variable's, from DECLARE @t TABLE).
func Build(sc Scope, x *tsql.CreateTableStmt, o Options) (Table, error) {
	name := o.Name
	def := Table{Schema: o.Schema, Name: name, Created: o.Created}
	seen := map[string]bool{}
	var pk *Index
	for i, cd := range x.Columns {
		key := strings.ToLower(cd.Name.Name)
		if seen[key] {
			return Table{}, newErr(sqlerr.DuplicateColumnName, cd.Name.Name, name)
		}
		seen[key] = true
		t, err := query.ResolveType(cd.Typ, false, i+1)
		if err != nil {
			return Table{}, err
		}
		cid, err := query.LookupCollation(cd.Collation, o.Collation)
		if err != nil {
			return Table{}, err
		}
		t = query.Collated(t, cid)
		nullable := cd.Null == tsql.NullAllowed || (cd.Null == tsql.NullUnspecified && o.AnsiNullDfltOn)
		col := Column{Name: cd.Name.Name, Type: t, Nullable: nullable}
		if cd.Identity != nil {
			if !t.Kind.IsInteger() && !(t.Kind == sqltypes.KindDecimal && t.Scale == 0) {
				return Table{}, newErr(sqlerr.IdentityType, cd.Name.Name, name)
			}
			col.Identity = true
			if col.Seed, err = sc.ConstInt(cd.Identity.Seed, 1); err != nil {
				return Table{}, err
			}
			if col.Incr, err = sc.ConstInt(cd.Identity.Increment, 1); err != nil {
				return Table{}, err
			}
			if col.Incr == 0 {
				return Table{}, newErr(sqlerr.IdentityType, cd.Name.Name, name)
			}
			if cd.Null == tsql.NullAllowed {
				return Table{}, newErr(sqlerr.IdentityNullable, cd.Name.Name, name)
			}
			col.Nullable = false
		}
		if cd.Default != nil {
			if cd.Identity != nil {
				return Table{}, newErr(sqlerr.DefaultOnIdentity, cd.Name.Name, name)
			}
			col.Default = cd.Default.String()
			if cd.DefaultName != nil {
				col.DefaultName = cd.DefaultName.Name
			} else {
				col.DefaultName = ConstraintName("DF", name)
			}
		}
		if cd.Check != nil {
			return Table{}, newErr(sqlerr.Message, "CHECK constraints are not supported by the simulator.")
		}
		if cd.PrimaryKey {
			if pk != nil {
				return Table{}, newErr(sqlerr.MultiplePrimaryKeys, name)
			}
			if cd.Null == tsql.NullAllowed {
				return Table{}, sc.ConstraintFail(newErr(sqlerr.PrimaryKeyNullable, name))
			}
			col.Nullable = false
			pk = &Index{Name: keyName(cd.KeyName, "PK", name), Primary: true, Cols: []int{i}}
			def.Indexes = append(def.Indexes, *pk)
		}
		if cd.Unique {
			def.Indexes = append(def.Indexes, Index{Name: keyName(cd.KeyName, "UQ", name), Cols: []int{i}})
		}
		def.Cols = append(def.Cols, col)
	}
	for _, tc := range x.Constraints {
		if err := CheckIndexOptions(tc.Options); err != nil {
			return Table{}, err
		}
		switch tc.Kind {
		case tsql.ConstraintPrimaryKey, tsql.ConstraintUnique:
			ix := Index{Primary: tc.Kind == tsql.ConstraintPrimaryKey}
			for _, ic := range tc.Columns {
				ci := -1
				for j, c := range def.Cols {
					if strings.EqualFold(c.Name, ic.Name.Name) {
						ci = j
					}
				}
				if ci < 0 {
					return Table{}, newErr(sqlerr.ColumnNotInTarget, ic.Name.Name)
				}
				if ix.Primary {
					if x.Columns[ci].Null == tsql.NullAllowed {
						return Table{}, sc.ConstraintFail(newErr(sqlerr.PrimaryKeyNullable, name))
					}
					def.Cols[ci].Nullable = false
				}
				ix.Cols = append(ix.Cols, ci)
			}
			if tc.Name != nil {
				ix.Name = tc.Name.Name
			} else if ix.Primary {
				ix.Name = ConstraintName("PK", name)
			} else {
				ix.Name = ConstraintName("UQ", name)
			}
			if ix.Primary {
				if pk != nil {
					return Table{}, newErr(sqlerr.MultiplePrimaryKeys, name)
				}
				pk = &ix
			}
			def.Indexes = append(def.Indexes, ix)
		default:
			return Table{}, newErr(sqlerr.Message, "CHECK and FOREIGN KEY constraints are not supported by the simulator.")
		}
	}
	return def, nil
}

// ColIndex is the position of the column name (case-insensitive), -1 when
// the table has none.
func (d *Table) ColIndex(name string) int {
	for i, c := range d.Cols {
		if strings.EqualFold(c.Name, name) {
			return i
		}
	}
	return -1
}

// NewIndex makes the index CREATE INDEX adds to table d: its name must be
// new on the table (1913), its key and INCLUDE columns the table's (1911).
func NewIndex(x *tsql.CreateIndexStmt, d *Table) (Index, error) {
	if err := CheckIndexOptions(x.Options); err != nil {
		return Index{}, err
	}
	for _, ix := range d.Indexes {
		if strings.EqualFold(ix.Name, x.Name.Name) {
			return Index{}, newErr(sqlerr.IndexExists, x.Name.Name, d.Name)
		}
	}
	ix := Index{Name: x.Name.Name, NonUnique: !x.Unique, Index: true}
	for _, c := range x.Columns {
		ci := d.ColIndex(c.Name.Name)
		if ci < 0 {
			return Index{}, newErr(sqlerr.ColumnNotInTarget, c.Name.Name)
		}
		ix.Cols = append(ix.Cols, ci)
	}
	for _, c := range x.Include {
		if d.ColIndex(c.Name) < 0 {
			return Index{}, newErr(sqlerr.ColumnNotInTarget, c.Name)
		}
	}
	return ix, nil
}

// ConstraintName makes SQL Server's system name for an unnamed constraint
// (PK__orders__3213E83F1A2B3C4D): the prefix, the table's first eight
// characters and 16 random hex digits.
func ConstraintName(prefix, table string) string {
	if len(table) > 8 {
		table = table[:8]
	}
	return prefix + "__" + table + "__" + randHex(16)
}

func randHex(n int) string {
	b := make([]byte, n/2)
	_, _ = rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))
}

// keyName is a column's key constraint name: the one it was given
// (CONSTRAINT pk_t PRIMARY KEY), else SQL Server's generated PK__t__hash.
func keyName(given *tsql.Ident, prefix, table string) string {
	if given != nil {
		return given.Name
	}
	return ConstraintName(prefix, table)
}

// CheckIndexOptions takes the index options of a key or index. The
// physical ones (PAD_INDEX, FILLFACTOR, ALLOW_ROW_LOCKS, DATA_COMPRESSION,
// ...) change nothing the simulator models; IGNORE_DUP_KEY = ON would turn
// a duplicate key into a warning and a skipped row, which is not modelled,
// so it is refused rather than ignored.
func CheckIndexOptions(opts []*tsql.Option) error {
	for _, o := range opts {
		if o.Name == "IGNORE_DUP_KEY" && o.Word == "ON" {
			return newErr(sqlerr.Message, "IGNORE_DUP_KEY = ON is not supported by the simulator.")
		}
	}
	return nil
}

// IsLocalTemp tells a local temporary table's name (#t), which belongs to
// its session, from a global one (##t) and a permanent one.
func IsLocalTemp(name string) bool {
	return strings.HasPrefix(name, "#") && !strings.HasPrefix(name, "##")
}

// StoredName is the name a table is stored under: a local temporary
// table's carries its session's id (TempSuffix), as SQL Server pads it.
func StoredName(name string, session int) string {
	if IsLocalTemp(name) {
		return name + TempSuffix(session)
	}
	return name
}

// TempSuffix is what a session's temporary table names end with: eight
// underscores and the session id in 12 hex digits.
func TempSuffix(session int) string {
	const digits = "0123456789ABCDEF"
	var b [20]byte
	for i := 0; i < 8; i++ {
		b[i] = '_'
	}
	v := uint64(session)
	for i := 19; i >= 8; i-- {
		b[i] = digits[v&0xF]
		v >>= 4
	}
	return string(b[:])
}
