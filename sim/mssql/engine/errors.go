package engine

import (
	"errors"

	"github.com/pchatdr/harness/sqlerr"
)

// newErr builds SQL Server message number (a sqlerr constant) with its
// catalogue severity and state. It never fails: an unknown number becomes
// sqlerr's 2758 complaint.
func newErr(n int32, args ...any) *Error { return sqlerr.New(n, args...) }

// ErrSessionKilled is returned by Batch, RPC and the transaction requests of
// a session that was killed (KILL, ALTER DATABASE ... WITH ROLLBACK
// IMMEDIATE) or closed: the transport must close the connection.
var ErrSessionKilled = errors.New("engine: session killed")

// asSQLError extracts a SQL Server message from err.
func asSQLError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// errInstanceClosed is what a subsystem asked for after Close gets.
var errInstanceClosed = errors.New("engine: instance closed")
