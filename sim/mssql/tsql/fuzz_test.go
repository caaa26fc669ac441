package tsql

import (
	"errors"
	"strings"
	"testing"
)

// fuzzSeeds are statements the failback engine, the operators' procedure
// (reference §3, §4, §7.1-7.7) and the simulator's own checks send.
var fuzzSeeds = []string{
	"exec sp_delete_log_shipping_secondary_database mgc",
	"RESTORE LOG [mgc] FROM DISK = N'\\\\backup\\copy\\mgc_20240101.trn' WITH NORECOVERY",
	"exec sp_who2",
	"sp_who2",
	"kill 57",
	"restore database mgc with recovery",
	"ALTER DATABASE [mgc] SET PARTNER OFF;",
	"ALTER DATABASE [mgccomp] SET PARTNER OFF;",
	"BACKUP DATABASE [mgc] TO DISK = N'\\\\share\\logship\\mgc.bak' WITH NOFORMAT, NOINIT, NAME = N'mgc-Full Database Backup', SKIP, NOREWIND, NOUNLOAD, STATS = 10",
	"RESTORE DATABASE [mgc] FROM DISK = N'\\\\share\\logship\\mgc.bak' WITH FILE = 1, REPLACE, RECOVERY, MOVE N'mgc' TO N'/var/opt/mssql/data/mgc.mdf', MOVE N'mgc_log' TO N'/var/opt/mssql/data/mgc_log.ldf'",
	"RESTORE HEADERONLY FROM DISK = N'/share/mgc.bak'",
	"RESTORE FILELISTONLY FROM DISK = N'/share/mgc.bak' WITH FILE = 1",
	"RESTORE VERIFYONLY FROM DISK = N'/share/mgc.bak' WITH FILE = 1, CHECKSUM",
	"RESTORE DATABASE [mgc] FROM DISK = N'/share/mgc.bak' WITH NORECOVERY, REPLACE, STANDBY = N'/x/undo.tuf'",
	"DECLARE @LS_BackupJobId AS uniqueidentifier\nDECLARE @LS_PrimaryId AS uniqueidentifier\nDECLARE @SP_Add_RetCode As int\n" +
		"EXEC @SP_Add_RetCode = master.dbo.sp_add_log_shipping_primary_database @database = N'mgc', @backup_directory = N'/var/opt/mssql/tlogs', " +
		"@backup_share = N'\\\\share\\tlogs', @backup_job_name = N'LSBackup_mgc', @backup_retention_period = 4320, @backup_compression = 2, " +
		"@backup_threshold = 60, @threshold_alert_enabled = 1, @history_retention_period = 5760, @backup_job_id = @LS_BackupJobId OUTPUT, " +
		"@primary_id = @LS_PrimaryId OUTPUT, @overwrite = 1\n" +
		"IF (@@ERROR = 0 AND @SP_Add_RetCode = 0)\nBEGIN\n" +
		"DECLARE @LS_BackUpScheduleUID As uniqueidentifier\nDECLARE @LS_BackUpScheduleID AS int\n" +
		"EXEC msdb.dbo.sp_add_schedule @schedule_name = N'LSBackupSchedule', @enabled = 1, @freq_type = 4, @freq_interval = 1, " +
		"@freq_subday_type = 4, @freq_subday_interval = 15, @freq_recurrence_factor = 0, @active_start_date = 20170418, " +
		"@active_end_date = 99991231, @active_start_time = 0, @active_end_time = 235900, @schedule_uid = @LS_BackUpScheduleUID OUTPUT, " +
		"@schedule_id = @LS_BackUpScheduleID OUTPUT\n" +
		"EXEC msdb.dbo.sp_attach_schedule @job_id = @LS_BackupJobId, @schedule_id = @LS_BackUpScheduleID\n" +
		"EXEC msdb.dbo.sp_update_job @job_id = @LS_BackupJobId, @enabled = 1\nEND\n" +
		"EXEC master.dbo.sp_add_log_shipping_primary_secondary @primary_database = N'mgc', @secondary_server = N'backup', @secondary_database = N'mgc', @overwrite = 1",
	"DECLARE @LS_Secondary__CopyJobId AS uniqueidentifier, @LS_Secondary__RestoreJobId AS uniqueidentifier, @LS_Secondary__SecondaryId AS uniqueidentifier, @LS_Add_RetCode As int\n" +
		"EXEC @LS_Add_RetCode = master.dbo.sp_add_log_shipping_secondary_primary @primary_server = N'primary', @primary_database = N'mgc', " +
		"@backup_source_directory = N'\\\\share\\tlogs', @backup_destination_directory = N'/var/opt/mssql/copy', @copy_job_name = N'LSCopy_mgc', " +
		"@restore_job_name = N'LSRestore_mgc', @file_retention_period = 4320, @overwrite = 1, @copy_job_id = @LS_Secondary__CopyJobId OUTPUT, " +
		"@restore_job_id = @LS_Secondary__RestoreJobId OUTPUT, @secondary_id = @LS_Secondary__SecondaryId OUTPUT\n" +
		"EXEC master.dbo.sp_add_log_shipping_secondary_database @secondary_database = N'mgc', @primary_server = N'primary', @primary_database = N'mgc', " +
		"@restore_delay = 0, @restore_mode = 0, @disconnect_users = 0, @restore_threshold = 45, @threshold_alert_enabled = 1, @history_retention_period = 5760, @overwrite = 1",
	"EXECUTE msdb.dbo.sp_start_job N'LSBackup_mgc'",
	"EXEC msdb.dbo.sp_start_job @job_name = N'LSRestore_mgc'",
	"SELECT name, state_desc, recovery_model_desc, user_access_desc, is_in_standby FROM sys.databases WHERE name IN (N'mgc', N'mgccomp')",
	"SELECT d.name, m.mirroring_role_desc, m.mirroring_state_desc, m.mirroring_partner_name FROM sys.database_mirroring m JOIN sys.databases d ON d.database_id = m.database_id WHERE m.mirroring_guid IS NOT NULL",
	"SELECT COUNT(*) FROM sys.dm_exec_sessions WHERE database_id = DB_ID(N'mgc') AND session_id <> @@SPID",
	"SELECT TOP (1) bs.position, bmf.physical_device_name FROM msdb.dbo.backupset bs INNER JOIN msdb.dbo.backupmediafamily bmf ON bs.media_set_id = bmf.media_set_id WHERE bs.database_name = N'mgc' ORDER BY bs.backup_finish_date DESC",
	"SELECT * FROM sys.dm_os_file_exists(N'/share/mgc.bak')",
	"EXEC master.dbo.xp_fileexist N'/share/mgc.bak'",
	"SELECT role_desc, state_desc FROM sys.database_mirroring_endpoints",
	"SELECT servicename, status_desc FROM sys.dm_server_services",
	"SELECT secondary_database, last_restored_file, last_restored_date FROM msdb.dbo.log_shipping_monitor_secondary",
	"SELECT CHECKSUM_AGG(BINARY_CHECKSUM(*)) FROM dbo.tblChatMessage WITH (NOLOCK)",
	"SET NOCOUNT ON; SET XACT_ABORT ON; SELECT @@SERVERNAME, @@VERSION, SERVERPROPERTY('ProductVersion')",
	"CREATE ENDPOINT Mirroring STATE = STARTED AS TCP (LISTENER_PORT = 5022, LISTENER_IP = ALL) FOR DATABASE_MIRRORING (ROLE = PARTNER, AUTHENTICATION = WINDOWS NEGOTIATE, ENCRYPTION = REQUIRED ALGORITHM AES)",
	"GRANT CONNECT ON ENDPOINT::Mirroring TO [DOMAIN\\sqlsvc]",
	"CREATE LOGIN [DOMAIN\\sqlsvc] FROM WINDOWS",
	"ALTER DATABASE mgc SET PARTNER = 'TCP://primary.litwareinc.com:5022'",
	"ALTER DATABASE mgc SET SINGLE_USER WITH ROLLBACK IMMEDIATE; RESTORE DATABASE mgc FROM DISK = 'x' WITH REPLACE; ALTER DATABASE mgc SET MULTI_USER",
	"IF NOT EXISTS (SELECT 1 FROM sys.databases WHERE name = N'mgc') CREATE DATABASE [mgc] ON PRIMARY (NAME = N'mgc', FILENAME = N'/d/mgc.mdf', SIZE = 8MB) LOG ON (NAME = N'mgc_log', FILENAME = N'/d/mgc_log.ldf')",
	"CREATE TABLE dbo.tblChatMessage (id bigint IDENTITY(1,1) NOT NULL PRIMARY KEY, channel uniqueidentifier NOT NULL, body nvarchar(max) NULL, posted datetime2(3) NOT NULL DEFAULT SYSUTCDATETIME())",
	"BEGIN TRAN; INSERT INTO dbo.t (a, b) VALUES (1, N'x'), (2, N'y'); UPDATE dbo.t SET b = N'z' WHERE a = 1; DELETE FROM dbo.t WHERE a = 2; COMMIT TRAN",
	"BEGIN TRY RAISERROR(N'x %d', 16, 1, 5) END TRY BEGIN CATCH SELECT ERROR_NUMBER(), ERROR_MESSAGE(); THROW; END CATCH",
	"WHILE @i < 10 BEGIN SET @i += 1; IF @i % 2 = 0 CONTINUE; PRINT @i; END",
	"WAITFOR DELAY '00:00:00.100'",
	"SELECT CASE WHEN x IS NULL THEN 0 ELSE CONVERT(int, x) END FROM t WHERE y LIKE N'%a[_]b%' ESCAPE '\\' AND z BETWEEN 1 AND 2",
	"SELECT 'abc", "/* unclosed", "SELECT [x", "SELECT * FROM", "IF 1 PRINT 1", "GO", "SELECT 1\nGO",
	"MERGE t USING u ON 1 = 1 WHEN MATCHED THEN DELETE;",
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, batch string) {
		stmts, err := Parse(batch)
		lines := strings.Count(batch, "\n") + 1
		if err != nil {
			if stmts != nil {
				t.Fatalf("statements returned with error %v", err)
			}
			var se *SyntaxError
			var ue *UnsupportedError
			switch {
			case errors.As(err, &se):
				if se.Line < 1 || se.Line > lines || se.Msg == "" || se.Number == 0 {
					t.Fatalf("bad syntax error %+v for %d lines", se, lines)
				}
			case errors.As(err, &ue):
				if ue.Line < 1 || ue.Line > lines || ue.Feature == "" {
					t.Fatalf("bad unsupported error %+v", ue)
				}
			default:
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		for _, s := range stmts {
			if s == nil {
				t.Fatal("nil statement")
			}
			p := s.Position()
			if p.Line < 1 || p.Line > lines || p.Offset < 0 || p.Offset > len(batch) {
				t.Fatalf("bad position %+v", p)
			}
			_ = s.String()
		}
	})
}

// TestSeedsParse keeps the seed corpus honest: every seed that is meant to
// be valid must parse.
func TestSeedsParse(t *testing.T) {
	invalid := map[string]bool{"SELECT 'abc": true, "/* unclosed": true, "SELECT [x": true, "SELECT * FROM": true, "IF 1 PRINT 1": true,
		"MERGE t USING u ON 1 = 1 WHEN MATCHED THEN DELETE;": true}
	for _, s := range fuzzSeeds {
		_, err := Parse(s)
		if (err != nil) != invalid[s] {
			t.Errorf("Parse(%.60q): err = %v", s, err)
		}
	}
}

// BenchmarkParseLogShippingScript measures the largest batch the failback
// engine sends (the primary log-shipping configuration script).
func BenchmarkParseLogShippingScript(b *testing.B) {
	script := fuzzSeeds[14]
	b.SetBytes(int64(len(script)))
	for b.Loop() {
		if _, err := Parse(script); err != nil {
			b.Fatal(err)
		}
	}
}
