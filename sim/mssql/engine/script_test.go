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
				if !reflect.DeepEqual(infos, tc.infos) {
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
			infos: []string{"The statement has been terminated.", "after"}, rows: []string{"4"}},
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
		{name: "6104 kill self", query: "KILL @@SPID", errs: []int32{6104}},
		{name: "6106 kill unknown", query: "KILL 999", errs: []int32{6106}},
		{name: "3702 drop db in use", query: "CREATE DATABASE d2\nUSE d2\nDROP DATABASE d2", errs: []int32{3702}},
		{name: "3701 drop missing table", query: "DROP TABLE nosuch", errs: []int32{3701}},
		{name: "error line numbers", setup: peopleSetup, query: "SELECT 1\n\n-- comment\nINSERT pets VALUES (1, 1, 'dup')", errs: []int32{2627}, line: 4},
		{name: "@@ERROR after failure", setup: peopleSetup,
			query: "INSERT pets VALUES (1, 1, 'dup')\nSELECT @@ERROR AS e", errs: []int32{2627}, rows: []string{"2627"}},
		{name: "xact_abort rolls back", setup: peopleSetup,
			query: "SET XACT_ABORT ON\nBEGIN TRAN\nINSERT pets VALUES (20, 1, 'a')\nINSERT pets VALUES (1, 1, 'dup')\nPRINT 'not reached'",
			errs: []int32{2627}, infos: []string{}},
	})
}
