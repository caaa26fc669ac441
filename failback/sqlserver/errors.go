package sqlserver

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	mssql "github.com/microsoft/go-mssqldb"
)

// SQLErrorNumbers returns every SQL Server error number carried by err, in
// the order the server sent them. A failed BACKUP gives [3201 3013]: the
// cause first, the "terminating abnormally" error last.
func SQLErrorNumbers(err error) []int32 {
	var e mssql.Error
	if !errors.As(err, &e) {
		var pe *mssql.Error
		if !errors.As(err, &pe) || pe == nil {
			return nil
		}
		e = *pe
	}
	if len(e.All) == 0 {
		return []int32{e.Number}
	}
	out := make([]int32, len(e.All))
	for i, x := range e.All {
		out[i] = x.Number
	}
	return out
}

// HasNumber reports whether err carries SQL Server error n anywhere in its
// list (3101 arrives before 3013, so checking only the last one misses it).
func HasNumber(err error, n int32) bool {
	for _, x := range SQLErrorNumbers(err) {
		if x == n {
			return true
		}
	}
	return false
}

// transientNumbers may succeed when the statement is sent again.
var transientNumbers = map[int32]bool{
	1205:  true, // chosen as deadlock victim
	233:   true, // no process is on the other end of the pipe (connection dropped)
	4060:  true, // cannot open database requested by the login: seen while it starts or recovers
	40613: true, // database not currently available
	40197: true, // service error processing the request
	40501: true, // service busy
	10053: true, // transport-level error: connection aborted by the host
	10054: true, // transport-level error: connection reset by peer
	10060: true, // network-related error: connection timed out
	10928: true, // resource limit reached
	10929: true, // resource limit: minimum guarantee
	49918: true, // not enough resources
	49919: true,
	49920: true,
}

// IsTransient reports whether sending the same statement again may
// succeed: dropped or refused connections, timeouts on the network, a
// deadlock, a database that is still starting. Refusals by SQL Server's
// rules (3101 exclusive access, 3154/3159 restore over a different
// database, 4305 log gap, syntax errors, permissions) are permanent: the
// engine must change something first. The caller's own context ending is
// not transient either.
func IsTransient(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if nums := SQLErrorNumbers(err); len(nums) > 0 {
		for _, n := range nums {
			if transientNumbers[n] {
				return true
			}
		}
		return false
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, syscall.ETIMEDOUT) || errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH) {
		return true
	}
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	if errors.As(err, &certErr) || errors.As(err, &unknownAuth) || errors.As(err, &hostErr) || errors.As(err, &invalid) {
		return false
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var se mssql.StreamError
	if errors.As(err, &se) {
		return true
	}
	msg := strings.ToLower(err.Error())
	for _, s := range []string{"connection refused", "connection reset", "broken pipe", "i/o timeout", "unable to open tcp connection"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
