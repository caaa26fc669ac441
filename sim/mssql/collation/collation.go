// Package collation holds the collations the simulator models: their
// names, the code page their varchar/char/text values are stored in, and
// the 5-byte TDS COLLATION (LCID, comparison flags, version, SQL sort id)
// a client reads to decode those bytes.
//
// SQL Server stores a non-Unicode character value as bytes of its
// collation's code page; a character the code page lacks becomes '?'
// (https://learn.microsoft.com/sql/relational-databases/collations/collation-and-unicode-support,
// "Code page"). The simulator keeps every character value as a Go string
// of the characters it holds, so a varchar value here is a string whose
// characters all lie in its code page (Fit makes it so); Encode and Decode
// give its bytes for the wire, DATALENGTH, HASHBYTES and CAST to binary.
//
// Only case-insensitive, accent-sensitive collations are modelled, because
// the simulator's comparison is that one (code-point order after case
// folding, the same approximation for every alphabet here). Czech_CI_AS is
// left out on purpose although its code page (1250) is here: Czech sorts
// the digraph "ch" after "h", which the simulator's comparison would get
// silently wrong; it is refused with 448 like every other unknown name.
package collation

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// ID names a modelled collation. It is stored in table definitions
// (sqltypes.Type.Collation): never renumber, only append. The zero ID is
// the server's default, SQL_Latin1_General_CP1_CI_AS.
type ID uint8

// The modelled collations.
const (
	Default            ID = iota // SQL_Latin1_General_CP1_CI_AS
	Latin1General                // Latin1_General_CI_AS
	Latin1General100             // Latin1_General_100_CI_AS
	CyrillicGeneral              // Cyrillic_General_CI_AS
	Polish                       // Polish_CI_AS
	Greek                        // Greek_CI_AS
	Japanese                     // Japanese_CI_AS
	ChinesePRC                   // Chinese_PRC_CI_AS
	CyrillicGeneral100           // Cyrillic_General_100_CI_AS
	numIDs
)

// info is one collation's facts. LCIDs are Windows locale ids; the flags
// byte 0xD0 is IgnoreCase, IgnoreKana and IgnoreWidth set, IgnoreAccent
// clear (_CI_AS; Windows collations without _KS/_WS ignore kana and width);
// version 1 marks the _100 collations; SQL collations carry a sort id.
type info struct {
	name     string
	lcid     uint32
	version  byte
	sortID   byte
	codePage int
}

var table = [numIDs]info{
	Default:            {"SQL_Latin1_General_CP1_CI_AS", 0x0409, 0, 52, 1252},
	Latin1General:      {"Latin1_General_CI_AS", 0x0409, 0, 0, 1252},
	Latin1General100:   {"Latin1_General_100_CI_AS", 0x0409, 1, 0, 1252},
	CyrillicGeneral:    {"Cyrillic_General_CI_AS", 0x0419, 0, 0, 1251},
	Polish:             {"Polish_CI_AS", 0x0415, 0, 0, 1250},
	Greek:              {"Greek_CI_AS", 0x0408, 0, 0, 1253},
	Japanese:           {"Japanese_CI_AS", 0x0411, 0, 0, 932},
	ChinesePRC:         {"Chinese_PRC_CI_AS", 0x0804, 0, 0, 936},
	CyrillicGeneral100: {"Cyrillic_General_100_CI_AS", 0x0419, 1, 0, 1251},
}

// Lookup finds a modelled collation by name (case-insensitive, as SQL
// Server matches collation names).
func Lookup(name string) (ID, bool) {
	for i := range table {
		if strings.EqualFold(table[i].name, name) {
			return ID(i), true
		}
	}
	return 0, false
}

// Valid reports an ID of the table (a corrupt table definition may carry
// another).
func (id ID) Valid() bool { return id < numIDs }

func (id ID) info() info {
	if !id.Valid() {
		return table[Default]
	}
	return table[id]
}

// Name is the collation's name as sys.columns and COLLATIONPROPERTY give it.
func (id ID) Name() string { return id.info().name }

// LCID is the collation's Windows locale id (COLLATIONPROPERTY 'LCID').
func (id ID) LCID() uint32 { return id.info().lcid }

// CodePage is the collation's code page for non-Unicode data.
func (id ID) CodePage() CodePage { return CodePage(id.info().codePage) }

// TDS is the 5-byte COLLATION of TYPE_INFO and the collation ENVCHANGE
// (MS-TDS 2.2.5.1.2): LCID in the low 20 bits, then the flags, the
// version nibble, and the SQL sort id (0 for Windows collations).
func (id ID) TDS() [5]byte {
	in := id.info()
	v := in.lcid&0xFFFFF | 0xD0<<16 | uint32(in.version)<<28
	return [5]byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24), in.sortID}
}

// ForCodePage is the first modelled collation of code page cp (the
// default for 1252 and for a code page none has).
func ForCodePage(cp CodePage) ID {
	for i := range table {
		if CodePage(table[i].codePage) == cp {
			return ID(i)
		}
	}
	return Default
}

// CodePage is a Windows code page number.
type CodePage int

// FromTDS gives the code page of a TDS COLLATION a client sent: by the SQL
// sort id where there is one, else by the LCID. Only code pages the
// simulator can encode are known; ok is false for any other (the caller
// decides; SQL Server itself would read the bytes in that code page).
func FromTDS(c [5]byte) (CodePage, bool) {
	if c[4] != 0 {
		return sortIDCodePage(c[4])
	}
	lcid := uint32(c[0]) | uint32(c[1])<<8 | uint32(c[2]&0x0F)<<16
	cp, ok := lcidCodePage[lcid&0xFFFF]
	return cp, ok
}

// UTF8 reports the TDS collation's UTF8 flag (SQL Server 2019 _UTF8
// collations): its non-Unicode bytes are UTF-8.
func UTF8(c [5]byte) bool { return c[3]&0x04 != 0 }

// sortIDCodePage: the SQL collations' sort ids whose code page is one of
// those here (SQL Server's table of SQL collations, "SQL Server Collation
// Name": 50-54, 71-75, 183-186, 210-217 are code page 1252, 80-96 1250,
// 104-108 1251, 112-114, 121 and 124 1253, 192/193/200 932, 198/199/203
// 936).
func sortIDCodePage(id byte) (CodePage, bool) {
	switch {
	case 50 <= id && id <= 54, 71 <= id && id <= 75, 183 <= id && id <= 186, 210 <= id && id <= 217:
		return 1252, true
	case 80 <= id && id <= 96:
		return 1250, true
	case 104 <= id && id <= 108:
		return 1251, true
	case 112 <= id && id <= 114, id == 121, id == 124:
		return 1253, true
	case id == 192, id == 193, id == 200:
		return 932, true
	case id == 198, id == 199, id == 203:
		return 936, true
	}
	return 0, false
}

// lcidCodePage: the ANSI code page of the Windows locales whose code page
// the simulator can encode (primary language ids of Western, Central
// European, Cyrillic and Greek locales; Japanese; Chinese PRC/Singapore).
var lcidCodePage = map[uint32]CodePage{
	0x0409: 1252, 0x0809: 1252, 0x0407: 1252, 0x040C: 1252, 0x0410: 1252, 0x040A: 1252,
	0x0C0A: 1252, 0x0413: 1252, 0x041D: 1252, 0x0406: 1252, 0x0414: 1252, 0x040B: 1252,
	0x0416: 1252, 0x0816: 1252, 0x0403: 1252, 0x0C09: 1252, 0x1009: 1252, 0x0C0C: 1252,
	0x0807: 1252, 0x0C07: 1252, 0x040F: 1252,
	0x0415: 1250, 0x0405: 1250, 0x040E: 1250, 0x041B: 1250, 0x0424: 1250, 0x041A: 1250,
	0x0418: 1250, 0x041C: 1250,
	0x0419: 1251, 0x0422: 1251, 0x0423: 1251, 0x0402: 1251, 0x042F: 1251, 0x0C1A: 1251,
	0x0408: 1253,
	0x0411: 932,
	0x0804: 936, 0x1004: 936,
}

// Latin1 is code page 1252, the default collation's.
const Latin1 CodePage = 1252

// encodings: the x/text codecs of the code pages. Windows 932 is Shift JIS
// with Microsoft's extensions (x/text's japanese.ShiftJIS is that table),
// 936 is GBK.
func (cp CodePage) charmap() *charmap.Charmap {
	switch cp {
	case 1250:
		return charmap.Windows1250
	case 1251:
		return charmap.Windows1251
	case 1252:
		return charmap.Windows1252
	case 1253:
		return charmap.Windows1253
	}
	return nil
}

func (cp CodePage) multibyte() encoding.Encoding {
	switch cp {
	case 932:
		return japanese.ShiftJIS
	case 936:
		return simplifiedchinese.GBK
	}
	return nil
}

// encodeRune appends r's bytes in the code page, '?' where it has none.
func (cp CodePage) encodeRune(b []byte, r rune) []byte {
	if r < utf8.RuneSelf {
		return append(b, byte(r))
	}
	if m := cp.charmap(); m != nil {
		if c, ok := m.EncodeRune(r); ok {
			return append(b, c)
		}
		if r >= 0x80 && r < 0xA0 && m.DecodeByte(byte(r)) == utf8.RuneError {
			return append(b, byte(r)) // an unassigned byte's C1 control
		}
		return append(b, '?')
	}
	if e := cp.multibyte(); e != nil {
		var buf [utf8.UTFMax]byte
		n := utf8.EncodeRune(buf[:], r)
		out, err := e.NewEncoder().Bytes(buf[:n])
		if err == nil {
			return append(b, out...)
		}
	}
	return append(b, '?')
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Encode gives s's bytes in the code page; a character it lacks is '?'.
func (cp CodePage) Encode(s string) []byte { return cp.Append(nil, s) }

// Append appends s's bytes in the code page.
func (cp CodePage) Append(b []byte, s string) []byte {
	if ascii(s) {
		return append(b, s...)
	}
	for _, r := range s {
		b = cp.encodeRune(b, r)
	}
	return b
}

// Fit replaces the characters the code page lacks with '?', giving the
// characters a varchar of this code page holds.
func (cp CodePage) Fit(s string) string {
	if ascii(s) {
		return s
	}
	return cp.Decode(cp.Encode(s))
}

// Len is s's length in bytes in the code page (what varchar(n) counts and
// DATALENGTH returns): one per character in the single-byte code pages,
// one or two in 932 and 936.
func (cp CodePage) Len(s string) int {
	if ascii(s) {
		return len(s)
	}
	if cp.multibyte() == nil {
		return utf8.RuneCountInString(s)
	}
	n := 0
	var buf [4]byte
	for _, r := range s {
		n += len(cp.encodeRune(buf[:0], r))
	}
	return n
}

// Truncate cuts s to at most n bytes of the code page, never inside a
// character.
func (cp CodePage) Truncate(s string, n int) string {
	c := 0
	var buf [4]byte
	for i, r := range s {
		w := 1
		if r >= utf8.RuneSelf && cp.multibyte() != nil {
			w = len(cp.encodeRune(buf[:0], r))
		}
		if c+w > n {
			return s[:i]
		}
		c += w
	}
	return s
}

// Decode reads bytes of the code page. In the single-byte code pages an
// unassigned byte in 0x80-0x9F is the C1 control of the same value, as
// Windows' MultiByteToWideChar gives it (and Encode gives it back); other
// unassigned bytes and, in 932/936, a byte sequence that is no character
// are U+FFFD.
func (cp CodePage) Decode(b []byte) string {
	if ascii(string(b)) {
		return string(b)
	}
	if m := cp.charmap(); m != nil {
		out := make([]byte, 0, len(b)+len(b)/2)
		for _, c := range b {
			r := m.DecodeByte(c)
			if r == utf8.RuneError && c >= 0x80 && c < 0xA0 {
				r = rune(c)
			}
			out = utf8.AppendRune(out, r)
		}
		return string(out)
	}
	if e := cp.multibyte(); e != nil {
		out, err := e.NewDecoder().Bytes(b)
		if err == nil {
			return string(out)
		}
	}
	return Latin1.Decode(b)
}
