package engine

import (
	"strings"

	"github.com/pchatdr/harness/sim/mssql/rowset"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// ---------------------------------------------------------------------------
// FROM

func (sc *scope) compileFrom(items []tsql.TableSource, outer *bindScope) (*source, error) {
	if len(items) == 0 {
		return &source{run: func(*env) ([][]Value, error) { return [][]Value{{}}, nil }}, nil
	}
	var acc *source
	for _, it := range items {
		s, err := sc.compileSource(it, outer)
		if err != nil {
			return nil, err
		}
		if acc == nil {
			acc = s
			continue
		}
		if acc, err = joinSources(sc, acc, s, tsql.JoinCross, nil, outer); err != nil {
			return nil, err
		}
	}
	return acc, nil
}

func checkExposed(a, b []string) error {
	for _, x := range a {
		for _, y := range b {
			if x != "" && strings.EqualFold(x, y) {
				return newErr(sqlerr.DuplicateExposedNames, x, y)
			}
		}
	}
	return nil
}

func joinSources(sc *scope, l, r *source, kind tsql.JoinKind, on tsql.Expr, outer *bindScope) (*source, error) {
	if err := checkExposed(l.names, r.names); err != nil {
		return nil, err
	}
	cols := append(append([]bindCol{}, l.cols...), r.cols...)
	if kind == tsql.JoinLeft || kind == tsql.JoinFull {
		for i := len(l.cols); i < len(cols); i++ {
			cols[i].nullable = true
		}
	}
	if kind == tsql.JoinRight || kind == tsql.JoinFull {
		for i := 0; i < len(l.cols); i++ {
			cols[i].nullable = true
		}
	}
	var cond *cexpr
	if on != nil {
		if hasAggregate(on) {
			return nil, newErr(sqlerr.AggregateInWhere)
		}
		var err error
		cond, err = sc.newCompiler(&bindScope{cols: cols, outer: outer}).compileCond(on)
		if err != nil {
			return nil, err
		}
	}
	if kind == tsql.JoinCrossApply || kind == tsql.JoinOuterApply {
		return nil, newErr(sqlerr.Message, "APPLY is not supported by the simulator.")
	}
	nl, nr := len(l.cols), len(r.cols)
	side := rowset.JoinKind{
		KeepLeft:  kind == tsql.JoinLeft || kind == tsql.JoinFull,
		KeepRight: kind == tsql.JoinRight || kind == tsql.JoinFull,
	}
	var match *rowset.Col
	if cond != nil {
		c := cond.col()
		match = &c
	}
	run := func(en *env) ([][]Value, error) {
		lrows, err := l.run(en)
		if err != nil {
			return nil, err
		}
		rrows, err := r.run(en)
		if err != nil {
			return nil, err
		}
		return rowset.Join(lrows, rrows, nl, nr, side, match, (&env{outer: en, sc: sc}).at())
	}
	return &source{cols: cols, names: append(append([]string{}, l.names...), r.names...), run: run}, nil
}

func (sc *scope) compileSource(ts tsql.TableSource, outer *bindScope) (*source, error) {
	switch x := ts.(type) {
	case *tsql.TableRef:
		return sc.tableSource(x)
	case *tsql.JoinExpr:
		l, err := sc.compileSource(x.Left, outer)
		if err != nil {
			return nil, err
		}
		r, err := sc.compileSource(x.Right, outer)
		if err != nil {
			return nil, err
		}
		return joinSources(sc, l, r, x.Kind, x.On, outer)
	case *tsql.DerivedTable:
		p, err := sc.compileQuery(x.Query, nil)
		if err != nil {
			return nil, err
		}
		if len(x.Query.OrderBy) > 0 {
			if qs, ok := x.Query.Body.(*tsql.QuerySpec); !ok || qs.Top == nil {
				if x.Query.Offset == nil {
					return nil, newErr(sqlerr.OrderByInSubquery)
				}
			}
		}
		alias := x.Alias.Name
		cols := make([]bindCol, len(p.cols))
		for i, pc := range p.cols {
			name := pc.Name
			if i < len(x.Columns) {
				name = x.Columns[i].Name
			}
			if name == "" {
				return nil, newErr(sqlerr.NoColumnName, i+1, alias)
			}
			cols[i] = bindCol{qual: strings.ToLower(alias), name: name, typ: pc.Type, nullable: true}
		}
		return &source{cols: cols, names: []string{alias}, run: func(en *env) ([][]Value, error) {
			return p.run(nil, -1)
		}}, nil
	case *tsql.ValuesTable:
		c := sc.newCompiler(outer)
		var rows [][]*cexpr
		for _, r := range x.Rows {
			var ce []*cexpr
			for _, e := range r {
				v, err := c.compile(e)
				if err != nil {
					return nil, err
				}
				ce = append(ce, v)
			}
			rows = append(rows, ce)
		}
		if len(rows) == 0 {
			return nil, newErr(sqlerr.SyntaxError, "VALUES")
		}
		alias := x.Alias.Name
		cols := make([]bindCol, len(rows[0]))
		for i := range cols {
			name := ""
			if i < len(x.Columns) {
				name = x.Columns[i].Name
			}
			if name == "" {
				return nil, newErr(sqlerr.NoColumnName, i+1, alias)
			}
			t := rows[0][i].typ
			for _, r := range rows[1:] {
				if i < len(r) {
					t = widen(sqltypes.ResultType(t, r[i].typ), t, r[i].typ)
				}
			}
			cols[i] = bindCol{qual: strings.ToLower(alias), name: name, typ: t, nullable: true}
		}
		return &source{cols: cols, names: []string{alias}, run: func(en *env) ([][]Value, error) {
			out := make([][]Value, len(rows))
			for i, r := range rows {
				if len(r) != len(cols) {
					return nil, newErr(sqlerr.RowValueCountMismatch)
				}
				out[i] = make([]Value, len(r))
				for j, e := range r {
					v, err := e.eval(en)
					if err != nil {
						return nil, err
					}
					if out[i][j], err = convertTo(v, e.typ, cols[j].typ); err != nil {
						return nil, err
					}
				}
			}
			return out, nil
		}}, nil
	case *tsql.TableVarRef:
		return sc.tableVarSource(x)
	case *tsql.CTERef:
		return sc.recursiveCTESource(x)
	case *tsql.FuncTable:
		return sc.funcTable(x)
	}
	return nil, newErr(sqlerr.SyntaxError, "FROM")
}

// tableSource resolves a named table or catalog view in FROM.
func (sc *scope) tableSource(x *tsql.TableRef) (*source, error) {
	if src, ok, err := sc.viewSource(x); ok {
		return src, err
	}
	obj, err := sc.resolveObject(&x.Name)
	if err != nil {
		return nil, err
	}
	exposed := x.Name.Object().Name
	if x.Alias != nil {
		exposed = x.Alias.Name
	}
	q := strings.ToLower(exposed)
	schema, dbn := obj.schema, obj.db.Name()
	if x.Alias != nil {
		schema, dbn = "", ""
	}
	if obj.view != nil {
		v := obj.view
		cols := make([]bindCol, len(v.cols))
		for i, vc := range v.cols {
			cols[i] = bindCol{qual: q, schema: schema, db: dbn, name: vc.Name, typ: vc.Type, nullable: vc.Nullable}
		}
		db := obj.db
		return &source{cols: cols, names: []string{exposed}, run: func(en *env) ([][]Value, error) {
			return v.rows(sc, db)
		}}, nil
	}
	t := obj.table
	cols := make([]bindCol, len(t.Cols))
	for i, tc := range t.Cols {
		cols[i] = bindCol{qual: q, schema: schema, db: dbn, name: tc.Name, typ: tc.Type, nullable: tc.Nullable}
	}
	if x == sc.dmlTarget {
		// UPDATE/DELETE ... FROM: a hidden last column carries the row
		// version so the statement can change the row it matched.
		sc.dmlTable = t
		cols = append(cols, bindCol{qual: "\x00", name: rowVersionCol, typ: sqltypes.TypeInt, nullable: true})
		return &source{cols: cols, names: []string{exposed}, run: func(en *env) ([][]Value, error) {
			vs := t.scan(sc.s.tx)
			sc.countScan(t, len(vs))
			out := make([][]Value, len(vs))
			for i, r := range vs {
				row := make([]Value, len(r.vals)+1)
				copy(row, r.vals)
				row[len(r.vals)] = r
				out[i] = row
			}
			return out, nil
		}}, nil
	}
	return &source{cols: cols, names: []string{exposed}, run: func(en *env) ([][]Value, error) {
		out := t.scanVals(sc.s.tx)
		sc.countScan(t, len(out))
		return out, nil
	}, each: func(en *env, need []bool, fn func([]Value) error) error {
		return sc.scanEach(t, need, fn)
	}}, nil
}

const rowVersionCol = "\x00rowversion"

// object is a resolved name: a user table or a catalog view, in a database.
type object struct {
	db     *Database
	schema string
	table  *Table
	view   *catalogView
}

// resolveObject finds a table or catalog view by a one- to three-part name.
// A missing object is 208 (SQL Server resolves names when the statement
// runs, so the batch stops there); a database that cannot be opened gives
// its state's error (927 RESTORING, 942 OFFLINE).
func (sc *scope) resolveObject(n *tsql.ObjectName) (*object, error) {
	if n.Server().Name != "" {
		return nil, newErr(sqlerr.ServerNotFound, n.Server().Name)
	}
	db := sc.s.currentDB()
	if strings.HasPrefix(n.Object().Name, "#") {
		db = sc.s.inst.DBByID(tempdbID)
	} else if dn := n.Database().Name; dn != "" {
		db = sc.s.inst.DB(dn)
		if db == nil {
			return nil, newErr(sqlerr.InvalidObject, nameText(n))
		}
	}
	if e := db.openError(); e != nil {
		return nil, e
	}
	schema := n.Schema().Name
	name := sc.tableName(n)
	if strings.EqualFold(schema, "sys") || strings.EqualFold(schema, "INFORMATION_SCHEMA") {
		if v := sc.s.inst.reg.view(schema, name); v != nil {
			return &object{db: db, schema: strings.ToLower(schema), view: v}, nil
		}
		return nil, newErr(sqlerr.InvalidObject, nameText(n))
	}
	if schema == "" {
		schema = "dbo"
	}
	db.mu.RLock()
	t := db.lookupTable(schema, name, sc.s.tx)
	db.mu.RUnlock()
	if t == nil {
		if lv, ok := sc.s.inst.reg.legacy[strings.ToLower(name)]; ok && (n.Schema().Name == "" || strings.EqualFold(n.Schema().Name, "dbo")) {
			return &object{db: db, schema: "sys", view: sc.s.inst.reg.view("sys", lv)}, nil
		}
		if err := sc.viewNotUpdatable(n); err != nil {
			return nil, err
		}
		return nil, newErr(sqlerr.InvalidObject, nameText(n))
	}
	return &object{db: db, schema: t.Schema, table: t}, nil
}

func nameText(n *tsql.ObjectName) string {
	parts := make([]string, len(n.Parts))
	for i, p := range n.Parts {
		parts[i] = p.Name
	}
	return strings.Join(parts, ".")
}
