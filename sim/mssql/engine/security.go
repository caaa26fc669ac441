package engine

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"sort"
	"strings"

	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// Server roles and the permissions the failback's statements need, from
// Microsoft's documentation ("Server-level roles", "ALTER SERVER ROLE",
// "IS_SRVROLEMEMBER", and the Permissions sections of "BACKUP", "RESTORE
// Statements", "ALTER DATABASE Database Mirroring", the log-shipping
// procedures and the SQL Server Agent procedures).
//
// The model is the fixed server roles and their members; there are no
// database users, database roles or GRANTs of server permissions, so a
// permission a database role (db_owner, db_backupoperator) or a GRANT would
// give is never given: only the server roles that hold it. Where that is
// stricter than a server with such grants, the comments say so.
//
// sa is always sysadmin (it cannot be dropped: 15405). Config.SysadminLogins
// are members of sysadmin from the start, as setup's /SQLSYSADMINACCOUNTS
// makes them; ALTER SERVER ROLE and sp_addsrvrolemember change membership
// durably (master's metadata, like the logins CREATE LOGIN adds). The
// instance's own sessions (the Agent's job steps, the log-shipping agent)
// run as sa.

// Fixed server roles with SQL Server's principal_ids (sys.server_principals).
const (
	RolePublic        = "public"
	RoleSysadmin      = "sysadmin"
	RoleSecurityadmin = "securityadmin"
	RoleServeradmin   = "serveradmin"
	RoleSetupadmin    = "setupadmin"
	RoleProcessadmin  = "processadmin"
	RoleDiskadmin     = "diskadmin"
	RoleDbcreator     = "dbcreator"
	RoleBulkadmin     = "bulkadmin"
)

// serverRole is a fixed server role and its principal_id.
type serverRole struct {
	name string
	id   int
}

// fixedServerRoles lists the fixed server roles in principal_id order.
func fixedServerRoles() []serverRole {
	return []serverRole{
		{RolePublic, 2}, {RoleSysadmin, 3}, {RoleSecurityadmin, 4}, {RoleServeradmin, 5},
		{RoleSetupadmin, 6}, {RoleProcessadmin, 7}, {RoleDiskadmin, 8}, {RoleDbcreator, 9}, {RoleBulkadmin, 10},
	}
}

// fixedRole finds a fixed server role by name (case-insensitive).
func fixedRole(name string) (serverRole, bool) {
	for _, r := range fixedServerRoles() {
		if strings.EqualFold(r.name, name) {
			return r, true
		}
	}
	return serverRole{}, false
}

// RoleMember is one member of a server role.
type RoleMember struct {
	Role   string `json:"role"`
	Member string `json:"member"`
}

// serverRoles is the durable membership state: members added by ALTER
// SERVER ROLE / sp_addsrvrolemember, and the configured sysadmins that
// were dropped.
type serverRoles struct {
	Added   []RoleMember `json:"added,omitempty"`
	Dropped []RoleMember `json:"dropped,omitempty"`
}

const rolesExtKey = "server_roles"

func (inst *Instance) serverRoles() serverRoles {
	var s serverRoles
	if b := inst.master.Meta().Ext[rolesExtKey]; len(b) > 0 {
		_ = json.Unmarshal(b, &s) // written only by updateRoles
	}
	return s
}

// updateRoles changes the membership state durably.
func (inst *Instance) updateRoles(ctx context.Context, change func(s *serverRoles)) error {
	inst.master.metaRMW.Lock()
	defer inst.master.metaRMW.Unlock()
	var encErr error
	err := inst.SetMeta(ctx, inst.master, func(m *DBMeta) {
		var s serverRoles
		if b := m.Ext[rolesExtKey]; len(b) > 0 {
			_ = json.Unmarshal(b, &s)
		}
		change(&s)
		b, err := json.Marshal(s)
		if err != nil {
			encErr = fmt.Errorf("engine: encode server roles: %w", err)
			return
		}
		ext := maps.Clone(m.Ext)
		if ext == nil {
			ext = map[string][]byte{}
		}
		ext[rolesExtKey] = b
		m.Ext = ext
	})
	if encErr != nil {
		return encErr
	}
	return err
}

func hasMember(list []RoleMember, role, login string) bool {
	for _, m := range list {
		if strings.EqualFold(m.Role, role) && strings.EqualFold(m.Member, login) {
			return true
		}
	}
	return false
}

func withoutMember(list []RoleMember, role, login string) []RoleMember {
	out := list[:0:0]
	for _, m := range list {
		if !(strings.EqualFold(m.Role, role) && strings.EqualFold(m.Member, login)) {
			out = append(out, m)
		}
	}
	return out
}

// configuredSysadmin says login is one of Config.SysadminLogins.
func (inst *Instance) configuredSysadmin(login string) bool {
	for _, n := range inst.cfg.SysadminLogins {
		if strings.EqualFold(n, login) {
			return true
		}
	}
	return false
}

// IsServerRoleMember says login is a member of the fixed server role role:
// every login is in public, sa is always in sysadmin. Membership is exact,
// as IS_SRVROLEMEMBER reports it: a sysadmin is not thereby a member of
// dbcreator ("This function evaluates role membership, not the underlying
// permission").
func (inst *Instance) IsServerRoleMember(role, login string) bool {
	r, ok := fixedRole(role)
	if !ok || !inst.loginExists(login) {
		return false
	}
	switch {
	case r.name == RolePublic:
		return true
	case r.name == RoleSysadmin && strings.EqualFold(login, "sa"):
		return true
	}
	s := inst.serverRoles()
	if hasMember(s.Dropped, r.name, login) {
		return false
	}
	if r.name == RoleSysadmin && inst.configuredSysadmin(login) {
		return true
	}
	return hasMember(s.Added, r.name, login)
}

// RoleMembers lists the members of every fixed server role except public
// (whose membership is implicit and not listed in sys.server_role_members).
func (inst *Instance) RoleMembers() []RoleMember {
	var out []RoleMember
	for _, p := range inst.serverPrincipals() {
		if p.typ == "R" {
			continue
		}
		for _, r := range fixedServerRoles() {
			if r.name != RolePublic && inst.IsServerRoleMember(r.name, p.name) {
				out = append(out, RoleMember{Role: r.name, Member: p.name})
			}
		}
	}
	return out
}

// sysadmin says the session's login is a member of sysadmin.
func (sc *scope) sysadmin() bool { return sc.s.inst.IsServerRoleMember(RoleSysadmin, sc.s.login) }

// inRole says the session's login is a member of sysadmin or of role.
func (sc *scope) inRole(role string) bool {
	return sc.sysadmin() || sc.s.inst.IsServerRoleMember(role, sc.s.login)
}

// principal is one row of sys.server_principals.
type principal struct {
	name    string
	id      int
	sid     []byte
	typ     string // S SQL login, U Windows login, R server role
	typDesc string
}

// serverPrincipals lists sa, the configured SQL and Windows logins, the
// logins CREATE LOGIN added, and the fixed server roles.
func (inst *Instance) serverPrincipals() []principal {
	out := []principal{{name: "sa", id: 1, sid: []byte{1}, typ: "S", typDesc: "SQL_LOGIN"}}
	seen := map[string]bool{"sa": true}
	var names []string
	for n := range inst.cfg.Logins {
		names = append(names, n)
	}
	sort.Strings(names)
	for i, n := range names {
		seen[strings.ToLower(n)] = true
		out = append(out, principal{name: n, id: 256 + i, sid: []byte{byte(i + 2)}, typ: "S", typDesc: "SQL_LOGIN"})
	}
	win := append([]string(nil), inst.cfg.WindowsLogins...)
	sort.Strings(win)
	for i, n := range win {
		seen[strings.ToLower(n)] = true
		out = append(out, principal{name: n, id: 512 + i, sid: []byte{1, 5, 0, 0, 0, 0, 0, 5, 21, byte(i)}, typ: "U", typDesc: "WINDOWS_LOGIN"})
	}
	for _, l := range inst.security().Logins {
		if seen[strings.ToLower(l.Name)] {
			continue
		}
		seen[strings.ToLower(l.Name)] = true
		p := principal{name: l.Name, id: l.ID, sid: []byte{byte(l.ID >> 8), byte(l.ID)}, typ: "S", typDesc: "SQL_LOGIN"}
		if l.Windows {
			p.typ, p.typDesc = "U", "WINDOWS_LOGIN"
		}
		out = append(out, p)
	}
	for _, r := range fixedServerRoles() {
		out = append(out, principal{name: r.name, id: r.id, sid: []byte{byte(r.id)}, typ: "R", typDesc: "SERVER_ROLE"})
	}
	return out
}

// serverPrincipalRows are sys.server_principals' rows (catalog2.go's
// columns).
func serverPrincipalRows(sc *scope) [][]Value {
	var rows [][]Value
	for _, p := range sc.s.inst.serverPrincipals() {
		var defDB Value = "master"
		if p.typ == "R" {
			defDB = nil
		}
		rows = append(rows, []Value{p.name, int64(p.id), p.sid, p.typ, p.typDesc, false, systemCreated, systemCreated, defDB})
	}
	return rows
}

// createdLoginPassword checks the password of a SQL login CREATE LOGIN
// added; ok is false when there is no such login.
func (inst *Instance) createdLoginPassword(user, password string) (match, ok bool) {
	for _, l := range inst.security().Logins {
		if l.Windows || !strings.EqualFold(l.Name, user) || len(l.Hash) == 0 {
			continue
		}
		sum := sha256.Sum256(append(append([]byte(nil), l.Salt...), password...))
		return subtle.ConstantTimeCompare(sum[:], l.Hash) == 1, true
	}
	return false, false
}

// installSecurity adds ALTER SERVER ROLE, sp_addsrvrolemember,
// sp_dropsrvrolemember and sys.server_role_members, and puts the permission
// checks in front of what the other features installed. It is installed
// last, so every statement and procedure it guards is already there; a
// guard for something an instance was built without is skipped.
func installSecurity(r *Registry) {
	r.Statement(&tsql.AlterServerRoleStmt{}, func(sc *scope, st tsql.Stmt) error {
		x := st.(*tsql.AlterServerRoleStmt)
		if err := sc.changeRole(x.Role.Name, x.Member.Name, x.Add, false); err != nil {
			return err
		}
		return sc.ok()
	})
	roleProc := func(add bool) SystemProc {
		return SystemProc{Params: []ProcParam{{Name: "@loginame", Type: tSys}, {Name: "@rolename", Type: tSys}},
			Run: func(pc *ProcCall) (int32, error) {
				login, _ := pc.Arg("@loginame").(string)
				role, _ := pc.Arg("@rolename").(string)
				if err := pc.sc.changeRole(role, login, add, true); err != nil {
					return 1, err
				}
				return 0, nil
			}}
	}
	r.Procedure("sp_addsrvrolemember", roleProc(true))
	r.Procedure("sp_dropsrvrolemember", roleProc(false))
	r.View("sys", "server_role_members", []Column{
		col("role_principal_id", tInt, false), col("member_principal_id", tInt, false),
	}, func(sc *scope, _ *Database) ([][]Value, error) {
		inst := sc.s.inst
		ids := map[string]int{}
		for _, p := range inst.serverPrincipals() {
			ids[strings.ToLower(p.name)] = p.id
		}
		var rows [][]Value
		for _, m := range inst.RoleMembers() {
			// A login that is not sysadmin sees its own memberships
			// only ("Metadata Visibility Configuration"; stricter than
			// a server that granted VIEW DEFINITION).
			if !sc.sysadmin() && !strings.EqualFold(m.Member, sc.s.login) {
				continue
			}
			rows = append(rows, []Value{int64(ids[m.Role]), int64(ids[strings.ToLower(m.Member)])})
		}
		return rows, nil
	})
	guardStatements(r)
	guardProcedures(r)
}

// changeRole is ALTER SERVER ROLE role ADD|DROP MEMBER login, or with proc
// sp_addsrvrolemember / sp_dropsrvrolemember. "To add a member to a fixed
// server role, you must be a member of that fixed server role, or be a
// member of the sysadmin fixed server role" (ALTER SERVER ROLE,
// Permissions). The statement refuses with 15151 (the role "does not exist
// or you do not have permission"); the procedures with 15247.
func (sc *scope) changeRole(role, login string, add, proc bool) error {
	inst := sc.s.inst
	denied := func() error {
		if proc {
			return newErr(sqlerr.NoPermissionForAction)
		}
		return newErr(sqlerr.CannotAlterNotFound, "alter", "server role", role)
	}
	r, ok := fixedRole(role)
	// public's membership is implicit: it cannot be changed.
	if !ok || r.name == RolePublic {
		return denied()
	}
	if !sc.inRole(r.name) {
		return denied()
	}
	if !inst.loginExists(login) {
		if proc {
			return newErr(sqlerr.CannotAlterNotFound, "add", "principal", login)
		}
		verb := "add"
		if !add {
			verb = "drop"
		}
		return newErr(sqlerr.CannotAlterNotFound, verb, "principal", login)
	}
	if strings.EqualFold(login, "sa") {
		if r.name == RoleSysadmin {
			return newErr(sqlerr.SpecialPrincipal, "sa")
		}
	}
	return inst.updateRoles(sc.ctx, func(s *serverRoles) {
		s.Added = withoutMember(s.Added, r.name, login)
		s.Dropped = withoutMember(s.Dropped, r.name, login)
		if add {
			s.Added = append(s.Added, RoleMember{Role: r.name, Member: login})
			return
		}
		// Dropping a member that is not one changes nothing (SQL Server
		// does not complain either); a configured sysadmin is recorded as
		// dropped so a restart does not bring it back.
		if r.name == RoleSysadmin && inst.configuredSysadmin(login) {
			s.Dropped = append(s.Dropped, RoleMember{Role: r.name, Member: login})
		}
	})
}

// isSrvRoleMember is IS_SRVROLEMEMBER('role' [, 'login']): 1 or 0, NULL
// when the role or the login is not valid. A login that is not sysadmin
// asking about another login gets NULL ("you do not have permission to
// view the role membership"; stricter than a server that granted VIEW
// DEFINITION on the login).
func (sc *scope) isSrvRoleMember(role Value, login Value, loginGiven bool) Value {
	rs, ok := role.(string)
	if !ok {
		return nil
	}
	if _, ok := fixedRole(rs); !ok {
		return nil
	}
	who := sc.s.login
	if loginGiven {
		l, ok := login.(string)
		if !ok || !sc.s.inst.loginExists(l) {
			return nil
		}
		if !strings.EqualFold(l, who) && !sc.sysadmin() {
			return nil
		}
		who = l
	}
	if sc.s.inst.IsServerRoleMember(rs, who) {
		return int64(1)
	}
	return int64(0)
}

// failWith3013 reports a refused BACKUP or RESTORE as SQL Server does: the
// specific error, then 3013 "<verb> is terminating abnormally.".
func (sc *scope) failWith3013(verb string, e *Error) error {
	if sc.inTry == 0 {
		if err := sc.message(e); err != nil {
			return err
		}
		sc.s.lastError = e.Number
	}
	return newErr(sqlerr.BackupRestoreAborted, verb)
}

// stmtDBName is the database a BACKUP or RESTORE names (a literal or a
// variable).
func (sc *scope) stmtDBName(id tsql.Ident, v string) string {
	if v == "" {
		return id.Name
	}
	if vr := sc.lookupVar(v); vr != nil {
		if s, ok := vr.val.(string); ok {
			return s
		}
	}
	return v
}

// guardStatements puts the permission checks in front of BACKUP, RESTORE,
// CREATE LOGIN and ALTER DATABASE ... SET PARTNER/WITNESS.
func guardStatements(r *Registry) {
	guard := func(st tsql.Stmt, check func(sc *scope, st tsql.Stmt) error) {
		t := reflect.TypeOf(st)
		h := r.stmts[t]
		if h == nil {
			return
		}
		r.stmts[t] = func(sc *scope, st tsql.Stmt) error {
			if err := check(sc, st); err != nil {
				return err
			}
			return h(sc, st)
		}
	}
	// BACKUP: "BACKUP DATABASE and BACKUP LOG permissions default to
	// members of the sysadmin fixed server role and the db_owner and
	// db_backupoperator fixed database roles." No database roles here:
	// only sysadmin (stricter for a db_owner login). 262, then 3013.
	guard(&tsql.BackupStmt{}, func(sc *scope, st tsql.Stmt) error {
		if sc.sysadmin() {
			return nil
		}
		x := st.(*tsql.BackupStmt)
		verb := "BACKUP DATABASE"
		if x.Log {
			verb = "BACKUP LOG"
		}
		return sc.failWith3013(verb, newErr(sqlerr.PermissionDenied, verb, sc.stmtDBName(x.DB, x.DBVar)))
	})
	// RESTORE: "If the database being restored does not exist, the user
	// must have CREATE DATABASE permissions ... If the database exists,
	// RESTORE permissions default to members of the sysadmin and
	// dbcreator fixed server roles and the owner (dbo) of the database."
	// Databases here are owned by sa, so sysadmin and dbcreator. The
	// information forms (HEADERONLY, FILELISTONLY, VERIFYONLY, LABELONLY)
	// "require CREATE DATABASE permission"; the docs give no error
	// number for them, so they are refused with 262 (CREATE DATABASE
	// permission denied in database 'master'), the error CREATE DATABASE
	// itself gives.
	guard(&tsql.RestoreStmt{}, func(sc *scope, st tsql.Stmt) error {
		if sc.inRole(RoleDbcreator) {
			return nil
		}
		x := st.(*tsql.RestoreStmt)
		switch x.Kind {
		case tsql.RestoreDatabase, tsql.RestoreLog:
			verb := "RESTORE DATABASE"
			if x.Kind == tsql.RestoreLog {
				verb = "RESTORE LOG"
			}
			return sc.failWith3013(verb, newErr(sqlerr.RestorePermissionDenied, sc.stmtDBName(x.DB, x.DBVar)))
		default:
			return sc.failWith3013(restoreVerb(x.Kind), newErr(sqlerr.PermissionDenied, "CREATE DATABASE", "master"))
		}
	})
	// CREATE LOGIN "requires ALTER ANY LOGIN permission on the server"
	// (securityadmin, sysadmin): 15247 otherwise.
	guard(&tsql.CreateLoginStmt{}, func(sc *scope, _ tsql.Stmt) error {
		if sc.inRole(RoleSecurityadmin) {
			return nil
		}
		return newErr(sqlerr.NoPermissionForAction)
	})
	// ALTER DATABASE ... SET PARTNER / WITNESS "requires ALTER permission
	// on the database" (dbcreator and sysadmin hold it on every
	// database): 5011, then 5069.
	for _, name := range []string{"PARTNER", "WITNESS"} {
		h := r.alterDB[name]
		if h == nil {
			continue
		}
		r.alterDB[name] = func(sc *scope, db *Database, opt *tsql.Option, x *tsql.AlterDatabaseStmt) error {
			if !sc.inRole(RoleDbcreator) {
				if err := sc.message(newErr(sqlerr.AlterDatabaseDenied, db.Name())); err != nil {
					return err
				}
				return newErr(sqlerr.AlterDatabaseFailed)
			}
			return h(sc, db, opt, x)
		}
	}
}

// sysadminProc says a master procedure is documented as "Only members of
// the sysadmin fixed server role can run this procedure": the log-shipping
// procedures and xp_delete_file (undocumented; the stricter choice).
func sysadminProc(name string) bool {
	n := strings.ToLower(name)
	for _, p := range []string{"sp_add_log_shipping_", "sp_delete_log_shipping_", "sp_change_log_shipping_",
		"sp_help_log_shipping_", "sp_check_log_shipping_", "sp_refresh_log_shipping_", "sp_cleanup_log_shipping_"} {
		if strings.HasPrefix(n, p) {
			return true
		}
	}
	return n == "xp_delete_file"
}

// agentProcs are msdb's SQL Server Agent procedures: EXECUTE is granted to
// the msdb roles SQLAgentUserRole, SQLAgentReaderRole and
// SQLAgentOperatorRole, whose members this model does not have, so a login
// that is not sysadmin reaches them as msdb's guest and is refused with
// 229.
func agentProc(name string) bool {
	switch strings.ToLower(name) {
	case "sp_add_job", "sp_add_jobstep", "sp_add_schedule", "sp_add_jobschedule", "sp_attach_schedule",
		"sp_update_job", "sp_start_job", "sp_stop_job", "sp_delete_job", "sp_add_jobserver",
		"sp_update_jobstep", "sp_delete_jobstep", "sp_update_schedule", "sp_delete_schedule",
		"sp_detach_schedule", "sp_help_job", "sp_help_jobhistory", "sp_purge_jobhistory":
		return true
	}
	return false
}

// guardProcedures refuses the sysadmin-only procedures to other logins.
// The documentation gives the rule, not the error: the log-shipping
// procedures check the caller themselves and raise 15247, the message
// system procedures raise for a missing server permission; the Agent's
// procedures are not executable by msdb's guest (229).
func guardProcedures(r *Registry) {
	for name, p := range r.procs {
		var deny func(pc *ProcCall) error
		switch {
		case agentProc(name):
			deny = func(pc *ProcCall) error {
				return newErr(sqlerr.ObjectPermissionDenied, "EXECUTE", pc.Name, "msdb", "dbo")
			}
		case name == "xp_delete_file":
			deny = func(pc *ProcCall) error {
				return newErr(sqlerr.ObjectPermissionDenied, "EXECUTE", pc.Name, "mssqlsystemresource", "sys")
			}
		case sysadminProc(name):
			deny = func(*ProcCall) error { return newErr(sqlerr.NoPermissionForAction) }
		default:
			continue
		}
		run := p.Run
		p.Run = func(pc *ProcCall) (int32, error) {
			if !pc.sc.sysadmin() {
				return 1, deny(pc)
			}
			return run(pc)
		}
		r.procs[name] = p
	}
}
