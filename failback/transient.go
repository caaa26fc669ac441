package failback

import (
	"errors"

	"github.com/pchatdr/harness/failback/lync"
	"github.com/pchatdr/harness/failback/sqlserver"
)

// ErrTransient marks an error as worth retrying (used by implementations
// whose failures have no SQL number or HTTP status, such as the in-memory
// ones).
var ErrTransient = errors.New("transient failure")

// IsTransient reports whether a failed phase may succeed when run again: a
// dropped or reset connection, a WinRM 5xx or timeout, a deadlock. SQL
// Server refusals (3101, 3154, 4305, syntax, permission) and cmdlet errors
// are never transient: the engine must not hammer a server that said no.
func IsTransient(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrTransient) {
		return true
	}
	var ce *lync.CmdletError
	if errors.As(err, &ce) {
		return false
	}
	if len(sqlserver.SQLErrorNumbers(err)) > 0 {
		return sqlserver.IsTransient(err)
	}
	return sqlserver.IsTransient(err) || lync.IsTransient(err)
}
