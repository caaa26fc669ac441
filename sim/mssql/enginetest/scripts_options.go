package enginetest

import "time"

// OptionScripts are SET options that change whether and how statements run
// (issue 14): SET FMTONLY ON returns metadata only, SET NOEXEC ON and SET
// PARSEONLY ON execute nothing. Accepting them and running the statements
// anyway was a silent wrong success (freebcp loops forever on FMTONLY).
var OptionScripts = []ScriptTest{
	{
		Name:  "SET FMTONLY ON returns a SELECT's columns and no rows",
		Setup: []string{"CREATE TABLE dbo.f (id int, name nvarchar(10))", "INSERT INTO dbo.f VALUES (1, N'a'), (2, N'b')"},
		Assertions: []Assertion{
			{Query: "SET FMTONLY ON; SELECT id, name FROM dbo.f; SET FMTONLY OFF", Columns: []string{"id", "name"}, Expected: [][]any{}},
			{Query: "SET FMTONLY ON; SELECT 1/0 AS q; SET FMTONLY OFF", Columns: []string{"q"}, Expected: [][]any{}},
			{Query: "SET FMTONLY ON; INSERT INTO dbo.f VALUES (3, N'c'); DELETE FROM dbo.f; SET FMTONLY OFF", Exec: true, Affected: -1},
			{Query: "SELECT count(*) FROM dbo.f", Expected: [][]any{{2}}},
			// No condition is evaluated and a loop body is gone through once.
			{Query: "SET FMTONLY ON; WHILE EXISTS (SELECT * FROM dbo.f) DELETE FROM dbo.f; SET FMTONLY OFF", Exec: true, Affected: -1},
			{Query: "SELECT count(*) FROM dbo.f", Expected: [][]any{{2}}},
			// The metadata still needs the table: a missing one is 208.
			{Query: "SET FMTONLY ON; SELECT * FROM dbo.missing; SET FMTONLY OFF", ErrNumber: 208},
			{Query: "SET FMTONLY OFF; SELECT count(*) FROM dbo.f", Expected: [][]any{{2}}},
		},
	},
	{
		Name:  "SET NOEXEC ON executes nothing until SET NOEXEC OFF",
		Setup: []string{"CREATE TABLE dbo.n (id int)"},
		Assertions: []Assertion{
			{Query: "SET NOEXEC ON; INSERT INTO dbo.n VALUES (1); SELECT 1/0; SET NOEXEC OFF", Exec: true, Affected: -1},
			{Query: "SELECT count(*) FROM dbo.n", Expected: [][]any{{0}}},
			{Query: "SET NOEXEC ON", Exec: true, Affected: -1},
			{Query: "INSERT INTO dbo.n VALUES (2)", Exec: true, Affected: -1},
			{Query: "SET NOEXEC OFF; SELECT count(*) FROM dbo.n", Expected: [][]any{{0}}},
		},
	},
	{
		Name:  "SET PARSEONLY ON parses and executes nothing",
		Setup: []string{"CREATE TABLE dbo.p (id int)"},
		Assertions: []Assertion{
			{Query: "SET PARSEONLY ON; INSERT INTO dbo.p VALUES (1); SET PARSEONLY OFF", Exec: true, Affected: -1},
			{Query: "SELECT count(*) FROM dbo.p", Expected: [][]any{{0}}},
			// Still a syntax check.
			{Query: "SET PARSEONLY ON; SELECT FROM WHERE; SET PARSEONLY OFF", ErrNumber: 156},
			// A run-time error would show that the statement ran.
			{Query: "SET PARSEONLY ON; SELECT 1/0", Exec: true, Affected: -1},
			{Query: "SELECT 1/0", Exec: true, Affected: -1},
			{Query: "SET PARSEONLY OFF; SELECT count(*) FROM dbo.p", Expected: [][]any{{0}}},
		},
	},
}

// GlobalScripts are session and server globals real clients read (issue 14):
// @@OPTIONS carries every SET option's bit (Microsoft's @@OPTIONS and
// "user options" pages), @@VERSION describes a Windows server, as the
// production instances the harness stands in for are.
var GlobalScripts = []ScriptTest{
	{
		Name: "@@OPTIONS reflects every SET option",
		Assertions: []Assertion{
			// SSMS's and ODBC's usual 5496: ANSI_WARNINGS, ANSI_PADDING,
			// ANSI_NULLS, ARITHABORT, QUOTED_IDENTIFIER, ANSI_NULL_DFLT_ON,
			// CONCAT_NULL_YIELDS_NULL.
			{Query: "SELECT @@OPTIONS", Expected: [][]any{{5496}}},
			{Query: "SET ARITHIGNORE ON; SELECT @@OPTIONS & 128", Expected: [][]any{{128}}},
			{Query: "SET CURSOR_CLOSE_ON_COMMIT ON; SELECT @@OPTIONS & 4", Expected: [][]any{{4}}},
			{Query: "SET NUMERIC_ROUNDABORT ON; SELECT @@OPTIONS & 8192", Expected: [][]any{{8192}}},
			{Query: "SET ANSI_NULL_DFLT_OFF ON; SELECT @@OPTIONS & 3072", Expected: [][]any{{2048}}},
			// ... and it decides a column declared neither NULL nor NOT NULL.
			{Query: "CREATE TABLE #nd (a int); INSERT INTO #nd VALUES (NULL)", ErrNumber: 515},
			{Query: "SET ANSI_NULL_DFLT_ON ON; SELECT @@OPTIONS & 3072", Expected: [][]any{{1024}}},
			{Query: "SET ARITHIGNORE OFF; SET NUMERIC_ROUNDABORT OFF; SET CURSOR_CLOSE_ON_COMMIT OFF; SET ANSI_DEFAULTS ON; SELECT @@OPTIONS & (2 | 4 | 8 | 16 | 32 | 256 | 1024)", Expected: [][]any{{1342}}},
			{Query: "SET ANSI_DEFAULTS OFF; SELECT @@OPTIONS & (2 | 4 | 8 | 16 | 32 | 256 | 1024)", Expected: [][]any{{0}}},
		},
	},
	{
		Name: "@@VERSION describes SQL Server on Windows",
		Assertions: []Assertion{
			{Query: "SELECT CASE WHEN @@VERSION LIKE 'Microsoft SQL Server 2022 %on Windows Server%' THEN 1 ELSE 0 END", Expected: [][]any{{1}}},
			{Query: "SELECT CASE WHEN @@VERSION LIKE '%Linux%' THEN 1 ELSE 0 END", Expected: [][]any{{0}}},
		},
	},
}

// TypeScripts are the date and time types that keep their values (issue
// 14): datetimeoffset keeps its offset and takes offset literals;
// smalldatetime and time are types of their own, not datetime or datetime2.
var TypeScripts = []ScriptTest{
	{
		Name: "datetimeoffset keeps its offset",
		Setup: []string{"CREATE TABLE dbo.dto (id int, v datetimeoffset(3))",
			"INSERT INTO dbo.dto VALUES (1, '2010-11-15T11:56:45.123+14:00'), (2, '2010-11-15 11:56:45.123 -07:30'), (3, '2010-11-15T11:56:45')"},
		Assertions: []Assertion{
			{Query: "SELECT CAST(v AS nvarchar(40)) FROM dbo.dto ORDER BY id", Expected: [][]any{
				{"2010-11-15 11:56:45.123 +14:00"}, {"2010-11-15 11:56:45.123 -07:30"}, {"2010-11-15 11:56:45.000 +00:00"}}},
			// Ordered and compared by instant: +14:00 is earliest.
			{Query: "SELECT id FROM dbo.dto ORDER BY v", Expected: [][]any{{1}, {3}, {2}}},
			// To datetime2 by its local wall clock.
			{Query: "SELECT CAST(CAST('2010-11-15T11:56:45.123+14:00' AS datetimeoffset(7)) AS datetime2(3))", Expected: [][]any{{time.Date(2010, 11, 15, 11, 56, 45, 123e6, time.UTC)}}},
			{Query: "SELECT CONVERT(nvarchar(40), CAST('0001-01-01T00:00:00.0000000+00:00' AS datetimeoffset(7)), 127)", Expected: [][]any{{"0001-01-01T00:00:00Z"}}},
			{Query: "SELECT CAST('2010-11-15T11:56:45.123+15:00' AS datetimeoffset)", ErrNumber: 241},
			{Query: "SELECT CAST('2010-11-15T11:56:45.123+14:00' AS datetime)", ErrNumber: 241},
		},
	},
	{
		Name:  "smalldatetime rounds to the minute",
		Setup: []string{"CREATE TABLE dbo.sdt (v smalldatetime)", "INSERT INTO dbo.sdt VALUES ('2007-05-09 23:39:29.998'), ('2007-05-09 23:39:30')"},
		Assertions: []Assertion{
			{Query: "SELECT CONVERT(varchar(30), v, 120) FROM dbo.sdt ORDER BY v", Expected: [][]any{{"2007-05-09 23:39:00"}, {"2007-05-09 23:40:00"}}},
			{Query: "SELECT CAST('2079-06-07' AS smalldatetime)", ErrNumber: 242},
			{Query: "SELECT CONVERT(varchar(30), CAST(1.5 AS smalldatetime), 120)", Expected: [][]any{{"1900-01-02 12:00:00"}}},
			{Query: "SELECT DATA_TYPE FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_NAME = 'sdt'", Expected: [][]any{{"smalldatetime"}}},
		},
	},
	{
		Name:  "time is a type of its own",
		Setup: []string{"DECLARE @t time(3) = '11:56:45.1234'"},
		Assertions: []Assertion{
			{Query: "DECLARE @t time(3) = '11:56:45.1236'; SELECT CAST(@t AS varchar(20))", Expected: [][]any{{"11:56:45.124"}}},
			{Query: "SELECT CAST(CAST(CAST('2010-11-15T23:59:59.9999999' AS datetime2(7)) AS time(7)) AS varchar(30))", Expected: [][]any{{"23:59:59.9999999"}}},
			{Query: "SELECT CAST(CAST('11:56:45' AS time(0)) AS datetime)", Expected: [][]any{{time.Date(1900, 1, 1, 11, 56, 45, 0, time.UTC)}}},
			{Query: "SELECT CAST(CAST('2010-11-15' AS date) AS time)", ErrNumber: 529},
		},
	},
}

// CollationScripts: character data under the modelled collations (the
// Latin1, Cyrillic, Polish, Greek, Japanese and Chinese PRC _CI_AS ones).
// A varchar holds bytes of its collation's code page: a character the code
// page lacks becomes '?', DATALENGTH and the length limit count those
// bytes, and the value reaches a client as those bytes under the column's
// TDS collation (the over-the-wire runner decodes them with go-mssqldb's
// own code-page tables). Other collations are refused (448) rather than
// accepted and ignored: comparison here is case-insensitive and
// accent-sensitive only, and Czech's "ch" ordering is not modelled.
var CollationScripts = []ScriptTest{
	{
		Name: "only the modelled CI_AS collations are taken",
		Assertions: []Assertion{
			{Query: "CREATE TABLE dbo.c1 (v varchar(20) COLLATE SQL_Latin1_General_CP1_CI_AS, w varchar(20) COLLATE Latin1_General_CI_AS)", Exec: true, Affected: -1},
			{Query: "CREATE TABLE dbo.c3 (v varchar(20) COLLATE Latin1_General_CS_AS)", ErrNumber: 448},
			{Query: "CREATE TABLE dbo.c4 (v varchar(20) COLLATE Czech_CI_AS)", ErrNumber: 448},
			{Query: "SELECT CASE WHEN 'a' = 'A' COLLATE Latin1_General_CS_AS THEN 1 ELSE 0 END", ErrNumber: 448},
			{Query: "SELECT CASE WHEN 'a' = 'A' COLLATE SQL_Latin1_General_CP1_CI_AS THEN 1 ELSE 0 END", Expected: [][]any{{1}}},
		},
	},
	{
		Name: "varchar under a non-Latin collation round-trips through its code page",
		Setup: []string{
			"CREATE TABLE dbo.cp (id int, lat varchar(20), cyr varchar(20) COLLATE Cyrillic_General_CI_AS, pl varchar(20) COLLATE Polish_CI_AS, el varchar(20) COLLATE Greek_CI_AS)",
			"INSERT INTO dbo.cp VALUES (1, N'привет', N'привет', N'zażółć', N'αβγ')",
			"INSERT INTO dbo.cp VALUES (2, N'café', N'café', N'café', N'café')",
		},
		Assertions: []Assertion{
			{Query: "SELECT lat, cyr, pl, el FROM dbo.cp ORDER BY id", Expected: [][]any{
				{"??????", "привет", "zażółć", "αβγ"},
				{"café", "caf?", "café", "caf?"},
			}},
			{Query: "SELECT DATALENGTH(cyr), CAST(cyr AS varbinary(20)), CAST(pl AS varbinary(20)), CAST(el AS varbinary(20)) FROM dbo.cp WHERE id = 1",
				Expected: [][]any{{6, "0xEFF0E8E2E5F2", "0x7A61BFF3B3E6", "0xE1E2E3"}}},
			{Query: "SELECT DATALENGTH(lat), CAST(lat AS varbinary(20)) FROM dbo.cp WHERE id = 2", Expected: [][]any{{4, "0x636166E9"}}},
			// Comparison and LIKE see the characters.
			{Query: "SELECT id FROM dbo.cp WHERE cyr = N'ПРИВЕТ'", Expected: [][]any{{1}}},
			{Query: "SELECT id FROM dbo.cp WHERE cyr LIKE N'при%'", Expected: [][]any{{1}}},
			// A Cyrillic value assigned to a Latin variable loses its letters.
			{Query: "DECLARE @v varchar(20); SELECT @v = cyr FROM dbo.cp WHERE id = 1; SELECT @v", Expected: [][]any{{"??????"}}},
			{Query: "SELECT name, collation_name FROM sys.columns WHERE object_id = OBJECT_ID('dbo.cp') AND name IN ('cyr', 'el') ORDER BY name",
				Expected: [][]any{{"cyr", "Cyrillic_General_CI_AS"}, {"el", "Greek_CI_AS"}}},
		},
	},
	{
		Name: "varchar under a double-byte code page counts bytes",
		Setup: []string{
			"CREATE TABLE dbo.dbcs (ja varchar(4) COLLATE Japanese_CI_AS, zh varchar(4) COLLATE Chinese_PRC_CI_AS)",
		},
		Assertions: []Assertion{
			{Query: "INSERT INTO dbo.dbcs VALUES (N'日本', N'中文')", Exec: true, Affected: 1},
			{Query: "SELECT ja, zh, DATALENGTH(ja), LEN(ja), CAST(ja AS varbinary(4)), CAST(zh AS varbinary(4)) FROM dbo.dbcs",
				Expected: [][]any{{"日本", "中文", 4, 2, "0x93FA967B", "0xD6D0CEC4"}}},
			// Three characters are six bytes: too long for varchar(4).
			{Query: "INSERT INTO dbo.dbcs VALUES (N'日本語', NULL)", ErrNumber: 2628},
		},
	},
	{
		Name:  "a database's collation is its columns' default",
		Setup: []string{"CREATE DATABASE cyr COLLATE Cyrillic_General_CI_AS"},
		Assertions: []Assertion{
			{Query: "SELECT collation_name FROM sys.databases WHERE name = 'cyr'", Expected: [][]any{{"Cyrillic_General_CI_AS"}}},
			{Query: "SELECT CAST(DATABASEPROPERTYEX('cyr', 'Collation') AS nvarchar(128))", Expected: [][]any{{"Cyrillic_General_CI_AS"}}},
			{Query: "CREATE TABLE cyr.dbo.t (v varchar(10)); INSERT INTO cyr.dbo.t VALUES (N'мир')", Exec: true, Affected: 1},
			{Query: "SELECT v, DATALENGTH(v) FROM cyr.dbo.t", Expected: [][]any{{"мир", 3}}},
			{Query: "SELECT collation_name FROM cyr.sys.columns WHERE object_id = OBJECT_ID('cyr.dbo.t')", Expected: [][]any{{"Cyrillic_General_CI_AS"}}},
		},
	},
}

// ConstraintScripts: a constraint that cannot be created is its specific
// error followed by 1750, as SQL Server sends them (go-mssqldb's
// TestMultipleErrors reads both).
var ConstraintScripts = []ScriptTest{
	{
		Name: "a primary key on a nullable column is 8111 then 1750",
		Assertions: []Assertion{
			{Query: "CREATE TABLE #bad (id int NULL PRIMARY KEY)", ErrNumbers: []int32{8111, 1750}},
			{Query: "CREATE TABLE #bad2 (id int NULL, CONSTRAINT pk_bad2 PRIMARY KEY (id))", ErrNumbers: []int32{8111, 1750}},
			{Query: "BEGIN TRY CREATE TABLE #bad3 (id int NULL PRIMARY KEY) END TRY BEGIN CATCH SELECT ERROR_NUMBER() END CATCH", Expected: [][]any{{1750}}},
		},
	},
}

// BackupErrorScripts: the errors a DBA's backup script meets, as SQL Server
// gives them (issue 14). A durable instance whose C:\ the service may write.
var BackupErrorScripts = []ScriptTest{
	{
		Name:  "backup to a missing folder and an unknown option",
		Setup: []string{"CREATE DATABASE bk"},
		Assertions: []Assertion{
			{Query: `BACKUP DATABASE bk TO DISK = N'C:\nosuchdir\bk.bak'`, ErrNumbers: []int32{3201, 3013},
				ErrContains: "BACKUP DATABASE is terminating abnormally."},
			{Query: `BEGIN TRY BACKUP DATABASE bk TO DISK = N'C:\nosuchdir\bk.bak' END TRY BEGIN CATCH SELECT ERROR_NUMBER() END CATCH`, Expected: [][]any{{3013}}},
			{Query: `BACKUP DATABASE bk TO DISK = N'C:\bk.bak' WITH FOOBAR`, ErrNumber: 155, ErrContains: "'FOOBAR' is not a recognized BACKUP option."},
			{Query: `RESTORE DATABASE bk FROM DISK = N'C:\bk.bak' WITH FOOBAR`, ErrNumber: 155, ErrContains: "'FOOBAR' is not a recognized RESTORE option."},
		},
	},
}

// ClientCatalogScripts: what client tools and drivers' tests read
// (issue 14): sp_databases, sys.dm_exec_connections.
var ClientCatalogScripts = []ScriptTest{
	{
		Name:  "sp_databases lists the online databases with their size",
		Setup: []string{"CREATE DATABASE zeta", "CREATE DATABASE alpha"},
		Assertions: []Assertion{
			{Query: "EXEC sp_databases", Columns: []string{"DATABASE_NAME", "DATABASE_SIZE", "REMARKS"},
				Expected: [][]any{{"alpha", 16384, nil}, {"master", 16384, nil}, {"model", 16384, nil}, {"msdb", 16384, nil}, {"tempdb", 16384, nil}, {"zeta", 16384, nil}}},
		},
	},
	{
		Name: "sys.dm_exec_connections describes this TCP connection",
		Assertions: []Assertion{
			{Query: "SELECT net_transport, protocol_type, auth_scheme, encrypt_option, client_net_address, local_net_address, CASE WHEN local_tcp_port > 0 AND client_tcp_port > 0 THEN 1 ELSE 0 END FROM sys.dm_exec_connections WHERE session_id = @@SPID",
				Expected: [][]any{{"TCP", "TSQL", "SQL", "FALSE", "127.0.0.1", "127.0.0.1", 1}}},
			{Query: "SELECT COUNT(*) FROM sys.dm_exec_connections c JOIN sys.dm_exec_sessions s ON s.session_id = c.session_id WHERE c.session_id = @@SPID", Expected: [][]any{{1}}},
		},
	},
}

// DDLScripts: the T-SQL SSMS scripts for tables (issue 14).
var DDLScripts = []ScriptTest{
	{
		Name: "SSMS's scripted CREATE TABLE",
		Assertions: []Assertion{
			{Query: `CREATE TABLE [dbo].[ssms](
	[id] [int] IDENTITY(1,1) NOT NULL,
	[name] [nvarchar](50) NULL,
	[body] [nvarchar](max) NULL,
 CONSTRAINT [PK_ssms] PRIMARY KEY CLUSTERED 
(
	[id] ASC
)WITH (PAD_INDEX = OFF, STATISTICS_NORECOMPUTE = OFF, IGNORE_DUP_KEY = OFF, ALLOW_ROW_LOCKS = ON, ALLOW_PAGE_LOCKS = ON, OPTIMIZE_FOR_SEQUENTIAL_KEY = OFF) ON [PRIMARY]
) ON [PRIMARY] TEXTIMAGE_ON [PRIMARY]`, Exec: true, Affected: -1},
			{Query: "INSERT INTO dbo.ssms (name) VALUES (N'a'); SELECT id, name FROM dbo.ssms", Expected: [][]any{{1, "a"}}},
			{Query: "SELECT name FROM sys.indexes WHERE object_id = OBJECT_ID('dbo.ssms') AND is_primary_key = 1", Expected: [][]any{{"PK_ssms"}}},
			// Behaviour the simulator does not model is refused, not ignored.
			{Query: "CREATE TABLE dbo.dup (id int NOT NULL, CONSTRAINT pk_dup PRIMARY KEY (id) WITH (IGNORE_DUP_KEY = ON))", ErrNumber: 40000},
			{Query: "CREATE TABLE dbo.bad (id int NOT NULL, CONSTRAINT pk_bad PRIMARY KEY (id) WITH (FOO = ON))", ErrNumber: 155,
				ErrContains: "'FOO' is not a recognized CREATE TABLE option."},
		},
	},
}

// CTEScripts: non-recursive common table expressions, as DBA scripts use
// them (issue 14); recursive ones are RecursiveCTEScripts.
var CTEScripts = []ScriptTest{
	{
		Name:  "common table expressions",
		Setup: []string{"CREATE TABLE dbo.bk (db sysname, finished datetime)", "INSERT INTO dbo.bk VALUES (N'mgc', '2026-01-01'), (N'mgc', '2026-01-02'), (N'mgccomp', '2026-01-03')"},
		Assertions: []Assertion{
			{Query: "WITH last AS (SELECT db, MAX(finished) AS f FROM dbo.bk GROUP BY db) SELECT db, CONVERT(varchar(10), f, 23) FROM last ORDER BY db",
				Expected: [][]any{{"mgc", "2026-01-02"}, {"mgccomp", "2026-01-03"}}},
			// Column list, two CTEs, the second using the first, a self-join.
			{Query: "WITH a(n, d) AS (SELECT COUNT(*), db FROM dbo.bk GROUP BY db), b AS (SELECT x.d FROM a AS x JOIN a AS y ON x.n = y.n + 1) SELECT d FROM b",
				Expected: [][]any{{"mgc"}}},
			{Query: ";WITH c AS (SELECT 1 AS one) SELECT one FROM c", Expected: [][]any{{1}}},
			{Query: "WITH c AS (SELECT 1 AS one), c AS (SELECT 2 AS two) SELECT * FROM c", ErrNumber: 239},
			{Query: "WITH n(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM n WHERE n < 3) SELECT n FROM n", Expected: [][]any{{1}, {2}, {3}}},
			// The name is the statement's only: the next statement sees the table.
			{Query: "WITH bk AS (SELECT 1 AS x) SELECT x FROM bk; SELECT COUNT(*) FROM bk", Expected: [][]any{{1}}},
		},
	},
}

// CompatibilityViewScripts: sysobjects and syscomments, which old DBA
// scripts still query.
var CompatibilityViewScripts = []ScriptTest{
	{
		Name:  "sysobjects and syscomments",
		Setup: []string{"CREATE TABLE dbo.legacy (id int NOT NULL CONSTRAINT pk_legacy PRIMARY KEY, n int CONSTRAINT df_legacy_n DEFAULT 0)"},
		Assertions: []Assertion{
			{Query: "SELECT name, xtype, type, CASE WHEN parent_obj = OBJECT_ID('dbo.legacy') THEN 1 ELSE 0 END FROM sysobjects WHERE name IN ('legacy', 'pk_legacy', 'df_legacy_n') ORDER BY name",
				Expected: [][]any{{"df_legacy_n", "D ", "D ", 1}, {"legacy", "U ", "U ", 0}, {"pk_legacy", "PK", "K ", 1}}},
			{Query: "SELECT o.name, c.text FROM dbo.sysobjects o JOIN syscomments c ON c.id = o.id WHERE o.xtype = 'D'", Expected: [][]any{{"df_legacy_n", "(0)"}}},
			{Query: "SELECT COUNT(*) FROM sysobjects WHERE id = OBJECT_ID('dbo.legacy') AND xtype = 'U'", Expected: [][]any{{1}}},
		},
	},
}

// PreparedScripts: sp_prepare, sp_prepexec, sp_execute, sp_unprepare, which
// ODBC and DB-Library drivers use for parameterized queries (issue 14).
var PreparedScripts = []ScriptTest{
	{
		Name: "prepared statements",
		Assertions: []Assertion{
			{Query: "DECLARE @h int; EXEC sp_prepare @h OUTPUT, N'@a int', N'SELECT @a + 1 AS r'; EXEC sp_execute @h, 41", Expected: [][]any{{42}}},
			{Query: "DECLARE @h int; EXEC sp_prepexec @h OUTPUT, N'@a nvarchar(10)', N'SELECT UPPER(@a) AS r', N'abc'", Expected: [][]any{{"ABC"}}},
			{Query: "DECLARE @h int; EXEC sp_prepare @h OUTPUT, N'@a int', N'SELECT @a'; EXEC sp_unprepare @h; EXEC sp_execute @h, 1", ErrNumber: 8179},
			{Query: "EXEC sp_execute 999, 1", ErrNumber: 8179, ErrContains: "Could not find prepared statement with handle 999."},
		},
	},
}
