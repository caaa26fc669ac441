package failback

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	mssql "github.com/microsoft/go-mssqldb"

	"github.com/pchatdr/harness/failback/lync"
	"github.com/pchatdr/harness/failback/topology"
)

// One shape for every server: "<server> at <address>: <problem>: <cause>;
// check <keys>", whether it is an instance or the management endpoint.
var connectShape = regexp.MustCompile(`^(SQL instance \S+ \([a-z-]+\)|management endpoint) at \S+: [^:;]+: .+; check .+$`)

func connectTopology() *topology.Topology {
	return &topology.Topology{
		Instances: []topology.Instance{
			{Name: "sql-primary", Role: topology.RolePrimary, Address: "sqlpri:1433", User: "sa", Password: topology.SecretRef{Env: "PCHAT_SQL_PRIMARY_PASSWORD"}},
			{Name: "sql-backup", Role: topology.RoleBackup, Address: `sqlbak\PCHAT`, User: "failback", Password: topology.SecretRef{File: "/etc/pchat/sql.pw"}, Encrypt: "strict"},
		},
		Management: topology.Management{URL: "https://fe01.contoso.com/wsman", User: `CONTOSO\lyncadmin`, Password: topology.SecretRef{Env: "PCHAT_LYNC_PASSWORD"}, CAFile: "/etc/pchat/ca.pem"},
	}
}

func TestConnectErrorsNameTheKeyToFix(t *testing.T) {
	top := connectTopology()
	pri, bak := &top.Instances[0], &top.Instances[1]
	refused := fmt.Errorf("sqlserver connect sqlpri:1433: %w", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED})
	for _, c := range []struct {
		name string
		err  *ConnectError
		want []string
	}{
		{"instance unreachable", sqlConnectError(top, pri, refused), []string{"SQL instance sql-primary (primary) at sqlpri:1433: nothing answers", "check instances[0].address"}},
		{"instance login", sqlConnectError(top, bak, fmt.Errorf("sqlserver connect: %w", mssql.Error{Number: 18456, Message: "Login failed for user 'failback'."})),
			[]string{"SQL instance sql-backup (backup) at sqlbak\\PCHAT: the login was refused", "check instances[1].user (failback) and the password in instances[1].passwordFile (/etc/pchat/sql.pw)"}},
		{"instance TLS", sqlConnectError(top, bak, errors.New("sqlserver connect: TLS Handshake failed: EOF")),
			[]string{"the encrypted connection (TLS) could not be set up", "check instances[1].encrypt (strict; disable, false, true or strict) and instances[1].trustServerCertificate (false)"}},
		{"instance without TLS", sqlConnectError(top, pri, errors.New("server does not support encryption")),
			[]string{"instances[0].encrypt (not set: the driver's default;"}},
		{"endpoint unreachable", managementConnectError(top.Management, fmt.Errorf("winrm post: %w", &net.DNSError{Err: "no such host", Name: "fe01.contoso.com"})),
			[]string{"management endpoint at https://fe01.contoso.com/wsman: nothing answers", "check management.url"}},
		{"endpoint login", managementConnectError(top.Management, fmt.Errorf("winrm create shell: %w", &lync.HTTPStatusError{StatusCode: 401})),
			[]string{"management endpoint at https://fe01.contoso.com/wsman: the login was refused", `check management.user (CONTOSO\lyncadmin), management.auth (not set: ntlm) and the password in management.passwordEnv (environment variable PCHAT_LYNC_PASSWORD)`}},
		{"endpoint certificate", managementConnectError(top.Management, fmt.Errorf("winrm post: %w", x509.UnknownAuthorityError{})),
			[]string{"could not be set up", "management.caFile (/etc/pchat/ca.pem) and management.insecureSkipVerify (false)"}},
	} {
		if c.err == nil {
			t.Errorf("%s: not explained", c.name)
			continue
		}
		msg := c.err.Error()
		if !connectShape.MatchString(msg) {
			t.Errorf("%s: %q does not read like the others", c.name, msg)
		}
		for _, w := range c.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: %q lacks %q", c.name, msg, w)
			}
		}
	}
	// The cause stays visible to errors.Is and to the retry rule.
	if e := sqlConnectError(top, pri, refused); !errors.Is(e, syscall.ECONNREFUSED) || !IsTransient(e) {
		t.Error("a ConnectError hides its cause")
	}
	// A cmdlet's own error is not a connection problem.
	if e := managementConnectError(top.Management, &lync.CmdletError{Message: "Cannot find pool"}); e != nil {
		t.Errorf("a cmdlet error was explained as a connection failure: %v", e)
	}
}

// The management endpoint is not dialled by Connect: its connection
// failures surface at the first cmdlet, through LivePool, named the same.
func TestLivePoolExplainsConnectionFailures(t *testing.T) {
	top := connectTopology()
	p := &LivePool{Management: top.Management, StateIdentity: "service:pchat", Client: &lync.Client{Runner: lync.FuncRunner(func(context.Context, string) (lync.Output, error) {
		return lync.Output{}, fmt.Errorf("winrm create shell: %w", &lync.HTTPStatusError{StatusCode: 401})
	})}}
	_, err := p.PoolState(context.Background())
	var ce *ConnectError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "check management.user") {
		t.Fatalf("PoolState: %v", err)
	}
	// An unreachable instance stays a refusal (UnreachableError), now
	// worded like every other connection failure.
	ue := &UnreachableError{What: "SQL instance sql-primary (primary)", Role: topology.RolePrimary,
		Err: sqlConnectError(top, &top.Instances[0], &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED})}
	if check, msg, ok := ConnectRefusal(PlanFailback, ue); !ok || check != PreNameDataCenterBack || !strings.Contains(msg, "check instances[0].address") || strings.Contains(msg, "does not answer: SQL instance") {
		t.Errorf("refusal %s: %s", check, msg)
	}
}

// An instance that refuses connections is tried again with the engine's
// backoff before Connect refuses, as a precondition is: `failback resume`
// started during a moment's link outage waits it out. The failover's
// possibly-down primary is tried once (its precondition decides).
func TestConnectRetriesAnUnreachableInstance(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: connection refused
	t.Setenv("PCHAT_TEST_SQL_PASSWORD", "pw")
	top := &topology.Topology{Instances: []topology.Instance{
		{Name: "sql-primary", Role: topology.RolePrimary, Address: addr, User: "sa", Password: topology.SecretRef{Env: "PCHAT_TEST_SQL_PASSWORD"}},
		{Name: "sql-backup", Role: topology.RoleBackup, Address: addr, User: "sa", Password: topology.SecretRef{Env: "PCHAT_TEST_SQL_PASSWORD"}},
	}}
	for _, tc := range []struct {
		name      string
		mayBeDown bool
		waits     int
		check     string
	}{
		{"failback", false, 2, PreNameDataCenterBack},
		{"failover", true, 2, PreNameBackupUp}, // the primary once, the backup three times
	} {
		var waits []time.Duration
		opts := Options{PrimaryMayBeDown: tc.mayBeDown, Backoff: lync.Backoff{Attempts: 3, Sleep: func(_ context.Context, d time.Duration) error {
			waits = append(waits, d)
			return nil
		}}}
		plan := PlanFailback
		if tc.mayBeDown {
			plan = PlanFailover
		}
		c, err := Connect(context.Background(), top, opts)
		if err == nil {
			c.Close()
			t.Fatalf("%s: Connect to %s succeeded", tc.name, addr)
		}
		if len(waits) != tc.waits {
			t.Errorf("%s: Connect waited %d times (%v), want %d: one attempt refused for good", tc.name, len(waits), waits, tc.waits)
		}
		check, msg, ok := ConnectRefusal(plan, err)
		if !ok || check != tc.check || !strings.Contains(msg, "still failing after 3 attempts") {
			t.Errorf("%s: refusal %v %s: %s (%v)", tc.name, ok, check, msg, err)
		}
	}
}
