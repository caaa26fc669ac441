package ntlm

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error a Handshake or Session returns wraps one of
// them (ErrKerberosOnly is itself an ErrNoCommonMechanism), so callers
// decide with errors.Is and keep the detail for logs. The one exception is
// a failing Config.Rand, which is the host's fault, not the client's.
var (
	// ErrMalformed: the token is not a well-formed NTLM or SPNEGO message
	// (truncated, a field outside the message, an odd-length Unicode
	// string, a bad signature or message type, an oversized field).
	ErrMalformed = errors.New("ntlm: malformed message")

	// ErrOutOfSequence: the token does not fit the handshake's state (an
	// AUTHENTICATE_MESSAGE first, a second NEGOTIATE_MESSAGE, any token
	// after the handshake ended or failed, a change of wrapping midway).
	ErrOutOfSequence = errors.New("ntlm: message out of sequence")

	// ErrUnsupported: well-formed input asking for something this server
	// does not implement (connectionless NTLM, session security without
	// extended session security, non-ASCII names in the OEM character set).
	ErrUnsupported = errors.New("ntlm: not supported")

	// ErrNTLMv1Refused: the client answered with an NTLMv1, NTLM2 session
	// or LM response. Stricter: modern domain policy ("Network security:
	// LAN Manager authentication level" = "Send NTLMv2 response only.
	// Refuse LM & NTLM") refuses them; Windows' default still accepts
	// NTLMv1 on the domain controller.
	ErrNTLMv1Refused = errors.New("ntlm: NTLMv1 and LM responses are refused (domain policy: NTLMv2 only)")

	// ErrAnonymous: the client asked for an anonymous (null session)
	// logon. Stricter: Windows lets the application decide; neither SQL
	// Server's Windows logins nor WinRM accept anonymous users.
	ErrAnonymous = errors.New("ntlm: anonymous logon refused")

	// ErrUntrustedDomain: the user's domain is neither the server's domain
	// (by NetBIOS or DNS name) nor the server itself (a local account).
	// SQL Server reports this as error 18452.
	ErrUntrustedDomain = errors.New("ntlm: the login is from an untrusted domain")

	// ErrLogonFailure: unknown user or wrong password (Windows'
	// STATUS_LOGON_FAILURE, which does not tell the client which). The
	// *LogonError that wraps it says which, for the server's log.
	ErrLogonFailure = errors.New("ntlm: unknown user name or bad password")

	// ErrMIC: the AUTHENTICATE_MESSAGE announces a MIC (MsvAvFlags bit 0x2)
	// and the MIC does not match the three messages of this handshake.
	ErrMIC = errors.New("ntlm: message integrity check (MIC) failed")

	// ErrTimestamp: the NTLMv2 response is older than the server allows
	// (the challenge expired, or a client clock is too far off).
	ErrTimestamp = errors.New("ntlm: NTLMv2 response outside the allowed lifetime")

	// ErrChannelBinding: the channel binding hash in the response does not
	// match the TLS channel the handshake runs on, or is missing where the
	// server requires it (Extended Protection for Authentication).
	ErrChannelBinding = errors.New("ntlm: channel binding mismatch")

	// ErrWeakSecurity: the client asks for session security weaker than the
	// server's policy (MS-NLMP ServerRequire128bitEncryption).
	ErrWeakSecurity = errors.New("ntlm: requested session security is below the server's policy")

	// ErrNoCommonMechanism: a SPNEGO offer without NTLM. ErrKerberosOnly
	// wraps it for the common case of a Kerberos-only offer.
	ErrNoCommonMechanism = errors.New("ntlm: spnego: no mechanism in common with the client")

	// ErrKerberosOnly: the client offered only Kerberos in SPNEGO. The
	// simulated servers have no KDC, so this is an unsupported feature of
	// the simulator, never a silent success.
	ErrKerberosOnly = fmt.Errorf("%w: the client offers only Kerberos, which this simulator does not support; configure the client for NTLM", ErrNoCommonMechanism)

	// ErrMechListMIC: the SPNEGO mechListMIC is missing where RFC 4178
	// requires it or does not verify.
	ErrMechListMIC = errors.New("ntlm: spnego: mechListMIC missing or invalid")

	// ErrNotNegotiated: a Session operation (Seal, Sign...) whose flag the
	// handshake did not negotiate.
	ErrNotNegotiated = errors.New("ntlm: session security not negotiated")

	// ErrBadSignature: a signed or sealed message whose signature or
	// sequence number does not verify. The session is unusable afterwards
	// (its RC4 state no longer matches the peer's).
	ErrBadSignature = errors.New("ntlm: message signature invalid")
)

// LogonReason says why a logon failed, for the server's log (the client
// only learns ErrLogonFailure, as from Windows).
type LogonReason int

// The reasons a logon can fail after the messages parsed.
const (
	ReasonUnknownUser   LogonReason = iota + 1 // no such account in the domain
	ReasonWrongPassword                        // NTProofStr does not match the account's password
	ReasonBadLMv2                              // the NTLMv2 response matched but the LMv2 one did not
	ReasonEmptyUser                            // no user name, but not an anonymous logon either
)

func (r LogonReason) String() string {
	switch r {
	case ReasonUnknownUser:
		return "unknown user"
	case ReasonWrongPassword:
		return "wrong password"
	case ReasonBadLMv2:
		return "LMv2 response does not match"
	case ReasonEmptyUser:
		return "empty user name"
	}
	return fmt.Sprintf("LogonReason(%d)", int(r))
}

// LogonError is a failed logon with the names the client gave. It unwraps
// to ErrLogonFailure.
type LogonError struct {
	Domain, User string // as the client sent them
	Reason       LogonReason
}

func (e *LogonError) Error() string {
	return fmt.Sprintf("%v: %s (domain %q, user %q)", ErrLogonFailure, e.Reason, e.Domain, e.User)
}

func (e *LogonError) Unwrap() error { return ErrLogonFailure }

// malformed returns an ErrMalformed with what was wrong and where.
func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}
