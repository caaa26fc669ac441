package engine

import (
	"context"
	"errors"

	"github.com/pchatdr/harness/sim/mssql/abort"
	"github.com/pchatdr/harness/sim/mssql/sessionfuncs"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// RPC runs a remote procedure call: sp_executesql (statement,
// declarations, parameters) or a system procedure by name (optionally
// qualified, e.g. master.dbo.sp_who2), with named or positional parameters.
// Output: the procedure's results with Done{InProc: true}, then
// ReturnStatus, then one ReturnValue per OUTPUT parameter, then a final
// Done{} (no count) that the transport sends as DONEPROC. MS-TDS 2.2.7.18
// and 2.2.7.8 require RETURNSTATUS and DONEPROC for every executed RPC, so
// they close the call also when it failed: a batch-aborting error (an
// unknown parameter type, a conversion error) ends the procedure with a
// non-zero status and DONEPROC carrying DONE_ERROR, never with the failed
// statement's DONEINPROC as the last token (go-mssqldb read that as an
// empty result and no error). Errors are otherwise as for Batch.
func (s *Session) RPC(ctx context.Context, call RPCCall, out Results) (err error) {
	rctx, end, err := s.begin(ctx, "EXECUTE")
	if err != nil {
		return err
	}
	defer end()
	track := &errTracker{Results: out}
	sc := s.newScope(rctx, &doneTracker{Results: track})
	sc.inProc = true
	defer s.recoverPanic(sc, &err)
	err = sc.runRPC(call, track)
	return s.finishRequest(ctx, sc, err)
}

// errTracker remembers whether a call sent an error message, for the
// DONE_ERROR bit of its DONEPROC.
type errTracker struct {
	Results
	errored bool
}

func (t *errTracker) Message(m *Error) error {
	if !m.IsInfo() {
		t.errored = true
	}
	return t.Results.Message(m)
}

func (sc *scope) runRPC(call RPCCall, track *errTracker) error {
	n := &tsql.ObjectName{}
	for _, p := range sessionfuncs.SplitObjectName(call.Name) {
		n.Parts = append(n.Parts, tsql.Ident{Name: p})
	}
	args := make([]argument, len(call.Params))
	for i, p := range call.Params {
		args[i] = argument{name: p.Name, val: p.Value, typ: p.Type, output: p.Output, ord: i}
	}
	sc.line = 1
	status, outs, err := sc.callProc(n, args)
	aborted, unknown := false, false
	if err != nil {
		var ab *abortErr
		if !errors.As(err, &ab) {
			e, ok := asSQLError(err)
			if !ok {
				return err
			}
			unknown = e.Number == sqlerr.ProcedureNotFound
			err = sc.fail(&tsql.ExecStmt{}, err)
		}
		if err != nil && (!errors.As(err, &ab) || ab.act == abort.Connection) {
			return err
		}
		aborted, status = err != nil, 1
	}
	// SQL Server sends no return status for an unknown procedure: it never
	// ran. The call still ends with DONEPROC.
	if !unknown {
		if err := sc.emit(sc.out.ReturnStatus(status)); err != nil {
			return err
		}
	}
	for i, p := range call.Params {
		if !p.Output || aborted || unknown {
			continue
		}
		o, ok := outs[i]
		v := ReturnValue{Ordinal: i, Name: p.Name, Type: p.Type}
		if ok {
			cv, cerr := convertTo(o.val, o.typ, p.Type)
			if cerr == nil {
				v.Value = cv
			}
		}
		if err := sc.emit(sc.out.ReturnValue(v)); err != nil {
			return err
		}
	}
	return sc.emit(sc.out.Done(DoneInfo{CurCmd: 0xE0, Error: track.errored, InXact: sc.s.tranCount > 0}))
}
