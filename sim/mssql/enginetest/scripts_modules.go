package enginetest

import (
	"database/sql"

	mssqldb "github.com/microsoft/go-mssqldb"
	"github.com/shopspring/decimal"
)

// money is a go-mssqldb money parameter (TDS MONEYN on the wire).
func money(s string) mssqldb.Money[decimal.Decimal] {
	return mssqldb.Money[decimal.Decimal]{Decimal: decimal.RequireFromString(s)}
}

// ModuleScripts are user procedures and views (issue 14): CREATE [OR
// ALTER], ALTER and DROP PROCEDURE and VIEW, EXEC with parameters, OUTPUT
// parameters and return status, procedures calling procedures, the catalog
// that shows them, and SQL Server's errors for each (Microsoft's CREATE
// PROCEDURE, CREATE VIEW, DROP PROCEDURE and EXECUTE pages).
var ModuleScripts = []ScriptTest{
	{
		Name: "procedure with parameters, defaults, OUTPUT and RETURN",
		Setup: []string{
			"CREATE TABLE dbo.t (id int PRIMARY KEY, name nvarchar(20))",
			"INSERT INTO dbo.t VALUES (1, N'one'), (2, N'two'), (3, N'three')",
			`CREATE PROCEDURE dbo.get_t
    @min int = 2,
    @count int = NULL OUTPUT
AS
BEGIN
    SET NOCOUNT ON;
    SELECT id, name FROM dbo.t WHERE id >= @min ORDER BY id;
    SELECT @count = COUNT(*) FROM dbo.t WHERE id >= @min;
    RETURN @count * 10;
END`,
			"CREATE PROC dbo.count_t @min int = 2, @count int = NULL OUTPUT AS BEGIN SELECT @count = COUNT(*) FROM dbo.t WHERE id >= @min; RETURN @count * 10; END",
		},
		Assertions: []Assertion{
			{Query: "EXEC dbo.get_t", Expected: [][]any{{2, "two"}, {3, "three"}}},
			{Query: "EXEC get_t 1", Expected: [][]any{{1, "one"}, {2, "two"}, {3, "three"}}},
			{Query: "EXEC get_t @min = 3", Expected: [][]any{{3, "three"}}},
			{Query: "DECLARE @c int, @r int; EXEC @r = dbo.count_t 1, @c OUTPUT; SELECT @c, @r", Expected: [][]any{{3, 30}}},
			{Query: "DECLARE @c int; EXEC count_t @count = @c OUT, @min = 2; SELECT @c", Expected: [][]any{{2}}},
			// Without OUTPUT at the call the variable keeps its value.
			{Query: "DECLARE @c int = 7; EXEC count_t 1, @c; SELECT @c", Expected: [][]any{{7}}},
			{Query: "EXEC get_t 1, 2, 3", ErrNumber: 8144, ErrContains: "Procedure or function get_t has too many arguments specified."},
			{Query: "EXEC get_t @nope = 1", ErrNumber: 8145},
			{Query: "DECLARE @m int; EXEC get_t @m OUTPUT", ErrNumber: 8162, ErrContains: `The formal parameter "@min" was not declared as an OUTPUT parameter`},
			{Query: "EXEC get_t 'x'", ErrNumber: 8114},
		},
	},
	{
		// A MONEYN parameter used to arrive as an untyped NULL's type:
		// SELECT @p returned NULL and a money OUTPUT parameter came back
		// NULL (go-mssqldb's TestOutputINOUTMoneyParam).
		Name:  "money parameters keep their value",
		Setup: []string{"CREATE PROC mon @m money OUTPUT AS SET @m = @m + 1"},
		Assertions: []Assertion{
			{Query: "SELECT @p", Args: []any{sql.Named("p", money("499983212344.8763"))}, Expected: [][]any{{"499983212344.8763"}}},
			{Query: "DECLARE @x money = @p; EXEC mon @x OUTPUT; SELECT @x", Args: []any{sql.Named("p", money("-982.3421"))}, Expected: [][]any{{"-981.3421"}}},
		},
	},
	{
		Name: "required parameter is 201",
		Setup: []string{
			"CREATE PROC need @a int, @b int AS SELECT @a + @b",
		},
		Assertions: []Assertion{
			{Query: "EXEC need 1, 2", Expected: [][]any{{3}}},
			{Query: "EXEC need 1", ErrNumber: 201, ErrContains: "Procedure or function 'need' expects parameter '@b', which was not supplied."},
			{Query: "EXEC need @b = 5, @a = 1", Expected: [][]any{{6}}},
		},
	},
	{
		Name: "procedures calling procedures, nesting, @@NESTLEVEL-free recursion limit",
		Setup: []string{
			"CREATE PROC inner_p @x int, @y int OUTPUT AS BEGIN SET @y = @x * 2; RETURN 5; END",
			"CREATE PROC outer_p @x int AS BEGIN DECLARE @y int, @r int; EXEC @r = inner_p @x, @y OUTPUT; SELECT @y AS y, @r AS r; END",
			"CREATE PROC forever AS EXEC forever",
		},
		Assertions: []Assertion{
			{Query: "EXEC outer_p 21", Columns: []string{"y", "r"}, Expected: [][]any{{42, 5}}},
			{Query: "EXEC forever", ErrNumber: 217, ErrContains: "Maximum stored procedure, function, trigger, or view nesting level exceeded (limit 32)."},
		},
	},
	{
		Name: "CREATE, ALTER, CREATE OR ALTER and DROP PROCEDURE",
		Assertions: []Assertion{
			{Query: "CREATE PROCEDURE p AS SELECT 1 AS v", Exec: true, Affected: -1},
			{Query: "CREATE PROCEDURE p AS SELECT 2 AS v", ErrNumber: 2714, ErrContains: "There is already an object named 'p' in the database."},
			{Query: "EXEC p", Expected: [][]any{{1}}},
			{Query: "ALTER PROCEDURE p AS SELECT 3 AS v", Exec: true, Affected: -1},
			{Query: "EXEC p", Expected: [][]any{{3}}},
			{Query: "CREATE OR ALTER PROC p AS SELECT 4 AS v", Exec: true, Affected: -1},
			{Query: "p", Expected: [][]any{{4}}},
			{Query: "ALTER PROC missing AS SELECT 1", ErrNumber: 208},
			{Query: "SELECT 1; CREATE PROC q AS SELECT 1", ErrNumber: 111, ErrContains: "'CREATE/ALTER PROCEDURE' must be the first statement in a query batch."},
			{Query: "IF 1 = 1 CREATE PROC q AS SELECT 1", ErrNumber: 156},
			{Query: "DROP PROCEDURE p", Exec: true, Affected: -1},
			{Query: "EXEC p", ErrNumber: 2812, ErrContains: "Could not find stored procedure 'p'."},
			{Query: "DROP PROCEDURE p", ErrNumber: 3701, ErrContains: "Cannot drop the procedure 'p', because it does not exist or you do not have permission."},
			{Query: "DROP PROCEDURE IF EXISTS p", Exec: true, Affected: -1},
			{Query: "if object_id('p') is not null drop proc p; SELECT 1", Expected: [][]any{{1}}},
			{Query: "CREATE PROC bad AS SELECT @undeclared", ErrNumber: 137},
			{Query: "CREATE TABLE dbo.tt (a int)", Exec: true, Affected: -1},
			{Query: "CREATE PROC tt AS SELECT 1", ErrNumber: 2714},
			{Query: "DROP PROC tt", ErrNumber: 3705, ErrContains: "Cannot use DROP PROCEDURE with 'tt' because 'tt' is a table. Use DROP TABLE."},
		},
	},
	{
		Name: "a procedure runs with deferred name resolution and a scope-aborting error",
		Setup: []string{
			"CREATE PROC later AS BEGIN SELECT 'before' AS a FROM dbo.not_yet; RETURN 3 END",
		},
		Assertions: []Assertion{
			{Query: "EXEC later", ErrNumber: 208},
			{Query: "DECLARE @r int; EXEC @r = later; SELECT @r", ErrNumber: 208},
			{Query: "CREATE TABLE dbo.not_yet (a int)", Exec: true, Affected: -1},
			{Query: "INSERT dbo.not_yet VALUES (9)", Exec: true, Affected: 1},
			{Query: "EXEC later", Expected: [][]any{{"before"}}},
			{Query: "DECLARE @r int; EXEC @r = later; SELECT @r", Expected: [][]any{{"before"}}},
		},
	},
	{
		Name: "temporary procedure",
		Assertions: []Assertion{
			{Query: "CREATE PROC #get_answer AS RETURN 42", Exec: true, Affected: -1},
			{Query: "DECLARE @r int; EXEC @r = #get_answer; SELECT @r", Expected: [][]any{{42}}},
		},
	},
	{
		Name: "views",
		Setup: []string{
			"CREATE TABLE dbo.emp (id int PRIMARY KEY, name nvarchar(20), dept int)",
			"INSERT INTO dbo.emp VALUES (1, N'Ann', 10), (2, N'Bob', 20), (3, N'Cid', 10)",
			"CREATE VIEW dbo.dept10 AS SELECT id, name FROM dbo.emp WHERE dept = 10",
		},
		Assertions: []Assertion{
			{Query: "SELECT name FROM dept10 ORDER BY id", Expected: [][]any{{"Ann"}, {"Cid"}}},
			{Query: "SELECT d.name FROM dbo.dept10 AS d JOIN dbo.emp e ON e.id = d.id WHERE e.id = 3", Expected: [][]any{{"Cid"}}},
			{Query: "CREATE VIEW dbo.counts (dept, n) AS SELECT dept, COUNT(*) FROM dbo.emp GROUP BY dept", Exec: true, Affected: -1},
			{Query: "SELECT dept, n FROM counts ORDER BY dept", Expected: [][]any{{10, 2}, {20, 1}}},
			{Query: "CREATE VIEW v2 AS SELECT dept FROM dbo.counts WHERE n > 1", Exec: true, Affected: -1},
			{Query: "SELECT * FROM v2", Expected: [][]any{{10}}},
			{Query: "ALTER VIEW dbo.dept10 AS SELECT id, name FROM dbo.emp WHERE dept = 20", Exec: true, Affected: -1},
			{Query: "SELECT name FROM dept10", Expected: [][]any{{"Bob"}}},
			{Query: "CREATE OR ALTER VIEW dbo.dept10 AS SELECT name FROM dbo.emp WHERE id = 1", Exec: true, Affected: -1},
			{Query: "SELECT * FROM dept10", Expected: [][]any{{"Ann"}}},
			{Query: "CREATE VIEW dept10 AS SELECT 1 AS a", ErrNumber: 2714},
			{Query: "CREATE VIEW nope AS SELECT * FROM dbo.missing", ErrNumber: 208},
			{Query: "CREATE VIEW nocol AS SELECT 1", ErrNumber: 4511, ErrContains: "Create View or Function failed because no column name was specified for column 1."},
			{Query: "CREATE VIEW dup AS SELECT 1 AS a, 2 AS a", ErrNumber: 4506},
			{Query: "CREATE VIEW few (a, b) AS SELECT 1 AS a", ErrNumber: 8159},
			{Query: "CREATE VIEW ord AS SELECT id FROM dbo.emp ORDER BY id", ErrNumber: 1033},
			{Query: "DROP VIEW IF EXISTS dbo.v2; CREATE VIEW v3 AS SELECT 1 AS a", ErrNumber: 111, ErrContains: "'CREATE VIEW' must be the first statement in a query batch."},
			{Query: "INSERT INTO dept10 VALUES (N'x')", ErrNumber: 40000},
			{Query: "DROP VIEW v2, counts", Exec: true, Affected: -1},
			{Query: "SELECT * FROM v2", ErrNumber: 208},
			{Query: "DROP VIEW v2", ErrNumber: 3701, ErrContains: "Cannot drop the view 'v2', because it does not exist or you do not have permission."},
			{Query: "DROP TABLE dept10", ErrNumber: 3705, ErrContains: "Cannot use DROP TABLE with 'dept10' because 'dept10' is a view. Use DROP VIEW."},
			{Query: "DROP VIEW emp", ErrNumber: 3705, ErrContains: "Cannot use DROP VIEW with 'emp' because 'emp' is a table. Use DROP TABLE."},
		},
	},
	{
		Name: "catalog: sys.procedures, sys.views, sys.sql_modules, sys.objects, OBJECT_ID, OBJECT_DEFINITION, sp_helptext",
		Setup: []string{
			"CREATE PROC dbo.cp @a int AS\r\nSELECT @a\r\n",
			"CREATE VIEW dbo.cv AS SELECT 1 AS one",
		},
		Assertions: []Assertion{
			{Query: "SELECT name, type, type_desc FROM sys.procedures", Expected: [][]any{{"cp", "P ", "SQL_STORED_PROCEDURE"}}},
			{Query: "SELECT name, type_desc, with_check_option FROM sys.views", Expected: [][]any{{"cv", "VIEW", false}}},
			{Query: "SELECT o.name FROM sys.objects o JOIN sys.sql_modules m ON m.object_id = o.object_id ORDER BY o.name", Expected: [][]any{{"cp"}, {"cv"}}},
			{Query: "SELECT OBJECT_DEFINITION(OBJECT_ID('dbo.cv'))", Expected: [][]any{{"CREATE VIEW dbo.cv AS SELECT 1 AS one"}}},
			{Query: "SELECT CASE WHEN OBJECT_ID('cp', 'P') IS NOT NULL THEN 1 ELSE 0 END, CASE WHEN OBJECT_ID('cp', 'V') IS NULL THEN 1 ELSE 0 END", Expected: [][]any{{1, 1}}},
			{Query: "EXEC sp_helptext 'cp'", Columns: []string{"Text"}, Expected: [][]any{{"CREATE PROC dbo.cp @a int AS\r\n"}, {"SELECT @a\r\n"}}},
			{Query: "EXEC sp_helptext 'nothing'", ErrNumber: 15009, ErrContains: "The object 'nothing' does not exist in database 'master' or is invalid for this operation."},
		},
	},
}
