package hostfs

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"syscall"
)

// missingCode is 2 when the parent folder exists (the file does not) and 3
// when the folder itself is missing, as Windows distinguishes them.
func (t target) missingCode() int {
	if t.rel == "." {
		return ErrPathNotFound
	}
	if st, err := t.m.root.Stat(path.Dir(t.rel)); err == nil && st.IsDir() {
		return ErrFileNotFound
	}
	return ErrPathNotFound
}

func (t target) fail(op string, err error) error {
	if strings.Contains(err.Error(), "escapes from parent") {
		// os.Root refused a symlink leading out of the mount.
		return osErr(op, t.name, ErrAccessDenied, err)
	}
	return osErr(op, t.name, hostCode(err, t.missingCode()), err)
}

// Open opens winPath for reading as account.
func (f *FS) Open(account, winPath string) (*File, error) {
	return f.OpenFile(account, winPath, os.O_RDONLY, 0)
}

// Create creates or truncates winPath for writing as account.
func (f *FS) Create(account, winPath string) (*File, error) {
	return f.OpenFile(account, winPath, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
}

// OpenFile is os.OpenFile through the instance's eyes. Reading needs Read,
// any of O_WRONLY, O_RDWR, O_CREATE, O_TRUNC, O_APPEND needs Write. A
// directory cannot be opened (5), a file open for writing elsewhere cannot be
// opened at all, nor can a file open for reading be opened for writing (32).
func (f *FS) OpenFile(account, winPath string, flag int, perm fs.FileMode) (*File, error) {
	var need Access
	if flag&os.O_WRONLY == 0 {
		need |= Read
	}
	write := flag&(os.O_WRONLY|os.O_RDWR|os.O_CREATE|os.O_TRUNC|os.O_APPEND) != 0
	if write {
		need |= Write
	}
	t, err := f.resolve("open", account, winPath, need)
	if err != nil {
		return nil, err
	}
	if write && flag&os.O_TRUNC != 0 && f.isFull(t.m) {
		return nil, osErr("open", winPath, ErrDiskFull, nil)
	}
	if t.rel == "." {
		return nil, osErr("open", winPath, ErrAccessDenied, nil) // the mount's folder itself
	}
	if !f.reserve(t, write) {
		return nil, osErr("open", winPath, ErrSharingViolation, nil)
	}
	h, err := t.m.root.OpenFile(t.rel, flag, perm)
	if err != nil {
		f.release(t, write)
		return nil, t.fail("open", err)
	}
	if st, err := h.Stat(); err != nil || st.IsDir() {
		h.Close()
		f.release(t, write)
		return nil, osErr("open", winPath, ErrAccessDenied, err)
	}
	return &File{f: h, fs: f, t: t, write: write}, nil
}

// Stat describes winPath; account needs Read.
func (f *FS) Stat(account, winPath string) (fs.FileInfo, error) {
	t, err := f.resolve("stat", account, winPath, Read)
	if err != nil {
		return nil, err
	}
	st, err := t.m.root.Stat(t.rel)
	if err != nil {
		return nil, t.fail("stat", err)
	}
	return st, nil
}

// Remove deletes a file or an empty folder; account needs Write. An open
// file cannot be deleted (32), a folder with entries neither (145).
func (f *FS) Remove(account, winPath string) error {
	t, err := f.resolve("remove", account, winPath, Write)
	if err != nil {
		return err
	}
	if t.rel == "." {
		return osErr("remove", winPath, ErrAccessDenied, nil)
	}
	if f.inUse(t) {
		return osErr("remove", winPath, ErrSharingViolation, nil)
	}
	if err := t.m.root.Remove(t.rel); err != nil {
		return t.fail("remove", err)
	}
	return nil
}

// Rename moves a file within one mount with MoveFile's rules: account needs
// Write on both paths, the target must not exist (183), another mount or
// share is another device (17), an open file cannot move (32).
func (f *FS) Rename(account, oldPath, newPath string) error {
	from, err := f.resolve("rename", account, oldPath, Write)
	if err != nil {
		return err
	}
	to, err := f.resolve("rename", account, newPath, Write)
	if err != nil {
		return err
	}
	if from.m != to.m {
		return osErr("rename", newPath, ErrNotSameDevice, nil)
	}
	if from.rel == "." || to.rel == "." {
		return osErr("rename", oldPath, ErrAccessDenied, nil)
	}
	if f.inUse(from) {
		return osErr("rename", oldPath, ErrSharingViolation, nil)
	}
	if _, err := from.m.root.Lstat(from.rel); err != nil {
		return from.fail("rename", err)
	}
	if _, err := to.m.root.Lstat(to.rel); err == nil && from.key() != to.key() {
		return osErr("rename", newPath, ErrAlreadyExists, nil)
	}
	if err := from.m.root.Rename(from.rel, to.rel); err != nil {
		return to.fail("rename", err)
	}
	return nil
}

// MkdirAll creates winPath and missing parents (xp_create_subdir); account
// needs Write. A file in the way is error 183.
func (f *FS) MkdirAll(account, winPath string) error {
	t, err := f.resolve("mkdir", account, winPath, Write)
	if err != nil {
		return err
	}
	if f.isFull(t.m) {
		return osErr("mkdir", winPath, ErrDiskFull, nil)
	}
	if err := t.m.root.MkdirAll(t.rel, 0o755); err != nil {
		if errors.Is(err, syscall.ENOTDIR) || errors.Is(err, fs.ErrExist) {
			return osErr("mkdir", winPath, ErrAlreadyExists, err)
		}
		return t.fail("mkdir", err)
	}
	return nil
}

// ReadDir lists a folder sorted by name (xp_dirtree); account needs Read.
func (f *FS) ReadDir(account, winPath string) ([]fs.DirEntry, error) {
	t, err := f.resolve("readdir", account, winPath, Read)
	if err != nil {
		return nil, err
	}
	d, err := t.m.root.Open(t.rel)
	if err != nil {
		return nil, t.fail("readdir", err)
	}
	defer d.Close()
	ents, err := d.ReadDir(-1)
	if err != nil {
		return nil, osErr("readdir", winPath, hostCode(err, ErrPathNotFound), err)
	}
	sort.Slice(ents, func(i, j int) bool { return ents[i].Name() < ents[j].Name() })
	return ents, nil
}

// FileExists answers xp_fileexist and sys.dm_os_file_exists as account (the
// service account): what it cannot reach or read it does not see, so every
// failure is "no", never an error.
func (f *FS) FileExists(account, winPath string) (fileExists, isDir, parentExists bool) {
	t, err := f.resolve("stat", account, winPath, Read)
	if err == nil {
		if st, err := t.m.root.Stat(t.rel); err == nil {
			fileExists, isDir = !st.IsDir(), st.IsDir()
		}
	}
	p, code := parsePath(winPath)
	if code != 0 {
		return fileExists, isDir, false
	}
	parent, ok := p.parent()
	if !ok { // a drive or share root: its "parent" is the machine
		return fileExists, isDir, isDir
	}
	pt, err := f.resolve("stat", account, parent.String(), Read)
	if err != nil {
		// The parent of a mount's root lies outside every mount: the drive or
		// server exists when the mount's folder does.
		return fileExists, isDir, isDir || fileExists
	}
	st, err := pt.m.root.Stat(pt.rel)
	return fileExists, isDir, err == nil && st.IsDir()
}

// FreeBytes is the free space of the volume holding winPath (0 when the
// mount is marked full).
func (f *FS) FreeBytes(winPath string) (int64, error) {
	t, err := f.resolve("stat", "", winPath, 0)
	if err != nil {
		return 0, err
	}
	f.mu.Lock()
	full, free := t.m.full, t.m.free
	f.mu.Unlock()
	switch {
	case full:
		return 0, nil
	case free >= 0:
		return free, nil
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(t.m.host, &st); err != nil {
		return 0, osErr("stat", winPath, ErrIODevice, err)
	}
	return int64(st.Bavail) * int64(st.Bsize), nil
}
