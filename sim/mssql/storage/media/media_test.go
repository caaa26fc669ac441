package media

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"
)

func TestRoundTrip(t *testing.T) {
	sizes := []int{0, 1, frameChunk - 1, frameChunk, frameChunk + 1, 3*frameChunk + frameChunk/2}
	for _, compress := range []bool{false, true} {
		for _, size := range sizes {
			t.Run(fmt.Sprintf("compress=%v/size=%d", compress, size), func(t *testing.T) {
				path := tempPath(t)
				data := payloadOf(size, uint64(size))
				in := sampleHeader(0)
				in.BackupSize = int64(size)
				got := mustWrite(t, path, in, WriteOptions{Compress: compress, Checksum: true, MediaName: "LS"}, data)

				want := in
				want.Position = 1
				want.Compressed = compress
				want.HasBackupChecksums = true
				want.BackupFinishDate = t0
				want.BackupSize = int64(size)
				want.CompressedBackupSize = got.CompressedBackupSize
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("Write returned\n%+v\nwant\n%+v", got, want)
				}
				if !compress && got.CompressedBackupSize != int64(size) {
					t.Fatalf("stored %d bytes uncompressed, want %d", got.CompressedBackupSize, size)
				}
				if compress && size > frameChunk && got.CompressedBackupSize >= int64(size) {
					t.Fatalf("compression did not shrink %d bytes (got %d)", size, got.CompressedBackupSize)
				}
				c, err := ReadHeaders(path)
				if err != nil {
					t.Fatal(err)
				}
				if len(c.Sets) != 1 || c.Incomplete != nil {
					t.Fatalf("sets %d incomplete %v", len(c.Sets), c.Incomplete)
				}
				if !reflect.DeepEqual(c.Sets[0], want) {
					t.Fatalf("ReadHeaders\n%+v\nwant\n%+v", c.Sets[0], want)
				}
				if c.Media.MediaName != "LS" || c.Media.FormatVersion != mediaVersion || c.Media.SoftwareVersionMajor != 16 || !c.Media.MediaDate.Equal(t0) {
					t.Fatalf("media header %+v", c.Media)
				}
				h, back, err := readSet(t, path, 1)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(back, data) || !reflect.DeepEqual(h, want) {
					t.Fatalf("payload mismatch (len %d vs %d)", len(back), len(data))
				}
				if err := Verify(path, 1); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

func TestSeveralSetsAppend(t *testing.T) {
	path := tempPath(t)
	var payloads [][]byte
	var guid GUID
	for i := 0; i < 4; i++ {
		data := payloadOf(100_000*i+17, uint64(i))
		payloads = append(payloads, data)
		h := sampleHeader(i)
		if i%2 == 1 {
			h.BackupType = TypeLog
		}
		out := mustWrite(t, path, h, WriteOptions{Compress: i == 2}, data)
		if out.Position != i+1 {
			t.Fatalf("set %d got position %d", i, out.Position)
		}
		c, err := ReadHeaders(path)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			guid = c.Media.MediaSetGUID
		} else if c.Media.MediaSetGUID != guid {
			t.Fatal("NOINIT changed the media header")
		}
	}
	c, err := ReadHeaders(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Sets) != 4 {
		t.Fatalf("%d sets, want 4", len(c.Sets))
	}
	for i := range payloads {
		h, back, err := readSet(t, path, i+1)
		if err != nil {
			t.Fatalf("set %d: %v", i+1, err)
		}
		if h.Position != i+1 || h.FirstLSN != uint64(i)*1000+1 || !bytes.Equal(back, payloads[i]) {
			t.Fatalf("set %d: header %+v or payload differs", i+1, h)
		}
		if c.Sets[i].Compressed != (i == 2) {
			t.Fatalf("set %d compressed=%v", i+1, c.Sets[i].Compressed)
		}
	}
}

func TestMediaRules(t *testing.T) {
	type step struct {
		opts    WriteOptions
		wantErr error
		sets    int    // sets after the step
		name    string // media name after the step
		newGUID bool   // media set GUID differs from the previous step's
	}
	future := t0.Add(24 * time.Hour)
	cases := []struct {
		name      string
		expiresAt time.Time // ExpirationDate of every set written
		steps     []step
	}{
		{"noinit appends", time.Time{}, []step{
			{opts: WriteOptions{MediaName: "A"}, sets: 1, name: "A", newGUID: true},
			{opts: WriteOptions{}, sets: 2, name: "A"},
			{opts: WriteOptions{MediaName: "a"}, sets: 3, name: "A"}, // names compare case-insensitively
		}},
		{"init overwrites sets keeps header", time.Time{}, []step{
			{opts: WriteOptions{MediaName: "A", MediaDescription: "d"}, sets: 1, name: "A", newGUID: true},
			{opts: WriteOptions{}, sets: 2, name: "A"},
			{opts: WriteOptions{Init: true}, sets: 1, name: "A"},
			{opts: WriteOptions{Init: true, MediaName: "A"}, sets: 1, name: "A"},
		}},
		{"name mismatch refused", time.Time{}, []step{
			{opts: WriteOptions{MediaName: "A"}, sets: 1, name: "A", newGUID: true},
			{opts: WriteOptions{Init: true, MediaName: "B"}, wantErr: ErrMediaName, sets: 1, name: "A"},
			{opts: WriteOptions{MediaName: "B"}, wantErr: ErrMediaName, sets: 1, name: "A"},
			{opts: WriteOptions{Init: true, Skip: true, MediaName: "B"}, sets: 1, name: "A"}, // SKIP: no check, header kept
			{opts: WriteOptions{Format: true, MediaName: "B"}, sets: 1, name: "B", newGUID: true},
		}},
		{"unexpired sets", future, []step{
			{opts: WriteOptions{}, sets: 1, newGUID: true},
			{opts: WriteOptions{}, sets: 2}, // NOINIT does not check expiry
			{opts: WriteOptions{Init: true}, wantErr: ErrUnexpired, sets: 2},
			{opts: WriteOptions{Init: true, Skip: true}, sets: 1},
		}},
		{"format on empty path", time.Time{}, []step{
			{opts: WriteOptions{Format: true, MediaName: "F"}, sets: 1, name: "F", newGUID: true},
			{opts: WriteOptions{Format: true, MediaName: "F"}, sets: 1, name: "F", newGUID: true},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := tempPath(t)
			var prev GUID
			for i, st := range tc.steps {
				h := sampleHeader(i)
				h.ExpirationDate = tc.expiresAt
				st.opts.Now = fixedNow
				before, _ := os.ReadFile(path)
				_, err := Write(path, h, st.opts, writeBytes(payloadOf(1000+i, uint64(i))))
				if !errors.Is(err, st.wantErr) || (st.wantErr == nil) != (err == nil) {
					t.Fatalf("step %d: err %v, want %v", i, err, st.wantErr)
				}
				if err != nil && !bytes.Equal(before, fileBytes(t, path)) {
					t.Fatalf("step %d: refused write changed the file", i)
				}
				c, err := ReadHeaders(path)
				if err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				if len(c.Sets) != st.sets || c.Media.MediaName != st.name {
					t.Fatalf("step %d: %d sets named %q, want %d %q", i, len(c.Sets), c.Media.MediaName, st.sets, st.name)
				}
				if (c.Media.MediaSetGUID != prev) != st.newGUID {
					t.Fatalf("step %d: media GUID changed=%v, want %v", i, c.Media.MediaSetGUID != prev, st.newGUID)
				}
				prev = c.Media.MediaSetGUID
				for p := 1; p <= len(c.Sets); p++ {
					if err := Verify(path, p); err != nil {
						t.Fatalf("step %d verify %d: %v", i, p, err)
					}
				}
			}
		})
	}
}

func TestNotMedia(t *testing.T) {
	valid := func() []byte {
		p := tempPath(t)
		mustWrite(t, p, sampleHeader(0), WriteOptions{}, []byte("x"))
		return fileBytes(t, p)
	}()
	cases := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"text", []byte("BACKUP DATABASE mgc TO DISK = 'x'\r\nnot a backup\r\n")},
		{"random", payloadOf(4096, 99)},
		{"magic only", []byte(magicMedia)},
		{"header cut 20", valid[:20]},
		{"header cut 40", valid[:40]},
		{"header crc", func() []byte { b := bytes.Clone(valid); b[17] ^= 1; return b }()},
		{"newer version", func() []byte {
			b := appendBlock(nil, magicMedia, mediaVersion+1, 0, &MediaHeader{MediaName: "x"})
			return b
		}()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := tempPath(t)
			if err := os.WriteFile(path, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := ReadHeaders(path)
			var fe *FormatError
			if !errors.As(err, &fe) || !errors.Is(err, ErrNotMedia) || fe.Path != path {
				t.Fatalf("ReadHeaders: %v, want FormatError", err)
			}
			if _, _, err := Open(path, 1); !errors.Is(err, ErrNotMedia) {
				t.Fatalf("Open: %v", err)
			}
			if len(tc.data) > 0 {
				_, err = Write(path, sampleHeader(0), WriteOptions{}, writeBytes(nil))
				if !errors.Is(err, ErrNotMedia) {
					t.Fatalf("NOINIT onto non-media: %v", err)
				}
				if !bytes.Equal(fileBytes(t, path), tc.data) {
					t.Fatal("refused write changed the file")
				}
			}
			// FORMAT takes it over.
			mustWrite(t, path, sampleHeader(0), WriteOptions{Format: true}, []byte("y"))
			if _, b, err := readSet(t, path, 1); err != nil || string(b) != "y" {
				t.Fatalf("after FORMAT: %q %v", b, err)
			}
		})
	}
	t.Run("directory", func(t *testing.T) {
		dir := t.TempDir()
		if _, err := ReadHeaders(dir); !errors.Is(err, ErrNotMedia) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		_, err := ReadHeaders(filepath.Join(t.TempDir(), "nope.bak"))
		if !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestPositions(t *testing.T) {
	path := tempPath(t)
	for i := 0; i < 2; i++ {
		mustWrite(t, path, sampleHeader(i), WriteOptions{}, []byte{byte(i)})
	}
	for _, pos := range []int{-1, 0, 3, 100} {
		_, _, err := Open(path, pos)
		var pe *PositionError
		if !errors.As(err, &pe) || pe.Count != 2 || pe.Position != pos || pe.Incomplete {
			t.Fatalf("Open(%d): %v", pos, err)
		}
		if err := Verify(path, pos); !errors.Is(err, ErrNoSuchSet) {
			t.Fatalf("Verify(%d): %v", pos, err)
		}
	}
}

func TestProgress(t *testing.T) {
	for _, compress := range []bool{false, true} {
		path := tempPath(t)
		size := 5*frameChunk + 123
		var calls [][2]int64
		h := sampleHeader(0)
		h.BackupSize = int64(size)
		mustWrite(t, path, h, WriteOptions{Compress: compress, Progress: func(done, total int64) {
			calls = append(calls, [2]int64{done, total})
		}}, payloadOf(size, 5))
		if len(calls) < 5 {
			t.Fatalf("compress=%v: %d progress calls, want >= 5", compress, len(calls))
		}
		for i, c := range calls {
			if c[1] != int64(size) || (i > 0 && c[0] < calls[i-1][0]) {
				t.Fatalf("call %d = %v", i, c)
			}
		}
		if last := calls[len(calls)-1]; last[0] != int64(size) {
			t.Fatalf("last call %v, want done=%d", last, size)
		}
	}
}

func TestPayloadErrorLeavesFile(t *testing.T) {
	boom := errors.New("boom")
	failing := func(w io.Writer) error {
		w.Write(payloadOf(2*frameChunk+5, 1))
		return boom
	}
	t.Run("append", func(t *testing.T) {
		path := tempPath(t)
		mustWrite(t, path, sampleHeader(0), WriteOptions{}, []byte("one"))
		before := fileBytes(t, path)
		if _, err := Write(path, sampleHeader(1), WriteOptions{}, failing); !errors.Is(err, boom) {
			t.Fatalf("got %v", err)
		}
		if !bytes.Equal(before, fileBytes(t, path)) {
			t.Fatal("failed append changed the file")
		}
	})
	t.Run("init", func(t *testing.T) {
		path := tempPath(t)
		mustWrite(t, path, sampleHeader(0), WriteOptions{}, []byte("one"))
		before := fileBytes(t, path)
		if _, err := Write(path, sampleHeader(1), WriteOptions{Init: true}, failing); !errors.Is(err, boom) {
			t.Fatalf("got %v", err)
		}
		if !bytes.Equal(before, fileBytes(t, path)) {
			t.Fatal("failed INIT changed the file")
		}
		ents, _ := os.ReadDir(filepath.Dir(path))
		if len(ents) != 1 {
			t.Fatalf("temp file left behind: %v", ents)
		}
	})
	t.Run("new", func(t *testing.T) {
		path := tempPath(t)
		if _, err := Write(path, sampleHeader(1), WriteOptions{}, failing); !errors.Is(err, boom) {
			t.Fatalf("got %v", err)
		}
		if ents, _ := os.ReadDir(filepath.Dir(path)); len(ents) != 0 {
			t.Fatalf("files left behind: %v", ents)
		}
	})
}

// TestCrashInLastSet cuts the file at many offsets inside the last set, as a
// crash mid-append would, and checks that earlier sets stay readable, the
// last is reported incomplete, and the next append replaces it.
func TestCrashInLastSet(t *testing.T) {
	for _, compress := range []bool{false, true} {
		t.Run(fmt.Sprintf("compress=%v", compress), func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "full.bak")
			p1, p2, p3 := payloadOf(5000, 1), payloadOf(7000, 2), payloadOf(frameChunk+777, 3)
			mustWrite(t, path, sampleHeader(0), WriteOptions{Compress: compress}, p1)
			mustWrite(t, path, sampleHeader(1), WriteOptions{Compress: compress}, p2)
			c, err := ReadHeaders(path)
			if err != nil {
				t.Fatal(err)
			}
			start := c.end
			mustWrite(t, path, sampleHeader(2), WriteOptions{Compress: compress}, p3)
			full := fileBytes(t, path)

			var cuts []int64
			for off := start; off < int64(len(full)); off += max(1, (int64(len(full))-start)/60) {
				cuts = append(cuts, off)
			}
			for k := int64(1); k <= 40; k++ { // every offset near both ends of the set
				cuts = append(cuts, start+k, int64(len(full))-k)
			}
			for _, cut := range cuts {
				for _, zeroFill := range []bool{false, true} {
					if zeroFill && int64(len(full))-cut < 4 {
						continue // torn writes lose whole sectors, not 1-3 bytes
					}
					b := bytes.Clone(full[:cut])
					if zeroFill { // the file system extended the file but the data never landed
						b = append(b, make([]byte, int64(len(full))-cut)...)
					}
					c, err := scan(bytes.NewReader(b), int64(len(b)), "cut.bak")
					if err != nil {
						t.Fatalf("cut %d zero=%v: %v", cut, zeroFill, err)
					}
					if len(c.Sets) != 2 || c.Incomplete == nil || c.Incomplete.Position != 3 || c.Incomplete.Offset != start {
						if !(cut == start && !zeroFill && c.Incomplete == nil && len(c.Sets) == 2) {
							t.Fatalf("cut %d zero=%v: %d sets, incomplete %+v", cut, zeroFill, len(c.Sets), c.Incomplete)
						}
					}
					for i := range 2 {
						if err := verifyMem(b, c, i+1); err != nil {
							t.Fatalf("cut %d: set %d: %v", cut, i+1, err)
						}
					}
					if cut%13 == 0 || zeroFill && cut == start+5 { // appending after a crash replaces the torn set
						p := filepath.Join(dir, "cut.bak")
						if err := os.WriteFile(p, b, 0o644); err != nil {
							t.Fatal(err)
						}
						for i, want := range [][]byte{p1, p2} {
							if _, got, err := readSet(t, p, i+1); err != nil || !bytes.Equal(got, want) {
								t.Fatalf("cut %d: set %d: %v", cut, i+1, err)
							}
						}
						if _, _, err := Open(p, 3); !errors.Is(err, ErrNoSuchSet) {
							t.Fatalf("cut %d: Open(3) = %v", cut, err)
						}
						mustWrite(t, p, sampleHeader(3), WriteOptions{}, []byte("again"))
						c, err := ReadHeaders(p)
						if err != nil || len(c.Sets) != 3 || c.Incomplete != nil {
							t.Fatalf("cut %d: after append: %v %d %+v", cut, err, len(c.Sets), c.Incomplete)
						}
						if _, got, err := readSet(t, p, 3); err != nil || string(got) != "again" {
							t.Fatalf("cut %d: new set: %q %v", cut, got, err)
						}
					}
				}
			}
		})
	}
}

// TestBitFlips flips single bits all over a two-set file: every flip must be
// caught, by ReadHeaders (media header -> FormatError, set structure ->
// CorruptionError) or by reading the payload (CorruptionError naming the
// set). Every structural byte is tried, payload bytes are sampled; the file
// is checked in memory through the same scan and reader the file API uses.
func TestBitFlips(t *testing.T) {
	for _, compress := range []bool{false, true} {
		t.Run(fmt.Sprintf("compress=%v", compress), func(t *testing.T) {
			path := tempPath(t)
			mustWrite(t, path, sampleHeader(0), WriteOptions{Compress: compress}, payloadOf(3000, 1))
			mustWrite(t, path, sampleHeader(1), WriteOptions{Compress: compress}, payloadOf(20000, 2))
			full := fileBytes(t, path)
			c0, err := scan(bytes.NewReader(full), int64(len(full)), path)
			if err != nil {
				t.Fatal(err)
			}
			set2 := c0.locs[1].hdrOff
			payload := func(off int64) bool { // inside frame data, not a header
				for _, l := range c0.locs {
					p := l.dataOff
					for p < int64(len(full)) {
						n := int64(full[p]) | int64(full[p+1])<<8 | int64(full[p+2])<<16 | int64(full[p+3])<<24
						if n == 0 {
							break
						}
						if off >= p+frameHeadSize && off < p+frameHeadSize+n {
							return true
						}
						p += frameHeadSize + n
					}
				}
				return false
			}
			tried := 0
			for off := int64(0); off < int64(len(full)); off++ {
				if payload(off) && off%97 != 0 {
					continue
				}
				tried++
				b := bytes.Clone(full)
				b[off] ^= byte(1) << (off % 8)
				wantPos := 1
				if off >= set2 {
					wantPos = 2
				}
				c, err := scan(bytes.NewReader(b), int64(len(b)), path)
				var ce *CorruptionError
				switch {
				case errors.Is(err, ErrNotMedia):
					if off >= c0.locs[0].hdrOff {
						t.Fatalf("flip at %d (in a set) reported as not media: %v", off, err)
					}
					continue
				case errors.As(err, &ce):
					if ce.Position != wantPos {
						t.Fatalf("flip at %d: corruption names set %d, want %d", off, ce.Position, wantPos)
					}
					continue
				case err != nil:
					t.Fatalf("flip at %d: %v", off, err)
				case c.Incomplete != nil:
					t.Fatalf("flip at %d reported as an incomplete set, not damage", off)
				case len(c.Sets) != 2:
					t.Fatalf("flip at %d: %d sets", off, len(c.Sets))
				}
				verr := verifyMem(b, c, wantPos)
				if !errors.As(verr, &ce) || ce.Position != wantPos {
					t.Fatalf("flip at %d (set %d) not detected: %v", off, wantPos, verr)
				}
				if err := verifyMem(b, c, 3-wantPos); err != nil {
					t.Fatalf("flip at %d in set %d broke the other set: %v", off, wantPos, err)
				}
			}
			if tried < 400 {
				t.Fatalf("only %d flips tried", tried)
			}
		})
	}
}

func verifyMem(b []byte, c *Contents, pos int) error {
	r := openSet(bytes.NewReader(b), nil, "mem", pos, c.locs[pos-1])
	_, err := io.Copy(io.Discard, r)
	return err
}

func TestReaderNeverReturnsBadBytes(t *testing.T) {
	path := tempPath(t)
	data := payloadOf(3*frameChunk, 8)
	mustWrite(t, path, sampleHeader(0), WriteOptions{}, data)
	b := fileBytes(t, path)
	c, _ := ReadHeaders(path)
	bad := c.locs[0].dataOff + frameHeadSize + 2*(frameHeadSize+frameChunk) + 10 // inside frame 3
	b[bad] ^= 0x40
	os.WriteFile(path, b, 0o644)
	_, r, err := Open(path, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got, err := io.ReadAll(r)
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("err %v", err)
	}
	if len(got) != 2*frameChunk || !bytes.Equal(got, data[:len(got)]) {
		t.Fatalf("read %d bytes before the damage, want the %d good ones", len(got), 2*frameChunk)
	}
}

func TestForwardCompatibleFields(t *testing.T) {
	h := sampleHeader(1)
	body := encodeFields(nil, reflect.ValueOf(&h).Elem())
	// a field a newer writer added, in the middle and at the end
	extra := []byte{0xE9, 0x03, 3, 0, 0, 0, 'n', 'e', 'w'}
	mid := len(body) / 2
	for off := 0; off < len(body); { // find a field boundary near the middle
		n := int(body[off+2]) | int(body[off+3])<<8 | int(body[off+4])<<16
		if off >= mid {
			mid = off
			break
		}
		off += 6 + n
	}
	withExtra := append(append(append(append([]byte{}, body[:mid]...), extra...), body[mid:]...), extra...)
	var back SetHeader
	if err := decodeFields(withExtra, reflect.ValueOf(&back).Elem()); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, h) {
		t.Fatalf("decoded %+v\nwant %+v", back, h)
	}
	// an older file lacking fields decodes them as zero
	var old SetHeader
	if err := decodeFields(body[:mid], reflect.ValueOf(&old).Elem()); err != nil {
		t.Fatal(err)
	}
	if old.BackupName != h.BackupName || old.Files != nil {
		t.Fatalf("partial decode %+v", old)
	}
}

func TestConcurrentWriters(t *testing.T) {
	path := tempPath(t)
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := Write(path, sampleHeader(i), WriteOptions{Compress: i%2 == 0}, writeBytes(payloadOf(50_000+i, uint64(i))))
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	c, err := ReadHeaders(path)
	if err != nil || len(c.Sets) != n {
		t.Fatalf("%v, %d sets", err, len(c.Sets))
	}
	seen := map[uint64]bool{}
	for _, s := range c.Sets {
		if err := Verify(path, s.Position); err != nil {
			t.Fatal(err)
		}
		seen[s.FirstLSN] = true
	}
	if len(seen) != n {
		t.Fatalf("only %d distinct sets", len(seen))
	}
}
