package ntlm

import (
	"crypto/hmac"
	"crypto/rc4"
	"fmt"
	"sync"
)

// SignatureSize is the size of an NTLMSSP_MESSAGE_SIGNATURE (MS-NLMP
// 2.2.2.9.2): Version (1), Checksum (8 bytes), SeqNum.
const SignatureSize = 16

// Session is the session security of one authenticated connection (MS-NLMP
// 3.4): integrity (Sign/Verify) and confidentiality (Seal/Unseal) with
// extended session security: HMAC-MD5 checksums, RC4 sealing, the checksum
// itself RC4-encrypted when keys were exchanged, and one sequence number
// per direction starting at 0. WinRM over HTTP encrypts its messages this
// way ("HTTP-SPNEGO-session-encrypted", MS-WSMV 2.2.9.1).
//
// The connection is stateful: the RC4 streams and sequence numbers advance
// with every message, so messages must be processed in the order they were
// sent. After a signature fails to verify, the incoming RC4 state no longer
// matches the peer's and every later call fails; Windows drops such a
// context too. A Session is safe for concurrent use, but concurrent senders
// get sequence numbers in the order they take the lock.
type Session struct {
	flags Flags
	key   []byte // ExportedSessionKey

	mu     sync.Mutex
	out    direction // server to client
	in     direction // client to server
	broken error
}

// direction is the key state of one direction of the connection.
type direction struct {
	signKey, sealKey []byte
	rc4              *rc4.Cipher
	seq              uint32
}

func newDirection(flags Flags, key []byte, signMagic, sealMagic string) direction {
	d := direction{signKey: signKey(key, signMagic), sealKey: sealKey(flags, key, sealMagic)}
	d.reset()
	return d
}

// reset restarts the direction's RC4 stream from its sealing key, keeping
// the sequence number (MS-SPNG: after the SPNEGO mechListMIC the RC4 state
// starts over for the application's first message).
func (d *direction) reset() {
	c, err := rc4.NewCipher(d.sealKey)
	if err != nil {
		panic(err) // the sealing key is always 16 bytes (an MD5)
	}
	d.rc4 = c
}

// newSession keys a session from the exported session key. server says
// which side this end is: a server sends with the server-to-client keys.
func newSession(flags Flags, exportedSessionKey []byte, server bool) *Session {
	s := &Session{flags: flags, key: append([]byte(nil), exportedSessionKey...)}
	c := newDirection(flags, s.key, clientSigningMagic, clientSealingMagic)
	v := newDirection(flags, s.key, serverSigningMagic, serverSealingMagic)
	if server {
		s.out, s.in = v, c
	} else {
		s.out, s.in = c, v
	}
	return s
}

// Flags are the flags the session was negotiated with.
func (s *Session) Flags() Flags { return s.flags }

// ExportedSessionKey is the session key of the context (what SSPI's
// QueryContextAttributes(SECPKG_ATTR_SESSION_KEY) returns). A copy.
func (s *Session) ExportedSessionKey() []byte { return append([]byte(nil), s.key...) }

// mac computes the signature of msg with d's keys and sequence number and
// advances the sequence number (MS-NLMP 3.4.4.2).
func (s *Session) mac(d *direction, msg []byte) []byte {
	var seq [4]byte
	le.PutUint32(seq[:], d.seq)
	checksum := hmacMD5(d.signKey, seq[:], msg)[:8]
	if s.flags.Has(FlagKeyExchange) {
		d.rc4.XORKeyStream(checksum, checksum)
	}
	sig := make([]byte, 0, SignatureSize)
	sig = append(sig, 1, 0, 0, 0)
	sig = append(sig, checksum...)
	sig = append(sig, seq[:]...)
	d.seq++
	return sig
}

func (s *Session) check(need Flags, op string) error {
	if s.broken != nil {
		return fmt.Errorf("%w: an earlier message failed to verify (%v)", ErrBadSignature, s.broken)
	}
	if s.flags&need == 0 {
		return fmt.Errorf("%w: %s needs %s; the handshake negotiated %s", ErrNotNegotiated, op, need, s.flags)
	}
	return nil
}

// Sign returns the signature of msg for the client (GSS_GetMICEx).
func (s *Session) Sign(msg []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(FlagSign|FlagSeal, "Sign"); err != nil {
		return nil, err
	}
	return s.mac(&s.out, msg), nil
}

// Verify checks the client's signature of msg (GSS_VerifyMICEx).
func (s *Session) Verify(msg, sig []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(FlagSign|FlagSeal, "Verify"); err != nil {
		return err
	}
	return s.verify(msg, sig)
}

func (s *Session) verify(msg, sig []byte) error {
	if len(sig) != SignatureSize {
		return s.fail(fmt.Errorf("%w: signature is %d bytes, want %d", ErrBadSignature, len(sig), SignatureSize))
	}
	want := s.mac(&s.in, msg)
	if hmac.Equal(sig, want) {
		return nil
	}
	switch got, exp := le.Uint32(sig[12:]), le.Uint32(want[12:]); {
	case le.Uint32(sig) != 1:
		return s.fail(fmt.Errorf("%w: signature version %d, want 1", ErrBadSignature, le.Uint32(sig)))
	case got != exp:
		return s.fail(fmt.Errorf("%w: sequence number %d, expected %d (message replayed, lost or reordered)", ErrBadSignature, got, exp))
	default:
		return s.fail(fmt.Errorf("%w: checksum does not match (message altered or wrong key)", ErrBadSignature))
	}
}

func (s *Session) fail(err error) error {
	s.broken = err
	return err
}

// Seal encrypts msg for the client and returns the sealed bytes and their
// signature (GSS_WrapEx, MS-NLMP 3.4.3): the message is encrypted first,
// then its plaintext signed, with the same RC4 stream.
func (s *Session) Seal(msg []byte) (sealed, sig []byte, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(FlagSeal, "Seal"); err != nil {
		return nil, nil, err
	}
	sealed = make([]byte, len(msg))
	s.out.rc4.XORKeyStream(sealed, msg)
	return sealed, s.mac(&s.out, msg), nil
}

// Unseal decrypts a message the client sealed and verifies its signature
// (GSS_UnwrapEx).
func (s *Session) Unseal(sealed, sig []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(FlagSeal, "Unseal"); err != nil {
		return nil, err
	}
	msg := make([]byte, len(sealed))
	s.in.rc4.XORKeyStream(msg, sealed)
	if err := s.verify(msg, sig); err != nil {
		return nil, err
	}
	return msg, nil
}

// Wrap seals msg and returns the signature followed by the sealed bytes,
// the layout SSPI's EncryptMessage produces with a token buffer first and
// WinRM's encrypted HTTP body carries after its length prefix.
func (s *Session) Wrap(msg []byte) ([]byte, error) {
	sealed, sig, err := s.Seal(msg)
	if err != nil {
		return nil, err
	}
	return append(sig, sealed...), nil
}

// Unwrap is the inverse of the client's Wrap: a signature followed by the
// sealed message.
func (s *Session) Unwrap(b []byte) ([]byte, error) {
	if len(b) < SignatureSize {
		return nil, fmt.Errorf("%w: wrapped message of %d bytes is shorter than its signature", ErrBadSignature, len(b))
	}
	return s.Unseal(b[SignatureSize:], b[:SignatureSize])
}

// mechListMIC verifies the client's SPNEGO mechListMIC over the DER
// MechTypeList and returns the server's, then restarts both RC4 streams as
// MS-SPNG requires. It signs with the session keys whether or not SIGN was
// negotiated: SPNEGO's integrity check needs them either way.
func (s *Session) mechListMIC(mechTypes, clientMIC []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.verify(mechTypes, clientMIC); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMechListMIC, err)
	}
	mic := s.mac(&s.out, mechTypes)
	s.in.reset()
	s.out.reset()
	return mic, nil
}
