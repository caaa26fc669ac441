package engine

import (
	"github.com/pchatdr/harness/sim/mssql/principals"
)

// The model of logins and server roles every session needs is
// sim/mssql/principals; the engine keeps its stored parts in master's
// metadata (principals.LoginsKey, principals.RolesKey) and reads them with
// its configuration into a principals.Server when a session logs in or a
// statement asks about membership.

// principals is the instance's principals as master's metadata holds them
// now.
func (inst *Instance) principals() *principals.Server {
	created, _ := MasterExt[principals.Logins](inst, principals.LoginsKey) // written only by AddLogin
	roles, _ := MasterExt[principals.Roles](inst, principals.RolesKey)     // written only by SetServerRoleMember
	return &principals.Server{SAPassword: inst.cfg.SAPassword, Logins: inst.cfg.Logins,
		WindowsLogins: inst.cfg.WindowsLogins, SysadminLogins: inst.cfg.SysadminLogins,
		Created: created, Roles: roles}
}

// loginExists says name is a server login: sa, a configured login, or one
// CREATE LOGIN added.
func (inst *Instance) loginExists(name string) bool { return inst.principals().Exists(name) }

// IsServerRoleMember says login is a member of the fixed server role role
// (principals.Server.IsMember: exact membership, as IS_SRVROLEMEMBER
// reports it).
func (inst *Instance) IsServerRoleMember(role, login string) bool {
	return inst.principals().IsMember(role, login)
}

// RoleMembers lists the members of every fixed server role except public
// (whose membership is implicit and not listed in sys.server_role_members).
func (inst *Instance) RoleMembers() []principals.Member { return inst.principals().Members() }
