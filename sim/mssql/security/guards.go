package security

import (
	"strings"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/principals"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// stmtDBName is the database a BACKUP or RESTORE names (a literal or a
// variable).
func stmtDBName(sc *engine.Scope, id tsql.Ident, v string) string {
	if v == "" {
		return id.Name
	}
	if val, ok := sc.Variable(v); ok {
		if s, ok := val.(string); ok {
			return s
		}
	}
	return v
}

// guardStatements puts the permission checks in front of BACKUP, RESTORE,
// CREATE LOGIN and ALTER DATABASE ... SET PARTNER/WITNESS.
func guardStatements(r *engine.Registry) {
	guard := func(st tsql.Stmt, check func(sc *engine.Scope, st tsql.Stmt) error) {
		h := r.StatementHandler(st)
		if h == nil {
			return
		}
		r.Statement(st, func(sc *engine.Scope, st tsql.Stmt) error {
			if err := check(sc, st); err != nil {
				return err
			}
			return h(sc, st)
		})
	}
	// BACKUP: "BACKUP DATABASE and BACKUP LOG permissions default to
	// members of the sysadmin fixed server role and the db_owner and
	// db_backupoperator fixed database roles." No database roles here:
	// only sysadmin (stricter for a db_owner login). 262, then 3013.
	guard(&tsql.BackupStmt{}, func(sc *engine.Scope, st tsql.Stmt) error {
		if sysadmin(sc) {
			return nil
		}
		x := st.(*tsql.BackupStmt)
		verb := "BACKUP DATABASE"
		if x.Log {
			verb = "BACKUP LOG"
		}
		return sc.FailBackup(verb, newErr(sqlerr.PermissionDenied, verb, stmtDBName(sc, x.DB, x.DBVar)))
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
	guard(&tsql.RestoreStmt{}, func(sc *engine.Scope, st tsql.Stmt) error {
		if inRole(sc, principals.RoleDbcreator) {
			return nil
		}
		x := st.(*tsql.RestoreStmt)
		switch x.Kind {
		case tsql.RestoreDatabase, tsql.RestoreLog:
			verb := "RESTORE DATABASE"
			if x.Kind == tsql.RestoreLog {
				verb = "RESTORE LOG"
			}
			return sc.FailBackup(verb, newErr(sqlerr.RestorePermissionDenied, stmtDBName(sc, x.DB, x.DBVar)))
		default:
			return sc.FailBackup(engine.RestoreVerb(x.Kind), newErr(sqlerr.PermissionDenied, "CREATE DATABASE", "master"))
		}
	})
	// CREATE LOGIN "requires ALTER ANY LOGIN permission on the server"
	// (securityadmin, sysadmin): 15247 otherwise.
	guard(&tsql.CreateLoginStmt{}, func(sc *engine.Scope, _ tsql.Stmt) error {
		if inRole(sc, principals.RoleSecurityadmin) {
			return nil
		}
		return newErr(sqlerr.NoPermissionForAction)
	})
	// ALTER DATABASE ... SET PARTNER / WITNESS "requires ALTER permission
	// on the database" (dbcreator and sysadmin hold it on every
	// database): 5011, then 5069.
	for _, name := range []string{"PARTNER", "WITNESS"} {
		h := r.AlterDatabaseOptionHandler(name)
		if h == nil {
			continue
		}
		r.AlterDatabaseOption(name, func(sc *engine.Scope, db *engine.Database, opt *tsql.Option, x *tsql.AlterDatabaseStmt) error {
			if !inRole(sc, principals.RoleDbcreator) {
				if err := sc.Message(newErr(sqlerr.AlterDatabaseDenied, db.Name())); err != nil {
					return err
				}
				return newErr(sqlerr.AlterDatabaseFailed)
			}
			return h(sc, db, opt, x)
		})
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
func guardProcedures(r *engine.Registry) {
	for _, name := range r.ProcedureNames() {
		p, _ := r.SystemProcedure(name)
		var deny func(pc *engine.ProcCall) error
		switch {
		case agentProc(name):
			deny = func(pc *engine.ProcCall) error {
				return newErr(sqlerr.ObjectPermissionDenied, "EXECUTE", pc.Name, "msdb", "dbo")
			}
		case name == "xp_delete_file":
			deny = func(pc *engine.ProcCall) error {
				return newErr(sqlerr.ObjectPermissionDenied, "EXECUTE", pc.Name, "mssqlsystemresource", "sys")
			}
		case sysadminProc(name):
			deny = func(*engine.ProcCall) error { return newErr(sqlerr.NoPermissionForAction) }
		default:
			continue
		}
		run := p.Run
		p.Run = func(pc *engine.ProcCall) (int32, error) {
			if !sysadmin(pc.Scope()) {
				return 1, deny(pc)
			}
			return run(pc)
		}
		r.Procedure(name, p)
	}
}
