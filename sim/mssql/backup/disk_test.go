package backup_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/pchatdr/harness/internal/diskuse"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/features"
	"github.com/pchatdr/harness/sim/mssql/hostfs"
)

// mappedSegBytes is how many bytes of this process's mappings are the row
// segments' files in dir (unlinked at once, they take disk space that no
// listing of dir shows).
func mappedSegBytes(t *testing.T, dir string) int64 {
	t.Helper()
	ms, err := diskuse.Mappings(filepath.Join(dir, "rowseg-"))
	if err != nil {
		t.Skipf("no /proc/self/maps: %v", err)
	}
	var n int64
	for _, m := range ms {
		n += m.Bytes
	}
	return n
}

// filesBytes is the size of the files under dir.
func filesBytes(t *testing.T, dir string) int64 {
	t.Helper()
	n, err := diskuse.FileBytes(dir)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRestoredDatabaseOnDiskOnce: a restored database takes about its
// backup's size on disk (its snapshot), not twice that: the rows the
// restore keeps in the tables' segments are read from the snapshot the
// restore wrote, not from segment files of their own. The rows read back
// the same, before and after a restart.
func TestRestoredDatabaseOnDiskOnce(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("segments are mapped from files on Linux only")
	}
	dir := t.TempDir()
	cdrive, data := filepath.Join(dir, "c"), filepath.Join(dir, "data")
	if err := os.MkdirAll(cdrive, 0o755); err != nil {
		t.Fatal(err)
	}
	open := func() *engine.Instance {
		inst, err := engine.New(engine.Config{Name: "DISK", DataDir: data, SAPassword: "Pa55w.rd!", NoSync: true,
			Files: &hostfs.Config{Mounts: []hostfs.Mount{{Prefix: `C:\`, Host: cdrive}},
				Rules: []hostfs.Rule{{Account: "*", Prefix: `C:\`, Access: hostfs.ReadWrite}}},
			Features: features.Default()})
		if err != nil {
			t.Fatal(err)
		}
		return inst
	}
	inst := open()
	s := login(t, inst, "disk")
	ctx := context.Background()
	exec := func(sql string) *recorder {
		t.Helper()
		r := &recorder{}
		if err := s.Batch(ctx, sql, r); err != nil {
			t.Fatal(err)
		}
		if errs := r.Errors(); len(errs) > 0 {
			t.Fatalf("%s: %v", sql, errs)
		}
		return r
	}
	exec("CREATE DATABASE big; CREATE TABLE big.dbo.blob (id INT PRIMARY KEY, body NVARCHAR(MAX))")
	chunk := strings.Repeat("0123456789abcdef", 4096)
	for i := 0; i < 256; {
		var sb strings.Builder
		sb.WriteString("INSERT big.dbo.blob VALUES ")
		for j := 0; j < 32; j, i = j+1, i+1 {
			if j > 0 {
				sb.WriteString(",")
			}
			fmt.Fprintf(&sb, "(%d, N'%d%s')", i, i, chunk)
		}
		exec(sb.String())
	}
	const check = "SELECT COUNT(*), SUM(CAST(LEN(body) AS bigint)), CHECKSUM_AGG(CHECKSUM(body)) FROM big.dbo.blob"
	want := fmt.Sprint(exec(check).Last().Rows)
	exec(`BACKUP DATABASE big TO DISK = N'C:\big.bak' WITH INIT`)
	st, err := os.Stat(filepath.Join(cdrive, "big.bak"))
	if err != nil {
		t.Fatal(err)
	}
	exec(`RESTORE DATABASE big FROM DISK = N'C:\big.bak' WITH REPLACE`)
	if got := fmt.Sprint(exec(check).Last().Rows); got != want {
		t.Fatalf("after the restore: %s, want %s", got, want)
	}
	// The segment files let go of are unmapped once collected.
	var files, segs int64
	for deadline := time.Now().Add(10 * time.Second); ; {
		runtime.GC()
		files, segs = filesBytes(t, filepath.Join(data, "big")), mappedSegBytes(t, data)
		if float64(files+segs) <= 1.25*float64(st.Size()) || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if float64(files+segs) > 1.25*float64(st.Size()) {
		t.Fatalf("the restored database takes %d bytes of files and %d of segment files, its backup %d: more than one copy", files, segs, st.Size())
	}
	s.Close()
	if err := inst.Close(); err != nil {
		t.Fatal(err)
	}
	inst = open()
	defer inst.Close()
	s = login(t, inst, "disk")
	if got := fmt.Sprint(exec(check).Last().Rows); got != want {
		t.Fatalf("after a restart: %s, want %s", got, want)
	}
}
