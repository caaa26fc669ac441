package storage

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/pchatdr/harness/sim/mssql/storage/internal/writeback"
)

// Snapshot file layout: a 16-byte header (magic, LSN), the engine's bytes,
// a 16-byte trailer (payload length, CRC32C of header+payload, end magic).
// The trailer comes last so a snapshot is written in one streaming pass.
const (
	snapMagic      = "PCHSNP01"
	snapEndMagic   = "PCSE"
	snapHeaderSize = 16
	snapTrailer    = 16
	snapPrefix     = "snap-"
	snapSuffix     = ".snap"
	// keepSnapshots is how many snapshots survive pruning. Two, so that a
	// newest snapshot found corrupt still leaves an older one plus the log
	// after it.
	keepSnapshots = 2
)

type snapshotFile struct {
	lsn  LSN
	path string
}

func snapName(lsn LSN) string { return fmt.Sprintf("%s%020d%s", snapPrefix, uint64(lsn), snapSuffix) }

// listSnapshots returns snapshot files newest first.
func listSnapshots(dir string) ([]snapshotFile, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("storage: list %s: %w", dir, err)
	}
	var out []snapshotFile
	for _, e := range ents {
		name := e.Name()
		if !strings.HasPrefix(name, snapPrefix) || !strings.HasSuffix(name, snapSuffix) {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(name, snapPrefix), snapSuffix), 10, 64)
		if err != nil || n == 0 {
			continue
		}
		out = append(out, snapshotFile{lsn: LSN(n), path: filepath.Join(dir, name)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].lsn > out[j].lsn })
	return out, nil
}

// hashWriter counts and checksums what passes through.
type hashWriter struct {
	w   io.Writer
	crc uint32
	n   int64
}

func (h *hashWriter) Write(p []byte) (int, error) {
	n, err := h.w.Write(p)
	h.crc = crc32.Update(h.crc, castagnoli, p[:n])
	h.n += int64(n)
	return n, err
}

// WriteSnapshot stores the engine's state as of lsn (every record <= lsn
// applied). It is atomic: written to a temp file, fsynced, renamed, and the
// directory fsynced, so a crash leaves the old snapshot or the new one. Once
// two snapshots exist, older snapshots and segments wholly covered by the
// older kept snapshot are deleted.
func (l *Log) WriteSnapshot(lsn LSN, write func(w io.Writer) error) error {
	l.snapMu.Lock()
	defer l.snapMu.Unlock()
	if l.isClosed() {
		return ErrClosed
	}
	if lsn == 0 || lsn > l.LastLSN() {
		return fmt.Errorf("storage: snapshot at LSN %d: log holds LSNs up to %d", lsn, l.LastLSN())
	}
	final := filepath.Join(l.dir, snapName(lsn))
	tmp := final + ".tmp"
	if err := l.writeSnapshotFile(tmp, lsn, write); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, final); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("storage: snapshot: %w", err)
	}
	if err := syncPath(l.dir, l.opts.NoSync); err != nil {
		return err
	}
	return l.prune()
}

func (l *Log) writeSnapshotFile(path string, lsn LSN, write func(io.Writer) error) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("storage: snapshot: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("storage: snapshot: %w", cerr)
		}
	}()
	// The snapshot starts its way to disk as it is written, so the fsync
	// at its end waits for the last few MiB (a restore writes gigabytes
	// here while it decodes).
	bw := bufio.NewWriterSize(writeback.New(f, 0), 256<<10)
	hw := &hashWriter{w: bw}
	hdr := make([]byte, snapHeaderSize)
	copy(hdr, snapMagic)
	binary.LittleEndian.PutUint64(hdr[8:], uint64(lsn))
	if _, err := hw.Write(hdr); err != nil {
		return fmt.Errorf("storage: snapshot: %w", err)
	}
	if err := write(hw); err != nil {
		return fmt.Errorf("storage: snapshot at LSN %d: %w", lsn, err)
	}
	tr := make([]byte, snapTrailer)
	binary.LittleEndian.PutUint64(tr[0:], uint64(hw.n-snapHeaderSize))
	binary.LittleEndian.PutUint32(tr[8:], hw.crc)
	copy(tr[12:], snapEndMagic)
	if _, err := bw.Write(tr); err != nil {
		return fmt.Errorf("storage: snapshot: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("storage: snapshot: %w", err)
	}
	if !l.opts.NoSync {
		if err := f.Sync(); err != nil {
			return fmt.Errorf("storage: snapshot: fsync %s: %w", path, err)
		}
	}
	return nil
}

// prune keeps the newest keepSnapshots snapshots and deletes the segments
// whose records are all covered by the oldest kept one. The tail segment is
// never deleted.
func (l *Log) prune() error {
	snaps, err := listSnapshots(l.dir)
	if err != nil || len(snaps) < keepSnapshots {
		return err
	}
	for _, s := range snaps[keepSnapshots:] {
		if err := os.Remove(s.path); err != nil {
			return fmt.Errorf("storage: prune: %w", err)
		}
	}
	covered := snaps[keepSnapshots-1].lsn
	if r := LSN(l.retain.Load()); r != 0 && r-1 < covered {
		covered = r - 1 // records a log backup or a partner still needs stay
	}
	l.pruneMu.Lock()
	defer l.pruneMu.Unlock()
	l.segMu.Lock()
	var drop []segment
	for len(l.segs) > 1 && l.segs[1].first-1 <= covered {
		drop = append(drop, l.segs[0])
		l.segs = l.segs[1:]
	}
	l.segMu.Unlock()
	for _, s := range drop {
		if err := os.Remove(s.path); err != nil {
			return fmt.Errorf("storage: prune: %w", err)
		}
	}
	return syncPath(l.dir, l.opts.NoSync)
}

// verifySnapshot reads a whole snapshot and checks its framing and checksum.
func verifySnapshot(s snapshotFile) (payloadLen int64, err error) {
	f, err := os.Open(s.path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	size := st.Size()
	if size < snapHeaderSize+snapTrailer {
		return 0, fmt.Errorf("%s: %d bytes is too short for a snapshot", s.path, size)
	}
	tr := make([]byte, snapTrailer)
	if _, err := f.ReadAt(tr, size-snapTrailer); err != nil {
		return 0, err
	}
	payloadLen = int64(binary.LittleEndian.Uint64(tr[0:]))
	if string(tr[12:]) != snapEndMagic || payloadLen != size-snapHeaderSize-snapTrailer {
		return 0, fmt.Errorf("%s: bad snapshot trailer (incomplete write?)", s.path)
	}
	hdr := make([]byte, snapHeaderSize)
	if _, err := f.ReadAt(hdr, 0); err != nil {
		return 0, err
	}
	if string(hdr[:8]) != snapMagic || LSN(binary.LittleEndian.Uint64(hdr[8:])) != s.lsn {
		return 0, fmt.Errorf("%s: bad snapshot header", s.path)
	}
	h := crc32.New(castagnoli)
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, size-snapTrailer)); err != nil {
		return 0, err
	}
	if h.Sum32() != binary.LittleEndian.Uint32(tr[8:]) {
		return 0, fmt.Errorf("%s: snapshot checksum mismatch", s.path)
	}
	return payloadLen, nil
}

// pickSnapshot finds the newest snapshot that verifies. corrupt lists the
// newer ones it skipped; err is only for I/O trouble listing the directory.
func (l *Log) pickSnapshot() (lsn LSN, path string, corrupt []string, err error) {
	snaps, err := listSnapshots(l.dir)
	if err != nil {
		return 0, "", nil, err
	}
	for _, s := range snaps {
		if _, verr := verifySnapshot(s); verr != nil {
			l.opts.logf("storage: skipping snapshot: %v", verr)
			corrupt = append(corrupt, s.path)
			continue
		}
		return s.lsn, s.path, corrupt, nil
	}
	return 0, "", corrupt, nil
}

// LatestSnapshot returns the newest snapshot whose checksum verifies; a
// corrupt newer one is skipped (and logged) in favour of an older one. ok is
// false when there is none to use and replay must start at LSN 1; err is set
// when snapshots exist but none verifies and the log no longer starts at 1.
// open streams the engine's bytes and fails at EOF if they changed since.
func (l *Log) LatestSnapshot() (lsn LSN, open func() (io.ReadCloser, error), ok bool, err error) {
	if l.isClosed() {
		return 0, nil, false, ErrClosed
	}
	l.snapMu.Lock()
	lsn, path, corrupt, err := l.pickSnapshot()
	l.snapMu.Unlock()
	if err != nil {
		return 0, nil, false, err
	}
	if path == "" {
		l.segMu.Lock()
		first := l.segs[0].first
		l.segMu.Unlock()
		if len(corrupt) > 0 && first > 1 {
			return 0, nil, false, fmt.Errorf("storage: no usable snapshot (corrupt: %s) and the log starts at LSN %d: %w",
				strings.Join(corrupt, ", "), first, ErrCorrupt)
		}
		return 0, nil, false, nil
	}
	open = func() (io.ReadCloser, error) { return openSnapshot(snapshotFile{lsn: lsn, path: path}) }
	return lsn, open, true, nil
}

type snapReader struct {
	f    *os.File
	r    *io.SectionReader
	crc  uint32
	want uint32
	path string
}

func openSnapshot(s snapshotFile) (io.ReadCloser, error) {
	n, err := verifySnapshot(s)
	if err != nil {
		return nil, fmt.Errorf("storage: open snapshot: %w: %w", err, ErrCorrupt)
	}
	f, err := os.Open(s.path)
	if err != nil {
		return nil, fmt.Errorf("storage: open snapshot: %w", err)
	}
	hdr := make([]byte, snapHeaderSize)
	tr := make([]byte, snapTrailer)
	_, err = f.ReadAt(hdr, 0)
	if err == nil {
		_, err = f.ReadAt(tr, snapHeaderSize+n)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("storage: open snapshot: %w", err)
	}
	return &snapReader{
		f: f, r: io.NewSectionReader(f, snapHeaderSize, n), path: s.path,
		crc:  crc32.Update(0, castagnoli, hdr),
		want: binary.LittleEndian.Uint32(tr[8:]),
	}, nil
}

func (s *snapReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.crc = crc32.Update(s.crc, castagnoli, p[:n])
	if errors.Is(err, io.EOF) && s.crc != s.want {
		return n, fmt.Errorf("storage: snapshot %s changed while being read: %w", s.path, ErrCorrupt)
	}
	return n, err
}

func (s *snapReader) Close() error { return s.f.Close() }

// SnapshotFile names the file of the snapshot at lsn and the offset in it
// where the engine's bytes start; ok is false when there is no such
// snapshot. A caller that maps the file to read the engine's bytes in place
// (the engine's row segments after a restore) keeps reading them after the
// snapshot is pruned or replaced: its name goes, its bytes never change.
func (l *Log) SnapshotFile(lsn LSN) (path string, payloadAt int64, ok bool) {
	path = filepath.Join(l.dir, snapName(lsn))
	if st, err := os.Stat(path); err != nil || !st.Mode().IsRegular() {
		return "", 0, false
	}
	return path, snapHeaderSize, true
}
