package ntlm

import (
	"fmt"
	"strings"
)

// Flags are the NegotiateFlags of MS-NLMP 2.2.2.5.
type Flags uint32

// The NegotiateFlags bits (MS-NLMP 2.2.2.5; the letters in comments are the
// specification's bit names).
const (
	FlagUnicode                 Flags = 0x00000001 // A: NTLMSSP_NEGOTIATE_UNICODE
	FlagOEM                     Flags = 0x00000002 // B: NTLM_NEGOTIATE_OEM
	FlagRequestTarget           Flags = 0x00000004 // C: NTLMSSP_REQUEST_TARGET
	FlagSign                    Flags = 0x00000010 // D: NTLMSSP_NEGOTIATE_SIGN
	FlagSeal                    Flags = 0x00000020 // E: NTLMSSP_NEGOTIATE_SEAL
	FlagDatagram                Flags = 0x00000040 // F: NTLMSSP_NEGOTIATE_DATAGRAM
	FlagLMKey                   Flags = 0x00000080 // G: NTLMSSP_NEGOTIATE_LM_KEY
	FlagNTLM                    Flags = 0x00000200 // H: NTLMSSP_NEGOTIATE_NTLM
	FlagAnonymous               Flags = 0x00000800 // J: anonymous connection
	FlagOEMDomainSupplied       Flags = 0x00001000 // K: NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED
	FlagOEMWorkstationSupplied  Flags = 0x00002000 // L: NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED
	FlagAlwaysSign              Flags = 0x00008000 // M: NTLMSSP_NEGOTIATE_ALWAYS_SIGN
	FlagTargetTypeDomain        Flags = 0x00010000 // N: NTLMSSP_TARGET_TYPE_DOMAIN
	FlagTargetTypeServer        Flags = 0x00020000 // O: NTLMSSP_TARGET_TYPE_SERVER
	FlagExtendedSessionSecurity Flags = 0x00080000 // P: NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY
	FlagIdentify                Flags = 0x00100000 // Q: NTLMSSP_NEGOTIATE_IDENTIFY
	FlagRequestNonNTSessionKey  Flags = 0x00400000 // R: NTLMSSP_REQUEST_NON_NT_SESSION_KEY
	FlagTargetInfo              Flags = 0x00800000 // S: NTLMSSP_NEGOTIATE_TARGET_INFO
	FlagVersion                 Flags = 0x02000000 // T: NTLMSSP_NEGOTIATE_VERSION
	Flag128                     Flags = 0x20000000 // U: NTLMSSP_NEGOTIATE_128
	FlagKeyExchange             Flags = 0x40000000 // V: NTLMSSP_NEGOTIATE_KEY_EXCH
	Flag56                      Flags = 0x80000000 // W: NTLMSSP_NEGOTIATE_56
)

// flagName is the MS-NLMP name of a single flag bit, "" for unused bits.
func flagName(f Flags) string {
	switch f {
	case FlagUnicode:
		return "UNICODE"
	case FlagOEM:
		return "OEM"
	case FlagRequestTarget:
		return "REQUEST_TARGET"
	case FlagSign:
		return "SIGN"
	case FlagSeal:
		return "SEAL"
	case FlagDatagram:
		return "DATAGRAM"
	case FlagLMKey:
		return "LM_KEY"
	case FlagNTLM:
		return "NTLM"
	case FlagAnonymous:
		return "ANONYMOUS"
	case FlagOEMDomainSupplied:
		return "OEM_DOMAIN_SUPPLIED"
	case FlagOEMWorkstationSupplied:
		return "OEM_WORKSTATION_SUPPLIED"
	case FlagAlwaysSign:
		return "ALWAYS_SIGN"
	case FlagTargetTypeDomain:
		return "TARGET_TYPE_DOMAIN"
	case FlagTargetTypeServer:
		return "TARGET_TYPE_SERVER"
	case FlagExtendedSessionSecurity:
		return "EXTENDED_SESSIONSECURITY"
	case FlagIdentify:
		return "IDENTIFY"
	case FlagRequestNonNTSessionKey:
		return "REQUEST_NON_NT_SESSION_KEY"
	case FlagTargetInfo:
		return "TARGET_INFO"
	case FlagVersion:
		return "VERSION"
	case Flag128:
		return "128"
	case FlagKeyExchange:
		return "KEY_EXCH"
	case Flag56:
		return "56"
	}
	return ""
}

// Has reports whether all bits of g are set in f.
func (f Flags) Has(g Flags) bool { return f&g == g }

// String lists the set flags by their MS-NLMP names, for error messages and
// logs: "UNICODE|NTLM|... (0xe2088297)".
func (f Flags) String() string {
	var names []string
	for bit := Flags(1); bit != 0; bit <<= 1 {
		if f&bit == 0 {
			continue
		}
		if n := flagName(bit); n != "" {
			names = append(names, n)
		} else {
			names = append(names, fmt.Sprintf("0x%08x", uint32(bit)))
		}
	}
	return fmt.Sprintf("%s (0x%08x)", strings.Join(names, "|"), uint32(f))
}

// securityFlags are the bits an AUTHENTICATE_MESSAGE may not add to those
// the CHALLENGE_MESSAGE offered: each changes the keys or the protection.
const securityFlags = FlagSign | FlagSeal | FlagLMKey | FlagExtendedSessionSecurity | Flag128 | FlagKeyExchange | Flag56 | FlagDatagram
