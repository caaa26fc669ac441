package sqltypes

import "testing"

// TestWriteUTF16MatchesEncoding: hashing nvarchar text as it is encoded
// gives the same hash as hashing encodeNVarChar's bytes, for ASCII,
// accents, astral characters and invalid UTF-8.
func TestWriteUTF16MatchesEncoding(t *testing.T) {
	for _, s := range []string{"", "plain chat text", "café façade", "😀 emoji 𝄞", "bad \xff\xfe utf-8", "\u2028line\u00a0"} {
		a, b := fnv32(fnvOffset), fnv32(fnvOffset)
		a.write(encodeNVarChar(s))
		b.writeUTF16(s)
		if a != b || 2*utf16Len(s) != len(encodeNVarChar(s)) {
			t.Errorf("%q: streamed hash %08x, encoded %08x; length %d vs %d", s, uint32(b), uint32(a), 2*utf16Len(s), len(encodeNVarChar(s)))
		}
	}
}
