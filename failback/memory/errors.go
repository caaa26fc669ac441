package memory

import (
	"fmt"
	"syscall"

	mssql "github.com/microsoft/go-mssqldb"

	"github.com/pchatdr/harness/failback"
)

// sqlErr builds a SQL Server error list as go-mssqldb delivers it: All
// holds every error in order, the struct itself describes the first.
func sqlErr(server string, errs ...mssql.Error) error {
	for i := range errs {
		errs[i].ServerName = server
		if errs[i].Class == 0 {
			errs[i].Class = 16
		}
		errs[i].State = 1
	}
	e := errs[0]
	e.All = errs
	return e
}

func e(n int32, format string, args ...any) mssql.Error {
	return mssql.Error{Number: n, Message: fmt.Sprintf(format, args...)}
}

func backupAbort(stmt string) mssql.Error {
	return e(3013, "%s is terminating abnormally.", stmt)
}

// ErrConnReset is a transient failure to inject with FailNext: the engine
// must retry it.
var ErrConnReset = fmt.Errorf("%w: read tcp 127.0.0.1:1433: %w", failback.ErrTransient, syscall.ECONNRESET)

// ErrRefused is a connection refusal (transient, as a restarting server).
var ErrRefused = fmt.Errorf("%w: dial tcp 127.0.0.1:1433: %w", failback.ErrTransient, syscall.ECONNREFUSED)

// SQLError returns a permanent SQL Server error with the number, for
// injection with FailNext.
func SQLError(n int32, msg string) error { return sqlErr("memory", e(n, "%s", msg)) }
