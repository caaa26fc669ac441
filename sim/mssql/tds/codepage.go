package tds

import "github.com/pchatdr/harness/sim/mssql/collation"

// Single-byte character values (VARCHAR, CHAR, TEXT) travel in their
// collation's code page, which the 5-byte COLLATION of their TYPE_INFO
// names (by SQL sort id, else by LCID); UTF-8 collations pass bytes
// through. A collation whose code page the simulator does not model reads
// as code page 1252, the default of an English install (the simulator
// never sends one; a client only sends back what the server announced).

func (c Collation) codePage() collation.CodePage {
	if cp, ok := collation.FromTDS(c); ok {
		return cp
	}
	return collation.Latin1
}

// appendChars encodes s in c's code page; characters outside it become
// '?', which is what SQL Server stores for them in a varchar.
func appendChars(b []byte, c Collation, s string) []byte {
	if c.utf8() {
		return append(b, s...)
	}
	return c.codePage().Append(b, s)
}

// charsLen is s's encoded length in c.
func charsLen(c Collation, s string) int {
	if c.utf8() {
		return len(s)
	}
	return c.codePage().Len(s)
}

func decodeChars(c Collation, raw []byte) string {
	if c.utf8() {
		return string(raw)
	}
	return c.codePage().Decode(raw)
}

// CodePage is the code page a character type's bytes are in (1252 for a
// collation whose code page is not modelled and for UTF-8 collations,
// whose values are decoded already).
func (t TypeInfo) CodePage() collation.CodePage {
	if t.collation().utf8() {
		return collation.Latin1
	}
	return t.collation().codePage()
}
