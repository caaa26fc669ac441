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

// LobScripts: text, ntext, image and xml are types of their own (issue
// 14), not varchar(max), nvarchar(max) and varbinary(max): clients and
// catalog views see their names, TDS sends them as TEXT/NTEXT/IMAGE (with
// text pointers) and XML, and SQL Server's rules for them hold: they
// cannot be compared or sorted (402/306, 305 for xml) except with IS NULL
// (and LIKE for text), the conversion chart allows them only to and from
// character (and, for image and xml, binary) types (529), and an xml value
// must be well-formed (9400).
var LobScripts = []ScriptTest{
	{
		Name: "text, ntext, image and xml values round-trip under their own names",
		Setup: []string{
			"CREATE TABLE dbo.lob (id int, t text, n ntext, i image, x xml)",
			"INSERT INTO dbo.lob VALUES (1, 'hello', N'привет', 0x0102, '<a b=\"1\"/>')",
			"INSERT INTO dbo.lob VALUES (2, NULL, NULL, NULL, NULL)",
		},
		Assertions: []Assertion{
			{Query: "SELECT t, n, i, x FROM dbo.lob ORDER BY id", Expected: [][]any{{"hello", "привет", "0x0102", "<a b=\"1\"/>"}, {nil, nil, nil, nil}}},
			{Query: "SELECT name, system_type_id, max_length FROM sys.columns WHERE object_id = OBJECT_ID('dbo.lob') AND column_id > 1 ORDER BY column_id",
				Expected: [][]any{{"t", 35, 16}, {"n", 99, 16}, {"i", 34, 16}, {"x", 241, -1}}},
			{Query: "SELECT DATA_TYPE FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_NAME = 'lob' AND ORDINAL_POSITION > 1 ORDER BY ORDINAL_POSITION",
				Expected: [][]any{{"text"}, {"ntext"}, {"image"}, {"xml"}}},
			{Query: "SELECT CAST('abc' AS text), CAST(N'abc' AS ntext), CAST('abc' AS image), CAST('<root/>' AS xml)", Expected: [][]any{{"abc", "abc", "0x616263", "<root/>"}}},
			{Query: "SELECT id FROM dbo.lob WHERE t LIKE 'hel%' AND x IS NOT NULL", Expected: [][]any{{1}}},
			{Query: "SELECT id FROM dbo.lob WHERE t IS NULL", Expected: [][]any{{2}}},
			{Query: "SELECT CAST(t AS varchar(10)), CAST(x AS nvarchar(max)), CAST(i AS varbinary(10)) FROM dbo.lob WHERE id = 1", Expected: [][]any{{"hello", "<a b=\"1\"/>", "0x0102"}}},
		},
	},
	{
		Name:  "text, ntext, image and xml cannot be compared or sorted",
		Setup: []string{"CREATE TABLE dbo.lob2 (t text, n ntext, i image, x xml)"},
		Assertions: []Assertion{
			{Query: "SELECT 1 FROM dbo.lob2 WHERE t = 'a'", ErrNumber: 402},
			{Query: "SELECT 1 FROM dbo.lob2 WHERE n <> N'a'", ErrNumber: 402},
			{Query: "SELECT 1 FROM dbo.lob2 WHERE i = 0x01", ErrNumber: 402},
			{Query: "SELECT 1 FROM dbo.lob2 WHERE x = '<a/>'", ErrNumber: 305},
			{Query: "SELECT t FROM dbo.lob2 ORDER BY t", ErrNumber: 306},
			{Query: "SELECT x FROM dbo.lob2 ORDER BY x", ErrNumber: 305},
		},
	},
	{
		Name: "text, ntext, image and xml convert only as the conversion chart allows",
		Assertions: []Assertion{
			{Query: "SELECT CAST(CAST('12' AS text) AS int)", ErrNumber: 529},
			{Query: "SELECT CAST(12 AS ntext)", ErrNumber: 529},
			{Query: "SELECT CAST(CAST(0x01 AS image) AS int)", ErrNumber: 529},
			{Query: "SELECT CAST(CAST('<a/>' AS xml) AS int)", ErrNumber: 529},
			{Query: "SELECT CAST('<a>' AS xml)", ErrNumber: 9400},
			{Query: "SELECT CAST(CAST(N'abc' AS ntext) AS text)", Expected: [][]any{{"abc"}}},
		},
	},
}

// VariantScripts: sql_variant keeps a value's base type (issue 14):
// storage, SQL_VARIANT_PROPERTY, conversion (only explicit out of it;
// never from the LOB or (MAX) types, 206) and TDS's SSVARIANTTYPE, which
// the over-the-wire runner decodes with go-mssqldb.
var VariantScripts = []ScriptTest{
	{
		Name: "sql_variant values keep their base type",
		Setup: []string{
			"CREATE TABLE dbo.va (id int, x sql_variant)",
			"INSERT INTO dbo.va VALUES (1, 1), (2, 'abc'), (3, CAST(1.5 AS decimal(5,2))), (4, NULL), (5, CAST(10 AS tinyint)), (6, N'привет')",
		},
		Assertions: []Assertion{
			// (go-mssqldb gives a decimal in a sql_variant as the bytes of its text.)
			{Query: "SELECT id, x FROM dbo.va WHERE id <> 3 ORDER BY id", Expected: [][]any{{1, 1}, {2, "abc"}, {4, nil}, {5, 10}, {6, "привет"}}},
			{Query: "SELECT CAST(x AS varchar(10)) FROM dbo.va WHERE id = 3", Expected: [][]any{{"1.50"}}},
			{Query: "SELECT id, SQL_VARIANT_PROPERTY(x, 'BaseType'), SQL_VARIANT_PROPERTY(x, 'Precision'), SQL_VARIANT_PROPERTY(x, 'Scale'), SQL_VARIANT_PROPERTY(x, 'MaxLength') FROM dbo.va ORDER BY id",
				Expected: [][]any{
					{1, "int", 10, 0, 4},
					{2, "varchar", 0, 0, 3},
					{3, "decimal", 5, 2, 5},
					{4, nil, nil, nil, nil},
					{5, "tinyint", 3, 0, 1},
					{6, "nvarchar", 0, 0, 12},
				}},
			{Query: "SELECT SQL_VARIANT_PROPERTY(x, 'Collation'), SQL_VARIANT_PROPERTY(x, 'TotalBytes') FROM dbo.va WHERE id = 2", Expected: [][]any{{"SQL_Latin1_General_CP1_CI_AS", 12}}},
			{Query: "SELECT CAST(x AS int) + 1 FROM dbo.va WHERE id = 1", Expected: [][]any{{2}}},
			{Query: "SELECT id FROM dbo.va WHERE x = 1 ORDER BY id", Expected: [][]any{{1}}},
			{Query: "SELECT system_type_id, max_length FROM sys.columns WHERE object_id = OBJECT_ID('dbo.va') AND name = 'x'", Expected: [][]any{{98, 8016}}},
		},
	},
	{
		Name: "sql_variant converts out only explicitly and never holds LOB or (MAX) values",
		Assertions: []Assertion{
			{Query: "DECLARE @v sql_variant = 5; DECLARE @i int; SET @i = @v", ErrNumber: 257},
			{Query: "DECLARE @v sql_variant = 5; SELECT CAST(@v AS int) * 2", Expected: [][]any{{10}}},
			{Query: "SELECT CAST(CAST('abc' AS varchar(max)) AS sql_variant)", ErrNumber: 206},
			{Query: "SELECT CAST(CAST('abc' AS text) AS sql_variant)", ErrNumber: 529},
			{Query: "SELECT SQL_VARIANT_PROPERTY(CAST(-0.5 AS decimal(18,1)), 'BaseType'), SQL_VARIANT_PROPERTY(CAST(-0.5 AS decimal(18,1)), 'Scale')", Expected: [][]any{{"decimal", 1}}},
			{Query: "SELECT SQL_VARIANT_PROPERTY($1, 'BaseType'), SQL_VARIANT_PROPERTY(CAST(1 AS smallmoney), 'Precision')", Expected: [][]any{{"money", 10}}},
		},
	},
}
