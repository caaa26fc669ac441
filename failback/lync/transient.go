package lync

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"syscall"
)

// HTTPStatusError is a WinRM HTTP answer other than 200. WinRM reports SOAP
// faults as HTTP 500 with the fault in the body; Fault holds its reason text
// and Subcode its WS-Management subcode (e.g. "w:TimedOut").
type HTTPStatusError struct {
	StatusCode int
	Subcode    string
	Fault      string
}

func (e *HTTPStatusError) Error() string {
	// The "http error NNN" wording matches masterzen/winrm's own errors;
	// the library looks for "OperationTimeout" in this text to decide that
	// an empty Receive should simply be polled again, so Fault must stay in.
	s := "winrm: http error " + strconv.Itoa(e.StatusCode)
	if e.Subcode != "" {
		s += " (" + e.Subcode + ")"
	}
	if e.Fault != "" {
		s += ": " + e.Fault
	}
	return s
}

// permanentFaults are WS-Management fault subcodes that another attempt
// cannot fix.
var permanentFaults = map[string]bool{
	"AccessDenied":          true,
	"InvalidSelectors":      true,
	"SchemaValidationError": true,
	"ActionNotSupported":    true,
}

var httpErrorRE = regexp.MustCompile(`http error (\d{3})`)

// IsTransient reports whether running the same script again may succeed:
// refused, reset or timed-out connections and WinRM 5xx answers (overload,
// service restarting, shell quota). Permanent: a cmdlet error, 4xx such as
// 401 (bad credentials), TLS certificate failures, bad script input, and
// the caller's own context ending (the caller gave up; retrying is not ours
// to decide).
func IsTransient(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var ce *CmdletError
	if errors.As(err, &ce) || errors.Is(err, ErrBadScript) {
		return false
	}
	var he *HTTPStatusError
	if errors.As(err, &he) {
		if he.StatusCode >= 500 {
			_, sub, _ := strings.Cut(he.Subcode, ":")
			if sub == "" {
				sub = he.Subcode
			}
			return !permanentFaults[sub]
		}
		return he.StatusCode == 408 || he.StatusCode == 429
	}
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	if errors.As(err, &certErr) || errors.As(err, &unknownAuth) || errors.As(err, &hostErr) || errors.As(err, &invalid) {
		return false
	}
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, syscall.ETIMEDOUT) || errors.Is(err, syscall.EHOSTUNREACH) ||
		errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return true
	}
	// Errors that lost their type on the way (masterzen/winrm formats some
	// with %s): fall back to their text.
	msg := strings.ToLower(err.Error())
	if m := httpErrorRE.FindStringSubmatch(msg); m != nil {
		code, _ := strconv.Atoi(m[1])
		return code >= 500
	}
	for _, s := range []string{"connection refused", "connection reset", "broken pipe", "i/o timeout", "unexpected eof", "tls handshake timeout"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
