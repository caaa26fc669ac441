package ntlm

import "fmt"

// Version is the VERSION structure (MS-NLMP 2.2.2.10): the operating
// system the message comes from, for debugging only.
type Version struct {
	Major, Minor uint8
	Build        uint16
	Revision     uint8 // NTLMRevisionCurrent: 0x0F (NTLMSSP_REVISION_W2K3) on every Windows since Server 2003
}

// WindowsServer2012R2 returns the version a SQL Server or Lync Server
// 2013 / Skype for Business Server 2015 host typically reports: Windows
// Server 2012 R2 (6.3, build 9600), the Config default.
func WindowsServer2012R2() Version { return Version{Major: 6, Minor: 3, Build: 9600, Revision: 0x0F} }

func (v Version) marshal() []byte {
	b := make([]byte, 8)
	b[0], b[1] = v.Major, v.Minor
	le.PutUint16(b[2:], v.Build)
	b[7] = v.Revision
	return b
}

func parseVersion(b []byte) Version {
	return Version{Major: b[0], Minor: b[1], Build: le.Uint16(b[2:]), Revision: b[7]}
}

func (v Version) String() string {
	return fmt.Sprintf("%d.%d.%d (NTLM revision %d)", v.Major, v.Minor, v.Build, v.Revision)
}

// checkHeader checks the signature and message type of an NTLM message.
func checkHeader(msg []byte, want uint32, name string, min int) error {
	if len(msg) < 12 || string(msg[:8]) != signature {
		return malformed("%s: the token does not start with the NTLMSSP signature", name)
	}
	if got := le.Uint32(msg[8:]); got != want {
		return malformed("%s: message type %d, want %d", name, got, want)
	}
	if len(msg) < min {
		return malformed("%s: %d bytes, shorter than its %d-byte fixed part", name, len(msg), min)
	}
	if len(msg) > MaxTokenSize {
		return malformed("%s: %d bytes, above the %d-byte limit", name, len(msg), MaxTokenSize)
	}
	return nil
}

// NegotiateMessage is a parsed NEGOTIATE_MESSAGE (MS-NLMP 2.2.1.1).
type NegotiateMessage struct {
	Flags       Flags
	Domain      string   // OEM domain name, when FlagOEMDomainSupplied is set
	Workstation string   // OEM workstation name, when FlagOEMWorkstationSupplied is set
	Version     *Version // when FlagVersion is set
}

// negotiateFixed is the NEGOTIATE_MESSAGE's fixed part without Version.
const negotiateFixed = 32

// ParseNegotiate decodes a raw NEGOTIATE_MESSAGE. The OEM domain and
// workstation fields are checked only when their "supplied" flags say they
// are meaningful: clients fill the unused ones with arbitrary offsets.
func ParseNegotiate(msg []byte) (*NegotiateMessage, error) {
	const name = "NEGOTIATE_MESSAGE"
	if err := checkHeader(msg, typeNegotiate, name, negotiateFixed); err != nil {
		return nil, err
	}
	m := &NegotiateMessage{Flags: Flags(le.Uint32(msg[12:]))}
	headerEnd := negotiateFixed
	if m.Flags.Has(FlagVersion) {
		if len(msg) < negotiateFixed+8 {
			return nil, malformed("%s: NTLMSSP_NEGOTIATE_VERSION is set but the %d-byte message has no Version field", name, len(msg))
		}
		v := parseVersion(msg[negotiateFixed:])
		m.Version = &v
		headerEnd += 8
	}
	for _, f := range []struct {
		flag Flags
		at   int
		name string
		dst  *string
	}{
		{FlagOEMDomainSupplied, 16, "DomainName", &m.Domain},
		{FlagOEMWorkstationSupplied, 24, "WorkstationName", &m.Workstation},
	} {
		if !m.Flags.Has(f.flag) {
			continue
		}
		b, err := readField(msg, f.at).bytesOf(msg, headerEnd, name+" "+f.name)
		if err != nil {
			return nil, err
		}
		if len(b) > maxNameUnits {
			return nil, malformed("%s %s is %d bytes, above the %d Windows allows", name, f.name, len(b), maxNameUnits)
		}
		*f.dst = string(b) // OEM code page; names are ASCII in practice
	}
	return m, nil
}

// challengeMessage is the CHALLENGE_MESSAGE the server sends (MS-NLMP
// 2.2.1.2).
type challengeMessage struct {
	flags           Flags
	targetName      string // empty: no TargetName field
	serverChallenge [8]byte
	targetInfo      avList // nil: no TargetInfo field
	version         Version
}

// challengeFixed is the CHALLENGE_MESSAGE's fixed part, Version included:
// Windows always writes the 8 Version bytes, zero when the flag is clear.
const challengeFixed = 56

func (c *challengeMessage) marshal() []byte {
	var name, info []byte
	if c.targetName != "" {
		// TargetName is in the negotiated character set; the names in
		// TargetInfo are always Unicode.
		name = []byte(c.targetName) // OEM: the server's names are ASCII (Config checks)
		if c.flags.Has(FlagUnicode) {
			name = encodeUTF16(c.targetName)
		}
	}
	if c.targetInfo != nil {
		info = c.targetInfo.marshal()
	}
	msg := make([]byte, challengeFixed, challengeFixed+len(name)+len(info))
	copy(msg, signature)
	le.PutUint32(msg[8:], typeChallenge)
	offset := challengeFixed
	putField(msg, 12, len(name), &offset)
	le.PutUint32(msg[20:], uint32(c.flags))
	copy(msg[24:], c.serverChallenge[:])
	putField(msg, 40, len(info), &offset)
	if c.flags.Has(FlagVersion) {
		copy(msg[48:], c.version.marshal())
	}
	msg = append(msg, name...)
	return append(msg, info...)
}

// AuthenticateMessage is a parsed AUTHENTICATE_MESSAGE (MS-NLMP 2.2.1.3).
// Names are decoded from the character set its NegotiateFlags name; the
// domain's UTF-16 bytes are kept because NTOWFv2 hashes them exactly as
// the client sent them.
type AuthenticateMessage struct {
	Flags                     Flags
	LMResponse                []byte
	NTResponse                []byte
	Domain, User, Workstation string
	EncryptedRandomSessionKey []byte
	Version                   *Version // when the message has room for it and FlagVersion is set
	MIC                       []byte   // the 16 bytes at offset 72, when the message has room for them

	rawDomain []byte
}

// authenticateFixed is the AUTHENTICATE_MESSAGE's fixed part without
// Version and MIC; micOffset..micEnd is where the MIC sits when present.
const (
	authenticateFixed = 64
	micOffset         = 72
	micEnd            = 88
)

// ParseAuthenticate decodes a raw AUTHENTICATE_MESSAGE. Whether Version and
// MIC are present is not flagged in the message itself: they are there when
// the payload starts after them, as MS-NLMP 2.2.1.3 lays them out.
func ParseAuthenticate(msg []byte) (*AuthenticateMessage, error) {
	const name = "AUTHENTICATE_MESSAGE"
	if err := checkHeader(msg, typeAuthenticate, name, authenticateFixed); err != nil {
		return nil, err
	}
	m := &AuthenticateMessage{Flags: Flags(le.Uint32(msg[60:]))}
	fields := []struct {
		at   int
		name string
	}{
		{12, "LmChallengeResponse"}, {20, "NtChallengeResponse"}, {28, "DomainName"},
		{36, "UserName"}, {44, "Workstation"}, {52, "EncryptedRandomSessionKey"},
	}
	// The payload starts at the lowest offset of a non-empty field; the
	// Version and MIC fields exist when it starts after them.
	payload := len(msg)
	for _, f := range fields {
		if fd := readField(msg, f.at); fd.len > 0 && fd.offset < payload {
			payload = fd.offset
		}
	}
	headerEnd := authenticateFixed
	if payload >= micEnd && len(msg) >= micEnd {
		headerEnd = micEnd
		m.MIC = msg[micOffset:micEnd]
	} else if payload >= micOffset && len(msg) >= micOffset {
		headerEnd = micOffset
	}
	if headerEnd >= micOffset && m.Flags.Has(FlagVersion) {
		v := parseVersion(msg[authenticateFixed:])
		m.Version = &v
	}
	var raw [6][]byte
	for i, f := range fields {
		b, err := readField(msg, f.at).bytesOf(msg, headerEnd, name+" "+f.name)
		if err != nil {
			return nil, err
		}
		raw[i] = b
	}
	m.LMResponse, m.NTResponse, m.EncryptedRandomSessionKey = raw[0], raw[1], raw[5]
	decode := decodeUTF16
	if !m.Flags.Has(FlagUnicode) {
		decode = decodeOEM
	}
	var err error
	if m.Domain, err = decode(raw[2], name+" DomainName"); err != nil {
		return nil, err
	}
	if m.User, err = decode(raw[3], name+" UserName"); err != nil {
		return nil, err
	}
	if m.Workstation, err = decode(raw[4], name+" Workstation"); err != nil {
		return nil, err
	}
	// NTOWFv2 hashes the domain in Unicode whatever the message carried.
	m.rawDomain = raw[2]
	if !m.Flags.Has(FlagUnicode) {
		m.rawDomain = encodeUTF16(m.Domain)
	}
	return m, nil
}

// ntlmv2Response is a parsed NTLMv2_RESPONSE (MS-NLMP 2.2.2.8): the
// NTProofStr and the NTLMv2_CLIENT_CHALLENGE blob it authenticates.
type ntlmv2Response struct {
	proof           []byte // NTProofStr, 16 bytes
	blob            []byte // the whole NTLMv2_CLIENT_CHALLENGE ("temp" without the leading Z(0))
	timestamp       uint64 // FILETIME
	clientChallenge []byte // 8 bytes
	avPairs         avList
}

// ntlmv2Fixed is the NTLMv2_RESPONSE's fixed part: NTProofStr (16),
// RespType, HiRespType, Reserved1 (2), Reserved2 (4), TimeStamp (8),
// ChallengeFromClient (8), Reserved3 (4); then at least MsvAvEOL (4).
const ntlmv2Fixed = 16 + 28

func parseNTLMv2Response(nt []byte) (*ntlmv2Response, error) {
	const name = "NTLMv2_RESPONSE"
	if len(nt) < ntlmv2Fixed+4 {
		return nil, malformed("%s: %d bytes, shorter than the %d of its fixed part and MsvAvEOL", name, len(nt), ntlmv2Fixed+4)
	}
	r := &ntlmv2Response{proof: nt[:16], blob: nt[16:]}
	if r.blob[0] != 1 || r.blob[1] != 1 {
		return nil, malformed("%s: RespType %d, HiRespType %d; both must be 1", name, r.blob[0], r.blob[1])
	}
	r.timestamp = le.Uint64(r.blob[8:])
	r.clientChallenge = r.blob[16:24]
	var err error
	if r.avPairs, _, err = parseAVList(r.blob[28:], name); err != nil {
		return nil, err
	}
	return r, nil
}
