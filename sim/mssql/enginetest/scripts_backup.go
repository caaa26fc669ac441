package enginetest

// BackupScripts are BACKUP/RESTORE scenarios (issue 3) run through
// go-mssqldb against a durable instance whose default C:\ drive the service
// account may write: each rule's error number and its 3013 companion.
var BackupScripts = []ScriptTest{
	{
		Name:  "backup and restore a copy with move",
		Setup: []string{"CREATE DATABASE mgc", "CREATE TABLE mgc.dbo.t (a INT PRIMARY KEY, b NVARCHAR(20))", "INSERT mgc.dbo.t VALUES (1, N'x'), (2, N'y')"},
		Assertions: []Assertion{
			{Query: `BACKUP DATABASE mgc TO DISK = N'C:\mgc.bak' WITH INIT, CHECKSUM, NAME = N'mgc full'`, Exec: true, Affected: -1},
			{Query: `RESTORE VERIFYONLY FROM DISK = N'C:\mgc.bak' WITH CHECKSUM`, Exec: true, Affected: -1},
			{Query: `RESTORE DATABASE mgc_copy FROM DISK = N'C:\mgc.bak' WITH MOVE 'mgc' TO '/var/opt/mssql/data/mgc_copy.mdf', MOVE 'mgc_log' TO '/var/opt/mssql/data/mgc_copy_log.ldf'`, Exec: true, Affected: -1},
			{Query: "SELECT COUNT(*) FROM mgc_copy.dbo.t", Expected: [][]any{{2}}},
			// The backup's row, and the restored set's row RESTORE loads.
			{Query: "SELECT COUNT(*) FROM msdb.dbo.backupset WHERE database_name = N'mgc' AND type = 'D' AND has_backup_checksums = 1", Expected: [][]any{{2}}},
			{Query: "SELECT COUNT(*) FROM msdb.dbo.restorehistory WHERE destination_database_name = N'mgc_copy' AND restore_type = 'D' AND [recovery] = 1", Expected: [][]any{{1}}},
		},
	},
	{
		Name:  "restore rules",
		Setup: []string{"CREATE DATABASE mgc", "CREATE DATABASE other", "CREATE TABLE mgc.dbo.t (a INT)", `BACKUP DATABASE mgc TO DISK = N'C:\mgc.bak' WITH INIT`},
		Assertions: []Assertion{
			{Query: `RESTORE DATABASE other FROM DISK = N'C:\mgc.bak'`, ErrNumbers: []int32{3154, 3013}},
			{Query: "INSERT mgc.dbo.t VALUES (1)", Exec: true, Affected: 1},
			{Query: `RESTORE DATABASE mgc FROM DISK = N'C:\mgc.bak'`, ErrNumbers: []int32{3159, 3013}, ErrContains: "RESTORE DATABASE is terminating abnormally."},
			{Query: `RESTORE DATABASE mgc FROM DISK = N'C:\missing.bak'`, ErrNumbers: []int32{3201, 3013}},
			{Query: `RESTORE LOG other FROM DISK = N'C:\mgc.bak'`, ErrNumbers: []int32{3135, 3013}},
			{Query: `BACKUP LOG other TO DISK = N'C:\other.trn'`, ErrNumbers: []int32{4214, 3013}, ErrContains: "BACKUP LOG is terminating abnormally."},
			{Query: `RESTORE DATABASE mgc FROM DISK = N'C:\mgc.bak' WITH REPLACE, NORECOVERY`, Exec: true, Affected: -1},
			{Query: "SELECT state_desc FROM sys.databases WHERE name = N'mgc'", Expected: [][]any{{"RESTORING"}}},
			{Query: "SELECT * FROM mgc.dbo.t", ErrNumber: 927},
			{Query: `BACKUP DATABASE mgc TO DISK = N'C:\x.bak'`, ErrNumbers: []int32{927, 3013}},
			{Query: "RESTORE DATABASE mgc WITH RECOVERY", Exec: true, Affected: -1},
			{Query: "SELECT COUNT(*) FROM mgc.dbo.t", Expected: [][]any{{0}}},
			{Query: `RESTORE LOG mgc FROM DISK = N'C:\mgc.bak'`, ErrNumbers: []int32{3135, 3013}},
		},
	},
	{
		Name:  "files as the service account",
		Setup: []string{`EXEC master.dbo.xp_create_subdir N'C:\LogShip\mgc'`},
		Assertions: []Assertion{
			{Query: `EXEC master.dbo.xp_fileexist N'C:\LogShip\mgc'`, Expected: [][]any{{0, 1, 1}}},
			{Query: `SELECT file_exists, file_is_a_directory, parent_directory_exists FROM sys.dm_os_file_exists(N'C:\LogShip\nope.trn')`, Expected: [][]any{{false, false, true}}},
			{Query: `EXEC master.sys.xp_dirtree N'C:\LogShip', 1, 1`, Expected: [][]any{{"mgc", 1, 0}}},
		},
	},
}

// RecoveryModelScripts: switching to SIMPLE breaks the log chain.
var RecoveryModelScripts = []ScriptTest{
	{
		Name: "switching to simple recovery breaks the log backup chain",
		Setup: []string{
			"CREATE DATABASE chain",
			"ALTER DATABASE chain SET RECOVERY FULL",
			"CREATE TABLE chain.dbo.t (id int PRIMARY KEY)",
			`BACKUP DATABASE chain TO DISK = N'C:\chain_full.bak' WITH INIT`,
			"INSERT chain.dbo.t VALUES (1)",
			`BACKUP LOG chain TO DISK = N'C:\chain_log1.trn' WITH INIT`,
			"ALTER DATABASE chain SET RECOVERY SIMPLE",
			"ALTER DATABASE chain SET RECOVERY FULL",
			"INSERT chain.dbo.t VALUES (2)",
		},
		Assertions: []Assertion{
			{Query: `BACKUP LOG chain TO DISK = N'C:\chain_log2.trn' WITH INIT`, ErrNumbers: []int32{4214, 3013}},
			{Query: `BACKUP DATABASE chain TO DISK = N'C:\chain_full2.bak' WITH INIT`, Exec: true, Affected: -1},
			{Query: `BACKUP LOG chain TO DISK = N'C:\chain_log2.trn' WITH INIT`, Exec: true, Affected: -1},
		},
	},
}
