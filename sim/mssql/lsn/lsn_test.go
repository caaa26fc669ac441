package lsn

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
		{seqPerVLF - 1, Make(34, 16+4095*8, 8), "34:32776:8"},
		{seqPerVLF, 35000000001600001, "35:16:1"},
	}
	for _, tt := range tests {
		got := OfSeq(tt.seq)
		if got != tt.want || got.Parts() != tt.text {
			t.Errorf("OfSeq(%d) = %s (%s), want %s (%s)", tt.seq, got, got.Parts(), tt.want, tt.text)
		}
		back, ok := got.Seq()
		if !ok || back != tt.seq {
			t.Errorf("%s.Seq() = %d,%v want %d", got, back, ok, tt.seq)
		}
	}
}

func TestLSNMonotonic(t *testing.T) {
	prev := OfSeq(0)
	for s := uint64(1); s < 3*seqPerVLF; s += 7 {
		l := OfSeq(s)
		if l <= prev {
			t.Fatalf("OfSeq(%d) = %s not above %s", s, l, prev)
		}
		prev = l
	}
}

func TestParse(t *testing.T) {
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
		got, err := Parse(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("Parse(%q) = %d, %v; want %d, err %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"34000000001600001", "34:16:1", "", "::", "18446:0:0", "-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := Parse(s)
		if err != nil {
			return
		}
		if q, ok := l.Seq(); ok && OfSeq(q) != l {
			t.Fatalf("round trip %s -> %d -> %s", l, q, OfSeq(q))
		}
	})
}
