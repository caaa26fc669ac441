package media

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

func seedFiles(f *testing.F) {
	for _, compress := range []bool{false, true} {
		path := tempPath(f)
		mustWrite(f, path, sampleHeader(0), WriteOptions{Compress: compress, MediaName: "m"}, payloadOf(700, 1))
		mustWrite(f, path, sampleHeader(1), WriteOptions{Compress: compress}, payloadOf(70, 2))
		b := fileBytes(f, path)
		f.Add(b)
		f.Add(b[:len(b)-9])
		f.Add(b[:len(b)/2])
	}
	f.Add([]byte{})
	f.Add([]byte("PCHBKMED"))
	f.Add([]byte("not a backup at all"))
}

// FuzzReadHeaders feeds arbitrary files to the scanner and the payload
// reader: no panic, no hang, and a successful scan must be self-consistent.
func FuzzReadHeaders(f *testing.F) {
	seedFiles(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := scan(bytes.NewReader(b), int64(len(b)), "fuzz.bak")
		if c == nil {
			if !errors.Is(err, ErrNotMedia) {
				t.Fatalf("nil contents with %v", err)
			}
			return
		}
		if err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("unexpected error kind %v", err)
		}
		if len(c.Sets) != len(c.locs) || c.end > int64(len(b)) {
			t.Fatalf("sets %d locs %d end %d size %d", len(c.Sets), len(c.locs), c.end, len(b))
		}
		for i, s := range c.Sets {
			if s.Position != i+1 {
				t.Fatalf("set %d has position %d", i, s.Position)
			}
			if err := verifyMem(b, c, i+1); err != nil && !errors.Is(err, ErrCorrupt) {
				t.Fatalf("verify %d: %v", i+1, err)
			}
		}
	})
}

// FuzzDecodeFields checks that the tagged-field decoder never panics and
// that whatever it accepts re-encodes to the same value.
func FuzzDecodeFields(f *testing.F) {
	h := sampleHeader(1)
	f.Add(encodeFields(nil, reflect.ValueOf(&h).Elem()))
	f.Add([]byte{1, 0, 3, 0, 0, 0, 'a', 'b', 'c'})
	f.Add([]byte{48, 0, 8, 0, 0, 0, 2, 0, 0, 0, 1, 0})
	f.Fuzz(func(t *testing.T, body []byte) {
		var a SetHeader
		if err := decodeFields(body, reflect.ValueOf(&a).Elem()); err != nil {
			return
		}
		again := encodeFields(nil, reflect.ValueOf(&a).Elem())
		var b SetHeader
		if err := decodeFields(again, reflect.ValueOf(&b).Elem()); err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("round trip changed the header:\n%+v\n%+v", a, b)
		}
	})
}
