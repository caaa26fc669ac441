package engine

// Feature is one part of SQL Server an instance is built from: what it
// installs in the instance's Registry (statements, procedures, views),
// what it starts once the databases are recovered and what it stops when
// the instance closes. The list is explicit (Config.Features; the full
// one is sim/mssql/features.Default()) and wired in New, in the manner of go-mysql-server's engine options: no init()
// registration, no package-level tables.
type Feature struct {
	Name    string
	Install func(r *Registry)
	// Start runs at the end of New, after recovery, in list order (msdb's
	// tables, the Agent, mirroring links).
	Start func(inst *Instance) error
	// Stop runs at the start of Close, in reverse list order, while the
	// logs are still open: the feature ends the goroutines it started.
	Stop func(inst *Instance)
}

// DefaultFeatures is every feature the engine holds itself: none since
// issue 13 moved the last ones out. An instance built with it (Config.
// Features nil) is the core alone: sessions, the system databases, SELECT,
// DML, table DDL, control flow, EXEC's machinery. sim/mssql/features has
// the full list, in packages of their own (endpoints and mirroring:
// sim/mssql/mirroring; log shipping, the Agent and the log-shipping alert:
// sim/mssql/msdb; BACKUP, RESTORE and the file procedures:
// sim/mssql/backup; the catalog views: sim/mssql/catalog; logins and the
// server roles' permission checks: sim/mssql/security; volumes, device
// pacing and xp_delete_file: sim/mssql/capacity; CREATE/ALTER/DROP
// DATABASE: sim/mssql/databases; CREATE/ALTER/DROP PROCEDURE and VIEW:
// sim/mssql/modules): catalog views get their object_id from its order;
// msdb's log-shipping tables exist before the Agent starts, and the Agent
// creates its tables before the backup history is read.
func DefaultFeatures() []Feature { return nil }
