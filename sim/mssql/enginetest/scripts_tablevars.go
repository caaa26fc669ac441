package enginetest

// TableVarScripts are table variables (issue 14; Microsoft's "table
// (Transact-SQL)" and "DECLARE @local_variable" pages): DECLARE @t TABLE,
// INSERT, SELECT, UPDATE and DELETE on it, its scope (the batch), and
// errors.
var TableVarScripts = []ScriptTest{
	{
		Name:  "table variable DML and joins",
		Setup: []string{"CREATE TABLE dbo.src (id int PRIMARY KEY, name nvarchar(10))", "INSERT dbo.src VALUES (1, N'a'), (2, N'b'), (3, N'c')"},
		Assertions: []Assertion{
			{Query: `DECLARE @t TABLE (id int PRIMARY KEY, name nvarchar(10) NULL, n int IDENTITY(1,1));
INSERT INTO @t (id, name) SELECT id, name FROM dbo.src WHERE id < 3;
INSERT @t (id, name) VALUES (9, N'z');
UPDATE @t SET name = N'B' WHERE id = 2;
DELETE FROM @t WHERE id = 1;
SELECT t.id, t.name, t.n FROM @t AS t ORDER BY t.id`, Expected: [][]any{{2, "B", 2}, {9, "z", 3}}},
			{Query: `DECLARE @t TABLE (id int);
INSERT @t VALUES (1), (3);
SELECT s.name FROM dbo.src s JOIN @t x ON x.id = s.id ORDER BY s.name`, Expected: [][]any{{"a"}, {"c"}}},
			{Query: `DECLARE @t TABLE (id int PRIMARY KEY); INSERT @t VALUES (1); INSERT @t VALUES (1)`, ErrNumber: 2627},
			{Query: `DECLARE @t TABLE (a int); SELECT COUNT(*) FROM @t`, Expected: [][]any{{0}}},
		},
	},
	{
		Name: "a table variable lives for its batch",
		Assertions: []Assertion{
			{Query: "DECLARE @t TABLE (a int); INSERT @t VALUES (1)", Exec: true, Affected: 1},
			{Query: "SELECT * FROM @t", ErrNumber: 1087, ErrContains: `Must declare the table variable "@t".`},
			{Query: "INSERT @nope VALUES (1)", ErrNumber: 1087},
			{Query: "DECLARE @t TABLE (a int); DECLARE @t TABLE (b int)", ErrNumber: 134},
		},
	},
	{
		Name:  "a table variable in a procedure",
		Setup: []string{"CREATE PROC tv @n int AS BEGIN DECLARE @t TABLE (i int); WHILE @n > 0 BEGIN INSERT @t VALUES (@n); SET @n = @n - 1; END; SELECT SUM(i) FROM @t; END"},
		Assertions: []Assertion{
			{Query: "EXEC tv 4", Expected: [][]any{{10}}},
			{Query: "EXEC tv 2", Expected: [][]any{{3}}},
		},
	},
	{
		Name:  "INSERT ... EXEC captures a procedure's result sets",
		Setup: []string{"CREATE PROC two_sets AS BEGIN SELECT 1, N'a'; SELECT 2, N'b'; END", "CREATE TABLE dbo.cap (i int, s nvarchar(5))"},
		Assertions: []Assertion{
			{Query: "INSERT INTO dbo.cap EXEC two_sets", Exec: true, Affected: 2},
			{Query: "DECLARE @t TABLE (i int, s nvarchar(5)); INSERT @t (i, s) EXEC two_sets; SELECT SUM(i), MAX(s) FROM @t", Expected: [][]any{{3, "b"}}},
			{Query: "DECLARE @t TABLE (i int); INSERT @t EXEC two_sets", ErrNumber: 213},
			{Query: "SELECT i, s FROM dbo.cap ORDER BY i", Expected: [][]any{{1, "a"}, {2, "b"}}},
		},
	},
	{
		Name: "table variable changes in an explicit transaction are refused, not rolled back",
		Assertions: []Assertion{
			{Query: "DECLARE @t TABLE (a int); BEGIN TRAN; INSERT @t VALUES (1); ROLLBACK", ErrNumber: 40000},
		},
	},
}
