// Package abort holds SQL Server's rules for how far an error unwinds the
// request that raised it: the statement, the batch, the batch and its
// transaction, or the connection; whether a TRY block's CATCH gets it
// instead; and when DML adds 3621 "The statement has been terminated.".
// The engine raises the error, sends the messages and unwinds
// (engine/exec.go's fail); this package only decides, from the error and
// the session's facts, so the rules are read and tested in one place.
package abort

import (
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// Action is what an error does to the request, following SQL Server.
type Action int

const (
	// Statement: the statement ends (its changes are undone), the batch
	// goes on; DML also gets 3621 "The statement has been terminated.".
	Statement Action = iota
	// Batch: compile-time-like errors (208 deferred name resolution, 207,
	// 209, 4104, 137, 195, 8120, 109/110/213): the rest of the batch is
	// skipped, an open transaction stays open.
	Batch
	// BatchRollback: conversion errors (245, 8114, 241), deadlocks (1205)
	// and every error under SET XACT_ABORT ON: the batch ends and the
	// open transaction is rolled back.
	BatchRollback
	// Connection: severity 20 and above: the batch ends, the transaction
	// is rolled back and the connection is closed.
	Connection
)

func (a Action) String() string {
	switch a {
	case Statement:
		return "statement"
	case Batch:
		return "batch"
	case BatchRollback:
		return "batch and transaction"
	case Connection:
		return "connection"
	}
	return "unknown"
}

// Classify is what e does to the request; xactAbort is the session's SET
// XACT_ABORT.
func Classify(e *sqlerr.Error, xactAbort bool) Action {
	if e.Class >= 20 {
		return Connection
	}
	if xactAbort && e.Class >= 11 {
		return BatchRollback
	}
	return byNumber(e.Number)
}

// byNumber is the action of an error by its number when XACT_ABORT is off.
func byNumber(n int32) Action {
	switch n {
	case sqlerr.InvalidObject, sqlerr.InvalidColumn, sqlerr.AmbiguousColumn, sqlerr.MultiPartIdentifier,
		sqlerr.MustDeclareVariable, sqlerr.UnknownBuiltinFunction, sqlerr.NotInGroupBy,
		sqlerr.InsertSelectTooFewItems, sqlerr.InsertSelectTooManyItems, sqlerr.ColumnAssignedTwice,
		sqlerr.InsertMoreColumnsThanValues, sqlerr.InsertFewerColumnsThanValues, sqlerr.InsertColumnCountMismatch,
		sqlerr.MustDeclareTableVariable, sqlerr.ColumnOrFunctionNotFound, sqlerr.OrderByNotInSelectListDistinct,
		sqlerr.SubqueryOneColumn, sqlerr.FunctionArgCount, sqlerr.FunctionArgRange, sqlerr.UnknownDataType,
		sqlerr.NameNotPermitted, sqlerr.OrderByNotInGroupBy, sqlerr.OrderByPositionOutOfRange,
		sqlerr.DuplicateExposedNames, sqlerr.VariableAlreadyDeclared, sqlerr.SyntaxError, sqlerr.SyntaxErrorKeyword,
		sqlerr.AggregateInWhere, sqlerr.AggregateOfAggregate, sqlerr.NonBooleanCondition, sqlerr.NoColumnName,
		sqlerr.SchemaNotFound, sqlerr.NestingLimit:
		return Batch
	case sqlerr.ConversionFailed, sqlerr.ConvertError, sqlerr.DateConversionFailed, sqlerr.Deadlock,
		sqlerr.GUIDConversionFailed:
		return BatchRollback
	}
	return Statement
}

// Caught reports whether e, raised inside a TRY block and classified act,
// goes to the CATCH block instead of the client. Severity 10 and below are
// messages, not errors; a connection-ending error is never caught; a
// compile-time-like (Batch) error is caught only when raised in a scope
// nested below the TRY's (a procedure, dynamic SQL), not at the TRY's own
// level.
func Caught(e *sqlerr.Error, act Action, nested bool) bool {
	return e.Class > 10 && act != Connection && (act != Batch || nested)
}

// Terminated reports whether statement st that failed with act also gets
// 3621 "The statement has been terminated.": DML whose error ends only the
// statement.
func Terminated(act Action, st tsql.Stmt) bool {
	if act != Statement {
		return false
	}
	switch st.(type) {
	case *tsql.InsertStmt, *tsql.UpdateStmt, *tsql.DeleteStmt:
		return true
	}
	return false
}
