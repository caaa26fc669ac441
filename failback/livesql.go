package failback

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pchatdr/harness/failback/sqlserver"
)

// LiveSQL is SQL on a real instance through failback/sqlserver. Every
// statement, read or change, is reported to the context's emitter with its
// timing and the server's INFO messages.
type LiveSQL struct {
	Name string // topology instance name
	DB   *sqlserver.DB
	// OwnProgram is the engine's program_name, left out of Sessions; ""
	// means sqlserver.DefaultAppName.
	OwnProgram string
}

var _ SQL = (*LiveSQL)(nil)

// Instance is the topology instance name.
func (l *LiveSQL) Instance() string { return l.Name }

func (l *LiveSQL) db(ctx context.Context, change bool) *sqlserver.DB {
	return l.DB.WithObserver(func(st sqlserver.Statement) {
		s := Sent{Target: l.Name, Text: st.Text, Start: st.Start, Duration: st.Duration, Err: st.Err, Change: change}
		for _, m := range st.Messages {
			s.Info = append(s.Info, fmt.Sprintf("%d: %s", m.Number, m.Text))
		}
		Emit(ctx, s)
	})
}

func (l *LiveSQL) exec(ctx context.Context, text string) (sqlserver.ExecResult, error) {
	return l.db(ctx, true).Exec(ctx, text)
}

// ServerName reads @@SERVERNAME.
func (l *LiveSQL) ServerName(ctx context.Context) (string, error) {
	var name sql.NullString
	err := l.db(ctx, false).Query(ctx, ServerNameSQL, func(r *sql.Rows) error { return r.Scan(&name) })
	if err != nil {
		return "", fmt.Errorf("server name of %s: %w", l.Name, err)
	}
	return name.String, nil
}

// DatabaseState reads sys.databases.
func (l *LiveSQL) DatabaseState(ctx context.Context, db string) (DatabaseStatus, error) {
	return sqlserver.DatabaseState(ctx, l.db(ctx, false), db)
}

// Mirroring reads sys.database_mirroring.
func (l *LiveSQL) Mirroring(ctx context.Context, db string) (Mirroring, error) {
	return sqlserver.MirroringInfo(ctx, l.db(ctx, false), db)
}

// Sessions lists user sessions in db except the engine's own.
func (l *LiveSQL) Sessions(ctx context.Context, db string) ([]Session, error) {
	all, err := sqlserver.Sessions(ctx, l.db(ctx, false), db, "")
	if err != nil {
		return nil, err
	}
	own := l.OwnProgram
	if own == "" {
		own = sqlserver.DefaultAppName
	}
	out := all[:0]
	for _, s := range all {
		if s.Program != own {
			out = append(out, s)
		}
	}
	return out, nil
}

// ServiceAccounts reads sys.dm_server_services.
func (l *LiveSQL) ServiceAccounts(ctx context.Context) ([]Service, error) {
	return sqlserver.ServiceAccounts(ctx, l.db(ctx, false))
}

// FileExists asks xp_fileexist, as the SQL Server service account.
func (l *LiveSQL) FileExists(ctx context.Context, path string) (FileInfo, error) {
	return sqlserver.FileExists(ctx, l.db(ctx, false), path)
}

// FreeBytes cannot be measured for a UNC path from T-SQL (no documented
// DMV; xp_fixeddrives lists local drives only), so it reports unknown and
// the precondition says so instead of guessing.
func (l *LiveSQL) FreeBytes(ctx context.Context, dir string) (int64, bool, error) {
	return 0, false, nil
}

// DatabaseSize is the allocated size of db.
func (l *LiveSQL) DatabaseSize(ctx context.Context, db string) (int64, error) {
	var n sql.NullInt64
	err := l.db(ctx, false).Query(ctx, DatabaseSizeSQL(db), func(r *sql.Rows) error { return r.Scan(&n) })
	if err != nil {
		return 0, fmt.Errorf("size of %s: %w", db, err)
	}
	return n.Int64, nil
}

// DatabaseFiles reads sys.master_files.
func (l *LiveSQL) DatabaseFiles(ctx context.Context, db string) ([]DatabaseFile, error) {
	var out []DatabaseFile
	err := l.db(ctx, false).Query(ctx, DatabaseFilesSQL(db), func(r *sql.Rows) error {
		var f DatabaseFile
		if err := r.Scan(&f.LogicalName, &f.PhysicalName, &f.Type); err != nil {
			return err
		}
		out = append(out, f)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("files of %s: %w", db, err)
	}
	return out, nil
}

// TableChecksums counts and checksums every user table.
func (l *LiveSQL) TableChecksums(ctx context.Context, db string) ([]TableChecksum, error) {
	return sqlserver.TableChecksums(ctx, l.db(ctx, false), db)
}

// scanNamed scans the current row into a map by column name, for result
// sets with many columns of which the engine needs a few (HEADERONLY has
// over fifty and the count differs between versions).
func scanNamed(r *sql.Rows) (map[string]any, error) {
	cols, err := r.Columns()
	if err != nil {
		return nil, err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := r.Scan(ptrs...); err != nil {
		return nil, err
	}
	m := make(map[string]any, len(cols))
	for i, c := range cols {
		m[strings.ToLower(c)] = vals[i]
	}
	return m, nil
}

func anyString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case []byte:
		return string(t)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func anyInt(v any) int {
	switch t := v.(type) {
	case int64:
		return int(t)
	case int32:
		return int(t)
	case int16:
		return int(t)
	case uint8:
		return int(t)
	case bool:
		if t {
			return 1
		}
	case []byte:
		var n int
		fmt.Sscan(string(t), &n)
		return n
	case string:
		var n int
		fmt.Sscan(t, &n)
		return n
	}
	return 0
}

func anyTime(v any) time.Time {
	if t, ok := v.(time.Time); ok {
		return t
	}
	return time.Time{}
}

// BackupSets runs RESTORE HEADERONLY.
func (l *LiveSQL) BackupSets(ctx context.Context, path string) ([]BackupSet, error) {
	var out []BackupSet
	err := l.db(ctx, false).Query(ctx, HeaderOnlySQL(path), func(r *sql.Rows) error {
		m, err := scanNamed(r)
		if err != nil {
			return err
		}
		out = append(out, BackupSet{Position: anyInt(m["position"]), Name: anyString(m["backupname"]),
			DatabaseName: anyString(m["databasename"]), Type: anyInt(m["backuptype"]),
			Checksums: anyInt(m["hasbackupchecksums"]) != 0, Finished: anyTime(m["backupfinishdate"]),
			FirstLSN: lsnString(m["firstlsn"]), LastLSN: lsnString(m["lastlsn"])})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("backup sets in %s: %w", path, err)
	}
	return out, nil
}

// FileList runs RESTORE FILELISTONLY.
func (l *LiveSQL) FileList(ctx context.Context, path string, file int) ([]BackupFile, error) {
	var out []BackupFile
	err := l.db(ctx, false).Query(ctx, FileListOnlySQL(path, file), func(r *sql.Rows) error {
		m, err := scanNamed(r)
		if err != nil {
			return err
		}
		out = append(out, BackupFile{LogicalName: anyString(m["logicalname"]), PhysicalName: anyString(m["physicalname"]), Type: anyString(m["type"])})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("file list of %s: %w", path, err)
	}
	return out, nil
}

// LastBackup reads the newest backup of db this instance took.
func (l *LiveSQL) LastBackup(ctx context.Context, db string) (BackupSet, bool, error) {
	var b BackupSet
	found := false
	err := l.db(ctx, false).Query(ctx, LastBackupSQL(db), func(r *sql.Rows) error {
		var pos, sums any
		var name, dbName, t sql.NullString
		var fin sql.NullTime
		var first, last any
		if err := r.Scan(&pos, &name, &dbName, &t, &sums, &fin, &first, &last); err != nil {
			return err
		}
		found = true
		b = BackupSet{Position: anyInt(pos), Name: name.String, DatabaseName: dbName.String, Type: backupTypeOf(t.String),
			Checksums: anyInt(sums) != 0, Finished: fin.Time, FirstLSN: lsnString(first), LastLSN: lsnString(last)}
		return nil
	})
	if err != nil {
		return BackupSet{}, false, fmt.Errorf("last backup of %s on %s: %w", db, l.Name, err)
	}
	return b, found, nil
}

// backupTypeOf maps msdb.dbo.backupset.type to RESTORE HEADERONLY's
// BackupType (D 1 database, L 2 log, I 5 differential).
func backupTypeOf(t string) int {
	switch strings.ToUpper(strings.TrimSpace(t)) {
	case "D":
		return 1
	case "L":
		return 2
	case "I":
		return 5
	}
	return 0
}

// RestoreHistory reads msdb's restore history for db.
func (l *LiveSQL) RestoreHistory(ctx context.Context, db string) ([]RestoreRecord, error) {
	var out []RestoreRecord
	err := l.db(ctx, false).Query(ctx, RestoreHistorySQL(db), func(r *sql.Rows) error {
		var rec RestoreRecord
		var name, dev sql.NullString
		var rep, rec2 any
		if err := r.Scan(&rec.Date, &rec.Database, &name, &dev, &rep, &rec2); err != nil {
			return err
		}
		rec.BackupSetName, rec.Device = name.String, dev.String
		rec.Replace, rec.Recovery = anyInt(rep) != 0, anyInt(rec2) != 0
		out = append(out, rec)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("restore history of %s: %w", db, err)
	}
	return out, nil
}

// LogShipping reads the log-shipping configuration tables.
func (l *LiveSQL) LogShipping(ctx context.Context) (LogShippingConfig, error) {
	var cfg LogShippingConfig
	idx := map[string]int{}
	err := l.db(ctx, false).Query(ctx, LogShippingPrimariesSQL, func(r *sql.Rows) error {
		var db, job, srv, sdb sql.NullString
		if err := r.Scan(&db, &job, &srv, &sdb); err != nil {
			return err
		}
		i, ok := idx[db.String]
		if !ok {
			i = len(cfg.Primaries)
			idx[db.String] = i
			cfg.Primaries = append(cfg.Primaries, LSPrimary{Database: db.String, BackupJob: job.String})
		}
		if srv.Valid {
			cfg.Primaries[i].Secondaries = append(cfg.Primaries[i].Secondaries, LSPartner{Server: srv.String, Database: sdb.String})
		}
		return nil
	})
	if err != nil {
		return LogShippingConfig{}, fmt.Errorf("log shipping primaries on %s: %w", l.Name, err)
	}
	err = l.db(ctx, false).Query(ctx, LogShippingSecondariesSQL, func(r *sql.Rows) error {
		var srv, pdb, sdb sql.NullString
		if err := r.Scan(&srv, &pdb, &sdb); err != nil {
			return err
		}
		cfg.Secondaries = append(cfg.Secondaries, LSSecondary{PrimaryServer: srv.String, PrimaryDatabase: pdb.String, Database: sdb.String})
		return nil
	})
	if err != nil {
		return LogShippingConfig{}, fmt.Errorf("log shipping secondaries on %s: %w", l.Name, err)
	}
	return cfg, nil
}

// PrimaryMonitor reads log_shipping_monitor_primary.
func (l *LiveSQL) PrimaryMonitor(ctx context.Context, db string) (LSPrimaryMonitor, bool, error) {
	var m LSPrimaryMonitor
	found := false
	err := l.db(ctx, false).Query(ctx, PrimaryMonitorSQL(db), func(r *sql.Rows) error {
		found = true
		var f sql.NullString
		var d sql.NullTime
		if err := r.Scan(&f, &d); err != nil {
			return err
		}
		m = LSPrimaryMonitor{LastBackupFile: f.String, LastBackupDate: d.Time}
		return nil
	})
	if err != nil {
		return m, false, fmt.Errorf("log shipping monitor on %s: %w", l.Name, err)
	}
	return m, found, nil
}

// SecondaryMonitor reads log_shipping_monitor_secondary.
func (l *LiveSQL) SecondaryMonitor(ctx context.Context, db string) (LSSecondaryMonitor, bool, error) {
	var m LSSecondaryMonitor
	found := false
	err := l.db(ctx, false).Query(ctx, SecondaryMonitorSQL(db), func(r *sql.Rows) error {
		found = true
		var cf, rf sql.NullString
		var cd, rd sql.NullTime
		if err := r.Scan(&cf, &cd, &rf, &rd); err != nil {
			return err
		}
		m = LSSecondaryMonitor{LastCopiedFile: cf.String, LastCopiedDate: cd.Time, LastRestoredFile: rf.String, LastRestoredDate: rd.Time}
		return nil
	})
	if err != nil {
		return m, false, fmt.Errorf("log shipping monitor on %s: %w", l.Name, err)
	}
	return m, found, nil
}

// RemoveMirroring sends ALTER DATABASE ... SET PARTNER OFF.
func (l *LiveSQL) RemoveMirroring(ctx context.Context, db string) error {
	q, err := RemoveMirroringSQL(db)
	if err != nil {
		return fmt.Errorf("remove mirroring %s: %w", db, err)
	}
	_, err = l.exec(ctx, q)
	return err
}

// BackupDatabase runs the full backup and reads the set's position back.
func (l *LiveSQL) BackupDatabase(ctx context.Context, b BackupSpec) (BackupResult, error) {
	q, err := BackupDatabaseSQL(b)
	if err != nil {
		return BackupResult{}, fmt.Errorf("backup %s: %w", b.Database, err)
	}
	verb := "BACKUP DATABASE"
	if b.Log {
		verb = "BACKUP LOG"
	}
	res, err := l.exec(withStatsProgress(ctx, l.Name, verb), q)
	out := BackupResult{}
	for _, m := range res.Messages {
		out.Messages = append(out.Messages, m.Text)
	}
	if err != nil {
		return out, err
	}
	sets, err := l.BackupSets(ctx, b.Path)
	if err != nil {
		return out, err
	}
	for _, s := range sets {
		if s.Name == b.Name && s.Position > out.Position {
			out.Position = s.Position
		}
	}
	if out.Position == 0 {
		return out, fmt.Errorf("backup %s: set %q not found in %s after the backup", b.Database, b.Name, b.Path)
	}
	return out, nil
}

// VerifyBackup runs RESTORE VERIFYONLY ... WITH CHECKSUM.
func (l *LiveSQL) VerifyBackup(ctx context.Context, path string, file int) error {
	_, err := l.exec(ctx, VerifyBackupSQL(path, file))
	return err
}

// RestoreDatabase runs RESTORE DATABASE.
func (l *LiveSQL) RestoreDatabase(ctx context.Context, r RestoreSpec) error {
	q, err := RestoreDatabaseSQL(r)
	if err != nil {
		return fmt.Errorf("restore %s: %w", r.Database, err)
	}
	_, err = l.exec(withStatsProgress(ctx, l.Name, "RESTORE DATABASE"), q)
	return err
}

// RemoveLogShippingPrimary removes db as a log-shipping primary.
func (l *LiveSQL) RemoveLogShippingPrimary(ctx context.Context, db string, secondaries []LSPartner) error {
	_, err := l.exec(ctx, RemoveLogShippingPrimarySQL(db, secondaries))
	return err
}

// RemoveLogShippingSecondary removes a secondary database entry.
func (l *LiveSQL) RemoveLogShippingSecondary(ctx context.Context, db string) error {
	_, err := l.exec(ctx, RemoveLogShippingSecondarySQL(db))
	return err
}

// RemoveLogShippingSecondaryPrimary removes a primary's registration.
func (l *LiveSQL) RemoveLogShippingSecondaryPrimary(ctx context.Context, primaryServer, primaryDB string) error {
	_, err := l.exec(ctx, RemoveLogShippingSecondaryPrimarySQL(primaryServer, primaryDB))
	return err
}

// AddLogShippingPrimary configures the primary.
func (l *LiveSQL) AddLogShippingPrimary(ctx context.Context, p LogShippingPrimary) error {
	q, err := AddLogShippingPrimarySQL(p)
	if err != nil {
		return err
	}
	_, err = l.exec(ctx, q)
	return err
}

// AddLogShippingSecondary configures the secondary.
func (l *LiveSQL) AddLogShippingSecondary(ctx context.Context, s LogShippingSecondary) error {
	q, err := AddLogShippingSecondarySQL(s)
	if err != nil {
		return err
	}
	_, err = l.exec(ctx, q)
	return err
}

// AddLogShippingPrimarySecondary registers the secondary on the primary.
func (l *LiveSQL) AddLogShippingPrimarySecondary(ctx context.Context, db, secondaryServer, secondaryDB string) error {
	_, err := l.exec(ctx, AddLogShippingPrimarySecondarySQL(db, secondaryServer, secondaryDB))
	return err
}

// AddLogShippingAlertJob creates the alert job unless there is one.
func (l *LiveSQL) AddLogShippingAlertJob(ctx context.Context) error {
	_, err := l.exec(ctx, AddLogShippingAlertJobSQL)
	return err
}

// DeleteLogShippingAlertJob removes the alert job if nothing is monitored.
func (l *LiveSQL) DeleteLogShippingAlertJob(ctx context.Context) error {
	_, err := l.exec(ctx, DeleteLogShippingAlertJobSQL)
	return err
}

// StartJob starts an Agent job.
func (l *LiveSQL) StartJob(ctx context.Context, job string) error {
	_, err := l.exec(ctx, StartJobSQL(job))
	return err
}

// SetJobEnabled enables or disables an Agent job.
func (l *LiveSQL) SetJobEnabled(ctx context.Context, job string, enabled bool) error {
	_, err := l.exec(ctx, SetJobEnabledSQL(job, enabled))
	return err
}

// JobRunning reads sp_help_job's current_execution_status.
func (l *LiveSQL) JobRunning(ctx context.Context, job string) (bool, error) {
	status, found := JobIdle, false
	err := l.db(ctx, false).Query(ctx, JobActivitySQL(job), func(r *sql.Rows) error {
		m, err := scanNamed(r)
		if err != nil {
			return err
		}
		if v, ok := m["current_execution_status"]; ok && !found {
			status, found = anyInt(v), true
		}
		return nil
	})
	if err == nil && !found {
		err = errors.New("sp_help_job returned no current_execution_status")
	}
	if err != nil {
		return false, fmt.Errorf("activity of job %s on %s: %w", job, l.Name, err)
	}
	return status != JobIdle, nil
}

// lsnString renders a numeric(25,0) column: go-mssqldb delivers decimals
// as their text, possibly with a ".0" scale part.
func lsnString(v any) string {
	s := anyString(v)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		s = s[:i]
	}
	return s
}

// ListFiles runs xp_dirtree and keeps the files.
func (l *LiveSQL) ListFiles(ctx context.Context, dir string) ([]string, error) {
	var out []string
	err := l.db(ctx, false).Query(ctx, ListFilesSQL(dir), func(r *sql.Rows) error {
		m, err := scanNamed(r)
		if err != nil {
			return err
		}
		if anyInt(m["file"]) == 1 {
			out = append(out, anyString(m["subdirectory"]))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list files in %s on %s: %w", dir, l.Name, err)
	}
	return out, nil
}

// RedoPoint reads the last restored backup set of db.
func (l *LiveSQL) RedoPoint(ctx context.Context, db string) (RedoPoint, bool, error) {
	var p RedoPoint
	found := false
	err := l.db(ctx, false).Query(ctx, RedoPointSQL(db), func(r *sql.Rows) error {
		found = true
		var lsn any
		var typ, name, dev sql.NullString
		var date sql.NullTime
		if err := r.Scan(&lsn, &typ, &name, &dev, &date); err != nil {
			return err
		}
		p = RedoPoint{LastLSN: lsnString(lsn), Type: typ.String, BackupSetName: name.String, Device: dev.String, Date: date.Time}
		return nil
	})
	if err != nil {
		return RedoPoint{}, false, fmt.Errorf("redo point of %s on %s: %w", db, l.Name, err)
	}
	return p, found, nil
}

// JobStatus reads msdb's job and its newest outcome.
func (l *LiveSQL) JobStatus(ctx context.Context, job string) (JobStatus, error) {
	var st JobStatus
	err := l.db(ctx, false).Query(ctx, JobStatusSQL(job), func(r *sql.Rows) error {
		st.Exists = true
		var enabled, status, date, tm any
		var id sql.NullInt64
		var msg sql.NullString
		if err := r.Scan(&enabled, &id, &status, &date, &tm, &msg); err != nil {
			return err
		}
		st.Enabled = anyInt(enabled) != 0
		st.LastInstanceID = id.Int64
		st.LastStatus, st.LastRunDate, st.LastRunTime = anyInt(status), anyInt(date), anyInt(tm)
		st.LastMessage = msg.String
		return nil
	})
	if err != nil {
		return JobStatus{}, fmt.Errorf("job %s on %s: %w", job, l.Name, err)
	}
	return st, nil
}

// JobSteps reads the step rows of one run of a job.
func (l *LiveSQL) JobSteps(ctx context.Context, job string, after, before int64) ([]JobStepRun, error) {
	var out []JobStepRun
	err := l.db(ctx, false).Query(ctx, JobStepsSQL(job, after, before), func(r *sql.Rows) error {
		var s JobStepRun
		var id sql.NullInt64
		var step, status, msgID, sev any
		var name, msg sql.NullString
		if err := r.Scan(&id, &step, &name, &status, &msgID, &sev, &msg); err != nil {
			return err
		}
		s.InstanceID, s.StepName, s.Message = id.Int64, name.String, msg.String
		s.StepID, s.Status, s.SQLMessage, s.Severity = anyInt(step), anyInt(status), anyInt(msgID), anyInt(sev)
		out = append(out, s)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("history of job %s on %s: %w", job, l.Name, err)
	}
	return out, nil
}

// RestoreLog runs RESTORE LOG ... WITH NORECOVERY.
func (l *LiveSQL) RestoreLog(ctx context.Context, r LogRestoreSpec) error {
	q, err := RestoreLogSQL(r)
	if err != nil {
		return err
	}
	_, err = l.exec(ctx, q)
	return err
}

// KillSession runs KILL.
func (l *LiveSQL) KillSession(ctx context.Context, id int16) error {
	q, err := KillSQL(id)
	if err != nil {
		return err
	}
	_, err = l.exec(ctx, q)
	return err
}

// RecoverDatabase runs RESTORE DATABASE ... WITH RECOVERY.
func (l *LiveSQL) RecoverDatabase(ctx context.Context, db string) error {
	q, err := RecoverDatabaseSQL(db)
	if err != nil {
		return err
	}
	_, err = l.exec(ctx, q)
	return err
}
