package security

import (
	"strings"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/principals"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// installSecurity adds ALTER SERVER ROLE, sp_addsrvrolemember,
// sp_dropsrvrolemember and sys.server_role_members, and puts the permission
// checks in front of what the other features installed. It is installed
// last, so every statement and procedure it guards is already there; a
// guard for something an instance was built without is skipped.
func installSecurity(r *engine.Registry) {
	r.Statement(&tsql.AlterServerRoleStmt{}, func(sc *engine.Scope, st tsql.Stmt) error {
		x := st.(*tsql.AlterServerRoleStmt)
		if err := changeRole(sc, x.Role.Name, x.Member.Name, x.Add, false); err != nil {
			return err
		}
		return sc.OK()
	})
	roleProc := func(add bool) engine.SystemProc {
		return engine.SystemProc{Params: []engine.ProcParam{{Name: "@loginame", Type: sqltypes.TypeSysname}, {Name: "@rolename", Type: sqltypes.TypeSysname}},
			Run: func(pc *engine.ProcCall) (int32, error) {
				login, _ := pc.Arg("@loginame").(string)
				role, _ := pc.Arg("@rolename").(string)
				if err := changeRole(pc.Scope(), role, login, add, true); err != nil {
					return 1, err
				}
				return 0, nil
			}}
	}
	r.Procedure("sp_addsrvrolemember", roleProc(true))
	r.Procedure("sp_dropsrvrolemember", roleProc(false))
	r.View("sys", "server_role_members", []engine.Column{
		engine.Col("role_principal_id", sqltypes.TypeInt, false), engine.Col("member_principal_id", sqltypes.TypeInt, false),
	}, func(sc *engine.Scope, _ *engine.Database) ([][]engine.Value, error) {
		inst := sc.Instance()
		ids := map[string]int{}
		for _, p := range inst.ServerPrincipals() {
			ids[strings.ToLower(p.Name)] = p.ID
		}
		var rows [][]engine.Value
		for _, m := range inst.RoleMembers() {
			// A login that is not sysadmin sees its own memberships
			// only ("Metadata Visibility Configuration"; stricter than
			// a server that granted VIEW DEFINITION).
			if !sysadmin(sc) && !strings.EqualFold(m.Member, sc.Session().LoginName()) {
				continue
			}
			rows = append(rows, []engine.Value{int64(ids[m.Role]), int64(ids[strings.ToLower(m.Member)])})
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
func changeRole(sc *engine.Scope, role, login string, add, proc bool) error {
	inst := sc.Instance()
	denied := func() error {
		if proc {
			return newErr(sqlerr.NoPermissionForAction)
		}
		return newErr(sqlerr.CannotAlterNotFound, "alter", "server role", role)
	}
	fr, ok := principals.FixedRole(role)
	r := fr.Name
	// public's membership is implicit: it cannot be changed.
	if !ok || r == principals.RolePublic {
		return denied()
	}
	if !inRole(sc, r) {
		return denied()
	}
	if !inst.LoginExists(login) {
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
		if r == principals.RoleSysadmin {
			return newErr(sqlerr.SpecialPrincipal, "sa")
		}
	}
	// Dropping a member that is not one changes nothing (SQL Server does
	// not complain either).
	return inst.SetServerRoleMember(sc.Context(), r, login, add)
}
