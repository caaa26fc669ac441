package backup_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/features"
	"github.com/pchatdr/harness/sim/mssql/hostfs"
)

// BenchmarkBackupRestore measures BACKUP DATABASE then RESTORE DATABASE of a
// database of MSSQLSIM_BENCH_BYTES bytes (default 32 MiB; the issue's
// figure is 1 GiB: MSSQLSIM_BENCH_BYTES=1073741824) against copying the
// same number of bytes twice on the same disk, both in this run. It reports
// both throughputs and their ratio (the goal: ratio >= 0.5).
func BenchmarkBackupRestore(b *testing.B) {
	size := int64(32 << 20)
	if v := os.Getenv("MSSQLSIM_BENCH_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			b.Fatal(err)
		}
		size = n
	}
	dir := b.TempDir()
	cdrive := filepath.Join(dir, "c")
	if err := os.MkdirAll(cdrive, 0o755); err != nil {
		b.Fatal(err)
	}
	inst, err := engine.New(engine.Config{Name: "BENCH", DataDir: filepath.Join(dir, "data"), SAPassword: "Pa55w.rd!",
		CheckpointEvery: 1 << 30,
		Files: &hostfs.Config{Mounts: []hostfs.Mount{{Prefix: `C:\`, Host: cdrive}},
			Rules: []hostfs.Rule{{Account: "*", Prefix: `C:\`, Access: hostfs.ReadWrite}}},
		Features: features.Default()})
	if err != nil {
		b.Fatal(err)
	}
	defer inst.Close()
	s := login(b, inst, "bench")
	ctx := context.Background()
	exec := func(sql string) {
		r := &recorder{}
		if err := s.Batch(ctx, sql, r); err != nil {
			b.Fatal(err)
		}
		if errs := r.Errors(); len(errs) > 0 {
			b.Fatalf("%s: %v", sql, errs)
		}
	}
	exec("CREATE DATABASE big; CREATE TABLE big.dbo.blob (id INT PRIMARY KEY, body NVARCHAR(MAX))")
	// Rows of ~64 KiB (nvarchar: 2 bytes a character on the wire, the
	// encoded payload holds UTF-8), inserted in batches.
	chunk := strings.Repeat("0123456789abcdef", 4096)
	rows := int(size / int64(len(chunk)))
	for i := 0; i < rows; {
		var sb strings.Builder
		sb.WriteString("INSERT big.dbo.blob VALUES ")
		for j := 0; j < 64 && i < rows; j, i = j+1, i+1 {
			if j > 0 {
				sb.WriteString(",")
			}
			fmt.Fprintf(&sb, "(%d, N'%s')", i, chunk)
		}
		exec(sb.String())
	}
	exec(`BACKUP DATABASE big TO DISK = N'C:\warm.bak' WITH INIT`)
	st, err := os.Stat(filepath.Join(cdrive, "warm.bak"))
	if err != nil {
		b.Fatal(err)
	}
	bytes := st.Size()
	b.SetBytes(bytes)
	b.ResetTimer()
	var bkTime, cpTime time.Duration
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		exec(`BACKUP DATABASE big TO DISK = N'C:\big.bak' WITH INIT`)
		exec(`RESTORE DATABASE big2 FROM DISK = N'C:\big.bak' WITH REPLACE, MOVE 'big' TO '/b2.mdf', MOVE 'big_log' TO '/b2.ldf'`)
		bkTime += time.Since(t0)
		b.StopTimer()
		exec("DROP DATABASE big2")
		b.StartTimer()
		t1 := time.Now()
		copyTwice(b, filepath.Join(cdrive, "warm.bak"), filepath.Join(dir, "copy1"), filepath.Join(dir, "copy2"))
		cpTime += time.Since(t1)
	}
	b.StopTimer()
	mb := float64(bytes) / (1 << 20) * float64(b.N)
	bk, cp := mb/bkTime.Seconds(), mb/cpTime.Seconds()
	b.ReportMetric(bk, "backup+restore-MB/s")
	b.ReportMetric(cp, "copy-twice-MB/s")
	b.ReportMetric(bk/cp, "ratio")
}

// copyTwice copies src to a and a to b, each fsynced, as a copy utility
// would move a backup file twice.
func copyTwice(b *testing.B, src, a, c string) {
	for _, p := range [][2]string{{src, a}, {a, c}} {
		in, err := os.Open(p[0])
		if err != nil {
			b.Fatal(err)
		}
		out, err := os.Create(p[1])
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(out, in); err != nil {
			b.Fatal(err)
		}
		if err := out.Sync(); err != nil {
			b.Fatal(err)
		}
		in.Close()
		out.Close()
	}
}
