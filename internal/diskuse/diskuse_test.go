package diskuse

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestFileBytes(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "a", "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, size := range map[string]int{"x": 10, "a/y": 300, "a/b/z": 4096} {
		if err := os.WriteFile(filepath.Join(dir, name), make([]byte, size), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	n, err := FileBytes(dir)
	if err != nil || n != 10+300+4096 {
		t.Fatalf("FileBytes = %d, %v; want 4406", n, err)
	}
	if _, err := FileBytes(filepath.Join(dir, "missing")); err != nil {
		t.Fatalf("a folder that is gone: %v, want 0 bytes and no error", err)
	}
}

func TestParseMaps(t *testing.T) {
	maps := `00400000-00452000 r-xp 00000000 08:02 173521 /usr/bin/prog
7f0000000000-7f0000100000 rw-s 00000000 08:02 42 /data/rowseg-1 (deleted)
7f0000100000-7f0000101000 rw-s 00000000 08:02 43 /data/my file.snap
7f0000200000-7f0000201000 rw-p 00000000 00:00 0
zz-7f0000301000 rw-s 00000000 08:02 44 /data/bad
`
	got := parseMaps(maps, "/data/")
	want := []Mapping{
		{Path: "/data/rowseg-1", Inode: "42", Bytes: 0x100000, Deleted: true},
		{Path: "/data/my file.snap", Inode: "43", Bytes: 0x1000},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("parseMaps:\n got %+v\nwant %+v", got, want)
	}
}

func TestMappingsSeesAMappedFile(t *testing.T) {
	if _, err := os.Stat("/proc/self/maps"); err != nil {
		t.Skipf("no /proc/self/maps: %v", err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ms, err := Mappings(exe)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 {
		t.Fatalf("no mapping of the test binary %s found", exe)
	}
}
