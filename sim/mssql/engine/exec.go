package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/pchatdr/harness/sim/mssql/abort"
	"github.com/pchatdr/harness/sim/mssql/dml"
	"github.com/pchatdr/harness/sim/mssql/setopts"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// classify is what e does to the request (sim/mssql/abort's rules) under
// the session's XACT_ABORT.
func (sc *scope) classify(e *Error) abort.Action { return abort.Classify(e, sc.s.opts.XactAbort) }

// Control flow and unwinding signals.
var (
	errBreak    = errors.New("break")
	errContinue = errors.New("continue")
	errReturn   = errors.New("return")
)

// abortErr unwinds a batch after its error message was sent.
type abortErr struct{ act abort.Action }

func (a *abortErr) Error() string { return fmt.Sprintf("batch aborted (%d)", a.act) }

// clientErr wraps an error from Results: the client is gone.
type clientErr struct{ err error }

func (c *clientErr) Error() string { return c.err.Error() }
func (c *clientErr) Unwrap() error { return c.err }

// scope is one batch, sp_executesql call or system procedure body: its
// variables, its output and the procedure it runs in.
type scope struct {
	s         *Session
	ctx       context.Context
	out       Results
	vars      map[string]*variable
	inProc    bool
	procName  string
	depth     int
	retStatus int32
	line      int // line of the running statement
	// scopeIdent is SCOPE_IDENTITY() for this scope.
	scopeIdent Value
	// inTry counts enclosing TRY blocks (inherited by nested scopes);
	// catchErr is the error ERROR_NUMBER() and friends report in CATCH.
	inTry int
	// declared holds every DECLARE of the batch: a variable exists from
	// its declaration to the end of the batch even when the DECLARE never
	// ran (it is then NULL).
	declared map[string]*tsql.VarDecl
	// dmlTarget is the FROM item an UPDATE/DELETE ... FROM changes while
	// its FROM clause compiles; dmlTable is the table it resolved to.
	dmlTarget *tsql.TableRef
	dmlTable  *Table
	tryDepth  int // depth of the scope that opened the innermost TRY
	viewDepth int // views being expanded (modules.go)
	catchErr  *Error
}

// caughtErr carries an error to the innermost CATCH block instead of the
// client.
type caughtErr struct{ e *Error }

func (c *caughtErr) Error() string { return c.e.Error() }

type variable struct {
	name string
	typ  Type
	val  Value
	tbl  *Table // a table variable's rows (tablevars.go)
}

func (s *Session) newScope(ctx context.Context, out Results) *scope {
	return &scope{s: s, ctx: ctx, out: out, vars: map[string]*variable{}}
}

func (sc *scope) child(procName string) *scope {
	return &scope{s: sc.s, ctx: sc.ctx, out: sc.out, vars: map[string]*variable{}, inProc: true,
		procName: procName, depth: sc.depth + 1, inTry: sc.inTry, catchErr: sc.catchErr}
}

func (sc *scope) emit(err error) error {
	if err != nil {
		return &clientErr{err}
	}
	return nil
}

// message sends an informational or error message stamped with the server,
// procedure and line.
func (sc *scope) message(e *Error) error {
	if e.Server == "" {
		e.Server = sc.s.inst.cfg.Name
	}
	if e.Proc == "" {
		e.Proc = sc.procName
	}
	if e.Line == 0 {
		e.Line = int32(sc.line)
	}
	return sc.emit(sc.out.Message(e))
}

func (sc *scope) done(d DoneInfo) error {
	d.InProc = d.InProc || sc.inProc
	d.InXact = sc.s.tranCount > 0
	if sc.s.opts.NoCount {
		d.HasCount = false
	}
	return sc.emit(sc.out.Done(d))
}

// runBatch parses and runs text. Syntax errors stop the whole batch before
// anything runs, as SQL Server compiles a batch first.
func (sc *scope) runBatch(text string) error {
	stmts, err := sc.s.inst.parse(text)
	if err != nil {
		var se *tsql.SyntaxError
		var ue *tsql.UnsupportedError
		switch {
		case errors.As(err, &se):
			for _, m := range se.SQLErrors() {
				if err := sc.message(m); err != nil {
					return err
				}
			}
			sc.s.lastError = int32(se.Number)
		case errors.As(err, &ue):
			e := newErr(sqlerr.SyntaxError, ue.Feature)
			e.Line = int32(ue.Line)
			if err := sc.message(e); err != nil {
				return err
			}
			sc.s.lastError = 102
		default:
			e := newErr(sqlerr.SyntaxError, "batch")
			if err := sc.message(e); err != nil {
				return err
			}
		}
		return sc.done(DoneInfo{Error: true})
	}
	if e := sc.checkVars(stmts, text); e != nil {
		if err := sc.message(e); err != nil {
			return err
		}
		sc.s.lastError = e.Number
		return sc.done(DoneInfo{Error: true})
	}
	err = sc.runList(parseOnlyFilter(&sc.s.opts, stmts))
	if errors.Is(err, errReturn) || errors.Is(err, errBreak) || errors.Is(err, errContinue) {
		err = nil
	}
	var ab *abortErr
	if errors.As(err, &ab) && ab.act == abort.Batch && sc.depth > 0 {
		return nil // scope abort: the caller goes on
	}
	return err
}

func (sc *scope) runList(stmts []tsql.Stmt) error {
	for _, st := range stmts {
		if err := sc.run(st); err != nil {
			return err
		}
	}
	return nil
}

// parseOnlyFilter drops the statements SET PARSEONLY ON covers. The option
// takes effect at parse time, not at run time (Microsoft's SET PARSEONLY
// page), so a batch's top-level SET PARSEONLY statements decide for the
// statements after them before anything runs; the SET statements stay.
func parseOnlyFilter(o *options, stmts []tsql.Stmt) []tsql.Stmt {
	on := o.ParseOnly
	kept := stmts[:0:0]
	for _, st := range stmts {
		if v, ok := setsOption(st, "PARSEONLY"); ok {
			on = v
			kept = append(kept, st)
			continue
		}
		if !on {
			kept = append(kept, st)
		}
	}
	return kept
}

// setsOption reports whether st is a SET of the named ON/OFF option, and to
// which value.
func setsOption(st tsql.Stmt, name string) (on, ok bool) {
	x, isSet := st.(*tsql.SetOptionStmt)
	if !isSet {
		return false, false
	}
	for _, n := range x.Names {
		if n == name {
			on, ok = setopts.OnOff(x.Value)
			return on, ok
		}
	}
	return false, false
}

// runFmtOnly runs a statement under SET FMTONLY ON, which returns metadata
// and executes nothing: SELECTs send their columns only, DECLARE declares
// and SET options apply; every other statement is passed over. As on SQL
// Server, both branches of an IF and a WHILE body once are gone through
// (no condition is evaluated), so no loop can spin on skipped work.
func (sc *scope) runFmtOnly(st tsql.Stmt) error {
	switch x := st.(type) {
	case *tsql.BlockStmt:
		return sc.runList(x.Body)
	case *tsql.IfStmt:
		if err := sc.run(x.Then); err != nil {
			return err
		}
		if x.Else != nil {
			return sc.run(x.Else)
		}
		return nil
	case *tsql.WhileStmt:
		return sc.run(x.Body)
	case *tsql.TryCatchStmt:
		return sc.runTryCatch(x)
	case *tsql.SelectStmt, *tsql.DeclareStmt, *tsql.SetOptionStmt:
		sc.line = st.Position().Line
		if err := sc.exec(st); err != nil {
			return sc.fail(st, err)
		}
	}
	return nil
}

// run executes one statement and applies SQL Server's error rules.
func (sc *scope) run(st tsql.Stmt) error {
	if err := sc.ctx.Err(); err != nil {
		return err
	}
	// SET NOEXEC ON: statements are compiled, not executed, until SET
	// NOEXEC OFF (which itself runs).
	if sc.s.opts.NoExec {
		if _, ok := setsOption(st, "NOEXEC"); !ok {
			return nil
		}
	}
	if sc.s.opts.FmtOnly {
		return sc.runFmtOnly(st)
	}
	switch x := st.(type) {
	case *tsql.BlockStmt:
		return sc.runList(x.Body)
	case *tsql.IfStmt:
		sc.line = x.Line
		ok, err := sc.condition(x.Cond)
		if err != nil {
			return sc.fail(st, err)
		}
		sc.s.lastError = 0
		if ok {
			return sc.run(x.Then)
		} else if x.Else != nil {
			return sc.run(x.Else)
		}
		return nil
	case *tsql.WhileStmt:
		for {
			if err := sc.ctx.Err(); err != nil {
				return err
			}
			sc.line = x.Line
			ok, err := sc.condition(x.Cond)
			if err != nil {
				return sc.fail(st, err)
			}
			sc.s.lastError = 0
			if !ok {
				return nil
			}
			err = sc.run(x.Body)
			if errors.Is(err, errBreak) {
				return nil
			}
			if err != nil && !errors.Is(err, errContinue) {
				return err
			}
		}
	case *tsql.TryCatchStmt:
		return sc.runTryCatch(x)
	case *tsql.BreakStmt:
		return errBreak
	case *tsql.ContinueStmt:
		return errContinue
	}
	sc.line = st.Position().Line
	err := sc.exec(st)
	if err == nil {
		return nil
	}
	return sc.fail(st, err)
}

// fail reports a statement's error and decides how far it unwinds.
func (sc *scope) fail(st tsql.Stmt, err error) error {
	if errors.Is(err, errReturn) || errors.Is(err, errBreak) || errors.Is(err, errContinue) {
		return err
	}
	var ce *clientErr
	var ab *abortErr
	var ca *caughtErr
	if errors.As(err, &ce) || errors.As(err, &ab) || errors.As(err, &ca) {
		return err
	}
	if ctxErr := sc.ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	e, ok := asSQLError(err)
	if !ok {
		sc.s.inst.logf("engine: internal error at line %d: %v", sc.line, err)
		e = newErr(sqlerr.Message, "internal simulator error: "+err.Error())
		e.Class = 16
	}
	act := sc.classify(e)
	if sc.inTry > 0 && abort.Caught(e, act, sc.depth > sc.tryDepth) {
		if sc.s.opts.XactAbort && sc.s.tx != nil {
			sc.s.doomed = true
		}
		if e.Line == 0 {
			e.Line = int32(sc.line)
		}
		if e.Proc == "" {
			e.Proc = sc.procName
		}
		return &caughtErr{e}
	}
	if err := sc.message(e); err != nil {
		return err
	}
	if abort.Terminated(act, st) {
		if err := sc.message(newErr(sqlerr.StatementTerminated)); err != nil {
			return err
		}
	}
	sc.s.lastError = e.Number
	if err := sc.done(DoneInfo{Error: true, CurCmd: curCmd(st)}); err != nil {
		return err
	}
	switch act {
	case abort.Statement:
		return nil
	case abort.BatchRollback, abort.Connection:
		if err := sc.rollbackTx(); err != nil {
			return err
		}
	}
	return &abortErr{act: act}
}

// rollbackTx rolls back the session's open transaction because of an error
// and tells the client (ENVCHANGE rollback), so its transaction descriptor
// stays right.
func (sc *scope) rollbackTx() error {
	s := sc.s
	if s.tx == nil {
		s.abandonTx()
		return nil
	}
	desc := s.tx.ID()
	s.abandonTx()
	return sc.emit(sc.out.EnvChange(EnvChange{Type: EnvRollbackTran, TranDesc: desc}))
}

func curCmd(st tsql.Stmt) uint16 {
	switch st.(type) {
	case *tsql.SelectStmt:
		return 0xC1
	case *tsql.InsertStmt:
		return 0xC3
	case *tsql.DeleteStmt:
		return 0xC4
	case *tsql.UpdateStmt:
		return 0xC5
	case *tsql.ExecStmt, *tsql.ExecStringStmt:
		return 0xE0
	}
	return 0
}

// condition evaluates a search condition (IF, WHILE): UNKNOWN is false.
func (sc *scope) condition(e tsql.Expr) (bool, error) {
	c := sc.newCompiler(nil)
	ce, err := c.CompileCond(e)
	if err != nil {
		return false, err
	}
	v, err := ce.Eval(&env{})
	if err != nil {
		return false, err
	}
	b, _ := v.(bool)
	return b, nil
}

// exec runs one simple statement.
func (sc *scope) exec(st tsql.Stmt) error {
	s := sc.s
	switch x := st.(type) {
	case *tsql.SelectStmt:
		return sc.execSelect(x)
	case *tsql.InsertStmt:
		return dml.Insert(dmlScope{sc}, x)
	case *tsql.UpdateStmt:
		return dml.Update(dmlScope{sc}, x)
	case *tsql.DeleteStmt:
		return dml.Delete(dmlScope{sc}, x)
	case *tsql.TruncateStmt:
		return dml.Truncate(dmlScope{sc}, x)
	case *tsql.DeclareStmt:
		return sc.execDeclare(x)
	case *tsql.SetVarStmt:
		return sc.execSetVar(x)
	case *tsql.SetOptionStmt:
		if err := sc.execSetOption(x); err != nil {
			return err
		}
		s.lastError = 0
		return nil
	case *tsql.UseStmt:
		return sc.execUse(x)
	case *tsql.PrintStmt:
		return sc.execPrint(x)
	case *tsql.RaiserrorStmt:
		return sc.execRaiserror(x)
	case *tsql.ThrowStmt:
		return sc.execThrow(x)
	case *tsql.WaitforStmt:
		return sc.execWaitfor(x)
	case *tsql.ReturnStmt:
		if x.Value != nil {
			v, _, err := sc.evalScalar(x.Value)
			if err != nil {
				return err
			}
			if n, ok := toInt64(v); ok {
				sc.retStatus = int32(n)
			}
		}
		return errReturn
	case *tsql.ExecStmt:
		return sc.execExec(x)
	case *tsql.ExecStringStmt:
		return sc.execString(x)
	case *tsql.BeginTranStmt:
		s.beginTran(x.Name)
		if s.tranCount == 1 {
			if err := sc.emit(sc.out.EnvChange(EnvChange{Type: EnvBeginTran, TranDesc: s.tx.ID()})); err != nil {
				return err
			}
		}
		s.lastError = 0
		s.rowcount = 0
		return sc.done(DoneInfo{})
	case *tsql.CommitStmt:
		if s.tranCount == 0 {
			return newErr(sqlerr.CommitNoTransaction)
		}
		s.rowcount = 0
		if s.tranCount > 1 {
			s.tranCount--
			s.tranNames = s.tranNames[:len(s.tranNames)-1]
			s.lastError = 0
			return sc.done(DoneInfo{})
		}
		desc := s.tx.ID()
		if err := s.commitAll(sc.ctx); err != nil {
			return err
		}
		if err := sc.emit(sc.out.EnvChange(EnvChange{Type: EnvCommitTran, TranDesc: desc})); err != nil {
			return err
		}
		s.lastError = 0
		return sc.done(DoneInfo{})
	case *tsql.RollbackStmt:
		if s.tranCount == 0 {
			return newErr(sqlerr.RollbackNoTransaction)
		}
		if x.Name != "" && len(s.tranNames) > 0 && !strings.EqualFold(x.Name, s.tranNames[0]) {
			// ROLLBACK TRAN savepoint: undo back to SAVE TRAN, keep the
			// transaction and @@TRANCOUNT.
			for i := len(s.savepoints) - 1; i >= 0; i-- {
				if strings.EqualFold(s.savepoints[i].name, x.Name) {
					s.tx.RollbackTo(s.savepoints[i].mark)
					s.savepoints = s.savepoints[:i+1]
					s.lastError = 0
					return sc.done(DoneInfo{})
				}
			}
			return newErr(sqlerr.RollbackNoSavepoint, x.Name)
		}
		desc := s.tx.ID()
		s.abandonTx()
		s.rowcount = 0
		if err := sc.emit(sc.out.EnvChange(EnvChange{Type: EnvRollbackTran, TranDesc: desc})); err != nil {
			return err
		}
		s.lastError = 0
		return sc.done(DoneInfo{})
	case *tsql.SaveTranStmt:
		if s.tranCount == 0 {
			return newErr(sqlerr.SaveTranNoTransaction)
		}
		s.savepoints = append(s.savepoints, savepoint{name: x.Name, mark: s.tx.Savepoint()})
		s.lastError = 0
		return sc.done(DoneInfo{})
	case *tsql.KillStmt:
		return sc.execKill(x)
	case *tsql.CreateTableStmt:
		return sc.execCreateTable(x)
	case *tsql.DropTableStmt:
		return sc.execDropTable(x)
	case *tsql.CreateIndexStmt:
		return sc.execCreateIndex(x)
	}
	if h := sc.s.inst.reg.stmt(st); h != nil {
		return h(sc, st)
	}
	return newErr(sqlerr.Message, fmt.Sprintf("The statement at line %d is not supported by the simulator.", st.Position().Line))
}
