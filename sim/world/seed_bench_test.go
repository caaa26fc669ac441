package world

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"testing"

	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/topologies"
)

// BenchmarkSeedHistoryMemory: what a seeded chat history costs in memory,
// per byte of history, on the instance that holds it (heap_B/hist_B after
// SeedHistory) and on a second copy RESTOREd from its full backup
// (restored_B/hist_B, as the failback's restored primary holds one). The
// figure bench-scale's memory check (loadtest.MemoryPerByte) rests on; a
// 1 GiB and a 10 GiB mgc are practical only when it is small.
// PCHAT_SEED_BYTES sets the history's size (default 32 MiB).
func BenchmarkSeedHistoryMemory(b *testing.B) {
	size := int64(32 << 20)
	if s := os.Getenv("PCHAT_SEED_BYTES"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			b.Fatalf("PCHAT_SEED_BYTES=%q: want a positive number of bytes", s)
		}
		size = n
	}
	ctx := context.Background()
	topo, err := topologies.Load("embedded.yaml")
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		w, err := Start(ctx, Options{Topology: topo, Dir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		if err := w.FailOver(ctx, Scene{MessagesBefore: 5, MessagesDuring: 5, Shortcut: true}); err != nil {
			w.Close()
			b.Fatal(err)
		}
		before := heapInUse()
		got, err := w.SeedHistory(ctx, topology.RoleBackup, History{Bytes: size, Seed: 7})
		if err != nil {
			w.Close()
			b.Fatal(err)
		}
		seeded := heapInUse()
		inst, _ := w.InstanceByRole(topology.RoleBackup)
		db, err := w.DB(inst, "master")
		if err != nil {
			w.Close()
			b.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `BACKUP DATABASE mgc TO DISK = 'C:\SQLBackup\seedmem.bak' WITH INIT`); err != nil {
			w.Close()
			b.Fatal(err)
		}
		afterBackup := heapInUse()
		if _, err := db.ExecContext(ctx, `RESTORE DATABASE mgccopy FROM DISK = 'C:\SQLBackup\seedmem.bak' WITH MOVE 'mgc' TO '/var/opt/mssql/data/mgccopy.mdf', MOVE 'mgc_log' TO '/var/opt/mssql/data/mgccopy_log.ldf'`); err != nil {
			w.Close()
			b.Fatal(err)
		}
		restored := heapInUse()
		var n int64
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM mgccopy.dbo.tblChat").Scan(&n); err != nil || n < got.Messages {
			w.Close()
			b.Fatalf("restored copy: %d messages (%v), seeded %d", n, err, got.Messages)
		}
		b.ReportMetric(float64(seeded-before)/float64(got.Bytes), "heap_B/hist_B")
		b.ReportMetric(float64(restored-afterBackup)/float64(got.Bytes), "restored_B/hist_B")
		b.ReportMetric(float64(got.Bytes)/float64(got.Took.Seconds())/(1<<20), "seed_MiB/s")
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// heapInUse is the live heap after a full collection.
func heapInUse() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
