package failback

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"

	"github.com/pchatdr/harness/failback/lync"
	"github.com/pchatdr/harness/failback/sqlserver"
	"github.com/pchatdr/harness/failback/topology"
)

// ConnectError is a server of the topology that could not be reached or
// logged in to. It reads the same for every SQL instance and for the
// management endpoint: which server, at which address, what went wrong,
// and which topology keys to fix. It wraps the cause, so errors.Is/As and
// IsTransient see through it.
type ConnectError struct {
	Server  string // "SQL instance sql-primary (primary)", "management endpoint"
	Address string
	Problem string // what went wrong, in the topology's terms
	Check   string // the keys to fix
	Err     error
}

func (e *ConnectError) Error() string {
	return fmt.Sprintf("%s at %s: %s: %v; check %s", e.Server, e.Address, e.Problem, e.Err, e.Check)
}

func (e *ConnectError) Unwrap() error { return e.Err }

// Connection problem kinds.
const (
	problemUnreachable = "nothing answers"
	problemLogin       = "the login was refused"
	problemTLS         = "the encrypted connection (TLS) could not be set up"
	problemOther       = "the connection failed"
)

// connectProblem sorts a connection failure: no answer, a refused login,
// TLS, or something else.
func connectProblem(err error) string {
	var he *lync.HTTPStatusError
	if errors.As(err, &he) && (he.StatusCode == 401 || he.StatusCode == 403) {
		return problemLogin
	}
	for _, n := range sqlserver.SQLErrorNumbers(err) {
		if n == 18456 || n == 18452 || n == 18486 || n == 18487 || n == 18488 || n == 4060 {
			return problemLogin
		}
	}
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	var recordErr tls.RecordHeaderError
	if errors.As(err, &certErr) || errors.As(err, &unknownAuth) || errors.As(err, &hostErr) || errors.As(err, &invalid) || errors.As(err, &recordErr) {
		return problemTLS
	}
	msg := strings.ToLower(err.Error())
	for _, s := range []string{"tls handshake", "does not support encryption", "server gave http response to https client", "tls:", "x509:", "certificate"} {
		if strings.Contains(msg, s) {
			return problemTLS
		}
	}
	if strings.Contains(msg, "http error 401") || strings.Contains(msg, "login failed") {
		return problemLogin
	}
	var dns *net.DNSError
	if errors.As(err, &dns) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ETIMEDOUT) ||
		errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH) {
		return problemUnreachable
	}
	for _, s := range []string{"connection refused", "i/o timeout", "no such host", "unable to open tcp connection", "no route to host"} {
		if strings.Contains(msg, s) {
			return problemUnreachable
		}
	}
	return problemOther
}

// secretSource says where a password comes from, never what it is.
func secretSource(key string, s topology.SecretRef) string {
	switch {
	case s.Env != "":
		return fmt.Sprintf("%s.passwordEnv (environment variable %s)", key, s.Env)
	case s.File != "":
		return fmt.Sprintf("%s.passwordFile (%s)", key, s.File)
	}
	return key + ".passwordEnv or passwordFile"
}

// instanceKey is the key path of the instance in the topology file.
func instanceKey(t *topology.Topology, in *topology.Instance) string {
	for i := range t.Instances {
		if t.Instances[i].Name == in.Name {
			return fmt.Sprintf("instances[%d]", i)
		}
	}
	return "instances"
}

// sqlConnectError explains a failure to open an instance.
func sqlConnectError(t *topology.Topology, in *topology.Instance, err error) *ConnectError {
	key := instanceKey(t, in)
	e := &ConnectError{Server: fmt.Sprintf("SQL instance %s (%s)", in.Name, in.Role), Address: in.Address, Problem: connectProblem(err), Err: err}
	encrypt := in.Encrypt
	if encrypt == "" {
		encrypt = "not set: the driver's default"
	}
	switch e.Problem {
	case problemUnreachable:
		e.Check = fmt.Sprintf(`%s.address (host:port, host\INSTANCE or host\INSTANCE:port), or start the instance`, key)
	case problemLogin:
		e.Check = fmt.Sprintf("%s.user (%s) and the password in %s", key, in.User, secretSource(key, in.Password))
	case problemTLS:
		e.Check = fmt.Sprintf("%s.encrypt (%s; disable, false, true or strict) and %s.trustServerCertificate (%v), against the instance's TLS set-up",
			key, encrypt, key, in.TrustServerCertificate)
	default:
		e.Check = fmt.Sprintf("%s.address, %s.user, the password in %s, and %s.encrypt (%s)", key, key, secretSource(key, in.Password), key, encrypt)
	}
	return e
}

// managementConnectError explains a failure to reach the management
// endpoint; nil when err is not a connection failure (a cmdlet's own
// error, a timeout of a running command).
func managementConnectError(m topology.Management, err error) *ConnectError {
	var ce *lync.CmdletError
	if err == nil || errors.As(err, &ce) || errors.Is(err, lync.ErrBadScript) {
		return nil
	}
	var already *ConnectError
	if errors.As(err, &already) {
		return nil
	}
	e := &ConnectError{Server: "management endpoint", Address: m.URL, Problem: connectProblem(err), Err: err}
	auth := m.Auth
	if auth == "" {
		auth = "not set: ntlm"
	}
	switch e.Problem {
	case problemUnreachable:
		e.Check = "management.url (http(s)://host:port/wsman), or start WinRM on the Front End"
	case problemLogin:
		e.Check = fmt.Sprintf("management.user (%s), management.auth (%s) and the password in %s", m.User, auth, secretSource("management", m.Password))
	case problemTLS:
		ca := m.CAFile
		if ca == "" {
			ca = "not set: the system's roots"
		}
		e.Check = fmt.Sprintf("the scheme of management.url, management.caFile (%s) and management.insecureSkipVerify (%v)", ca, m.InsecureSkipVerify)
	default:
		return nil
	}
	return e
}
