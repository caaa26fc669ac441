package engine

import (
	"testing"

	"github.com/pchatdr/harness/sim/mssql/enginetest"
)

// runScripts runs script tests in-process, each on a fresh instance. The
// format is enginetest's, the one sim/mssql's tests run over TDS.
func runScripts(t *testing.T, tests []enginetest.ScriptTest) {
	t.Helper()
	enginetest.RunSessions(t, tests, func(t *testing.T) enginetest.Session {
		inst := newTestInstance(t, "")
		t.Cleanup(func() { inst.Close() })
		return scriptSession{t: t, s: login(t, inst, "scripttest")}
	})
}

// scriptSession is an engine session as enginetest's in-process runner
// sees it: the last result set rendered by fmtRow, every message.
type scriptSession struct {
	t *testing.T
	s *Session
}

func (ss scriptSession) Batch(text string) (enginetest.Batch, error) {
	r := run(ss.t, ss.s, text)
	var b enginetest.Batch
	for _, m := range r.msgs {
		b.Messages = append(b.Messages, enginetest.Message{Number: m.Number, Class: m.Class, Line: m.Line, Text: m.Message})
	}
	if rs := r.last(); rs != nil {
		b.Columns = make([]string, len(rs.cols))
		for i, c := range rs.cols {
			b.Columns[i] = c.Name
		}
		for _, row := range rs.rows {
			b.Rows = append(b.Rows, fmtRow(row, rs.cols))
		}
	}
	return b, nil
}

var peopleSetup = []string{
	`CREATE TABLE dbo.people (id INT IDENTITY(1,1) PRIMARY KEY, name NVARCHAR(50) NOT NULL, age INT NULL, city VARCHAR(20) DEFAULT 'Oslo')`,
	`INSERT INTO people (name, age, city) VALUES (N'Ann', 31, 'Bergen'), (N'Bob', 25, 'Oslo'), (N'Cid', NULL, 'Oslo'), (N'Dee', 40, NULL)`,
	`CREATE TABLE pets (pid INT PRIMARY KEY, owner INT, kind VARCHAR(10))`,
	`INSERT pets VALUES (1, 1, 'cat'), (2, 1, 'dog'), (3, 2, 'cat'), (4, 9, 'fish')`,
}

func TestScriptsSelect(t *testing.T) {
	runScripts(t, []enginetest.ScriptTest{
		{Name: "constants", Assertions: []enginetest.Assertion{{Query: "SELECT 1 AS one, N'two' AS [two], 3.50 AS d, NULL AS n", Columns: []string{"one", "two", "d", "n"}, Rows: []string{"1|two|3.50|NULL"}}}},
		{Name: "arith", Assertions: []enginetest.Assertion{{Query: "SELECT 7 / 2, 7 % 3, 2 + 3 * 4, -5, 1.5 * 2, 'a' + 'b'", Rows: []string{"3|1|14|-5|3.0|ab"}}}},
		{Name: "unnamed columns", Assertions: []enginetest.Assertion{{Query: "SELECT 1 + 1", Columns: []string{""}, Rows: []string{"2"}}}},
		{Name: "where and order", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT name FROM people WHERE age > 26 ORDER BY age DESC", Rows: []string{"Dee", "Ann"}}}},
		{Name: "is null", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT name FROM people WHERE age IS NULL OR city IS NULL ORDER BY name", Rows: []string{"Cid", "Dee"}}}},
		{Name: "in like not", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT name FROM people WHERE city IN ('Oslo', 'X') AND name NOT LIKE 'C%' ORDER BY 1", Rows: []string{"Bob"}}}},
		{Name: "like patterns", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT name FROM people WHERE name LIKE '_e%' OR name LIKE '[AB]nn'", Rows: []string{"Ann", "Dee"}, AnyOrder: true}}},
		{Name: "between", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT COUNT(*) FROM people WHERE age BETWEEN 25 AND 31", Rows: []string{"2"}}}},
		{Name: "inner join alias", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT p.name, x.kind FROM people AS p INNER JOIN pets x ON x.owner = p.id ORDER BY x.pid", Rows: []string{"Ann|cat", "Ann|dog", "Bob|cat"}}}},
		{Name: "left join", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT p.name, x.kind FROM people p LEFT JOIN pets x ON x.owner = p.id WHERE x.pid IS NULL ORDER BY p.name", Rows: []string{"Cid|NULL", "Dee|NULL"}}}},
		{Name: "group by having", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT city, COUNT(*) AS n, MAX(age) AS oldest, MIN(name), SUM(age) FROM people GROUP BY city HAVING COUNT(*) >= 1 ORDER BY n DESC, city", Rows: []string{"Oslo|2|25|Bob|25", "NULL|1|40|Dee|40", "Bergen|1|31|Ann|31"}}}},
		{Name: "avg int", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT AVG(age), COUNT(age), COUNT(DISTINCT city) FROM people", Rows: []string{"32|3|2"}}}},
		{Name: "aggregate empty", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT COUNT(*), MAX(age) FROM people WHERE 1 = 0", Rows: []string{"0|NULL"}}}},
		{Name: "top distinct", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT DISTINCT TOP 5 city FROM people WHERE city IS NOT NULL ORDER BY city", Rows: []string{"Bergen", "Oslo"}}}},
		{Name: "top n", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT TOP (2) name FROM people ORDER BY id", Rows: []string{"Ann", "Bob"}}}},
		{Name: "exists", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT name FROM people p WHERE EXISTS (SELECT 1 FROM pets WHERE owner = p.id) ORDER BY name", Rows: []string{"Ann", "Bob"}}}},
		{Name: "in subquery", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT name FROM people WHERE id NOT IN (SELECT owner FROM pets) ORDER BY name", Rows: []string{"Cid", "Dee"}}}},
		{Name: "scalar subquery", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT (SELECT COUNT(*) FROM pets) AS c", Rows: []string{"4"}}}},
		{Name: "three part names", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT COUNT(*) FROM master.dbo.people; SELECT COUNT(*) FROM master..pets", Rows: []string{"4"}}}},
		{Name: "star and qualified star", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT x.*, p.name FROM pets x JOIN people p ON p.id = x.owner WHERE x.pid = 3", Columns: []string{"pid", "owner", "kind", "name"}, Rows: []string{"3|2|cat|Bob"}}}},
		{Name: "checksum agg", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT CASE WHEN CHECKSUM_AGG(BINARY_CHECKSUM(*)) IS NOT NULL THEN 1 ELSE 0 END FROM people", Rows: []string{"1"}}}},
		{Name: "case", Assertions: []enginetest.Assertion{{Query: "SELECT CASE 2 WHEN 1 THEN 'one' WHEN 2 THEN 'two' END, CASE WHEN 1 > 2 THEN 'x' ELSE 'y' END", Rows: []string{"two|y"}}}},
		{Name: "union", Assertions: []enginetest.Assertion{{Query: "SELECT 1 AS a UNION SELECT 2 UNION SELECT 1 ORDER BY a", Rows: []string{"1", "2"}}}},
		{Name: "union all", Assertions: []enginetest.Assertion{{Query: "SELECT 1 AS a UNION ALL SELECT 1", Rows: []string{"1", "1"}}}},
		{Name: "derived table", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT d.c FROM (SELECT city AS c, COUNT(*) AS n FROM people GROUP BY city) AS d WHERE d.n = 2", Rows: []string{"Oslo"}}}},
		{Name: "default applied", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "INSERT people (name) VALUES ('Eve'); SELECT city FROM people WHERE name = 'Eve'", Rows: []string{"Oslo"}}}},
		{Name: "order by alias and position", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT name AS n, age FROM people WHERE age IS NOT NULL ORDER BY 2, n", Rows: []string{"Bob|25", "Ann|31", "Dee|40"}}}},
		{Name: "order by hidden column", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT name FROM people ORDER BY age DESC, name", Rows: []string{"Dee", "Ann", "Bob", "Cid"}}}},
		{Name: "offset fetch", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT name FROM people ORDER BY id OFFSET 1 ROWS FETCH NEXT 2 ROWS ONLY", Rows: []string{"Bob", "Cid"}}}},
	})
}

func TestScriptsErrors(t *testing.T) {
	runScripts(t, []enginetest.ScriptTest{
		{Name: "208 unknown table aborts batch", Assertions: []enginetest.Assertion{{Query: "PRINT 'a'\nSELECT * FROM nosuch\nPRINT 'b'", ErrNumbers: []int32{208}, ErrLine: 2, Infos: []string{"a"}}}},
		{Name: "207 unknown column", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT nope FROM people", ErrNumbers: []int32{207}, ErrLine: 1}}},
		{Name: "207 on empty table", Assertions: []enginetest.Assertion{{Query: "CREATE TABLE e (a INT)\nSELECT b FROM e", ErrNumbers: []int32{207}, ErrLine: 2}}},
		{Name: "4104 bad qualifier", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT z.name FROM people p", ErrNumbers: []int32{4104}}}},
		{Name: "209 ambiguous", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT id FROM people JOIN pets ON owner = id JOIN people q ON q.id = owner", ErrNumbers: []int32{209}}}},
		{Name: "2627 duplicate key, batch goes on", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "INSERT pets VALUES (1, 1, 'x')\nPRINT 'after'\nSELECT COUNT(*) FROM pets", Rows: []string{"4"}, ErrNumbers: []int32{2627}, ErrLine: 1, Infos: []string{"after"}}}},
		{Name: "2627 statement is atomic", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "INSERT pets VALUES (10, 1, 'x'), (1, 1, 'y')\nSELECT COUNT(*) FROM pets", Rows: []string{"4"}, ErrNumbers: []int32{2627}}}},
		{Name: "515 not null", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "INSERT people (name) VALUES (NULL)", ErrNumbers: []int32{515}}}},
		{Name: "245 conversion aborts batch", Assertions: []enginetest.Assertion{{Query: "SELECT CAST('abc' AS INT)\nPRINT 'no'", ErrNumbers: []int32{245}, Infos: []string{}}}},
		{Name: "8134 divide by zero", Assertions: []enginetest.Assertion{{Query: "SELECT 1/0\nPRINT 'yes'", ErrNumbers: []int32{8134}, Infos: []string{"yes"}}}},
		{Name: "2714 table exists", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "CREATE TABLE people (a INT)", ErrNumbers: []int32{2714}}}},
		{Name: "1801 database exists", Assertions: []enginetest.Assertion{{Query: "CREATE DATABASE d1\nCREATE DATABASE D1", ErrNumbers: []int32{1801}, ErrLine: 2}}},
		// FETCH's count must be greater than zero (10744's text); OFFSET's
		// may be zero, not negative (10742).
		{Name: "10744 fetch zero rows", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT name FROM people ORDER BY id OFFSET 0 ROWS FETCH NEXT 0 ROWS ONLY", ErrNumbers: []int32{10744}}}},
		{Name: "10742 negative offset", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "DECLARE @o int = -1\nSELECT name FROM people ORDER BY id OFFSET @o ROWS", ErrNumbers: []int32{10742}}}},
		// Only COUNT takes *, with OVER too (the aggregate pages' syntax).
		{Name: "102 SUM(*) OVER", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT SUM(*) OVER (PARTITION BY city) FROM people", ErrNumbers: []int32{102}}}},
		{Name: "137 undeclared variable", Assertions: []enginetest.Assertion{{Query: "SELECT @nope", ErrNumbers: []int32{137}}}},
		{Name: "110 fewer columns", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "INSERT pets (pid, owner) VALUES (9, 1, 'x')", ErrNumbers: []int32{110}}}},
		{Name: "109 more columns", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "INSERT pets (pid, owner, kind) VALUES (9, 1)", ErrNumbers: []int32{109}}}},
		{Name: "213 no column list", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "INSERT pets VALUES (9, 1)", ErrNumbers: []int32{213}}}},
		{Name: "8120 not grouped", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT name, COUNT(*) FROM people", ErrNumbers: []int32{8120}}}},
		{Name: "2812 unknown proc", Assertions: []enginetest.Assertion{{Query: "EXEC sp_nosuch\nPRINT 'x'", ErrNumbers: []int32{2812}, Infos: []string{"x"}}}},
		{Name: "195 unknown function", Assertions: []enginetest.Assertion{{Query: "SELECT NOSUCHFN(1)", ErrNumbers: []int32{195}}}},
		{Name: "911 unknown database", Assertions: []enginetest.Assertion{{Query: "USE nodb", ErrNumbers: []int32{911}}}},
		{Name: "3902 commit without begin", Assertions: []enginetest.Assertion{{Query: "COMMIT", ErrNumbers: []int32{3902}}}},
		{Name: "3903 rollback without begin", Assertions: []enginetest.Assertion{{Query: "ROLLBACK", ErrNumbers: []int32{3903}}}},
		{Name: "102 syntax", Assertions: []enginetest.Assertion{{Query: "SELECT FROM WHERE", ErrNumbers: []int32{156}}}},
		{Name: "6104 kill self", Assertions: []enginetest.Assertion{{Query: "KILL 51", ErrNumbers: []int32{6104}}}},
		{Name: "6106 kill unknown", Assertions: []enginetest.Assertion{{Query: "KILL 999", ErrNumbers: []int32{6106}}}},
		{Name: "3702 drop db in use", Assertions: []enginetest.Assertion{{Query: "CREATE DATABASE d2\nUSE d2\nDROP DATABASE d2", ErrNumbers: []int32{3702}}}},
		{Name: "3701 drop missing table", Assertions: []enginetest.Assertion{{Query: "DROP TABLE nosuch", ErrNumbers: []int32{3701}}}},
		{Name: "error line numbers", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT 1\n\n-- comment\nINSERT pets VALUES (1, 1, 'dup')", ErrNumbers: []int32{2627}, ErrLine: 4}}},
		{Name: "@@ERROR after failure", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "INSERT pets VALUES (1, 1, 'dup')\nSELECT @@ERROR AS e", Rows: []string{"2627"}, ErrNumbers: []int32{2627}}}},
		{Name: "xact_abort rolls back", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SET XACT_ABORT ON\nBEGIN TRAN\nINSERT pets VALUES (20, 1, 'a')\nINSERT pets VALUES (1, 1, 'dup')\nPRINT 'not reached'", ErrNumbers: []int32{2627}, Infos: []string{}}}},
	})
}

func TestScriptsFlowAndFunctions(t *testing.T) {
	runScripts(t, []enginetest.ScriptTest{
		{Name: "declare set select var", Assertions: []enginetest.Assertion{{Query: "DECLARE @a INT = 5, @b NVARCHAR(10)\nSET @b = N'x'\nSET @a += 2\nSELECT @a, @b", Rows: []string{"7|x"}}}},
		{Name: "select assign", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "DECLARE @n INT\nSELECT @n = COUNT(*) FROM people\nSELECT @n", Rows: []string{"4"}}}},
		{Name: "if else", Assertions: []enginetest.Assertion{{Query: "IF 1 = 2 PRINT 'a' ELSE PRINT 'b'", Infos: []string{"b"}}}},
		{Name: "if exists block", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "IF EXISTS (SELECT * FROM people WHERE name = 'Ann')\nBEGIN\n PRINT 'yes'\n PRINT 'again'\nEND", Infos: []string{"yes", "again"}}}},
		{Name: "while break continue", Assertions: []enginetest.Assertion{{Query: "DECLARE @i INT = 0\nWHILE @i < 10\nBEGIN\n SET @i = @i + 1\n IF @i = 2 CONTINUE\n IF @i = 4 BREAK\n PRINT @i\nEND", Infos: []string{"1", "3"}}}},
		{Name: "return stops batch", Assertions: []enginetest.Assertion{{Query: "PRINT 'a'\nRETURN\nPRINT 'b'", Infos: []string{"a"}}}},
		{Name: "raiserror info", Assertions: []enginetest.Assertion{{Query: "RAISERROR('hello %s %d', 10, 1, N'you', 42)", Infos: []string{"hello you 42"}}}},
		{Name: "raiserror error continues", Assertions: []enginetest.Assertion{{Query: "RAISERROR('bad', 16, 1)\nSELECT @@ERROR", Rows: []string{"50000"}, ErrNumbers: []int32{50000}}}},
		{Name: "waitfor", Assertions: []enginetest.Assertion{{Query: "WAITFOR DELAY '00:00:00.01'\nSELECT 1", Rows: []string{"1"}}}},
		{Name: "isnull coalesce nullif", Assertions: []enginetest.Assertion{{Query: "SELECT ISNULL(NULL, 3), COALESCE(NULL, NULL, 'z'), NULLIF(1, 1), NULLIF(1, 2)", Rows: []string{"3|z|NULL|1"}}}},
		{Name: "string functions", Assertions: []enginetest.Assertion{{Query: "SELECT LEN('abc  '), UPPER('ab'), LOWER(N'AB'), LTRIM('  x'), RTRIM('x  ') + '|', SUBSTRING('hello', 2, 3), REPLACE('aXbX', 'x', 'y'), CHARINDEX('l', 'hello'), LEFT('hello', 2), RIGHT('hello', 3)", Rows: []string{"3|AB|ab|x|x||ell|ayby|3|he|llo"}}}},
		{Name: "quotename", Assertions: []enginetest.Assertion{{Query: "SELECT QUOTENAME('a]b'), QUOTENAME('x', '''')", Rows: []string{"[a]]b]|'x'"}}}},
		{Name: "cast convert", Assertions: []enginetest.Assertion{{Query: "SELECT CAST(12 AS VARCHAR(5)), CONVERT(INT, '42'), CAST(1.5 AS INT), CONVERT(VARCHAR(10), CAST('2024-03-05' AS DATETIME), 112)", Rows: []string{"12|42|1|20240305"}}}},
		{Name: "dateadd datediff", Assertions: []enginetest.Assertion{{Query: "SELECT DATEDIFF(day, '2024-01-01', '2024-03-01'), DATEADD(month, 1, CAST('2024-01-31' AS DATETIME)), DATEPART(year, '2024-05-06'), YEAR(CAST('2020-02-02' AS DATE))", Rows: []string{"60|2024-02-29 00:00:00.000|2024|2020"}}}},
		{Name: "abs round", Assertions: []enginetest.Assertion{{Query: "SELECT ABS(-3), ROUND(2.567, 2), CEILING(1.2), FLOOR(-1.2)", Rows: []string{"3|2.570|2|-2"}}}},
		{Name: "server functions", Assertions: []enginetest.Assertion{{Query: "SELECT @@SERVERNAME, SERVERPROPERTY('ServerName'), SERVERPROPERTY('EngineEdition'), SERVERPROPERTY('Edition'), SERVERPROPERTY('IsClustered'), LEFT(CAST(SERVERPROPERTY('ProductVersion') AS NVARCHAR(20)), 3)", Rows: []string{"SIMSQL01|SIMSQL01|3|Developer Edition (64-bit)|0|16."}}}},
		{Name: "session functions", Assertions: []enginetest.Assertion{{Query: "SELECT @@SPID, DB_NAME(), DB_ID('msdb'), DB_NAME(4), SUSER_SNAME(), @@TRANCOUNT", Rows: []string{"51|master|4|msdb|sa|0"}}}},
		{Name: "version describes Windows", Assertions: []enginetest.Assertion{{Query: "SELECT CASE WHEN @@VERSION LIKE 'Microsoft SQL Server 2022%on Windows Server%' THEN 1 ELSE 0 END", Rows: []string{"1"}}}},
		{Name: "rowcount", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "UPDATE people SET age = age + 1 WHERE age IS NOT NULL\nSELECT @@ROWCOUNT", Rows: []string{"3"}}}},
		{Name: "identity functions", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "INSERT people (name) VALUES ('Eve')\nSELECT @@IDENTITY, SCOPE_IDENTITY()", Rows: []string{"5|5"}}}},
		{Name: "object_id", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT CASE WHEN OBJECT_ID('dbo.people') IS NOT NULL THEN 1 ELSE 0 END, OBJECT_ID('nosuch'), CASE WHEN OBJECT_ID('master.dbo.pets', 'U') > 0 THEN 1 END", Rows: []string{"1|NULL|1"}}}},
		{Name: "newid getdate", Assertions: []enginetest.Assertion{{Query: "SELECT CASE WHEN NEWID() <> NEWID() THEN 1 END, CASE WHEN GETDATE() > '2000-01-01' AND SYSUTCDATETIME() > '2000-01-01' AND GETUTCDATE() IS NOT NULL AND SYSDATETIME() IS NOT NULL THEN 1 END", Rows: []string{"1|1"}}}},
		{Name: "update delete", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "UPDATE people SET city = 'Rome', age = 1 WHERE name = 'Ann'\nDELETE FROM people WHERE age IS NULL\nSELECT name, city, age FROM people ORDER BY id", Rows: []string{"Ann|Rome|1", "Bob|Oslo|25", "Dee|NULL|40"}}}},
		{Name: "insert select", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "CREATE TABLE names (n NVARCHAR(50))\nINSERT INTO names SELECT name FROM people WHERE age > 30\nSELECT n FROM names ORDER BY n", Rows: []string{"Ann", "Dee"}}}},
		{Name: "nocount", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SET NOCOUNT ON\nSELECT 1", Rows: []string{"1"}}}},
		{Name: "exec string", Assertions: []enginetest.Assertion{{Query: "EXEC('SELECT 5 AS five')", Rows: []string{"5"}}}},
		{Name: "sp_executesql in batch", Assertions: []enginetest.Assertion{{Query: "DECLARE @o INT\nEXEC sp_executesql N'SELECT @x = @a * 2', N'@a INT, @x INT OUTPUT', @a = 21, @x = @o OUTPUT\nSELECT @o", Rows: []string{"42"}}}},
	})
}

func TestScriptsTransactions(t *testing.T) {
	runScripts(t, []enginetest.ScriptTest{
		{Name: "rollback undoes", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "BEGIN TRAN\nINSERT pets VALUES (10, 1, 'a')\nDELETE FROM people\nSELECT @@TRANCOUNT\nROLLBACK\nSELECT (SELECT COUNT(*) FROM pets), (SELECT COUNT(*) FROM people), @@TRANCOUNT", Rows: []string{"4|4|0"}}}},
		{Name: "commit keeps", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "BEGIN TRANSACTION\nINSERT pets VALUES (10, 1, 'a')\nCOMMIT\nSELECT COUNT(*) FROM pets", Rows: []string{"5"}}}},
		{Name: "nested trancount", Assertions: []enginetest.Assertion{{Query: "BEGIN TRAN\nBEGIN TRAN\nSELECT @@TRANCOUNT\nCOMMIT\nSELECT @@TRANCOUNT\nCOMMIT", Rows: []string{"1"}}}},
		{Name: "statement error keeps tran", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "BEGIN TRAN\nINSERT pets VALUES (10, 1, 'a')\nINSERT pets VALUES (1, 1, 'dup')\nCOMMIT\nSELECT COUNT(*) FROM pets", Rows: []string{"5"}, ErrNumbers: []int32{2627}}}},
		{Name: "create table rollback", Assertions: []enginetest.Assertion{{Query: "BEGIN TRAN\nCREATE TABLE x (a INT)\nROLLBACK\nSELECT * FROM x", ErrNumbers: []int32{208}}}},
	})
}

func TestScriptsCatalog(t *testing.T) {
	runScripts(t, []enginetest.ScriptTest{
		{Name: "sys.databases", Assertions: []enginetest.Assertion{{Query: "SELECT name, database_id, state_desc, recovery_model_desc, user_access_desc, is_read_only FROM sys.databases ORDER BY database_id", Rows: []string{"master|1|ONLINE|SIMPLE|MULTI_USER|0", "tempdb|2|ONLINE|SIMPLE|MULTI_USER|0", "model|3|ONLINE|FULL|MULTI_USER|0", "msdb|4|ONLINE|SIMPLE|MULTI_USER|0"}}}},
		{Name: "create database shows", Assertions: []enginetest.Assertion{{Query: "CREATE DATABASE mgc\nALTER DATABASE mgc SET RECOVERY SIMPLE\nSELECT name, state, recovery_model, log_reuse_wait_desc FROM sys.databases WHERE name = 'mgc'", Rows: []string{"mgc|0|3|NOTHING"}}}},
		{Name: "offline online", Assertions: []enginetest.Assertion{{Query: "CREATE DATABASE d3\nALTER DATABASE d3 SET OFFLINE\nSELECT state_desc FROM sys.databases WHERE name = 'd3'", Rows: []string{"OFFLINE"}}}},
		{Name: "use offline 942", Assertions: []enginetest.Assertion{{Query: "CREATE DATABASE d4\nALTER DATABASE d4 SET OFFLINE\nUSE d4", ErrNumbers: []int32{942}}}},
		{Name: "single user", Assertions: []enginetest.Assertion{{Query: "CREATE DATABASE d5\nALTER DATABASE d5 SET SINGLE_USER WITH ROLLBACK IMMEDIATE\nSELECT user_access_desc FROM sys.databases WHERE name = 'd5'", Rows: []string{"SINGLE_USER"}}}},
		{Name: "dm_exec_sessions", Assertions: []enginetest.Assertion{{Query: "SELECT session_id, login_name, program_name, host_name, database_id, status, is_user_process FROM sys.dm_exec_sessions", Rows: []string{"51|sa|scripttest|testhost|1|running|1"}}}},
		{Name: "sys.tables and columns", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT t.name, c.name, c.is_nullable, c.is_identity FROM sys.tables t JOIN sys.columns c ON c.object_id = t.object_id WHERE t.name = 'people' ORDER BY c.column_id", Rows: []string{"people|id|0|1", "people|name|0|0", "people|age|1|0", "people|city|1|0"}}}},
		{Name: "information_schema", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT TABLE_CATALOG, TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE FROM INFORMATION_SCHEMA.TABLES ORDER BY TABLE_NAME", Rows: []string{"master|dbo|people|BASE TABLE", "master|dbo|pets|BASE TABLE"}}}},
		{Name: "information_schema columns", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT COLUMN_NAME, DATA_TYPE, CHARACTER_MAXIMUM_LENGTH, IS_NULLABLE FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_NAME = 'people' ORDER BY ORDINAL_POSITION", Rows: []string{"id|int|NULL|NO", "name|nvarchar|50|NO", "age|int|NULL|YES", "city|varchar|20|YES"}}}},
		{Name: "other database catalog", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "CREATE DATABASE d6\nEXEC('USE d6; CREATE TABLE only_here (a INT)')\nSELECT name FROM d6.sys.tables", Rows: []string{"only_here"}}}},
		{Name: "sys.objects schemas", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT o.name, s.name FROM sys.objects o JOIN sys.schemas s ON s.schema_id = o.schema_id WHERE o.type = 'U' ORDER BY o.name", Rows: []string{"people|dbo", "pets|dbo"}}}},
		{Name: "database_files", Assertions: []enginetest.Assertion{{Query: "SELECT file_id, type_desc, name, physical_name FROM msdb.sys.database_files ORDER BY file_id", Rows: []string{"1|ROWS|MSDBData|/var/opt/mssql/data/MSDBData.mdf", "2|LOG|MSDBLog|/var/opt/mssql/data/MSDBLog.ldf"}}}},
		{Name: "master_files", Assertions: []enginetest.Assertion{{Query: "SELECT COUNT(*) FROM sys.master_files WHERE database_id = DB_ID('tempdb')", Rows: []string{"2"}}}},
		// Without the Agent feature (sim/mssql/msdb) the Agent's service is
		// stopped; with it, Running: msdb's TestScriptsDMServerServices.
		{Name: "dm_server_services", Assertions: []enginetest.Assertion{{Query: "SELECT servicename, status, status_desc, service_account FROM sys.dm_server_services ORDER BY servicename", Rows: []string{"SQL Server (MSSQLSERVER)|4|Running|NT Service\\MSSQLSERVER", "SQL Server Agent (MSSQLSERVER)|1|Stopped|CONTOSO\\sqlagent"}}}},
		{Name: "database_mirroring", Assertions: []enginetest.Assertion{{Query: "SELECT COUNT(*), COUNT(mirroring_guid), COUNT(mirroring_role_desc) FROM sys.database_mirroring", Rows: []string{"4|0|0"}}}},
		{Name: "sp_who2", Assertions: []enginetest.Assertion{{Query: "EXEC sp_who2", Columns: []string{"SPID", "Status", "Login", "HostName", "BlkBy", "DBName", "Command", "CPUTime", "DiskIO", "LastBatch", "ProgramName", "SPID", "REQUESTID"}}}},
		{Name: "use changes db", Assertions: []enginetest.Assertion{{Query: "CREATE DATABASE d7\nUSE d7\nSELECT DB_NAME()", Rows: []string{"d7"}}}},
	})
}

func TestScriptsTryCatch(t *testing.T) {
	runScripts(t, []enginetest.ScriptTest{
		{Name: "catch raiserror", Assertions: []enginetest.Assertion{{Query: "BEGIN TRY\n RAISERROR('boom %d', 16, 2, 7)\n PRINT 'no'\nEND TRY\nBEGIN CATCH\n SELECT ERROR_NUMBER(), ERROR_MESSAGE(), ERROR_SEVERITY(), ERROR_STATE(), ERROR_LINE()\nEND CATCH", Rows: []string{"50000|boom 7|16|2|2"}}}},
		{Name: "catch duplicate key", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "BEGIN TRY INSERT pets VALUES (1, 1, 'x') END TRY BEGIN CATCH PRINT ERROR_NUMBER() END CATCH\nSELECT COUNT(*) FROM pets", Rows: []string{"4"}, Infos: []string{"2627"}}}},
		{Name: "catch conversion keeps batch", Assertions: []enginetest.Assertion{{Query: "BEGIN TRY SELECT CAST('x' AS INT) END TRY BEGIN CATCH PRINT 'caught' END CATCH\nPRINT 'after'", Infos: []string{"caught", "after"}}}},
		{Name: "rethrow", Assertions: []enginetest.Assertion{{Query: "BEGIN TRY SELECT 1/0 END TRY BEGIN CATCH THROW; END CATCH\nPRINT 'not reached'", ErrNumbers: []int32{8134}}}},
		{Name: "throw user error", Assertions: []enginetest.Assertion{{Query: "THROW 50001, N'custom', 3", ErrNumbers: []int32{50001}}}},
		{Name: "208 not caught at same level", Assertions: []enginetest.Assertion{{Query: "BEGIN TRY SELECT * FROM nosuch END TRY BEGIN CATCH PRINT 'caught' END CATCH", ErrNumbers: []int32{208}}}},
		{Name: "208 caught in dynamic sql", Assertions: []enginetest.Assertion{{Query: "BEGIN TRY EXEC('SELECT * FROM nosuch') END TRY BEGIN CATCH PRINT ERROR_NUMBER() END CATCH", Infos: []string{"208"}}}},
		{Name: "xact_abort dooms", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SET XACT_ABORT ON\nBEGIN TRAN\nBEGIN TRY INSERT pets VALUES (1, 1, 'x') END TRY BEGIN CATCH SELECT XACT_STATE(); ROLLBACK END CATCH", Rows: []string{"-1"}}}},
		{Name: "identity insert", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SET IDENTITY_INSERT people ON\nINSERT people (id, name) VALUES (100, 'X')\nSET IDENTITY_INSERT people OFF\nINSERT people (name) VALUES ('Y')\nSELECT id FROM people WHERE name IN ('X', 'Y') ORDER BY id", Rows: []string{"100", "101"}}}},
		{Name: "identity explicit 544", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "INSERT people (id, name) VALUES (100, 'X')", ErrNumbers: []int32{544}}}},
	})
}

func TestScriptsMoreDML(t *testing.T) {
	runScripts(t, []enginetest.ScriptTest{
		{Name: "update from join", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "UPDATE p SET p.city = x.kind, age += 1 FROM people p JOIN pets x ON x.owner = p.id WHERE x.kind = 'cat'\nSELECT name, city, age FROM people ORDER BY id", Rows: []string{"Ann|cat|32", "Bob|cat|26", "Cid|Oslo|NULL", "Dee|NULL|40"}}}},
		{Name: "delete from join", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "DELETE pets FROM pets JOIN people p ON p.id = pets.owner WHERE p.name = 'Ann'\nSELECT pid FROM pets ORDER BY pid", Rows: []string{"3", "4"}}}},
		{Name: "delete top", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "DELETE TOP (1) FROM pets WHERE kind = 'cat'\nSELECT COUNT(*) FROM pets WHERE kind = 'cat'", Rows: []string{"1"}}}},
		{Name: "temp table", Assertions: []enginetest.Assertion{{Query: "CREATE TABLE #t (a INT)\nINSERT #t VALUES (1), (2)\nSELECT SUM(a) FROM #t\nDROP TABLE #t", Rows: []string{"3"}}}},
		{Name: "unique index", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "CREATE UNIQUE INDEX ux_name ON people (name)\nINSERT people (name) VALUES ('Ann')", ErrNumbers: []int32{2601}}}},
		{Name: "unique index on duplicates", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "CREATE UNIQUE INDEX ux_city ON people (city)", ErrNumbers: []int32{1505}}}},
		{Name: "plain index", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "CREATE INDEX ix_city ON people (city) INCLUDE (age)\nINSERT people (name, city) VALUES ('Zed', 'Oslo')\nSELECT COUNT(*) FROM people WHERE city = 'Oslo'", Rows: []string{"3"}}}},
		{Name: "truncate", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "TRUNCATE TABLE people\nINSERT people (name) VALUES ('New')\nSELECT id, name FROM people", Rows: []string{"1|New"}}}},
		{Name: "insert default values", Assertions: []enginetest.Assertion{{Query: "CREATE TABLE d (id INT IDENTITY, v INT DEFAULT 5, w INT)\nINSERT d DEFAULT VALUES\nSELECT * FROM d", Rows: []string{"1|5|NULL"}}}},
		{Name: "update to null 515", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "UPDATE people SET name = NULL", ErrNumbers: []int32{515}}}},
		{Name: "truncation 2628", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "INSERT pets VALUES (9, 1, 'abcdefghijklmnop')", ErrNumbers: []int32{2628}}}},
		{Name: "insert conversion 245", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "INSERT pets VALUES ('x', 1, 'a')", ErrNumbers: []int32{245}}}},
		{Name: "variable in where", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "DECLARE @c VARCHAR(20) = 'Oslo'\nSELECT COUNT(*) FROM people WHERE city = @c", Rows: []string{"2"}}}},
	})
}

func TestScriptsCompileChecks(t *testing.T) {
	runScripts(t, []enginetest.ScriptTest{
		{Name: "137 stops whole batch", Assertions: []enginetest.Assertion{{Query: "PRINT 'a'\nSELECT @x", ErrNumbers: []int32{137}, ErrLine: 2, Infos: []string{}}}},
		{Name: "declare in dead branch still declares", Assertions: []enginetest.Assertion{{Query: "IF 1 = 0 BEGIN DECLARE @v INT END\nSET @v = 3\nSELECT @v", Rows: []string{"3"}}}},
		{Name: "use before declare", Assertions: []enginetest.Assertion{{Query: "SET @v = 1\nDECLARE @v INT", ErrNumbers: []int32{137}, ErrLine: 1}}},
		{Name: "134 redeclare", Assertions: []enginetest.Assertion{{Query: "DECLARE @a INT\nDECLARE @a INT", ErrNumbers: []int32{134}}}},
		{Name: "exec output var", Assertions: []enginetest.Assertion{{Query: "DECLARE @r INT\nEXEC @r = sp_who2\nSELECT @r", Rows: []string{"0"}}}},
		{Name: "datetimeoffset params", Assertions: []enginetest.Assertion{{Query: "EXEC sp_executesql N'SELECT YEAR(@d)', N'@d datetimeoffset(7)', '2021-05-06 10:00:00'", Rows: []string{"2021"}}}},
	})
}

func TestScriptsDynamicSQLContext(t *testing.T) {
	runScripts(t, []enginetest.ScriptTest{
		{Name: "use inside exec reverts", Assertions: []enginetest.Assertion{{Query: "CREATE DATABASE dx\nEXEC('USE dx; SELECT DB_NAME()')\nSELECT DB_NAME()", Rows: []string{"master"}}}},
		{Name: "use inside sp_executesql reverts", Assertions: []enginetest.Assertion{{Query: "CREATE DATABASE dy\nEXEC sp_executesql N'USE dy'\nSELECT DB_NAME()", Rows: []string{"master"}}}},
		{Name: "dynamic sql variables are separate", Assertions: []enginetest.Assertion{{Query: "DECLARE @a INT = 1\nEXEC('SELECT @a')", ErrNumbers: []int32{137}}}},
		{Name: "nested dynamic sql", Assertions: []enginetest.Assertion{{Query: "EXEC('EXEC(''SELECT 42'')')", Rows: []string{"42"}}}},
	})
}

func TestScriptsQueryCorners(t *testing.T) {
	runScripts(t, []enginetest.ScriptTest{
		{Name: "order by aggregate not selected", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT city FROM people GROUP BY city ORDER BY COUNT(*) DESC, city", Rows: []string{"Oslo", "NULL", "Bergen"}}}},
		{Name: "group by expression", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT age / 10 AS dec, COUNT(*) FROM people WHERE age IS NOT NULL GROUP BY age / 10 ORDER BY dec", Rows: []string{"2|1", "3|1", "4|1"}}}},
		{Name: "update pk to existing", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "UPDATE pets SET pid = 2 WHERE pid = 1", ErrNumbers: []int32{2627}}}},
		{Name: "update pk free value", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "UPDATE pets SET pid = pid + 10\nSELECT MIN(pid), MAX(pid) FROM pets", Rows: []string{"11|14"}}}},
		{Name: "comma join", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT COUNT(*) FROM people, pets", Rows: []string{"16"}}}},
		{Name: "alias in where is 207", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT age AS a FROM people WHERE a > 1", ErrNumbers: []int32{207}}}},
		{Name: "correlated scalar subquery", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT name, (SELECT COUNT(*) FROM pets x WHERE x.owner = p.id) AS n FROM people p ORDER BY name", Rows: []string{"Ann|2", "Bob|1", "Cid|0", "Dee|0"}}}},
		{Name: "subquery returns many 512", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT (SELECT pid FROM pets)", ErrNumbers: []int32{512}}}},
		{Name: "distinct order by hidden 145", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT DISTINCT city FROM people ORDER BY age", ErrNumbers: []int32{145}}}},
		{Name: "having without group", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT COUNT(*) FROM people HAVING COUNT(*) > 10", Rows: []string{}}}},
		{Name: "ansi nulls compare", Assertions: []enginetest.Assertion{{Query: "SELECT CASE WHEN NULL = NULL THEN 1 ELSE 0 END, CASE WHEN NULL <> 1 THEN 1 ELSE 0 END", Rows: []string{"0|0"}}}},
		{Name: "not in with null", Assertions: []enginetest.Assertion{{Query: "SELECT COUNT(*) FROM (VALUES (1), (2)) v(a) WHERE a NOT IN (1, NULL)", Rows: []string{"0"}}}},
		{Name: "read only database", Assertions: []enginetest.Assertion{{Query: "CREATE DATABASE ro\nALTER DATABASE ro SET READ_ONLY\nUSE ro\nCREATE TABLE x (a INT)", ErrNumbers: []int32{3906}}}},
		{Name: "string compare case-insensitive", Assertions: []enginetest.Assertion{{Query: "SELECT CASE WHEN 'ABC' = 'abc ' THEN 1 ELSE 0 END", Rows: []string{"1"}}}},
	})
}

func TestScriptsTempTables(t *testing.T) {
	runScripts(t, []enginetest.ScriptTest{
		{Name: "object_id of temp table", Assertions: []enginetest.Assertion{{Query: "CREATE TABLE #w (a INT)\nIF OBJECT_ID('tempdb..#w') IS NOT NULL DROP TABLE #w\nCREATE TABLE #w (b INT)\nSELECT COUNT(*) FROM #w", Rows: []string{"0"}}}},
		{Name: "drop if exists temp", Assertions: []enginetest.Assertion{{Query: "DROP TABLE IF EXISTS #nothere\nSELECT 1", Rows: []string{"1"}}}},
	})
}

func TestTempTablesArePerSession(t *testing.T) {
	inst := newTestInstance(t, "")
	defer inst.Close()
	a := login(t, inst, "a")
	b := login(t, inst, "b")
	mustRun(t, a, "CREATE TABLE #t (v INT); INSERT #t VALUES (1)")
	mustRun(t, b, "CREATE TABLE #t (v INT); INSERT #t VALUES (2), (3)")
	wantRows(t, a, "SELECT SUM(v) FROM #t", "1")
	wantRows(t, b, "SELECT SUM(v) FROM #t", "5")
	a.Close()
	wantRows(t, b, "SELECT COUNT(*) FROM tempdb.sys.tables", "1")
	b.Reset()
	wantRows(t, b, "SELECT COUNT(*) FROM tempdb.sys.tables", "0")
}

func TestScriptsWindowFunctions(t *testing.T) {
	runScripts(t, []enginetest.ScriptTest{
		{Name: "row_number partition", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT name, ROW_NUMBER() OVER (PARTITION BY city ORDER BY age DESC) AS rn FROM people WHERE city IS NOT NULL ORDER BY name", Rows: []string{"Ann|1", "Bob|1", "Cid|2"}}}},
		{Name: "latest per group", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT d.name FROM (SELECT name, ROW_NUMBER() OVER (PARTITION BY owner ORDER BY pid DESC) AS rn FROM pets JOIN people ON people.id = pets.owner) d WHERE d.rn = 1 ORDER BY d.name", Rows: []string{"Ann", "Bob"}}}},
		{Name: "rank dense_rank", Assertions: []enginetest.Assertion{{Query: "SELECT v, RANK() OVER (ORDER BY v), DENSE_RANK() OVER (ORDER BY v) FROM (VALUES (1), (1), (2)) x(v) ORDER BY v", Rows: []string{"1|1|1", "1|1|1", "2|3|2"}}}},
		{Name: "window in where", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT name FROM people WHERE ROW_NUMBER() OVER (ORDER BY id) = 1", ErrNumbers: []int32{4108}}}},
	})
}

func TestScriptsCreateDatabaseFiles(t *testing.T) {
	runScripts(t, []enginetest.ScriptTest{
		{Name: "explicit files", Assertions: []enginetest.Assertion{{Query: "CREATE DATABASE mgc ON PRIMARY (NAME = mgc_data, FILENAME = '/data/mgc.mdf', SIZE = 10MB) LOG ON (NAME = mgc_log, FILENAME = '/data/mgc.ldf')\nSELECT file_id, type_desc, name, physical_name, size FROM mgc.sys.database_files ORDER BY file_id", Rows: []string{"1|ROWS|mgc_data|/data/mgc.mdf|1280", "2|LOG|mgc_log|/data/mgc.ldf|1024"}}}},
		{Name: "default files", Assertions: []enginetest.Assertion{{Query: "CREATE DATABASE mgccomp\nSELECT name, physical_name FROM sys.master_files WHERE database_id = DB_ID('mgccomp') ORDER BY file_id", Rows: []string{"mgccomp|/var/opt/mssql/data/mgccomp.mdf", "mgccomp_log|/var/opt/mssql/data/mgccomp_log.ldf"}}}},
	})
}

func TestScriptsMoreCatalog(t *testing.T) {
	runScripts(t, []enginetest.ScriptTest{
		{Name: "sys.indexes", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "CREATE UNIQUE INDEX ux ON pets (kind, owner)\nSELECT CASE WHEN i.name LIKE 'PK[_][_]pets[_][_]%' THEN 'PK' ELSE i.name END, i.type_desc, i.is_unique, i.is_primary_key FROM sys.indexes i WHERE i.object_id = OBJECT_ID('pets') ORDER BY i.index_id", Rows: []string{"PK|CLUSTERED|1|1", "ux|NONCLUSTERED|1|0"}}}},
		{Name: "sys.key_constraints", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT COUNT(*) FROM sys.key_constraints WHERE type = 'PK'", Rows: []string{"2"}}}},
		{Name: "server_principals", Assertions: []enginetest.Assertion{{Query: "SELECT name, type_desc FROM sys.server_principals WHERE type = 'S' ORDER BY principal_id", Rows: []string{"sa|SQL_LOGIN", "chat|SQL_LOGIN"}}}},
	})
}

func TestScriptsWindowAggregates(t *testing.T) {
	runScripts(t, []enginetest.ScriptTest{
		{Name: "count over all", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT TOP 1 name, COUNT(*) OVER () FROM people ORDER BY id", Rows: []string{"Ann|4"}}}},
		{Name: "sum over partition", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT name, SUM(age) OVER (PARTITION BY city) FROM people WHERE city = 'Oslo' ORDER BY name", Rows: []string{"Bob|25", "Cid|25"}}}},
		{Name: "running total unsupported", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "SELECT SUM(age) OVER (ORDER BY id) FROM people", ErrNumbers: []int32{40000}}}},
	})
}

func TestScriptsScopedOptions(t *testing.T) {
	runScripts(t, []enginetest.ScriptTest{
		{Name: "set inside dynamic sql reverts", Assertions: []enginetest.Assertion{{Query: "EXEC('SET XACT_ABORT ON')\nSELECT @@OPTIONS & 16384", Rows: []string{"0"}}}},
		{Name: "set in batch stays", Assertions: []enginetest.Assertion{{Query: "SET XACT_ABORT ON\nSELECT @@OPTIONS & 16384", Rows: []string{"16384"}}}},
	})
}

func TestScriptsSavepoints(t *testing.T) {
	runScripts(t, []enginetest.ScriptTest{
		{Name: "rollback to savepoint", Setup: peopleSetup, Assertions: []enginetest.Assertion{{Query: "BEGIN TRAN t1\nINSERT pets VALUES (10, 1, 'a')\nSAVE TRAN s1\nINSERT pets VALUES (11, 1, 'b')\nROLLBACK TRAN s1\nSELECT @@TRANCOUNT\nCOMMIT\nSELECT COUNT(*) FROM pets", Rows: []string{"5"}}}},
		{Name: "save without tran", Assertions: []enginetest.Assertion{{Query: "SAVE TRAN x", ErrNumbers: []int32{628}}}},
		{Name: "rollback unknown savepoint", Assertions: []enginetest.Assertion{{Query: "BEGIN TRAN a\nROLLBACK TRAN nope", ErrNumbers: []int32{6401}}}},
	})
}
