package engine

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// replaySeed is the base seed of TestLogAloneRebuildsTheSnapshotState:
// DURABILITY_SEED replays a failing run, otherwise the clock picks one.
func replaySeed(t *testing.T) uint64 {
	t.Helper()
	if s := os.Getenv("DURABILITY_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("DURABILITY_SEED=%q: %v", s, err)
		}
		return v
	}
	return uint64(time.Now().UnixNano())
}

// randomBatch is one batch of a random sequence over tables t0..t2 of the
// database db (and db itself): DDL, DML, explicit transactions committed
// or rolled back, identity inserts and reseeds, modules. Batches may fail
// (a table that does not exist yet): a failed batch commits nothing, and
// the comparison is of what committed.
func randomBatch(r *rand.Rand, db string) string {
	tbl := fmt.Sprintf("t%d", r.IntN(3))
	ins := func() string {
		var vals []string
		for range 1 + r.IntN(4) {
			vals = append(vals, fmt.Sprintf("(%d, N's%d')", r.IntN(100), r.IntN(1000)))
		}
		return fmt.Sprintf("INSERT %s (v, s) VALUES %s", tbl, strings.Join(vals, ", "))
	}
	var b string
	switch k := r.IntN(17); k {
	case 0, 1:
		b = fmt.Sprintf("IF OBJECT_ID(N'%[1]s') IS NULL CREATE TABLE %[1]s (id INT IDENTITY(%[2]d,%[3]d) PRIMARY KEY, v INT NULL, s NVARCHAR(40) NULL)", tbl, 1+r.IntN(5), 1+r.IntN(3))
	case 2:
		b = "DROP TABLE " + tbl
	case 3, 4, 5:
		b = ins()
	case 6:
		b = fmt.Sprintf("UPDATE %s SET v = v + 1, s = N'u%d' WHERE id %% 3 = %d", tbl, r.IntN(100), r.IntN(3))
	case 7:
		b = fmt.Sprintf("DELETE FROM %s WHERE id %% 4 = %d", tbl, r.IntN(4))
	case 8:
		b = "TRUNCATE TABLE " + tbl
	case 9:
		// Identity values a rolled-back insert took are not used again.
		b = "BEGIN TRAN; " + ins() + "; ROLLBACK"
	case 10:
		b = "BEGIN TRAN; " + ins() + fmt.Sprintf("; DELETE FROM %s WHERE v = %d; COMMIT", tbl, r.IntN(100))
	case 11:
		b = fmt.Sprintf("SET IDENTITY_INSERT %[1]s ON; INSERT %[1]s (id, v) VALUES (%[2]d, 0); SET IDENTITY_INSERT %[1]s OFF", tbl, 100+r.IntN(100))
	case 12:
		b = fmt.Sprintf("CREATE INDEX ix_%[1]s_v ON %[1]s (v)", tbl)
	case 13:
		b = fmt.Sprintf("IF OBJECT_ID(N'p_%[1]s') IS NOT NULL DROP PROCEDURE p_%[1]s", tbl)
		if r.IntN(2) == 0 {
			b = fmt.Sprintf("CREATE PROCEDURE p_%[1]s AS SELECT COUNT(*) FROM %[1]s", tbl)
		}
	case 14:
		// An insert whose identity value is taken, then the row deleted
		// in the same transaction.
		b = "BEGIN TRAN; " + ins() + fmt.Sprintf("; DELETE FROM %s WHERE id = SCOPE_IDENTITY(); COMMIT", tbl)
	case 15:
		rec := []string{"FULL", "SIMPLE", "BULK_LOGGED"}[r.IntN(3)]
		b = fmt.Sprintf("ALTER DATABASE %s SET RECOVERY %s", db, rec)
	case 16:
		b = "BEGIN TRAN; " + ins() + "; SAVE TRAN sp; " + ins() + "; ROLLBACK TRAN sp; COMMIT"
	default:
		panic(k)
	}
	return "USE " + db + "; " + b
}

// TestLogAloneRebuildsTheSnapshotState is the durability property behind
// a database kept without a snapshot at Close: after any sequence of
// committed DDL and DML, an instance that dies without closing (its data
// folder copied as it is: the snapshots the checkpointer took and the log
// after them) comes back with the same committed state as one that
// snapshots every database first, and as the instance had before it died.
// SQL Server recovers every committed transaction from its log after a
// crash; the simulator's log must hold everything a snapshot does.
func TestLogAloneRebuildsTheSnapshotState(t *testing.T) {
	base := replaySeed(t)
	t.Logf("seed %d (DURABILITY_SEED=%d replays it)", base, base)
	runs, batches := 12, 60
	if testing.Short() {
		runs = 3
	}
	for i := range runs {
		seed := base + uint64(i)
		r := rand.New(rand.NewPCG(seed, 0))
		var seq []string
		for range batches {
			db := "fz"
			if r.IntN(4) == 0 {
				db = "master"
			}
			seq = append(seq, randomBatch(r, db))
			if r.IntN(20) == 0 {
				seq = append(seq, checkpointMark)
			}
		}
		if diff := replayDiff(t, seq); diff != "" {
			seq = shrinkSeq(t, seq)
			t.Fatalf("seed %d: %s\nbatches (shrunk):\n%s", seed, replayDiff(t, seq), strings.Join(seq, "\n"))
		}
	}
}

// checkpointMark in a sequence snapshots every database there, so some of
// the state comes from a snapshot and the rest from the log after it.
const checkpointMark = "-- checkpoint"

// replayDiff runs seq on a new instance and copies its data folder as a
// crash leaves it (a log alone, or the snapshots the sequence asked for
// and the log after them); then snapshots every database and copies the
// folder again. It returns how the committed state of each copy, opened,
// differs from the instance's before the crash ("" when neither does).
func replayDiff(t *testing.T, seq []string) string {
	t.Helper()
	dir := t.TempDir()
	inst := openDir(t, dir, true)
	s := login(t, inst, "t")
	mustRun(t, s, "CREATE DATABASE fz")
	for _, b := range seq {
		if b == checkpointMark {
			if err := inst.Checkpoint(); err != nil {
				t.Fatal(err)
			}
			continue
		}
		run(t, s, b)
		// A batch that failed inside its transaction leaves it open
		// (208 ends the batch, not the transaction): rolled back here, so
		// the crash finds nothing in flight.
		run(t, s, "IF @@TRANCOUNT > 0 ROLLBACK")
	}
	want := DurableState(inst)
	logOnly := t.TempDir()
	copyDir(t, dir, logOnly) // a crash: nothing more reaches disk
	if err := inst.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	snapped := t.TempDir()
	copyDir(t, dir, snapped)
	if err := inst.Close(); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range []struct{ name, dir string }{{"the log", logOnly}, {"a snapshot", snapped}} {
		back := openDir(t, c.dir, true)
		got := DurableState(back)
		if err := back.Close(); err != nil {
			t.Fatal(err)
		}
		if got != want {
			out = append(out, fmt.Sprintf("recovered from %s, the committed state differs (- before the crash, + after):\n%s", c.name, lineDiff(want, got)))
		}
	}
	return strings.Join(out, "\n")
}

// shrinkSeq drops batches from a failing sequence one at a time while it
// still fails, so the report names the few that matter.
func shrinkSeq(t *testing.T, seq []string) []string {
	t.Helper()
	for changed := true; changed; {
		changed = false
		for i := len(seq) - 1; i >= 0; i-- {
			try := append(append([]string(nil), seq[:i]...), seq[i+1:]...)
			if replayDiff(t, try) != "" {
				seq, changed = try, true
			}
		}
	}
	return seq
}

// lineDiff lists the lines only in a (-) or only in b (+).
func lineDiff(a, b string) string {
	in := func(s string) map[string]int {
		m := map[string]int{}
		for _, l := range strings.Split(s, "\n") {
			m[l]++
		}
		return m
	}
	ma, mb := in(a), in(b)
	var out []string
	for _, l := range strings.Split(a, "\n") {
		if mb[l] == 0 {
			out = append(out, "- "+l)
		}
	}
	for _, l := range strings.Split(b, "\n") {
		if ma[l] == 0 {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}
