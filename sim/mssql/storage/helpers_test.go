package storage

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func openT(t testing.TB, dir string, opts Options) *Log {
	t.Helper()
	if opts.Logf == nil {
		opts.Logf = t.Logf
	}
	l, err := Open(dir, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	return l
}

func closeT(t testing.TB, l *Log) {
	t.Helper()
	if err := l.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// payloadFor is deterministic so a replay can be checked without keeping copies.
func payloadFor(lsn LSN, size int) []byte {
	b := make([]byte, size)
	for i := range b {
		b[i] = byte(uint64(lsn)*31 + uint64(i)*7)
	}
	if size >= 8 {
		copy(b, fmt.Sprintf("%08d", uint64(lsn)%100000000))
	}
	return b
}

func mustAppend(t testing.TB, l *Log, p []byte) LSN {
	t.Helper()
	lsn, err := l.Append(context.Background(), p)
	if err != nil {
		t.Fatalf("Append: %v", err)
	}
	return lsn
}

type replayed struct {
	lsn     LSN
	payload []byte
}

func replayAll(t testing.TB, l *Log, from LSN) []replayed {
	t.Helper()
	var out []replayed
	if err := l.Replay(from, func(lsn LSN, p []byte) error {
		out = append(out, replayed{lsn, p})
		return nil
	}); err != nil {
		t.Fatalf("Replay(%d): %v", from, err)
	}
	return out
}

// checkSequence asserts the replay is exactly LSNs from..to with the payloads want(lsn).
func checkSequence(t testing.TB, got []replayed, from, to LSN, want func(LSN) []byte) {
	t.Helper()
	if n := int(to) - int(from) + 1; len(got) != n {
		t.Fatalf("replay returned %d records, want %d (LSN %d..%d)", len(got), n, from, to)
	}
	for i, r := range got {
		if r.lsn != from+LSN(i) {
			t.Fatalf("record %d has LSN %d, want %d", i, r.lsn, from+LSN(i))
		}
		if w := want(r.lsn); !bytes.Equal(r.payload, w) {
			t.Fatalf("LSN %d: payload %q, want %q", r.lsn, r.payload, w)
		}
	}
}

// copyDir clones a log directory (without its LOCK) so each damage case starts fresh.
func copyDir(t testing.TB, src string) string {
	t.Helper()
	dst := t.TempDir()
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.Name() == "LOCK" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func lastSegmentPath(t testing.TB, dir string) string {
	t.Helper()
	segs, err := listSegments(dir)
	if err != nil || len(segs) == 0 {
		t.Fatalf("listSegments: %v (%d)", err, len(segs))
	}
	return segs[len(segs)-1].path
}

func fileSize(t testing.TB, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}
