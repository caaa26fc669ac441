package engine_test

import "testing"

// sys.partitions gives row counts without reading rows; a SELECT over the
// table is counted against the session's program, the catalog read is not.
func TestPartitionsRowsWithoutReadingThem(t *testing.T) {
	e := newBkEnv(t)
	p := e.Start("PRIMARY")
	s := login(t, p, "t")
	bkOK(t, s, "CREATE DATABASE mgc")
	bkOK(t, s, "CREATE TABLE mgc.dbo.msg (id INT PRIMARY KEY, body NVARCHAR(100)); INSERT mgc.dbo.msg VALUES (1, N'a'), (2, N'b'), (3, N'c')")
	before := p.UserRowsRead("t")
	q := "SELECT SUM(p.rows) FROM mgc.sys.tables AS t JOIN mgc.sys.partitions AS p ON p.object_id = t.object_id WHERE p.index_id IN (0, 1)"
	if got := scalar(t, s, q); got != "3" {
		t.Fatalf("sys.partitions rows %s, want 3", got)
	}
	if n := p.UserRowsRead("t") - before; n != 0 {
		t.Fatalf("the catalog read counted %d user rows", n)
	}
	if got := scalar(t, s, "SELECT COUNT_BIG(*) FROM mgc.dbo.msg"); got != "3" {
		t.Fatalf("count %s", got)
	}
	if n := p.UserRowsRead("t") - before; n != 3 {
		t.Fatalf("a scan of 3 rows counted %d", n)
	}
}
