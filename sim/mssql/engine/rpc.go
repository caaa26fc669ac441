package engine

import (
	"context"
	"github.com/pchatdr/harness/sim/mssql/tsql"
)

// RPC runs a remote procedure call: sp_executesql (statement,
// declarations, parameters) or a system procedure by name (optionally
// qualified, e.g. master.dbo.sp_who2), with named or positional parameters.
// Output: the procedure's results with Done{InProc: true}, then
// ReturnStatus, then one ReturnValue per OUTPUT parameter, then a final
// Done{} (no count) that the transport sends as DONEPROC. Errors are as for
// Batch.
func (s *Session) RPC(ctx context.Context, call RPCCall, out Results) (err error) {
	rctx, end, err := s.begin(ctx, "EXECUTE")
	if err != nil {
		return err
	}
	defer end()
	sc := s.newScope(rctx, &doneTracker{Results: out})
	sc.inProc = true
	defer s.recoverPanic(sc, &err)
	err = sc.runRPC(call)
	return s.finishRequest(ctx, sc, err)
}

func (sc *scope) runRPC(call RPCCall) error {
	n := &tsql.ObjectName{}
	for _, p := range splitObjectString(call.Name) {
		n.Parts = append(n.Parts, tsql.Ident{Name: p})
	}
	args := make([]argument, len(call.Params))
	for i, p := range call.Params {
		args[i] = argument{name: p.Name, val: p.Value, typ: p.Type, output: p.Output, ord: i}
	}
	sc.line = 1
	status, outs, err := sc.callProc(n, args)
	if err != nil {
		e, ok := asSQLError(err)
		if !ok {
			return err
		}
		if ferr := sc.fail(&tsql.ExecStmt{}, err); ferr != nil {
			return ferr
		}
		if e.Number == 2812 {
			// SQL Server sends no return status for an unknown procedure;
			// the failed statement's DONE closes the call.
			return nil
		}
		status = 1
	}
	if err := sc.emit(sc.out.ReturnStatus(status)); err != nil {
		return err
	}
	for i, p := range call.Params {
		if !p.Output {
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
	return sc.emit(sc.out.Done(DoneInfo{CurCmd: 0xE0}))
}
