package storage

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

const segSuffix = ".wal"

type segment struct {
	first LSN
	path  string
}

func segName(first LSN) string { return fmt.Sprintf("%020d%s", uint64(first), segSuffix) }

// listSegments returns the directory's segments in LSN order.
func listSegments(dir string) ([]segment, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("storage: list %s: %w", dir, err)
	}
	var segs []segment
	for _, e := range ents {
		name := e.Name()
		if !strings.HasSuffix(name, segSuffix) || e.IsDir() {
			continue
		}
		base := strings.TrimSuffix(name, segSuffix)
		n, err := strconv.ParseUint(base, 10, 64)
		if err != nil || len(base) != 20 || n == 0 {
			return nil, fmt.Errorf("storage: %s: unexpected file name in log directory: %w", filepath.Join(dir, name), ErrCorrupt)
		}
		segs = append(segs, segment{first: LSN(n), path: filepath.Join(dir, name)})
	}
	sort.Slice(segs, func(i, j int) bool { return segs[i].first < segs[j].first })
	return segs, nil
}

// scanResult is what one pass over a segment's bytes found.
type scanResult struct {
	end       int64 // offset just after the last committed record
	last      LSN   // LSN of the last committed record (first-1 if none)
	records   int   // committed records
	pending   int   // batch members after end that no commit record covers
	bad       bool  // a record at badOff failed verification
	badOff    int64
	reason    string
	evidence  int64 // >0: offset of a good committed record after the bad one
	structBad bool  // damage a crash cannot explain (e.g. a batch interrupted by another record)
	zeroTail  int64 // !bad: zero bytes after the last record (preallocated, never written)
}

// scanSegment verifies every record of a segment whose header was already
// checked. A crash can only damage the end of what was being written, so
// after the first bad record it looks for any good committed record further
// on: finding one means the damage is in the middle, which must not be cut.
func scanSegment(data []byte, first LSN) scanResult {
	res := scanResult{end: segHeaderSize, last: first - 1}
	off := int64(segHeaderSize)
	next := first
	for off < int64(len(data)) {
		h, _, reason := decodeRecord(data[off:], next)
		if reason != "" {
			if allZero(data[off:]) {
				// Preallocated space the writer never reached: the clean end.
				res.zeroTail = int64(len(data)) - off
				return res
			}
			res.bad, res.badOff, res.reason = true, off, reason
			res.evidence = findCommitted(data, off+1, res.last, next)
			return res
		}
		size := int64(recHeaderSize + h.length)
		switch h.kind {
		case kindMember:
			res.pending++
		case kindSingle:
			if res.pending > 0 {
				res.bad, res.structBad, res.badOff = true, true, off
				res.reason = fmt.Sprintf("batch of %d records before LSN %d has no commit record", res.pending, h.lsn)
				return res
			}
			fallthrough
		case kindCommit:
			res.records += res.pending + 1
			res.pending = 0
			res.end = off + size
			res.last = h.lsn
		}
		off += size
		next++
	}
	return res
}

// findCommitted returns the offset of the first good single or commit record
// at or after from whose LSN is beyond last and that belongs to a later write
// than the damaged record (which carries LSN bad), or 0. Batch members alone
// are no evidence: a torn batch legitimately leaves good members behind. Nor
// are good records of the damaged record's own write: the writer overwrites
// preallocated zeros, and a crash during that write may have put its later
// pages on disk but not its earlier ones. A later write, though, only starts
// after the damaged one was made durable.
func findCommitted(data []byte, from int64, last, bad LSN) int64 {
	for p := from; p+recHeaderSize <= int64(len(data)); p++ {
		b := data[p:]
		// Cheap filters first: kind byte, plausible LSN.
		if k := recKind(b[12]); k != kindSingle && k != kindCommit {
			continue
		}
		h, _, reason := decodeRecord(b, 0)
		if reason != "" || h.lsn <= last || uint64(h.lsn-last) > uint64(len(data)) {
			continue
		}
		if h.lsn > bad && h.groupStart() <= bad {
			continue // same write as the damaged record: a torn last write
		}
		return p
	}
	return 0
}

// allZero reports whether b holds only zero bytes, a word at a time (a
// preallocated tail can be megabytes).
func allZero(b []byte) bool {
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b) != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
