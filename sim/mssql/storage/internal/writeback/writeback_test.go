package writeback

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestWriterWritesThrough: what goes through a Writer (across several
// writeback starts, from an offset past a header) is the file's content,
// and the offsets it tracks follow the file's.
func TestWriterWritesThrough(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := []byte("header")
	if _, err := f.Write(want); err != nil {
		t.Fatal(err)
	}
	w := New(f, int64(len(want)))
	chunk := bytes.Repeat([]byte{7}, 3<<20)
	for i := 0; i < 7; i++ {
		chunk[0] = byte(i)
		if n, err := w.Write(chunk); err != nil || n != len(chunk) {
			t.Fatalf("write %d: %d, %v", i, n, err)
		}
		want = append(want, chunk...)
	}
	if w.started <= int64(len("header")) || w.started > w.off {
		t.Fatalf("writeback started up to %d of %d", w.started, w.off)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("file holds %d bytes, want %d (or they differ)", len(got), len(want))
	}
	if off, _ := f.Seek(0, 1); off != w.off {
		t.Fatalf("file offset %d, writer's %d", off, w.off)
	}
}
