package engine

import (
	"context"
	"errors"
	"sort"
	"strings"

	"github.com/pchatdr/harness/sim/mssql/principals"
	"github.com/pchatdr/harness/sim/mssql/tsql"
)

// This file is the engine's surface for the security features, which live
// outside it (sim/mssql/security): CREATE LOGIN, server role membership and
// the permission checks put in front of what other features installed. The
// engine keeps the model every session needs (logins and their passwords,
// role membership: login, IS_SRVROLEMEMBER); the feature administers it
// and guards statements and procedures through the Registry.

// AddLogin records l durably in master's metadata and gives it its
// principal_id; principals.ErrLoginExists when a login of that name exists
// (checked again under the metadata lock, so two CREATE LOGINs of one name
// cannot both succeed). The caller keeps only a salted hash of a password.
func (inst *Instance) AddLogin(ctx context.Context, l principals.Login) error {
	if inst.loginExists(l.Name) {
		return principals.ErrLoginExists
	}
	return UpdateMasterExt(ctx, inst, principals.LoginsKey, func(s *principals.Logins) error { return s.Add(l) })
}

// SetServerRoleMember makes login a member of the fixed server role role
// (member true) or not, durably (principals.Roles.Set: a dropped
// configured sysadmin stays dropped after a restart). Permission checks
// are the caller's.
func (inst *Instance) SetServerRoleMember(ctx context.Context, role, login string, member bool) error {
	r, ok := principals.FixedRole(role)
	if !ok {
		return errors.New("engine: no fixed server role " + role)
	}
	configured := inst.principals().ConfiguredSysadmin(login)
	return UpdateMasterExt(ctx, inst, principals.RolesKey, func(s *principals.Roles) error {
		s.Set(r, login, member, configured)
		return nil
	})
}

// StatementHandler is the handler a feature installed for statements of
// st's dynamic type, nil when none did. A feature installed later wraps it
// by installing a handler that calls it (the security feature's checks).
func (r *Registry) StatementHandler(st tsql.Stmt) func(sc *Scope, st tsql.Stmt) error {
	h := r.stmt(st)
	if h == nil {
		return nil
	}
	return h
}

// AlterDatabaseOptionHandler is the handler of ALTER DATABASE ... SET name
// a feature installed, nil when none did.
func (r *Registry) AlterDatabaseOptionHandler(name string) func(sc *Scope, db *Database, opt *tsql.Option, x *tsql.AlterDatabaseStmt) error {
	h := r.alterDB[name]
	if h == nil {
		return nil
	}
	return h
}

// ProcedureNames lists the system procedures installed so far, by name.
func (r *Registry) ProcedureNames() []string {
	out := make([]string, 0, len(r.procs))
	for n := range r.procs {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// SystemProcedure is the system procedure installed under name.
func (r *Registry) SystemProcedure(name string) (SystemProc, bool) {
	p, ok := r.procs[strings.ToLower(name)]
	return p, ok
}

// Scope is the statement that called the procedure (EXEC's scope): what a
// check in front of a procedure asks about the caller.
func (pc *ProcCall) Scope() *Scope { return pc.sc }
