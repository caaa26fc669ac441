package failback

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// The failback's statements need a login in sysadmin on every instance it
// works on: BACKUP (262 otherwise), RESTORE and RESTORE HEADERONLY (3110,
// 262), ALTER DATABASE ... SET PARTNER (5011), the log-shipping procedures
// of master (sysadmin only, "Permissions" of each) and msdb's Agent
// procedures (229). Issue 12, defect 5: the old engine met this in the
// middle of the outage.

// PreNameLoginSysadmin is the precondition's name.
const PreNameLoginSysadmin = "login-sysadmin"

// LoginInfo is the login a connection runs as and whether it is a member
// of the sysadmin fixed server role.
type LoginInfo struct {
	Name     string // SUSER_SNAME()
	Sysadmin bool   // IS_SRVROLEMEMBER('sysadmin') = 1
}

// LoginSQL reads the connection's login and its sysadmin membership.
// IS_SRVROLEMEMBER is NULL when the server cannot tell; that is not 1.
const LoginSQL = "SELECT SUSER_SNAME(), CAST(ISNULL(IS_SRVROLEMEMBER(N'sysadmin'), 0) AS int)"

// Login reads the login the engine connects as and its sysadmin membership.
func (l *LiveSQL) Login(ctx context.Context) (LoginInfo, error) {
	var name sql.NullString
	var admin int
	err := l.db(ctx, false).Query(ctx, LoginSQL, func(r *sql.Rows) error { return r.Scan(&name, &admin) })
	if err != nil {
		return LoginInfo{}, fmt.Errorf("login of %s: %w", l.Name, err)
	}
	return LoginInfo{Name: name.String, Sysadmin: admin == 1}, nil
}

// workedOn lists the SQL Server instances the failback sends statements
// to, each once: the primary and backup instances of mgc and mgccomp and
// the primary-mirror (steps 8 and 9: mirroring and log shipping restored).
func (e *Env) workedOn() []SQL {
	var out []SQL
	seen := map[string]bool{}
	for _, s := range []SQL{e.Primary, e.PrimaryComp, e.Backup, e.BackupComp, e.PrimaryMirror} {
		if s == nil || seen[s.Instance()] {
			continue
		}
		seen[s.Instance()] = true
		out = append(out, s)
	}
	return out
}

// preLoginSysadmin refuses a run whose login is not sysadmin on an
// instance it works on, before anything changed. An instance that was not
// reached is another precondition's refusal (primary-data-center-back,
// backup-data-center-reachable) and only a warning here.
func preLoginSysadmin(ctx context.Context, e *Env) PreconditionResult {
	var bad, good, warnings []string
	for _, s := range e.workedOn() {
		li, err := s.Login(ctx)
		if err != nil {
			var ce *ConnectError
			if s == e.PrimaryMirror || errors.As(err, &ce) {
				// The primary-mirror is optional until steps 8 and 9,
				// which say so themselves; an instance that was not
				// reached is another precondition's refusal.
				warnings = append(warnings, fmt.Sprintf("%s: its login not checked (%v)", s.Instance(), err))
				continue
			}
			return failErr(err, "cannot read the login on %s: %v", s.Instance(), err)
		}
		if !li.Sysadmin {
			bad = append(bad, fmt.Sprintf("the login %s on %s is not a member of sysadmin: run ALTER SERVER ROLE sysadmin ADD MEMBER %s there (or connect as a login that is)",
				li.Name, s.Instance(), quoteIdent(li.Name)))
			continue
		}
		good = append(good, li.Name+" on "+s.Instance())
	}
	if len(bad) > 0 {
		return fail("%s; the failback's BACKUP, RESTORE, ALTER DATABASE ... SET PARTNER and log-shipping and Agent procedures need sysadmin, "+
			"and without it the run stops after the active list was cleared (262, 3110, 5011, 229)", strings.Join(bad, "; "))
	}
	r := pass("sysadmin: %s", strings.Join(good, ", "))
	r.Warnings = warnings
	return r
}

// quoteIdent is QUOTENAME: [name] with ] doubled.
func quoteIdent(s string) string { return "[" + strings.ReplaceAll(s, "]", "]]") + "]" }
