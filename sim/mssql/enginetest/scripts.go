package enginetest

import (
	"database/sql"
	"time"
)

// Scripts is the core T-SQL behaviour of the simulator (issue 2): what a real
// SQL Server 2022 returns for each query, errors included.
var Scripts = []ScriptTest{
	{
		Name: "select expressions",
		Assertions: []Assertion{
			{Query: "SELECT 1", Expected: [][]any{{1}}},
			{Query: "SELECT 1 + 2 * 3 AS n, 'a' + 'b' AS s, N'grüß' AS u", Columns: []string{"n", "s", "u"}, Expected: [][]any{{7, "ab", "grüß"}}},
			{Query: "SELECT 10 / 4, 10 % 4, -5", Expected: [][]any{{2, 2, -5}}},
			{Query: "SELECT 'a' + NULL, NULL", Expected: [][]any{{nil, nil}}},
			{Query: "SELECT CAST(1.5 AS decimal(5,2)), 3 * 1.5", Expected: [][]any{{"1.50", "4.5"}}},
			{Query: "SELECT CAST(1 AS bit), CAST(0 AS bit), 0x0102", Expected: [][]any{{true, false, "0x0102"}}},
			{Query: "SELECT CAST('6F9619FF-8B86-D011-B42D-00C04FC964FF' AS uniqueidentifier)", Expected: [][]any{{"6F9619FF-8B86-D011-B42D-00C04FC964FF"}}},
			{Query: "SELECT CAST('2026-11-22 04:39:00' AS datetime)", Expected: [][]any{{time.Date(2026, 11, 22, 4, 39, 0, 0, time.UTC)}}},
			{Query: "SELECT CAST(12345678901 AS bigint), CAST(2.5 AS float)", Expected: [][]any{{12345678901, 2.5}}},
			{Query: "SELECT -- a comment\n 1 /* block /* nested */ comment */ + 1", Expected: [][]any{{2}}},
		},
	},
	{
		Name: "functions",
		Assertions: []Assertion{
			{Query: "SELECT ISNULL(NULL, 5), COALESCE(NULL, NULL, 'x'), LEN('abc  '), UPPER('abc'), LOWER('ABC')", Expected: [][]any{{5, "x", 3, "ABC", "abc"}}},
			{Query: "SELECT QUOTENAME('a]b'), QUOTENAME('mgc')", Expected: [][]any{{"[a]]b]", "[mgc]"}}},
			{Query: "SELECT CAST('12' AS int) + 1, CONVERT(varchar(10), 123), CONVERT(int, ' 7 ')", Expected: [][]any{{13, "123", 7}}},
			{Query: "SELECT DB_ID('master'), DB_NAME(1), DB_NAME(), SUSER_SNAME()", Expected: [][]any{{1, "master", "master", "sa"}}},
			{Query: "SELECT CAST(SERVERPROPERTY('ServerName') AS nvarchar(128)), @@SERVERNAME", Expected: [][]any{{"SIMSQL", "SIMSQL"}}},
			{Query: "SELECT CASE WHEN @@VERSION LIKE 'Microsoft SQL Server%' THEN 1 ELSE 0 END", Expected: [][]any{{1}}},
			{Query: "SELECT CASE WHEN @@SPID >= 51 THEN 1 ELSE 0 END, @@TRANCOUNT", Expected: [][]any{{1, 0}}},
			{Query: "SELECT CASE WHEN GETDATE() > '2020-01-01' AND GETUTCDATE() > '2020-01-01' AND SYSUTCDATETIME() > '2020-01-01' THEN 1 ELSE 0 END", Expected: [][]any{{1}}},
			{Query: "SELECT LEN(CAST(NEWID() AS nvarchar(36))), CASE WHEN NEWID() = NEWID() THEN 1 ELSE 0 END", Expected: [][]any{{36, 0}}},
			{Query: "SELECT NOSUCHFUNCTION(1)", ErrNumber: 195},
		},
	},
	{
		Name: "variables and control flow",
		Assertions: []Assertion{
			{Query: "DECLARE @a int = 5; SET @a = @a + 1; SELECT @a", Expected: [][]any{{6}}},
			{Query: "DECLARE @s nvarchar(20), @n int; SELECT @s = N'x', @n = 2; SELECT @s, @n", Expected: [][]any{{"x", 2}}},
			{Query: "DECLARE @i int = 0, @sum int = 0; WHILE @i < 5 BEGIN SET @i = @i + 1; IF @i = 3 CONTINUE; SET @sum = @sum + @i END; SELECT @sum", Expected: [][]any{{12}}},
			{Query: "IF 1 = 0 SELECT 'no' ELSE BEGIN SELECT 'yes' END", Expected: [][]any{{"yes"}}},
			{Query: "IF EXISTS (SELECT 1 FROM sys.databases WHERE name = 'master') SELECT 1 ELSE SELECT 0", Expected: [][]any{{1}}},
			{Query: "IF NOT EXISTS (SELECT 1 FROM sys.databases WHERE name = 'nope') SELECT 1 ELSE SELECT 0", Expected: [][]any{{1}}},
			{Query: "SELECT @undeclared", ErrNumber: 137},
			{Query: "DECLARE @a int; DECLARE @a int", ErrNumber: 134},
			{Query: "PRINT 'hello'; SELECT 1", Expected: [][]any{{1}}},
			{Query: "RAISERROR('failed %s at %d', 16, 1, 'step', 4)", ErrNumber: 50000, ErrContains: "failed step at 4"},
			{Query: "RAISERROR('just info', 10, 1); SELECT 2", Expected: [][]any{{2}}},
			{Query: "WAITFOR DELAY '00:00:00.050'; SELECT 3", Expected: [][]any{{3}}},
		},
	},
	{
		Name: "syntax errors",
		Assertions: []Assertion{
			{Query: "SELECT FROM", ErrNumber: 156, ErrContains: "keyword 'FROM'"},
			{Query: "SELECT 1 +", ErrNumber: 102},
			{Query: "SELEC 1", ErrNumber: 2812},                        // a leading bare name is an implicit EXEC
			{Query: "SELECT 'unclosed", ErrNumbers: []int32{105, 102}}, // SQL Server sends both
		},
	},
	{
		Name: "tables and dml",
		Setup: []string{
			"CREATE TABLE dbo.messages (id int IDENTITY(1,1) PRIMARY KEY, channel nvarchar(50) NOT NULL, body nvarchar(max) NULL, posted datetime2 NOT NULL DEFAULT SYSUTCDATETIME())",
			"INSERT INTO dbo.messages (channel, body) VALUES (N'ops', N'first'), (N'ops', N'second'), (N'dev', NULL)",
		},
		Assertions: []Assertion{
			{Query: "SELECT id, channel, body FROM dbo.messages ORDER BY id", Expected: [][]any{{1, "ops", "first"}, {2, "ops", "second"}, {3, "dev", nil}}},
			{Query: "SELECT channel, COUNT(*) AS n, MAX(id), MIN(id), SUM(id) FROM messages GROUP BY channel ORDER BY channel", Expected: [][]any{{"dev", 1, 3, 3, 3}, {"ops", 2, 2, 1, 3}}},
			{Query: "SELECT TOP 1 id FROM messages ORDER BY id DESC", Expected: [][]any{{3}}},
			{Query: "SELECT TOP (2) id FROM messages WHERE channel IN ('ops', 'x') ORDER BY id", Expected: [][]any{{1}, {2}}},
			{Query: "SELECT id FROM messages WHERE body IS NULL", Expected: [][]any{{3}}},
			{Query: "SELECT id FROM messages WHERE body LIKE 'f%' OR (channel = 'dev' AND NOT body IS NOT NULL)", Expected: [][]any{{1}, {3}}},
			{Query: "SELECT m.id FROM messages AS m WHERE EXISTS (SELECT 1 FROM messages x WHERE x.id = m.id + 1) ORDER BY m.id", Expected: [][]any{{1}, {2}}},
			{Query: "SELECT COUNT(*) FROM messages WHERE posted <= SYSUTCDATETIME()", Expected: [][]any{{3}}},
			{Query: "UPDATE messages SET body = N'edited' WHERE channel = 'ops'", Exec: true, Affected: 2},
			{Query: "SELECT body FROM messages WHERE id = 2", Expected: [][]any{{"edited"}}},
			{Query: "DELETE FROM messages WHERE id = 3", Exec: true, Affected: 1},
			{Query: "INSERT INTO messages (channel) VALUES ('new'); SELECT SCOPE_IDENTITY(), @@IDENTITY, @@ROWCOUNT", Expected: [][]any{{"4", "4", 1}}},
			{Query: "SELECT COUNT(*) FROM messages", Expected: [][]any{{3}}},
			{Query: "INSERT INTO messages (id, channel) VALUES (10, 'x')", ErrNumber: 544},
			{Query: "INSERT INTO messages (channel) VALUES (NULL)", ErrNumber: 515},
			{Query: "SELECT nosuchcolumn FROM messages", ErrNumber: 207},
			{Query: "SELECT * FROM nosuchtable", ErrNumber: 208},
			{Query: "CREATE TABLE messages (id int)", ErrNumber: 2714},
			{Query: "INSERT INTO messages (channel, body) VALUES ('a')", ErrNumber: 109},
			{Query: "SELECT channel, id FROM messages GROUP BY channel", ErrNumber: 8120},
		},
	},
	{
		Name: "keys joins and insert select",
		Setup: []string{
			"CREATE TABLE a (k int NOT NULL PRIMARY KEY, v varchar(10) NULL)",
			"CREATE TABLE b (k int NOT NULL, w int NULL)",
			"INSERT a VALUES (1, 'one'), (2, 'two'), (3, NULL)",
			"INSERT b VALUES (1, 10), (1, 11), (3, 30)",
		},
		Assertions: []Assertion{
			{Query: "SELECT a.k, b.w FROM a INNER JOIN b ON a.k = b.k ORDER BY a.k, b.w", Expected: [][]any{{1, 10}, {1, 11}, {3, 30}}},
			{Query: "SELECT a.k, b.w FROM a LEFT JOIN b ON a.k = b.k WHERE b.w IS NULL", Expected: [][]any{{2, nil}}},
			{Query: "INSERT a VALUES (2, 'dup')", ErrNumber: 2627},
			{Query: "SELECT COUNT(*) FROM a", Expected: [][]any{{3}}},
			{Query: "INSERT INTO b (k, w) SELECT k, k * 100 FROM a WHERE v IS NOT NULL", Exec: true, Affected: 2},
			{Query: "SELECT SUM(w) FROM b", Expected: [][]any{{351}}},
			{Query: "SELECT k FROM a WHERE k IN (SELECT k FROM b WHERE w >= 100) ORDER BY k", Expected: [][]any{{1}, {2}}},
			{Query: "SELECT k FROM a, b", ErrNumber: 209},
			{Query: "SELECT z.k FROM a", ErrNumber: 4104},
		},
	},
	{
		Name: "conversion and arithmetic errors",
		Assertions: []Assertion{
			{Query: "SELECT CAST('abc' AS int)", ErrNumber: 245},
			{Query: "SELECT CAST('1.5x' AS decimal(5,2))", ErrNumber: 8114},
			{Query: "SELECT 1 / 0", ErrNumber: 8134},
			{Query: "SELECT CAST(300 AS tinyint)", ErrNumber: 220},
			{Query: "SELECT 2147483647 + 1", ErrNumber: 8115},
		},
	},
	{
		Name: "table checksums",
		Setup: []string{
			"CREATE TABLE t1 (id int PRIMARY KEY, body nvarchar(100))",
			"CREATE TABLE t2 (id int PRIMARY KEY, body nvarchar(100))",
			"INSERT t1 VALUES (1, N'a'), (2, N'b'), (3, NULL)",
			"INSERT t2 VALUES (3, NULL), (2, N'b'), (1, N'a')",
		},
		Assertions: []Assertion{
			{Query: "SELECT CASE WHEN (SELECT CHECKSUM_AGG(BINARY_CHECKSUM(*)) FROM t1) = (SELECT CHECKSUM_AGG(BINARY_CHECKSUM(*)) FROM t2) THEN 1 ELSE 0 END", Expected: [][]any{{1}}},
			{Query: "UPDATE t2 SET body = N'c' WHERE id = 2", Exec: true, Affected: 1},
			{Query: "SELECT CASE WHEN (SELECT CHECKSUM_AGG(BINARY_CHECKSUM(*)) FROM t1) = (SELECT CHECKSUM_AGG(BINARY_CHECKSUM(*)) FROM t2) THEN 1 ELSE 0 END", Expected: [][]any{{0}}},
		},
	},
	{
		Name:  "transactions",
		Setup: []string{"CREATE TABLE t (id int PRIMARY KEY)"},
		Assertions: []Assertion{
			{Query: "BEGIN TRAN; INSERT t VALUES (1); SELECT @@TRANCOUNT; ROLLBACK", Expected: [][]any{{1}}},
			{Query: "SELECT COUNT(*), @@TRANCOUNT FROM t", Expected: [][]any{{0, 0}}},
			{Query: "BEGIN TRANSACTION; INSERT t VALUES (2); COMMIT TRANSACTION; SELECT COUNT(*) FROM t", Expected: [][]any{{1}}},
			{Query: "COMMIT", ErrNumber: 3902},
			{Query: "ROLLBACK", ErrNumber: 3903},
		},
	},
	{
		Name:  "databases and catalog",
		Setup: []string{"CREATE DATABASE mgc", "CREATE TABLE mgc.dbo.tblChat (id int PRIMARY KEY, body nvarchar(200))"},
		Assertions: []Assertion{
			{Query: "SELECT name, state_desc, recovery_model_desc, user_access_desc FROM sys.databases WHERE database_id <= 4 ORDER BY database_id",
				Expected: [][]any{{"master", "ONLINE", "SIMPLE", "MULTI_USER"}, {"tempdb", "ONLINE", "SIMPLE", "MULTI_USER"}, {"model", "ONLINE", "FULL", "MULTI_USER"}, {"msdb", "ONLINE", "SIMPLE", "MULTI_USER"}}},
			{Query: "SELECT recovery_model_desc, is_read_only FROM sys.databases WHERE name = 'mgc'", Expected: [][]any{{"FULL", false}}},
			{Query: "CREATE DATABASE mgc", ErrNumber: 1801},
			{Query: "INSERT mgc.dbo.tblChat VALUES (1, N'hi')", Exec: true, Affected: 1},
			{Query: "SELECT body FROM mgc..tblChat", Expected: [][]any{{"hi"}}},
			{Query: "USE mgc; SELECT DB_NAME(), name FROM sys.tables", Expected: [][]any{{"mgc", "tblChat"}}},
			{Query: "SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES", Expected: [][]any{{"tblChat"}}},
			{Query: "SELECT c.name FROM sys.columns c JOIN sys.tables t ON c.object_id = t.object_id ORDER BY c.column_id", Expected: [][]any{{"id"}, {"body"}}},
			{Query: "SELECT COUNT(*) FROM sys.database_files", Expected: [][]any{{2}}},
			{Query: "SELECT program_name, DB_NAME(database_id) FROM sys.dm_exec_sessions WHERE session_id = @@SPID", Expected: [][]any{{"enginetest", "mgc"}}},
			{Query: "DROP DATABASE mgc", ErrNumber: 3702},
			{Query: "USE master; ALTER DATABASE mgc SET RECOVERY SIMPLE; SELECT recovery_model_desc FROM sys.databases WHERE name = 'mgc'", Expected: [][]any{{"SIMPLE"}}},
			{Query: "USE nosuchdb", ErrNumber: 911},
			{Query: "DROP DATABASE mgc", Exec: true, Affected: 0},
			{Query: "SELECT COUNT(*) FROM sys.databases WHERE name = 'mgc'", Expected: [][]any{{0}}},
			{Query: "SELECT COUNT(*) FROM sys.dm_server_services WHERE status_desc = 'Running'", Expected: [][]any{{2}}},
		},
	},
	{
		Name:  "procedures and parameters",
		Setup: []string{"CREATE TABLE t (id int PRIMARY KEY, name nvarchar(50))"},
		Assertions: []Assertion{
			{Query: "INSERT t VALUES (@p1, @p2)", Args: []any{1, "one"}, Exec: true, Affected: 1},
			{Query: "SELECT name FROM t WHERE id = @id", Args: []any{sql.Named("id", 1)}, Expected: [][]any{{"one"}}},
			{Query: "EXEC sp_executesql N'SELECT @x + 1', N'@x int', @x = 41", Expected: [][]any{{42}}},
			{Query: "EXEC dbo.no_such_proc", ErrNumber: 2812},
			{Query: "DECLARE @s nvarchar(30) = N'KILL ' + CAST(@@SPID AS nvarchar(10)); EXEC (@s)", ErrNumber: 6104},
			{Query: "KILL 999", ErrNumber: 6106},
		},
	},
}
