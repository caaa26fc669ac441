package hostfs

import (
	"errors"
	"io"
	"io/fs"
	"os"
)

// File is an open file. Its errors are *OSError (io.EOF stays io.EOF).
type File struct {
	f     *os.File
	fs    *FS
	t     target
	write bool
}

// Name is the Windows path the file was opened with.
func (f *File) Name() string { return f.t.name }

// HostPath is where the file lives on the host.
func (f *File) HostPath() string { return f.t.host() }

func (f *File) wrap(op string, err error) error {
	if err == nil || err == io.EOF {
		return err
	}
	return osErr(op, f.t.name, hostCode(err, ErrFileNotFound), err)
}

func (f *File) Read(p []byte) (int, error) {
	n, err := f.f.Read(p)
	return n, f.wrap("read", err)
}

func (f *File) ReadAt(p []byte, off int64) (int, error) {
	n, err := f.f.ReadAt(p, off)
	return n, f.wrap("read", err)
}

// Write fails with 112 while the mount is marked full.
func (f *File) Write(p []byte) (int, error) {
	if f.fs.isFull(f.t.m) {
		return 0, osErr("write", f.t.name, ErrDiskFull, nil)
	}
	n, err := f.f.Write(p)
	return n, f.wrap("write", err)
}

func (f *File) Seek(off int64, whence int) (int64, error) {
	n, err := f.f.Seek(off, whence)
	return n, f.wrap("seek", err)
}

func (f *File) Stat() (fs.FileInfo, error) {
	st, err := f.f.Stat()
	return st, f.wrap("stat", err)
}

func (f *File) Sync() error { return f.wrap("write", f.f.Sync()) }

func (f *File) Truncate(n int64) error {
	if f.fs.isFull(f.t.m) {
		return osErr("write", f.t.name, ErrDiskFull, nil)
	}
	return f.wrap("write", f.f.Truncate(n))
}

// Close releases the file's share reservation.
func (f *File) Close() error {
	err := f.f.Close()
	if !errors.Is(err, os.ErrClosed) {
		f.fs.release(f.t, f.write)
	}
	return f.wrap("close", err)
}

// reserve claims the sharing a new handle needs: writers are exclusive,
// readers share with readers.
func (f *FS) reserve(t target, write bool) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.open[t.key()]
	if s == nil {
		s = &share{}
		f.open[t.key()] = s
	}
	if s.writers > 0 || write && s.readers > 0 {
		return false
	}
	if write {
		s.writers++
	} else {
		s.readers++
	}
	return true
}

func (f *FS) release(t target, write bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.open[t.key()]
	if s == nil {
		return
	}
	if write {
		s.writers--
	} else {
		s.readers--
	}
	if s.readers == 0 && s.writers == 0 {
		delete(f.open, t.key())
	}
}

func (f *FS) inUse(t target) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.open[t.key()] != nil
}
