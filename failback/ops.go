package failback

import (
	"context"
	"time"

	"github.com/pchatdr/harness/failback/lync"
	"github.com/pchatdr/harness/failback/sqlserver"
)

// The databases of a Persistent Chat pool.
const (
	DBContent    = "mgc"
	DBCompliance = "mgccomp"
)

// Types shared with failback/sqlserver's read helpers.
type (
	DatabaseStatus = sqlserver.DatabaseStatus
	Mirroring      = sqlserver.Mirroring
	Session        = sqlserver.Session
	Service        = sqlserver.Service
	FileInfo       = sqlserver.FileInfo
	TableChecksum  = sqlserver.TableChecksum
	PoolState      = lync.PoolState
	PoolServers    = lync.PoolServers
)

// ErrNoDatabase is matched (errors.Is) when a database does not exist.
var ErrNoDatabase = sqlserver.ErrNoDatabase

// BackupSet is one row of RESTORE HEADERONLY.
type BackupSet struct {
	Position     int
	Name         string
	DatabaseName string
	Type         int // 1 database, 2 log, 5 differential
	Checksums    bool
	Finished     time.Time
	// FirstLSN and LastLSN are numeric(25,0) in decimal; compare them
	// with CompareLSN (they do not fit an int64).
	FirstLSN string
	LastLSN  string
}

// BackupFile is one row of RESTORE FILELISTONLY.
type BackupFile struct {
	LogicalName  string
	PhysicalName string
	Type         string // D data, L log, F full-text, S filestream
}

// DatabaseFile is a file of an existing database (sys.master_files).
type DatabaseFile struct {
	LogicalName  string
	PhysicalName string
	Type         string // ROWS, LOG, FILESTREAM, FULLTEXT
}

// Move is one WITH MOVE clause.
type Move struct {
	LogicalName string
	To          string
}

// BackupSpec is a full database backup to a disk file, or with Log a log
// backup.
type BackupSpec struct {
	Database    string
	Path        string
	Name        string // backup set name, unique per run
	Description string
	// Compression adds WITH COMPRESSION (topology backups.compression).
	Compression bool
	// Log makes it BACKUP LOG.
	Log bool
	// NoRecovery (with Log) is the tail-log backup WITH NORECOVERY: the
	// database is left RESTORING, so nothing more can be written to it
	// (SQL Server's log-shipping role switch, "Change Roles Between
	// Primary and Secondary Log Shipping Servers").
	NoRecovery bool
}

// BackupResult is what a backup reports.
type BackupResult struct {
	Position int      // the set's FILE = position in the media
	Messages []string // server INFO messages (3014 ...)
}

// RestoreSpec is a RESTORE DATABASE.
type RestoreSpec struct {
	Database string
	Path     string
	File     int // backup set position
	Moves    []Move
	Replace  bool
	Recovery bool // false: NORECOVERY
	// StandbyFile, when set with Recovery false, restores WITH STANDBY.
	StandbyFile string
}

// RestoreRecord is one restore into a database (msdb.dbo.restorehistory
// joined with the backup set it restored).
type RestoreRecord struct {
	Date          time.Time
	Database      string
	BackupSetName string
	Device        string
	Replace       bool
	Recovery      bool
}

// LogRestoreSpec is a RESTORE LOG ... WITH NORECOVERY (failover step 3),
// or with Recovery the last restore of a sequence (failback step 4's
// tail-log backup).
type LogRestoreSpec struct {
	Database string
	Path     string
	File     int // backup set position, default 1
	Recovery bool
}

// RedoPoint is the last backup set restored into a database
// (msdb.dbo.restorehistory joined with msdb.dbo.backupset): the next log
// backup must include LastLSN.
type RedoPoint struct {
	LastLSN       string
	Type          string // D database, I differential, L log
	BackupSetName string
	Device        string
	Date          time.Time
}

// Agent job outcomes (msdb.dbo.sysjobhistory.run_status).
const (
	JobFailed     = 0
	JobSucceeded  = 1
	JobRetry      = 2
	JobCanceled   = 3
	JobInProgress = 4
)

// JobStatus is an Agent job and its latest outcome (msdb.dbo.sysjobs with
// the newest job-outcome row of msdb.dbo.sysjobhistory).
type JobStatus struct {
	Exists  bool
	Enabled bool
	// LastInstanceID is the newest outcome row's instance_id (0: the job
	// never ran). A run started after reading it shows a larger one.
	LastInstanceID int64
	LastStatus     int    // JobFailed, JobSucceeded, ...
	LastRunDate    int    // YYYYMMDD, server local time
	LastRunTime    int    // HHMMSS
	LastMessage    string // the outcome row's message
}

// JobStepRun is one step row (step_id > 0) of msdb.dbo.sysjobhistory: what
// SQL Server Agent records about a step of a run. Its Message holds the
// step's own output (for sqllogship, the "*** Error" lines with the
// operating-system error), which the job's outcome row only points to.
type JobStepRun struct {
	InstanceID int64
	StepID     int
	StepName   string
	Status     int // JobFailed, JobSucceeded, ...
	SQLMessage int // sql_message_id: the SQL Server error number, 0 for a CmdExec step
	Severity   int // sql_severity
	Message    string
}

// LogShippingConfig is what an instance's msdb says about log shipping.
type LogShippingConfig struct {
	// Primaries: this instance is the log-shipping primary of these
	// databases, each with its secondaries.
	Primaries []LSPrimary
	// Secondaries: this instance holds secondary databases of these
	// primaries.
	Secondaries []LSSecondary
}

// LSPrimary is a row of log_shipping_primary_databases with its
// secondaries (log_shipping_primary_secondaries).
type LSPrimary struct {
	Database    string
	BackupJob   string
	Secondaries []LSPartner
}

// LSPartner names a server and database.
type LSPartner struct {
	Server   string
	Database string
}

// LSSecondary is a row of log_shipping_secondary (one primary) joined with
// its log_shipping_secondary_databases (Database may be "" when the
// secondary database entry was deleted, as failover step 1 does).
type LSSecondary struct {
	PrimaryServer   string
	PrimaryDatabase string
	Database        string
}

// LSPrimaryMonitor is log_shipping_monitor_primary for one database.
type LSPrimaryMonitor struct {
	LastBackupFile string
	LastBackupDate time.Time // UTC
}

// LSSecondaryMonitor is log_shipping_monitor_secondary for one database.
type LSSecondaryMonitor struct {
	LastCopiedFile   string
	LastCopiedDate   time.Time // UTC
	LastRestoredFile string
	LastRestoredDate time.Time // UTC
}

// LogShippingPrimary configures an instance as the log-shipping primary of
// a database (reference §7.5 steps 2, 3, 5): sp_add_log_shipping_primary_database,
// the backup job schedule and the job enabled.
type LogShippingPrimary struct {
	Database               string
	BackupDirectory        string // as the primary sees the share
	BackupShare            string // UNC
	BackupJob              string
	ScheduleName           string
	ScheduleMinutes        int
	RetentionMinutes       int
	BackupThresholdMinutes int
	StartDate              int // YYYYMMDD for the schedule
}

// LogShippingSecondary configures the secondary (reference §7.5 steps 6, 7,
// 8, 10): sp_add_log_shipping_secondary_primary, copy and restore schedules,
// sp_add_log_shipping_secondary_database, jobs enabled.
type LogShippingSecondary struct {
	PrimaryServer           string // @@SERVERNAME of the primary
	Database                string // same name on both sides
	BackupSourceDirectory   string // the share UNC
	CopyDirectory           string
	CopyJob                 string
	RestoreJob              string
	CopyScheduleName        string
	RestoreScheduleName     string
	ScheduleMinutes         int
	RetentionMinutes        int
	RestoreThresholdMinutes int
	Standby                 bool
	StartDate               int
}

// SQL is one SQL Server instance, at the level of the procedure's
// operations. Every method that changes something reports the exact text it
// sent with Emit. Errors from SQL Server keep their numbers
// (sqlserver.SQLErrorNumbers) so callers and tests can tell 3101 from 3154.
type SQL interface {
	// Instance is the topology instance name, used as the event target.
	Instance() string

	// Reads.
	ServerName(ctx context.Context) (string, error) // @@SERVERNAME
	DatabaseState(ctx context.Context, db string) (DatabaseStatus, error)
	Mirroring(ctx context.Context, db string) (Mirroring, error)
	// Sessions lists user sessions in db, except the engine's own.
	Sessions(ctx context.Context, db string) ([]Session, error)
	ServiceAccounts(ctx context.Context) ([]Service, error)
	// Login is the login the engine connects as and whether it is a
	// member of sysadmin (login.go).
	Login(ctx context.Context) (LoginInfo, error)
	FileExists(ctx context.Context, path string) (FileInfo, error)
	// FreeBytes is the free space of the volume holding dir, as this
	// instance sees it; known is false when SQL Server cannot tell (a UNC
	// share has no documented DMV).
	FreeBytes(ctx context.Context, dir string) (free int64, known bool, err error)
	DatabaseSize(ctx context.Context, db string) (int64, error) // bytes allocated
	DatabaseFiles(ctx context.Context, db string) ([]DatabaseFile, error)
	// FileSpace lists db's files with their size and the free space of
	// their volumes (capacity.go).
	FileSpace(ctx context.Context, db string) ([]FileSpace, error)
	// ProbeWrite creates and deletes a small backup file at path as the
	// SQL Server service account (capacity.go).
	ProbeWrite(ctx context.Context, path string) error
	// TableChecksums reads every row of every user table (COUNT_BIG,
	// CHECKSUM_AGG): never in plan or inside the outage (issue 12, defect
	// 6); RowCounts is the metadata read for those.
	TableChecksums(ctx context.Context, db string) ([]TableChecksum, error)
	// RowCounts lists the user tables with their row counts from
	// sys.partitions (rowcounts.go).
	RowCounts(ctx context.Context, db string) ([]TableRows, error)
	BackupSets(ctx context.Context, path string) ([]BackupSet, error)          // RESTORE HEADERONLY
	FileList(ctx context.Context, path string, file int) ([]BackupFile, error) // RESTORE FILELISTONLY
	RestoreHistory(ctx context.Context, db string) ([]RestoreRecord, error)    // newest first
	// LastBackup is the newest backup of db this instance took itself
	// (msdb.dbo.backupset rows with server_name = @@SERVERNAME; a restore
	// also writes the restored set's row, under its source server's name).
	LastBackup(ctx context.Context, db string) (BackupSet, bool, error)
	LogShipping(ctx context.Context) (LogShippingConfig, error)
	PrimaryMonitor(ctx context.Context, db string) (LSPrimaryMonitor, bool, error)
	SecondaryMonitor(ctx context.Context, db string) (LSSecondaryMonitor, bool, error)

	// Changes.
	RemoveMirroring(ctx context.Context, db string) error
	BackupDatabase(ctx context.Context, b BackupSpec) (BackupResult, error)
	VerifyBackup(ctx context.Context, path string, file int) error
	RestoreDatabase(ctx context.Context, r RestoreSpec) error
	RemoveLogShippingPrimary(ctx context.Context, db string, secondaries []LSPartner) error
	RemoveLogShippingSecondary(ctx context.Context, db string) error
	RemoveLogShippingSecondaryPrimary(ctx context.Context, primaryServer, primaryDB string) error
	AddLogShippingPrimary(ctx context.Context, p LogShippingPrimary) error
	AddLogShippingSecondary(ctx context.Context, s LogShippingSecondary) error
	AddLogShippingPrimarySecondary(ctx context.Context, db, secondaryServer, secondaryDB string) error
	// AddLogShippingAlertJob creates the instance's LSAlert_<server> job
	// unless it has one; DeleteLogShippingAlertJob removes it when the
	// instance monitors nothing any more (it is kept otherwise).
	AddLogShippingAlertJob(ctx context.Context) error
	DeleteLogShippingAlertJob(ctx context.Context) error
	StartJob(ctx context.Context, job string) error
	// SetJobEnabled enables or disables an Agent job (sp_update_job).
	SetJobEnabled(ctx context.Context, job string, enabled bool) error
	// JobRunning reports whether the Agent is running a job now
	// (sp_help_job's current_execution_status other than idle).
	JobRunning(ctx context.Context, job string) (bool, error)

	// Failover (reference §3).

	// ListFiles names the files (not directories) directly in dir, as the
	// SQL Server service account sees it (xp_dirtree dir, 1, 1). A missing
	// or unreachable dir lists nothing, as xp_dirtree does: check it with
	// FileExists first.
	ListFiles(ctx context.Context, dir string) ([]string, error)
	// RedoPoint is the last backup set restored into db; ok is false when
	// msdb has no restore of it.
	RedoPoint(ctx context.Context, db string) (p RedoPoint, ok bool, err error)
	// JobStatus reads an Agent job and its latest outcome.
	JobStatus(ctx context.Context, job string) (JobStatus, error)
	// JobSteps reads the step rows of a job's history with after <
	// instance_id < before, oldest first: the steps of the run whose
	// outcome row is before and that started after the outcome row after.
	JobSteps(ctx context.Context, job string, after, before int64) ([]JobStepRun, error)
	// RestoreLog applies one log backup WITH NORECOVERY (or RECOVERY).
	RestoreLog(ctx context.Context, r LogRestoreSpec) error
	// KillSession ends a session (KILL <spid>).
	KillSession(ctx context.Context, id int16) error
	// RecoverDatabase brings a restoring database online
	// (RESTORE DATABASE db WITH RECOVERY).
	RecoverDatabase(ctx context.Context, db string) error
}

// Pool is the Persistent Chat pool through its cmdlets. Every method reports
// the script it ran with Emit.
type Pool interface {
	PoolState(ctx context.Context) (PoolState, error)
	SetPoolState(ctx context.Context, s PoolState) error
	ActiveServers(ctx context.Context) ([]string, error)
	PoolServers(ctx context.Context) (PoolServers, error)
	ClearActiveServers(ctx context.Context) error
	SetActiveServers(ctx context.Context, fqdns []string) error
	// InstallMirrorDatabase runs Install-CsMirrorDatabase (failover step 6).
	InstallMirrorDatabase(ctx context.Context, m MirrorInstall) error
}

// MirrorInstall is Install-CsMirrorDatabase's DatabaseType parameter set.
type MirrorInstall = lync.MirrorInstall
