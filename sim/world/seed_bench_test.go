package world

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"testing"
	"time"

	mssql "github.com/microsoft/go-mssqldb"

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
	size := seedBytes(b)
	ctx := context.Background()
	topo := embeddedTopology(b)
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

// seedBytes is the history size a memory benchmark seeds:
// PCHAT_SEED_BYTES, 32 MiB by default.
func seedBytes(b *testing.B) int64 {
	s := os.Getenv("PCHAT_SEED_BYTES")
	if s == "" {
		return 32 << 20
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		b.Fatalf("PCHAT_SEED_BYTES=%q: want a positive number of bytes", s)
	}
	return n
}

func embeddedTopology(b *testing.B) *topology.Topology {
	topo, err := topologies.Load("embedded.yaml")
	if err != nil {
		b.Fatal(err)
	}
	return topo
}

// heapInUse is the live heap after a full collection.
func heapInUse() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// BenchmarkLedgerCheckMemory: the peak heap the ledger's check of a seeded
// history takes, per byte of history, the way it reads now (peak_B/hist_B:
// SELECT msgId, chatDate FROM dbo.tblChat streams, decoding only those two
// columns) beside the general plan it took before (general_peak_B/hist_B:
// the same query with WHERE 1 = 1 decodes every column of every row and
// builds the whole result first), in one run. The check is the peak of a
// failback at scale (loadtest.MemoryPerByte). The heap is sampled with the
// collector at GOGC=10, so the figures are live memory, not garbage.
// PCHAT_SEED_BYTES sets the history's size (default 32 MiB).
func BenchmarkLedgerCheckMemory(b *testing.B) {
	size := seedBytes(b)
	ctx := b.Context()
	w, err := Start(ctx, Options{Topology: embeddedTopology(b), Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	if err := w.FailOver(ctx, Scene{MessagesBefore: 5, MessagesDuring: 5, Shortcut: true}); err != nil {
		b.Fatal(err)
	}
	got, err := w.SeedHistory(ctx, topology.RoleBackup, History{Bytes: size, Seed: 7})
	if err != nil {
		b.Fatal(err)
	}
	inst, _ := w.InstanceByRole(topology.RoleBackup)
	db, err := w.DB(inst, "mgc")
	if err != nil {
		b.Fatal(err)
	}
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	general := func() error {
		rows, err := db.QueryContext(ctx, "SELECT msgId, chatDate FROM dbo.tblChat WHERE 1 = 1")
		if err != nil {
			return err
		}
		defer rows.Close()
		var n int64
		for rows.Next() {
			var id mssql.UniqueIdentifier
			var at time.Time
			if err := rows.Scan(&id, &at); err != nil {
				return err
			}
			n++
		}
		if n < got.Messages {
			return fmt.Errorf("general plan: %d rows, seeded %d", n, got.Messages)
		}
		return rows.Err()
	}
	streamed := func() error {
		r, err := w.Ledger.Check(ctx, db, false)
		if err != nil {
			return err
		}
		if r.HistoryStored != r.HistoryWant || r.HistoryWant == 0 {
			return fmt.Errorf("ledger check: %s", r)
		}
		return nil
	}
	var gen, str int64
	for i := 0; i < b.N; i++ {
		if gen, err = peakHeap(general); err != nil {
			b.Fatal(err)
		}
		if str, err = peakHeap(streamed); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(str)/float64(got.Bytes), "peak_B/hist_B")
	b.ReportMetric(float64(gen)/float64(got.Bytes), "general_peak_B/hist_B")
}

// peakHeap runs fn and returns the most the heap's objects grew above
// where they were (after a full collection) while it ran, sampled every
// millisecond.
func peakHeap(fn func() error) (int64, error) {
	base := heapInUse()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak int64
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			if v := int64(sample[0].Value.Uint64()); v > peak {
				peak = v
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	err := fn()
	close(stop)
	<-done
	return max(0, peak-base), err
}
