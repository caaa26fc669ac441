// Package rowseg holds a table's committed rows as an immutable, compact
// segment: each row in its stored encoding (the bytes the durable log and
// a backup carry), packed in large chunks, with its row id, a deleted bit
// and, for each unique index, a hash of its key.
//
// A row held this way costs its encoded size plus about 20 bytes, where a
// decoded row version costs several times its size (an interface per
// value, a string header per text, the version's own struct, the maps by
// row id and by key). A production-sized mgc (gigabytes of chat history,
// seeded or restored, and never changed again) is held in segments, so a
// simulated instance holding it costs about its size in memory; the engine
// decodes a row when a query reads it, and a BACKUP or checkpoint copies
// the encoded bytes as they are.
//
// A segment only grows at its end and never changes a row's bytes: a
// deleted row gets its bit set, and the engine keeps a changed row as an
// ordinary row version. View captures a consistent prefix (rows, bytes and
// deleted bits) that stays valid while the segment keeps growing, which is
// what a checkpoint or a backup needs after it let go of the database's
// lock. The package knows nothing of the row encoding: the engine encodes,
// decodes and computes keys.
package rowseg

import (
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"math"
	"os"
	"runtime"
	"sort"
	"sync/atomic"
)

// chunkSize is the size of the chunks rows are packed into: large enough
// that a chunk's own overhead is nothing per row, small enough that the
// last, partly filled chunk of a small table wastes little (a chunk grows
// by appending until it reaches this size).
const chunkSize = 4 << 20

// pendSize is how many bytes of rows a file-backed chunk gathers before
// they are written to its file.
const pendSize = 256 << 10

// Segment is a table's rows in their stored encoding. It is not safe for
// concurrent use: the engine guards it with the database's lock (a View
// may be read without it).
type Segment struct {
	// dir, when set, is where chunks after the first are mapped from
	// (NewOnDisk); maps keeps those mappings alive.
	dir     string
	written *atomic.Int64 // bytes written to the files (NewOnDisk), or nil
	maps    []*mapping
	chunks  [][]byte
	// tail is the last chunk's mapping while rows are appended to it
	// (nil when that chunk is in memory). Its rows are gathered in pend
	// and written to the file at pendOff in large writes: a row copied
	// into the mapping costs a page fault per page (on ext4 about five
	// times the CPU of writing the same bytes), and a restore appends
	// gigabytes. Row reads pend for the rows not written yet; View
	// writes them first.
	tail    *mapping
	pend    []byte
	pendOff int
	// loc is each row's place: chunk index << 32 | offset of its
	// uvarint length (of its first byte once rlen is set).
	loc []uint64
	// rlen, once the segment reads its rows from a file it did not write
	// (AppendRef), is each row's length: the rows there have no length of
	// their own before them, and rows appended after are kept the same
	// way.
	rlen []uint32
	// refs: loc holds the offsets AppendRef was given, waiting for
	// Resolve.
	refs bool
	ids  []int64
	dead []uint64
	live int
	n    int64 // encoded bytes of the rows, deleted ones included
}

// New returns an empty segment that keeps its rows in memory.
func New() *Segment { return &Segment{} }

// NewOnDisk returns an empty segment whose rows, past a first chunk in
// memory (a small table never touches the disk), are kept in files in dir
// mapped into memory: a table of gigabytes costs disk and page cache, not
// heap. The files are unlinked at once; a chunk the system cannot map is
// kept in memory instead.
//
// written, when not nil, counts the bytes written to those files: they are
// the simulator's own representation of rows it already wrote to a data or
// backup file, and a benchmark that holds the simulator to the disk's
// throughput must not count them as I/O the procedure needs.
func NewOnDisk(dir string, written *atomic.Int64) *Segment {
	return &Segment{dir: dir, written: written}
}

// Len is the number of rows appended, deleted ones included.
func (s *Segment) Len() int { return len(s.ids) }

// Live is the number of rows not deleted.
func (s *Segment) Live() int { return s.live }

// LastID is the id of the last row appended (0 when empty).
func (s *Segment) LastID() int64 {
	if len(s.ids) == 0 {
		return 0
	}
	return s.ids[len(s.ids)-1]
}

// Append adds a row (copying row) with an id greater than every id the
// segment holds and returns its position; ok is false (nothing added)
// when id is not greater, so that ids stay sorted and Find stays a binary
// search.
func (s *Segment) Append(id int64, row []byte) (pos int, ok bool) {
	if (len(s.ids) > 0 && id <= s.ids[len(s.ids)-1]) || len(s.ids) == math.MaxInt32 || s.refs {
		return 0, false
	}
	need := binary.MaxVarintLen64 + len(row)
	c := len(s.chunks) - 1
	if c < 0 || cap(s.chunks[c])-len(s.chunks[c]) < need {
		switch {
		case c >= 0 && cap(s.chunks[c]) < chunkSize && len(s.chunks[c])+need <= chunkSize:
			// A small table's only chunk grows by doubling (a view or a
			// row handed out keeps the old array, whose bytes stay).
			grown := make([]byte, len(s.chunks[c]), min(chunkSize, max(2*cap(s.chunks[c]), len(s.chunks[c])+need)))
			copy(grown, s.chunks[c])
			s.chunks[c] = grown
		case c < 0:
			s.chunks = append(s.chunks, make([]byte, 0, max(4<<10, need)))
		default:
			s.flush()
			if s.tail != nil {
				s.tail.done() // full: no more writes (a segment of gigabytes would hold a descriptor per chunk)
				s.tail = nil
			}
			s.chunks = append(s.chunks, s.newChunk(max(chunkSize, need)))
		}
		c = len(s.chunks) - 1
	}
	ch := s.chunks[c]
	off := len(ch)
	if s.tail != nil {
		// The bytes go to pend; the chunk's length still counts them.
		if len(s.pend) == 0 {
			s.pendOff = off
		}
		if s.rlen == nil {
			s.pend = binary.AppendUvarint(s.pend, uint64(len(row)))
		}
		s.pend = append(s.pend, row...)
		s.chunks[c] = ch[:s.pendOff+len(s.pend)]
		if len(s.pend) >= pendSize {
			s.flush()
		}
	} else {
		if s.rlen == nil {
			ch = binary.AppendUvarint(ch, uint64(len(row)))
		}
		ch = append(ch, row...)
		s.chunks[c] = ch // never reallocated: the capacity was checked
	}
	pos = len(s.ids)
	s.loc = append(s.loc, uint64(c)<<32|uint64(off))
	if s.rlen != nil {
		s.rlen = append(s.rlen, uint32(len(row)))
	}
	s.ids = append(s.ids, id)
	if pos/64 >= len(s.dead) {
		s.dead = append(s.dead, 0)
	}
	s.live++
	s.n += int64(len(row))
	return pos, true
}

// newChunk is an empty chunk of capacity size, mapped from a file when
// the segment is on disk.
func (s *Segment) newChunk(size int) []byte {
	if s.dir != "" {
		if m, err := mapChunk(s.dir, size); err == nil {
			s.maps = append(s.maps, m)
			s.tail = m
			return m.b
		}
	}
	return make([]byte, 0, size)
}

// flush writes the rows gathered in pend to the tail chunk's file.
func (s *Segment) flush() {
	if len(s.pend) == 0 {
		return
	}
	err := s.tail.writeAt(s.pend, s.pendOff)
	if err == nil && s.written != nil {
		s.written.Add(int64(len(s.pend)))
	}
	if err != nil {
		// The file's blocks were allocated when it was mapped, so this
		// is not a full disk; the bytes go through the mapping instead.
		copy(s.tail.b[s.pendOff:s.pendOff+len(s.pend)], s.pend)
	}
	s.pend = s.pend[:0]
}

// Row is the encoded row at pos (valid until the next Append; never to be
// written).
func (s *Segment) Row(pos int) []byte {
	if s.refs {
		panic("rowseg: a row read before its file was resolved")
	}
	loc := s.loc[pos]
	if len(s.pend) > 0 && int(loc>>32) == len(s.chunks)-1 && int(uint32(loc)) >= s.pendOff {
		return rowAt([][]byte{s.pend}, s.rlen, pos, uint64(uint32(loc))-uint64(s.pendOff))
	}
	return rowAt(s.chunks, s.rlen, pos, loc)
}

// ID is the row id at pos.
func (s *Segment) ID(pos int) int64 { return s.ids[pos] }

// Dead reports whether the row at pos was deleted.
func (s *Segment) Dead(pos int) bool { return s.dead[pos/64]&(1<<(pos%64)) != 0 }

// Kill marks the row at pos deleted.
func (s *Segment) Kill(pos int) {
	if !s.Dead(pos) {
		s.dead[pos/64] |= 1 << (pos % 64)
		s.live--
	}
}

// Find returns the position of the live row with id.
func (s *Segment) Find(id int64) (pos int, ok bool) {
	i := sort.Search(len(s.ids), func(i int) bool { return s.ids[i] >= id })
	if i == len(s.ids) || s.ids[i] != id || s.Dead(i) {
		return 0, false
	}
	return i, true
}

// Bytes is the encoded size of the live and deleted rows.
func (s *Segment) Bytes() int64 { return s.n }

func rowAt(chunks [][]byte, rlen []uint32, pos int, loc uint64) []byte {
	ch := chunks[loc>>32]
	off := int(uint32(loc))
	if rlen != nil {
		return ch[off : off+int(rlen[pos])]
	}
	n, w := binary.Uvarint(ch[off:])
	return ch[off+w : off+w+int(n)]
}

// windowSize bounds a row's offset in the chunk Resolve reads it from: a
// file's mapping is seen as chunks starting every windowSize bytes, each
// to the file's end, so that a location's 32-bit offset reaches any row
// of a file of any size.
const windowSize = 1 << 31

// AppendRef adds a row whose bytes the segment does not copy: they are
// the n bytes at off in a file still being written (a restore writes the
// database's snapshot as it applies it), which Resolve names once it is
// whole. Until then no row of the segment may be read. It refuses (ok
// false) as Append does, and once the segment holds rows of its own.
func (s *Segment) AppendRef(id, off int64, n int) (pos int, ok bool) {
	if (len(s.ids) > 0 && (id <= s.ids[len(s.ids)-1] || !s.refs)) || len(s.ids) == math.MaxInt32 || off < 0 || n < 0 || int64(n) > math.MaxUint32 {
		return 0, false
	}
	s.refs = true
	pos = len(s.ids)
	s.loc = append(s.loc, uint64(off))
	s.rlen = append(s.rlen, uint32(n))
	s.ids = append(s.ids, id)
	if pos/64 >= len(s.dead) {
		s.dead = append(s.dead, 0)
	}
	s.live++
	s.n += int64(n)
	return pos, true
}

// Refs reports whether the segment's rows wait for Resolve.
func (s *Segment) Refs() bool { return s.refs }

// Resolve makes the rows AppendRef added readable from the file at path,
// each at base plus its offset, mapped (a restored mgc of gigabytes is
// then on disk once, in its snapshot, not also in segment files). The
// mapping outlives the file's name. Where the file cannot be mapped the
// rows are read from it and kept as Append keeps them.
func (s *Segment) Resolve(path string, base int64) error {
	if !s.refs {
		return nil
	}
	m, size, err := mapFile(path)
	if err != nil {
		return s.resolveByCopy(path, base)
	}
	for i, o := range s.loc {
		if end := base + int64(o) + int64(s.rlen[i]); end > size {
			return fmt.Errorf("rowseg: row %d ends at %d, past the end of %s (%d bytes)", i, end, path, size)
		}
	}
	// Chunks end where the file ends and have no room to grow: the next
	// row appended starts a chunk of its own (the nil one).
	for w := int64(0); w < size; w += windowSize {
		s.chunks = append(s.chunks, m.b[w:size:size])
	}
	s.chunks = append(s.chunks, nil)
	s.maps = []*mapping{m}
	for i, o := range s.loc {
		at := base + int64(o)
		s.loc[i] = uint64(at/windowSize)<<32 | uint64(at%windowSize)
	}
	s.refs = false
	return nil
}

// resolveByCopy reads the rows AppendRef added from the file at path and
// keeps them as Append does.
func (s *Segment) resolveByCopy(path string, base int64) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("rowseg: resolve: %w", err)
	}
	defer f.Close()
	ids, loc, rlen, dead, live := s.ids, s.loc, s.rlen, s.dead, s.live
	s.ids, s.loc, s.rlen, s.dead, s.live, s.n, s.refs = nil, nil, nil, nil, 0, 0, false
	var buf []byte
	for i, id := range ids {
		buf = append(buf[:0], make([]byte, rlen[i])...)
		if _, err := f.ReadAt(buf, base+int64(loc[i])); err != nil {
			return fmt.Errorf("rowseg: resolve: %w", err)
		}
		s.Append(id, buf)
	}
	s.dead, s.live = dead, live
	return nil
}

// View is a segment's rows as they were when it was taken: later appends
// and deletions do not show in it.
type View struct {
	maps   []*mapping // keeps the chunks' mappings alive while the view is read
	chunks [][]byte
	loc    []uint64
	rlen   []uint32
	ids    []int64
	dead   []uint64
	n      int64
}

// View captures the segment's rows now (the deleted bits are copied, a bit
// per row; rows and their bytes are shared, never changing), to be read
// without the lock that guards the segment.
func (s *Segment) View() View {
	if s == nil {
		return View{}
	}
	if s.refs {
		panic("rowseg: a view taken before the segment's file was resolved")
	}
	s.flush() // the view reads every row from its chunk
	// The chunk list is copied (Append rewrites its last entry as the
	// chunk fills or grows); locations and ids are only ever appended
	// past what the view sees.
	return View{maps: append([]*mapping(nil), s.maps...), chunks: append([][]byte(nil), s.chunks...), loc: s.loc[:len(s.loc):len(s.loc)],
		rlen: s.rlen[:len(s.rlen):len(s.rlen)],
		ids:  s.ids[:len(s.ids):len(s.ids)], dead: append([]uint64(nil), s.dead...), n: s.n}
}

// Len is the number of rows in the view, deleted ones included.
func (v View) Len() int { return len(v.ids) }

// Bytes is the encoded size of the view's rows, deleted ones included.
func (v View) Bytes() int64 { return v.n }

// Each calls fn for every live row of the view in order, stopping at its
// first error.
func (v View) Each(fn func(id int64, row []byte) error) error {
	for i, id := range v.ids {
		if v.dead[i/64]&(1<<(i%64)) != 0 {
			continue
		}
		if err := fn(id, rowAt(v.chunks, v.rlen, i, v.loc[i])); err != nil {
			return err
		}
	}
	runtime.KeepAlive(v.maps) // the mapped chunks were read up to here
	return nil
}

// Keys indexes a segment's rows by a unique key's hash, for the engine's
// uniqueness checks: 11 to 21 bytes a row (a word a slot, the table
// three eighths to three quarters full), where a map from the key's text
// to the row would cost the key and a map entry. Collisions are kept, so a
// lookup yields every row whose key has the same hash and the caller
// compares the keys.
//
// The hashes are an open-addressing table (linear probing over one flat
// array of words) rather than a Go map: a restore adds one per row,
// millions in a row, and a map took two lookups and its groups'
// bookkeeping for each (BenchmarkKeysAdd), while a word per slot costs one
// cache miss. A word holds the top 33 bits of the key's hash and the row's
// position (31 bits: a segment holds fewer than 2^31 rows); rows whose
// keys share those 33 bits are kept together in multi, so the caller sees
// a collision a little more often than with 64 bits, never a row missed.
type Keys struct {
	seed maphash.Seed
	tab  []uint64 // 0: empty; else hash<<31 | position (multiPos: see multi)
	n    int
	// multi holds the positions of the rows sharing a hash.
	multi map[uint64][]int32
}

const (
	posBits  = 31
	multiPos = 1<<posBits - 1
)

// NewKeys returns an empty key index.
func NewKeys() *Keys {
	return &Keys{seed: maphash.MakeSeed(), tab: make([]uint64, 64)}
}

// hash is key's 33-bit hash, never 0 (an empty slot).
func (k *Keys) hash(key string) uint64 {
	if h := maphash.String(k.seed, key) >> posBits; h != 0 {
		return h
	}
	return 1
}

// slot is where h is in the table, or the empty slot it would go to.
func (k *Keys) slot(h uint64) int {
	mask := uint64(len(k.tab) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		if w := k.tab[i]; w == 0 || w>>posBits == h {
			return int(i)
		}
	}
}

// Add records that the row at pos has key.
func (k *Keys) Add(key string, pos int) { k.add(k.hash(key), pos) }

func (k *Keys) add(h uint64, pos int) {
	i := k.slot(h)
	w := k.tab[i]
	switch p := w & multiPos; {
	case w == 0:
		k.tab[i] = h<<posBits | uint64(pos)
		k.n++
		if 4*k.n > 3*len(k.tab) {
			k.grow()
		}
	case p != multiPos:
		if k.multi == nil {
			k.multi = map[uint64][]int32{}
		}
		k.multi[h] = []int32{int32(p), int32(pos)}
		k.tab[i] = h<<posBits | multiPos
	default:
		k.multi[h] = append(k.multi[h], int32(pos))
	}
}

// grow doubles the table.
func (k *Keys) grow() {
	old := k.tab
	k.tab = make([]uint64, 2*len(old))
	for _, w := range old {
		if w != 0 {
			k.tab[k.slot(w>>posBits)] = w
		}
	}
}

// Lookup calls fn with each position whose key may be key, until fn
// returns false.
func (k *Keys) Lookup(key string, fn func(pos int) bool) { k.lookup(k.hash(key), fn) }

func (k *Keys) lookup(h uint64, fn func(pos int) bool) {
	w := k.tab[k.slot(h)]
	switch p := w & multiPos; {
	case w == 0:
	case p != multiPos:
		fn(int(p))
	default:
		for _, p := range k.multi[h] {
			if !fn(int(p)) {
				return
			}
		}
	}
}
