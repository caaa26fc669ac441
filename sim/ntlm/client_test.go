package ntlm

import (
	"testing"
)

// testClient is an MS-NLMP client written for the tests that need what the
// independent clients (go-ntlmssp, go-mssqldb, Python's ntlm_auth) cannot
// be made to do: a MIC to tamper with, a chosen timestamp, channel
// bindings, precise malformations. It follows MS-NLMP 3.1.5 and shares the
// package's crypto primitives, which the specification's test vectors
// check independently.
type testClient struct {
	domain, user, password, workstation string
	flags                               Flags // NEGOTIATE_MESSAGE flags

	mic             bool     // announce and send a MIC
	lmv2            bool     // send an LMv2 response instead of Z(24)
	noTimestamp     bool     // leave the server's MsvAvTimestamp out of the response
	tamperTimestamp bool     // the test changes the challenge's MsvAvTimestamp before answering
	nilUserDom      bool     // hash NTOWFv2 with an empty UserDom while sending the domain
	channelHash     []byte   // MsvAvChannelBindings to send
	time            *uint64  // blob TimeStamp to send instead of the server's
	randomKey       [16]byte // the exported session key when KEY_EXCH is negotiated
	clientChal      [8]byte
	tamper          func(auth []byte) // changes the message after the MIC is computed
	negotiateMsg    []byte

	exported []byte // after authenticate: the exported session key
	negFlags Flags  // after authenticate: the flags sent
}

// windowsClientFlags are the NEGOTIATE_MESSAGE flags of a Windows 10 SSPI
// client asking for integrity and confidentiality (0xe2088297).
const windowsClientFlags = Flag56 | FlagKeyExchange | Flag128 | FlagVersion | FlagExtendedSessionSecurity |
	FlagAlwaysSign | FlagNTLM | FlagLMKey | FlagSign | FlagRequestTarget | FlagOEM | FlagUnicode

func newTestClient(domain, user, password string) *testClient {
	return &testClient{
		domain: domain, user: user, password: password, workstation: "APP01",
		flags:      windowsClientFlags &^ FlagLMKey,
		mic:        true,
		randomKey:  [16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
		clientChal: [8]byte{0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8},
	}
}

func (c *testClient) negotiate() []byte {
	msg := make([]byte, 40)
	copy(msg, signature)
	le.PutUint32(msg[8:], typeNegotiate)
	le.PutUint32(msg[12:], uint32(c.flags))
	le.PutUint32(msg[20:], 40)
	le.PutUint32(msg[28:], 40)
	copy(msg[32:], Version{Major: 10, Minor: 0, Build: 19041, Revision: 15}.marshal())
	c.negotiateMsg = msg
	return msg
}

// authenticate answers a raw CHALLENGE_MESSAGE.
func (c *testClient) authenticate(t testing.TB, challenge []byte) []byte {
	t.Helper()
	if len(challenge) < challengeFixed || string(challenge[:8]) != signature || le.Uint32(challenge[8:]) != typeChallenge {
		t.Fatalf("not a CHALLENGE_MESSAGE: %x", challenge)
	}
	flags := Flags(le.Uint32(challenge[20:]))
	var sc [8]byte
	copy(sc[:], challenge[24:32])
	raw, err := readField(challenge, 40).bytesOf(challenge, challengeFixed, "TargetInfo")
	if err != nil {
		t.Fatal(err)
	}
	info, _, err := parseAVList(raw, "TargetInfo")
	if err != nil {
		t.Fatal(err)
	}
	var ts uint64
	var pairs avList
	for _, p := range info {
		if p.id == avTimestamp {
			ts = le.Uint64(p.value)
			if c.noTimestamp {
				continue
			}
		}
		pairs = append(pairs, p)
	}
	if c.time != nil {
		ts = *c.time
	}
	if c.mic {
		pairs = append(pairs, avPair{avFlags, le.AppendUint32(nil, avFlagMIC)})
	}
	if c.channelHash != nil {
		pairs = append(pairs, avPair{avChannelBindings, c.channelHash})
	}
	blob := []byte{1, 1, 0, 0, 0, 0, 0, 0}
	blob = le.AppendUint64(blob, ts)
	blob = append(blob, c.clientChal[:]...)
	blob = append(blob, 0, 0, 0, 0)
	blob = append(append(blob, pairs.marshal()...), 0, 0, 0, 0)

	domain := encodeUTF16(c.domain)
	key := ntowfv2(NTHash(c.password), c.user, domain)
	if c.nilUserDom {
		key = ntowfv2(NTHash(c.password), c.user, nil)
	}
	proof := ntProofStr(key, sc, blob)
	nt := append(append([]byte(nil), proof...), blob...)
	lm := make([]byte, 24)
	if c.lmv2 {
		lm = lmv2Response(key, sc, c.clientChal[:])
	}
	kx := sessionBaseKey(key, proof)
	c.exported = kx
	var enc []byte
	if flags.Has(FlagKeyExchange) {
		c.exported = c.randomKey[:]
		enc = rc4K(kx, c.randomKey[:])
	}
	c.negFlags = flags &^ (FlagTargetTypeDomain | FlagTargetTypeServer | FlagTargetInfo)

	user, ws := encodeUTF16(c.user), encodeUTF16(c.workstation)
	msg := make([]byte, micEnd)
	copy(msg, signature)
	le.PutUint32(msg[8:], typeAuthenticate)
	offset := micEnd
	for i, p := range [][]byte{lm, nt, domain, user, ws, enc} {
		putField(msg, 12+8*i, len(p), &offset)
	}
	le.PutUint32(msg[60:], uint32(c.negFlags))
	copy(msg[64:], Version{Major: 10, Minor: 0, Build: 19041, Revision: 15}.marshal())
	for _, p := range [][]byte{lm, nt, domain, user, ws, enc} {
		msg = append(msg, p...)
	}
	if c.mic {
		copy(msg[micOffset:], hmacMD5(c.exported, c.negotiateMsg, challenge, msg))
	}
	if c.tamper != nil {
		c.tamper(msg)
	}
	return msg
}

// session is the client's half of the session the handshake keyed.
func (c *testClient) session() *Session { return newSession(c.negFlags, c.exported, false) }
