package storage

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// FuzzOpen feeds arbitrary bytes as the only segment: Open must return an
// error or a log that replays cleanly, keeps appending and survives a reopen.
func FuzzOpen(f *testing.F) {
	valid := encodeSegHeader(1)
	valid = appendRecord(valid, 1, kindSingle, []byte("one"))
	valid = appendRecord(valid, 2, kindMember, []byte("two"))
	valid = appendRecord(valid, 3, kindCommit, []byte("three"))
	f.Add(valid)
	f.Add(valid[:len(valid)-3])
	f.Add(encodeSegHeader(1))
	f.Add(encodeSegHeader(7))
	f.Add([]byte{})
	f.Add([]byte("PCHWAL\x00\x01 not really"))
	f.Add(make([]byte, 100))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, segName(1)), data, 0o644); err != nil {
			t.Fatal(err)
		}
		l, err := Open(dir, Options{NoSync: true})
		if err != nil {
			return
		}
		rep := l.Recovery()
		var n LSN
		if err := l.Replay(1, func(lsn LSN, _ []byte) error {
			if n++; lsn != n {
				t.Fatalf("replay LSN %d at position %d", lsn, n)
			}
			return nil
		}); err != nil {
			t.Fatalf("Open accepted the log but Replay failed: %v", err)
		}
		if n != rep.LastLSN || n != l.LastLSN() || int(n) != rep.Records {
			t.Fatalf("replayed %d, report %+v, LastLSN %d", n, rep, l.LastLSN())
		}
		if lsn, err := l.Append(context.Background(), []byte("after")); err != nil || lsn != n+1 {
			t.Fatalf("append after open: %d %v", lsn, err)
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		l, err = Open(dir, Options{NoSync: true})
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		defer l.Close()
		if l.LastLSN() != n+1 || l.Recovery().TornBytes != 0 {
			t.Fatalf("reopen: %+v", l.Recovery())
		}
	})
}
