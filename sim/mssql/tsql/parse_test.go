package tsql

import (
	"strings"
	"testing"
)

// render prints a batch's statements joined by " ;; " so one table row shows
// how a whole batch parsed.
func render(stmts []Stmt) string {
	parts := make([]string, len(stmts))
	for i, s := range stmts {
		parts[i] = s.String()
	}
	return strings.Join(parts, " ;; ")
}

func TestParse(t *testing.T) {
	tests := []struct{ in, want string }{
		// batches, comments, GO
		{"SELECT 1", "SELECT 1"},
		{"SELECT 1;;\n\nSELECT 2;", "SELECT 1 ;; SELECT 2"},
		{"SELECT 1 /* /* nested */ still comment */ , 2 -- trailing", "SELECT 1, 2"},
		{"", ""},
		{"  -- only a comment\n", ""},
		{"GO", "EXEC* GO"},
		{"SELECT 1\nGO", "SELECT 1 AS GO"},
		{"sp_who2", "EXEC* sp_who2"},
		{"sp_who2 'active'", "EXEC* sp_who2 'active'"},
		{"SELEC 1", "EXEC* SELEC 1"},
		// SELECT
		{"SELECT TOP 10 PERCENT * FROM t ORDER BY 1", "SELECT TOP (10) PERCENT * FROM t ORDER BY 1"},
		{"SELECT TOP (5) WITH TIES a FROM t ORDER BY a", "SELECT TOP (5) WITH TIES a FROM t ORDER BY a"},
		{"SELECT DISTINCT a FROM t", "SELECT DISTINCT a FROM t"},
		{"SELECT t.*, x.y.* FROM t", "SELECT t.*, x.y.* FROM t"},
		{"SELECT COUNT(*), COUNT(DISTINCT a), BINARY_CHECKSUM(*), CHECKSUM_AGG(BINARY_CHECKSUM(*)) FROM t",
			"SELECT COUNT(*), COUNT(DISTINCT a), BINARY_CHECKSUM(*), CHECKSUM_AGG(BINARY_CHECKSUM(*)) FROM t"},
		{"SELECT SERVERPROPERTY('ProductVersion'), @@SERVERNAME, @@version, @@SPID, @@ROWCOUNT, @@TRANCOUNT, @@ERROR, @@IDENTITY, CURRENT_TIMESTAMP, USER",
			"SELECT SERVERPROPERTY('ProductVersion'), @@SERVERNAME, @@VERSION, @@SPID, @@ROWCOUNT, @@TRANCOUNT, @@ERROR, @@IDENTITY, CURRENT_TIMESTAMP, USER"},
		{"SELECT CAST(1.50 AS decimal(10,2)), CONVERT(nvarchar(max), 0x1A2, 1), TRY_CAST('x' AS int), TRY_CONVERT(int, 'x')",
			"SELECT CAST(1.50 AS DECIMAL(10,2)), CONVERT(NVARCHAR(MAX), 0x1A2, 1), TRY_CAST('x' AS INT), TRY_CONVERT(INT, 'x')"},
		{"SELECT CASE WHEN a = 1 THEN 'x' WHEN a IS NULL THEN 'n' ELSE 'y' END, CASE a WHEN 1 THEN 2 END FROM t",
			"SELECT CASE WHEN (a = 1) THEN 'x' WHEN (a IS NULL) THEN 'n' ELSE 'y' END, CASE a WHEN 1 THEN 2 END FROM t"},
		{"SELECT a FROM t WHERE a > ALL (SELECT b FROM u) AND b = SOME (SELECT c FROM v)",
			"SELECT a FROM t WHERE ((a > ALL (SELECT b FROM u)) AND (b = SOME (SELECT c FROM v)))"},
		{"SELECT 1 UNION ALL SELECT 2 UNION SELECT 3 ORDER BY 1", "((SELECT 1 UNION ALL SELECT 2) UNION SELECT 3) ORDER BY 1"},
		{"SELECT 1 EXCEPT SELECT 2 INTERSECT SELECT 3", "(SELECT 1 EXCEPT (SELECT 2 INTERSECT SELECT 3))"},
		{"(SELECT 1) UNION (SELECT 2)", "((SELECT 1) UNION (SELECT 2))"},
		{"SELECT d.name FROM sys.databases d LEFT OUTER JOIN sys.database_mirroring m ON d.database_id = m.database_id CROSS JOIN x RIGHT JOIN y ON 1 = 1 FULL JOIN z ON 1 = 1",
			"SELECT d.name FROM ((((sys.databases AS d LEFT JOIN sys.database_mirroring AS m ON (d.database_id = m.database_id)) CROSS JOIN x) RIGHT JOIN y ON (1 = 1)) FULL JOIN z ON (1 = 1))"},
		{"SELECT * FROM a, b AS c", "SELECT * FROM a, b AS c"},
		{"SELECT * FROM t CROSS APPLY f(t.a) x OUTER APPLY g() y", "SELECT * FROM ((t CROSS APPLY F(t.a) AS x) OUTER APPLY G() AS y)"},
		{"SELECT * FROM (SELECT 1 AS a) AS q (b)", "SELECT * FROM (SELECT 1 AS a) AS q (b)"},
		{"SELECT * FROM (VALUES (1, 'a'), (2, 'b')) v (n, s)", "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v (n, s)"},
		{"SELECT * FROM sys.dm_os_file_exists('/var/opt/x.bak') f", "SELECT * FROM sys.dm_os_file_exists('/var/opt/x.bak') AS f"},
		{"SELECT * FROM @t x", "SELECT * FROM @t AS x"},
		{"SELECT @a = 1, @b += 2 FROM t", "SELECT @a = 1, @b += 2 FROM t"},
		{"SELECT 'lit' AS \"quoted\", [bracket]]x] = 1, 2 'str', 3 AS N'nstr', 4 x", "SELECT 'lit' AS [quoted], 1 AS [bracket]]x], 2 AS [str], 3 AS [nstr], 4 AS x"},
		{"SELECT N'it''s', 'a' + 'b', 0x, 0xABC, 1e3, 2147483647, 2147483648, -2147483648, .5, 1., $1.25",
			"SELECT N'it''s', ('a' + 'b'), 0x, 0xABC, 1e3, 2147483647, 2147483648, (-2147483648), .5, 1., $1.25"},
		{"SELECT a FROM master..sysdatabases", "SELECT a FROM master..sysdatabases"},
		{"SELECT a FROM srv.db.dbo.t WITH (NOLOCK)", "SELECT a FROM srv.db.dbo.t WITH (NOLOCK)"},
		{"SELECT x FROM t GROUP BY x, y HAVING COUNT(*) > 1", "SELECT x FROM t GROUP BY x, y HAVING (COUNT(*) > 1)"},
		{"SELECT ROW_NUMBER() OVER (PARTITION BY a ORDER BY b DESC) FROM t", "SELECT ROW_NUMBER() OVER (PARTITION BY a ORDER BY b DESC) FROM t"},
		{"SELECT IIF(a > 1, 'a', 'b') FROM t", "SELECT IIF((a > 1), 'a', 'b') FROM t"},
		{"SELECT LEFT(name, 3), RIGHT(name, 2), COALESCE(a, b), NULLIF(a, b) FROM t", "SELECT LEFT(name, 3), RIGHT(name, 2), COALESCE(a, b), NULLIF(a, b) FROM t"},
		{"SELECT a COLLATE Latin1_General_CI_AS FROM t", "SELECT (a COLLATE Latin1_General_CI_AS) FROM t"},
		{"SELECT a FROM t ORDER BY a OFFSET 5 ROWS FETCH NEXT 10 ROWS ONLY", "SELECT a FROM t ORDER BY a OFFSET 5 ROWS FETCH NEXT 10 ROWS ONLY"},
		{"SELECT (SELECT MAX(a) FROM t) + 1", "SELECT ((SELECT MAX(a) FROM t) + 1)"},
		{"SELECT 1 FROM t WHERE ((a) + 1) = 2", "SELECT 1 FROM t WHERE ((((a) + 1)) = 2)"},
		{"SELECT dateadd(day, -1, getdate())", "SELECT DATEADD(day, (-1), GETDATE())"},
		// DML
		{"UPDATE t SET a = 1, b = DEFAULT, @v = c = c + 1 FROM t JOIN u ON t.id = u.id WHERE t.x = 2",
			"UPDATE t SET a = 1, b = DEFAULT, @v = c = (c + 1) FROM (t INNER JOIN u ON (t.id = u.id)) WHERE (t.x = 2)"},
		{"UPDATE TOP (1) t SET a += 1, @v = 2", "UPDATE TOP (1) t SET a += 1, @v = 2"},
		{"DELETE FROM t WHERE a = 1", "DELETE t WHERE (a = 1)"},
		{"DELETE t FROM t JOIN u ON t.a = u.a", "DELETE t FROM (t INNER JOIN u ON (t.a = u.a))"},
		{"INSERT INTO t (a, b) VALUES (1, 'x'), (2, DEFAULT)", "INSERT t (a, b) VALUES (1, 'x'), (2, DEFAULT)"},
		{"INSERT t SELECT * FROM u", "INSERT t SELECT * FROM u"},
		{"INSERT INTO t (a) EXEC sp_x 1", "INSERT t (a) EXEC sp_x 1"},
		{"INSERT INTO t DEFAULT VALUES", "INSERT t DEFAULT VALUES"},
		{"TRUNCATE TABLE dbo.t", "TRUNCATE TABLE dbo.t"},
		// DDL
		{"CREATE TABLE dbo.t (id int IDENTITY(1,1) NOT NULL PRIMARY KEY, name nvarchar(128) NULL DEFAULT N'', c decimal(25,0) CONSTRAINT df DEFAULT (0), g uniqueidentifier DEFAULT NEWID(), d datetime2(3), f float(53), b varbinary(max), s sysname, CONSTRAINT pk PRIMARY KEY CLUSTERED (id ASC, name DESC), UNIQUE (name))",
			"CREATE TABLE dbo.t (id INT IDENTITY(1,1) NOT NULL PRIMARY KEY, name NVARCHAR(128) NULL DEFAULT N'', c DECIMAL(25,0) CONSTRAINT df DEFAULT (0), g UNIQUEIDENTIFIER DEFAULT NEWID(), d DATETIME2(3), f FLOAT(53), b VARBINARY(MAX), s SYSNAME, CONSTRAINT pk PRIMARY KEY CLUSTERED (id, name DESC), UNIQUE (name))"},
		{"CREATE TABLE t (a int IDENTITY, b bit UNIQUE NONCLUSTERED, c int CHECK (c > 0)) ON [PRIMARY]",
			"CREATE TABLE t (a INT IDENTITY, b BIT UNIQUE NONCLUSTERED, c INT CHECK (c > 0))"},
		{"DROP TABLE IF EXISTS t, dbo.u", "DROP TABLE IF EXISTS t, dbo.u"},
		{"CREATE DATABASE mgc", "CREATE DATABASE mgc"},
		{"CREATE DATABASE mgc ON PRIMARY (NAME = mgc_data, FILENAME = '/var/opt/mssql/data/mgc.mdf', SIZE = 10MB, MAXSIZE = UNLIMITED, FILEGROWTH = 10%) LOG ON (NAME = 'mgc_log', FILENAME = '/x/mgc.ldf', SIZE = 5 MB)",
			"CREATE DATABASE mgc ON (NAME = N'mgc_data', FILENAME = '/var/opt/mssql/data/mgc.mdf', SIZE = 10MB, MAXSIZE = UNLIMITED, FILEGROWTH = 10%) LOG ON (NAME = 'mgc_log', FILENAME = '/x/mgc.ldf', SIZE = 5MB)"},
		{"DROP DATABASE IF EXISTS mgc", "DROP DATABASE IF EXISTS mgc"},
		{"DROP DATABASE a, [b c]", "DROP DATABASE a, [b c]"},
		{"CREATE UNIQUE NONCLUSTERED INDEX ix ON dbo.t (a, b DESC) INCLUDE (c) WHERE a > 1 WITH (FILLFACTOR = 80, ONLINE = ON)",
			"CREATE UNIQUE NONCLUSTERED INDEX ix ON dbo.t (a, b DESC) INCLUDE (c) WHERE (a > 1) WITH (FILLFACTOR = 80, ONLINE = ON)"},
		{"CREATE INDEX ix ON t (a)", "CREATE INDEX ix ON t (a)"},
		// ALTER DATABASE
		{"ALTER DATABASE [mgc] SET PARTNER OFF;", "ALTER DATABASE [mgc] SET PARTNER OFF"},
		{"ALTER DATABASE mgc SET RECOVERY FULL", "ALTER DATABASE mgc SET RECOVERY FULL"},
		{"ALTER DATABASE mgc SET RECOVERY bulk_logged", "ALTER DATABASE mgc SET RECOVERY BULK_LOGGED"},
		{"ALTER DATABASE mgc SET SINGLE_USER WITH ROLLBACK IMMEDIATE", "ALTER DATABASE mgc SET SINGLE_USER WITH ROLLBACK IMMEDIATE"},
		{"ALTER DATABASE CURRENT SET MULTI_USER, READ_WRITE WITH ROLLBACK AFTER 10 SECONDS", "ALTER DATABASE CURRENT SET MULTI_USER, READ_WRITE WITH ROLLBACK AFTER 10"},
		{"ALTER DATABASE mgc SET OFFLINE WITH NO_WAIT", "ALTER DATABASE mgc SET OFFLINE WITH NO_WAIT"},
		{"ALTER DATABASE mgc SET ONLINE", "ALTER DATABASE mgc SET ONLINE"},
		{"ALTER DATABASE mgc SET READ_ONLY", "ALTER DATABASE mgc SET READ_ONLY"},
		{"ALTER DATABASE mgc SET RESTRICTED_USER", "ALTER DATABASE mgc SET RESTRICTED_USER"},
		{"ALTER DATABASE mgc SET PARTNER = 'TCP://host:5022'", "ALTER DATABASE mgc SET PARTNER = 'TCP://host:5022'"},
		{"ALTER DATABASE mgc SET PARTNER SAFETY OFF", "ALTER DATABASE mgc SET PARTNER SAFETY OFF"},
		{"ALTER DATABASE mgc SET PARTNER TIMEOUT 20", "ALTER DATABASE mgc SET PARTNER TIMEOUT 20"},
		{"ALTER DATABASE mgc SET PARTNER FAILOVER", "ALTER DATABASE mgc SET PARTNER FAILOVER"},
		{"ALTER DATABASE mgc SET PARTNER RESUME", "ALTER DATABASE mgc SET PARTNER RESUME"},
		{"ALTER DATABASE mgc SET PARTNER SUSPEND", "ALTER DATABASE mgc SET PARTNER SUSPEND"},
		{"ALTER DATABASE mgc SET PARTNER FORCE_SERVICE_ALLOW_DATA_LOSS", "ALTER DATABASE mgc SET PARTNER FORCE_SERVICE_ALLOW_DATA_LOSS"},
		{"ALTER DATABASE mgc SET WITNESS = 'TCP://w:5022'", "ALTER DATABASE mgc SET WITNESS = 'TCP://w:5022'"},
		{"ALTER DATABASE mgc SET WITNESS OFF", "ALTER DATABASE mgc SET WITNESS OFF"},
		{"ALTER DATABASE mgc MODIFY NAME = mgc2", "ALTER DATABASE mgc MODIFY NAME = mgc2"},
		// flow control and session
		{"USE [master]", "USE [master]"},
		{"DECLARE @a int, @b nvarchar(max) = N'x', @c AS decimal(10, 2) = 1.5, @d sysname", "DECLARE @a INT, @b NVARCHAR(MAX) = N'x', @c DECIMAL(10,2) = 1.5, @d SYSNAME"},
		{"DECLARE @x int = 5; SET @x += 1; PRINT @x", "DECLARE @x INT = 5 ;; SET @x += 1 ;; PRINT @x"},
		{"BEGIN TRAN; COMMIT", "BEGIN TRAN ;; COMMIT TRAN"},
		{"BEGIN TRANSACTION t1 COMMIT TRANSACTION t1", "BEGIN TRAN t1 ;; COMMIT TRAN t1"},
		{"BEGIN TRAN @name ROLLBACK TRAN @name", "BEGIN TRAN @name ;; ROLLBACK TRAN @name"},
		{"ROLLBACK WORK", "ROLLBACK WORK"},
		{"COMMIT WORK", "COMMIT WORK"},
		{"SAVE TRANSACTION sp1", "SAVE TRAN sp1"},
		{"BEGIN TRY SELECT 1/0 END TRY BEGIN CATCH THROW; END CATCH", "BEGIN TRY SELECT (1 / 0); END TRY BEGIN CATCH THROW; END CATCH"},
		{"WHILE @i < 10 BEGIN SET @i = @i + 1; IF @i = 5 BREAK ELSE CONTINUE END", "WHILE (@i < 10) BEGIN SET @i = (@i + 1); IF (@i = 5) BREAK ELSE CONTINUE; END"},
		{"IF @x = 1 PRINT 'a' ELSE IF @x = 2 PRINT 'b' ELSE BEGIN PRINT 'c' END", "IF (@x = 1) PRINT 'a' ELSE IF (@x = 2) PRINT 'b' ELSE BEGIN PRINT 'c'; END"},
		{"IF NOT EXISTS (SELECT 1 FROM sys.databases WHERE name = N'mgc') CREATE DATABASE mgc", "IF (NOT EXISTS (SELECT 1 FROM sys.databases WHERE (name = N'mgc'))) CREATE DATABASE mgc"},
		{"IF (SELECT COUNT(*) FROM t) > 0 PRINT 'x'", "IF ((SELECT COUNT(*) FROM t) > 0) PRINT 'x'"},
		{"RETURN", "RETURN"},
		{"RETURN 5", "RETURN 5"},
		{"RETURN; SELECT 1", "RETURN ;; SELECT 1"},
		{"RAISERROR (N'msg %s', 16, 1, N'x') WITH NOWAIT, LOG", "RAISERROR(N'msg %s', 16, 1, N'x') WITH NOWAIT, LOG"},
		{"RAISERROR (50001, 10, 1) WITH SETERROR", "RAISERROR(50001, 10, 1) WITH SETERROR"},
		{"THROW 50000, 'boom', 1", "THROW 50000, 'boom', 1"},
		{"WAITFOR DELAY '00:00:01.500'", "WAITFOR DELAY '00:00:01.500'"},
		{"WAITFOR TIME @t", "WAITFOR TIME @t"},
		{"KILL 52", "KILL 52"},
		{"KILL 52 WITH STATUSONLY", "KILL 52 WITH STATUSONLY"},
		// EXEC
		{"exec sp_delete_log_shipping_secondary_database mgc", "EXEC sp_delete_log_shipping_secondary_database N'mgc'"},
		{"EXEC @rc = master.dbo.sp_add_log_shipping_primary_database @database = N'mgc', @backup_job_id = @job OUTPUT, @overwrite = 1",
			"EXEC @rc = master.dbo.sp_add_log_shipping_primary_database @database = N'mgc', @backup_job_id = @job OUTPUT, @overwrite = 1"},
		{"exec sp_attach_schedule @job_id, @schedule_id", "EXEC sp_attach_schedule @job_id, @schedule_id"},
		{"EXEC ('SELECT 1')", "EXEC ('SELECT 1')"},
		{"EXECUTE (@sql + N' x')", "EXEC ((@sql + N' x'))"},
		{"EXEC @procname 1, 'a'", "EXEC @procname 1, 'a'"},
		{"EXEC p -1, DEFAULT, NULL, @x OUT, [quoted], 0x01, 1.5", "EXEC p (-1), DEFAULT, NULL, @x OUTPUT, N'quoted', 0x01, 1.5"},
		{"EXEC p WITH RECOMPILE", "EXEC p WITH RECOMPILE"},
		{"EXEC sp_who2\nKILL 53", "EXEC sp_who2 ;; KILL 53"},
		// SET options
		{"SET NOCOUNT ON", "SET NOCOUNT ON"},
		{"SET nocount off", "SET NOCOUNT OFF"},
		{"SET ANSI_NULLS, QUOTED_IDENTIFIER ON", "SET ANSI_NULLS, QUOTED_IDENTIFIER ON"},
		{"SET TRANSACTION ISOLATION LEVEL READ COMMITTED", "SET TRANSACTION ISOLATION LEVEL READ COMMITTED"},
		{"SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"},
		{"SET TEXTSIZE 2147483647", "SET TEXTSIZE 2147483647"},
		{"SET LANGUAGE us_english", "SET LANGUAGE N'us_english'"},
		{"SET LANGUAGE N'Deutsch'", "SET LANGUAGE N'Deutsch'"},
		{"SET DATEFORMAT dmy", "SET DATEFORMAT DMY"},
		{"SET DATEFIRST 7", "SET DATEFIRST 7"},
		{"SET STATISTICS IO, TIME OFF", "SET STATISTICS IO, STATISTICS TIME OFF"},
		{"SET LOCK_TIMEOUT -1", "SET LOCK_TIMEOUT (-1)"},
		{"SET IDENTITY_INSERT dbo.t ON", "SET IDENTITY_INSERT dbo.t ON"},
		{"SET XACT_ABORT ON; SET IMPLICIT_TRANSACTIONS OFF; SET ARITHABORT ON; SET CONCAT_NULL_YIELDS_NULL ON; SET ANSI_WARNINGS ON; SET ANSI_PADDING ON; SET ANSI_NULL_DFLT_ON ON; SET NUMERIC_ROUNDABORT OFF",
			"SET XACT_ABORT ON ;; SET IMPLICIT_TRANSACTIONS OFF ;; SET ARITHABORT ON ;; SET CONCAT_NULL_YIELDS_NULL ON ;; SET ANSI_WARNINGS ON ;; SET ANSI_PADDING ON ;; SET ANSI_NULL_DFLT_ON ON ;; SET NUMERIC_ROUNDABORT OFF"},
		// backup and restore
		{"BACKUP DATABASE [mgc] TO DISK = N'\\\\share\\mgc.bak' WITH NOFORMAT, NOINIT, NAME = N'mgc-Full Database Backup', SKIP, NOREWIND, NOUNLOAD, STATS = 10",
			"BACKUP DATABASE [mgc] TO DISK = N'\\\\share\\mgc.bak' WITH NOFORMAT, NOINIT, NAME = N'mgc-Full Database Backup', SKIP, NOREWIND, NOUNLOAD, STATS = 10"},
		{"BACKUP LOG mgc TO DISK = @path WITH NORECOVERY, INIT, COMPRESSION, STATS", "BACKUP LOG mgc TO DISK = @path WITH NORECOVERY, INIT, COMPRESSION, STATS"},
		{"BACKUP DATABASE @db TO DISK = 'a', DISK = 'b' WITH COPY_ONLY, CHECKSUM, DESCRIPTION = 'd', MEDIANAME = 'm', FORMAT, DIFFERENTIAL, CONTINUE_AFTER_ERROR, NO_TRUNCATE, STANDBY = 'u'",
			"BACKUP DATABASE @db TO DISK = 'a', DISK = 'b' WITH COPY_ONLY, CHECKSUM, DESCRIPTION = 'd', MEDIANAME = 'm', FORMAT, DIFFERENTIAL, CONTINUE_AFTER_ERROR, NO_TRUNCATE, STANDBY = 'u'"},
		{"BACKUP DATABASE mgc TO mydevice", "BACKUP DATABASE mgc TO mydevice"},
		{"RESTORE DATABASE [mgc] FROM DISK = N'x' WITH FILE = 1, REPLACE, RECOVERY, MOVE 'mgc' TO '/var/x.mdf', MOVE N'mgc_log' TO N'/var/x.ldf'",
			"RESTORE DATABASE [mgc] FROM DISK = N'x' WITH FILE = 1, REPLACE, RECOVERY, MOVE 'mgc' TO '/var/x.mdf', MOVE N'mgc_log' TO N'/var/x.ldf'"},
		{"restore database mgc with recovery", "RESTORE DATABASE mgc WITH RECOVERY"},
		{"RESTORE LOG mgc FROM DISK = 'x.trn' WITH NORECOVERY", "RESTORE LOG mgc FROM DISK = 'x.trn' WITH NORECOVERY"},
		{"RESTORE DATABASE mgc FROM DISK = 'x' WITH STANDBY = '/x/undo.dat', STOPAT = '2024-01-01', STATS = 5, RESTRICTED_USER, KEEP_REPLICATION, NOUNLOAD, REWIND, CHECKSUM, NO_CHECKSUM",
			"RESTORE DATABASE mgc FROM DISK = 'x' WITH STANDBY = '/x/undo.dat', STOPAT = '2024-01-01', STATS = 5, RESTRICTED_USER, KEEP_REPLICATION, NOUNLOAD, REWIND, CHECKSUM, NO_CHECKSUM"},
		{"RESTORE HEADERONLY FROM DISK = N'/x/mgc.bak'", "RESTORE HEADERONLY FROM DISK = N'/x/mgc.bak'"},
		{"RESTORE FILELISTONLY FROM DISK = N'/x/mgc.bak' WITH FILE = 2", "RESTORE FILELISTONLY FROM DISK = N'/x/mgc.bak' WITH FILE = 2"},
		{"RESTORE VERIFYONLY FROM DISK = N'/x/mgc.bak' WITH FILE = 1, CHECKSUM, LOADHISTORY", "RESTORE VERIFYONLY FROM DISK = N'/x/mgc.bak' WITH FILE = 1, CHECKSUM, LOADHISTORY"},
		{"RESTORE LABELONLY FROM DISK = 'x'", "RESTORE LABELONLY FROM DISK = 'x'"},
		// endpoints and security
		{"CREATE ENDPOINT Mirroring STATE = STARTED AS TCP (LISTENER_PORT = 5022, LISTENER_IP = ALL) FOR DATABASE_MIRRORING (ROLE = PARTNER, AUTHENTICATION = WINDOWS NEGOTIATE, ENCRYPTION = REQUIRED ALGORITHM AES)",
			"CREATE ENDPOINT Mirroring STATE = STARTED AS TCP (LISTENER_PORT = 5022, LISTENER_IP = ALL) FOR DATABASE_MIRRORING (ROLE = PARTNER, AUTHENTICATION = WINDOWS NEGOTIATE, ENCRYPTION = REQUIRED ALGORITHM AES)"},
		{"CREATE ENDPOINT [Mirroring] AUTHORIZATION [sa] STATE = STARTED AS TCP (LISTENER_PORT = 5022, LISTENER_IP = (127.0.0.1)) FOR DATABASE_MIRRORING (ROLE = ALL)",
			"CREATE ENDPOINT [Mirroring] AUTHORIZATION [sa] STATE = STARTED AS TCP (LISTENER_PORT = 5022, LISTENER_IP = (127.0.0.1)) FOR DATABASE_MIRRORING (ROLE = ALL)"},
		{"ALTER ENDPOINT Mirroring STATE = STOPPED", "ALTER ENDPOINT Mirroring STATE = STOPPED"},
		{"DROP ENDPOINT Mirroring", "DROP ENDPOINT Mirroring"},
		{"GRANT CONNECT ON ENDPOINT::Mirroring TO [DOMAIN\\svc]", "GRANT CONNECT ON ENDPOINT::Mirroring TO [DOMAIN\\svc]"},
		{"GRANT VIEW SERVER STATE, ALTER ANY DATABASE TO public, x", "GRANT VIEW SERVER STATE, ALTER ANY DATABASE TO public, x"},
		{"CREATE LOGIN [DOMAIN\\svc] FROM WINDOWS", "CREATE LOGIN [DOMAIN\\svc] FROM WINDOWS"},
		{"CREATE LOGIN lsuser WITH PASSWORD = 'Secret123!', CHECK_POLICY = OFF, DEFAULT_DATABASE = [master]",
			"CREATE LOGIN lsuser WITH PASSWORD = '****', CHECK_POLICY = OFF, DEFAULT_DATABASE = N'master'"},
	}
	for _, tc := range tests {
		stmts, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if got := render(stmts); got != tc.want {
			t.Errorf("Parse(%q)\n got: %s\nwant: %s", tc.in, got, tc.want)
		}
	}
}

// TestPasswordNeverPrinted guards the rule that secrets stay out of logs.
func TestPasswordNeverPrinted(t *testing.T) {
	stmts, err := Parse("CREATE LOGIN x WITH PASSWORD = N'Sup3r$ecret', CHECK_POLICY = OFF; BACKUP DATABASE d TO DISK = 'x' WITH PASSWORD = 'Sup3r$ecret', MEDIAPASSWORD = 'Sup3r$ecret'")
	if err != nil {
		t.Fatal(err)
	}
	if s := render(stmts); strings.Contains(s, "Sup3r") {
		t.Fatalf("password printed: %s", s)
	}
}
