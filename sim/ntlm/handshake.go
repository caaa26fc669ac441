package ntlm

import (
	"fmt"
	"io"
	"time"

	"github.com/pchatdr/harness/sim/ntlm/spnego"
)

// Result is the outcome of a successful handshake.
type Result struct {
	// Account is who logged on, as the account store spells it: its
	// String() is the canonical DOMAIN\user.
	Account Account
	// Domain and User are the names as the client sent them (a UPN
	// arrives as User "sqlsvc@contoso.com" with an empty Domain).
	Domain, User string
	Workstation  string
	Flags        Flags // the flags of the AUTHENTICATE_MESSAGE, which key the session
	MIC          bool  // the client sent a MIC and it verified
	// Session signs and seals the connection's messages after the logon.
	Session *Session
}

type hsState int

const (
	stateStart            hsState = iota // waiting for NEGOTIATE (raw) or NegTokenInit
	stateWaitNegotiate                   // SPNEGO chose NTLM without a token: waiting for NEGOTIATE
	stateWaitAuthenticate                // CHALLENGE sent
	stateDone                            // authenticated
	stateFailed                          // an error ended the handshake
)

// Handshake is the server side of one client's NTLM logon: the caller
// feeds each token the client sends to Step and sends back what Step
// returns, until Done. Tokens may be raw NTLM messages or SPNEGO tokens
// carrying them; the answers use the client's wrapping.
//
//	h := srv.NewHandshake()
//	out, err := h.Step(firstToken)  // NEGOTIATE in, CHALLENGE out
//	...
//	out, err = h.Step(secondToken)  // AUTHENTICATE in; h.Done()
//	res := h.Result()               // res.Account.String() == `CONTOSO\sqlsvc`
//
// Any error ends the handshake: later tokens get ErrOutOfSequence, as a
// Windows server deletes the security context of a failed logon. A
// Handshake is used by one connection at a time and is not safe for
// concurrent use.
type Handshake struct {
	srv   *Server
	state hsState

	spnego        bool   // the client wraps its tokens in SPNEGO
	mechTypes     []byte // the DER MechTypeList of the NegTokenInit
	ntlmPreferred bool   // NTLM was the client's first choice

	negotiate []byte // NEGOTIATE_MESSAGE as received
	challenge []byte // CHALLENGE_MESSAGE as sent
	chal      challengeMessage
	issued    time.Time
	timestamp uint64 // MsvAvTimestamp sent, 0 if none

	cbHash   [16]byte
	cbPolicy ChannelBindingPolicy

	result *Result
}

// NewHandshake starts the server side of one logon.
func (s *Server) NewHandshake(opts ...HandshakeOption) *Handshake {
	h := &Handshake{srv: s}
	for _, o := range opts {
		o(h)
	}
	return h
}

// Done reports whether the client is authenticated.
func (h *Handshake) Done() bool { return h.state == stateDone }

// Result is the authenticated logon, nil until Done.
func (h *Handshake) Result() *Result { return h.result }

// SPNEGO reports whether the client wrapped its tokens in SPNEGO; an HTTP
// server answers "Negotiate" either way, as Windows does.
func (h *Handshake) SPNEGO() bool { return h.spnego }

// Step consumes the client's next token and returns the token to send
// back, which may be nil: a raw NTLM logon ends with no token, a SPNEGO one
// with an accept-completed NegTokenResp. After an error, the handshake is
// over and the caller refuses the logon.
func (h *Handshake) Step(token []byte) ([]byte, error) {
	out, err := h.step(token)
	if err != nil {
		if h.state != stateFailed && h.state != stateDone {
			h.state = stateFailed
		}
		return nil, err
	}
	return out, nil
}

func (h *Handshake) step(token []byte) ([]byte, error) {
	switch h.state {
	case stateDone:
		return nil, fmt.Errorf("%w: the logon already completed; a new logon needs a new handshake", ErrOutOfSequence)
	case stateFailed:
		return nil, fmt.Errorf("%w: the handshake already failed", ErrOutOfSequence)
	}
	if len(token) == 0 {
		return nil, malformed("empty token")
	}
	if len(token) > MaxTokenSize {
		return nil, malformed("token of %d bytes, above the %d-byte limit", len(token), MaxTokenSize)
	}
	if h.state == stateStart {
		switch {
		case isNTLM(token):
			return h.acceptNegotiate(token)
		case spnego.IsInitialToken(token):
			h.spnego = true
			return h.acceptNegTokenInit(token)
		case spnego.IsNegTokenResp(token):
			return nil, fmt.Errorf("%w: a SPNEGO NegTokenResp before the NegTokenInit", ErrOutOfSequence)
		}
		return nil, malformed("the token is neither an NTLM message (NTLMSSP) nor a SPNEGO token (first byte 0x%02x)", token[0])
	}
	if !h.spnego {
		if !isNTLM(token) {
			return nil, fmt.Errorf("%w: a non-NTLM token in a raw NTLM handshake", ErrOutOfSequence)
		}
		return h.acceptAuthenticate(token)
	}
	if isNTLM(token) {
		return nil, fmt.Errorf("%w: a raw NTLM message in a SPNEGO handshake", ErrOutOfSequence)
	}
	resp, err := spnego.ParseNegTokenResp(token)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if resp.HasState && resp.State == spnego.Reject {
		return nil, fmt.Errorf("%w: the client rejected the negotiation", ErrOutOfSequence)
	}
	if len(resp.ResponseToken) == 0 {
		return nil, malformed("SPNEGO NegTokenResp carries no NTLM message")
	}
	if h.state == stateWaitNegotiate {
		challenge, err := h.acceptNegotiate(resp.ResponseToken)
		if err != nil {
			return nil, err
		}
		return (&spnego.NegTokenResp{HasState: true, State: spnego.AcceptIncomplete, ResponseToken: challenge}).Marshal()
	}
	if _, err := h.acceptAuthenticate(resp.ResponseToken); err != nil {
		return nil, err
	}
	final := &spnego.NegTokenResp{HasState: true, State: spnego.AcceptCompleted}
	switch {
	case len(resp.MechListMIC) > 0:
		mic, err := h.result.Session.mechListMIC(h.mechTypes, resp.MechListMIC)
		if err != nil {
			h.result, h.state = nil, stateFailed
			return nil, err
		}
		final.MechListMIC = mic
	case !h.ntlmPreferred:
		// RFC 4178 5: when the chosen mechanism was not the initiator's
		// first choice, only the mechListMIC proves the list was not
		// tampered with to force the downgrade.
		h.result, h.state = nil, stateFailed
		return nil, fmt.Errorf("%w: NTLM was not the client's first choice and the client sent no mechListMIC", ErrMechListMIC)
	}
	return final.Marshal()
}

// isNTLM reports whether token is a raw NTLM message.
func isNTLM(token []byte) bool { return len(token) >= 8 && string(token[:8]) == signature }

// ntlmType is the message type of a raw NTLM message, 0 if too short.
func ntlmType(token []byte) uint32 {
	if len(token) < 12 {
		return 0
	}
	return le.Uint32(token[8:])
}

// acceptNegTokenInit answers the client's first SPNEGO token: NTLM is the
// only mechanism the simulator offers.
func (h *Handshake) acceptNegTokenInit(token []byte) ([]byte, error) {
	init, err := spnego.ParseInitialToken(token)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	at, kerberos := -1, false
	for i, m := range init.MechTypes {
		switch mech := spnego.MechOf(m); {
		case mech == spnego.MechNTLM && at < 0:
			at = i
		case mech.IsKerberos():
			kerberos = true
		}
	}
	if at < 0 {
		if kerberos {
			return nil, fmt.Errorf("%w (offered: %v)", ErrKerberosOnly, init.MechTypes)
		}
		return nil, fmt.Errorf("%w: the client offers %v; this server accepts NTLM (1.3.6.1.4.1.311.2.2.10) only", ErrNoCommonMechanism, init.MechTypes)
	}
	h.mechTypes, h.ntlmPreferred = init.MechTypesDER, at == 0
	if at == 0 && len(init.MechToken) > 0 {
		challenge, err := h.acceptNegotiate(init.MechToken)
		if err != nil {
			return nil, err
		}
		return (&spnego.NegTokenResp{HasState: true, State: spnego.AcceptIncomplete, SupportedMech: spnego.OIDNTLM(), ResponseToken: challenge}).Marshal()
	}
	// NTLM is not the first choice (the optimistic token, if any, is for
	// another mechanism) or came without a token: name it and wait for
	// its NEGOTIATE_MESSAGE. request-mic tells the client the mechListMIC
	// exchange is mandatory (RFC 4178 4.2.2).
	h.state = stateWaitNegotiate
	state := spnego.AcceptIncomplete
	if at != 0 {
		state = spnego.RequestMIC
	}
	return (&spnego.NegTokenResp{HasState: true, State: state, SupportedMech: spnego.OIDNTLM()}).Marshal()
}

// acceptNegotiate answers a NEGOTIATE_MESSAGE with a CHALLENGE_MESSAGE.
func (h *Handshake) acceptNegotiate(msg []byte) ([]byte, error) {
	if t := ntlmType(msg); t == typeAuthenticate || t == typeChallenge {
		return nil, fmt.Errorf("%w: NTLM message type %d where the NEGOTIATE_MESSAGE belongs", ErrOutOfSequence, t)
	}
	neg, err := ParseNegotiate(msg)
	if err != nil {
		return nil, err
	}
	flags, err := challengeFlags(neg.Flags)
	if err != nil {
		return nil, err
	}
	cfg := h.srv.cfg
	h.issued = cfg.Now()
	h.chal = challengeMessage{flags: flags, targetInfo: h.srv.targetInfo(h.issued), version: cfg.Version}
	if flags.Has(FlagRequestTarget) {
		h.chal.targetName = cfg.Domain
	}
	if _, err := io.ReadFull(cfg.Rand, h.chal.serverChallenge[:]); err != nil {
		return nil, fmt.Errorf("ntlm: draw server challenge: %w", err)
	}
	h.timestamp = FileTime(h.issued)
	h.negotiate = append([]byte(nil), msg...)
	h.challenge = h.chal.marshal()
	h.state = stateWaitAuthenticate
	return h.challenge, nil
}

// challengeFlags computes the CHALLENGE_MESSAGE's flags from the client's,
// as a domain-joined Windows server does (MS-NLMP 3.2.5.1.1): the
// client's character set, the session-security options it asked for, NTLM
// and target information always, the target named as a domain.
func challengeFlags(client Flags) (Flags, error) {
	if client.Has(FlagDatagram) {
		return 0, fmt.Errorf("%w: connectionless NTLM (NTLMSSP_NEGOTIATE_DATAGRAM); WinRM and TDS are connection-oriented", ErrUnsupported)
	}
	// Unicode when offered, else the OEM character set (MS-NLMP 3.2.5.1.1).
	// Python's ntlm_auth, under pywinrm, offers OEM only.
	var f Flags
	switch {
	case client.Has(FlagUnicode):
		f = FlagUnicode
	case client.Has(FlagOEM):
		f = FlagOEM
	default:
		return 0, malformed("the NEGOTIATE_MESSAGE offers neither Unicode nor OEM (flags %s)", client)
	}
	f |= FlagNTLM | FlagTargetInfo
	f |= client & (FlagSign | FlagSeal | FlagAlwaysSign | FlagKeyExchange | Flag128 | Flag56 | FlagIdentify | FlagVersion | FlagExtendedSessionSecurity)
	// The target name (the domain) answers REQUEST_TARGET; Windows also
	// sends it to clients asking for extended session security, which
	// derive the NTLMv2 key from it when the user gave no domain.
	if client&(FlagRequestTarget|FlagExtendedSessionSecurity) != 0 {
		f |= FlagRequestTarget | FlagTargetTypeDomain
	}
	if f&(FlagSign|FlagSeal) != 0 {
		// Stricter: NTLMv1-style session keys (without extended session
		// security) are not implemented, and Windows' default policy
		// since Windows 7 ("Minimum session security for NTLM SSP based
		// servers: Require 128-bit encryption") refuses shorter keys.
		if !f.Has(FlagExtendedSessionSecurity) {
			return 0, fmt.Errorf("%w: signing or sealing without extended session security (NTLMv1 session keys); client flags %s", ErrUnsupported, client)
		}
		if !f.Has(Flag128) {
			return 0, fmt.Errorf("%w: signing or sealing without 128-bit keys (NTLMSSP_NEGOTIATE_128); client flags %s", ErrWeakSecurity, client)
		}
	}
	return f, nil
}
