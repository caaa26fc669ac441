package engine

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
)

// TestStreamedSelectIsTheGeneralPlan: a select list of plain columns of one
// table streams (scan_stream.go); WHERE 1 = 1 makes the same query take
// the general plan. Both give the same columns, rows in the same order,
// row count and @@ROWCOUNT, over segment rows, deleted and updated ones,
// ordinary row versions, the session's own uncommitted rows (seen) and
// another session's (not seen), and under SET ROWCOUNT.
func TestStreamedSelectIsTheGeneralPlan(t *testing.T) {
	inst := openDir(t, t.TempDir(), true)
	defer inst.Close()
	s := login(t, inst, "t")
	defer s.Close()
	mustRun(t, s, "CREATE DATABASE mgc")
	mustRun(t, s, "USE mgc; CREATE TABLE dbo.seg (chatId bigint IDENTITY(1,1) NOT NULL PRIMARY KEY, msgId int NOT NULL UNIQUE, content nvarchar(max) NOT NULL, chatDate datetime2 NOT NULL, note varbinary(20) NULL)")
	if n, err := loadMessages(s, "dbo.seg", 1000, 300); err != nil || n != 1000 {
		t.Fatalf("BulkLoad: %d rows, %v", n, err)
	}
	if segLiveOf(t, inst, "mgc", "seg") == 0 {
		t.Fatal("the bulk load left no segment rows: the test would not read any")
	}
	o := login(t, inst, "other")
	defer o.Close()
	mustRun(t, o, "USE mgc")
	same := func(step string, ss *Session) {
		t.Helper()
		for _, q := range [][2]string{
			{"SELECT chatId, msgId, content, note FROM dbo.seg", ""},
			{"SELECT * FROM dbo.seg", ""},
			{"SELECT s.* FROM dbo.seg AS s", ""},
			{"SELECT note, dbo.seg.msgId, chatDate FROM mgc.dbo.seg", ""},
			{"SET ROWCOUNT 7; SELECT msgId, chatDate FROM dbo.seg", "; SET ROWCOUNT 0"},
		} {
			general := q[0] + " WHERE 1 = 1" + q[1]
			a, b := mustRun(t, ss, q[0]+q[1]+"; SELECT @@ROWCOUNT"), mustRun(t, ss, general+"; SELECT @@ROWCOUNT")
			if got, want := dump(a), dump(b); got != want {
				t.Fatalf("%s: %s streamed:\n%s\ngeneral plan:\n%s", step, q[0], got, want)
			}
		}
	}
	same("after the load", s)
	for _, q := range []string{
		"UPDATE dbo.seg SET content = N'edited' WHERE msgId BETWEEN 10 AND 20",
		"DELETE FROM dbo.seg WHERE msgId % 100 = 0",
		"INSERT dbo.seg (msgId, content, chatDate) VALUES (42000, N'new', '2026-01-01')",
	} {
		mustRun(t, s, q)
	}
	same("after updates, deletes and an insert", s)
	mustRun(t, s, "BEGIN TRAN; INSERT dbo.seg (msgId, content, chatDate) VALUES (42001, N'mine', '2026-01-02'); DELETE FROM dbo.seg WHERE msgId = 5")
	same("inside the writer's transaction", s)
	same("beside another session's transaction", o)
	mustRun(t, s, "ROLLBACK")
	same("after the rollback", s)
}

// dump is a batch's result sets, row counts and errors as text.
func dump(r *recorder) string {
	var b strings.Builder
	for _, set := range r.sets {
		for _, c := range set.cols {
			fmt.Fprintf(&b, "%s %v|", c.Name, c.Type)
		}
		b.WriteString("\n")
		for _, row := range set.rows {
			b.WriteString(fmtRow(row, set.cols) + "\n")
		}
	}
	for _, d := range r.dones {
		fmt.Fprintf(&b, "done %d %v;", d.Count, d.HasCount)
	}
	for _, e := range r.errors() {
		fmt.Fprintf(&b, "error %d;", e.Number)
	}
	return b.String()
}

// loadMessages bulk-loads n rows into a table of segment_test's shape
// (msgId, content, chatDate, note), batch rows a commit: msgId 1..n, a
// text, a date a minute apart, a note on every third row.
func loadMessages(s *Session, table string, n, batch int) (int64, error) {
	at := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	types := []Type{{Kind: sqltypes.KindInt}, {Kind: sqltypes.KindNVarChar, Length: sqltypes.MaxLength}, {Kind: sqltypes.KindDateTime2, Scale: 7}, {Kind: sqltypes.KindVarBinary, Length: 20}}
	i := 0
	return s.BulkLoad(context.Background(), table, []string{"msgId", "content", "chatDate", "note"}, types, batch, func() ([]Value, error) {
		if i == n {
			return nil, io.EOF
		}
		i++
		var note Value
		if i%3 == 0 {
			note = []byte{byte(i), byte(i >> 8)}
		}
		return []Value{int64(i), fmt.Sprintf("message %d é", i), at.Add(time.Duration(i) * time.Minute), note}, nil
	})
}

// TestStreamedSelectBesideWriters: a streamed scan reads its snapshot
// after letting go of the database's lock, while another session deletes
// segment rows (promoting them) and bulk-loads more; every scan sees a
// whole snapshot (no row twice, a row count the DONE agrees with). Run
// under -race, it is the check that the scan reads only what the view
// froze.
func TestStreamedSelectBesideWriters(t *testing.T) {
	inst := openDir(t, t.TempDir(), true)
	defer inst.Close()
	s := login(t, inst, "reader")
	defer s.Close()
	mustRun(t, s, "CREATE DATABASE mgc")
	mustRun(t, s, "USE mgc; CREATE TABLE dbo.seg (chatId bigint IDENTITY(1,1) NOT NULL PRIMARY KEY, msgId int NOT NULL UNIQUE, content nvarchar(max) NOT NULL, chatDate datetime2 NOT NULL, note varbinary(20) NULL)")
	if _, err := loadMessages(s, "dbo.seg", 2000, 500); err != nil {
		t.Fatal(err)
	}
	w := login(t, inst, "writer")
	defer w.Close()
	mustRun(t, w, "USE mgc")
	done := make(chan error, 1)
	go func() {
		for i := 0; i < 20; i++ {
			r := &recorder{}
			if err := w.Batch(context.Background(), fmt.Sprintf("DELETE FROM dbo.seg WHERE msgId %% 20 = %d; INSERT dbo.seg (msgId, content, chatDate) VALUES (%d, N'late', '2026-01-01')", i, 100000+i), r); err != nil {
				done <- err
				return
			}
			if errs := r.errors(); len(errs) > 0 {
				done <- fmt.Errorf("writer: %v", errs[0])
				return
			}
		}
		done <- nil
	}()
	for i := 0; i < 20; i++ {
		r := mustRun(t, s, "SELECT chatId, content FROM dbo.seg")
		seen := map[string]bool{}
		for _, row := range r.last().rows {
			k := fmtRow(row[:1], r.last().cols[:1])
			if seen[k] {
				t.Fatalf("scan %d: chatId %s twice", i, k)
			}
			seen[k] = true
		}
		if d := r.dones[len(r.dones)-1]; d.Count != int64(len(seen)) {
			t.Fatalf("scan %d: %d rows, DONE says %d", i, len(seen), d.Count)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
