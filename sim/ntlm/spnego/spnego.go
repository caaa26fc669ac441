// Package spnego decodes and encodes the SPNEGO tokens (RFC 4178, with the
// Windows conventions of MS-SPNG) that carry NTLM messages when a client
// authenticates with "Negotiate" instead of raw NTLM: the initiator's
// NegTokenInit inside the GSS-API InitialContextToken framing, and the
// NegTokenResp both sides exchange afterwards.
//
// It is the acceptor's half only: it parses what clients send and builds
// the NegTokenResp a server answers with. Choosing a mechanism and running
// it is the caller's business (package ntlm does it for NTLM).
//
// The decoder is strict where RFC 4178 is: DER only (encoding/asn1 refuses
// indefinite lengths and non-minimal encodings), no trailing bytes, the
// GSS-API framing must name the SPNEGO OID. NegTokenInit2 (MS-SPNG's
// server-initiated variant with negHints) is never sent by initiators and
// is refused as malformed.
package spnego

import (
	"encoding/asn1"
	"errors"
	"fmt"
)

// ErrMalformed wraps every decoding error.
var ErrMalformed = errors.New("spnego: malformed token")

// The object identifiers SPNEGO offers name. They are functions because
// asn1.ObjectIdentifier is a slice a caller could modify.
func oidSPNEGO() asn1.ObjectIdentifier { return asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 2} }

// OIDNTLM is NTLMSSP's mechanism OID, 1.3.6.1.4.1.311.2.2.10.
func OIDNTLM() asn1.ObjectIdentifier {
	return asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 2, 10}
}

// Mech classifies a mechanism OID.
type Mech int

// The mechanisms Windows clients offer.
const (
	MechOther       Mech = iota // anything else
	MechNTLM                    // 1.3.6.1.4.1.311.2.2.10
	MechKerberos                // 1.2.840.113554.1.2.2 (RFC 4121)
	MechMSKerberos              // 1.2.840.48018.1.2.2, Windows' legacy Kerberos OID
	MechKerberosU2U             // 1.2.840.113554.1.2.2.3, Kerberos user-to-user
	MechNegoEx                  // 1.3.6.1.4.1.311.2.2.30, MS-NEGOEX
)

// MechOf classifies oid.
func MechOf(oid asn1.ObjectIdentifier) Mech {
	switch {
	case oid.Equal(OIDNTLM()):
		return MechNTLM
	case oid.Equal(asn1.ObjectIdentifier{1, 2, 840, 113554, 1, 2, 2}):
		return MechKerberos
	case oid.Equal(asn1.ObjectIdentifier{1, 2, 840, 48018, 1, 2, 2}):
		return MechMSKerberos
	case oid.Equal(asn1.ObjectIdentifier{1, 2, 840, 113554, 1, 2, 2, 3}):
		return MechKerberosU2U
	case oid.Equal(asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 2, 30}):
		return MechNegoEx
	}
	return MechOther
}

// IsKerberos reports whether m is one of the Kerberos mechanisms.
func (m Mech) IsKerberos() bool {
	return m == MechKerberos || m == MechMSKerberos || m == MechKerberosU2U
}

// NegTokenInit is the initiator's first token (RFC 4178 4.2.1).
type NegTokenInit struct {
	MechTypes []asn1.ObjectIdentifier // in the initiator's order of preference
	// MechTypesDER is the MechTypeList exactly as received: the
	// mechListMIC is computed over these bytes (RFC 4178 5).
	MechTypesDER []byte
	ReqFlags     asn1.BitString
	MechToken    []byte // the optimistic token for MechTypes[0], if any
	MechListMIC  []byte
}

// sequenceFields splits the SEQUENCE of explicitly tagged fields that
// NegTokenInit and NegTokenResp both are into the contents of each field
// ([n] -> inner element's encoding), refusing what encoding/asn1's struct
// decoding lets through: fields out of order, twice, or unknown (above
// maxTag), and trailing bytes.
func sequenceFields(b []byte, maxTag int, name string) (map[int][]byte, error) {
	var seq asn1.RawValue
	rest, err := asn1.Unmarshal(b, &seq)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrMalformed, name, err)
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the %s", ErrMalformed, len(rest), name)
	}
	if seq.Class != asn1.ClassUniversal || seq.Tag != asn1.TagSequence || !seq.IsCompound {
		return nil, fmt.Errorf("%w: %s is not a SEQUENCE", ErrMalformed, name)
	}
	fields := map[int][]byte{}
	last := -1
	for b := seq.Bytes; len(b) > 0; {
		var f asn1.RawValue
		if b, err = asn1.Unmarshal(b, &f); err != nil {
			return nil, fmt.Errorf("%w: %s field: %v", ErrMalformed, name, err)
		}
		if f.Class != asn1.ClassContextSpecific || !f.IsCompound || f.Tag > maxTag || f.Tag <= last {
			return nil, fmt.Errorf("%w: %s: unexpected field (class %d, tag %d) after tag %d", ErrMalformed, name, f.Class, f.Tag, last)
		}
		last = f.Tag
		fields[f.Tag] = f.Bytes
	}
	return fields, nil
}

// IsInitialToken reports whether b looks like a GSS-API InitialContextToken
// ([APPLICATION 0]), the framing of a client's first SPNEGO token.
func IsInitialToken(b []byte) bool { return len(b) > 0 && b[0] == 0x60 }

// IsNegTokenResp reports whether b looks like a NegTokenResp ([1]).
func IsNegTokenResp(b []byte) bool { return len(b) > 0 && b[0] == 0xa1 }

// ParseInitialToken decodes the initiator's first token: the GSS-API
// InitialContextToken framing (RFC 2743 3.1) naming SPNEGO, around a
// NegTokenInit.
func ParseInitialToken(b []byte) (*NegTokenInit, error) {
	var app asn1.RawValue
	rest, err := asn1.Unmarshal(b, &app)
	if err != nil {
		return nil, fmt.Errorf("%w: InitialContextToken: %v", ErrMalformed, err)
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the InitialContextToken", ErrMalformed, len(rest))
	}
	if app.Class != asn1.ClassApplication || app.Tag != 0 || !app.IsCompound {
		return nil, fmt.Errorf("%w: not a GSS-API InitialContextToken (class %d, tag %d)", ErrMalformed, app.Class, app.Tag)
	}
	var oid asn1.ObjectIdentifier
	inner, err := asn1.Unmarshal(app.Bytes, &oid)
	if err != nil {
		return nil, fmt.Errorf("%w: InitialContextToken thisMech: %v", ErrMalformed, err)
	}
	if !oid.Equal(oidSPNEGO()) {
		return nil, fmt.Errorf("%w: InitialContextToken names mechanism %s, not SPNEGO (1.3.6.1.5.5.2)", ErrMalformed, oid)
	}
	body, err := unwrapChoice(inner, 0, "NegTokenInit")
	if err != nil {
		return nil, err
	}
	fields, err := sequenceFields(body, 3, "NegTokenInit")
	if err != nil {
		return nil, err
	}
	mechs, ok := fields[0]
	if !ok {
		return nil, fmt.Errorf("%w: NegTokenInit without mechTypes", ErrMalformed)
	}
	t := &NegTokenInit{MechTypesDER: mechs}
	if err := unmarshalAll(mechs, &t.MechTypes, "mechTypes"); err != nil {
		return nil, err
	}
	if len(t.MechTypes) == 0 {
		return nil, fmt.Errorf("%w: NegTokenInit offers no mechanism", ErrMalformed)
	}
	if f, ok := fields[1]; ok {
		if err := unmarshalAll(f, &t.ReqFlags, "reqFlags"); err != nil {
			return nil, err
		}
	}
	if f, ok := fields[2]; ok {
		if err := unmarshalAll(f, &t.MechToken, "mechToken"); err != nil {
			return nil, err
		}
	}
	if f, ok := fields[3]; ok {
		if err := unmarshalAll(f, &t.MechListMIC, "mechListMIC"); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// unwrapChoice strips the context-specific tag of a NegotiationToken CHOICE
// ([0] NegTokenInit, [1] NegTokenResp) and returns its contents, refusing
// trailing bytes.
func unwrapChoice(b []byte, tag int, name string) ([]byte, error) {
	var choice asn1.RawValue
	rest, err := asn1.Unmarshal(b, &choice)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrMalformed, name, err)
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the %s", ErrMalformed, len(rest), name)
	}
	if choice.Class != asn1.ClassContextSpecific || choice.Tag != tag || !choice.IsCompound {
		return nil, fmt.Errorf("%w: expected %s ([%d]), got class %d tag %d", ErrMalformed, name, tag, choice.Class, choice.Tag)
	}
	return choice.Bytes, nil
}

// NegState is a NegTokenResp's negState (RFC 4178 4.2.2).
type NegState int

// The negotiation states.
const (
	AcceptCompleted  NegState = 0
	AcceptIncomplete NegState = 1
	Reject           NegState = 2
	RequestMIC       NegState = 3
)

func (s NegState) String() string {
	switch s {
	case AcceptCompleted:
		return "accept-completed"
	case AcceptIncomplete:
		return "accept-incomplete"
	case Reject:
		return "reject"
	case RequestMIC:
		return "request-mic"
	}
	return fmt.Sprintf("negState(%d)", int(s))
}

// NegTokenResp is a response token (RFC 4178 4.2.2). All fields are
// optional on the wire; HasState says whether negState was present (its
// zero value, accept-completed, is a meaningful state).
type NegTokenResp struct {
	HasState      bool
	State         NegState
	SupportedMech asn1.ObjectIdentifier
	ResponseToken []byte
	MechListMIC   []byte
}

// ParseNegTokenResp decodes a NegTokenResp ([1] SEQUENCE).
func ParseNegTokenResp(b []byte) (*NegTokenResp, error) {
	body, err := unwrapChoice(b, 1, "NegTokenResp")
	if err != nil {
		return nil, err
	}
	fields, err := sequenceFields(body, 3, "NegTokenResp")
	if err != nil {
		return nil, err
	}
	t := &NegTokenResp{}
	if f, ok := fields[0]; ok {
		var e asn1.Enumerated
		if err := unmarshalAll(f, &e, "negState"); err != nil {
			return nil, err
		}
		if e < 0 || e > 3 {
			return nil, fmt.Errorf("%w: negState %d is not one of RFC 4178's four", ErrMalformed, e)
		}
		t.HasState, t.State = true, NegState(e)
	}
	if f, ok := fields[1]; ok {
		if err := unmarshalAll(f, &t.SupportedMech, "supportedMech"); err != nil {
			return nil, err
		}
	}
	if f, ok := fields[2]; ok {
		if err := unmarshalAll(f, &t.ResponseToken, "responseToken"); err != nil {
			return nil, err
		}
	}
	if f, ok := fields[3]; ok {
		if err := unmarshalAll(f, &t.MechListMIC, "mechListMIC"); err != nil {
			return nil, err
		}
	}
	return t, nil
}

func unmarshalAll(b []byte, v any, name string) error {
	rest, err := asn1.Unmarshal(b, v)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrMalformed, name, err)
	}
	if len(rest) != 0 {
		return fmt.Errorf("%w: %d bytes after %s", ErrMalformed, len(rest), name)
	}
	return nil
}

// Marshal encodes the NegTokenResp as DER. It is written field by field
// because encoding/asn1 would drop an optional negState of 0
// (accept-completed) as a zero value.
func (t *NegTokenResp) Marshal() ([]byte, error) {
	var seq []byte
	add := func(tag int, v any) error {
		inner, err := asn1.Marshal(v)
		if err != nil {
			return err
		}
		field, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: tag, IsCompound: true, Bytes: inner})
		seq = append(seq, field...)
		return err
	}
	var err error
	if t.HasState {
		err = errors.Join(err, add(0, asn1.Enumerated(t.State)))
	}
	if t.SupportedMech != nil {
		err = errors.Join(err, add(1, t.SupportedMech))
	}
	if t.ResponseToken != nil {
		err = errors.Join(err, add(2, t.ResponseToken))
	}
	if t.MechListMIC != nil {
		err = errors.Join(err, add(3, t.MechListMIC))
	}
	if err != nil {
		return nil, fmt.Errorf("spnego: encode NegTokenResp: %w", err)
	}
	body, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: seq})
	if err != nil {
		return nil, fmt.Errorf("spnego: encode NegTokenResp: %w", err)
	}
	out, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 1, IsCompound: true, Bytes: body})
	if err != nil {
		return nil, fmt.Errorf("spnego: encode NegTokenResp: %w", err)
	}
	return out, nil
}
