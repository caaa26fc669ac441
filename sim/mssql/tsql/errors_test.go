package tsql

import (
	"errors"
	"strings"
	"testing"
)

func TestSyntaxErrors(t *testing.T) {
	long := strings.Repeat("x", 129)
	tests := []struct {
		in     string
		number int
		line   int
		near   string
	}{
		{"SELECT * FROM", 156, 1, "FROM"},
		{"SELECT * FROM t WHERE", 156, 1, "WHERE"},
		{"select *\nfrom t\nwhere a = 1 and", 156, 3, "and"},
		{"SELECT 1 +", 102, 1, "+"},
		{"SELECT 1 SELECT 2 3", 102, 1, "3"},
		{"SELECT 1\n\n  FROM t t2 t3", 102, 3, "t3"},
		{"SELECT ?", 102, 1, "?"},
		{"SELECT 1 = 1", 102, 1, "="},
		{"SELECT (1 = 1)", 102, 1, "="},
		{"SET @x = 1 = 1", 102, 1, "="},
		{"SELECT 1 WHERE 1 = 1 = 1", 102, 1, "="},
		{"SELECT 1 WHERE (1 = 1) + 1 = 2", 102, 1, "+"},
		{"SELECT a. FROM t", 102, 1, "."},
		{"SELECT CAST(1 AS)", 102, 1, ")"},
		{"SELECT CASE END", 156, 1, "END"},
		{"SELECT 1 FROM t JOIN u", 102, 1, "u"},
		{"SELECT a FROM t ORDER BY", 156, 1, "BY"},
		{"INSERT INTO t VALUES", 156, 1, "VALUES"},
		{"UPDATE t SET", 156, 1, "SET"},
		{"DELETE", 156, 1, "DELETE"},
		{"KILL", 156, 1, "KILL"},
		{"KILL @spid", 102, 1, "@spid"},
		{"EXEC", 156, 1, "EXEC"},
		{"EXEC p 1 + 1", 102, 1, "+"},
		{"EXEC p GETDATE()", 102, 1, "("},
		{"CREATE TABLE t (a int,", 102, 1, ","},
		{"CREATE TABLE t (a varchar(-1))", 102, 1, "-"},
		{"DROP TABLE", 156, 1, "TABLE"},
		{"SET NOCOUNT", 102, 1, "NOCOUNT"},
		{"BEGIN END", 156, 1, "END"},
		{"BEGIN SELECT 1", 102, 1, "1"},
		{"IF 1=1 PRINT 'a'; ELSE PRINT 'b'", 156, 1, "ELSE"},
		{"SELECT 1\nGO 5", 102, 2, "5"},
		{"SELECT 1; GO", 102, 1, "GO"},
		{"THROW 1, 'x'", 102, 1, "x"},
		// An identifier no BACKUP or RESTORE knows: 155 "'FOO' is not a recognized BACKUP option."
		{"BACKUP DATABASE mgc TO DISK = 'x' WITH FOO", 155, 1, "FOO"},
		{"BACKUP DATABASE mgc TO DISK = 'x' WITH NAME", 102, 1, "NAME"},
		{"BACKUP DATABASE mgc TO DISK = 'x' WITH REPLACE", 102, 1, "REPLACE"},
		{"BACKUP DATABASE mgc WITH INIT", 156, 1, "WITH"},
		{"RESTORE HEADERONLY FROM DISK = 'x' WITH REPLACE", 102, 1, "REPLACE"},
		{"RESTORE DATABASE mgc FROM DISK = 'x' WITH MOVE 'a'", 102, 1, "a"},
		{"RESTORE DATABASE mgc FROM DISK = 'x' WITH FILE = 1,", 102, 1, ","},
		{"ALTER DATABASE mgc SET PARTNER OFF, RECOVERY FULL", 102, 1, ","},
		{"ALTER DATABASE mgc SET PARTNER OFF WITH ROLLBACK IMMEDIATE", 156, 1, "WITH"},
		{"ALTER DATABASE mgc SET RECOVERY MEDIUM", 102, 1, "MEDIUM"},
		{"ALTER DATABASE mgc SET FOO", 102, 1, "FOO"},
		{"ALTER DATABASE mgc SET PARTNER = TCP", 102, 1, "TCP"},
		{"CREATE ENDPOINT e STATE = RUNNING AS TCP (LISTENER_PORT = 1) FOR DATABASE_MIRRORING (ROLE = ALL)", 102, 1, "RUNNING"},
		{"CREATE ENDPOINT e STATE = STARTED", 102, 1, "STARTED"},
		{"GRANT CONNECT ON ENDPOINT::e", 102, 1, "e"},
		{"SELECT [a]]b] [c] [d]", 102, 1, "d"},
		{"SELECT 1 'x' 'y'", 102, 1, "y"},
		// 4145: a scalar where a condition is needed
		{"IF 1 PRINT 'x'", 4145, 1, "PRINT"},
		{"IF @a\n PRINT 'x'", 4145, 2, "PRINT"},
		{"SELECT 1 WHERE a AND b = 1", 4145, 1, "AND"},
		{"SELECT CASE WHEN 1 THEN 2 END", 4145, 1, "THEN"},
		// 195: unknown SET option
		{"SET FOO ON", 195, 1, "FOO"},
		{"SET NOCOUNT, FOO ON", 195, 1, "FOO"},
		// 119: positional after named
		{"EXEC p @a = 1, 2", 119, 1, "2"},
		// lexical errors
		{"SELECT 'abc", 105, 1, "abc"},
		{"SELECT N'abc\ndef", 105, 1, "abc\ndef"},
		{"SELECT [abc", 105, 1, "abc"},
		{"SELECT \"abc", 105, 1, "abc"},
		{"SELECT 1\nFROM t WHERE x = 'O'Brien'", 105, 2, ""},
		{"SELECT 1 /* unclosed", 113, 1, "*/"},
		{"SELECT 1 /* /* */", 113, 1, "*/"},
		{"SELECT " + long, 103, 1, long[:128]},
		{"SELECT [" + long + "]", 103, 1, long[:128]},
		{"DECLARE @" + long + " int", 103, 1, "@" + long[:127]},
		{"SELECT 123456789012345678901234567890123456789", 1007, 1, "123456789012345678901234567890123456789"},
		{"SELECT 1e999", 1007, 1, "1e999"},
		{"SELECT " + strings.Repeat("(", 300) + "1" + strings.Repeat(")", 300), 191, 1, "("},
	}
	for _, tc := range tests {
		_, err := Parse(tc.in)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q): want *SyntaxError %d, got %v", tc.in, tc.number, err)
			continue
		}
		if se.Number != tc.number || se.Line != tc.line || se.Near != tc.near {
			t.Errorf("Parse(%q): got %d line %d near %q (%s), want %d line %d near %q",
				tc.in, se.Number, se.Line, se.Near, se.Msg, tc.number, tc.line, tc.near)
		}
	}
}

func TestSyntaxErrorMessages(t *testing.T) {
	tests := []struct{ in, msg string }{
		{"SELECT * FROM", "Incorrect syntax near the keyword 'FROM'."},
		{"SELECT 1 +", "Incorrect syntax near '+'."},
		{"SELECT 'abc", "Unclosed quotation mark after the character string 'abc'."},
		{"SELECT " + strings.Repeat("y", 130), "The identifier that starts with '" + strings.Repeat("y", 128) + "' is too long. Maximum length is 128."},
		{"IF 1 PRINT 'x'", "An expression of non-boolean type specified in a context where a condition is expected, near 'PRINT'."},
		{"SET FOO ON", "'FOO' is not a recognized SET option."},
		{"SELECT 1 /* x", "Missing end comment mark '*/'."},
	}
	for _, tc := range tests {
		_, err := Parse(tc.in)
		var se *SyntaxError
		if !errors.As(err, &se) || se.Msg != tc.msg {
			t.Errorf("Parse(%q) = %v, want message %q", tc.in, err, tc.msg)
		}
	}
}

// TestUnclosedQuoteSendsTwoMessages checks that 105 is followed by 102, as
// SQL Server sends both, and that SQLErrors carries severity 15.
func TestUnclosedQuoteSendsTwoMessages(t *testing.T) {
	_, err := Parse("SELECT 1\nWHERE x = 'O'Brien'")
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("want *SyntaxError, got %v", err)
	}
	msgs := se.SQLErrors()
	if len(msgs) != 2 || msgs[0].Number != 105 || msgs[1].Number != 102 {
		t.Fatalf("got %+v", msgs)
	}
	for _, m := range msgs {
		if m.Class != 15 || m.Line != 2 || m.State != 1 {
			t.Errorf("message %d: class %d line %d state %d", m.Number, m.Class, m.Line, m.State)
		}
	}
}

func TestUnsupported(t *testing.T) {
	tests := []struct{ in, feature string }{
		{"MERGE t USING u ON 1=1 WHEN MATCHED THEN DELETE;", "MERGE"},
		{"CREATE PROCEDURE p WITH ENCRYPTION AS SELECT 1", "CREATE PROCEDURE WITH ENCRYPTION"},
		{"CREATE VIEW v WITH SCHEMABINDING AS SELECT 1 AS a", "CREATE VIEW WITH SCHEMABINDING"},
		{"DECLARE c CURSOR FOR SELECT 1", "cursors"},
		{"DECLARE @t TABLE (a int, INDEX ix (a))", "inline INDEX in a table variable"},
		{"SELECT a INTO t2 FROM t", "SELECT INTO"},
		{"WITH n(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM n UNION ALL SELECT n + 2 FROM n) SELECT * FROM n", "recursive common table expressions with several recursive members"},
		{"WITH c AS (SELECT 1 AS a) DELETE FROM t", "common table expressions with DELETE"},
		{"EXECUTE AS LOGIN = 'x'", "EXECUTE AS"},
		{"SELECT * FROM t FOR XML AUTO", "SELECT ... FOR"},
		{"DBCC CHECKDB", "DBCC"},
		{"BACKUP CERTIFICATE c TO FILE = 'x'", "BACKUP CERTIFICATE"},
		{"RESTORE DATABASE d FILE = 'f' FROM DISK = 'x'", "file, filegroup and page restores"},
		{"lbl: PRINT 1", "labels and GOTO"},
		{"DROP LOGIN x", "DROP LOGIN"},
		{"ALTER TABLE t ADD c int", "ALTER TABLE"},
		{"INSERT INTO t OUTPUT inserted.a VALUES (1)", "OUTPUT clause"},
	}
	for _, tc := range tests {
		_, err := Parse(tc.in)
		var ue *UnsupportedError
		if !errors.As(err, &ue) || ue.Feature != tc.feature {
			t.Errorf("Parse(%q) = %v, want unsupported %q", tc.in, err, tc.feature)
		}
	}
}
