package storage

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"sort"
)

// Replay calls fn for every durable record with lsn >= from, in LSN order,
// up to the LastLSN at the time of the call. Each payload is a fresh slice
// fn may keep. An error from fn stops the replay and is returned wrapped.
// Records are re-verified as they are read: damage since Open is a
// *CorruptionError. Asking for records a snapshot pruned is ErrPruned.
func (l *Log) Replay(from LSN, fn func(lsn LSN, payload []byte) error) error {
	l.pruneMu.RLock()
	defer l.pruneMu.RUnlock()
	if l.isClosed() {
		return ErrClosed
	}
	if from == 0 {
		from = 1
	}
	last := l.LastLSN()
	if from > last {
		return nil
	}
	l.segMu.Lock()
	segs := append([]segment(nil), l.segs...)
	l.segMu.Unlock()
	if from < segs[0].first {
		return fmt.Errorf("storage: replay from LSN %d: log starts at %d: %w", from, segs[0].first, ErrPruned)
	}
	i := sort.Search(len(segs), func(i int) bool { return segs[i].first > from }) - 1
	for ; i < len(segs); i++ {
		done, err := replaySegment(segs[i], from, last, fn)
		if err != nil || done {
			return err
		}
	}
	return nil
}

// replaySegment streams one segment; done reports that last was reached.
func replaySegment(seg segment, from, last LSN, fn func(LSN, []byte) error) (done bool, err error) {
	f, err := os.Open(seg.path)
	if err != nil {
		return false, fmt.Errorf("storage: replay: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 256<<10)
	var hdr [segHeaderSize]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return false, &CorruptionError{File: seg.path, Reason: "segment header unreadable: " + err.Error()}
	}
	if first, reason := decodeSegHeader(hdr[:]); reason != "" || first != seg.first {
		return false, &CorruptionError{File: seg.path, Reason: "segment header changed since open"}
	}
	off := int64(segHeaderSize)
	var h [recHeaderSize]byte
	for want := seg.first; want <= last; want++ {
		if _, err := io.ReadFull(r, h[:]); err != nil {
			if err == io.EOF && want > seg.first {
				return false, nil // sealed segment ended; continue with the next
			}
			return false, &CorruptionError{File: seg.path, Offset: off, Reason: fmt.Sprintf("record %d unreadable: %v", want, err)}
		}
		rh, reason := parseHeader(h[:])
		if reason == "" && rh.lsn != want {
			reason = fmt.Sprintf("record has LSN %d, want %d", rh.lsn, want)
		}
		if reason != "" {
			return false, &CorruptionError{File: seg.path, Offset: off, Reason: reason}
		}
		payload := make([]byte, rh.length)
		if _, err := io.ReadFull(r, payload); err != nil {
			return false, &CorruptionError{File: seg.path, Offset: off, Reason: fmt.Sprintf("record %d payload unreadable: %v", want, err)}
		}
		if recordCRC(h[:], payload) != rh.crc {
			return false, &CorruptionError{File: seg.path, Offset: off, Reason: "checksum mismatch"}
		}
		if want >= from {
			if err := fn(want, payload); err != nil {
				return false, fmt.Errorf("storage: replay lsn %d: %w", want, err)
			}
		}
		off += int64(recHeaderSize + rh.length)
	}
	return true, nil
}
