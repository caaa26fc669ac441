package main

import (
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
)

// TestDiskUse: the files under the folder count, and so does a file this
// process maps there after it was unlinked (a row segment's chunk).
func TestDiskUse(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc/self/maps is Linux's")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a"), make([]byte, 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	if n := diskUse(dir); n < 1<<20 {
		t.Fatalf("diskUse %d with a file of 1 MiB", n)
	}
	f, err := os.Create(filepath.Join(dir, "rowseg-1"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(4 << 20); err != nil {
		t.Fatal(err)
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, 4<<20, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(b)
	if err := os.Remove(f.Name()); err != nil {
		t.Fatal(err)
	}
	if n := diskUse(dir); n < 5<<20 {
		t.Fatalf("diskUse %d with a file of 1 MiB and an unlinked mapping of 4 MiB", n)
	}
}
