package ntlm

import (
	"crypto/hmac"
	"fmt"
)

// acceptAuthenticate verifies an AUTHENTICATE_MESSAGE (MS-NLMP 3.2.5.1.2)
// and ends the handshake. A raw NTLM logon sends nothing back.
func (h *Handshake) acceptAuthenticate(msg []byte) ([]byte, error) {
	if t := ntlmType(msg); t == typeNegotiate || t == typeChallenge {
		return nil, fmt.Errorf("%w: NTLM message type %d where the AUTHENTICATE_MESSAGE belongs", ErrOutOfSequence, t)
	}
	if h.state != stateWaitAuthenticate {
		return nil, fmt.Errorf("%w: an AUTHENTICATE_MESSAGE before the CHALLENGE_MESSAGE", ErrOutOfSequence)
	}
	res, err := h.verify(msg)
	if err != nil {
		return nil, err
	}
	h.result, h.state = res, stateDone
	return nil, nil
}

// verify checks the AUTHENTICATE_MESSAGE against the challenge this
// handshake sent and the account's password hash.
func (h *Handshake) verify(msg []byte) (*Result, error) {
	cfg := h.srv.cfg
	auth, err := ParseAuthenticate(msg)
	if err != nil {
		return nil, err
	}
	if extra := auth.Flags & securityFlags &^ h.chal.flags; extra != 0 {
		return nil, malformed("AUTHENTICATE_MESSAGE sets flags the CHALLENGE_MESSAGE did not offer: %s", extra)
	}
	if auth.Flags&FlagUnicode != h.chal.flags&FlagUnicode {
		return nil, malformed("AUTHENTICATE_MESSAGE names are in another character set than the one negotiated (flags %s, CHALLENGE_MESSAGE %s)", auth.Flags, h.chal.flags)
	}

	// MS-NLMP 3.2.5.1.2: no user name and no NT response (the LM response
	// empty or Z(1)) is the anonymous logon.
	if auth.Flags.Has(FlagAnonymous) || (auth.User == "" && len(auth.NTResponse) == 0 &&
		(len(auth.LMResponse) == 0 || (len(auth.LMResponse) == 1 && auth.LMResponse[0] == 0))) {
		return nil, fmt.Errorf("%w: the client asked for a null session", ErrAnonymous)
	}
	switch n := len(auth.NTResponse); {
	case n == 24:
		return nil, fmt.Errorf("%w: the 24-byte NT response of user %q is NTLMv1 or NTLM2 session security", ErrNTLMv1Refused, auth.User)
	case n == 0:
		return nil, fmt.Errorf("%w: user %q sent an LM response only", ErrNTLMv1Refused, auth.User)
	}
	resp, err := parseNTLMv2Response(auth.NTResponse)
	if err != nil {
		return nil, err
	}
	if n := len(auth.LMResponse); n != 0 && n != 24 {
		return nil, malformed("LmChallengeResponse is %d bytes; an LMv2 response is 24", n)
	}
	if auth.User == "" {
		return nil, &LogonError{Domain: auth.Domain, User: auth.User, Reason: ReasonEmptyUser}
	}

	domains, name, err := h.srv.resolve(auth.Domain, auth.User)
	if err != nil {
		return nil, err
	}
	var acct Account
	found := false
	for _, d := range domains {
		if acct, found = cfg.Accounts.Lookup(d, name); found {
			break
		}
	}
	if !found {
		return nil, &LogonError{Domain: auth.Domain, User: auth.User, Reason: ReasonUnknownUser}
	}

	// NTOWFv2 with UserDom as sent; MS-NLMP says servers SHOULD also accept
	// clients that wrongly hash an empty UserDom.
	var key, proof []byte
	for _, dom := range [][]byte{auth.rawDomain, nil} {
		key = ntowfv2(acct.NTHash, auth.User, dom)
		if p := ntProofStr(key, h.chal.serverChallenge, resp.blob); hmac.Equal(p, resp.proof) {
			proof = p
			break
		}
		if len(auth.rawDomain) == 0 {
			break
		}
	}
	if proof == nil {
		return nil, &LogonError{Domain: auth.Domain, User: auth.User, Reason: ReasonWrongPassword}
	}
	// Stricter: MS-NLMP accepts the logon when either the NT or the LM
	// response matches. Here the NTLMv2 response must, and an LMv2
	// response other than Z(24) (which clients send when the challenge has
	// MsvAvTimestamp) must match as well: a client holding the password
	// computes both right.
	if len(auth.LMResponse) == 24 && !allZero(auth.LMResponse) {
		if want := lmv2Response(key, h.chal.serverChallenge, auth.LMResponse[16:]); !hmac.Equal(want, auth.LMResponse) {
			return nil, &LogonError{Domain: auth.Domain, User: auth.User, Reason: ReasonBadLMv2}
		}
	}
	if err := h.checkTime(resp); err != nil {
		return nil, err
	}
	if err := h.checkChannelBindings(resp); err != nil {
		return nil, err
	}

	kxKey := sessionBaseKey(key, proof)
	exported := kxKey
	// MS-NLMP's client pseudocode exchanges a random session key whenever
	// KEY_EXCH is negotiated (its server pseudocode adds "and SIGN or
	// SEAL"); following the client keeps the MIC verifiable for clients
	// that exchange keys without session security.
	if auth.Flags.Has(FlagKeyExchange) {
		if len(auth.EncryptedRandomSessionKey) != 16 {
			return nil, malformed("NTLMSSP_NEGOTIATE_KEY_EXCH is set but EncryptedRandomSessionKey is %d bytes, not 16", len(auth.EncryptedRandomSessionKey))
		}
		exported = rc4K(kxKey, auth.EncryptedRandomSessionKey)
	}

	res := &Result{Account: acct, Domain: auth.Domain, User: auth.User, Workstation: auth.Workstation, Flags: auth.Flags}
	if flags, ok := resp.avPairs.get(avFlags); ok && le.Uint32(flags)&avFlagMIC != 0 {
		if auth.MIC == nil {
			return nil, malformed("MsvAvFlags announces a MIC but the AUTHENTICATE_MESSAGE has no room for one (payload at offset < %d)", micEnd)
		}
		zeroed := append([]byte(nil), msg...)
		clear(zeroed[micOffset:micEnd])
		if want := hmacMD5(exported, h.negotiate, h.challenge, zeroed); !hmac.Equal(want, auth.MIC) {
			return nil, fmt.Errorf("%w: user %q: the MIC does not match the NEGOTIATE, CHALLENGE and AUTHENTICATE messages of this logon", ErrMIC, auth.User)
		}
		res.MIC = true
	}
	res.Session = newSession(auth.Flags, exported, true)
	return res, nil
}

// checkTime bounds the response's age (MS-NLMP 3.2.5.1.2, MaxLifetime).
//
// A client that echoes this server's MsvAvTimestamp in its response (every
// client does when the challenge carries one, as this server's always do)
// is as fresh as the challenge: the handshake's age is checked, and the
// echoed value must be the one sent. The blob's own TimeStamp is then not
// checked: Windows clients copy MsvAvTimestamp into it, but go-mssqldb
// writes a big-endian Unix time there, and Windows servers accept its
// logons. A response without MsvAvTimestamp (a challenge without one, as
// in MS-NLMP's examples) has its TimeStamp checked against the server's
// clock instead.
func (h *Handshake) checkTime(resp *ntlmv2Response) error {
	cfg := h.srv.cfg
	now := cfg.Now()
	if age := now.Sub(h.issued); age > cfg.MaxLifetime || age < -cfg.MaxLifetime {
		return fmt.Errorf("%w: the challenge was issued %s ago; the limit is %s", ErrTimestamp, age, cfg.MaxLifetime)
	}
	if echoed, ok := resp.avPairs.get(avTimestamp); ok {
		if h.timestamp == 0 || le.Uint64(echoed) != h.timestamp {
			return fmt.Errorf("%w: the response's MsvAvTimestamp (%s) is not the one this server sent", ErrTimestamp, TimeFromFileTime(le.Uint64(echoed)).Format("2006-01-02T15:04:05.0000000Z"))
		}
		return nil
	}
	sent := TimeFromFileTime(resp.timestamp)
	if skew := now.Sub(sent); skew > cfg.MaxLifetime || skew < -cfg.MaxLifetime {
		return fmt.Errorf("%w: the response's timestamp %s is %s from the server's clock; the limit is %s", ErrTimestamp, sent.Format("2006-01-02T15:04:05Z"), skew, cfg.MaxLifetime)
	}
	return nil
}

// checkChannelBindings applies the handshake's channel binding policy
// (MS-NLMP 3.2.5.1.2; Z(16) means the client has no binding to give).
func (h *Handshake) checkChannelBindings(resp *ntlmv2Response) error {
	if h.cbPolicy == ChannelBindingOff {
		return nil
	}
	got, ok := resp.avPairs.get(avChannelBindings)
	if !ok || allZero(got) {
		if h.cbPolicy == ChannelBindingStrict {
			return fmt.Errorf("%w: the client sent no channel binding and the server requires one", ErrChannelBinding)
		}
		return nil
	}
	if !hmac.Equal(got, h.cbHash[:]) {
		return fmt.Errorf("%w: the client's binding is for another TLS channel (a relayed logon?)", ErrChannelBinding)
	}
	return nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
