package enginetest

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
