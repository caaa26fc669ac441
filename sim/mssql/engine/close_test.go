package engine_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"testing"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/features"
)

// errResults keeps a batch's first error message and drops everything else.
type errResults struct{ err *engine.Error }

func (r *errResults) Columns([]engine.Column) error { return nil }
func (r *errResults) Row([]engine.Value) error      { return nil }
func (r *errResults) Done(engine.DoneInfo) error    { return nil }
func (r *errResults) Message(m *engine.Error) error {
	if !m.IsInfo() && r.err == nil {
		r.err = m
	}
	return nil
}
func (r *errResults) EnvChange(engine.EnvChange) error     { return nil }
func (r *errResults) ReturnStatus(int32) error             { return nil }
func (r *errResults) ReturnValue(engine.ReturnValue) error { return nil }

// workload makes an instance take what its subsystems hold per instance and
// per database: logs on disk, the file view (BACKUP writes through it), the
// log-backup hold and the metadata lock (RESTORE and log backups change
// LogState), the Agent and the mirroring host (started with every instance),
// and enough rows that a database kept alive after Close shows in the heap.
const workload = `CREATE DATABASE mgc
ALTER DATABASE mgc SET RECOVERY FULL
USE mgc
CREATE TABLE dbo.msgs (id INT IDENTITY PRIMARY KEY, body NVARCHAR(MAX) NOT NULL)
INSERT dbo.msgs (body) VALUES (REPLICATE(CAST(N'x' AS NVARCHAR(MAX)), 50000)), (REPLICATE(CAST(N'y' AS NVARCHAR(MAX)), 50000))
BACKUP DATABASE mgc TO DISK = N'mgc.bak' WITH INIT
BACKUP LOG mgc TO DISK = N'mgc.trn' WITH INIT`

func openAndClose(t *testing.T, dir string) {
	t.Helper()
	// The whole instance, with the features outside the engine (the
	// mirroring host is per-instance state it must free too).
	inst, err := engine.New(engine.Config{Name: "LEAK01", DataDir: dir, SAPassword: "Pa55w.rd!", NoSync: true,
		Features: features.Default()})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx := context.Background()
	s, err := inst.Login(ctx, engine.LoginRequest{User: "sa", Password: "Pa55w.rd!"})
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	var r errResults
	if err := s.Batch(ctx, workload, &r); err != nil || r.err != nil {
		t.Fatalf("workload: %v %v", err, r.err)
	}
	s.Close()
	if err := inst.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
}

func openFDs(t *testing.T) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd on this system: %v", err)
	}
	return len(fds)
}

func liveHeap() uint64 {
	var m runtime.MemStats
	for i := 0; i < 3; i++ {
		runtime.GC()
	}
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// Close frees what New took: instances opened, used and closed one after
// another leave neither file descriptors nor memory behind (state kept in
// package-level maps keyed by instance or database never is freed). The
// tolerances are generous, and nothing is timed: per leaked instance the
// workload holds a database of ~200 KB of rows and its logs' descriptors,
// far more than the slack allowed.
func TestCloseFreesWhatNewTook(t *testing.T) {
	if testing.Short() {
		t.Skip("opens and closes 200 instances")
	}
	root := t.TempDir()
	// Warm up: the first instances pay for lazily built package tables
	// (builtins, the error catalogue) and the runtime's own descriptors.
	for i := 0; i < 5; i++ {
		openAndClose(t, fmt.Sprintf("%s/warm%d", root, i))
	}
	fds0, heap0 := openFDs(t), liveHeap()
	const n = 200
	for i := 0; i < n; i++ {
		openAndClose(t, fmt.Sprintf("%s/i%d", root, i))
	}
	fds1, heap1 := openFDs(t), liveHeap()
	t.Logf("after %d instances: fds %d -> %d, heap %d KB -> %d KB", n, fds0, fds1, heap0>>10, heap1>>10)
	if fds1 > fds0+5 {
		t.Errorf("file descriptors: %d before, %d after %d instances opened and closed (%d leaked, about %.1f per instance)",
			fds0, fds1, n, fds1-fds0, float64(fds1-fds0)/n)
	}
	if slack := heap0/2 + 8<<20; heap1 > heap0+slack {
		t.Errorf("heap: %d KB before, %d KB after %d instances opened and closed (%d KB more, about %d KB per instance; slack %d KB)",
			heap0>>10, heap1>>10, n, (heap1-heap0)>>10, (heap1-heap0)/n>>10, slack>>10)
	}
}
