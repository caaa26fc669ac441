package engine

import (
	"reflect"
	"testing"
)

// scriptTest is one enginetest-style case: setup batches, then a query
// with its expected result set (last one) or errors.
type scriptTest struct {
	name  string
	setup []string
	query string
	cols  []string // expected column names of the last result set
	rows  []string // expected rows of the last result set, "a|b|NULL"
	errs  []int32  // expected error numbers (severity > 10), in order
	line  int32    // expected line of the first error (0: unchecked)
	infos []string // expected informational messages (PRINT, RAISERROR <= 10)
	any   bool     // rows may come in any order
}

func runScripts(t *testing.T, tests []scriptTest) {
	t.Helper()
	for _, tc := range tests {
		tc := tc
		t.Run(tc.name, func(t *testing.T) {
			inst := newTestInstance(t, "")
			defer inst.Close()
			s := login(t, inst, "scripttest")
			for _, q := range tc.setup {
				mustRun(t, s, q)
			}
			r := run(t, s, tc.query)
			got := r.errNums()
			if len(got) == 0 && len(tc.errs) == 0 {
				// ok
			} else if !reflect.DeepEqual(got, tc.errs) {
				var texts []string
				for _, e := range r.errors() {
					texts = append(texts, e.Message)
				}
				t.Fatalf("errors = %v %q, want %v", got, texts, tc.errs)
			}
			if tc.line != 0 && r.errors()[0].Line != tc.line {
				t.Fatalf("error line = %d, want %d", r.errors()[0].Line, tc.line)
			}
			if tc.infos != nil {
				var infos []string
				for _, m := range r.msgs {
					if m.Class <= 10 && m.Number != 5701 && m.Number != 3621 {
						infos = append(infos, m.Message)
					}
				}
				if (len(infos) > 0 || len(tc.infos) > 0) && !reflect.DeepEqual(infos, tc.infos) {
					t.Fatalf("infos = %q, want %q", infos, tc.infos)
				}
			}
			if tc.rows == nil && tc.cols == nil {
				return
			}
			rs := r.last()
			if rs == nil {
				t.Fatalf("no result set")
			}
			if tc.cols != nil {
				var names []string
				for _, c := range rs.cols {
					names = append(names, c.Name)
				}
				if !reflect.DeepEqual(names, tc.cols) {
					t.Fatalf("columns = %q, want %q", names, tc.cols)
				}
			}
			if tc.rows == nil {
				return
			}
			var rows []string
			for _, row := range rs.rows {
				rows = append(rows, fmtRow(row, rs.cols))
			}
			want := tc.rows
			if tc.any {
				rows, want = sorted(rows), sorted(want)
			}
			if len(rows) == 0 && len(want) == 0 {
				return
			}
			if !reflect.DeepEqual(rows, want) {
				t.Fatalf("rows = %q, want %q", rows, want)
			}
		})
	}
}

func sorted(s []string) []string {
	c := append([]string(nil), s...)
	for i := range c {
		for j := i + 1; j < len(c); j++ {
			if c[j] < c[i] {
				c[i], c[j] = c[j], c[i]
			}
		}
	}
	return c
}

var peopleSetup = []string{
	`CREATE TABLE dbo.people (id INT IDENTITY(1,1) PRIMARY KEY, name NVARCHAR(50) NOT NULL, age INT NULL, city VARCHAR(20) DEFAULT 'Oslo')`,
	`INSERT INTO people (name, age, city) VALUES (N'Ann', 31, 'Bergen'), (N'Bob', 25, 'Oslo'), (N'Cid', NULL, 'Oslo'), (N'Dee', 40, NULL)`,
	`CREATE TABLE pets (pid INT PRIMARY KEY, owner INT, kind VARCHAR(10))`,
	`INSERT pets VALUES (1, 1, 'cat'), (2, 1, 'dog'), (3, 2, 'cat'), (4, 9, 'fish')`,
}

func TestScriptsSelect(t *testing.T) {
	runScripts(t, []scriptTest{
		{name: "constants", query: "SELECT 1 AS one, N'two' AS [two], 3.50 AS d, NULL AS n",
			cols: []string{"one", "two", "d", "n"}, rows: []string{"1|two|3.50|NULL"}},
		{name: "arith", query: "SELECT 7 / 2, 7 % 3, 2 + 3 * 4, -5, 1.5 * 2, 'a' + 'b'", rows: []string{"3|1|14|-5|3.0|ab"}},
		{name: "unnamed columns", query: "SELECT 1 + 1", cols: []string{""}, rows: []string{"2"}},
		{name: "where and order", setup: peopleSetup, query: "SELECT name FROM people WHERE age > 26 ORDER BY age DESC",
			rows: []string{"Dee", "Ann"}},
		{name: "is null", setup: peopleSetup, query: "SELECT name FROM people WHERE age IS NULL OR city IS NULL ORDER BY name",
			rows: []string{"Cid", "Dee"}},
		{name: "in like not", setup: peopleSetup, query: "SELECT name FROM people WHERE city IN ('Oslo', 'X') AND name NOT LIKE 'C%' ORDER BY 1",
			rows: []string{"Bob"}},
		{name: "like patterns", setup: peopleSetup, query: "SELECT name FROM people WHERE name LIKE '_e%' OR name LIKE '[AB]nn'",
			rows: []string{"Ann", "Dee"}, any: true},
		{name: "between", setup: peopleSetup, query: "SELECT COUNT(*) FROM people WHERE age BETWEEN 25 AND 31", rows: []string{"2"}},
		{name: "inner join alias", setup: peopleSetup,
			query: "SELECT p.name, x.kind FROM people AS p INNER JOIN pets x ON x.owner = p.id ORDER BY x.pid",
			rows:  []string{"Ann|cat", "Ann|dog", "Bob|cat"}},
		{name: "left join", setup: peopleSetup,
			query: "SELECT p.name, x.kind FROM people p LEFT JOIN pets x ON x.owner = p.id WHERE x.pid IS NULL ORDER BY p.name",
			rows:  []string{"Cid|NULL", "Dee|NULL"}},
		{name: "group by having", setup: peopleSetup,
			query: "SELECT city, COUNT(*) AS n, MAX(age) AS oldest, MIN(name), SUM(age) FROM people GROUP BY city HAVING COUNT(*) >= 1 ORDER BY n DESC, city",
			rows:  []string{"Oslo|2|25|Bob|25", "NULL|1|40|Dee|40", "Bergen|1|31|Ann|31"}},
		{name: "avg int", setup: peopleSetup, query: "SELECT AVG(age), COUNT(age), COUNT(DISTINCT city) FROM people", rows: []string{"32|3|2"}},
		{name: "aggregate empty", setup: peopleSetup, query: "SELECT COUNT(*), MAX(age) FROM people WHERE 1 = 0", rows: []string{"0|NULL"}},
		{name: "top distinct", setup: peopleSetup, query: "SELECT DISTINCT TOP 5 city FROM people WHERE city IS NOT NULL ORDER BY city",
			rows: []string{"Bergen", "Oslo"}},
		{name: "top n", setup: peopleSetup, query: "SELECT TOP (2) name FROM people ORDER BY id", rows: []string{"Ann", "Bob"}},
		{name: "exists", setup: peopleSetup,
			query: "SELECT name FROM people p WHERE EXISTS (SELECT 1 FROM pets WHERE owner = p.id) ORDER BY name",
			rows:  []string{"Ann", "Bob"}},
		{name: "in subquery", setup: peopleSetup,
			query: "SELECT name FROM people WHERE id NOT IN (SELECT owner FROM pets) ORDER BY name", rows: []string{"Cid", "Dee"}},
		{name: "scalar subquery", setup: peopleSetup, query: "SELECT (SELECT COUNT(*) FROM pets) AS c", rows: []string{"4"}},
		{name: "three part names", setup: peopleSetup, query: "SELECT COUNT(*) FROM master.dbo.people; SELECT COUNT(*) FROM master..pets",
			rows: []string{"4"}},
		{name: "star and qualified star", setup: peopleSetup,
			query: "SELECT x.*, p.name FROM pets x JOIN people p ON p.id = x.owner WHERE x.pid = 3",
			cols:  []string{"pid", "owner", "kind", "name"}, rows: []string{"3|2|cat|Bob"}},
		{name: "checksum agg", setup: peopleSetup,
			query: "SELECT CASE WHEN CHECKSUM_AGG(BINARY_CHECKSUM(*)) IS NOT NULL THEN 1 ELSE 0 END FROM people", rows: []string{"1"}},
		{name: "case", query: "SELECT CASE 2 WHEN 1 THEN 'one' WHEN 2 THEN 'two' END, CASE WHEN 1 > 2 THEN 'x' ELSE 'y' END",
			rows: []string{"two|y"}},
		{name: "union", query: "SELECT 1 AS a UNION SELECT 2 UNION SELECT 1 ORDER BY a", rows: []string{"1", "2"}},
		{name: "union all", query: "SELECT 1 AS a UNION ALL SELECT 1", rows: []string{"1", "1"}},
		{name: "derived table", setup: peopleSetup,
			query: "SELECT d.c FROM (SELECT city AS c, COUNT(*) AS n FROM people GROUP BY city) AS d WHERE d.n = 2", rows: []string{"Oslo"}},
		{name: "default applied", setup: peopleSetup, query: "INSERT people (name) VALUES ('Eve'); SELECT city FROM people WHERE name = 'Eve'",
			rows: []string{"Oslo"}},
		{name: "order by alias and position", setup: peopleSetup, query: "SELECT name AS n, age FROM people WHERE age IS NOT NULL ORDER BY 2, n",
			rows: []string{"Bob|25", "Ann|31", "Dee|40"}},
		{name: "order by hidden column", setup: peopleSetup, query: "SELECT name FROM people ORDER BY age DESC, name",
			rows: []string{"Dee", "Ann", "Bob", "Cid"}},
		{name: "offset fetch", setup: peopleSetup, query: "SELECT name FROM people ORDER BY id OFFSET 1 ROWS FETCH NEXT 2 ROWS ONLY",
			rows: []string{"Bob", "Cid"}},
	})
}

func TestScriptsErrors(t *testing.T) {
	runScripts(t, []scriptTest{
		{name: "208 unknown table aborts batch", query: "PRINT 'a'\nSELECT * FROM nosuch\nPRINT 'b'", errs: []int32{208}, line: 2,
			infos: []string{"a"}},
		{name: "207 unknown column", setup: peopleSetup, query: "SELECT nope FROM people", errs: []int32{207}, line: 1},
		{name: "207 on empty table", query: "CREATE TABLE e (a INT)\nSELECT b FROM e", errs: []int32{207}, line: 2},
		{name: "4104 bad qualifier", setup: peopleSetup, query: "SELECT z.name FROM people p", errs: []int32{4104}},
		{name: "209 ambiguous", setup: peopleSetup, query: "SELECT id FROM people JOIN pets ON owner = id JOIN people q ON q.id = owner", errs: []int32{209}},
		{name: "2627 duplicate key, batch goes on", setup: peopleSetup,
			query: "INSERT pets VALUES (1, 1, 'x')\nPRINT 'after'\nSELECT COUNT(*) FROM pets", errs: []int32{2627}, line: 1,
			infos: []string{"after"}, rows: []string{"4"}},
		{name: "2627 statement is atomic", setup: peopleSetup,
			query: "INSERT pets VALUES (10, 1, 'x'), (1, 1, 'y')\nSELECT COUNT(*) FROM pets", errs: []int32{2627}, rows: []string{"4"}},
		{name: "515 not null", setup: peopleSetup, query: "INSERT people (name) VALUES (NULL)", errs: []int32{515}},
		{name: "245 conversion aborts batch", query: "SELECT CAST('abc' AS INT)\nPRINT 'no'", errs: []int32{245}, infos: []string{}},
		{name: "8134 divide by zero", query: "SELECT 1/0\nPRINT 'yes'", errs: []int32{8134}, infos: []string{"yes"}},
		{name: "2714 table exists", setup: peopleSetup, query: "CREATE TABLE people (a INT)", errs: []int32{2714}},
		{name: "1801 database exists", query: "CREATE DATABASE d1\nCREATE DATABASE D1", errs: []int32{1801}, line: 2},
		{name: "137 undeclared variable", query: "SELECT @nope", errs: []int32{137}},
		{name: "110 fewer columns", setup: peopleSetup, query: "INSERT pets (pid, owner) VALUES (9, 1, 'x')", errs: []int32{110}},
		{name: "109 more columns", setup: peopleSetup, query: "INSERT pets (pid, owner, kind) VALUES (9, 1)", errs: []int32{109}},
		{name: "213 no column list", setup: peopleSetup, query: "INSERT pets VALUES (9, 1)", errs: []int32{213}},
		{name: "8120 not grouped", setup: peopleSetup, query: "SELECT name, COUNT(*) FROM people", errs: []int32{8120}},
		{name: "2812 unknown proc", query: "EXEC sp_nosuch\nPRINT 'x'", errs: []int32{2812}, infos: []string{"x"}},
		{name: "195 unknown function", query: "SELECT NOSUCHFN(1)", errs: []int32{195}},
		{name: "911 unknown database", query: "USE nodb", errs: []int32{911}},
		{name: "3902 commit without begin", query: "COMMIT", errs: []int32{3902}},
		{name: "3903 rollback without begin", query: "ROLLBACK", errs: []int32{3903}},
		{name: "102 syntax", query: "SELECT FROM WHERE", errs: []int32{156}},
		{name: "6104 kill self", query: "KILL 51", errs: []int32{6104}},
		{name: "6106 kill unknown", query: "KILL 999", errs: []int32{6106}},
		{name: "3702 drop db in use", query: "CREATE DATABASE d2\nUSE d2\nDROP DATABASE d2", errs: []int32{3702}},
		{name: "3701 drop missing table", query: "DROP TABLE nosuch", errs: []int32{3701}},
		{name: "error line numbers", setup: peopleSetup, query: "SELECT 1\n\n-- comment\nINSERT pets VALUES (1, 1, 'dup')", errs: []int32{2627}, line: 4},
		{name: "@@ERROR after failure", setup: peopleSetup,
			query: "INSERT pets VALUES (1, 1, 'dup')\nSELECT @@ERROR AS e", errs: []int32{2627}, rows: []string{"2627"}},
		{name: "xact_abort rolls back", setup: peopleSetup,
			query: "SET XACT_ABORT ON\nBEGIN TRAN\nINSERT pets VALUES (20, 1, 'a')\nINSERT pets VALUES (1, 1, 'dup')\nPRINT 'not reached'",
			errs:  []int32{2627}, infos: []string{}},
	})
}

func TestScriptsFlowAndFunctions(t *testing.T) {
	runScripts(t, []scriptTest{
		{name: "declare set select var", query: "DECLARE @a INT = 5, @b NVARCHAR(10)\nSET @b = N'x'\nSET @a += 2\nSELECT @a, @b",
			rows: []string{"7|x"}},
		{name: "select assign", setup: peopleSetup, query: "DECLARE @n INT\nSELECT @n = COUNT(*) FROM people\nSELECT @n", rows: []string{"4"}},
		{name: "if else", query: "IF 1 = 2 PRINT 'a' ELSE PRINT 'b'", infos: []string{"b"}},
		{name: "if exists block", setup: peopleSetup,
			query: "IF EXISTS (SELECT * FROM people WHERE name = 'Ann')\nBEGIN\n PRINT 'yes'\n PRINT 'again'\nEND", infos: []string{"yes", "again"}},
		{name: "while break continue", query: "DECLARE @i INT = 0\nWHILE @i < 10\nBEGIN\n SET @i = @i + 1\n IF @i = 2 CONTINUE\n IF @i = 4 BREAK\n PRINT @i\nEND",
			infos: []string{"1", "3"}},
		{name: "return stops batch", query: "PRINT 'a'\nRETURN\nPRINT 'b'", infos: []string{"a"}},
		{name: "raiserror info", query: "RAISERROR('hello %s %d', 10, 1, N'you', 42)", infos: []string{"hello you 42"}},
		{name: "raiserror error continues", query: "RAISERROR('bad', 16, 1)\nSELECT @@ERROR", errs: []int32{50000}, rows: []string{"50000"}},
		{name: "waitfor", query: "WAITFOR DELAY '00:00:00.01'\nSELECT 1", rows: []string{"1"}},
		{name: "isnull coalesce nullif", query: "SELECT ISNULL(NULL, 3), COALESCE(NULL, NULL, 'z'), NULLIF(1, 1), NULLIF(1, 2)", rows: []string{"3|z|NULL|1"}},
		{name: "string functions", query: "SELECT LEN('abc  '), UPPER('ab'), LOWER(N'AB'), LTRIM('  x'), RTRIM('x  ') + '|', SUBSTRING('hello', 2, 3), REPLACE('aXbX', 'x', 'y'), CHARINDEX('l', 'hello'), LEFT('hello', 2), RIGHT('hello', 3)",
			rows: []string{"3|AB|ab|x|x||ell|ayby|3|he|llo"}},
		{name: "quotename", query: "SELECT QUOTENAME('a]b'), QUOTENAME('x', '''')", rows: []string{"[a]]b]|'x'"}},
		{name: "cast convert", query: "SELECT CAST(12 AS VARCHAR(5)), CONVERT(INT, '42'), CAST(1.5 AS INT), CONVERT(VARCHAR(10), CAST('2024-03-05' AS DATETIME), 112)",
			rows: []string{"12|42|1|20240305"}},
		{name: "dateadd datediff", query: "SELECT DATEDIFF(day, '2024-01-01', '2024-03-01'), DATEADD(month, 1, CAST('2024-01-31' AS DATETIME)), DATEPART(year, '2024-05-06'), YEAR(CAST('2020-02-02' AS DATE))",
			rows: []string{"60|2024-02-29 00:00:00.000|2024|2020"}},
		{name: "abs round", query: "SELECT ABS(-3), ROUND(2.567, 2), CEILING(1.2), FLOOR(-1.2)", rows: []string{"3|2.570|2|-2"}},
		{name: "server functions", query: "SELECT @@SERVERNAME, SERVERPROPERTY('ServerName'), SERVERPROPERTY('EngineEdition'), SERVERPROPERTY('Edition'), SERVERPROPERTY('IsClustered'), LEFT(CAST(SERVERPROPERTY('ProductVersion') AS NVARCHAR(20)), 3)",
			rows: []string{"SIMSQL01|SIMSQL01|3|Developer Edition (64-bit)|0|16."}},
		{name: "session functions", query: "SELECT @@SPID, DB_NAME(), DB_ID('msdb'), DB_NAME(4), SUSER_SNAME(), @@TRANCOUNT", rows: []string{"51|master|4|msdb|sa|0"}},
		{name: "version describes Windows", query: "SELECT CASE WHEN @@VERSION LIKE 'Microsoft SQL Server 2022%on Windows Server%' THEN 1 ELSE 0 END", rows: []string{"1"}},
		{name: "rowcount", setup: peopleSetup, query: "UPDATE people SET age = age + 1 WHERE age IS NOT NULL\nSELECT @@ROWCOUNT", rows: []string{"3"}},
		{name: "identity functions", setup: peopleSetup, query: "INSERT people (name) VALUES ('Eve')\nSELECT @@IDENTITY, SCOPE_IDENTITY()", rows: []string{"5|5"}},
		{name: "object_id", setup: peopleSetup, query: "SELECT CASE WHEN OBJECT_ID('dbo.people') IS NOT NULL THEN 1 ELSE 0 END, OBJECT_ID('nosuch'), CASE WHEN OBJECT_ID('master.dbo.pets', 'U') > 0 THEN 1 END",
			rows: []string{"1|NULL|1"}},
		{name: "newid getdate", query: "SELECT CASE WHEN NEWID() <> NEWID() THEN 1 END, CASE WHEN GETDATE() > '2000-01-01' AND SYSUTCDATETIME() > '2000-01-01' AND GETUTCDATE() IS NOT NULL AND SYSDATETIME() IS NOT NULL THEN 1 END",
			rows: []string{"1|1"}},
		{name: "update delete", setup: peopleSetup, query: "UPDATE people SET city = 'Rome', age = 1 WHERE name = 'Ann'\nDELETE FROM people WHERE age IS NULL\nSELECT name, city, age FROM people ORDER BY id",
			rows: []string{"Ann|Rome|1", "Bob|Oslo|25", "Dee|NULL|40"}},
		{name: "insert select", setup: peopleSetup, query: "CREATE TABLE names (n NVARCHAR(50))\nINSERT INTO names SELECT name FROM people WHERE age > 30\nSELECT n FROM names ORDER BY n",
			rows: []string{"Ann", "Dee"}},
		{name: "nocount", setup: peopleSetup, query: "SET NOCOUNT ON\nSELECT 1", rows: []string{"1"}},
		{name: "exec string", query: "EXEC('SELECT 5 AS five')", rows: []string{"5"}},
		{name: "sp_executesql in batch", query: "DECLARE @o INT\nEXEC sp_executesql N'SELECT @x = @a * 2', N'@a INT, @x INT OUTPUT', @a = 21, @x = @o OUTPUT\nSELECT @o",
			rows: []string{"42"}},
	})
}

func TestScriptsTransactions(t *testing.T) {
	runScripts(t, []scriptTest{
		{name: "rollback undoes", setup: peopleSetup,
			query: "BEGIN TRAN\nINSERT pets VALUES (10, 1, 'a')\nDELETE FROM people\nSELECT @@TRANCOUNT\nROLLBACK\nSELECT (SELECT COUNT(*) FROM pets), (SELECT COUNT(*) FROM people), @@TRANCOUNT",
			rows:  []string{"4|4|0"}},
		{name: "commit keeps", setup: peopleSetup,
			query: "BEGIN TRANSACTION\nINSERT pets VALUES (10, 1, 'a')\nCOMMIT\nSELECT COUNT(*) FROM pets", rows: []string{"5"}},
		{name: "nested trancount", query: "BEGIN TRAN\nBEGIN TRAN\nSELECT @@TRANCOUNT\nCOMMIT\nSELECT @@TRANCOUNT\nCOMMIT", rows: []string{"1"}},
		{name: "statement error keeps tran", setup: peopleSetup,
			query: "BEGIN TRAN\nINSERT pets VALUES (10, 1, 'a')\nINSERT pets VALUES (1, 1, 'dup')\nCOMMIT\nSELECT COUNT(*) FROM pets",
			errs:  []int32{2627}, rows: []string{"5"}},
		{name: "create table rollback", query: "BEGIN TRAN\nCREATE TABLE x (a INT)\nROLLBACK\nSELECT * FROM x", errs: []int32{208}},
	})
}

func TestScriptsCatalog(t *testing.T) {
	runScripts(t, []scriptTest{
		{name: "sys.databases", query: "SELECT name, database_id, state_desc, recovery_model_desc, user_access_desc, is_read_only FROM sys.databases ORDER BY database_id",
			rows: []string{"master|1|ONLINE|SIMPLE|MULTI_USER|0", "tempdb|2|ONLINE|SIMPLE|MULTI_USER|0", "model|3|ONLINE|FULL|MULTI_USER|0", "msdb|4|ONLINE|SIMPLE|MULTI_USER|0"}},
		{name: "create database shows", query: "CREATE DATABASE mgc\nALTER DATABASE mgc SET RECOVERY SIMPLE\nSELECT name, state, recovery_model, log_reuse_wait_desc FROM sys.databases WHERE name = 'mgc'",
			rows: []string{"mgc|0|3|NOTHING"}},
		{name: "offline online", query: "CREATE DATABASE d3\nALTER DATABASE d3 SET OFFLINE\nSELECT state_desc FROM sys.databases WHERE name = 'd3'",
			rows: []string{"OFFLINE"}},
		{name: "use offline 942", query: "CREATE DATABASE d4\nALTER DATABASE d4 SET OFFLINE\nUSE d4", errs: []int32{942}},
		{name: "single user", query: "CREATE DATABASE d5\nALTER DATABASE d5 SET SINGLE_USER WITH ROLLBACK IMMEDIATE\nSELECT user_access_desc FROM sys.databases WHERE name = 'd5'",
			rows: []string{"SINGLE_USER"}},
		{name: "dm_exec_sessions", query: "SELECT session_id, login_name, program_name, host_name, database_id, status, is_user_process FROM sys.dm_exec_sessions",
			rows: []string{"51|sa|scripttest|testhost|1|running|1"}},
		{name: "sys.tables and columns", setup: peopleSetup,
			query: "SELECT t.name, c.name, c.is_nullable, c.is_identity FROM sys.tables t JOIN sys.columns c ON c.object_id = t.object_id WHERE t.name = 'people' ORDER BY c.column_id",
			rows:  []string{"people|id|0|1", "people|name|0|0", "people|age|1|0", "people|city|1|0"}},
		{name: "information_schema", setup: peopleSetup,
			query: "SELECT TABLE_CATALOG, TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE FROM INFORMATION_SCHEMA.TABLES ORDER BY TABLE_NAME",
			rows:  []string{"master|dbo|people|BASE TABLE", "master|dbo|pets|BASE TABLE"}},
		{name: "information_schema columns", setup: peopleSetup,
			query: "SELECT COLUMN_NAME, DATA_TYPE, CHARACTER_MAXIMUM_LENGTH, IS_NULLABLE FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_NAME = 'people' ORDER BY ORDINAL_POSITION",
			rows:  []string{"id|int|NULL|NO", "name|nvarchar|50|NO", "age|int|NULL|YES", "city|varchar|20|YES"}},
		{name: "other database catalog", setup: peopleSetup,
			query: "CREATE DATABASE d6\nEXEC('USE d6; CREATE TABLE only_here (a INT)')\nSELECT name FROM d6.sys.tables",
			rows:  []string{"only_here"}},
		{name: "sys.objects schemas", setup: peopleSetup,
			query: "SELECT o.name, s.name FROM sys.objects o JOIN sys.schemas s ON s.schema_id = o.schema_id WHERE o.type = 'U' ORDER BY o.name",
			rows:  []string{"people|dbo", "pets|dbo"}},
		{name: "database_files", query: "SELECT file_id, type_desc, name, physical_name FROM msdb.sys.database_files ORDER BY file_id",
			rows: []string{"1|ROWS|MSDBData|/var/opt/mssql/data/MSDBData.mdf", "2|LOG|MSDBLog|/var/opt/mssql/data/MSDBLog.ldf"}},
		{name: "master_files", query: "SELECT COUNT(*) FROM sys.master_files WHERE database_id = DB_ID('tempdb')", rows: []string{"2"}},
		{name: "dm_server_services", query: "SELECT servicename, status, status_desc, service_account FROM sys.dm_server_services ORDER BY servicename",
			rows: []string{"SQL Server (MSSQLSERVER)|4|Running|NT Service\\MSSQLSERVER", "SQL Server Agent (MSSQLSERVER)|4|Running|CONTOSO\\sqlagent"}},
		{name: "database_mirroring", query: "SELECT COUNT(*), COUNT(mirroring_guid), COUNT(mirroring_role_desc) FROM sys.database_mirroring", rows: []string{"4|0|0"}},
		{name: "sp_who2", query: "EXEC sp_who2", cols: []string{"SPID", "Status", "Login", "HostName", "BlkBy", "DBName", "Command", "CPUTime", "DiskIO", "LastBatch", "ProgramName", "SPID", "REQUESTID"}},
		{name: "use changes db", query: "CREATE DATABASE d7\nUSE d7\nSELECT DB_NAME()", rows: []string{"d7"}},
	})
}

func TestScriptsTryCatch(t *testing.T) {
	runScripts(t, []scriptTest{
		{name: "catch raiserror", query: "BEGIN TRY\n RAISERROR('boom %d', 16, 2, 7)\n PRINT 'no'\nEND TRY\nBEGIN CATCH\n SELECT ERROR_NUMBER(), ERROR_MESSAGE(), ERROR_SEVERITY(), ERROR_STATE(), ERROR_LINE()\nEND CATCH",
			rows: []string{"50000|boom 7|16|2|2"}},
		{name: "catch duplicate key", setup: peopleSetup,
			query: "BEGIN TRY INSERT pets VALUES (1, 1, 'x') END TRY BEGIN CATCH PRINT ERROR_NUMBER() END CATCH\nSELECT COUNT(*) FROM pets",
			infos: []string{"2627"}, rows: []string{"4"}},
		{name: "catch conversion keeps batch", query: "BEGIN TRY SELECT CAST('x' AS INT) END TRY BEGIN CATCH PRINT 'caught' END CATCH\nPRINT 'after'",
			infos: []string{"caught", "after"}},
		{name: "rethrow", query: "BEGIN TRY SELECT 1/0 END TRY BEGIN CATCH THROW; END CATCH\nPRINT 'not reached'", errs: []int32{8134}},
		{name: "throw user error", query: "THROW 50001, N'custom', 3", errs: []int32{50001}},
		{name: "208 not caught at same level", query: "BEGIN TRY SELECT * FROM nosuch END TRY BEGIN CATCH PRINT 'caught' END CATCH", errs: []int32{208}},
		{name: "208 caught in dynamic sql", query: "BEGIN TRY EXEC('SELECT * FROM nosuch') END TRY BEGIN CATCH PRINT ERROR_NUMBER() END CATCH", infos: []string{"208"}},
		{name: "xact_abort dooms", setup: peopleSetup,
			query: "SET XACT_ABORT ON\nBEGIN TRAN\nBEGIN TRY INSERT pets VALUES (1, 1, 'x') END TRY BEGIN CATCH SELECT XACT_STATE(); ROLLBACK END CATCH", rows: []string{"-1"}},
		{name: "identity insert", setup: peopleSetup,
			query: "SET IDENTITY_INSERT people ON\nINSERT people (id, name) VALUES (100, 'X')\nSET IDENTITY_INSERT people OFF\nINSERT people (name) VALUES ('Y')\nSELECT id FROM people WHERE name IN ('X', 'Y') ORDER BY id",
			rows:  []string{"100", "101"}},
		{name: "identity explicit 544", setup: peopleSetup, query: "INSERT people (id, name) VALUES (100, 'X')", errs: []int32{544}},
	})
}

func TestScriptsMoreDML(t *testing.T) {
	runScripts(t, []scriptTest{
		{name: "update from join", setup: peopleSetup,
			query: "UPDATE p SET p.city = x.kind, age += 1 FROM people p JOIN pets x ON x.owner = p.id WHERE x.kind = 'cat'\nSELECT name, city, age FROM people ORDER BY id",
			rows:  []string{"Ann|cat|32", "Bob|cat|26", "Cid|Oslo|NULL", "Dee|NULL|40"}},
		{name: "delete from join", setup: peopleSetup,
			query: "DELETE pets FROM pets JOIN people p ON p.id = pets.owner WHERE p.name = 'Ann'\nSELECT pid FROM pets ORDER BY pid",
			rows:  []string{"3", "4"}},
		{name: "delete top", setup: peopleSetup, query: "DELETE TOP (1) FROM pets WHERE kind = 'cat'\nSELECT COUNT(*) FROM pets WHERE kind = 'cat'", rows: []string{"1"}},
		{name: "temp table", query: "CREATE TABLE #t (a INT)\nINSERT #t VALUES (1), (2)\nSELECT SUM(a) FROM #t\nDROP TABLE #t", rows: []string{"3"}},
		{name: "unique index", setup: peopleSetup,
			query: "CREATE UNIQUE INDEX ux_name ON people (name)\nINSERT people (name) VALUES ('Ann')", errs: []int32{2601}},
		{name: "unique index on duplicates", setup: peopleSetup, query: "CREATE UNIQUE INDEX ux_city ON people (city)", errs: []int32{1505}},
		{name: "plain index", setup: peopleSetup, query: "CREATE INDEX ix_city ON people (city) INCLUDE (age)\nINSERT people (name, city) VALUES ('Zed', 'Oslo')\nSELECT COUNT(*) FROM people WHERE city = 'Oslo'", rows: []string{"3"}},
		{name: "truncate", setup: peopleSetup, query: "TRUNCATE TABLE people\nINSERT people (name) VALUES ('New')\nSELECT id, name FROM people", rows: []string{"1|New"}},
		{name: "insert default values", query: "CREATE TABLE d (id INT IDENTITY, v INT DEFAULT 5, w INT)\nINSERT d DEFAULT VALUES\nSELECT * FROM d", rows: []string{"1|5|NULL"}},
		{name: "update to null 515", setup: peopleSetup, query: "UPDATE people SET name = NULL", errs: []int32{515}},
		{name: "truncation 2628", setup: peopleSetup, query: "INSERT pets VALUES (9, 1, 'abcdefghijklmnop')", errs: []int32{2628}},
		{name: "insert conversion 245", setup: peopleSetup, query: "INSERT pets VALUES ('x', 1, 'a')", errs: []int32{245}},
		{name: "variable in where", setup: peopleSetup, query: "DECLARE @c VARCHAR(20) = 'Oslo'\nSELECT COUNT(*) FROM people WHERE city = @c", rows: []string{"2"}},
	})
}

func TestScriptsCompileChecks(t *testing.T) {
	runScripts(t, []scriptTest{
		{name: "137 stops whole batch", query: "PRINT 'a'\nSELECT @x", errs: []int32{137}, line: 2, infos: []string{}},
		{name: "declare in dead branch still declares", query: "IF 1 = 0 BEGIN DECLARE @v INT END\nSET @v = 3\nSELECT @v", rows: []string{"3"}},
		{name: "use before declare", query: "SET @v = 1\nDECLARE @v INT", errs: []int32{137}, line: 1},
		{name: "134 redeclare", query: "DECLARE @a INT\nDECLARE @a INT", errs: []int32{134}},
		{name: "exec output var", query: "DECLARE @r INT\nEXEC @r = sp_who2\nSELECT @r", rows: []string{"0"}},
		{name: "datetimeoffset params", query: "EXEC sp_executesql N'SELECT YEAR(@d)', N'@d datetimeoffset(7)', '2021-05-06 10:00:00'", rows: []string{"2021"}},
	})
}

func TestScriptsDynamicSQLContext(t *testing.T) {
	runScripts(t, []scriptTest{
		{name: "use inside exec reverts", query: "CREATE DATABASE dx\nEXEC('USE dx; SELECT DB_NAME()')\nSELECT DB_NAME()", rows: []string{"master"}},
		{name: "use inside sp_executesql reverts", query: "CREATE DATABASE dy\nEXEC sp_executesql N'USE dy'\nSELECT DB_NAME()", rows: []string{"master"}},
		{name: "dynamic sql variables are separate", query: "DECLARE @a INT = 1\nEXEC('SELECT @a')", errs: []int32{137}},
		{name: "nested dynamic sql", query: "EXEC('EXEC(''SELECT 42'')')", rows: []string{"42"}},
	})
}

func TestScriptsQueryCorners(t *testing.T) {
	runScripts(t, []scriptTest{
		{name: "order by aggregate not selected", setup: peopleSetup, query: "SELECT city FROM people GROUP BY city ORDER BY COUNT(*) DESC, city", rows: []string{"Oslo", "NULL", "Bergen"}},
		{name: "group by expression", setup: peopleSetup, query: "SELECT age / 10 AS dec, COUNT(*) FROM people WHERE age IS NOT NULL GROUP BY age / 10 ORDER BY dec", rows: []string{"2|1", "3|1", "4|1"}},
		{name: "update pk to existing", setup: peopleSetup, query: "UPDATE pets SET pid = 2 WHERE pid = 1", errs: []int32{2627}},
		{name: "update pk free value", setup: peopleSetup, query: "UPDATE pets SET pid = pid + 10\nSELECT MIN(pid), MAX(pid) FROM pets", rows: []string{"11|14"}},
		{name: "comma join", setup: peopleSetup, query: "SELECT COUNT(*) FROM people, pets", rows: []string{"16"}},
		{name: "alias in where is 207", setup: peopleSetup, query: "SELECT age AS a FROM people WHERE a > 1", errs: []int32{207}},
		{name: "correlated scalar subquery", setup: peopleSetup,
			query: "SELECT name, (SELECT COUNT(*) FROM pets x WHERE x.owner = p.id) AS n FROM people p ORDER BY name", rows: []string{"Ann|2", "Bob|1", "Cid|0", "Dee|0"}},
		{name: "subquery returns many 512", setup: peopleSetup, query: "SELECT (SELECT pid FROM pets)", errs: []int32{512}},
		{name: "distinct order by hidden 145", setup: peopleSetup, query: "SELECT DISTINCT city FROM people ORDER BY age", errs: []int32{145}},
		{name: "having without group", setup: peopleSetup, query: "SELECT COUNT(*) FROM people HAVING COUNT(*) > 10", rows: []string{}},
		{name: "ansi nulls compare", query: "SELECT CASE WHEN NULL = NULL THEN 1 ELSE 0 END, CASE WHEN NULL <> 1 THEN 1 ELSE 0 END", rows: []string{"0|0"}},
		{name: "not in with null", query: "SELECT COUNT(*) FROM (VALUES (1), (2)) v(a) WHERE a NOT IN (1, NULL)", rows: []string{"0"}},
		{name: "read only database", query: "CREATE DATABASE ro\nALTER DATABASE ro SET READ_ONLY\nUSE ro\nCREATE TABLE x (a INT)", errs: []int32{3906}},
		{name: "string compare case-insensitive", query: "SELECT CASE WHEN 'ABC' = 'abc ' THEN 1 ELSE 0 END", rows: []string{"1"}},
	})
}

func TestScriptsTempTables(t *testing.T) {
	runScripts(t, []scriptTest{
		{name: "object_id of temp table", query: "CREATE TABLE #w (a INT)\nIF OBJECT_ID('tempdb..#w') IS NOT NULL DROP TABLE #w\nCREATE TABLE #w (b INT)\nSELECT COUNT(*) FROM #w", rows: []string{"0"}},
		{name: "drop if exists temp", query: "DROP TABLE IF EXISTS #nothere\nSELECT 1", rows: []string{"1"}},
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
	runScripts(t, []scriptTest{
		{name: "row_number partition", setup: peopleSetup,
			query: "SELECT name, ROW_NUMBER() OVER (PARTITION BY city ORDER BY age DESC) AS rn FROM people WHERE city IS NOT NULL ORDER BY name",
			rows:  []string{"Ann|1", "Bob|1", "Cid|2"}},
		{name: "latest per group", setup: peopleSetup,
			query: "SELECT d.name FROM (SELECT name, ROW_NUMBER() OVER (PARTITION BY owner ORDER BY pid DESC) AS rn FROM pets JOIN people ON people.id = pets.owner) d WHERE d.rn = 1 ORDER BY d.name",
			rows:  []string{"Ann", "Bob"}},
		{name: "rank dense_rank", query: "SELECT v, RANK() OVER (ORDER BY v), DENSE_RANK() OVER (ORDER BY v) FROM (VALUES (1), (1), (2)) x(v) ORDER BY v",
			rows: []string{"1|1|1", "1|1|1", "2|3|2"}},
		{name: "window in where", setup: peopleSetup, query: "SELECT name FROM people WHERE ROW_NUMBER() OVER (ORDER BY id) = 1", errs: []int32{4108}},
	})
}

func TestScriptsCreateDatabaseFiles(t *testing.T) {
	runScripts(t, []scriptTest{
		{name: "explicit files", query: "CREATE DATABASE mgc ON PRIMARY (NAME = mgc_data, FILENAME = '/data/mgc.mdf', SIZE = 10MB) LOG ON (NAME = mgc_log, FILENAME = '/data/mgc.ldf')\nSELECT file_id, type_desc, name, physical_name, size FROM mgc.sys.database_files ORDER BY file_id",
			rows: []string{"1|ROWS|mgc_data|/data/mgc.mdf|1280", "2|LOG|mgc_log|/data/mgc.ldf|1024"}},
		{name: "default files", query: "CREATE DATABASE mgccomp\nSELECT name, physical_name FROM sys.master_files WHERE database_id = DB_ID('mgccomp') ORDER BY file_id",
			rows: []string{"mgccomp|/var/opt/mssql/data/mgccomp.mdf", "mgccomp_log|/var/opt/mssql/data/mgccomp_log.ldf"}},
	})
}

func TestScriptsMoreCatalog(t *testing.T) {
	runScripts(t, []scriptTest{
		{name: "sys.indexes", setup: peopleSetup, query: "CREATE UNIQUE INDEX ux ON pets (kind, owner)\nSELECT CASE WHEN i.name LIKE 'PK[_][_]pets[_][_]%' THEN 'PK' ELSE i.name END, i.type_desc, i.is_unique, i.is_primary_key FROM sys.indexes i WHERE i.object_id = OBJECT_ID('pets') ORDER BY i.index_id",
			rows: []string{"PK|CLUSTERED|1|1", "ux|NONCLUSTERED|1|0"}},
		{name: "sys.key_constraints", setup: peopleSetup, query: "SELECT COUNT(*) FROM sys.key_constraints WHERE type = 'PK'", rows: []string{"2"}},
		{name: "server_principals", query: "SELECT name, type_desc FROM sys.server_principals WHERE type = 'S' ORDER BY principal_id", rows: []string{"sa|SQL_LOGIN", "chat|SQL_LOGIN"}},
	})
}

func TestScriptsWindowAggregates(t *testing.T) {
	runScripts(t, []scriptTest{
		{name: "count over all", setup: peopleSetup, query: "SELECT TOP 1 name, COUNT(*) OVER () FROM people ORDER BY id", rows: []string{"Ann|4"}},
		{name: "sum over partition", setup: peopleSetup, query: "SELECT name, SUM(age) OVER (PARTITION BY city) FROM people WHERE city = 'Oslo' ORDER BY name", rows: []string{"Bob|25", "Cid|25"}},
		{name: "running total unsupported", setup: peopleSetup, query: "SELECT SUM(age) OVER (ORDER BY id) FROM people", errs: []int32{40000}},
	})
}

func TestScriptsScopedOptions(t *testing.T) {
	runScripts(t, []scriptTest{
		{name: "set inside dynamic sql reverts", query: "EXEC('SET XACT_ABORT ON')\nSELECT @@OPTIONS & 16384", rows: []string{"0"}},
		{name: "set in batch stays", query: "SET XACT_ABORT ON\nSELECT @@OPTIONS & 16384", rows: []string{"16384"}},
	})
}

func TestScriptsSavepoints(t *testing.T) {
	runScripts(t, []scriptTest{
		{name: "rollback to savepoint", setup: peopleSetup,
			query: "BEGIN TRAN t1\nINSERT pets VALUES (10, 1, 'a')\nSAVE TRAN s1\nINSERT pets VALUES (11, 1, 'b')\nROLLBACK TRAN s1\nSELECT @@TRANCOUNT\nCOMMIT\nSELECT COUNT(*) FROM pets",
			rows:  []string{"5"}},
		{name: "save without tran", query: "SAVE TRAN x", errs: []int32{628}},
		{name: "rollback unknown savepoint", query: "BEGIN TRAN a\nROLLBACK TRAN nope", errs: []int32{6401}},
	})
}
