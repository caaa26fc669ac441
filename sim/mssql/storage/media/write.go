package media

import (
	"compress/flate"
	"crypto/rand"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/pchatdr/harness/sim/mssql/storage/internal/writeback"
)

// Write adds one backup set to the media file at path and returns its header
// as ReadHeaders will report it (Position, sizes, finish date filled in).
// payload streams the set's bytes into w; if it fails, the file is left as it
// was before the call.
//
//   - no file (or an empty one), or FORMAT: a new media header, then the set;
//   - INIT: the existing media header, then the set (earlier sets dropped);
//   - otherwise (NOINIT): the set is appended after the last complete set.
//
// Without Skip or Format, a non-empty MediaName must match the media's name
// and INIT refuses to overwrite a set whose ExpirationDate is still ahead.
// A file that is not media is refused (ErrNotMedia) unless FORMAT.
func Write(path string, hdr SetHeader, opts WriteOptions, payload func(w io.Writer) error) (SetHeader, error) {
	unlock := lockPath(path)
	defer unlock()
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	if opts.Format {
		opts.Init, opts.Skip = true, true
	}

	var existing *Contents
	if st, err := os.Stat(path); err == nil && st.Size() > 0 && !opts.Format {
		f, err := os.Open(path)
		if err != nil {
			return SetHeader{}, fmt.Errorf("media: %w", err)
		}
		s, serr := scanFile(f, path)
		f.Close()
		if s == nil {
			return SetHeader{}, serr
		}
		if serr != nil && !opts.Init {
			return SetHeader{}, serr // appending would bury the damage
		}
		existing = s
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return SetHeader{}, fmt.Errorf("media: %w", err)
	} else if err == nil && st.IsDir() {
		return SetHeader{}, &FormatError{Path: path, Reason: "is a directory"}
	}

	if existing != nil && !opts.Skip {
		if opts.MediaName != "" && !strings.EqualFold(opts.MediaName, existing.Media.MediaName) {
			return SetHeader{}, &MediaNameError{Path: path, Want: opts.MediaName, Have: existing.Media.MediaName}
		}
		if opts.Init {
			t := now()
			for _, s := range existing.Sets {
				if !s.ExpirationDate.IsZero() && s.ExpirationDate.After(t) {
					return SetHeader{}, &UnexpiredError{Path: path, Position: s.Position, Expires: s.ExpirationDate}
				}
			}
		}
	}

	hdr.Compressed = opts.Compress
	hdr.HasBackupChecksums = opts.Checksum
	if existing != nil && !opts.Init {
		hdr.Position = len(existing.Sets) + 1
		return appendSet(path, existing.end, hdr, opts, now, payload)
	}
	var mh MediaHeader
	if existing != nil {
		mh = existing.Media
	} else {
		mh = newMediaHeader(opts, now())
	}
	hdr.Position = 1
	return replaceFile(path, mh, hdr, opts, now, payload)
}

func newMediaHeader(opts WriteOptions, t time.Time) MediaHeader {
	sw := opts.Software
	if sw == (Software{}) {
		sw = Software{VendorID: 4608, Major: 16, Minor: 0, Build: 1000}
	}
	mh := MediaHeader{
		MediaName:            opts.MediaName,
		MediaDescription:     opts.MediaDescription,
		MediaDate:            t.UTC(),
		SoftwareVendorID:     sw.VendorID,
		SoftwareVersionMajor: sw.Major,
		SoftwareVersionMinor: sw.Minor,
		SoftwareVersionBuild: sw.Build,
		FamilyCount:          1,
		FamilySequenceNumber: 1,
	}
	rand.Read(mh.MediaSetGUID[:])
	rand.Read(mh.MediaFamilyID[:])
	return mh
}

// replaceFile builds the whole file beside path and renames it into place.
func replaceFile(path string, mh MediaHeader, hdr SetHeader, opts WriteOptions, now func() time.Time, payload func(io.Writer) error) (SetHeader, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return SetHeader{}, fmt.Errorf("media: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	head := appendBlock(nil, magicMedia, mediaVersion, 0, &mh)
	if _, err := tmp.Write(head); err != nil {
		return SetHeader{}, fmt.Errorf("media: write %s: %w", path, err)
	}
	out, err := writeSet(tmp, int64(len(head)), hdr, opts, now, payload)
	if err != nil {
		return SetHeader{}, err
	}
	if err := tmp.Sync(); err != nil {
		return SetHeader{}, fmt.Errorf("media: sync %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return SetHeader{}, fmt.Errorf("media: close %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return SetHeader{}, fmt.Errorf("media: %w", err)
	}
	ok = true
	if err := syncDir(dir); err != nil {
		return SetHeader{}, fmt.Errorf("media: sync folder of %s: %w", path, err)
	}
	return out, nil
}

// appendSet writes a set at end, cutting any incomplete tail first.
func appendSet(path string, end int64, hdr SetHeader, opts WriteOptions, now func() time.Time, payload func(io.Writer) error) (SetHeader, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return SetHeader{}, fmt.Errorf("media: %w", err)
	}
	defer f.Close()
	if err := f.Truncate(end); err != nil {
		return SetHeader{}, fmt.Errorf("media: truncate %s: %w", path, err)
	}
	if _, err := f.Seek(end, io.SeekStart); err != nil {
		return SetHeader{}, fmt.Errorf("media: %w", err)
	}
	out, err := writeSet(f, end, hdr, opts, now, payload)
	if err == nil {
		if err = f.Sync(); err != nil {
			err = fmt.Errorf("media: sync %s: %w", path, err)
		}
	}
	if err != nil {
		// Leave no half set behind; if this fails too, readers still see an
		// incomplete tail and the next append cuts it.
		if f.Truncate(end) == nil {
			f.Sync()
		}
		return SetHeader{}, err
	}
	return out, nil
}

// writeSet writes header, frames, end frame and trailer at the file's
// current offset, which is off.
func writeSet(f *os.File, off int64, hdr SetHeader, opts WriteOptions, now func() time.Time, payload func(io.Writer) error) (SetHeader, error) {
	var flags uint16
	if opts.Compress {
		flags |= flagCompressed
	}
	pos := hdr.Position
	hdr.Position = 0 // not stored: it comes from the order in the file
	head := appendBlock(nil, magicSet, setVersion, flags, &hdr)
	hdr.Position = pos
	if _, err := f.Write(head); err != nil {
		return SetHeader{}, fmt.Errorf("media: write %s: %w", f.Name(), err)
	}
	// The frames start their way to disk as they are written (the fsync
	// after the set then waits for the last few MiB, not the whole set).
	fw := &frameWriter{f: f, out: writeback.New(f, off+int64(len(head))), buf: make([]byte, frameHeadSize, frameHeadSize+frameChunk), pace: opts.Pace}
	rw := &rawWriter{progress: opts.Progress, total: hdr.BackupSize, dst: fw}
	var zw *flate.Writer
	if opts.Compress {
		zw, _ = flate.NewWriter(fw, flate.BestSpeed)
		rw.dst = zw
	}
	if err := payload(rw); err != nil {
		return SetHeader{}, fmt.Errorf("media: backup payload: %w", err)
	}
	if rw.err != nil {
		return SetHeader{}, rw.err
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			return SetHeader{}, err
		}
	}
	if err := fw.flush(); err != nil {
		return SetHeader{}, err
	}
	if fw.pace != nil {
		// The set is complete only when its last frame has crossed.
		if err := fw.pace(0); err != nil {
			return SetHeader{}, fmt.Errorf("media: write %s: %w", f.Name(), err)
		}
	}
	if rw.progress != nil {
		rw.progress(rw.n, max(rw.total, rw.n))
	}
	tr := trailer{RawBytes: rw.n, StoredBytes: fw.stored, RawCRC: rw.crc, Frames: fw.frames, HeaderOffset: off}
	if hdr.BackupFinishDate.IsZero() {
		tr.FinishDate = now().UTC()
		hdr.BackupFinishDate = tr.FinishDate
	}
	var end [frameHeadSize]byte
	putFrameHead(end[:], nil)
	tail := appendBlock(end[:], magicTrailer, trailerVersion, 0, &tr)
	if _, err := f.Write(tail); err != nil {
		return SetHeader{}, fmt.Errorf("media: write %s: %w", f.Name(), err)
	}
	hdr.BackupSize = rw.n
	hdr.CompressedBackupSize = fw.stored
	return hdr, nil
}

// rawWriter counts and checksums the payload as the engine produces it.
type rawWriter struct {
	dst      io.Writer
	crc      uint32
	n        int64
	reported int64
	total    int64
	progress func(done, total int64)
	err      error
}

func (w *rawWriter) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	n, err := w.dst.Write(p)
	w.crc = crc32.Update(w.crc, castagnoli, p[:n])
	w.n += int64(n)
	if err != nil {
		w.err = err
		return n, err
	}
	// Report each MiB, and each whole percent of a known total, so a small
	// database's STATS messages also arrive while it is written.
	if w.progress != nil && (w.n-w.reported >= frameChunk || (w.total > 0 && w.n*100/w.total > w.reported*100/w.total)) {
		w.reported = w.n
		w.progress(w.n, w.total)
	}
	return n, nil
}

// frameWriter cuts stored bytes into frames and writes each with one call.
type frameWriter struct {
	f      *os.File
	out    io.Writer // f, starting writeback as it goes
	buf    []byte    // frame header space + data
	stored int64
	frames int64
	err    error
	pace   func(n int) error
}

func (w *frameWriter) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	total := len(p)
	for len(p) > 0 {
		room := frameHeadSize + frameChunk - len(w.buf)
		n := min(room, len(p))
		w.buf = append(w.buf, p[:n]...)
		p = p[n:]
		if len(w.buf) == frameHeadSize+frameChunk {
			if err := w.flush(); err != nil {
				return total - len(p) - n, err
			}
		}
	}
	return total, nil
}

func (w *frameWriter) flush() error {
	if w.err != nil {
		return w.err
	}
	data := w.buf[frameHeadSize:]
	if len(data) == 0 {
		return nil
	}
	putFrameHead(w.buf[:frameHeadSize], data)
	if w.pace != nil {
		if err := w.pace(len(w.buf)); err != nil {
			w.err = fmt.Errorf("media: write %s: %w", w.f.Name(), err)
			return w.err
		}
	}
	if _, err := w.out.Write(w.buf); err != nil {
		w.err = fmt.Errorf("media: write %s: %w", w.f.Name(), err)
		return w.err
	}
	w.stored += int64(len(data))
	w.frames++
	w.buf = w.buf[:frameHeadSize]
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// pathLocks serialises writers of one file inside this process. It is the
// one process-wide table of the simulator, on purpose: two instances of one
// process writing the same share file must wait for each other as Windows'
// file sharing makes them, and no instance owns the file. An entry lives
// only while someone holds or waits for it, so the table does not grow with
// every backup file ever written.
var pathLocks = struct {
	mu sync.Mutex
	m  map[string]*pathLock
}{m: map[string]*pathLock{}}

type pathLock struct {
	sync.Mutex
	refs int // holders and waiters; guarded by pathLocks.mu
}

func lockPath(path string) func() {
	key, err := filepath.Abs(path)
	if err != nil {
		key = filepath.Clean(path)
	}
	pathLocks.mu.Lock()
	l := pathLocks.m[key]
	if l == nil {
		l = &pathLock{}
		pathLocks.m[key] = l
	}
	l.refs++
	pathLocks.mu.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		pathLocks.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(pathLocks.m, key)
		}
		pathLocks.mu.Unlock()
	}
}
