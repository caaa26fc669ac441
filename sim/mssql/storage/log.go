package storage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
)

// DefaultSegmentBytes is the size after which the writer starts a new segment.
const DefaultSegmentBytes = 64 << 20

// Options tune a Log. The zero value is production-safe.
type Options struct {
	// NoSync skips every fsync. Tests only: acknowledged records can be lost.
	NoSync bool
	// SegmentBytes starts a new segment once the current one reaches this
	// size (a group of records is never split). 0 means DefaultSegmentBytes.
	SegmentBytes int64
	// Logf receives recovery notices (a cut tail, a skipped snapshot). Nil: silent.
	Logf func(format string, args ...any)

	// prealloc is how far ahead of the data the writer fills the tail
	// segment with zeros; 0 means preallocChunk unless NoSync, negative
	// means never. Tests set it to run the preallocated layout without fsync.
	prealloc int64
}

// preallocChunk: the writer zero-fills the tail segment this far ahead of
// its data (see Log.extend). Overwriting zeros keeps the file size, so the
// commit's fdatasync has no metadata to flush. A chunk costs a write of
// zeros and one metadata flush, about once per few thousand commits.
const preallocChunk = 1 << 20

func (o Options) preallocBytes() int64 {
	switch {
	case o.prealloc < 0:
		return 0
	case o.prealloc > 0:
		return o.prealloc
	case o.NoSync:
		return 0
	}
	return preallocChunk
}

// RecoveryReport is what Open found on disk.
type RecoveryReport struct {
	Segments int // segment files read
	Records  int // committed records found (all segments)
	FirstLSN LSN // first record still on disk (0 if none)
	LastLSN  LSN // last committed record (0 if none)
	// TornBytes counts the bytes cut from the tail (preallocated zeros
	// after a torn record included); zeros alone are no torn tail.
	TornBytes int64
	// TornFile, TornOffset and TornReason describe the cut tail, if any.
	TornFile   string
	TornOffset int64
	TornReason string
	// TornRecords counts good batch members dropped because their batch's
	// commit record did not survive.
	TornRecords int
	// SnapshotLSN and SnapshotFile name the newest snapshot that verified.
	SnapshotLSN  LSN
	SnapshotFile string
	// CorruptSnapshots lists newer snapshots skipped because they failed verification.
	CorruptSnapshots []string
	// RemovedTemp lists unfinished snapshot temp files deleted.
	RemovedTemp []string
}

// Stats counts the writer's work; Records/Syncs is the group-commit factor.
type Stats struct {
	Requests uint64 // Append and AppendBatch calls written
	Records  uint64
	Syncs    uint64 // fsyncs of segment data
}

// Log is one database's durable record log. All methods are safe for
// concurrent use.
type Log struct {
	dir    string
	opts   Options
	report RecoveryReport
	lock   *os.File // directory lock, held until Close

	mu     sync.RWMutex // guards closed and the send side of reqs
	closed bool
	reqs   chan *appendReq
	done   chan struct{} // closed when the writer has exited
	wErr   error         // writer's close error, read after done

	last     atomic.Uint64 // last durable LSN
	inflight atomic.Int64  // callers inside Append/AppendBatch (commit pacing)
	retain   atomic.Uint64 // prune keeps records >= retain (0: no hold); see SetRetainFrom

	segMu   sync.Mutex   // guards segs
	segs    []segment    // all segments, oldest first
	pruneMu sync.RWMutex // Replay holds R; deleting segments holds W
	snapMu  sync.Mutex   // one WriteSnapshot at a time

	stats struct{ requests, records, syncs atomic.Uint64 }

	w writerState // owned by the writer goroutine
}

func (o Options) logf(format string, args ...any) {
	if o.Logf != nil {
		o.Logf(format, args...)
	}
}

// Open opens (creating if needed) the log in dir and recovers it: every
// record's checksum is verified, a torn tail is cut and reported, damage
// anywhere else is a *CorruptionError. The returned Log owns a writer
// goroutine until Close.
func Open(dir string, opts Options) (*Log, error) {
	if opts.SegmentBytes <= 0 {
		opts.SegmentBytes = DefaultSegmentBytes
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("storage: create %s: %w", dir, err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	l := &Log{dir: dir, opts: opts, lock: lock}
	if err := l.recover(); err != nil {
		unlockDir(lock)
		return nil, err
	}
	l.reqs = make(chan *appendReq, 1024)
	l.done = make(chan struct{})
	go l.writer()
	return l, nil
}

func (l *Log) recover() error {
	rep := &l.report
	if err := l.removeTemps(); err != nil {
		return err
	}
	segs, err := listSegments(l.dir)
	if err != nil {
		return err
	}
	if len(segs) == 0 {
		if snaps, _ := listSnapshots(l.dir); len(snaps) > 0 {
			return fmt.Errorf("storage: %s holds snapshots but no log segment: %w", l.dir, ErrCorrupt)
		}
		seg, err := createSegment(l.dir, 1, l.opts.NoSync)
		if err != nil {
			return err
		}
		segs = []segment{seg}
	}
	last := segs[0].first - 1
	var tailSize, tailAlloc int64
	for i, seg := range segs {
		isLast := i == len(segs)-1
		if i > 0 && seg.first != last+1 {
			return &CorruptionError{File: seg.path, Offset: 0,
				Reason: fmt.Sprintf("segment starts at LSN %d but the previous one ends at %d (missing segment?)", seg.first, last)}
		}
		n, size, alloc, err := l.recoverSegment(seg, isLast)
		if err != nil {
			return err
		}
		rep.Records += n
		last += LSN(n)
		tailSize, tailAlloc = size, alloc
	}
	rep.Segments = len(segs)
	rep.LastLSN = last
	if rep.Records > 0 {
		rep.FirstLSN = segs[0].first
	}
	l.segs = segs
	l.last.Store(uint64(last))

	// The snapshot that will be used must be reachable: the log has to
	// continue right after it, or state between them is lost.
	lsn, path, corrupt, err := l.pickSnapshot()
	rep.CorruptSnapshots = corrupt
	if err != nil {
		return err
	}
	rep.SnapshotLSN, rep.SnapshotFile = lsn, path
	switch {
	case path != "" && lsn > last:
		return fmt.Errorf("storage: snapshot %s is at LSN %d but the log ends at %d: %w", path, lsn, last, ErrCorrupt)
	case segs[0].first > lsn+1:
		what := "no snapshot"
		if len(corrupt) > 0 {
			what = "every snapshot is corrupt (" + strings.Join(corrupt, ", ") + ")"
		}
		if path != "" {
			what = fmt.Sprintf("the newest good snapshot is at LSN %d", lsn)
		}
		return fmt.Errorf("storage: log in %s starts at LSN %d but %s; records in between are gone: %w", l.dir, segs[0].first, what, ErrCorrupt)
	}

	tail := segs[len(segs)-1]
	// Recovery cut the file after its last committed record (or left only
	// preallocated zeros there), so appending continues at tailSize.
	f, err := os.OpenFile(tail.path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("storage: open %s: %w", tail.path, err)
	}
	if err := l.upgradeHeader(f, tail); err != nil {
		f.Close()
		return err
	}
	l.w = writerState{f: f, size: tailSize, alloc: tailAlloc, next: last + 1}
	return nil
}

// upgradeHeader rewrites a version-1 tail segment's header as the current
// version before records of the current version are appended (see
// segVersion). The header is one 32-byte write at offset 0, synced.
func (l *Log) upgradeHeader(f *os.File, seg segment) error {
	var hdr [segHeaderSize]byte
	if _, err := f.ReadAt(hdr[:], 0); err != nil {
		return fmt.Errorf("storage: read header of %s: %w", seg.path, err)
	}
	if segHeaderVersion(hdr[:]) == segVersion {
		return nil
	}
	if _, err := f.WriteAt(encodeSegHeader(seg.first), 0); err != nil {
		return fmt.Errorf("storage: upgrade header of %s: %w", seg.path, err)
	}
	if !l.opts.NoSync {
		if err := f.Sync(); err != nil {
			return fmt.Errorf("storage: sync %s: %w", seg.path, err)
		}
	}
	return nil
}

// recoverSegment verifies one segment and cuts the tail of the last one.
// It returns the committed records, the offset after the last one and the
// size the file has afterwards (larger when preallocated zeros follow).
func (l *Log) recoverSegment(seg segment, isLast bool) (int, int64, int64, error) {
	n, end, err := l.verifySegment(seg, isLast)
	if err != nil {
		return 0, 0, 0, err
	}
	size := end
	if st, err := os.Stat(seg.path); err != nil {
		return 0, 0, 0, fmt.Errorf("storage: stat %s: %w", seg.path, err)
	} else if st.Size() > end {
		size = st.Size()
	}
	return n, end, size, nil
}

func (l *Log) verifySegment(seg segment, isLast bool) (int, int64, error) {
	data, err := os.ReadFile(seg.path)
	if err != nil {
		return 0, 0, fmt.Errorf("storage: read %s: %w", seg.path, err)
	}
	first, reason := decodeSegHeader(data)
	if reason != "" {
		// A segment is created with its header fsynced before any record,
		// so only a crash during creation leaves it short or zeroed.
		if isLast && (len(data) < segHeaderSize || allZero(data)) {
			if err := l.cut(seg.path, 0, int64(len(data)), "segment header never completed"); err != nil {
				return 0, 0, err
			}
			return 0, segHeaderSize, l.rewriteHeader(seg)
		}
		return 0, 0, &CorruptionError{File: seg.path, Offset: 0, Reason: reason}
	}
	if first != seg.first {
		return 0, 0, &CorruptionError{File: seg.path, Offset: 16, Reason: fmt.Sprintf("header says first LSN %d, file name says %d", first, seg.first)}
	}
	res := scanSegment(data, first)
	switch {
	case res.bad && (res.structBad || !isLast):
		return 0, 0, &CorruptionError{File: seg.path, Offset: res.badOff, Reason: res.reason}
	case res.bad && res.evidence > 0:
		return 0, 0, &CorruptionError{File: seg.path, Offset: res.badOff,
			Reason: fmt.Sprintf("%s, yet a good record follows at offset %d", res.reason, res.evidence)}
	case !res.bad && res.pending > 0 && !isLast:
		return 0, 0, &CorruptionError{File: seg.path, Offset: res.end, Reason: fmt.Sprintf("sealed segment ends with %d uncommitted batch records", res.pending)}
	}
	if !res.bad && res.pending == 0 && res.zeroTail > 0 {
		// Only preallocated zeros after the last record: nothing was torn.
		// The tail segment keeps them for the writer; a sealed one is cut
		// to its records, where Replay expects its end.
		if !isLast {
			if err := os.Truncate(seg.path, res.end); err != nil {
				return 0, 0, fmt.Errorf("storage: trim %s: %w", seg.path, err)
			}
			if err := syncPath(seg.path, l.opts.NoSync); err != nil {
				return 0, 0, err
			}
		}
		return res.records, res.end, nil
	}
	if res.end < int64(len(data)) {
		why := res.reason
		if !res.bad {
			why = "batch without its commit record"
		} else if res.pending > 0 {
			why = fmt.Sprintf("batch without its commit record, then %s at offset %d", res.reason, res.badOff)
		}
		l.report.TornRecords += res.pending
		if err := l.cut(seg.path, res.end, int64(len(data)), why); err != nil {
			return 0, 0, err
		}
	}
	return res.records, res.end, nil
}

// cut truncates a torn tail and records it in the report.
func (l *Log) cut(path string, at, size int64, why string) error {
	if err := os.Truncate(path, at); err != nil {
		return fmt.Errorf("storage: cut torn tail of %s: %w", path, err)
	}
	if err := syncPath(path, l.opts.NoSync); err != nil {
		return err
	}
	l.report.TornBytes += size - at
	l.report.TornFile, l.report.TornOffset, l.report.TornReason = path, at, why
	l.opts.logf("storage: %s: cut %d bytes of torn tail at offset %d (%s)", path, size-at, at, why)
	return nil
}

func (l *Log) rewriteHeader(seg segment) error {
	f, err := os.OpenFile(seg.path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return fmt.Errorf("storage: rewrite header of %s: %w", seg.path, err)
	}
	defer f.Close()
	if _, err := f.Write(encodeSegHeader(seg.first)); err != nil {
		return fmt.Errorf("storage: rewrite header of %s: %w", seg.path, err)
	}
	if !l.opts.NoSync {
		if err := f.Sync(); err != nil {
			return fmt.Errorf("storage: sync %s: %w", seg.path, err)
		}
	}
	return nil
}

func (l *Log) removeTemps() error {
	ents, err := os.ReadDir(l.dir)
	if err != nil {
		return fmt.Errorf("storage: list %s: %w", l.dir, err)
	}
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".tmp") {
			p := filepath.Join(l.dir, e.Name())
			if err := os.Remove(p); err != nil {
				return fmt.Errorf("storage: remove unfinished %s: %w", p, err)
			}
			l.report.RemovedTemp = append(l.report.RemovedTemp, p)
		}
	}
	return nil
}

// Recovery reports what Open found.
func (l *Log) Recovery() RecoveryReport {
	r := l.report
	r.CorruptSnapshots = append([]string(nil), r.CorruptSnapshots...)
	r.RemovedTemp = append([]string(nil), r.RemovedTemp...)
	return r
}

// LastLSN is the LSN of the last durable record (0 for an empty log).
func (l *Log) LastLSN() LSN { return LSN(l.last.Load()) }

// Dir is the directory the log lives in.
func (l *Log) Dir() string { return l.dir }

// Stats reports the writer's counters.
func (l *Log) Stats() Stats {
	return Stats{Requests: l.stats.requests.Load(), Records: l.stats.records.Load(), Syncs: l.stats.syncs.Load()}
}

// Close waits for queued appends to be written, stops the writer and
// releases the directory. Later calls on the Log return ErrClosed.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return ErrClosed
	}
	l.closed = true
	close(l.reqs)
	l.mu.Unlock()
	<-l.done
	// Wait for a running snapshot and Replay to leave the files. Lock
	// order everywhere: snapMu, pruneMu, segMu.
	l.snapMu.Lock()
	defer l.snapMu.Unlock()
	l.pruneMu.Lock()
	defer l.pruneMu.Unlock()
	return errors.Join(l.wErr, unlockDir(l.lock))
}

func (l *Log) isClosed() bool {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.closed
}

func createSegment(dir string, first LSN, noSync bool) (segment, error) {
	seg := segment{first: first, path: filepath.Join(dir, segName(first))}
	f, err := os.OpenFile(seg.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return seg, fmt.Errorf("storage: create segment: %w", err)
	}
	_, err = f.Write(encodeSegHeader(first))
	if err == nil && !noSync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = syncPath(dir, noSync)
	}
	if err != nil {
		return seg, fmt.Errorf("storage: create segment %s: %w", seg.path, err)
	}
	return seg, nil
}

// syncPath fsyncs a file or directory by name (a directory fsync makes a
// create, rename or delete in it durable).
func syncPath(path string, noSync bool) error {
	if noSync {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("storage: sync %s: %w", path, err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("storage: sync %s: %w", path, err)
	}
	return nil
}
