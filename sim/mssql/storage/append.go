package storage

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
)

// Group limits: a round writes at most this much, so one huge burst cannot
// delay the acknowledgement of the requests at its front for long.
const (
	maxGroupRequests = 4096
	maxGroupBytes    = 8 << 20
)

type appendReq struct {
	ctx         context.Context
	payloads    [][]byte
	first, last LSN
	err         error
	done        chan struct{}
}

// writerState is touched only by the writer goroutine (and by recovery before it starts).
type writerState struct {
	f      *os.File
	size   int64 // end of the records; the next group is written here
	alloc  int64 // file size: [size, alloc) holds preallocated zeros
	next   LSN
	failed error // sticky: after a failed write or fsync nothing more is acknowledged
	buf    []byte

	// Commit pacing (see gather): callers that were inside Append when the
	// last group was acknowledged, when that was, and the fsync cost.
	expect  int
	ackedAt time.Time
	syncDur time.Duration // moving average
	// backDur is how long acknowledged callers take to come back with
	// their next record (moving average): a client behind a network round
	// trip and a statement's execution returns much later than an fsync.
	backDur time.Duration
	timer   *time.Timer
}

// maxPause bounds how long the writer holds a partial group for callers
// still on their way: past it, one more fsync is cheaper than the wait.
const maxPause = 2 * time.Millisecond

// pause is how long after the last acknowledgement the writer waits for the
// callers it expects, learnt from how long they took to come back before.
// Measured here (2 cores, clients in the same process over TDS): waiting
// for the whole group beat letting two cohorts alternate (9.8k vs 7.7k
// durable INSERTs/s over 8 connections), because the cohorts' round trips
// compete for the same CPUs instead of overlapping with the fsync.
func (w *writerState) pause() time.Duration {
	return min(max(w.backDur+w.backDur/4+20*time.Microsecond, w.syncDur/2, 20*time.Microsecond), maxPause)
}

// Append writes one record and returns when it is durable (fsynced).
// Concurrent callers share fsyncs. The payload is copied.
//
// If ctx ends while the call waits, Append returns ctx.Err() and the record
// may or may not be durable: it is skipped if the writer had not started on
// it yet, otherwise it is written, and after a restart it replays like any
// other record. Callers that must know should treat such a commit as in
// doubt, exactly like a client whose connection dropped during COMMIT.
func (l *Log) Append(ctx context.Context, payload []byte) (LSN, error) {
	if len(payload) > MaxPayloadBytes {
		return 0, fmt.Errorf("storage: append: payload of %d bytes exceeds %d", len(payload), MaxPayloadBytes)
	}
	first, _, err := l.submit(ctx, [][]byte{append([]byte(nil), payload...)})
	return first, err
}

// AppendBatch writes payloads as one atomic commit with consecutive LSNs:
// after a crash either all of them replay or none. Durable when it returns;
// ctx behaves as for Append.
func (l *Log) AppendBatch(ctx context.Context, payloads [][]byte) (first, last LSN, err error) {
	if len(payloads) == 0 {
		return 0, 0, errors.New("storage: append batch: no records")
	}
	cp := make([][]byte, len(payloads))
	for i, p := range payloads {
		if len(p) > MaxPayloadBytes {
			return 0, 0, fmt.Errorf("storage: append batch: record %d: payload of %d bytes exceeds %d", i, len(p), MaxPayloadBytes)
		}
		cp[i] = append([]byte(nil), p...)
	}
	return l.submit(ctx, cp)
}

func (l *Log) submit(ctx context.Context, payloads [][]byte) (LSN, LSN, error) {
	if err := ctx.Err(); err != nil {
		return 0, 0, err
	}
	req := &appendReq{ctx: ctx, payloads: payloads, done: make(chan struct{})}
	l.inflight.Add(1)
	defer l.inflight.Add(-1)
	l.mu.RLock()
	if l.closed {
		l.mu.RUnlock()
		return 0, 0, ErrClosed
	}
	select {
	case l.reqs <- req:
	case <-ctx.Done():
		l.mu.RUnlock()
		return 0, 0, ctx.Err()
	}
	l.mu.RUnlock()
	select {
	case <-req.done:
		return req.first, req.last, req.err
	case <-ctx.Done():
		return 0, 0, ctx.Err()
	}
}

// writer owns the tail segment. Each round takes every request that queued
// while the previous fsync ran, writes them with one write and one fsync,
// then acknowledges them all: that is the group commit.
func (l *Log) writer() {
	defer close(l.done)
	group := make([]*appendReq, 0, 64)
	for {
		req, ok := <-l.reqs
		if !ok {
			break
		}
		group, ok = l.gather(append(group[:0], req))
		l.writeGroup(group)
		clear(group)
		if !ok {
			break
		}
	}
	if l.w.timer != nil {
		l.w.timer.Stop()
	}
	if l.w.f != nil {
		if l.w.failed == nil {
			// A closed log ends at its last record, like a sealed segment.
			l.wErr = l.trimTail(l.w.f)
		}
		if err := l.w.f.Close(); err != nil && l.w.failed == nil && l.wErr == nil {
			l.wErr = fmt.Errorf("storage: close %s: %w", l.w.f.Name(), err)
		}
	}
}

// trimTail cuts the preallocated zeros after the last record of the tail
// segment and makes the new size durable.
func (l *Log) trimTail(f *os.File) error {
	if l.w.alloc <= l.w.size {
		return nil
	}
	if err := f.Truncate(l.w.size); err != nil {
		return fmt.Errorf("storage: trim %s: %w", f.Name(), err)
	}
	l.w.alloc = l.w.size
	if l.opts.NoSync {
		return nil
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("storage: trim %s: %w", f.Name(), err)
	}
	return nil
}

// gather adds the requests already queued to group. Then, if fewer callers
// are in it than were waiting when the last group was acknowledged, it waits
// a little for the rest. Without that pause N closed-loop committers split
// into two cohorts that alternate (one queues while the other's fsync runs),
// halving the records per fsync. The pause ends at half an fsync after the
// last acknowledgement: a caller slower than that is better served by the
// next fsync. ok is false once reqs is closed.
func (l *Log) gather(group []*appendReq) ([]*appendReq, bool) {
	bytes := reqBytes(group[0])
	var deadline <-chan time.Time
	filled, expired := false, false
	for len(group) < maxGroupRequests && bytes < maxGroupBytes {
		select {
		case r, ok := <-l.reqs:
			if !ok {
				return group, false
			}
			group = append(group, r)
			bytes += reqBytes(r)
			continue
		default:
		}
		if len(group) >= l.w.expect || l.opts.NoSync {
			filled = len(group) >= l.w.expect
			break
		}
		if deadline == nil {
			wait := time.Until(l.w.ackedAt.Add(l.w.pause()))
			if wait <= 0 {
				expired = true
				break
			}
			if l.w.timer == nil {
				l.w.timer = time.NewTimer(wait)
			} else {
				l.w.timer.Reset(wait)
			}
			deadline = l.w.timer.C
		}
		select {
		case r, ok := <-l.reqs:
			if !ok {
				return group, false
			}
			group = append(group, r)
			bytes += reqBytes(r)
			continue
		case <-deadline:
			expired = true
		}
		break
	}
	if deadline != nil {
		l.w.timer.Stop()
	}
	l.learnPause(filled, expired)
	return group, true
}

// learnPause updates how long callers take to come back: from when the
// expected group filled, or, when the pause ran out first, by widening it
// (bounded by maxPause) so the next rounds wait long enough.
func (l *Log) learnPause(filled, expired bool) {
	w := &l.w
	if l.opts.NoSync || w.ackedAt.IsZero() || w.expect <= 1 {
		return
	}
	switch {
	case filled:
		w.backDur += (time.Since(w.ackedAt) - w.backDur) / 4
	case expired:
		w.backDur = min(max(w.backDur, w.pause())*3/2, maxPause)
	}
}

func reqBytes(r *appendReq) int {
	n := 0
	for _, p := range r.payloads {
		n += recHeaderSize + len(p)
	}
	return n
}

func (l *Log) writeGroup(group []*appendReq) {
	w := &l.w
	if w.failed != nil {
		for _, r := range group {
			r.err = w.failed
			close(r.done)
		}
		return
	}
	w.buf = w.buf[:0]
	next := w.next
	live := group[:0:0]
	groupFirst := next
	for _, r := range group {
		if err := r.ctx.Err(); err != nil { // caller gave up before we started: skip it
			r.err = err
			close(r.done)
			continue
		}
		r.first = next
		for i, p := range r.payloads {
			kind := kindSingle
			if len(r.payloads) > 1 {
				kind = kindMember
				if i == len(r.payloads)-1 {
					kind = kindCommit
				}
			}
			w.buf = appendGroupRecord(w.buf, next, kind, uint64(next-groupFirst), p)
			next++
		}
		r.last = next - 1
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	err := l.writeSync(w.buf)
	if err == nil {
		w.size += int64(len(w.buf))
		w.next = next
		l.last.Store(uint64(next - 1))
		l.stats.requests.Add(uint64(len(live)))
		l.stats.records.Add(uint64(next - live[0].first))
		if w.size >= l.opts.SegmentBytes {
			err = l.rollover()
			// The group itself is durable; a failed rollover only stops later appends.
			if err != nil {
				w.failed = err
				l.opts.logf("%v", err)
				err = nil
			}
		}
	} else {
		// After a failed write or fsync the file's state is unknown (the
		// kernel may have dropped the dirty pages): refuse everything until
		// a reopen re-verifies the tail.
		w.failed = fmt.Errorf("storage: log failed, reopen to recover: %w", err)
		l.opts.logf("%v", w.failed)
	}
	if len(w.buf) > maxGroupBytes*2 {
		w.buf = nil // do not pin a huge buffer after a burst
	}
	// Everyone inside Append now is either in this group or queued; most
	// will be back for the next round.
	w.expect, w.ackedAt = int(l.inflight.Load()), time.Now()
	for _, r := range live {
		if err != nil {
			r.first, r.last, r.err = 0, 0, w.failed
		}
		close(r.done)
	}
}

// writeSync writes b at the end of the records and makes it durable.
func (l *Log) writeSync(b []byte) error {
	w := &l.w
	end := w.size + int64(len(b))
	if end > w.alloc {
		if err := l.extend(end); err != nil {
			return err
		}
	}
	if _, err := w.f.WriteAt(b, w.size); err != nil {
		return fmt.Errorf("write %s: %w", w.f.Name(), err)
	}
	w.alloc = max(w.alloc, end)
	if l.opts.NoSync {
		return nil
	}
	l.stats.syncs.Add(1)
	start := time.Now()
	if err := datasync(w.f); err != nil {
		return fmt.Errorf("fdatasync %s: %w", w.f.Name(), err)
	}
	d := time.Since(start)
	l.w.syncDur += (d - l.w.syncDur) / 8
	return nil
}

var zeros [64 << 10]byte

// extend zero-fills the tail segment from its current size to a chunk past
// end (the end of the group about to be written), without going past the
// segment size unless the group itself does. The zeros reach the disk with
// the group's fdatasync, which then flushes the new size as well; the
// following groups overwrite zeros and flush data only. Recovery reads
// zeros after the last record as the clean end of the log.
func (l *Log) extend(end int64) error {
	w := &l.w
	chunk := l.opts.preallocBytes()
	if chunk <= 0 {
		return nil
	}
	target := min(end+chunk, max(end, l.opts.SegmentBytes))
	for off := max(w.alloc, end); off < target; {
		n := min(int64(len(zeros)), target-off)
		if _, err := w.f.WriteAt(zeros[:n], off); err != nil {
			return fmt.Errorf("preallocate %s: %w", w.f.Name(), err)
		}
		off += n
		w.alloc = off
	}
	return nil
}

// rollover seals the full segment (already durable) and starts the next
// one. The sealed segment is first cut to its last record, durably, so
// only the tail segment ever holds preallocated zeros.
func (l *Log) rollover() error {
	if err := l.trimTail(l.w.f); err != nil {
		return err
	}
	seg, err := createSegment(l.dir, l.w.next, l.opts.NoSync)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(seg.path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("storage: open %s: %w", seg.path, err)
	}
	old := l.w.f
	l.w.f, l.w.size, l.w.alloc = f, segHeaderSize, segHeaderSize
	l.segMu.Lock()
	l.segs = append(l.segs, seg)
	l.segMu.Unlock()
	if err := old.Close(); err != nil {
		return fmt.Errorf("storage: close %s: %w", old.Name(), err)
	}
	return nil
}
