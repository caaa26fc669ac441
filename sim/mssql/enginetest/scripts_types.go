package enginetest

// MoneyScripts: money and smallmoney are types of their own (issue 14),
// not decimal(19,4) and decimal(10,4): SQL Server's conversion rules for
// them differ (CAST and CONVERT's money styles, rounding to an integer,
// currency symbols and thousands separators in strings, their own ranges)
// and clients see their names. Microsoft's "money and smallmoney" and
// "CAST and CONVERT" pages are the rules.
var MoneyScripts = []ScriptTest{
	{
		Name: "money converts to and from strings as SQL Server does",
		Assertions: []Assertion{
			// Style 0 (the default): two decimal places, no separators.
			{Query: "SELECT CAST($1234.5678 AS varchar(20))", Expected: [][]any{{"1234.57"}}},
			{Query: "SELECT CONVERT(varchar(20), CAST(1234567.891 AS money), 1)", Expected: [][]any{{"1,234,567.89"}}},
			{Query: "SELECT CONVERT(varchar(20), $1234.5678, 2)", Expected: [][]any{{"1234.5678"}}},
			{Query: "SELECT CAST(CAST(-0.5 AS smallmoney) AS nvarchar(10))", Expected: [][]any{{"-0.50"}}},
			// A string may carry a currency symbol and separators.
			{Query: "SELECT CAST('$1,234.56' AS money), CAST(' -12.34567 ' AS money)", Expected: [][]any{{"1234.5600", "-12.3457"}}},
			{Query: "SELECT CAST('abc' AS money)", ErrNumber: 235},
		},
	},
	{
		Name: "money rounds to an integer and keeps its range",
		Assertions: []Assertion{
			// money -> int rounds (decimal -> int truncates).
			{Query: "SELECT CAST($2.5 AS int), CAST(CAST(-2.5 AS money) AS int), CAST(2.5 AS int)", Expected: [][]any{{3, -3, 2}}},
			{Query: "SELECT CAST(300000 AS smallmoney)", ErrNumber: 8115, ErrContains: "smallmoney"},
			{Query: "SELECT CAST(1e16 AS money)", ErrNumber: 8115, ErrContains: "money"},
			{Query: "SELECT CAST(214748.3647 AS smallmoney), CAST(922337203685477.5807 AS money)", Expected: [][]any{{"214748.3647", "922337203685477.5807"}}},
		},
	},
	{
		Name: "money arithmetic stays money",
		Assertions: []Assertion{
			{Query: "SELECT $1.00 / 3, CAST(10 AS money) * 3, $1 + CAST(2 AS smallmoney)", Expected: [][]any{{"0.3333", "30.0000", "3.0000"}}},
		},
	},
	{
		Name:  "money columns have their own type names",
		Setup: []string{"CREATE TABLE dbo.m (a money, b smallmoney)", "INSERT INTO dbo.m VALUES ($12.3456, 7)"},
		Assertions: []Assertion{
			{Query: "SELECT system_type_id, max_length, [precision], scale FROM sys.columns WHERE object_id = OBJECT_ID('dbo.m') ORDER BY column_id",
				Expected: [][]any{{60, 8, 19, 4}, {122, 4, 10, 4}}},
			{Query: "SELECT DATA_TYPE FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_NAME = 'm' ORDER BY ORDINAL_POSITION", Expected: [][]any{{"money"}, {"smallmoney"}}},
			{Query: "SELECT a, b, SUM(a) OVER () FROM dbo.m", Expected: [][]any{{"12.3456", "7.0000", "12.3456"}}},
		},
	},
}
