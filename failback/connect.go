package failback

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"time"

	mssql "github.com/microsoft/go-mssqldb"

	"github.com/pchatdr/harness/failback/lync"
	"github.com/pchatdr/harness/failback/sqlserver"
	"github.com/pchatdr/harness/failback/topology"
)

// Connection is a live Env with what it opened.
type Connection struct {
	Env     *Env
	Secrets []string // resolved secrets, for journal redaction
	closers []func() error
}

// Close closes every connection pool and the WinRM client.
func (c *Connection) Close() error {
	var first error
	for _, f := range c.closers {
		if err := f(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// sqlAddress turns a topology address into failback/sqlserver's form: a
// port wins over an instance name (no SQL Browser round trip).
func sqlAddress(addr string) (string, error) {
	host, inst, port, err := topology.ParseAddress(addr)
	if err != nil {
		return "", err
	}
	switch {
	case port > 0:
		return net.JoinHostPort(host, strconv.Itoa(port)), nil
	case inst != "":
		return host + `\` + inst, nil
	}
	return host, nil
}

// IsLoopbackURL reports whether u's host is a loopback address or
// localhost: only there may WinRM run over plain http (the harness's fake
// endpoint), since nothing crosses a network.
func IsLoopbackURL(u string) bool {
	p, err := url.Parse(u)
	if err != nil {
		return false
	}
	h := p.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// UnreachableError is a server that did not answer while connecting: a
// precondition failing (ConnectRefusal names which), not a configuration
// error.
type UnreachableError struct {
	What string
	Role topology.Role // the instance's role; "" when not an instance
	Err  error
	// Attempts is how many times Connect tried (0 or 1: once).
	Attempts int
}

// ConnectRefusal names the precondition an UnreachableError from Connect
// fails for a plan, with the operator's message, so the CLI and the
// harness refuse under the same name; ok is false for any other error
// (a configuration error).
//
// For the failback, an unreachable backup-site instance is
// backup-data-center-reachable, not primary-data-center-back: the
// failback needs the backup instance (it removes mirroring there and takes
// the backup that is restored over the primary), and a cut link to the
// backup data center is a state of the world to fix and retry, like a
// primary that is not back, rather than a wrong topology file.
func ConnectRefusal(plan string, err error) (check, message string, ok bool) {
	var ue *UnreachableError
	if !errors.As(err, &ue) {
		return "", "", false
	}
	backupSite := !primarySite(ue.Role) && ue.Role != ""
	switch {
	case plan == PlanFailover:
		return PreNameBackupUp, err.Error(), true
	case backupSite:
		return PreNameBackupReachable, fmt.Sprintf("the backup instance does not answer (%v): %s", err, backupNeeded), true
	}
	return PreNameDataCenterBack, err.Error(), true
}

func (e *UnreachableError) Error() string {
	still := ""
	if e.Attempts > 1 {
		still = fmt.Sprintf(" (still failing after %d attempts)", e.Attempts)
	}
	var ce *ConnectError
	if errors.As(e.Err, &ce) {
		// It already names the server, the address and the keys to check.
		return e.Err.Error() + still
	}
	return e.What + " does not answer: " + e.Err.Error() + still
}

// openRetrying opens an instance, again with the engine's backoff while
// it fails with a transient error (a refused or reset connection): the
// pool, how many attempts it made, and the last attempt's error when none
// answered (Retry's own error when ctx ended).
func openRetrying(ctx context.Context, cfg sqlserver.Config, opts Options) (*sqlserver.DB, int, error) {
	var db *sqlserver.DB
	var last error
	attempts := 0
	err := lync.Retry(ctx, opts.withDefaults().Backoff, IsTransient, func(ctx context.Context) error {
		attempts++
		db, last = sqlserver.Open(ctx, cfg)
		return last
	})
	switch {
	case err == nil:
		return db, attempts, nil
	case ctx.Err() != nil || last == nil:
		return nil, attempts, err
	}
	return nil, attempts, last
}
func (e *UnreachableError) Unwrap() error { return e.Err }

// Connect opens the instances and the management endpoint of a topology.
// Secrets are resolved here and never logged.
func Connect(ctx context.Context, t *topology.Topology, opts Options) (*Connection, error) {
	c := &Connection{Env: &Env{Topo: t, Options: opts}}
	opened := map[string]*LiveSQL{}
	open := func(in *topology.Instance, lazy bool) (*LiveSQL, error) {
		if l, ok := opened[in.Name]; ok {
			return l, nil
		}
		pw, err := in.Password.Resolve()
		if err != nil {
			return nil, err
		}
		c.Secrets = append(c.Secrets, pw)
		addr, err := sqlAddress(in.Address)
		if err != nil {
			return nil, fmt.Errorf("instance %s: %w", in.Name, err)
		}
		cfg := sqlserver.Config{Address: addr, User: in.User, Password: pw, Database: "master",
			Encrypt: in.Encrypt, TrustServerCertificate: in.TrustServerCertificate, CAFile: in.CAFile, DialTimeout: 15 * time.Second}
		var db *sqlserver.DB
		attempts := 0
		switch {
		case lazy:
			db, err = lazyOpen(cfg)
		case opts.PrimaryMayBeDown && primarySite(in.Role):
			// The failover expects this one down: one attempt, and the
			// lazy pool below if it does not answer.
			db, err = sqlserver.Open(ctx, cfg)
		default:
			// The same rule as a precondition's: a refusal is the
			// world's answer, not a dropped packet's. A resume started
			// during a moment's link outage waits it out with the
			// engine's backoff instead of refusing.
			db, attempts, err = openRetrying(ctx, cfg, opts)
		}
		if err != nil && lazy {
			return nil, fmt.Errorf("instance %s: %w", in.Name, err)
		}
		if err != nil {
			cerr := sqlConnectError(t, in, err)
			if IsTransient(err) {
				ue := &UnreachableError{What: "SQL instance " + in.Name + " (" + string(in.Role) + ")", Role: in.Role, Err: cerr, Attempts: attempts}
				if opts.PrimaryMayBeDown && primarySite(in.Role) {
					// Keep a pool that dials on every call: each read
					// fails with the connection error (the failover's
					// "primary down"), and answers if the site returns.
					ldb, lerr := lazyOpen(cfg)
					if lerr != nil {
						return nil, fmt.Errorf("instance %s: %w", in.Name, lerr)
					}
					db = ldb
				} else {
					return nil, ue
				}
			} else {
				return nil, cerr
			}
		}
		c.closers = append(c.closers, db.Close)
		l := &LiveSQL{Name: in.Name, DB: db}
		opened[in.Name] = l
		return l, nil
	}
	fail := func(err error) (*Connection, error) {
		c.Close()
		return nil, err
	}
	for _, r := range []topology.Role{topology.RolePrimary, topology.RoleBackup} {
		in, ok := t.InstanceByRole(r)
		if !ok {
			return fail(fmt.Errorf("topology has no %s instance", r))
		}
		l, err := open(in, false)
		if err != nil {
			// The primary may legitimately be down; the precondition names
			// it. Everything else is a configuration error.
			return fail(err)
		}
		if r == topology.RolePrimary {
			c.Env.Primary = l
		} else {
			c.Env.Backup = l
		}
		if ci, ok := t.ComplianceInstance(r); ok {
			cl, err := open(ci, false)
			if err != nil {
				return fail(err)
			}
			if r == topology.RolePrimary {
				c.Env.PrimaryComp = cl
			} else {
				c.Env.BackupComp = cl
			}
		}
	}
	// The failover reads the primary-mirror (a live mirror that took over
	// is a writable copy); the failback mirrors the primary mgc to it again
	// and makes it a log-shipping primary too (steps 8 and 9).
	if in, ok := t.InstanceByRole(topology.RolePrimaryMirror); ok {
		l, err := open(in, false)
		if err != nil {
			return fail(err)
		}
		c.Env.PrimaryMirror = l
	}
	// The backup-mirror is opened without dialing: the failover's
	// precondition backup-mirror-instance says whether it answers, and a
	// failback never uses it.
	if in, ok := t.InstanceByRole(topology.RoleBackupMirror); ok {
		l, err := open(in, true)
		if err != nil {
			return fail(err)
		}
		c.Env.BackupMirror, c.Env.BackupMirrorComp = l, l
		if ci, ok := t.ComplianceInstance(topology.RoleBackupMirror); ok && ci.Name != in.Name {
			if c.Env.BackupMirrorComp, err = open(ci, true); err != nil {
				return fail(err)
			}
		}
	}
	pw, err := t.Management.Password.Resolve()
	if err != nil {
		return fail(err)
	}
	c.Secrets = append(c.Secrets, pw)
	cfg := lync.WinRMConfig{URL: t.Management.URL, User: t.Management.User, Password: pw, Auth: t.Management.Auth,
		InsecureSkipVerify: t.Management.InsecureSkipVerify, AllowUnencrypted: IsLoopbackURL(t.Management.URL)}
	if t.Management.CAFile != "" {
		pem, err := os.ReadFile(t.Management.CAFile)
		if err != nil {
			return fail(&ConnectError{Server: "management endpoint", Address: t.Management.URL, Problem: "its CA file cannot be read", Err: err,
				Check: "management.caFile (a PEM file of the certificate authorities to trust for an https url)"})
		}
		cfg.CACertPEM = pem
	}
	runner, err := lync.NewWinRMRunner(cfg)
	if err != nil {
		if ce := managementConnectError(t.Management, err); ce != nil {
			return fail(ce)
		}
		return fail(fmt.Errorf("management endpoint %s: %w; check management.url, management.auth and management.caFile", t.Management.URL, err))
	}
	c.closers = append(c.closers, runner.Close)
	c.Env.Pool = &LivePool{Client: &lync.Client{Runner: runner, Module: lync.ModuleFor(t.Pool.Product)}, PoolFQDN: t.Pool.FQDN,
		StateIdentity: t.Pool.StateIdentity, ActiveServerIdentity: t.Pool.ActiveServerIdentity, Management: t.Management}
	return c, nil
}

// primarySite reports whether an instance with role r sits in the primary
// data center (the one a failover expects to have lost).
func primarySite(r topology.Role) bool {
	switch r {
	case topology.RolePrimary, topology.RolePrimaryMirror, topology.RoleCompliancePrimary, topology.RoleCompliancePrimaryMirror:
		return true
	}
	return false
}

// lazyOpen makes a connection pool without dialing: database/sql dials on
// first use, so an unreachable instance fails each call instead of Connect.
func lazyOpen(cfg sqlserver.Config) (*sqlserver.DB, error) {
	dsn, err := cfg.DSN()
	if err != nil {
		return nil, err
	}
	conn, err := mssql.NewConnector(dsn)
	if err != nil {
		return nil, errors.New("sqlserver open " + cfg.Address + ": bad connection settings")
	}
	return sqlserver.OpenDB(sql.OpenDB(conn), cfg.Address), nil
}
