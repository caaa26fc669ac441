package engine

import "testing"

func TestSmoke(t *testing.T) {
	inst := newTestInstance(t, "")
	defer inst.Close()
	s := login(t, inst, "smoke")
	r := mustRun(t, s, "SELECT 1 AS a, 'x' AS b, @@SERVERNAME")
	t.Logf("%+v %v", r.last().cols, r.last().rows)
	mustRun(t, s, "CREATE TABLE t (id INT IDENTITY PRIMARY KEY, name NVARCHAR(50) NOT NULL, n INT NULL DEFAULT 7)")
	mustRun(t, s, "INSERT INTO t (name) VALUES (N'a'), (N'b')")
	r = mustRun(t, s, "SELECT id, name, n FROM t ORDER BY id DESC")
	for _, row := range r.last().rows {
		t.Log(fmtRow(row, r.last().cols))
	}
	r = run(t, s, "INSERT INTO t (name) VALUES (NULL)")
	t.Log(r.errNums(), r.msgs[0].Message)
}
