package engine

import (
	"testing"
)

func TestLSNLayout(t *testing.T) {
	tests := []struct {
		seq  uint64
		want LSN
		text string
	}{
		{0, 34000000001600001, "34:16:1"},
		{7, 34000000001600008, "34:16:8"},
		{8, 34000000002400001, "34:24:1"},
		{lsnSeqPerVLF - 1, MakeLSN(34, 16+4095*8, 8), "34:32776:8"},
		{lsnSeqPerVLF, 35000000001600001, "35:16:1"},
	}
	for _, tt := range tests {
		got := lsnOfSeq(tt.seq)
		if got != tt.want || got.Parts() != tt.text {
			t.Errorf("lsnOfSeq(%d) = %s (%s), want %s (%s)", tt.seq, got, got.Parts(), tt.want, tt.text)
		}
		back, ok := got.seq()
		if !ok || back != tt.seq {
			t.Errorf("%s.seq() = %d,%v want %d", got, back, ok, tt.seq)
		}
	}
}

func TestLSNMonotonic(t *testing.T) {
	prev := lsnOfSeq(0)
	for s := uint64(1); s < 3*lsnSeqPerVLF; s += 7 {
		l := lsnOfSeq(s)
		if l <= prev {
			t.Fatalf("lsnOfSeq(%d) = %s not above %s", s, l, prev)
		}
		prev = l
	}
}

func TestParseLSN(t *testing.T) {
	tests := []struct {
		in      string
		want    LSN
		wantErr bool
	}{
		{"34000000001600001", 34000000001600001, false},
		{"34:16:1", 34000000001600001, false},
		{" 35:24:3 ", 35000000002400003, false},
		{"34:16", 0, true},
		{"x", 0, true},
		{"1:99999999999:1", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseLSN(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseLSN(%q) = %d, %v; want %d, err %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func FuzzParseLSN(f *testing.F) {
	for _, s := range []string{"34000000001600001", "34:16:1", "", "::", "18446:0:0", "-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseLSN(s)
		if err != nil {
			return
		}
		if q, ok := l.seq(); ok && lsnOfSeq(q) != l {
			t.Fatalf("round trip %s -> %d -> %s", l, q, lsnOfSeq(q))
		}
	})
}
