package enginetest

// RecursiveCTEScripts are recursive common table expressions (issue 14;
// Microsoft's "WITH common_table_expression" page): anchor UNION ALL
// recursive member, MAXRECURSION (default 100, error 530 beyond it,
// OPTION (MAXRECURSION n), 0 for no limit) and the definition errors.
var RecursiveCTEScripts = []ScriptTest{
	{
		Name: "recursive CTE counts and walks a hierarchy",
		Setup: []string{
			"CREATE TABLE dbo.emp (id int PRIMARY KEY, boss int NULL, name nvarchar(10))",
			"INSERT dbo.emp VALUES (1, NULL, N'root'), (2, 1, N'a'), (3, 1, N'b'), (4, 2, N'c'), (5, 4, N'd')",
		},
		Assertions: []Assertion{
			{Query: "WITH n(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM n WHERE n < 5) SELECT n FROM n ORDER BY n", Expected: [][]any{{1}, {2}, {3}, {4}, {5}}},
			{Query: `WITH chain AS (
    SELECT id, name, 0 AS lvl FROM dbo.emp WHERE boss IS NULL
    UNION ALL
    SELECT e.id, e.name, c.lvl + 1 FROM dbo.emp AS e JOIN chain AS c ON e.boss = c.id
)
SELECT name, lvl FROM chain ORDER BY lvl, name`, Expected: [][]any{{"root", 0}, {"a", 1}, {"b", 1}, {"c", 2}, {"d", 3}}},
			{Query: "WITH n(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM n WHERE n < 101) SELECT COUNT(*) FROM n", Expected: [][]any{{101}}},
			{Query: "WITH n(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM n WHERE n < 102) SELECT COUNT(*) FROM n", ErrNumber: 530, ErrContains: "The statement terminated. The maximum recursion 100 has been exhausted before statement completion."},
			{Query: "WITH n(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM n WHERE n < 10000) SELECT COUNT(*) FROM n OPTION (MAXRECURSION 10000)", Expected: [][]any{{10000}}},
			{Query: "WITH n(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM n WHERE n < 300) SELECT MAX(n) FROM n OPTION (MAXRECURSION 0)", Expected: [][]any{{300}}},
			{Query: "WITH n(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM n WHERE n < 10) SELECT COUNT(*) FROM n OPTION (MAXRECURSION 5)", ErrNumber: 530},
			// GROUP BY matches expressions structurally; a subquery over a
			// recursive CTE (which refers to itself) must not loop.
			{Query: "WITH n(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM n WHERE n < 3) SELECT n % 2, COUNT(*), (SELECT MAX(n) FROM n) FROM n GROUP BY n % 2 ORDER BY 1", Expected: [][]any{{0, 1, 3}, {1, 2, 3}}},
		},
	},
	{
		Name: "recursive CTE definition errors",
		Assertions: []Assertion{
			{Query: "WITH n(n) AS (SELECT n + 1 FROM n) SELECT * FROM n", ErrNumber: 252},
			{Query: "WITH n(n) AS (SELECT n FROM n UNION ALL SELECT 1) SELECT * FROM n", ErrNumber: 246},
			{Query: "WITH s(s) AS (SELECT CAST('a' AS varchar(10)) UNION ALL SELECT s + 'a' FROM s WHERE LEN(s) < 3) SELECT * FROM s", ErrNumber: 240},
		},
	},
}
