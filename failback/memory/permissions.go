package memory

import (
	"context"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/sqlerr"
)

// The permissions the failback's statements need, as the simulator models
// them (sim/mssql/engine/security.go) from Microsoft's documentation: a
// login that is not sysadmin is refused BACKUP (262), RESTORE (3110; 262
// CREATE DATABASE for HEADERONLY, FILELISTONLY and VERIFYONLY), ALTER
// DATABASE ... SET PARTNER (5011, 5069), master's log-shipping procedures
// (15247) and msdb's Agent procedures (229). This model has no dbcreator:
// an instance's login is sysadmin or nothing.

// Login reads the engine's login and its sysadmin membership.
func (s *SQL) Login(ctx context.Context) (failback.LoginInfo, error) {
	in, err := s.begin(ctx, "Login", failback.LoginSQL, false)
	defer s.end()
	if err != nil {
		return failback.LoginInfo{}, err
	}
	if s.as != nil {
		return failback.LoginInfo{Name: s.as.name, Sysadmin: s.as.sysadmin}, nil
	}
	return failback.LoginInfo{Name: in.login(), Sysadmin: !in.NotSysadmin}, nil
}

// asLogin is the login of a connection made with SQLAs.
type asLogin struct {
	name     string
	sysadmin bool
}

// SQLAs is failback.SQL on one instance as another login than the
// instance's engine login (the rules table's NonSysadmin).
func (w *World) SQLAs(instance, login string, sysadmin bool) *SQL {
	return &SQL{w: w, name: instance, as: &asLogin{name: login, sysadmin: sysadmin}}
}

// login is the instance's engine login (sa unless Login is set).
func (in *Instance) login() string {
	if in.Login == "" {
		return "sa"
	}
	return in.Login
}

// permit refuses op on db to a login that is not sysadmin, with the errors
// SQL Server sends.
func (s *SQL) permit(in *Instance, op, db string) error {
	if in == nil {
		return nil
	}
	admin := !in.NotSysadmin
	if s.as != nil {
		admin = s.as.sysadmin
	}
	if admin {
		return nil
	}
	srv := in.ServerName
	switch op {
	case "BackupDatabase", "ProbeWrite":
		return sqlErr(srv, e(sqlerr.PermissionDenied, "BACKUP DATABASE", db), backupAbort("BACKUP DATABASE"))
	case "RestoreDatabase", "RecoverDatabase":
		return sqlErr(srv, e(sqlerr.RestorePermissionDenied, db), backupAbort("RESTORE DATABASE"))
	case "RestoreLog":
		return sqlErr(srv, e(sqlerr.RestorePermissionDenied, db), backupAbort("RESTORE LOG"))
	case "BackupSets":
		return sqlErr(srv, e(sqlerr.PermissionDenied, "CREATE DATABASE", "master"), backupAbort("RESTORE HEADERONLY"))
	case "FileList":
		return sqlErr(srv, e(sqlerr.PermissionDenied, "CREATE DATABASE", "master"), backupAbort("RESTORE FILELIST"))
	case "VerifyBackup":
		return sqlErr(srv, e(sqlerr.PermissionDenied, "CREATE DATABASE", "master"), backupAbort("VERIFY DATABASE"))
	case "RemoveMirroring":
		return sqlErr(srv, e(sqlerr.AlterDatabaseDenied, db), e(sqlerr.AlterDatabaseFailed))
	case "StartJob":
		return sqlErr(srv, e(sqlerr.ObjectPermissionDenied, "EXECUTE", "sp_start_job", "msdb", "dbo"))
	case "SetJobEnabled":
		return sqlErr(srv, e(sqlerr.ObjectPermissionDenied, "EXECUTE", "sp_update_job", "msdb", "dbo"))
	}
	return sqlErr(srv, e(sqlerr.NoPermissionForAction)) // the log-shipping procedures
}
