// Package principals is the model of a server's principals every session
// needs: its logins (sa, the configured SQL and Windows logins, the ones
// CREATE LOGIN added, with a salted hash of a password), the fixed server
// roles and their members, and the rules over them: who may log in with
// which password, who is a member of which role (IS_SRVROLEMEMBER), the
// rows of sys.server_principals. The engine keeps the stored parts in
// master's metadata and builds a Server from them and its configuration;
// the statements that change them (CREATE LOGIN, ALTER SERVER ROLE) and
// the permission checks are sim/mssql/security's.
//
// Server roles and the permissions the failback's statements need follow
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
// sa is always sysadmin (it cannot be dropped: 15405). The configured
// sysadmins are members of sysadmin from the start, as setup's
// /SQLSYSADMINACCOUNTS makes them; ALTER SERVER ROLE and
// sp_addsrvrolemember change membership durably (master's metadata, like
// the logins CREATE LOGIN adds). The instance's own sessions (the Agent's
// job steps, the log-shipping agent) run as sa.
package principals

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"sort"
	"strings"
	"time"
)

// Fixed server roles (sys.server_principals).
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

// Role is a fixed server role and its principal_id.
type Role struct {
	Name string
	ID   int
}

// FixedRoles lists the fixed server roles in principal_id order, with
// SQL Server's principal_ids.
func FixedRoles() []Role {
	return []Role{
		{RolePublic, 2}, {RoleSysadmin, 3}, {RoleSecurityadmin, 4}, {RoleServeradmin, 5},
		{RoleSetupadmin, 6}, {RoleProcessadmin, 7}, {RoleDiskadmin, 8}, {RoleDbcreator, 9}, {RoleBulkadmin, 10},
	}
}

// FixedRole finds a fixed server role by name (case-insensitive).
func FixedRole(name string) (Role, bool) {
	for _, r := range FixedRoles() {
		if strings.EqualFold(r.Name, name) {
			return r, true
		}
	}
	return Role{}, false
}

// Member is one member of a server role.
type Member struct {
	Role   string `json:"role"`
	Member string `json:"member"`
}

// Login is a server principal added with CREATE LOGIN. Only a salted hash
// of a SQL login's password is kept, never the password.
type Login struct {
	Name     string    `json:"name"`
	Windows  bool      `json:"windows,omitempty"`
	Salt     []byte    `json:"salt,omitempty"`
	Hash     []byte    `json:"hash,omitempty"`
	DefaultD string    `json:"default_database,omitempty"`
	Created  time.Time `json:"created"`
	ID       int       `json:"id"`
}

// LoginsKey is where the engine keeps Logins in master's metadata.
const LoginsKey = "server_security"

// Logins is the server-level security state CREATE LOGIN keeps: logins
// are server-level, so they live in master's metadata and survive restarts
// like the database catalogue. Endpoints and their grants are the
// endpoints feature's (sim/mssql/mirroring), under a key of their own.
type Logins struct {
	Logins []Login `json:"logins,omitempty"`
}

// ErrLoginExists is Add's refusal of a name that is already a login.
var ErrLoginExists = errors.New("principals: login exists")

// Add records l and gives it its principal_id; ErrLoginExists when a
// login of that name was added before.
func (s *Logins) Add(l Login) error {
	for _, o := range s.Logins {
		if strings.EqualFold(o.Name, l.Name) {
			return ErrLoginExists
		}
	}
	l.ID = 300 + len(s.Logins)
	s.Logins = append(s.Logins, l)
	return nil
}

// RolesKey is where the engine keeps Roles in master's metadata.
const RolesKey = "server_roles"

// Roles is the durable membership state: members added by ALTER SERVER
// ROLE / sp_addsrvrolemember, and the configured sysadmins that were
// dropped.
type Roles struct {
	Added   []Member `json:"added,omitempty"`
	Dropped []Member `json:"dropped,omitempty"`
}

// Set makes login a member of r (member true) or not. Dropping a member
// that is not one changes nothing; a configured sysadmin that is dropped
// is recorded as dropped, so a restart does not bring it back.
func (s *Roles) Set(r Role, login string, member, configuredSysadmin bool) {
	s.Added = withoutMember(s.Added, r.Name, login)
	s.Dropped = withoutMember(s.Dropped, r.Name, login)
	if member {
		s.Added = append(s.Added, Member{Role: r.Name, Member: login})
		return
	}
	if r.Name == RoleSysadmin && configuredSysadmin {
		s.Dropped = append(s.Dropped, Member{Role: r.Name, Member: login})
	}
}

func hasMember(list []Member, role, login string) bool {
	for _, m := range list {
		if strings.EqualFold(m.Role, role) && strings.EqualFold(m.Member, login) {
			return true
		}
	}
	return false
}

func withoutMember(list []Member, role, login string) []Member {
	out := list[:0:0]
	for _, m := range list {
		if !(strings.EqualFold(m.Role, role) && strings.EqualFold(m.Member, login)) {
			out = append(out, m)
		}
	}
	return out
}

// Server is one instance's principals as of one reading of its
// configuration and master's metadata.
type Server struct {
	SAPassword     string
	Logins         map[string]string // configured SQL logins and their passwords
	WindowsLogins  []string
	SysadminLogins []string // configured members of sysadmin
	Created        Logins   // what CREATE LOGIN added
	Roles          Roles
}

// Exists says name is a server login: sa, a configured login, or one
// CREATE LOGIN added.
func (s *Server) Exists(name string) bool {
	if strings.EqualFold(name, "sa") || strings.EqualFold(name, "public") {
		return true
	}
	for n := range s.Logins {
		if strings.EqualFold(n, name) {
			return true
		}
	}
	if s.WindowsExists(name) {
		return true
	}
	for _, l := range s.Created.Logins {
		if strings.EqualFold(l.Name, name) {
			return true
		}
	}
	return false
}

// WindowsExists says name is a Windows login of the instance.
func (s *Server) WindowsExists(name string) bool {
	for _, n := range s.WindowsLogins {
		if strings.EqualFold(n, name) {
			return true
		}
	}
	for _, l := range s.Created.Logins {
		if l.Windows && strings.EqualFold(l.Name, name) {
			return true
		}
	}
	return false
}

// CheckPassword says password is the SQL login user's: sa's, a configured
// login's, or the one CREATE LOGIN hashed.
func (s *Server) CheckPassword(user, password string) bool {
	if strings.EqualFold(user, "sa") {
		return s.SAPassword != "" && password == s.SAPassword
	}
	for name, pw := range s.Logins {
		if strings.EqualFold(name, user) {
			return password == pw
		}
	}
	for _, l := range s.Created.Logins {
		if l.Windows || !strings.EqualFold(l.Name, user) || len(l.Hash) == 0 {
			continue
		}
		sum := sha256.Sum256(append(append([]byte(nil), l.Salt...), password...))
		return subtle.ConstantTimeCompare(sum[:], l.Hash) == 1
	}
	return false
}

// ConfiguredSysadmin says login is one of the configured sysadmins.
func (s *Server) ConfiguredSysadmin(login string) bool {
	for _, n := range s.SysadminLogins {
		if strings.EqualFold(n, login) {
			return true
		}
	}
	return false
}

// IsMember says login is a member of the fixed server role role: every
// login is in public, sa is always in sysadmin. Membership is exact, as
// IS_SRVROLEMEMBER reports it: a sysadmin is not thereby a member of
// dbcreator ("This function evaluates role membership, not the underlying
// permission").
func (s *Server) IsMember(role, login string) bool {
	r, ok := FixedRole(role)
	if !ok || !s.Exists(login) {
		return false
	}
	switch {
	case r.Name == RolePublic:
		return true
	case r.Name == RoleSysadmin && strings.EqualFold(login, "sa"):
		return true
	}
	if hasMember(s.Roles.Dropped, r.Name, login) {
		return false
	}
	if r.Name == RoleSysadmin && s.ConfiguredSysadmin(login) {
		return true
	}
	return hasMember(s.Roles.Added, r.Name, login)
}

// Members lists the members of every fixed server role except public
// (whose membership is implicit and not listed in
// sys.server_role_members).
func (s *Server) Members() []Member {
	var out []Member
	for _, p := range s.Principals() {
		if p.Type == "R" {
			continue
		}
		for _, r := range FixedRoles() {
			if r.Name != RolePublic && s.IsMember(r.Name, p.Name) {
				out = append(out, Member{Role: r.Name, Member: p.Name})
			}
		}
	}
	return out
}

// Principal is one row of sys.server_principals: a login or a fixed
// server role.
type Principal struct {
	Name     string
	ID       int
	SID      []byte
	Type     string // S SQL login, U Windows login, R server role
	TypeDesc string
}

// Principals lists sa, the configured SQL and Windows logins, the logins
// CREATE LOGIN added, and the fixed server roles.
func (s *Server) Principals() []Principal {
	out := []Principal{{Name: "sa", ID: 1, SID: []byte{1}, Type: "S", TypeDesc: "SQL_LOGIN"}}
	seen := map[string]bool{"sa": true}
	var names []string
	for n := range s.Logins {
		names = append(names, n)
	}
	sort.Strings(names)
	for i, n := range names {
		seen[strings.ToLower(n)] = true
		out = append(out, Principal{Name: n, ID: 256 + i, SID: []byte{byte(i + 2)}, Type: "S", TypeDesc: "SQL_LOGIN"})
	}
	win := append([]string(nil), s.WindowsLogins...)
	sort.Strings(win)
	for i, n := range win {
		seen[strings.ToLower(n)] = true
		out = append(out, Principal{Name: n, ID: 512 + i, SID: []byte{1, 5, 0, 0, 0, 0, 0, 5, 21, byte(i)}, Type: "U", TypeDesc: "WINDOWS_LOGIN"})
	}
	for _, l := range s.Created.Logins {
		if seen[strings.ToLower(l.Name)] {
			continue
		}
		seen[strings.ToLower(l.Name)] = true
		p := Principal{Name: l.Name, ID: l.ID, SID: []byte{byte(l.ID >> 8), byte(l.ID)}, Type: "S", TypeDesc: "SQL_LOGIN"}
		if l.Windows {
			p.Type, p.TypeDesc = "U", "WINDOWS_LOGIN"
		}
		out = append(out, p)
	}
	for _, r := range FixedRoles() {
		out = append(out, Principal{Name: r.Name, ID: r.ID, SID: []byte{byte(r.ID)}, Type: "R", TypeDesc: "SERVER_ROLE"})
	}
	return out
}
