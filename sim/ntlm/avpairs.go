package ntlm

import "fmt"

// AvID identifies an AV_PAIR (MS-NLMP 2.2.2.1).
type AvID uint16

// The AV_PAIR identifiers of MS-NLMP 2.2.2.1.
const (
	AvEOL             AvID = 0x0000 // MsvAvEOL: end of the list
	AvNbComputerName  AvID = 0x0001 // MsvAvNbComputerName
	AvNbDomainName    AvID = 0x0002 // MsvAvNbDomainName
	AvDNSComputerName AvID = 0x0003 // MsvAvDnsComputerName
	AvDNSDomainName   AvID = 0x0004 // MsvAvDnsDomainName
	AvDNSTreeName     AvID = 0x0005 // MsvAvDnsTreeName
	AvFlags           AvID = 0x0006 // MsvAvFlags
	AvTimestamp       AvID = 0x0007 // MsvAvTimestamp
	AvSingleHost      AvID = 0x0008 // MsvAvSingleHost
	AvTargetName      AvID = 0x0009 // MsvAvTargetName
	AvChannelBindings AvID = 0x000A // MsvAvChannelBindings
)

// The MsvAvFlags bit this server acts on and the size of the channel
// binding hash (MS-NLMP 2.2.2.1).
const (
	avFlagMIC           = 0x2 // the AUTHENTICATE_MESSAGE carries a MIC
	channelBindingsSize = 16  // MsvAvChannelBindings is an MD5
)

// avPair is one AV_PAIR.
type avPair struct {
	id    AvID
	value []byte
}

// avList is an AV_PAIR list in wire order, without the terminating MsvAvEOL.
type avList []avPair

// get returns the value of the pair with the given id.
func (l avList) get(id AvID) ([]byte, bool) {
	for _, p := range l {
		if p.id == id {
			return p.value, true
		}
	}
	return nil, false
}

// marshal encodes the list followed by MsvAvEOL.
func (l avList) marshal() []byte {
	n := 4
	for _, p := range l {
		n += 4 + len(p.value)
	}
	b := make([]byte, 0, n)
	for _, p := range l {
		b = le.AppendUint16(b, uint16(p.id))
		b = le.AppendUint16(b, uint16(len(p.value)))
		b = append(b, p.value...)
	}
	return append(b, 0, 0, 0, 0)
}

// parseAVList decodes an AV_PAIR list. It must end with MsvAvEOL; bytes
// after it are returned as rest (NTLMv2 clients pad the response with
// Z(4) there, inside the HMAC). Stricter than MS-NLMP, which only says
// MsvAvEOL must come last: a pair may appear once, MsvAvEOL must have no
// value, and the fixed-size pairs must have their size. Unknown ids are
// kept and ignored, as the specification requires.
func parseAVList(b []byte, where string) (l avList, rest []byte, err error) {
	if len(b) > maxAVListSize {
		return nil, nil, malformed("%s AV_PAIR list is %d bytes, above the %d MSV1_0 accepts", where, len(b), maxAVListSize)
	}
	seen := map[AvID]bool{}
	for {
		if len(b) < 4 {
			return nil, nil, malformed("%s AV_PAIR list ends without MsvAvEOL", where)
		}
		id, n := AvID(le.Uint16(b)), int(le.Uint16(b[2:]))
		b = b[4:]
		if n > len(b) {
			return nil, nil, malformed("%s AV_PAIR 0x%04x claims %d bytes, only %d remain", where, uint16(id), n, len(b))
		}
		if id == AvEOL {
			if n != 0 {
				return nil, nil, malformed("%s MsvAvEOL has a %d-byte value", where, n)
			}
			return l, b, nil
		}
		if seen[id] {
			return nil, nil, malformed("%s AV_PAIR 0x%04x appears twice", where, uint16(id))
		}
		seen[id] = true
		if want := fixedAVSize(id); want >= 0 && n != want {
			return nil, nil, malformed("%s AV_PAIR %s is %d bytes, want %d", where, id, n, want)
		}
		l = append(l, avPair{id: id, value: b[:n]})
		b = b[n:]
	}
}

// fixedAVSize is the size a pair must have, or -1 when it varies.
func fixedAVSize(id AvID) int {
	switch id {
	case AvFlags:
		return 4
	case AvTimestamp:
		return 8
	case AvChannelBindings:
		return channelBindingsSize
	}
	return -1
}

func (id AvID) String() string {
	switch id {
	case AvEOL:
		return "MsvAvEOL"
	case AvNbComputerName:
		return "MsvAvNbComputerName"
	case AvNbDomainName:
		return "MsvAvNbDomainName"
	case AvDNSComputerName:
		return "MsvAvDnsComputerName"
	case AvDNSDomainName:
		return "MsvAvDnsDomainName"
	case AvDNSTreeName:
		return "MsvAvDnsTreeName"
	case AvFlags:
		return "MsvAvFlags"
	case AvTimestamp:
		return "MsvAvTimestamp"
	case AvSingleHost:
		return "MsvAvSingleHost"
	case AvTargetName:
		return "MsvAvTargetName"
	case AvChannelBindings:
		return "MsvAvChannelBindings"
	}
	return fmt.Sprintf("AvId(0x%04x)", uint16(id))
}
