package engine

import (
	"errors"

	"github.com/pchatdr/harness/sim/mssql/abort"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// runTryCatch runs BEGIN TRY ... END TRY BEGIN CATCH ... END CATCH. Errors
// of severity 11-19 in the TRY block (and in procedures and dynamic SQL it
// calls) go to the CATCH block instead of the client. As in SQL Server,
// name-resolution and other compile errors of statements at the same
// level as the TRY are not caught; under XACT_ABORT the transaction is
// doomed (XACT_STATE() = -1) and only a ROLLBACK is allowed.
func (sc *scope) runTryCatch(x *tsql.TryCatchStmt) error {
	prevTry, prevDepth := sc.inTry, sc.tryDepth
	sc.inTry++
	sc.tryDepth = sc.depth
	err := sc.runList(x.Try)
	sc.inTry, sc.tryDepth = prevTry, prevDepth
	var ca *caughtErr
	if !errors.As(err, &ca) {
		return err
	}
	prev := sc.catchErr
	sc.catchErr = ca.e
	sc.s.lastError = ca.e.Number
	err = sc.runList(x.Catch)
	sc.catchErr = prev
	return err
}

// rethrow is THROW without arguments inside CATCH.
func (sc *scope) rethrow() error {
	if sc.catchErr == nil {
		return newErr(sqlerr.RethrowOutsideCatch)
	}
	e := *sc.catchErr
	if sc.inTry > 0 {
		return &caughtErr{&e}
	}
	if err := sc.message(&e); err != nil {
		return err
	}
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
