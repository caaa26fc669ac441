package query

import (
	"github.com/pchatdr/harness/sim/mssql/collation"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// LookupCollation resolves a collation name. "" and DATABASE_DEFAULT are
// def. A name SQL Server knows but the simulator does not model (a _CS_,
// _AI, _BIN or UTF8 collation, Czech) is refused with the error an unknown
// name gets (448): comparison here is case-insensitive and
// accent-sensitive only, and accepting another would compare or store
// silently wrong. That is the stricter choice where SQL Server would run.
func LookupCollation(name string, def collation.ID) (collation.ID, error) {
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

// Collated gives a character type the collation id; other types are
// returned as they are.
func Collated(t Type, id collation.ID) Type {
	if t.Kind.IsString() {
		t.Collation = id
	}
	return t
}

// compileCollate compiles x COLLATE name: the expression's type takes the
// collation, and a non-Unicode value is re-stored in its code page (a
// character the new code page lacks becomes '?').
func (c *Compiler) compileCollate(x *tsql.CollateExpr) (*Expr, error) {
	id, err := LookupCollation(x.Collation, c.qb.dbCollation())
	if err != nil {
		return nil, err
	}
	e, err := c.Compile(x.X)
	if err != nil {
		return nil, err
	}
	if !e.Type.Kind.IsString() {
		return e, nil
	}
	from := e.Type
	out := *e
	out.Type = Collated(from, id)
	if from.Kind.IsUnicode() || from.CodePage() == out.Type.CodePage() {
		return &out, nil
	}
	inner, to := e.Eval, out.Type
	out.Eval = func(en *Env) (Value, error) {
		v, err := inner(en)
		if err != nil || v == nil {
			return v, err
		}
		return sqltypes.Convert(v, from, to)
	}
	return &out, nil
}
