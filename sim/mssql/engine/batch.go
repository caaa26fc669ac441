package engine

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"

	"github.com/pchatdr/harness/sim/mssql/abort"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// Batch runs a SQL batch. Everything it produces goes to out; every request
// ends with at least one Done (the last Done is the batch's final one). It
// returns only request-level failures:
//   - an error from out (the client is gone);
//   - ctx.Err() when ctx was cancelled (TDS ATTENTION): the running
//     statement was undone, an open transaction stays open unless
//     XACT_ABORT is ON (as in SQL Server); the transport acknowledges the
//     attention;
//   - ErrSessionKilled when the session was killed or an error of severity
//     20 or more ended it: the transport closes the connection.
func (s *Session) Batch(ctx context.Context, text string, out Results) (err error) {
	rctx, end, err := s.begin(ctx, "SELECT")
	if err != nil {
		return err
	}
	defer end()
	dt := &doneTracker{Results: out}
	sc := s.newScope(rctx, dt)
	defer s.recoverPanic(sc, &err)
	err = sc.runBatch(text)
	return s.finishRequest(ctx, sc, err)
}

// recoverPanic turns an engine bug into a SQL error for this request
// instead of taking the whole server down; the panic is logged.
func (s *Session) recoverPanic(sc *scope, err *error) {
	r := recover()
	if r == nil {
		return
	}
	s.inst.logf("engine: panic in session %d: %v\n%s", s.id, r, debug.Stack())
	s.abandonTx()
	e := newErr(sqlerr.Message, fmt.Sprintf("internal simulator error: %v", r))
	e.Class = 16
	_ = sc.message(e)
	*err = sc.out.Done(DoneInfo{Error: true})
}

// doneTracker makes sure a request ends with a DONE even when none of its
// statements sent one (DECLARE, PRINT, IF ...).
type doneTracker struct {
	Results
	n int
}

func (d *doneTracker) Done(di DoneInfo) error {
	d.n++
	return d.Results.Done(di)
}

// finishRequest maps a request's outcome to what the transport needs.
func (s *Session) finishRequest(ctx context.Context, sc *scope, err error) error {
	err = s.mapOutcome(ctx, sc, err)
	if err == nil {
		if dt, ok := sc.out.(*doneTracker); ok && dt.n == 0 {
			return dt.Done(DoneInfo{})
		}
	}
	return err
}

func (s *Session) mapOutcome(ctx context.Context, sc *scope, err error) error {
	var ab *abortErr
	if errors.As(err, &ab) {
		if ab.act == abort.Connection {
			s.kill(nil) // the running request holds reqMu: end() rolls back
			return ErrSessionKilled
		}
		err = nil
	}
	if s.Killed() {
		return ErrSessionKilled
	}
	var ce *clientErr
	if errors.As(err, &ce) {
		return ce.err
	}
	if err != nil {
		if ctx.Err() != nil {
			if s.opts.XactAbort {
				s.abandonTx()
			}
			return ctx.Err()
		}
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		// Anything else escaped the statement error rules: report it as a
		// SQL error rather than failing the transport.
		e := newErr(sqlerr.Message, "internal simulator error: "+err.Error())
		_ = sc.message(e)
		return sc.done(DoneInfo{Error: true})
	}
	return nil
}

// parseCache shares parsed batches between sessions: the AST is immutable
// once built, and parameterized statements repeat their text.
type parseCache struct {
	mu sync.Mutex
	m  map[string][]tsql.Stmt
}

const parseCacheMax = 4096

func (inst *Instance) parse(text string) ([]tsql.Stmt, error) {
	pc := &inst.pcache
	pc.mu.Lock()
	if st, ok := pc.m[text]; ok {
		pc.mu.Unlock()
		return st, nil
	}
	pc.mu.Unlock()
	stmts, err := safeParse(text)
	if err != nil {
		return nil, err
	}
	if len(text) < 8192 {
		pc.mu.Lock()
		if pc.m == nil || len(pc.m) >= parseCacheMax {
			pc.m = map[string][]tsql.Stmt{}
		}
		pc.m[text] = stmts
		pc.mu.Unlock()
	}
	return stmts, nil
}

// safeParse shields the instance from a parser panic: a batch must never
// take the server down.
func safeParse(text string) (stmts []tsql.Stmt, err error) {
	defer func() {
		if r := recover(); r != nil {
			stmts = nil
			err = &tsql.SyntaxError{Number: 102, Line: 1, Near: "", Msg: "Incorrect syntax near ''."}
		}
	}()
	return tsql.Parse(text)
}
