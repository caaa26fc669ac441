package abort_test

import (
	"testing"

	"github.com/pchatdr/harness/sim/mssql/abort"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

func TestClassify(t *testing.T) {
	cases := []struct {
		number    int32
		class     uint8
		xactAbort bool
		want      abort.Action
	}{
		{sqlerr.InvalidObject, 16, false, abort.Batch},            // 208: deferred name resolution
		{sqlerr.InvalidColumn, 16, false, abort.Batch},            // 207
		{sqlerr.MustDeclareVariable, 15, false, abort.Batch},      // 137
		{sqlerr.SyntaxError, 15, false, abort.Batch},              // 102
		{sqlerr.NestingLimit, 16, false, abort.Batch},             // 217
		{sqlerr.ConversionFailed, 16, false, abort.BatchRollback}, // 245
		{sqlerr.ConvertError, 16, false, abort.BatchRollback},     // 8114
		{sqlerr.Deadlock, 13, false, abort.BatchRollback},         // 1205
		{sqlerr.DuplicateKey, 14, false, abort.Statement},         // 2627: the batch goes on
		{sqlerr.TranCountMismatch, 16, false, abort.Statement},    // 266
		{sqlerr.DuplicateKey, 14, true, abort.BatchRollback},      // XACT_ABORT ON: every error
		{sqlerr.InvalidObject, 16, true, abort.BatchRollback},
		{50000, 10, true, abort.Statement}, // a message is no error, even under XACT_ABORT
		{50000, 20, false, abort.Connection},
		{sqlerr.InvalidObject, 21, false, abort.Connection},
	}
	for _, c := range cases {
		e := &sqlerr.Error{Number: c.number, Class: c.class}
		if got := abort.Classify(e, c.xactAbort); got != c.want {
			t.Errorf("error %d class %d, XACT_ABORT %v: %v, want %v", c.number, c.class, c.xactAbort, got, c.want)
		}
	}
}

func TestCaught(t *testing.T) {
	cases := []struct {
		class  uint8
		act    abort.Action
		nested bool
		want   bool
	}{
		{16, abort.Statement, false, true},
		{16, abort.BatchRollback, false, true},
		{16, abort.Batch, false, false}, // a compile error at the TRY's own level reaches the client
		{16, abort.Batch, true, true},   // ... but is caught from a procedure or dynamic SQL
		{10, abort.Statement, false, false},
		{20, abort.Connection, true, false},
	}
	for _, c := range cases {
		e := &sqlerr.Error{Number: 50000, Class: c.class}
		if got := abort.Caught(e, c.act, c.nested); got != c.want {
			t.Errorf("class %d, %v, nested %v: caught %v, want %v", c.class, c.act, c.nested, got, c.want)
		}
	}
}

func TestTerminated(t *testing.T) {
	cases := []struct {
		st   tsql.Stmt
		act  abort.Action
		want bool
	}{
		{&tsql.InsertStmt{}, abort.Statement, true},
		{&tsql.UpdateStmt{}, abort.Statement, true},
		{&tsql.DeleteStmt{}, abort.Statement, true},
		{&tsql.InsertStmt{}, abort.BatchRollback, false},
		{&tsql.SelectStmt{}, abort.Statement, false},
	}
	for _, c := range cases {
		if got := abort.Terminated(c.act, c.st); got != c.want {
			t.Errorf("%T, %v: %v, want %v", c.st, c.act, got, c.want)
		}
	}
}
