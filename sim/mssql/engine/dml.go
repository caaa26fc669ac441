package engine

import (
	"encoding/binary"

	"github.com/pchatdr/harness/sim/mssql/dml"
	"github.com/pchatdr/harness/sim/mssql/query"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// INSERT, UPDATE, DELETE and TRUNCATE TABLE run in sim/mssql/dml; the
// engine hands them the running statement as a dml.Scope (dmlScope below)
// and its tables' rows through dml.Tx (dmlTx), and keeps what touches the
// session (withTx) and name resolution (target) here, which DDL and BULK
// INSERT share.

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
		if err := sc.emit(sc.out.EnvChange(EnvChange{Type: EnvBeginTran, TranDesc: s.tx.ID()})); err != nil {
			return 0, err
		}
	}
	for {
		if err := sc.ctx.Err(); err != nil {
			return 0, err
		}
		if tx := s.tx; tx != nil {
			sp := tx.Savepoint()
			n, err := fn(tx)
			if err == nil {
				return n, nil
			}
			tx.RollbackTo(sp)
			if retry, err := tx.AwaitConflict(sc.ctx, err); !retry {
				return 0, err
			}
			continue
		}
		tx := newTx(s)
		n, err := fn(tx)
		if err != nil {
			tx.Rollback()
			if retry, err := tx.AwaitConflict(sc.ctx, err); !retry {
				return 0, err
			}
			continue
		}
		if err := tx.Commit(sc.ctx); err != nil {
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

// dmlScope is a scope as a data-changing statement sees it.
type dmlScope struct{ sc *scope }

var _ dml.Scope = dmlScope{}

func (d dmlScope) Compiler() *query.Builder  { return d.sc.compiler() }
func (d dmlScope) Var(name string) query.Var { return compileScope(d).Var(name) }

// Target returns an untyped nil with an error, so that dml's nil checks
// see it.
func (d dmlScope) Target(n *tsql.ObjectName, tableVar string) (dml.Table, error) {
	t, err := d.sc.target(n, tableVar)
	if err != nil {
		return nil, err
	}
	return t, nil
}

// FromTarget compiles the FROM clause with ref as the target's item:
// tableSource (tables.go) gives its table the hidden row-version column
// and records the table in the scope while the clause compiles.
func (d dmlScope) FromTarget(from []tsql.TableSource, ref *tsql.TableRef) (*source, dml.Table, error) {
	sc := d.sc
	sc.dmlTarget, sc.dmlTable = ref, nil
	src, err := sc.compileFrom(from, nil)
	t := sc.dmlTable
	sc.dmlTarget, sc.dmlTable = nil, nil
	if err != nil {
		return nil, nil, err
	}
	if t == nil {
		return nil, nil, newErr(sqlerr.AdHocCatalogUpdate)
	}
	if t.db.Meta().ReadOnly {
		return nil, nil, newErr(sqlerr.DatabaseReadOnly, t.db.Name())
	}
	return src, t, nil
}

func (d dmlScope) InsertExec(x *tsql.ExecStmt, want int) (*plan, error) {
	return d.sc.insertExecPlan(x, want)
}

func (d dmlScope) Default(text string) (Value, Type, error) { return d.sc.evalDefault(text) }

func (d dmlScope) IdentityInsert(t dml.Table) bool {
	tt, ok := t.(*Table)
	return ok && d.sc.s.opts.IdentityInsert == tt
}

func (d dmlScope) WithTx(fn func(tx dml.Tx) (int64, error)) (int64, error) {
	return d.sc.withTx(func(tx *Tx) (int64, error) { return fn(dmlTx{tx}) })
}

func (d dmlScope) SetIdentity(v Value) {
	d.sc.s.identity = v
	d.sc.scopeIdent = v
}

func (d dmlScope) Done(n int64, hasCount bool, cmd uint16) error {
	d.sc.s.rowcount = n
	d.sc.s.lastError = 0
	return d.sc.done(DoneInfo{Count: n, HasCount: hasCount, CurCmd: cmd})
}

// evalDefault evaluates a column DEFAULT (stored as SQL text) in a scope
// of its own: no variable of the batch is visible.
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

// dmlTx is a transaction as dml changes rows through it; its tables are
// the engine's.
type dmlTx struct{ tx *Tx }

func (x dmlTx) Scan(t dml.Table) []dml.Row {
	vs := t.(*Table).Scan(x.tx)
	out := make([]dml.Row, len(vs))
	for i, r := range vs {
		out[i] = r
	}
	return out
}

func (x dmlTx) Insert(t dml.Table, row []Value) error { return t.(*Table).Insert(x.tx, row) }

func (x dmlTx) Delete(t dml.Table, r dml.Row) (bool, error) {
	return t.(*Table).Delete(x.tx, r.(*rowVersion))
}

// ResetIdentity is TRUNCATE's reseed, logged (opCounters) so that a
// restart does not resume after the truncated rows, and undone with the
// transaction.
func (x dmlTx) ResetIdentity(tt dml.Table) {
	t, tx := tt.(*Table), x.tx
	db := t.db
	db.mu.Lock()
	oldIdent, oldUsed := t.Identity, t.IdentUsed
	t.IdentUsed = false
	if ic := t.IdentityCol(); ic >= 0 {
		t.Identity = t.Cols[ic].Seed - t.Cols[ic].Incr
	}
	c := binary.AppendUvarint(nil, uint64(t.ID))
	c = binary.AppendVarint(c, t.Identity)
	c = append(c, 0)
	c = binary.AppendVarint(c, t.NextRow)
	tx.Record(db.store, appendOp(nil, opCounters, c), func() { t.Identity, t.IdentUsed = oldIdent, oldUsed }, nil)
	db.mu.Unlock()
}
