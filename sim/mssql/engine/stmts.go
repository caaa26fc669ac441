package engine

import (
	"strings"
	"time"

	"github.com/pchatdr/harness/sim/mssql/abort"
	"github.com/pchatdr/harness/sim/mssql/sessionstmt"
	"github.com/pchatdr/harness/sim/mssql/setopts"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

func (sc *scope) execDeclare(x *tsql.DeclareStmt) error {
	for i, d := range x.Vars {
		if d.Table != nil {
			if err := sc.declareTableVar(d); err != nil {
				return err
			}
			continue
		}
		key := strings.ToLower(d.Name)
		t, err := resolveType(d.Typ, false, i+1)
		if err != nil {
			return err
		}
		t = collated(t, sc.dbCollation())
		// Running a DECLARE again (in a loop) keeps the value unless it
		// has an initializer, as in SQL Server.
		v := sc.vars[key]
		if v == nil {
			v = &variable{name: d.Name, typ: t}
		}
		if d.Init != nil {
			ce, err := sc.newCompiler(nil).Compile(d.Init)
			if err != nil {
				return err
			}
			if err := sc.assign(v, "=", ce, &env{}); err != nil {
				return err
			}
		}
		sc.vars[key] = v
	}
	return nil
}

func (sc *scope) execSetVar(x *tsql.SetVarStmt) error {
	v := sc.lookupVar(x.Var)
	if v == nil {
		return newErr(sqlerr.MustDeclareVariable, x.Var)
	}
	ce, err := sc.newCompiler(nil).Compile(x.Value)
	if err != nil {
		return err
	}
	if ce.Cond {
		return newErr(sqlerr.SyntaxError, exprText(x.Value))
	}
	if err := sc.assign(v, x.Op, ce, &env{}); err != nil {
		return err
	}
	sc.s.rowcount = 1
	sc.s.lastError = 0
	return nil
}

// execSetOption applies SET options. FMTONLY, NOEXEC and PARSEONLY change
// whether statements run (scope.run, parseOnlyFilter). Options the simulator does not model
// (STATISTICS, ANSI_DEFAULTS details, ...) are accepted, as SQL Server
// accepts them; misspelled ones never reach here (the parser rejects them).
func (sc *scope) execSetOption(x *tsql.SetOptionStmt) error {
	var arg func() (any, error)
	if x.Arg != nil {
		arg = func() (any, error) {
			v, _, err := sc.evalScalar(x.Arg)
			return v, err
		}
	}
	for _, name := range x.Names {
		held, err := sc.s.opts.Set(name, x.Value, arg)
		if err == nil && !held && name == "IDENTITY_INSERT" {
			err = sc.setIdentityInsert(x)
		}
		if err != nil {
			return err
		}
	}
	sc.s.rowcount = 0
	return sc.done(DoneInfo{})
}

// setIdentityInsert is SET IDENTITY_INSERT table ON|OFF: one table of the
// session at a time (8107), one with an identity column (8106).
func (sc *scope) setIdentityInsert(x *tsql.SetOptionStmt) error {
	o := &sc.s.opts
	on, _ := setopts.OnOff(x.Value)
	if x.Object == nil {
		return newErr(sqlerr.SyntaxError, "IDENTITY_INSERT")
	}
	obj, err := sc.resolveObject(x.Object)
	if err != nil {
		return err
	}
	t := obj.table
	if t == nil || t.IdentityCol() < 0 {
		return newErr(sqlerr.NoIdentityProperty, nameText(x.Object))
	}
	if on {
		if cur := o.IdentityInsert; cur != nil && cur != t {
			return newErr(sqlerr.IdentityInsertAlreadyOn, cur.db.Name(), cur.Schema, cur.Name, nameText(x.Object))
		}
		o.IdentityInsert = t
	} else if o.IdentityInsert == t {
		o.IdentityInsert = nil
	}
	return nil
}

// execUse switches the session's database (911 unknown, 927 restoring, 942
// offline, 924 single-user and taken) and reports it with ENVCHANGE and
// message 5701, as SQL Server does.
func (sc *scope) execUse(x *tsql.UseStmt) error {
	s := sc.s
	db := s.inst.DB(x.DB.Name)
	if db == nil {
		return newErr(sqlerr.DatabaseNotFound, x.DB.Name)
	}
	if e := db.openError(); e != nil {
		return e
	}
	old := s.currentDB()
	if db != old && db.Meta().UserAccess == SingleUser {
		s.inst.mu.RLock()
		n := s.inst.sessionsInLocked(db, s)
		s.inst.mu.RUnlock()
		if n > 0 {
			return newErr(sqlerr.DatabaseSingleUser, db.Name())
		}
	}
	s.setDB(db)
	if err := sc.emit(sc.out.EnvChange(EnvChange{Type: EnvDatabase, Old: old.Name(), New: db.Name()})); err != nil {
		return err
	}
	if err := sc.message(newErr(sqlerr.ChangedDatabase, db.Name())); err != nil {
		return err
	}
	s.rowcount = 0
	s.lastError = 0
	return sc.done(DoneInfo{})
}

func (sc *scope) execPrint(x *tsql.PrintStmt) error {
	m, err := sessionstmt.Print(scalarEval{sc}, x)
	if err != nil {
		return err
	}
	if err := sc.message(m); err != nil {
		return err
	}
	sc.s.rowcount = 0
	sc.s.lastError = 0
	// PRINT is a statement: its INFO is followed by its own DONE.
	return sc.done(DoneInfo{})
}

// execRaiserror sends a user message: severity 10 or less is
// informational, 11-18 an error (the batch goes on, @@ERROR is set), 19+
// needs WITH LOG and 20+ ends the connection.
func (sc *scope) execRaiserror(x *tsql.RaiserrorStmt) error {
	m, err := sessionstmt.Raiserror(scalarEval{sc}, x)
	if err != nil {
		return err
	}
	m.Line, m.Proc = int32(sc.line), sc.procName
	sev, number := m.Class, m.Number
	if sc.inTry > 0 && sev > 10 && sev < 20 {
		return &caughtErr{m}
	}
	if err := sc.message(m); err != nil {
		return err
	}
	if sev > 10 {
		sc.s.lastError = number
	} else {
		sc.s.lastError = 0
	}
	if sev >= 20 {
		if err := sc.rollbackTx(); err != nil {
			return err
		}
		return &abortErr{act: abort.Connection}
	}
	return nil
}

func (sc *scope) execThrow(x *tsql.ThrowStmt) error {
	if x.Number == nil {
		return sc.rethrow()
	}
	m, err := sessionstmt.Throw(scalarEval{sc}, x)
	if err != nil {
		return err
	}
	m.Line, m.Proc = int32(sc.line), sc.procName
	if sc.inTry > 0 {
		return &caughtErr{m}
	}
	if err := sc.message(m); err != nil {
		return err
	}
	sc.s.lastError = m.Number
	// THROW ends the batch (and, under XACT_ABORT, the transaction).
	if sc.s.opts.XactAbort {
		if err := sc.rollbackTx(); err != nil {
			return err
		}
	}
	if err := sc.done(DoneInfo{Error: true}); err != nil {
		return err
	}
	return &abortErr{act: abort.Batch}
}

// execWaitfor sleeps; cancellation (TDS ATTENTION, KILL) ends it at once.
func (sc *scope) execWaitfor(x *tsql.WaitforStmt) error {
	d, err := sessionstmt.Wait(scalarEval{sc}, x, sqltypes.WallClock(sc.s.inst.now()))
	if err != nil {
		return err
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-sc.ctx.Done():
		return sc.ctx.Err()
	}
	sc.s.rowcount = 0
	sc.s.lastError = 0
	return nil
}

// execKill ends another session (6104 for one's own, 6106 for an unknown
// spid). The killed session's open transaction is rolled back and its
// connection closed.
func (sc *scope) execKill(x *tsql.KillStmt) error {
	n, err := sessionstmt.KillTarget(scalarEval{sc}, x)
	if err != nil {
		return err
	}
	if int(n) == sc.s.id {
		return newErr(sqlerr.KillSelf)
	}
	sc.s.inst.mu.RLock()
	target := sc.s.inst.sessions[int(n)]
	sc.s.inst.mu.RUnlock()
	if target == nil {
		return newErr(sqlerr.ProcessNotActive, n)
	}
	if x.StatusOnly {
		return sc.message(newErr(sqlerr.KillStatusNoRollback))
	}
	target.kill(nil)
	sc.s.rowcount = 0
	sc.s.lastError = 0
	return sc.done(DoneInfo{})
}

// execString runs EXEC('...'): a nested batch that shares nothing with the
// caller but the session.
func (sc *scope) execString(x *tsql.ExecStringStmt) error {
	v, t, err := sc.evalScalar(x.SQL)
	if err != nil {
		return err
	}
	text := ""
	if v != nil {
		s, err := toStringValue(v, t)
		if err != nil {
			return err
		}
		text = s.(string)
	}
	if sc.depth >= 32 {
		return newErr(sqlerr.NestingLimit, 32)
	}
	child := sc.child("")
	child.inProc = sc.inProc
	child.procName = sc.procName
	defer sc.restoreDB(sc.s.currentDB())
	defer sc.restoreOptions(sc.s.opts)
	return child.runBatch(text)
}

// restoreOptions reverts SET options changed inside dynamic SQL or a
// procedure when it returns, as SQL Server scopes them.
func (sc *scope) restoreOptions(o options) {
	if !sc.s.Killed() {
		sc.s.opts = o
	}
}

// restoreDB puts the database context back after dynamic SQL or a
// procedure that ran USE, as SQL Server does, telling the client.
func (sc *scope) restoreDB(db *Database) {
	cur := sc.s.currentDB()
	if cur == db || sc.s.Killed() {
		return
	}
	if sc.s.inst.DB(db.Name()) != db {
		return // dropped meanwhile
	}
	sc.s.setDB(db)
	_ = sc.out.EnvChange(EnvChange{Type: EnvDatabase, Old: cur.Name(), New: db.Name()})
}

// ok ends a statement that returns no rows.
func (sc *scope) ok() error {
	sc.s.rowcount = 0
	sc.s.lastError = 0
	return sc.done(DoneInfo{})
}
