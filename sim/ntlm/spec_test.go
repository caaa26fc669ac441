package ntlm

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
	"time"
)

// The MS-NLMP section 4.2 examples: the common values of 4.2.1 and the
// NTLMv2 results of 4.2.4, byte for byte as the specification prints them.
const (
	specUser        = "User"
	specDomain      = "Domain"
	specPassword    = "Password"
	specServerName  = "Server"
	specWorkstation = "COMPUTER"

	specNTOWFv1         = "a4f49c406510bdcab6824ee7c30fd852"                 // 4.2.2.1.2
	specNTOWFv2         = "0c868a403bfd7a93a3001ef22ef02e3f"                 // 4.2.4.1.1
	specSessionBaseKey  = "8de40ccadbc14a82f15cb0ad0de95ca3"                 // 4.2.4.1.2
	specLMv2Response    = "86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa" // 4.2.4.2.1
	specNTProofStr      = "68cd0ab851e51c96aabc927bebef6a1c"                 // 4.2.4.2.2
	specEncryptedKey    = "c5dad2544fc9799094ce1ce90bc9d03e"                 // 4.2.4.2.3
	specClientSignKey   = "4788dc861b4782f35d43fd98fe1a2d39"                 // 4.2.4.4
	specClientSealKey   = "59f600973cc4960a25480a7c196e4c58"                 // 4.2.4.4
	specSealedPlaintext = "54e50165bf1936dc996020c1811b0f06fb5f"             // 4.2.4.4
	specSealSignature   = "010000007fb38ec5c55d497600000000"                 // 4.2.4.4

	// 4.2.4.1.3: temp, the NTLMv2_CLIENT_CHALLENGE with Time 0, the client
	// challenge aa*8 and the server's two AV pairs.
	specTemp = "0101000000000000" + "0000000000000000" + "aaaaaaaaaaaaaaaa" + "00000000" +
		"02000c0044006f006d00610069006e00" + "01000c00530065007200760065007200" + "00000000" + "00000000"

	// 4.2.4.3: the CHALLENGE_MESSAGE and AUTHENTICATE_MESSAGE.
	specChallengeMessage = "4e544c4d53535000020000000c000c003800000033828ae20123456789abcdef" +
		"00000000000000002400240044000000060070170000000f5300650072007600" +
		"6500720002000c0044006f006d00610069006e0001000c005300650072007600" +
		"6500720000000000"
	specAuthenticateMessage = "4e544c4d5353500003000000180018006c00000054005400840000000c000c00" +
		"480000000800080054000000100010005c00000010001000d8000000358288e2" +
		"0501280a0000000f44006f006d00610069006e00550073006500720043004f00" +
		"4d005000550054004500520086c35097ac9cec102554764a57cccc19aaaaaaaa" +
		"aaaaaaaa68cd0ab851e51c96aabc927bebef6a1c010100000000000000000000" +
		"00000000aaaaaaaaaaaaaaaa0000000002000c0044006f006d00610069006e00" +
		"01000c005300650072007600650072000000000000000000c5dad2544fc97990" +
		"94ce1ce90bc9d03e"
)

var (
	specServerChallenge = [8]byte{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}
	specClientChallenge = bytes.Repeat([]byte{0xaa}, 8)
	specRandomKey       = bytes.Repeat([]byte{0x55}, 16)
	// 4.2.4: the CHALLENGE_MESSAGE's flags, with both UNICODE and OEM set.
	specChallengeFlags = Flag56 | FlagKeyExchange | Flag128 | FlagVersion | FlagTargetInfo |
		FlagExtendedSessionSecurity | FlagTargetTypeServer | FlagAlwaysSign | FlagNTLM |
		FlagSeal | FlagSign | FlagOEM | FlagUnicode
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex in test: %v", err)
	}
	return b
}

func wantHex(t *testing.T, name string, got []byte, want string) {
	t.Helper()
	if g := hex.EncodeToString(got); g != want {
		t.Errorf("%s = %s, MS-NLMP prints %s", name, g, want)
	}
}

// specTargetInfo is the CHALLENGE_MESSAGE's AV pair list of 4.2.4.
func specTargetInfo() avList {
	return avList{{avNbDomainName, encodeUTF16(specDomain)}, {avNbComputerName, encodeUTF16(specServerName)}}
}

func TestSpecNTLMv2Crypto(t *testing.T) {
	nt := NTHash(specPassword)
	wantHex(t, "NTOWFv1", nt[:], specNTOWFv1)
	key := ntowfv2(nt, specUser, encodeUTF16(specDomain))
	wantHex(t, "NTOWFv2 (ResponseKeyNT = ResponseKeyLM)", key, specNTOWFv2)

	temp := append(append([]byte{1, 1, 0, 0, 0, 0, 0, 0}, make([]byte, 8)...), specClientChallenge...)
	temp = append(append(temp, 0, 0, 0, 0), specTargetInfo().marshal()...)
	temp = append(temp, 0, 0, 0, 0)
	wantHex(t, "temp", temp, specTemp)

	proof := ntProofStr(key, specServerChallenge, temp)
	wantHex(t, "NTProofStr", proof, specNTProofStr)
	sbk := sessionBaseKey(key, proof)
	wantHex(t, "SessionBaseKey", sbk, specSessionBaseKey)
	wantHex(t, "LMv2 response", lmv2Response(key, specServerChallenge, specClientChallenge), specLMv2Response)
	wantHex(t, "EncryptedRandomSessionKey", rc4K(sbk, specRandomKey), specEncryptedKey)

	flags := FlagExtendedSessionSecurity | Flag128 | FlagKeyExchange | FlagSeal | FlagSign
	wantHex(t, "client signing key", signKey(specRandomKey, clientSigningMagic), specClientSignKey)
	wantHex(t, "client sealing key", sealKey(flags, specRandomKey, clientSealingMagic), specClientSealKey)
}

// TestSpecChallengeMessage builds 4.2.4.3's CHALLENGE_MESSAGE from its
// parts with the server's marshaller.
func TestSpecChallengeMessage(t *testing.T) {
	c := challengeMessage{
		flags:           specChallengeFlags,
		targetName:      specServerName,
		serverChallenge: specServerChallenge,
		targetInfo:      specTargetInfo(),
		version:         Version{Major: 6, Minor: 0, Build: 6000, Revision: 15},
	}
	wantHex(t, "CHALLENGE_MESSAGE", c.marshal(), specChallengeMessage)
}

// specServer is a server whose domain is 4.2.1's "Domain" and whose clock
// stands at 4.2.4's Time, FILETIME 0.
func specServer(t testing.TB) *Server {
	t.Helper()
	srv, err := NewServer(Config{
		ComputerName: "SERVER", Domain: specDomain, DNSDomain: "domain.example",
		Accounts: NewMemoryAccounts(NewAccount(specDomain, specUser, specPassword)),
		Now:      func() time.Time { return TimeFromFileTime(0) },
	})
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// specHandshake is a handshake that sent 4.2.4.3's CHALLENGE_MESSAGE.
func specHandshake(t testing.TB) *Handshake {
	h := specServer(t).NewHandshake()
	h.chal = challengeMessage{flags: specChallengeFlags, targetName: specServerName, serverChallenge: specServerChallenge, targetInfo: specTargetInfo()}
	h.challenge = unhex(t, specChallengeMessage)
	h.issued = TimeFromFileTime(0)
	h.state = stateWaitAuthenticate
	return h
}

// TestSpecAuthenticateMessage verifies 4.2.4.3's AUTHENTICATE_MESSAGE with
// the server's verification path, then unseals 4.2.4.4's sealed message
// with the session it keyed.
func TestSpecAuthenticateMessage(t *testing.T) {
	auth, err := ParseAuthenticate(unhex(t, specAuthenticateMessage))
	if err != nil {
		t.Fatal(err)
	}
	if auth.User != specUser || auth.Domain != specDomain || auth.Workstation != specWorkstation {
		t.Errorf("names = %q %q %q, want User Domain COMPUTER", auth.User, auth.Domain, auth.Workstation)
	}
	if auth.Version == nil || auth.Version.String() != "5.1.2600 (NTLM revision 15)" {
		t.Errorf("version = %v, want 5.1.2600 (Windows XP SP2, as 4.2.4.3 shows)", auth.Version)
	}
	if auth.MIC != nil {
		t.Errorf("MIC = %x; the message's payload starts at 72, it has none", auth.MIC)
	}

	h := specHandshake(t)
	out, err := h.Step(unhex(t, specAuthenticateMessage))
	if err != nil || out != nil || !h.Done() {
		t.Fatalf("Step(spec AUTHENTICATE) = %x, %v, done %v; want nil, nil, true", out, err, h.Done())
	}
	res := h.Result()
	if res.Account.String() != `Domain\User` || res.MIC {
		t.Errorf("result %v MIC %v, want Domain\\User without MIC", res.Account, res.MIC)
	}
	wantHex(t, "ExportedSessionKey", res.Session.ExportedSessionKey(), hex.EncodeToString(specRandomKey))
	plain, err := res.Session.Unseal(unhex(t, specSealedPlaintext), unhex(t, specSealSignature))
	if err != nil {
		t.Fatalf("Unseal(4.2.4.4) = %v", err)
	}
	if string(plain) != string(encodeUTF16("Plaintext")) {
		t.Errorf("Unseal(4.2.4.4) = %q, want UTF-16 \"Plaintext\"", plain)
	}
}

// TestSpecClientSeal seals 4.2.4.4's plaintext with a client-side session
// keyed like the example: the sealed bytes and signature it prints.
func TestSpecClientSeal(t *testing.T) {
	flags := Flags(0xe2888235) // the AUTHENTICATE_MESSAGE's flags
	c := newSession(flags, specRandomKey, false)
	sealed, sig, err := c.Seal(encodeUTF16("Plaintext"))
	if err != nil {
		t.Fatal(err)
	}
	wantHex(t, "sealed", sealed, specSealedPlaintext)
	wantHex(t, "signature", sig, specSealSignature)
}

// TestSpecAuthenticateRefusals: the spec message under the wrong password,
// the wrong server challenge or a late clock.
func TestSpecAuthenticateRefusals(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(h *Handshake)
		want   error
	}{
		{"wrong password", func(h *Handshake) {
			h.srv.cfg.Accounts = NewMemoryAccounts(NewAccount(specDomain, specUser, "password"))
		}, ErrLogonFailure},
		{"another server challenge", func(h *Handshake) { h.chal.serverChallenge[0] ^= 1 }, ErrLogonFailure},
		{"clock 31 minutes on", func(h *Handshake) {
			h.srv.cfg.Now = func() time.Time { return TimeFromFileTime(0).Add(31 * time.Minute) }
		}, ErrTimestamp},
		{"flags not offered", func(h *Handshake) { h.chal.flags &^= FlagSeal }, ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := specHandshake(t)
			srv := *h.srv
			h.srv = &srv
			tc.change(h)
			_, err := h.Step(unhex(t, specAuthenticateMessage))
			if !errors.Is(err, tc.want) {
				t.Fatalf("Step = %v, want %v", err, tc.want)
			}
		})
	}
}
