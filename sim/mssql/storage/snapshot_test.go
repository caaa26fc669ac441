package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func stateAt(lsn LSN) string { return fmt.Sprintf("engine state as of LSN %d\n", lsn) }

func writeState(t *testing.T, l *Log, lsn LSN) {
	t.Helper()
	if err := l.WriteSnapshot(lsn, func(w io.Writer) error {
		_, err := io.WriteString(w, strings.Repeat(stateAt(lsn), 50))
		return err
	}); err != nil {
		t.Fatalf("WriteSnapshot(%d): %v", lsn, err)
	}
}

func readLatest(t *testing.T, l *Log) (LSN, string, bool) {
	t.Helper()
	lsn, open, ok, err := l.LatestSnapshot()
	if err != nil {
		t.Fatalf("LatestSnapshot: %v", err)
	}
	if !ok {
		return 0, "", false
	}
	rc, err := open()
	if err != nil {
		t.Fatalf("open snapshot: %v", err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read snapshot: %v", err)
	}
	if want := strings.Repeat(stateAt(lsn), 50); string(b) != want {
		t.Fatalf("snapshot at %d holds %q...", lsn, b[:min(40, len(b))])
	}
	return lsn, string(b), true
}

func appendN(t *testing.T, l *Log, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		lsn := l.LastLSN() + 1
		if got := mustAppend(t, l, payloadFor(lsn, 200)); got != lsn {
			t.Fatalf("append got %d want %d", got, lsn)
		}
	}
}

func TestSnapshotAndReplayFromIt(t *testing.T) {
	dir := t.TempDir()
	opts := Options{SegmentBytes: 1500}
	l := openT(t, dir, opts)
	if _, _, ok, err := l.LatestSnapshot(); ok || err != nil {
		t.Fatalf("fresh log has a snapshot? ok=%v err=%v", ok, err)
	}
	appendN(t, l, 30)
	writeState(t, l, 20)
	if segs, _ := listSegments(dir); segs[0].first != 1 {
		t.Fatal("first snapshot pruned segments; an older fallback is needed first")
	}
	appendN(t, l, 30)
	writeState(t, l, 50)
	appendN(t, l, 5)
	// Two snapshots kept: segments wholly before LSN 20 are gone, none after.
	segs, _ := listSegments(dir)
	if segs[0].first == 1 || segs[0].first > 21 {
		t.Fatalf("after the second snapshot the log starts at %d, want in (1, 21]", segs[0].first)
	}
	if err := l.Replay(1, func(LSN, []byte) error { return nil }); !errors.Is(err, ErrPruned) {
		t.Fatalf("Replay(1) after pruning: %v, want ErrPruned", err)
	}
	closeT(t, l)

	l = openT(t, dir, opts)
	defer closeT(t, l)
	if rep := l.Recovery(); rep.SnapshotLSN != 50 || rep.LastLSN != 65 || !strings.HasSuffix(rep.SnapshotFile, snapName(50)) {
		t.Fatalf("recovery %+v, want snapshot 50 and last LSN 65", rep)
	}
	lsn, _, ok := readLatest(t, l)
	if !ok || lsn != 50 {
		t.Fatalf("latest snapshot %d ok=%v, want 50", lsn, ok)
	}
	checkSequence(t, replayAll(t, l, lsn+1), 51, 65, func(lsn LSN) []byte { return payloadFor(lsn, 200) })

	appendN(t, l, 30)
	writeState(t, l, 90)
	snaps, _ := listSnapshots(dir)
	if len(snaps) != 2 || snaps[0].lsn != 90 || snaps[1].lsn != 50 {
		t.Fatalf("snapshots kept: %+v, want 90 and 50", snaps)
	}
}

func TestCorruptSnapshot(t *testing.T) {
	flip := func(t *testing.T, path string, at int64) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if at < 0 {
			at += int64(len(b))
		}
		b[at] ^= 0x80
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	truncate := func(t *testing.T, path string, at int64) {
		if err := os.Truncate(path, fileSize(t, path)+at); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name    string
		damage  func(t *testing.T, dir string)
		wantLSN LSN // 0: no snapshot usable
		wantErr bool
	}{
		{"newest payload flipped falls back", func(t *testing.T, d string) { flip(t, d+"/"+snapName(50), 100) }, 20, false},
		{"newest header flipped falls back", func(t *testing.T, d string) { flip(t, d+"/"+snapName(50), 2) }, 20, false},
		{"newest trailer flipped falls back", func(t *testing.T, d string) { flip(t, d+"/"+snapName(50), -6) }, 20, false},
		{"newest truncated falls back", func(t *testing.T, d string) { truncate(t, d+"/"+snapName(50), -1) }, 20, false},
		{"both corrupt with the log pruned is an error", func(t *testing.T, d string) {
			flip(t, d+"/"+snapName(50), 100)
			flip(t, d+"/"+snapName(20), 100)
		}, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			l := openT(t, dir, Options{NoSync: true, SegmentBytes: 1500})
			appendN(t, l, 30)
			writeState(t, l, 20)
			appendN(t, l, 40)
			writeState(t, l, 50)
			closeT(t, l)
			tc.damage(t, dir)
			l, err := Open(dir, Options{NoSync: true, Logf: t.Logf})
			if tc.wantErr {
				if err == nil || !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), snapName(50)) {
					l.Close()
					t.Fatalf("Open: %v, want ErrCorrupt naming the snapshots", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer closeT(t, l)
			rep := l.Recovery()
			if rep.SnapshotLSN != tc.wantLSN || len(rep.CorruptSnapshots) != 1 || !strings.HasSuffix(rep.CorruptSnapshots[0], snapName(50)) {
				t.Fatalf("recovery %+v, want snapshot %d and the newer one reported corrupt", rep, tc.wantLSN)
			}
			lsn, _, ok := readLatest(t, l)
			if !ok || lsn != tc.wantLSN {
				t.Fatalf("LatestSnapshot = %d ok=%v, want %d", lsn, ok, tc.wantLSN)
			}
			checkSequence(t, replayAll(t, l, lsn+1), lsn+1, 70, func(lsn LSN) []byte { return payloadFor(lsn, 200) })
		})
	}
}

func TestOnlySnapshotCorruptWithFullLog(t *testing.T) {
	dir := t.TempDir()
	l := openT(t, dir, Options{NoSync: true})
	appendN(t, l, 10)
	writeState(t, l, 5)
	b, _ := os.ReadFile(dir + "/" + snapName(5))
	b[20] ^= 1
	os.WriteFile(dir+"/"+snapName(5), b, 0o644)
	if _, _, ok, err := l.LatestSnapshot(); ok || err != nil {
		t.Fatalf("LatestSnapshot: ok=%v err=%v, want none and replay from 1", ok, err)
	}
	closeT(t, l)
	l = openT(t, dir, Options{NoSync: true})
	defer closeT(t, l)
	if rep := l.Recovery(); rep.SnapshotLSN != 0 || len(rep.CorruptSnapshots) != 1 {
		t.Fatalf("recovery %+v, want no snapshot and one reported corrupt", rep)
	}
}

func TestSnapshotChangedAfterVerification(t *testing.T) {
	l := openT(t, t.TempDir(), Options{NoSync: true})
	defer closeT(t, l)
	appendN(t, l, 3)
	writeState(t, l, 3)
	_, open, ok, err := l.LatestSnapshot()
	if !ok || err != nil {
		t.Fatal(ok, err)
	}
	rc, err := open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	path := l.Dir() + "/" + snapName(3)
	b, _ := os.ReadFile(path)
	b[snapHeaderSize+30] ^= 1
	os.WriteFile(path, b, 0o644)
	if _, err := io.ReadAll(rc); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("reading a snapshot changed after open: %v, want ErrCorrupt", err)
	}
}

func TestFailedSnapshotLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	l := openT(t, dir, Options{NoSync: true})
	appendN(t, l, 4)
	writeState(t, l, 2)
	boom := errors.New("engine failed mid-snapshot")
	err := l.WriteSnapshot(4, func(w io.Writer) error {
		io.WriteString(w, "half")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("WriteSnapshot: %v, want the writer's error", err)
	}
	if lsn, _, _ := readLatest(t, l); lsn != 2 {
		t.Fatalf("latest snapshot %d after a failed write, want 2", lsn)
	}
	closeT(t, l)
	// A temp file left by a crash is removed and reported on Open.
	os.WriteFile(dir+"/"+snapName(4)+".tmp", []byte("partial"), 0o644)
	l = openT(t, dir, Options{NoSync: true})
	defer closeT(t, l)
	if rep := l.Recovery(); len(rep.RemovedTemp) != 1 || rep.SnapshotLSN != 2 {
		t.Fatalf("recovery %+v, want the temp file removed and snapshot 2", rep)
	}
}

// Snapshots, pruning, replays and appends at once, then Close: run with -race.
func TestSnapshotsWhileAppendingAndReplaying(t *testing.T) {
	dir := t.TempDir()
	l := openT(t, dir, Options{NoSync: true, SegmentBytes: 4096})
	stop := make(chan struct{})
	// Counted so the test waits for both to have worked at least once: on
	// a loaded machine the appenders can finish before either is scheduled.
	var snaps, replays atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 300; i++ {
				if _, err := l.Append(context.Background(), payloadFor(LSN(i), 100)); err != nil {
					t.Errorf("Append: %v", err)
					return
				}
			}
		}()
	}
	errs := make(chan error, 2)
	go func() { // snapshotter
		for {
			select {
			case <-stop:
				errs <- nil
				return
			default:
			}
			if lsn := l.LastLSN(); lsn > 0 {
				if err := l.WriteSnapshot(lsn, func(w io.Writer) error {
					_, err := fmt.Fprintf(w, "state %d", lsn)
					return err
				}); err != nil {
					errs <- err
					return
				}
				snaps.Add(1)
			}
		}
	}()
	go func() { // reader: latest snapshot, then the log after it
		for {
			select {
			case <-stop:
				errs <- nil
				return
			default:
			}
			lsn, _, ok, err := l.LatestSnapshot()
			if err != nil {
				errs <- err
				return
			}
			if !ok {
				continue
			}
			next := lsn + 1
			if err := l.Replay(next, func(got LSN, _ []byte) error {
				if got != next {
					return fmt.Errorf("replay gave LSN %d, want %d", got, next)
				}
				next++
				return nil
			}); err != nil && !errors.Is(err, ErrPruned) {
				errs <- err
				return
			}
			replays.Add(1)
		}
	}()
	wg.Wait()
	for deadline := time.Now().Add(10 * time.Second); snaps.Load() == 0 || replays.Load() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("in 10 s: %d snapshots written, %d replays", snaps.Load(), replays.Load())
		}
	}
	close(stop)
	for i := 0; i < 2; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	last := l.LastLSN()
	closeT(t, l)
	l = openT(t, dir, Options{NoSync: true})
	defer closeT(t, l)
	lsn, _, ok, err := l.LatestSnapshot()
	if err != nil || !ok || l.LastLSN() != last {
		t.Fatalf("after reopen: snapshot %d ok=%v err=%v last %d want %d", lsn, ok, err, l.LastLSN(), last)
	}
	if n := len(replayAll(t, l, lsn+1)); LSN(n) != last-lsn {
		t.Fatalf("replayed %d records after snapshot %d, want %d", n, lsn, last-lsn)
	}
}
