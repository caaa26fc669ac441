package sqlserver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// ErrNoDatabase is wrapped when a named database does not exist on the
// instance.
var ErrNoDatabase = errors.New("database does not exist")

// DatabaseStatus is a database's row in sys.databases.
type DatabaseStatus struct {
	Name          string
	State         string // ONLINE, RESTORING, RECOVERING, RECOVERY_PENDING, SUSPECT, EMERGENCY, OFFLINE
	RecoveryModel string // FULL, BULK_LOGGED, SIMPLE
	UserAccess    string // MULTI_USER, SINGLE_USER, RESTRICTED_USER
	ReadOnly      bool
	Standby       bool
}

// DatabaseStateSQL is the text DatabaseState sends.
func DatabaseStateSQL(name string) string {
	return "SELECT d.state_desc, d.recovery_model_desc, d.user_access_desc, d.is_read_only, d.is_in_standby " +
		"FROM sys.databases AS d WHERE d.name = " + QuoteString(name)
}

// DatabaseState reads sys.databases for name; a missing database is
// ErrNoDatabase.
func DatabaseState(ctx context.Context, db *DB, name string) (DatabaseStatus, error) {
	st := DatabaseStatus{Name: name}
	found := false
	err := db.Query(ctx, DatabaseStateSQL(name), func(r *sql.Rows) error {
		found = true
		var ro, sb any
		if err := r.Scan(&st.State, &st.RecoveryModel, &st.UserAccess, &ro, &sb); err != nil {
			return err
		}
		st.ReadOnly, st.Standby = truthy(ro), truthy(sb)
		return nil
	})
	if err != nil {
		return DatabaseStatus{}, fmt.Errorf("database state %s: %w", name, err)
	}
	if !found {
		return DatabaseStatus{}, fmt.Errorf("database state %s on %s: %w", name, db.Server(), ErrNoDatabase)
	}
	return st, nil
}

// Mirroring is a database's row in sys.database_mirroring. All fields are
// NULL there when the database is not mirrored (or, on a mirror, when the
// login is not sysadmin); Mirrored is false then.
type Mirroring struct {
	Mirrored        bool
	Role            string // PRINCIPAL or MIRROR
	State           string // SYNCHRONIZED, SYNCHRONIZING, SUSPENDED, DISCONNECTED, PENDING_FAILOVER, UNSYNCHRONIZED
	Partner         string // TCP://host:5022
	PartnerInstance string
	SafetyLevel     string
	Witness         string
}

// MirroringInfoSQL is the text MirroringInfo sends.
func MirroringInfoSQL(name string) string {
	return "SELECT m.mirroring_role_desc, m.mirroring_state_desc, m.mirroring_partner_name, m.mirroring_partner_instance, " +
		"m.mirroring_safety_level_desc, m.mirroring_witness_name " +
		"FROM sys.database_mirroring AS m JOIN sys.databases AS d ON d.database_id = m.database_id WHERE d.name = " + QuoteString(name)
}

// MirroringInfo reads the mirroring state of a database.
func MirroringInfo(ctx context.Context, db *DB, name string) (Mirroring, error) {
	var m Mirroring
	found := false
	err := db.Query(ctx, MirroringInfoSQL(name), func(r *sql.Rows) error {
		found = true
		var role, state, partner, inst, safety, witness sql.NullString
		if err := r.Scan(&role, &state, &partner, &inst, &safety, &witness); err != nil {
			return err
		}
		m = Mirroring{Mirrored: role.Valid, Role: role.String, State: state.String, Partner: partner.String,
			PartnerInstance: inst.String, SafetyLevel: safety.String, Witness: witness.String}
		return nil
	})
	if err != nil {
		return Mirroring{}, fmt.Errorf("mirroring info %s: %w", name, err)
	}
	if !found {
		return Mirroring{}, fmt.Errorf("mirroring info %s on %s: %w", name, db.Server(), ErrNoDatabase)
	}
	return m, nil
}

// Session is a user session connected to a database.
type Session struct {
	ID      int16
	Login   string
	Program string
	Host    string
}

// SessionsSQL is the text Sessions sends; programName "" lists every
// program. The engine's own session is left out (@@SPID).
func SessionsSQL(database, programName string) string {
	q := "SELECT s.session_id, s.login_name, s.program_name, s.host_name FROM sys.dm_exec_sessions AS s " +
		"WHERE s.is_user_process = 1 AND s.session_id <> @@SPID AND s.database_id = DB_ID(" + QuoteString(database) + ")"
	if programName != "" {
		q += " AND s.program_name = " + QuoteString(programName)
	}
	return q + " ORDER BY s.session_id"
}

// Sessions lists the user sessions in database (a RESTORE over it gets
// 3101 while any remain).
func Sessions(ctx context.Context, db *DB, database, programName string) ([]Session, error) {
	var out []Session
	err := db.Query(ctx, SessionsSQL(database, programName), func(r *sql.Rows) error {
		var s Session
		var login, prog, host sql.NullString
		if err := r.Scan(&s.ID, &login, &prog, &host); err != nil {
			return err
		}
		s.Login, s.Program, s.Host = login.String, prog.String, host.String
		out = append(out, s)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sessions in %s: %w", database, err)
	}
	return out, nil
}

// Service is a row of sys.dm_server_services.
type Service struct {
	Name    string // "SQL Server (MSSQLSERVER)", "SQL Server Agent (MSSQLSERVER)"
	Account string // e.g. CONTOSO\sqlagent
	Status  string // Running, Stopped, ...
	Startup string // Automatic, Manual, ...
}

// ServiceAccountsSQL is the text ServiceAccounts sends.
const ServiceAccountsSQL = "SELECT servicename, service_account, status_desc, startup_type_desc FROM sys.dm_server_services"

// ServiceAccounts lists the instance's services and their accounts: the
// procedure needs the Agent on the secondary to run under an account that
// can read the share (needs VIEW SERVER STATE).
func ServiceAccounts(ctx context.Context, db *DB) ([]Service, error) {
	var out []Service
	err := db.Query(ctx, ServiceAccountsSQL, func(r *sql.Rows) error {
		var name, acct, status, startup sql.NullString
		if err := r.Scan(&name, &acct, &status, &startup); err != nil {
			return err
		}
		out = append(out, Service{Name: name.String, Account: acct.String, Status: status.String, Startup: startup.String})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("service accounts: %w", err)
	}
	return out, nil
}

// FileInfo is what xp_fileexist reports, as seen by the SQL Server service
// account (not by the engine's machine).
type FileInfo struct {
	Exists       bool
	IsDirectory  bool
	ParentExists bool
}

// FileExistsSQL is the text FileExists sends.
func FileExistsSQL(path string) string {
	return "EXEC master.dbo.xp_fileexist " + QuoteString(path)
}

// FileExists asks the instance whether path exists (undocumented
// xp_fileexist; dbatools' Test-DbaPath uses the same call).
func FileExists(ctx context.Context, db *DB, path string) (FileInfo, error) {
	var fi FileInfo
	found := false
	err := db.Query(ctx, FileExistsSQL(path), func(r *sql.Rows) error {
		found = true
		var a, b, c any
		if err := r.Scan(&a, &b, &c); err != nil {
			return err
		}
		fi = FileInfo{Exists: truthy(a), IsDirectory: truthy(b), ParentExists: truthy(c)}
		return nil
	})
	if err != nil {
		return FileInfo{}, fmt.Errorf("file exists %s: %w", path, err)
	}
	if !found {
		return FileInfo{}, fmt.Errorf("file exists %s: xp_fileexist returned no row", path)
	}
	return fi, nil
}

// TableChecksum is one user table's row count and checksum.
type TableChecksum struct {
	Schema   string
	Table    string
	Rows     int64
	Checksum sql.NullInt64 // NULL for an empty table
}

// UserTablesSQL lists the user tables of database (three-part names, so
// no USE is needed and the pooled connection's database does not change).
func UserTablesSQL(database string) (string, error) {
	qdb, err := QuoteName(database)
	if err != nil {
		return "", err
	}
	return "SELECT s.name, t.name FROM " + qdb + ".sys.tables AS t JOIN " + qdb + ".sys.schemas AS s ON s.schema_id = t.schema_id " +
		"WHERE t.is_ms_shipped = 0 ORDER BY s.name, t.name", nil
}

// TableChecksumSQL counts and checksums one table. BINARY_CHECKSUM skips
// columns of non-comparable types (text, ntext, image, xml), so it works on
// every table.
func TableChecksumSQL(database, schema, table string) (string, error) {
	var parts [3]string
	for i, n := range []string{database, schema, table} {
		q, err := QuoteName(n)
		if err != nil {
			return "", err
		}
		parts[i] = q
	}
	return "SELECT COUNT_BIG(*), CHECKSUM_AGG(BINARY_CHECKSUM(*)) FROM " + parts[0] + "." + parts[1] + "." + parts[2], nil
}

// TableChecksums checksums every user table of database, to compare the
// backup mgc with the restored primary.
func TableChecksums(ctx context.Context, db *DB, database string) ([]TableChecksum, error) {
	q, err := UserTablesSQL(database)
	if err != nil {
		return nil, fmt.Errorf("table checksums: %w", err)
	}
	var out []TableChecksum
	err = db.Query(ctx, q, func(r *sql.Rows) error {
		var t TableChecksum
		if err := r.Scan(&t.Schema, &t.Table); err != nil {
			return err
		}
		out = append(out, t)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("table checksums %s: %w", database, err)
	}
	for i := range out {
		q, err := TableChecksumSQL(database, out[i].Schema, out[i].Table)
		if err != nil {
			return nil, fmt.Errorf("table checksums %s: %w", database, err)
		}
		err = db.Query(ctx, q, func(r *sql.Rows) error {
			return r.Scan(&out[i].Rows, &out[i].Checksum)
		})
		if err != nil {
			return nil, fmt.Errorf("table checksum %s.%s.%s: %w", database, out[i].Schema, out[i].Table, err)
		}
	}
	return out, nil
}

// truthy reads bit/int columns that drivers return as bool or integers.
func truthy(v any) bool {
	switch t := v.(type) {
	case bool:
		return t
	case int64:
		return t != 0
	case int32:
		return t != 0
	case int16:
		return t != 0
	case int8:
		return t != 0
	case uint8:
		return t != 0
	}
	return false
}
