package rowseg

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// TestSegment: rows come back byte for byte by position and id, across
// chunk boundaries and rows larger than a chunk; ids must grow; deleted
// rows are skipped; a view keeps what it saw while the segment grows and
// loses rows; a key index finds every row with a key, collisions kept.
func TestSegment(t *testing.T) {
	t.Run("memory", func(t *testing.T) { testSegment(t, New()) })
	t.Run("disk", func(t *testing.T) {
		dir := t.TempDir()
		var written atomic.Int64
		s := NewOnDisk(dir, &written)
		testSegment(t, s)
		if len(s.maps) == 0 {
			t.Fatal("no chunk was mapped from a file")
		}
		// The counter sees the bytes written to the files, and no more
		// than the mapped chunks hold.
		var mappedCap int64
		for _, m := range s.maps {
			mappedCap += int64(cap(m.b))
		}
		if n := written.Load(); n <= 0 || n > mappedCap {
			t.Fatalf("segment files written %d bytes, want 1..%d (the mapped chunks' size)", n, mappedCap)
		}
		if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) != 0 {
			t.Fatalf("files left in the folder: %v", left)
		}
	})
}

func testSegment(t *testing.T, s *Segment) {
	seed := uint64(20261207)
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	var want [][]byte
	id := int64(0)
	for i := 0; i < 3000; i++ {
		n := rng.IntN(200)
		switch {
		case i == 1000:
			n = chunkSize + 10 // larger than a chunk
		case i%500 == 0:
			n = chunkSize / 3
		}
		row := make([]byte, n)
		for j := range row {
			row[j] = byte(rng.Uint32())
		}
		id += 1 + rng.Int64N(3)
		pos, ok := s.Append(id, row)
		if !ok || pos != i {
			t.Fatalf("append %d: pos %d ok %v", i, pos, ok)
		}
		want = append(want, append([]byte(nil), row...))
		if i%7 == 0 && !bytes.Equal(s.Row(pos), row) {
			t.Fatalf("row %d differs right after its append", i) // still gathered, not yet in its chunk
		}
		if len(row) > 0 {
			row[0] ^= 0xff // the segment holds its own copy
		}
	}
	if _, ok := s.Append(id, []byte{1}); ok {
		t.Fatal("an id not above the last was taken")
	}
	v := s.View()
	for i := range want {
		if !bytes.Equal(s.Row(i), want[i]) {
			t.Fatalf("row %d differs", i)
		}
		if p, ok := s.Find(s.ID(i)); !ok || p != i {
			t.Fatalf("find %d: %d %v", s.ID(i), p, ok)
		}
	}
	s.Kill(5)
	s.Kill(5)
	if s.Live() != 2999 || !s.Dead(5) {
		t.Fatalf("live %d after one kill", s.Live())
	}
	if _, ok := s.Find(s.ID(5)); ok {
		t.Fatal("found a deleted row")
	}
	s.Append(id+1, []byte("later"))
	seen := 0
	if err := v.Each(func(rid int64, row []byte) error {
		if !bytes.Equal(row, want[seen]) {
			return fmt.Errorf("view row %d differs", seen)
		}
		seen++
		return nil
	}); err != nil || seen != 3000 {
		t.Fatalf("view: %d rows, %v", seen, err)
	}
	seen = 0
	_ = s.View().Each(func(int64, []byte) error { seen++; return nil })
	if seen != 3000 { // 3000 + later - the deleted
		t.Fatalf("a new view has %d rows, want 3000", seen)
	}

	k := NewKeys()
	for i := 0; i < 1000; i++ {
		k.Add(fmt.Sprint(i%400), i)
	}
	var got []int
	k.Lookup("7", func(pos int) bool { got = append(got, pos); return true })
	if fmt.Sprint(got) != "[7 407 807]" {
		t.Fatalf("key 7 at %v", got)
	}
	got = nil
	k.Lookup("nosuch", func(pos int) bool { got = append(got, pos); return true })
	if len(got) != 0 {
		t.Fatalf("a missing key found %v", got)
	}
}

// TestViewWhileAppending: a view is read on one goroutine while the
// segment grows and loses rows on another (the race detector watches; the
// view sees exactly its rows).
func TestViewWhileAppending(t *testing.T) {
	s := New()
	row := bytes.Repeat([]byte("x"), 1000)
	for i := 1; i <= 100; i++ {
		s.Append(int64(i), row)
	}
	v := s.View()
	done := make(chan int)
	go func() {
		n := 0
		_ = v.Each(func(_ int64, r []byte) error {
			if bytes.Equal(r, row) {
				n++
			}
			return nil
		})
		done <- n
	}()
	for i := 101; i <= 20000; i++ {
		s.Append(int64(i), row)
		if i%7 == 0 {
			s.Kill(i % 100)
		}
	}
	if n := <-done; n != 100 {
		t.Fatalf("the view read %d rows, want 100", n)
	}
}

// BenchmarkAppendOnDisk appends 64 MiB of 130-byte rows to a segment on
// disk (what a restore of a large table does row by row): MB/s is the
// rate rows reach the mapped chunks.
func BenchmarkAppendOnDisk(b *testing.B) {
	row := make([]byte, 130)
	for i := range row {
		row[i] = byte(i)
	}
	const total = 64 << 20
	b.SetBytes(total)
	for b.Loop() {
		s := NewOnDisk(b.TempDir(), nil)
		for id := int64(1); s.Bytes() < total; id++ {
			if _, ok := s.Append(id, row); !ok {
				b.Fatal("append refused")
			}
		}
	}
}

// BenchmarkKeysAdd adds a million distinct keys (a restored table's
// primary key, one per row).
func BenchmarkKeysAdd(b *testing.B) {
	keys := make([]string, 1<<20)
	for i := range keys {
		keys[i] = "n" + strconv.Itoa(i)
	}
	for b.Loop() {
		k := NewKeys()
		for i, key := range keys {
			k.Add(key, i)
		}
	}
}

// TestKeysAgainstMap: across growth, every key finds exactly the positions
// added with it (each position once), and a key never added finds none
// of them.
func TestKeysAgainstMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 2))
	k := NewKeys()
	want := map[string][]int{}
	keyAt := map[int]string{}
	for pos := 0; pos < 50000; pos++ {
		key := strconv.Itoa(rng.IntN(30000))
		k.Add(key, pos)
		want[key] = append(want[key], pos)
		keyAt[pos] = key
	}
	// Lookup's contract is "each position whose key may be key": every
	// row of the key, in order, and otherwise only rows whose key shares
	// its 33-bit hash (the seed is random, so which keys collide differs
	// from run to run; demanding none failed about one run in twenty:
	// "key 14798: [4267 25400 38329], want [4267]").
	lookup := func(key string) []int {
		var own []int
		k.Lookup(key, func(pos int) bool {
			if keyAt[pos] == key {
				own = append(own, pos)
			} else if k.hash(keyAt[pos]) != k.hash(key) {
				t.Fatalf("key %s: position %d holds %q, whose hash differs", key, pos, keyAt[pos])
			}
			return true
		})
		return own
	}
	for key, ps := range want {
		if got := lookup(key); fmt.Sprint(got) != fmt.Sprint(ps) {
			t.Fatalf("key %s: its own positions %v, want %v", key, got, ps)
		}
	}
	for i := 0; i < 1000; i++ {
		if got := lookup("absent" + strconv.Itoa(i)); len(got) > 0 {
			t.Fatalf("absent key found positions %v", got)
		}
	}
	calls := 0
	k.Lookup(strconv.Itoa(0), func(int) bool { calls++; return false })
	if calls > 1 {
		t.Fatalf("lookup went on after fn returned false (%d calls)", calls)
	}
}

// TestKeysCollisions: hashes that share a home slot probe past each other,
// and rows sharing a hash all come back, across growth.
func TestKeysCollisions(t *testing.T) {
	k := NewKeys()
	// 1, 65, 129... share the home slot of a 64-slot table.
	for i := 0; i < 200; i++ {
		k.add(uint64(1+64*(i%50)), i)
	}
	for c := 0; c < 50; c++ {
		var got []int
		k.lookup(uint64(1+64*c), func(pos int) bool { got = append(got, pos); return true })
		want := fmt.Sprint([]int{c, c + 50, c + 100, c + 150})
		if fmt.Sprint(got) != want {
			t.Fatalf("hash %d: %v, want %v", 1+64*c, got, want)
		}
	}
	k.lookup(uint64(1+64*50), func(pos int) bool {
		t.Fatalf("a hash never added found %d", pos)
		return false
	})
	k.add(7, 1<<posBits-2) // the largest position a segment has
	var got []int
	k.lookup(7, func(pos int) bool { got = append(got, pos); return true })
	if len(got) != 1 || got[0] != 1<<posBits-2 {
		t.Fatalf("largest position: %v", got)
	}
}

// TestAppendRef: rows added by reference to a file being written are read
// from it once it is resolved (Row, a view, the deleted bits and ids as
// they were), mapped or, where it cannot be mapped, copied; rows appended
// after come back too.
func TestAppendRef(t *testing.T) {
	for _, mapped := range []bool{true, false} {
		t.Run(fmt.Sprintf("mapped=%v", mapped), func(t *testing.T) {
			s := NewOnDisk(t.TempDir(), nil)
			file := []byte("header")
			rows := map[int64]string{}
			for i := 1; i <= 5000; i++ {
				row := strings.Repeat(string(rune('a'+i%26)), i%700)
				file = append(file, "op"...)
				if _, ok := s.AppendRef(int64(i*2), int64(len(file)-len("header")), len(row)); !ok {
					t.Fatal("AppendRef refused")
				}
				rows[int64(i*2)] = row
				file = append(file, row...)
			}
			if _, ok := s.Append(1<<40, []byte("own")); ok {
				t.Fatal("Append took a row of its own before Resolve")
			}
			s.Kill(7)
			path := filepath.Join(t.TempDir(), "snap")
			if err := os.WriteFile(path, file, 0o644); err != nil {
				t.Fatal(err)
			}
			var err error
			if mapped {
				err = s.Resolve(path, int64(len("header")))
			} else {
				err = s.resolveByCopy(path, int64(len("header")))
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := s.Append(20000, []byte("after")); !ok {
				t.Fatal("append after Resolve refused")
			}
			rows[20000] = "after"
			for pos := 0; pos < s.Len(); pos++ {
				if got, want := string(s.Row(pos)), rows[s.ID(pos)]; got != want {
					t.Fatalf("row %d (id %d): %d bytes, want %d", pos, s.ID(pos), len(got), len(want))
				}
			}
			if !s.Dead(7) || s.Live() != 5000 || s.Bytes() != int64(len(file)-len("header")-2*5000+len("after")) {
				t.Fatalf("dead(7)=%v live=%d bytes=%d after Resolve", s.Dead(7), s.Live(), s.Bytes())
			}
			seen := 0
			err = s.View().Each(func(id int64, row []byte) error {
				seen++
				if string(row) != rows[id] {
					return fmt.Errorf("view row %d differs", id)
				}
				return nil
			})
			if err != nil || seen != 5000 {
				t.Fatalf("view: %d rows seen, %v", seen, err)
			}
		})
	}
}
