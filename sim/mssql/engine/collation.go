package engine

import (
	"github.com/pchatdr/harness/sim/mssql/collation"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// Collations (package collation holds the modelled ones). A character
// column takes the collation its COLLATE clause names, else its
// database's; a variable, a CAST target and a varchar literal take the
// current database's (SQL Server's "collation of an identifier ... the
// default collation of the current database"). tempdb, and so #temp
// tables, have the server's collation.

// lookupCollation resolves a collation name. "" and DATABASE_DEFAULT are
// def. A name SQL Server knows but the simulator does not model (a _CS_,
// _AI, _BIN or UTF8 collation, Czech) is refused with the error an unknown
// name gets (448): comparison here is case-insensitive and
// accent-sensitive only, and accepting another would compare or store
// silently wrong. That is the stricter choice where SQL Server would run.
func lookupCollation(name string, def collation.ID) (collation.ID, error) {
	if name == "" || equalFoldASCII(name, "DATABASE_DEFAULT") {
		return def, nil
	}
	id, ok := collation.Lookup(name)
	if !ok {
		return 0, newErr(sqlerr.InvalidCollation, name)
	}
	return id, nil
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'a' <= x && x <= 'z' {
			x -= 'a' - 'A'
		}
		if 'a' <= y && y <= 'z' {
			y -= 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

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

// collated gives a character type the collation id; other types are
// returned as they are.
func collated(t Type, id collation.ID) Type {
	if t.Kind.IsString() {
		t.Collation = id
	}
	return t
}

// compileCollate compiles x COLLATE name: the expression's type takes the
// collation, and a non-Unicode value is re-stored in its code page (a
// character the new code page lacks becomes '?').
func (c *compiler) compileCollate(x *tsql.CollateExpr) (*cexpr, error) {
	id, err := lookupCollation(x.Collation, c.sc.dbCollation())
	if err != nil {
		return nil, err
	}
	e, err := c.compile(x.X)
	if err != nil {
		return nil, err
	}
	if !e.typ.Kind.IsString() {
		return e, nil
	}
	from := e.typ
	out := *e
	out.typ = collated(from, id)
	if from.Kind.IsUnicode() || from.CodePage() == out.typ.CodePage() {
		return &out, nil
	}
	inner, to := e.eval, out.typ
	out.eval = func(en *env) (Value, error) {
		v, err := inner(en)
		if err != nil || v == nil {
			return v, err
		}
		return sqltypes.Convert(v, from, to)
	}
	return &out, nil
}
