package rowseg

import (
	"fmt"
	"os"
	"runtime"
	"syscall"
)

// mapping keeps one file-backed chunk mapped: the chunk's bytes are valid
// while it is reachable, and the garbage collector unmaps it after (the
// file was unlinked at once, so its disk space goes with the mapping).
type mapping struct {
	b []byte
	f *os.File // the file, for writeAt
}

// writeAt writes p to the chunk's file at off (through the page cache the
// mapping shares).
func (m *mapping) writeAt(p []byte, off int) error {
	_, err := m.f.WriteAt(p, int64(off))
	return err
}

// done closes the chunk's file once nothing more is written to it (the
// mapping stays).
func (m *mapping) done() { _ = m.f.Close() }

// mapped is what a mapping's cleanup frees.
type mapped struct {
	b []byte
	f *os.File
}

// mapChunk maps a new chunk of size bytes backed by a file in dir: its
// pages are the page cache's, written back and dropped by the kernel under
// memory pressure, not the Go heap's. The file's blocks are allocated
// first (fallocate), so a full disk is an error here and never a SIGBUS
// when a row is written into the mapping.
func mapChunk(dir string, size int) (*mapping, error) {
	f, err := os.CreateTemp(dir, "rowseg-*")
	if err != nil {
		return nil, err
	}
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return nil, err
	}
	if err := syscall.Fallocate(int(f.Fd()), 0, 0, int64(size)); err != nil {
		f.Close()
		return nil, fmt.Errorf("rowseg: allocate %d bytes: %w", size, err)
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("rowseg: map %d bytes: %w", size, err)
	}
	m := &mapping{b: b[:0:size], f: f}
	runtime.AddCleanup(m, func(c mapped) {
		_ = syscall.Munmap(c.b)
		_ = c.f.Close()
	}, mapped{b, f})
	return m, nil
}

// mapFile maps the whole file at path for reading (Resolve): its pages are
// the page cache's, and the mapping outlives the descriptor, the file's
// name (a snapshot pruned or replaced by a newer one) and the segment's
// other chunks; the garbage collector unmaps it once nothing holds it.
func mapFile(path string) (*mapping, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("rowseg: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, 0, fmt.Errorf("rowseg: %w", err)
	}
	size := st.Size()
	if size == 0 || int64(int(size)) != size {
		return nil, 0, fmt.Errorf("rowseg: map %s: %d bytes", path, size)
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, 0, fmt.Errorf("rowseg: map %s: %w", path, err)
	}
	m := &mapping{b: b}
	runtime.AddCleanup(m, func(b []byte) { _ = syscall.Munmap(b) }, b)
	return m, size, nil
}
