package storage

import (
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// buildLog writes n single records of 200 bytes with real segment rollover,
// returning the directory and the offset where the last record starts.
func buildLog(t *testing.T, n int, segBytes int64) (dir string, lastOff int64) {
	t.Helper()
	dir = t.TempDir()
	l := openT(t, dir, Options{NoSync: true, SegmentBytes: segBytes})
	for i := LSN(1); i <= LSN(n); i++ {
		if i == LSN(n) {
			lastOff = fileSize(t, lastSegmentPath(t, dir))
		}
		mustAppend(t, l, payloadFor(i, 200))
	}
	closeT(t, l)
	return dir, lastOff
}

// checkCut opens a damaged copy and expects the last record cut, the others
// intact, and appends to continue.
func checkCut(t *testing.T, dir string, n int, wantTorn int64) {
	t.Helper()
	l, err := Open(dir, Options{NoSync: true})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer l.Close()
	rep := l.Recovery()
	if rep.TornBytes != wantTorn || rep.LastLSN != LSN(n-1) {
		t.Fatalf("recovery: torn %d bytes, last LSN %d; want torn %d, last %d (%+v)", rep.TornBytes, rep.LastLSN, wantTorn, n-1, rep)
	}
	if wantTorn > 0 && (rep.TornFile == "" || rep.TornReason == "") {
		t.Fatalf("cut not described: %+v", rep)
	}
	checkSequence(t, replayAll(t, l, 1), 1, LSN(n-1), func(lsn LSN) []byte { return payloadFor(lsn, 200) })
	if got := mustAppend(t, l, []byte("again")); got != LSN(n) {
		t.Fatalf("append after cut got LSN %d, want %d", got, n)
	}
}

func TestTornTailTruncatedAtEveryOffset(t *testing.T) {
	const n = 12
	dir, lastOff := buildLog(t, n, 1500) // the last record sits in a later segment
	seg := lastSegmentPath(t, dir)
	end := fileSize(t, seg)
	for cut := lastOff; cut < end; cut++ {
		d := copyDir(t, dir)
		if err := os.Truncate(lastSegmentPath(t, d), cut); err != nil {
			t.Fatal(err)
		}
		checkCut(t, d, n, cut-lastOff)
		// The cut is durable and the new record survives another restart.
		l := openT(t, d, Options{NoSync: true})
		if l.Recovery().TornBytes != 0 || l.LastLSN() != n {
			t.Fatalf("cut %d: second reopen %+v", cut, l.Recovery())
		}
		closeT(t, l)
	}
}

func TestTornTailFlippedBytes(t *testing.T) {
	const n = 6
	dir, lastOff := buildLog(t, n, 1<<20)
	seg := lastSegmentPath(t, dir)
	end := fileSize(t, seg)
	orig, err := os.ReadFile(seg)
	if err != nil {
		t.Fatal(err)
	}
	for pos := lastOff; pos < end; pos++ {
		d := copyDir(t, dir)
		b := append([]byte(nil), orig...)
		b[pos] ^= 0x5a
		if err := os.WriteFile(lastSegmentPath(t, d), b, 0o644); err != nil {
			t.Fatal(err)
		}
		checkCut(t, d, n, end-lastOff)
	}
}

func TestCorruptionInTheMiddleIsAnError(t *testing.T) {
	const n = 12
	dir, _ := buildLog(t, n, 1500)
	segs, err := listSegments(dir)
	if err != nil || len(segs) < 2 {
		t.Fatalf("want several segments: %v %d", err, len(segs))
	}
	recSize := int64(recHeaderSize + 200)
	tests := []struct {
		name string
		file string
		pos  int64 // byte flipped
		off  int64 // offset the error must name
	}{
		{"payload of the first record", segs[0].path, segHeaderSize + 50, segHeaderSize},
		{"length of the second record", segs[0].path, segHeaderSize + recSize, segHeaderSize + recSize},
		{"crc of the last record of a sealed segment", segs[0].path, fileSize(t, segs[0].path) - recSize + 17, fileSize(t, segs[0].path) - recSize},
		{"header of a sealed segment", segs[0].path, 3, 0},
		{"record before the last in the tail segment", segs[len(segs)-1].path, segHeaderSize + 9, segHeaderSize},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := copyDir(t, dir)
			path := strings.Replace(tc.file, dir, d, 1)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			b[tc.pos] ^= 0x01
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			l, err := Open(d, Options{NoSync: true})
			if err == nil {
				l.Close()
				t.Fatal("Open succeeded on a log damaged in the middle")
			}
			var ce *CorruptionError
			if !errors.As(err, &ce) || !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v is not a *CorruptionError", err)
			}
			if ce.File != path || ce.Offset != tc.off {
				t.Fatalf("error names %s at %d, want %s at %d (%v)", ce.File, ce.Offset, path, tc.off, err)
			}
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("message %q does not name the file", err)
			}
			// Nothing was cut: the damage is still there for an operator to inspect.
			if fileSize(t, path) != int64(len(b)) {
				t.Fatal("Open changed a file it refused")
			}
		})
	}
}

func TestMissingSegmentIsAnError(t *testing.T) {
	dir, _ := buildLog(t, 20, 1500)
	segs, _ := listSegments(dir)
	if len(segs) < 3 {
		t.Fatalf("want 3+ segments, have %d", len(segs))
	}
	if err := os.Remove(segs[1].path); err != nil {
		t.Fatal(err)
	}
	_, err := Open(dir, Options{NoSync: true})
	var ce *CorruptionError
	if !errors.As(err, &ce) || ce.File != segs[2].path {
		t.Fatalf("Open with a segment missing: %v", err)
	}
}

func TestBatchCutInTheMiddleReplaysNone(t *testing.T) {
	dir := t.TempDir()
	l := openT(t, dir, Options{NoSync: true})
	mustAppend(t, l, payloadFor(1, 200))
	seg := lastSegmentPath(t, dir)
	start := fileSize(t, seg)
	batch := [][]byte{payloadFor(2, 200), payloadFor(3, 10), payloadFor(4, 0), payloadFor(5, 200)}
	if first, last, err := l.AppendBatch(context.Background(), batch); err != nil || first != 2 || last != 5 {
		t.Fatalf("AppendBatch: %d..%d %v", first, last, err)
	}
	closeT(t, l)
	end := fileSize(t, seg)
	for cut := start; cut < end; cut++ {
		d := copyDir(t, dir)
		if err := os.Truncate(lastSegmentPath(t, d), cut); err != nil {
			t.Fatal(err)
		}
		l := openT(t, d, Options{NoSync: true})
		rep := l.Recovery()
		if rep.LastLSN != 1 || rep.TornBytes != cut-start {
			t.Fatalf("cut at %d: recovery %+v, want last LSN 1 and %d torn bytes", cut, rep, cut-start)
		}
		got := replayAll(t, l, 1)
		if len(got) != 1 || got[0].lsn != 1 {
			t.Fatalf("cut at %d: replayed %d records, want only LSN 1", cut, len(got))
		}
		if first, last, err := l.AppendBatch(context.Background(), batch[:2]); err != nil || first != 2 || last != 3 {
			t.Fatalf("cut at %d: AppendBatch after cut: %d..%d %v", cut, first, last, err)
		}
		closeT(t, l)
	}
	// Whole members survived but the commit record did not: still none, and counted.
	d := copyDir(t, dir)
	if err := os.Truncate(lastSegmentPath(t, d), end-int64(recHeaderSize+200)); err != nil {
		t.Fatal(err)
	}
	l = openT(t, d, Options{NoSync: true})
	defer closeT(t, l)
	if rep := l.Recovery(); rep.TornRecords != 3 || rep.LastLSN != 1 {
		t.Fatalf("recovery %+v, want 3 uncommitted members dropped", rep)
	}
}

func TestTornSegmentHeader(t *testing.T) {
	dir, _ := buildLog(t, 3, 1<<20)
	// A crash right after creating the next segment leaves it short.
	next := dir + "/" + segName(4)
	for _, content := range [][]byte{nil, []byte("PCH"), make([]byte, segHeaderSize)} {
		d := copyDir(t, dir)
		if err := os.WriteFile(strings.Replace(next, dir, d, 1), content, 0o644); err != nil {
			t.Fatal(err)
		}
		l := openT(t, d, Options{NoSync: true})
		if l.LastLSN() != 3 || l.Recovery().TornBytes != int64(len(content)) {
			t.Fatalf("%q: recovery %+v", content, l.Recovery())
		}
		if got := mustAppend(t, l, []byte("x")); got != 4 {
			t.Fatalf("append got %d, want 4", got)
		}
		closeT(t, l)
	}
}

// TestVersion1SegmentsOpen: a log written by a version-1 build (segment
// headers of version 1, records without their position in their write)
// opens and replays; appending upgrades the tail's header to the current
// version, so a version-1 build then refuses it by version; sealed
// segments keep version 1. An unknown version is refused by name.
func TestVersion1SegmentsOpen(t *testing.T) {
	dir := t.TempDir()
	l := openT(t, dir, Options{SegmentBytes: 4096})
	for i := 1; i <= 40; i++ {
		mustAppend(t, l, payloadFor(LSN(i), 300))
	}
	closeT(t, l)
	segs, err := filepath.Glob(filepath.Join(dir, "*.wal"))
	if err != nil || len(segs) < 2 {
		t.Fatalf("want several segments, got %v %v", segs, err)
	}
	// Rewrite every header as version 1 wrote it (its records are valid
	// version-1 records: one record per write, so no position bytes).
	setVersion := func(path string, v uint32) {
		t.Helper()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		binary.LittleEndian.PutUint32(b[8:], v)
		binary.LittleEndian.PutUint32(b[28:], crc32.Checksum(b[:28], castagnoli))
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range segs {
		setVersion(p, 1)
	}
	l = openT(t, dir, Options{SegmentBytes: 4096})
	if got := replayAll(t, l, 1); len(got) != 40 {
		t.Fatalf("replayed %d records of a version-1 log, want 40", len(got))
	}
	mustAppend(t, l, payloadFor(41, 300))
	closeT(t, l)
	segs, _ = filepath.Glob(filepath.Join(dir, "*.wal"))
	for i, p := range segs {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		want := uint32(1)
		if i == len(segs)-1 {
			want = segVersion
		}
		if v := segHeaderVersion(b); v != want {
			t.Errorf("%s: version %d, want %d", filepath.Base(p), v, want)
		}
	}
	l = openT(t, dir, Options{SegmentBytes: 4096})
	if got := replayAll(t, l, 1); len(got) != 41 {
		t.Fatalf("replayed %d records after the upgrade, want 41", len(got))
	}
	closeT(t, l)
	setVersion(segs[0], 9)
	_, err = Open(dir, Options{SegmentBytes: 4096})
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "unsupported segment version 9") {
		t.Fatalf("version 9: %v", err)
	}
}
