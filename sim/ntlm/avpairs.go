package ntlm

import "fmt"

// avID identifies an AV_PAIR (MS-NLMP 2.2.2.1).
type avID uint16

// The AV_PAIR identifiers of MS-NLMP 2.2.2.1.
const (
	avEOL             avID = 0x0000 // MsvAvEOL: end of the list
	avNbComputerName  avID = 0x0001 // MsvAvNbComputerName
	avNbDomainName    avID = 0x0002 // MsvAvNbDomainName
	avDNSComputerName avID = 0x0003 // MsvAvDnsComputerName
	avDNSDomainName   avID = 0x0004 // MsvAvDnsDomainName
	avDNSTreeName     avID = 0x0005 // MsvAvDnsTreeName
	avFlags           avID = 0x0006 // MsvAvFlags
	avTimestamp       avID = 0x0007 // MsvAvTimestamp
	avSingleHost      avID = 0x0008 // MsvAvSingleHost
	avTargetName      avID = 0x0009 // MsvAvTargetName
	avChannelBindings avID = 0x000A // MsvAvChannelBindings
)

// The MsvAvFlags bit this server acts on and the size of the channel
// binding hash (MS-NLMP 2.2.2.1).
const (
	avFlagMIC           = 0x2 // the AUTHENTICATE_MESSAGE carries a MIC
	channelBindingsSize = 16  // MsvAvChannelBindings is an MD5
)

// avPair is one AV_PAIR.
type avPair struct {
	id    avID
	value []byte
}

// avList is an AV_PAIR list in wire order, without the terminating MsvAvEOL.
type avList []avPair

// get returns the value of the pair with the given id.
func (l avList) get(id avID) ([]byte, bool) {
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
	seen := map[avID]bool{}
	for {
		if len(b) < 4 {
			return nil, nil, malformed("%s AV_PAIR list ends without MsvAvEOL", where)
		}
		id, n := avID(le.Uint16(b)), int(le.Uint16(b[2:]))
		b = b[4:]
		if n > len(b) {
			return nil, nil, malformed("%s AV_PAIR 0x%04x claims %d bytes, only %d remain", where, uint16(id), n, len(b))
		}
		if id == avEOL {
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
func fixedAVSize(id avID) int {
	switch id {
	case avFlags:
		return 4
	case avTimestamp:
		return 8
	case avChannelBindings:
		return channelBindingsSize
	}
	return -1
}

func (id avID) String() string {
	switch id {
	case avEOL:
		return "MsvAvEOL"
	case avNbComputerName:
		return "MsvAvNbComputerName"
	case avNbDomainName:
		return "MsvAvNbDomainName"
	case avDNSComputerName:
		return "MsvAvDnsComputerName"
	case avDNSDomainName:
		return "MsvAvDnsDomainName"
	case avDNSTreeName:
		return "MsvAvDnsTreeName"
	case avFlags:
		return "MsvAvFlags"
	case avTimestamp:
		return "MsvAvTimestamp"
	case avSingleHost:
		return "MsvAvSingleHost"
	case avTargetName:
		return "MsvAvTargetName"
	case avChannelBindings:
		return "MsvAvChannelBindings"
	}
	return fmt.Sprintf("AvId(0x%04x)", uint16(id))
}
