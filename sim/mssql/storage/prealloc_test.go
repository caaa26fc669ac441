package storage

import (
	"context"
	"errors"
	"os"
	"testing"
)

// preallocOpts runs the layout of a durable log (zeros ahead of the data)
// without paying for fsyncs.
func preallocOpts(segBytes int64) Options {
	return Options{NoSync: true, SegmentBytes: segBytes, prealloc: 4096}
}

func TestPreallocatedZerosAreTheCleanEnd(t *testing.T) {
	dir := t.TempDir()
	l := openT(t, dir, preallocOpts(1<<20))
	const n = 30
	for i := LSN(1); i <= n; i++ {
		mustAppend(t, l, payloadFor(i, 200))
	}
	seg := lastSegmentPath(t, dir)
	end := int64(segHeaderSize + n*(recHeaderSize+200))
	if size := fileSize(t, seg); size <= end {
		t.Fatalf("segment is %d bytes with records up to %d: nothing preallocated", size, end)
	}
	// A crash now (the copy) leaves the zeros after the last record.
	d := copyDir(t, dir)
	closeT(t, l)
	if size := fileSize(t, seg); size != end {
		t.Fatalf("closed segment is %d bytes, want %d (zeros trimmed)", size, end)
	}

	l = openT(t, d, preallocOpts(1<<20))
	rep := l.Recovery()
	if rep.TornBytes != 0 || rep.LastLSN != n || rep.Records != n {
		t.Fatalf("recovery over preallocated zeros: %+v", rep)
	}
	checkSequence(t, replayAll(t, l, 1), 1, n, func(lsn LSN) []byte { return payloadFor(lsn, 200) })
	if got := mustAppend(t, l, payloadFor(n+1, 200)); got != n+1 {
		t.Fatalf("append after recovery got LSN %d", got)
	}
	closeT(t, l)
	l = openT(t, d, Options{NoSync: true})
	defer closeT(t, l)
	if rep := l.Recovery(); rep.TornBytes != 0 || rep.LastLSN != n+1 {
		t.Fatalf("second reopen: %+v", rep)
	}
	checkSequence(t, replayAll(t, l, 1), 1, n+1, func(lsn LSN) []byte { return payloadFor(lsn, 200) })
}

func TestPreallocatedRolloverSealsExactSegments(t *testing.T) {
	dir := t.TempDir()
	l := openT(t, dir, preallocOpts(1500))
	const n = 25
	for i := LSN(1); i <= n; i++ {
		mustAppend(t, l, payloadFor(i, 200))
	}
	segs, err := listSegments(dir)
	if err != nil || len(segs) < 3 {
		t.Fatalf("want 3+ segments: %v %d", err, len(segs))
	}
	for _, s := range segs[:len(segs)-1] {
		data, err := os.ReadFile(s.path)
		if err != nil {
			t.Fatal(err)
		}
		if res := scanSegment(data, s.first); res.bad || res.zeroTail != 0 || res.end != int64(len(data)) {
			t.Fatalf("sealed segment %s: %+v, size %d", s.path, res, len(data))
		}
	}
	checkSequence(t, replayAll(t, l, 1), 1, n, func(lsn LSN) []byte { return payloadFor(lsn, 200) })
	d := copyDir(t, dir) // crash with zeros in the tail segment
	closeT(t, l)
	l = openT(t, d, preallocOpts(1500))
	defer closeT(t, l)
	if rep := l.Recovery(); rep.TornBytes != 0 || rep.LastLSN != n {
		t.Fatalf("recovery: %+v", rep)
	}
	checkSequence(t, replayAll(t, l, 1), 1, n, func(lsn LSN) []byte { return payloadFor(lsn, 200) })
}

// A crash during the last write into preallocated space can leave a hole
// (pages never written, still zero) before good records of that same
// write: a torn tail, cut without complaint. The same hole in a write that
// a later write follows is damage to acknowledged data: refused.
func TestHoleInTheLastWriteIsATornTail(t *testing.T) {
	dir := t.TempDir()
	l := openT(t, dir, preallocOpts(1<<20))
	mustAppend(t, l, payloadFor(1, 200))
	batchOff := int64(segHeaderSize + recHeaderSize + 200)
	batch := [][]byte{payloadFor(2, 200), payloadFor(3, 200), payloadFor(4, 200)}
	if _, _, err := l.AppendBatch(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	lastWrite := copyDir(t, dir)
	mustAppend(t, l, payloadFor(5, 200))
	notLast := copyDir(t, dir)
	closeT(t, l)

	// Zero the first member of the batch: its commit record survives.
	hole := func(d string) {
		path := lastSegmentPath(t, d)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		clear(b[batchOff : batchOff+recHeaderSize+200])
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	hole(lastWrite)
	l = openT(t, lastWrite, preallocOpts(1<<20))
	rep := l.Recovery()
	if rep.LastLSN != 1 || rep.TornBytes == 0 || rep.TornOffset != batchOff {
		t.Fatalf("hole in the last write: recovery %+v, want LSN 1 kept and the batch cut at %d", rep, batchOff)
	}
	checkSequence(t, replayAll(t, l, 1), 1, 1, func(lsn LSN) []byte { return payloadFor(lsn, 200) })
	if got := mustAppend(t, l, []byte("again")); got != 2 {
		t.Fatalf("append after cut got LSN %d, want 2", got)
	}
	closeT(t, l)

	hole(notLast)
	_, err := Open(notLast, preallocOpts(1<<20))
	var ce *CorruptionError
	if !errors.As(err, &ce) || ce.File != lastSegmentPath(t, notLast) || ce.Offset != batchOff {
		t.Fatalf("hole before a later write: Open returned %v, want a *CorruptionError at offset %d", err, batchOff)
	}
}
