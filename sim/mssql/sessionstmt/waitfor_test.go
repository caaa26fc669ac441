package sessionstmt

import (
	"testing"
)

func TestParseWaitTime(t *testing.T) {
	ok := map[string]string{"00:00:01": "1s", "01:02:03.5": "1h2m3.5s", "00:10": "10m0s"}
	for in, want := range ok {
		d, good := parseWaitTime(in)
		if !good || d.String() != want {
			t.Errorf("parseWaitTime(%q) = %v %v, want %s", in, d, good, want)
		}
	}
	for _, bad := range []string{"", "1", "25:00:00", "00:61:00", "a:b", "00:00:60"} {
		if _, good := parseWaitTime(bad); good {
			t.Errorf("parseWaitTime(%q) accepted", bad)
		}
	}
}
