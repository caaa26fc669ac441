package ntlm

import (
	"encoding/binary"
	"fmt"
	"time"
	"unicode"
	"unicode/utf16"
)

var le = binary.LittleEndian

// signature opens every NTLM message (MS-NLMP 2.2.1).
const signature = "NTLMSSP\x00"

// NTLM message types (MS-NLMP 2.2.1).
const (
	typeNegotiate    = 1
	typeChallenge    = 2
	typeAuthenticate = 3
)

// MaxTokenSize bounds every token the server accepts, raw or wrapped. It is
// the largest AV_PAIR list MSV1_0 accepts (MSV1_0_MAX_AVL_SIZE, 64000 bytes)
// plus room for the fixed fields and names; anything larger cannot be a
// message a Windows client sends.
const MaxTokenSize = 64000 + 2048

// maxAVListSize is MSV1_0_MAX_AVL_SIZE: the largest AV_PAIR list Windows
// accepts in a response.
const maxAVListSize = 64000

// maxNameUnits bounds user, domain and workstation names in UTF-16 code
// units: UNLEN (256) for user names and UPNs, which is also above the 255
// characters of a DNS domain name and the 15 of a NetBIOS name.
const maxNameUnits = 256

// field is a MS-NLMP "fields" triple (Len, MaxLen, BufferOffset). MaxLen is
// ignored on receipt as the specification says.
type field struct {
	len    int
	offset int
}

// readField reads the 8-byte fields structure at at.
func readField(msg []byte, at int) field {
	return field{len: int(le.Uint16(msg[at:])), offset: int(le.Uint32(msg[at+4:]))}
}

// bytesOf returns the payload the field points to, checking that it lies in
// the message and after the fixed header (headerEnd). An empty field is
// valid whatever its offset: clients write all sorts of offsets for them.
func (f field) bytesOf(msg []byte, headerEnd int, name string) ([]byte, error) {
	if f.len == 0 {
		return nil, nil
	}
	if f.offset < headerEnd {
		return nil, malformed("%s at offset %d overlaps the %d-byte fixed header", name, f.offset, headerEnd)
	}
	if f.offset > len(msg) || f.len > len(msg)-f.offset {
		return nil, malformed("%s (%d bytes at offset %d) runs past the end of the %d-byte message", name, f.len, f.offset, len(msg))
	}
	return msg[f.offset : f.offset+f.len], nil
}

// putField writes a fields structure for n payload bytes at *offset and
// advances the offset.
func putField(msg []byte, at int, n int, offset *int) {
	le.PutUint16(msg[at:], uint16(n))
	le.PutUint16(msg[at+2:], uint16(n))
	le.PutUint32(msg[at+4:], uint32(*offset))
	*offset += n
}

// decodeUTF16 decodes a UTF-16LE name, refusing odd lengths and names above
// maxNameUnits.
func decodeUTF16(b []byte, name string) (string, error) {
	if len(b)%2 != 0 {
		return "", malformed("%s has an odd length (%d bytes) for UTF-16", name, len(b))
	}
	if len(b)/2 > maxNameUnits {
		return "", malformed("%s is %d characters long, above the %d Windows allows", name, len(b)/2, maxNameUnits)
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = le.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u)), nil
}

// decodeOEM decodes a name in the OEM character set. The simulated hosts'
// OEM code page is 437 (US English); names are accepted in its ASCII half
// only, which is all the clients in use (ntlm_auth encodes OEM names as
// ASCII) send. Other bytes are refused rather than guessed.
func decodeOEM(b []byte, name string) (string, error) {
	if len(b) > maxNameUnits {
		return "", malformed("%s is %d characters long, above the %d Windows allows", name, len(b), maxNameUnits)
	}
	for i, c := range b {
		if c >= 0x80 {
			return "", fmt.Errorf("%w: %s has the non-ASCII byte 0x%02x at %d in the OEM character set; use Unicode (NTLMSSP_NEGOTIATE_UNICODE)", ErrUnsupported, name, c, i)
		}
	}
	return string(b), nil
}

// encodeUTF16 encodes s as UTF-16LE (RPC_UNICODE_STRING contents).
func encodeUTF16(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		le.PutUint16(b[2*i:], c)
	}
	return b
}

// upper is Windows' case folding for names (RtlUpcaseUnicodeString): each
// character mapped on its own by the simple Unicode upper-case mapping, so
// that no name changes length (unlike strings.ToUpper's special cases).
func upper(s string) string {
	r := []rune(s)
	for i, c := range r {
		r[i] = unicode.ToUpper(c)
	}
	return string(r)
}

// equalFold compares names case-insensitively as Windows does.
func equalFold(a, b string) bool { return upper(a) == upper(b) }

// fileTimeEpochDelta is the number of seconds from 1601-01-01 (the FILETIME
// epoch, MS-DTYP 2.3.3) to 1970-01-01.
const fileTimeEpochDelta = 11644473600

// FileTime converts t to a FILETIME: 100-nanosecond intervals since
// 1601-01-01 UTC. Times before 1601 become 0.
func FileTime(t time.Time) uint64 {
	s := t.Unix() + fileTimeEpochDelta
	if s < 0 {
		return 0
	}
	return uint64(s)*1e7 + uint64(t.Nanosecond()/100)
}

// TimeFromFileTime converts a FILETIME back to a time.Time (UTC).
func TimeFromFileTime(ft uint64) time.Time {
	return time.Unix(int64(ft/1e7)-fileTimeEpochDelta, int64(ft%1e7)*100).UTC()
}
