package media

import (
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
)

// setLoc is where one complete set lives in the file.
type setLoc struct {
	hdrOff     int64
	dataOff    int64 // first frame header
	compressed bool
	tr         trailer
}

// ReadHeaders lists the media header and every complete backup set, as
// RESTORE HEADERONLY and LABELONLY need them. It reads only headers, frame
// headers and trailers, never payload bytes. An unfinished last set is
// reported in Contents.Incomplete, not as an error. Damage that is not an
// unfinished tail returns the sets before it together with a
// *CorruptionError.
func ReadHeaders(path string) (*Contents, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("media: %w", err)
	}
	defer f.Close()
	return scanFile(f, path)
}

func scanFile(f *os.File, path string) (*Contents, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("media: %w", err)
	}
	if st.IsDir() {
		return nil, &FormatError{Path: path, Reason: "is a directory"}
	}
	return scan(f, st.Size(), path)
}

func scan(r io.ReaderAt, size int64, path string) (*Contents, error) {
	s := &Contents{}
	ver, _, n, err := readBlock(r, 0, magicMedia, mediaVersion, &s.Media)
	if err != nil {
		var be *blockError
		if errors.As(err, &be) {
			return nil, &FormatError{Path: path, Reason: be.reason}
		}
		return nil, fmt.Errorf("media: read %s: %w", path, err)
	}
	s.Media.FormatVersion = ver
	off := n
	for pos := 1; ; pos++ {
		if off >= size {
			s.end = off
			return s, nil
		}
		sh, loc, next, badAt, err := scanSet(r, off, size)
		if err != nil {
			s.end = off
			var be *blockError
			if !errors.As(err, &be) {
				return s, fmt.Errorf("media: read %s: %w", path, err)
			}
			// A crash leaves the file ending inside the set, or padded with
			// zeros from some point inside it: an unfinished set, not damage.
			if be.short || (be.tornEnd > 0 && torn(r, be.tornEnd, size)) {
				s.Incomplete = &Incomplete{Position: pos, Offset: off, Reason: be.reason}
				return s, nil
			}
			return s, &CorruptionError{Path: path, Position: pos, Offset: badAt, Reason: be.reason}
		}
		sh.Position = pos
		s.Sets = append(s.Sets, sh)
		s.locs = append(s.locs, loc)
		off = next
	}
}

// scanSet walks the set starting at off without reading payload bytes.
func scanSet(r io.ReaderAt, off, size int64) (sh SetHeader, loc setLoc, next, badAt int64, err error) {
	loc.hdrOff = off
	_, flags, n, err := readBlock(r, off, magicSet, setVersion, &sh)
	if err != nil {
		return sh, loc, 0, off, err
	}
	loc.compressed = flags&flagCompressed != 0
	off += n
	loc.dataOff = off
	var stored, frames int64
	var h [frameHeadSize]byte
	for {
		if m, rerr := r.ReadAt(h[:], off); m < len(h) {
			if rerr == nil || errors.Is(rerr, io.EOF) {
				return sh, loc, 0, off, &blockError{short: true, reason: "file ends inside the payload"}
			}
			return sh, loc, 0, off, rerr
		}
		fn, _, ferr := parseFrameHead(h[:])
		if ferr != nil {
			ferr.(*blockError).tornEnd = off + frameHeadSize
			return sh, loc, 0, off, ferr
		}
		if off+frameHeadSize+int64(fn) > size {
			return sh, loc, 0, off, &blockError{short: true, reason: "file ends inside the payload"}
		}
		off += frameHeadSize + int64(fn)
		if fn == 0 {
			break
		}
		stored += int64(fn)
		frames++
	}
	_, _, tn, err := readBlock(r, off, magicTrailer, trailerVersion, &loc.tr)
	if err != nil {
		return sh, loc, 0, off, err
	}
	switch {
	case loc.tr.HeaderOffset != loc.hdrOff:
		return sh, loc, 0, off, &blockError{reason: fmt.Sprintf("trailer belongs to a set at %d, not %d", loc.tr.HeaderOffset, loc.hdrOff)}
	case loc.tr.StoredBytes != stored || loc.tr.Frames != frames:
		return sh, loc, 0, off, &blockError{reason: fmt.Sprintf("trailer says %d bytes in %d frames, found %d in %d", loc.tr.StoredBytes, loc.tr.Frames, stored, frames)}
	case !loc.compressed && loc.tr.RawBytes != stored:
		return sh, loc, 0, off, &blockError{reason: "uncompressed set with raw size different from stored size"}
	}
	sh.BackupSize = loc.tr.RawBytes
	sh.CompressedBackupSize = loc.tr.StoredBytes
	sh.Compressed = loc.compressed
	if !loc.tr.FinishDate.IsZero() {
		sh.BackupFinishDate = loc.tr.FinishDate
	}
	return sh, loc, off + tn, 0, nil
}

// torn reports whether the file ends in zeros starting before structEnd: a
// tail the file system allocated but the crashed writer never filled. At
// least 4 zero bytes are required so a damaged last checksum that happens to
// end in a zero byte still counts as damage.
func torn(r io.ReaderAt, structEnd, size int64) bool {
	z := zeroRunStart(r, size)
	return size-z >= 4 && z < structEnd
}

// Open returns backup set position (1-based) and a reader of its payload.
// The reader verifies every frame before handing its bytes out and the
// trailer's length and CRC32C at the end; on damage it returns a
// *CorruptionError instead of data or io.EOF. Close it when done.
func Open(path string, position int) (SetHeader, io.ReadCloser, error) {
	return OpenPaced(path, position, nil)
}

// OpenPaced is Open with pace called for each frame's stored bytes after
// they are read (a device on a remote share, held to the WAN link), and
// with 0 at the end frame (the end is there when every byte crossed); its
// error ends the read.
func OpenPaced(path string, position int, pace func(n int) error) (SetHeader, io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return SetHeader{}, nil, fmt.Errorf("media: %w", err)
	}
	s, serr := scanFile(f, path)
	if s == nil {
		f.Close()
		return SetHeader{}, nil, serr
	}
	if position < 1 || position > len(s.Sets) {
		f.Close()
		if serr != nil && position > len(s.Sets) {
			return SetHeader{}, nil, serr // the set asked for lies past the damage
		}
		inc := s.Incomplete != nil && s.Incomplete.Position == position
		return SetHeader{}, nil, &PositionError{Path: path, Position: position, Count: len(s.Sets), Incomplete: inc}
	}
	sr := openSet(f, f, path, position, s.locs[position-1])
	sr.fr.pace = pace
	return s.Sets[position-1], sr, nil
}

func openSet(r io.ReaderAt, c io.Closer, path string, position int, loc setLoc) *setReader {
	fr := &frameReader{f: r, path: path, pos: position, off: loc.dataOff, loc: loc}
	sr := &setReader{fr: fr, src: fr, c: c}
	if loc.compressed {
		sr.fl = flate.NewReader(fr)
		sr.src = sr.fl
	}
	return sr
}

// Verify reads backup set position to the end and checks every checksum
// (RESTORE VERIFYONLY).
func Verify(path string, position int) error {
	return VerifyPaced(path, position, nil)
}

// VerifyPaced is Verify with OpenPaced's pace.
func VerifyPaced(path string, position int, pace func(n int) error) error {
	_, r, err := OpenPaced(path, position, pace)
	if err != nil {
		return err
	}
	defer r.Close()
	_, err = io.Copy(io.Discard, r)
	return err
}

// frameReader yields a set's stored bytes, frame by frame, each verified.
type frameReader struct {
	f       io.ReaderAt
	path    string
	pos     int
	off     int64
	loc     setLoc
	buf     []byte
	pending []byte
	stored  int64
	frames  int64
	done    bool
	pace    func(n int) error
}

func (r *frameReader) corrupt(off int64, format string, a ...any) error {
	return &CorruptionError{Path: r.path, Position: r.pos, Offset: off, Reason: fmt.Sprintf(format, a...)}
}

// next loads the next frame into pending; io.EOF after the end frame.
func (r *frameReader) next() error {
	if r.done {
		return io.EOF
	}
	var h [frameHeadSize]byte
	if m, err := r.f.ReadAt(h[:], r.off); m < len(h) {
		return r.ioErr(err)
	}
	n, want, err := parseFrameHead(h[:])
	if err != nil {
		return r.corrupt(r.off, "%v", err)
	}
	if n == 0 {
		r.done = true
		if r.pace != nil {
			// The end frame is there once every frame before it crossed.
			if err := r.pace(0); err != nil {
				return fmt.Errorf("media: read %s: %w", r.path, err)
			}
		}
		if r.stored != r.loc.tr.StoredBytes || r.frames != r.loc.tr.Frames {
			return r.corrupt(r.off, "payload of %d bytes in %d frames, trailer says %d in %d", r.stored, r.frames, r.loc.tr.StoredBytes, r.loc.tr.Frames)
		}
		return io.EOF
	}
	if cap(r.buf) < n {
		r.buf = make([]byte, n, max(n, frameChunk))
	}
	data := r.buf[:n]
	if m, err := r.f.ReadAt(data, r.off+frameHeadSize); m < len(data) {
		return r.ioErr(err)
	}
	if r.pace != nil {
		if err := r.pace(frameHeadSize + n); err != nil {
			return fmt.Errorf("media: read %s: %w", r.path, err)
		}
	}
	if got := crc32.Checksum(data, castagnoli); got != want {
		return r.corrupt(r.off, "payload checksum %08x, stored %08x", got, want)
	}
	r.off += frameHeadSize + int64(n)
	r.stored += int64(n)
	r.frames++
	r.pending = data
	return nil
}

func (r *frameReader) ioErr(err error) error {
	if err == nil || errors.Is(err, io.EOF) {
		return r.corrupt(r.off, "file truncated inside the payload")
	}
	return fmt.Errorf("media: read %s: %w", r.path, err)
}

func (r *frameReader) Read(p []byte) (int, error) {
	for len(r.pending) == 0 {
		if err := r.next(); err != nil {
			return 0, err
		}
	}
	n := copy(p, r.pending)
	r.pending = r.pending[n:]
	return n, nil
}

// setReader turns stored bytes into payload bytes and checks the trailer.
type setReader struct {
	fr     *frameReader
	fl     io.ReadCloser // deflate reader when compressed
	c      io.Closer     // the file
	src    io.Reader
	crc    uint32
	raw    int64
	err    error
	closed bool
}

func (r *setReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	n, err := r.src.Read(p)
	r.crc = crc32.Update(r.crc, castagnoli, p[:n])
	r.raw += int64(n)
	if err != nil {
		r.err = r.finish(err)
		if n > 0 && r.err == io.EOF {
			return n, nil
		}
		if r.err != io.EOF {
			return 0, r.err // never hand out bytes from a set that failed
		}
	}
	return n, r.err
}

// WriteTo streams an uncompressed set frame by frame without an extra copy.
func (r *setReader) WriteTo(w io.Writer) (int64, error) {
	if r.fl != nil {
		buf := make([]byte, frameChunk)
		return io.CopyBuffer(w, struct{ io.Reader }{r}, buf)
	}
	var total int64
	for r.err == nil {
		if len(r.fr.pending) == 0 {
			if err := r.fr.next(); err != nil {
				r.err = r.finish(err)
				break
			}
		}
		data := r.fr.pending
		r.fr.pending = nil
		r.crc = crc32.Update(r.crc, castagnoli, data)
		r.raw += int64(len(data))
		m, err := w.Write(data)
		total += int64(m)
		if err != nil {
			return total, err
		}
	}
	if r.err == io.EOF {
		return total, nil
	}
	return total, r.err
}

// finish turns the source's end into io.EOF or the reason the set is bad.
func (r *setReader) finish(err error) error {
	var ce *CorruptionError
	if errors.As(err, &ce) {
		return err
	}
	if err != io.EOF {
		if r.fl != nil && !errors.Is(err, os.ErrClosed) {
			return r.fr.corrupt(r.fr.off, "compressed payload: %v", err)
		}
		return err
	}
	if r.fl != nil { // the deflate stream ended: the frames must end with it
		if len(r.fr.pending) != 0 {
			return r.fr.corrupt(r.fr.off, "bytes after the end of the compressed stream")
		}
		if nerr := r.fr.next(); nerr != io.EOF {
			if nerr == nil {
				return r.fr.corrupt(r.fr.off, "frames after the end of the compressed stream")
			}
			return nerr
		}
	}
	tr := r.fr.loc.tr
	if r.raw != tr.RawBytes {
		return r.fr.corrupt(r.fr.off, "payload is %d bytes, trailer says %d", r.raw, tr.RawBytes)
	}
	if r.crc != tr.RawCRC {
		return r.fr.corrupt(r.fr.off, "payload checksum %08x, trailer says %08x", r.crc, tr.RawCRC)
	}
	return io.EOF
}

func (r *setReader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	if r.fl != nil {
		r.fl.Close()
	}
	if r.c == nil {
		return nil
	}
	return r.c.Close()
}

// ReadByte lets compress/flate read frames directly instead of through a
// bufio.Reader, whose read-ahead would hide whether the frames end exactly
// where the deflate stream does.
func (r *frameReader) ReadByte() (byte, error) {
	for len(r.pending) == 0 {
		if err := r.next(); err != nil {
			return 0, err
		}
	}
	c := r.pending[0]
	r.pending = r.pending[1:]
	return c, nil
}
