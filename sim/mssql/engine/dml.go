package engine

import (
	"encoding/binary"
	"errors"
	"strings"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// withTx runs a data-changing statement atomically. Inside an explicit
// transaction it runs under a savepoint (a failed statement is undone, the
// transaction goes on); otherwise it gets its own transaction, committed
// durably before the statement's DONE is sent. Meeting another
// transaction's uncommitted change undoes the statement, waits for that
// transaction to end and runs the statement again, as SQL Server's lock
// wait would.
func (sc *scope) withTx(fn func(tx *Tx) (int64, error)) (int64, error) {
	s := sc.s
	if s.doomed {
		return 0, newErr(sqlerr.UncommittableTransaction)
	}
	if s.tx == nil && s.opts.ImplicitTransactions {
		s.beginTran("")
		if err := sc.emit(sc.out.EnvChange(EnvChange{Type: EnvBeginTran, TranDesc: s.tx.id})); err != nil {
			return 0, err
		}
	}
	for {
		if err := sc.ctx.Err(); err != nil {
			return 0, err
		}
		if tx := s.tx; tx != nil {
			sp := tx.savepoint()
			n, err := fn(tx)
			if err == nil {
				return n, nil
			}
			tx.rollbackTo(sp)
			var ce *conflictError
			if errors.As(err, &ce) {
				if werr := tx.waitFor(sc.ctx, ce.other); werr != nil {
					return 0, werr
				}
				continue
			}
			return 0, err
		}
		tx := newTx(s)
		n, err := fn(tx)
		if err != nil {
			tx.rollback()
			var ce *conflictError
			if errors.As(err, &ce) {
				if werr := tx.waitFor(sc.ctx, ce.other); werr != nil {
					return 0, werr
				}
				continue
			}
			return 0, err
		}
		if err := tx.commit(sc.ctx); err != nil {
			return 0, s.logFailure(err)
		}
		return n, nil
	}
}

// target resolves the table a DML statement changes.
func (sc *scope) target(n *tsql.ObjectName, tableVar string) (*Table, error) {
	if tableVar != "" {
		return sc.tableVarTarget(tableVar)
	}
	obj, err := sc.resolveObject(n)
	if err != nil {
		return nil, err
	}
	if obj.view != nil {
		return nil, newErr(sqlerr.AdHocCatalogUpdate)
	}
	if obj.db.Meta().ReadOnly {
		return nil, newErr(sqlerr.DatabaseReadOnly, obj.db.Name())
	}
	return obj.table, nil
}

func (sc *scope) finishDML(n int64, cmd uint16) error {
	sc.s.rowcount = n
	sc.s.lastError = 0
	return sc.done(DoneInfo{Count: n, HasCount: true, CurCmd: cmd})
}

// rowBuilder turns supplied values into a full table row: defaults,
// identity, conversion to column types, NOT NULL.
type rowBuilder struct {
	sc      *scope
	t       *Table
	targets []int // table column for each supplied value
	stmt    string
	// explicitIdent: SET IDENTITY_INSERT ON and the identity column listed.
	explicitIdent bool
}

func (sc *scope) newRowBuilder(t *Table, cols []tsql.Ident) (*rowBuilder, error) {
	rb := &rowBuilder{sc: sc, t: t, stmt: "INSERT"}
	ic := t.identityCol()
	identInsert := ic >= 0 && sc.s.opts.IdentityInsert == t
	if len(cols) == 0 {
		if identInsert {
			return nil, newErr(sqlerr.IdentityInsertColumnList, t.Name)
		}
		for i := range t.Cols {
			if i != ic {
				rb.targets = append(rb.targets, i)
			}
		}
		return rb, nil
	}
	seen := map[int]bool{}
	for _, c := range cols {
		i := t.colIndex(c.Name)
		if i < 0 {
			return nil, newErr(sqlerr.InvalidColumn, c.Name)
		}
		if seen[i] {
			return nil, newErr(sqlerr.ColumnAssignedTwice, c.Name)
		}
		seen[i] = true
		if i == ic {
			if !identInsert {
				return nil, newErr(sqlerr.IdentityInsertOff, t.Name)
			}
			rb.explicitIdent = true
		}
		rb.targets = append(rb.targets, i)
	}
	if identInsert && !rb.explicitIdent {
		return nil, newErr(sqlerr.IdentityValueRequired, t.Name)
	}
	return rb, nil
}

// build makes the row from supplied values (their types in types).
func (rb *rowBuilder) build(vals []Value, types []Type, isDefault []bool) ([]Value, error) {
	t := rb.t
	row := make([]Value, len(t.Cols))
	supplied := make([]bool, len(t.Cols))
	for k, ci := range rb.targets {
		if isDefault != nil && isDefault[k] {
			continue
		}
		supplied[ci] = true
		v := vals[k]
		if v == nil {
			continue
		}
		cv, err := storeValue(v, types[k], t, ci)
		if err != nil {
			return nil, err
		}
		row[ci] = cv
	}
	for i, c := range t.Cols {
		if supplied[i] {
			continue
		}
		if c.Identity {
			row[i] = t.nextIdentity()
			continue
		}
		if c.Default != "" {
			v, vt, err := rb.sc.evalDefault(c.Default)
			if err != nil {
				return nil, err
			}
			if v != nil {
				if row[i], err = storeValue(v, vt, t, i); err != nil {
					return nil, err
				}
			}
		}
	}
	if rb.explicitIdent {
		if v, ok := row[t.identityCol()].(int64); ok {
			t.noteExplicitIdentity(v)
		}
	}
	for i, c := range t.Cols {
		if row[i] == nil && !c.Nullable {
			return nil, newErr(sqlerr.NullNotAllowed, c.Name, t.db.Name()+"."+t.Schema+"."+t.Name, rb.stmt)
		}
	}
	return row, nil
}

// storeValue converts v to column ci's type: truncation is 2628 (as SQL
// Server 2022 reports it), other failures the conversion's own error.
func storeValue(v Value, vt Type, t *Table, ci int) (Value, error) {
	ct := t.Cols[ci].Type
	if (ct.Kind.IsString() || ct.Kind.IsBinary()) && ct.Length != sqltypes.MaxLength {
		if (vt.Kind.IsString() && ct.Kind.IsString()) || (vt.Kind.IsBinary() && ct.Kind.IsBinary()) {
			if !sqltypes.Fits(v, ct) {
				s := sqltypes.FormatValue(v, vt)
				if r := []rune(s); len(r) > ct.Length {
					s = string(r[:ct.Length])
				}
				return nil, newErr(sqlerr.Truncation, t.Name, t.Cols[ci].Name, s)
			}
		}
	}
	cv, err := sqltypes.ConvertImplicit(v, vt, ct)
	if err != nil {
		return nil, err
	}
	return cv, nil
}

// evalDefault evaluates a column DEFAULT (stored as SQL text).
func (sc *scope) evalDefault(text string) (Value, Type, error) {
	stmts, err := sc.s.inst.parse("SELECT " + text)
	if err != nil || len(stmts) != 1 {
		return nil, Type{}, newErr(sqlerr.SyntaxError, text)
	}
	sel, ok := stmts[0].(*tsql.SelectStmt)
	if !ok {
		return nil, Type{}, newErr(sqlerr.SyntaxError, text)
	}
	qs, ok := sel.Body.(*tsql.QuerySpec)
	if !ok || len(qs.Items) != 1 || qs.Items[0].Expr == nil {
		return nil, Type{}, newErr(sqlerr.SyntaxError, text)
	}
	child := &scope{s: sc.s, ctx: sc.ctx, out: sc.out, vars: map[string]*variable{}}
	return child.evalScalar(qs.Items[0].Expr)
}

func (sc *scope) execInsert(x *tsql.InsertStmt) error {
	t, err := sc.target(&x.Table, x.TableVar)
	if err != nil {
		return err
	}
	rb, err := sc.newRowBuilder(t, x.Columns)
	if err != nil {
		return err
	}
	var top *cexpr
	if x.Top != nil {
		if top, err = sc.newCompiler(nil).Compile(x.Top.Count); err != nil {
			return err
		}
	}
	// Compile the source before touching the table: binding errors first.
	var rowsExprs [][]*cexpr
	var defaults [][]bool
	var query *plan
	switch {
	case x.DefaultValues:
	case x.Exec != nil:
		// insert_exec.go: the procedure runs now, its rows are the source.
		if query, err = sc.insertExecPlan(x.Exec, len(rb.targets)); err != nil {
			return err
		}
	case x.Query != nil:
		if query, err = sc.compileQuery(x.Query, nil); err != nil {
			return err
		}
		if len(query.Cols) != len(rb.targets) {
			if len(x.Columns) == 0 {
				return newErr(sqlerr.InsertColumnCountMismatch)
			}
			if len(query.Cols) > len(rb.targets) {
				return newErr(sqlerr.InsertSelectTooManyItems)
			}
			return newErr(sqlerr.InsertSelectTooFewItems)
		}
	default:
		c := sc.newCompiler(nil)
		for _, r := range x.Values {
			if len(r) != len(rb.targets) {
				if len(x.Columns) == 0 {
					return newErr(sqlerr.InsertColumnCountMismatch)
				}
				if len(r) > len(rb.targets) {
					return newErr(sqlerr.InsertFewerColumnsThanValues)
				}
				return newErr(sqlerr.InsertMoreColumnsThanValues)
			}
			ce := make([]*cexpr, len(r))
			def := make([]bool, len(r))
			for i, e := range r {
				if _, ok := e.(*tsql.DefaultExpr); ok {
					def[i] = true
					continue
				}
				if ce[i], err = c.Compile(e); err != nil {
					return err
				}
			}
			rowsExprs = append(rowsExprs, ce)
			defaults = append(defaults, def)
		}
	}
	var lastIdent Value
	n, err := sc.withTx(func(tx *Tx) (int64, error) {
		var srcRows [][]Value
		var srcTypes []Type
		var srcDefaults [][]bool
		switch {
		case x.DefaultValues:
			srcRows = [][]Value{{}}
			rb.targets = nil
		case query != nil:
			rows, err := query.Run(&env{}, -1)
			if err != nil {
				return 0, err
			}
			srcRows = rows
			for _, c := range query.Cols {
				srcTypes = append(srcTypes, c.Type)
			}
		default:
			en := &env{}
			for ri, r := range rowsExprs {
				vals := make([]Value, len(r))
				for i, e := range r {
					if e == nil {
						continue
					}
					v, err := e.Eval(en)
					if err != nil {
						return 0, err
					}
					vals[i] = v
				}
				srcRows = append(srcRows, vals)
				srcDefaults = append(srcDefaults, defaults[ri])
			}
		}
		if top != nil {
			tv, err := top.Eval(&env{})
			if err != nil {
				return 0, err
			}
			if k, ok := toInt64(tv); ok && k >= 0 && int(k) < len(srcRows) {
				srcRows = srcRows[:k]
			}
		}
		var count int64
		for ri, vals := range srcRows {
			types := srcTypes
			var def []bool
			if rowsExprs != nil {
				types = make([]Type, len(vals))
				for i, e := range rowsExprs[ri] {
					if e != nil {
						types[i] = e.Type
					}
				}
				def = srcDefaults[ri]
			}
			row, err := rb.build(vals, types, def)
			if err != nil {
				return 0, err
			}
			if err := t.insertRow(tx, row); err != nil {
				return 0, err
			}
			if ic := t.identityCol(); ic >= 0 {
				lastIdent = row[ic]
			}
			count++
		}
		return count, nil
	})
	if err != nil {
		return err
	}
	if lastIdent != nil {
		sc.s.identity = lastIdent
		sc.scopeIdent = lastIdent
	}
	return sc.finishDML(n, 0xC3)
}

// dmlScope compiles the FROM/WHERE of UPDATE and DELETE. The target is the
// table named (or the FROM item whose alias it names).
type dmlScope struct {
	t      *Table
	src    *source
	bs     *bindScope
	where  *cexpr
	single bool
	rvCol  int // FROM form: the hidden row-version column
}

func (sc *scope) compileDMLScope(target *tsql.ObjectName, tableVar string, from []tsql.TableSource, where tsql.Expr) (*dmlScope, error) {
	ds := &dmlScope{single: len(from) == 0}
	if ds.single {
		t, err := sc.target(target, tableVar)
		if err != nil {
			return nil, err
		}
		ds.t = t
		q := strings.ToLower(t.Name)
		cols := make([]bindCol, len(t.Cols))
		for i, c := range t.Cols {
			cols[i] = bindCol{Qual: q, Schema: t.Schema, DB: t.db.Name(), Name: c.Name, Type: c.Type, Nullable: c.Nullable}
		}
		ds.src = &source{Cols: cols, Names: []string{t.Name}}
	} else {
		ref := findTargetRef(from, target)
		if ref == nil {
			// SQL Server would join the named table implicitly; the
			// simulator asks for it in FROM.
			if _, err := sc.target(target, tableVar); err != nil {
				return nil, err
			}
			return nil, newErr(sqlerr.Message, "UPDATE/DELETE ... FROM must list the target table in the FROM clause.")
		}
		sc.dmlTarget, sc.dmlTable = ref, nil
		src, err := sc.compileFrom(from, nil)
		t := sc.dmlTable
		sc.dmlTarget, sc.dmlTable = nil, nil
		if err != nil {
			return nil, err
		}
		if t == nil {
			return nil, newErr(sqlerr.AdHocCatalogUpdate)
		}
		if t.db.Meta().ReadOnly {
			return nil, newErr(sqlerr.DatabaseReadOnly, t.db.Name())
		}
		ds.t, ds.src = t, src
		for i, c := range src.Cols {
			if c.Name == rowVersionCol {
				ds.rvCol = i
			}
		}
	}
	ds.bs = &bindScope{Cols: ds.src.Cols}
	if where != nil {
		if hasAggregate(where) {
			return nil, newErr(sqlerr.AggregateInWhere)
		}
		var err error
		if ds.where, err = sc.newCompiler(ds.bs).CompileCond(where); err != nil {
			return nil, err
		}
	}
	return ds, nil
}

// findTargetRef finds the FROM item an UPDATE/DELETE target names: an
// alias, or a table written without one.
func findTargetRef(items []tsql.TableSource, target *tsql.ObjectName) *tsql.TableRef {
	name := target.Object().Name
	var found *tsql.TableRef
	var walk func(ts tsql.TableSource)
	walk = func(ts tsql.TableSource) {
		switch x := ts.(type) {
		case *tsql.JoinExpr:
			walk(x.Left)
			walk(x.Right)
		case *tsql.TableRef:
			if found != nil {
				return
			}
			if x.Alias != nil {
				if len(target.Parts) == 1 && strings.EqualFold(x.Alias.Name, name) {
					found = x
				}
			} else if strings.EqualFold(x.Name.Object().Name, name) {
				found = x
			}
		}
	}
	for _, it := range items {
		walk(it)
	}
	return found
}

// matches finds the target rows (row versions and source rows) of an
// UPDATE or DELETE.
type match struct {
	r   *rowVersion
	row []Value
}

func (sc *scope) findTargets(ds *dmlScope, tx *Tx, top int64) ([]match, error) {
	var out []match
	en := &env{}
	if ds.single {
		for _, r := range ds.t.scan(tx) {
			if ds.where != nil {
				en.Row = r.vals
				ok, err := ds.where.Eval(en)
				if err != nil {
					return nil, err
				}
				if ok != true {
					continue
				}
			}
			out = append(out, match{r: r, row: r.vals})
			if top >= 0 && int64(len(out)) >= top {
				break
			}
		}
		return out, nil
	}
	rows, err := ds.src.Run(en)
	if err != nil {
		return nil, err
	}
	seen := map[*rowVersion]bool{}
	for _, row := range rows {
		if ds.where != nil {
			en.Row = row
			ok, err := ds.where.Eval(en)
			if err != nil {
				return nil, err
			}
			if ok != true {
				continue
			}
		}
		r, _ := row[ds.rvCol].(*rowVersion)
		if r == nil || seen[r] {
			continue
		}
		seen[r] = true
		out = append(out, match{r: r, row: row})
		if top >= 0 && int64(len(out)) >= top {
			break
		}
	}
	return out, nil
}

func (sc *scope) topCount(top *tsql.Top) (int64, error) {
	if top == nil {
		return -1, nil
	}
	v, _, err := sc.evalScalar(top.Count)
	if err != nil {
		return 0, err
	}
	n, ok := toInt64(v)
	if !ok || n < 0 {
		return 0, newErr(sqlerr.TopNegative)
	}
	return n, nil
}

func (sc *scope) execUpdate(x *tsql.UpdateStmt) error {
	ds, err := sc.compileDMLScope(&x.Target, x.TargetVar, x.From, x.Where)
	if err != nil {
		return err
	}
	t := ds.t
	type setter struct {
		col int
		v   *variable
		op  string
		e   *cexpr
		def bool
	}
	var sets []setter
	c := sc.newCompiler(ds.bs)
	for _, s := range x.Sets {
		st := setter{col: -1, op: s.Op}
		if s.Column != nil {
			name := s.Column.Object().Name
			st.col = t.colIndex(name)
			if st.col < 0 {
				return newErr(sqlerr.InvalidColumn, name)
			}
			if t.Cols[st.col].Identity {
				return newErr(sqlerr.UpdateIdentity, name)
			}
		}
		if s.Var != "" {
			if st.v = sc.lookupVar(s.Var); st.v == nil {
				return newErr(sqlerr.MustDeclareVariable, s.Var)
			}
		}
		if _, ok := s.Value.(*tsql.DefaultExpr); ok {
			st.def = true
		} else {
			ce, err := c.Compile(s.Value)
			if err != nil {
				return err
			}
			if st.op != "" && st.op != "=" && st.col >= 0 {
				off := 0
				if !ds.single {
					off = ds.rvCol - len(t.Cols)
				}
				col := loadCol(0, off+st.col, ds.bs.Cols[off+st.col])
				if ce, err = c.Arith(st.op[0], col, ce); err != nil {
					return err
				}
			}
			st.e = ce
		}
		sets = append(sets, st)
	}
	top, err := sc.topCount(x.Top)
	if err != nil {
		return err
	}
	rb := &rowBuilder{sc: sc, t: t, stmt: "UPDATE"}
	n, err := sc.withTx(func(tx *Tx) (int64, error) {
		ms, err := sc.findTargets(ds, tx, top)
		if err != nil {
			return 0, err
		}
		en := &env{}
		var count int64
		for _, m := range ms {
			en.Row = m.row
			newRow := append([]Value(nil), m.r.vals...)
			for _, s := range sets {
				var v Value
				var vt Type
				if s.def {
					if d := t.Cols[s.col].Default; d != "" {
						if v, vt, err = sc.evalDefault(d); err != nil {
							return 0, err
						}
					}
				} else {
					if v, err = s.e.Eval(en); err != nil {
						return 0, err
					}
					vt = s.e.Type
				}
				if s.v != nil && s.col < 0 {
					if err := sc.assign(s.v, s.op, constExpr(v, vt), en); err != nil {
						return 0, err
					}
					continue
				}
				if v == nil {
					if !t.Cols[s.col].Nullable {
						return 0, newErr(sqlerr.NullNotAllowed, t.Cols[s.col].Name, t.db.Name()+"."+t.Schema+"."+t.Name, rb.stmt)
					}
					newRow[s.col] = nil
				} else if newRow[s.col], err = storeValue(v, vt, t, s.col); err != nil {
					return 0, err
				}
				if s.v != nil {
					s.v.val = newRow[s.col]
				}
			}
			ok, err := t.deleteRow(tx, m.r)
			if err != nil {
				return 0, err
			}
			if !ok {
				continue
			}
			if err := t.insertRow(tx, newRow); err != nil {
				return 0, err
			}
			count++
		}
		return count, nil
	})
	if err != nil {
		return err
	}
	return sc.finishDML(n, 0xC5)
}

func (sc *scope) execDelete(x *tsql.DeleteStmt) error {
	ds, err := sc.compileDMLScope(&x.Target, x.TargetVar, x.From, x.Where)
	if err != nil {
		return err
	}
	top, err := sc.topCount(x.Top)
	if err != nil {
		return err
	}
	n, err := sc.withTx(func(tx *Tx) (int64, error) {
		ms, err := sc.findTargets(ds, tx, top)
		if err != nil {
			return 0, err
		}
		var count int64
		for _, m := range ms {
			ok, err := ds.t.deleteRow(tx, m.r)
			if err != nil {
				return 0, err
			}
			if ok {
				count++
			}
		}
		return count, nil
	})
	if err != nil {
		return err
	}
	return sc.finishDML(n, 0xC4)
}

func (sc *scope) execTruncate(x *tsql.TruncateStmt) error {
	t, err := sc.target(&x.Table, "")
	if err != nil {
		return err
	}
	_, err = sc.withTx(func(tx *Tx) (int64, error) {
		for _, r := range t.scan(tx) {
			if _, err := t.deleteRow(tx, r); err != nil {
				return 0, err
			}
		}
		// TRUNCATE reseeds the identity; the reseed is logged so a restart
		// does not resume after the truncated rows.
		db := t.db
		db.mu.Lock()
		oldIdent, oldUsed := t.identity, t.identUsed
		t.identUsed = false
		if ic := t.identityCol(); ic >= 0 {
			t.identity = t.Cols[ic].Seed - t.Cols[ic].Incr
		}
		c := binary.AppendUvarint(nil, uint64(t.ID))
		c = binary.AppendVarint(c, t.identity)
		c = append(c, 0)
		c = binary.AppendVarint(c, t.nextRow)
		tx.record(db, appendOp(nil, opCounters, c), func() { t.identity, t.identUsed = oldIdent, oldUsed }, nil)
		db.mu.Unlock()
		return 0, nil
	})
	if err != nil {
		return err
	}
	sc.s.rowcount = 0
	sc.s.lastError = 0
	return sc.done(DoneInfo{})
}
