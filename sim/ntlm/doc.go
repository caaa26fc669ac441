// Package ntlm is the server (acceptor) side of NTLM authentication as
// MS-NLMP specifies it, for the simulators that must accept Windows logins
// the way a Windows server does: SQL Server's SSPI logins inside TDS LOGIN7
// (CONTOSO\sqlsvc connecting with Integrated Security) and WinRM's
// Negotiate authentication on the fake Lync management endpoint.
//
// No maintained Go library implements the acceptor, so this package does,
// from the specification, in layers:
//
//   - messages: NEGOTIATE_MESSAGE and AUTHENTICATE_MESSAGE parsers that
//     refuse truncated, overlapping, odd-length and oversized fields, and
//     the CHALLENGE_MESSAGE builder (MS-NLMP 2.2.1);
//   - crypto: NTOWFv2, the NTLMv2 and LMv2 responses, the key exchange key
//     and the signing and sealing keys (MS-NLMP 3.3, 3.4.5);
//   - verification: the server's check of an AUTHENTICATE_MESSAGE against
//     an account's password hash, its timestamp, the MIC and channel
//     bindings (MS-NLMP 3.2.5.1.2);
//   - Handshake: the per-connection state machine callers drive token by
//     token, raw (NTLMSSP...) or wrapped in SPNEGO (RFC 4178, MS-SPNG);
//   - Session: signing and sealing after the handshake (MS-NLMP 3.4), for
//     WinRM's message encryption over HTTP.
//
// The server is deliberately stricter than a default Windows installation
// where the documentation leaves room, and says so where it is: NTLMv1 and
// LM responses are refused (the domain policy "Send NTLMv2 response only.
// Refuse LM & NTLM"), anonymous logons are refused, and session security
// requires extended session security and 128-bit keys. Each such choice is
// marked "Stricter:" in a comment beside the code that makes it.
//
// Callers map the package's errors to their protocol: every error from
// Handshake.Step means the logon failed (HTTP 401; SQL Server's 18452
// "Login failed. The login is from an untrusted domain and cannot be used
// with Windows authentication." for SSPI failures, 18456 once the Windows
// identity is known but has no login). The sentinels (ErrLogonFailure,
// ErrUntrustedDomain, ErrNTLMv1Refused, ...) let them pick the state number
// or log line; errors.Is works on all of them.
//
// The package holds no package-level mutable state: a Server holds its
// configuration, a Handshake the state of one client's logon, a Session the
// keys and sequence numbers of one authenticated connection.
package ntlm
