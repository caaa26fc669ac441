// Package security is the server-level security of the simulated SQL
// Server as a feature outside the engine: CREATE LOGIN, ALTER SERVER ROLE,
// sp_addsrvrolemember and sp_dropsrvrolemember, sys.server_role_members,
// and the permission checks in front of the statements and procedures other
// features installed (BACKUP, RESTORE, CREATE LOGIN, ALTER DATABASE SET
// PARTNER/WITNESS, the log-shipping and Agent procedures, xp_delete_file).
// The rules are Microsoft's ("Server-level roles", "ALTER SERVER ROLE",
// "CREATE LOGIN", the Permissions sections of "BACKUP", "RESTORE
// Statements", "ALTER DATABASE Database Mirroring", the log-shipping and
// SQL Server Agent procedures).
//
// The engine keeps the model every session needs (the logins and their
// password hashes, role membership, IS_SRVROLEMEMBER: engine/security.go,
// engine/logins.go); this package changes it through the engine's exported
// surface (engine/export_security.go) and guards through the Registry.
//
// The model is the fixed server roles and their members; there are no
// database users, database roles or GRANTs of server permissions, so a
// permission a database role (db_owner, db_backupoperator) or a GRANT would
// give is never given: only the server roles that hold it. Where that is
// stricter than a server with such grants, the comments say so.
package security

import (
	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/principals"
	"github.com/pchatdr/harness/sqlerr"
)

// Logins is the logins feature: CREATE LOGIN.
func Logins() engine.Feature { return engine.Feature{Name: "logins", Install: installLogins} }

// Security is the server roles and permissions feature. It goes last in
// the list: its permission checks wrap the statements, procedures and ALTER
// DATABASE options the features before it installed, and a check for
// something an instance was built without is skipped.
func Security() engine.Feature { return engine.Feature{Name: "security", Install: installSecurity} }

// newErr is the SQL Server message n (sqlerr's catalogue).
func newErr(n int32, args ...any) *engine.Error { return sqlerr.New(n, args...) }

// sysadmin says the statement's login is a member of sysadmin.
func sysadmin(sc *engine.Scope) bool {
	return sc.Instance().IsServerRoleMember(principals.RoleSysadmin, sc.Session().LoginName())
}

// inRole says the statement's login is a member of sysadmin or of role.
func inRole(sc *engine.Scope, role string) bool {
	return sysadmin(sc) || sc.Instance().IsServerRoleMember(role, sc.Session().LoginName())
}
