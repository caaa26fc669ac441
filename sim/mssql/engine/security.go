package engine

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"sort"
	"strings"
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
	s, _ := MasterExt[serverRoles](inst, rolesExtKey) // written only by updateRoles
	return s
}

// updateRoles changes the membership state durably.
func (inst *Instance) updateRoles(ctx context.Context, change func(s *serverRoles)) error {
	return UpdateMasterExt(ctx, inst, rolesExtKey, func(s *serverRoles) error {
		change(s)
		return nil
	})
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
