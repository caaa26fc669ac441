package memory

import (
	"fmt"
	"syscall"

	mssql "github.com/microsoft/go-mssqldb"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/sqlerr"
)

// sqlErr builds a SQL Server error list as go-mssqldb delivers it: All
// holds every error in order, the struct itself describes the first.
func sqlErr(server string, errs ...mssql.Error) error {
	for i := range errs {
		errs[i].ServerName = server
	}
	e := errs[0]
	e.All = errs
	return e
}

// e builds message n (a sqlerr constant) from SQL Server's catalogue, the
// one the simulator raises from: number, severity, state and text cannot
// drift between the two models of SQL Server's rules.
func e(n int32, args ...any) mssql.Error {
	m := sqlerr.New(n, args...)
	return mssql.Error{Number: m.Number, Class: m.Class, State: m.State, Message: m.Message}
}

func backupAbort(stmt string) mssql.Error {
	return e(sqlerr.BackupRestoreAborted, stmt)
}

// ErrConnReset is a transient failure to inject with FailNext: the engine
// must retry it.
var ErrConnReset = fmt.Errorf("%w: read tcp 127.0.0.1:1433: %w", failback.ErrTransient, syscall.ECONNRESET)

// ErrRefused is a connection refusal (transient, as a restarting server).
var ErrRefused = fmt.Errorf("%w: dial tcp 127.0.0.1:1433: %w", failback.ErrTransient, syscall.ECONNREFUSED)

// SQLError returns a permanent SQL Server error with the number, for
// injection with FailNext.
// The severity is the catalogue's when it knows n, else 16.
func SQLError(n int32, msg string) error {
	x := mssql.Error{Number: n, Class: 16, State: 1, Message: msg}
	if c, ok := sqlerr.Lookup(n); ok {
		x.Class, x.State = c.Class, c.State
	}
	return sqlErr("memory", x)
}
