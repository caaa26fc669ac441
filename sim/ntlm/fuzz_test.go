package ntlm

import (
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"testing"

	ntlmssp "github.com/Azure/go-ntlmssp"
	mssqlntlm "github.com/microsoft/go-mssqldb/integratedauth/ntlm"
)

// The fuzz targets check the parsers and the handshake never panic, never
// accept what they cannot verify, and always answer with one of the
// package's sentinel errors, so that callers can map every failure. Their
// seeds are messages real clients and the specification produce.

var sentinels = []error{
	ErrMalformed, ErrOutOfSequence, ErrUnsupported, ErrNTLMv1Refused, ErrAnonymous,
	ErrUntrustedDomain, ErrLogonFailure, ErrMIC, ErrTimestamp, ErrChannelBinding,
	ErrWeakSecurity, ErrNoCommonMechanism, ErrMechListMIC, ErrNotNegotiated, ErrBadSignature,
}

func checkSentinel(t *testing.T, err error) {
	t.Helper()
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return
		}
	}
	t.Fatalf("error %q wraps none of the package's sentinels", err)
}

// seedNegotiates are NEGOTIATE_MESSAGEs of the clients in use.
func seedNegotiates(t testing.TB) [][]byte {
	gontlm, _ := ntlmssp.NewNegotiateMessage("CONTOSO", "APP01")
	mssql, _ := (&mssqlntlm.Auth{Domain: "CONTOSO", UserName: "sqlsvc", Workstation: "APP01"}).InitialBytes()
	c := newTestClient("CONTOSO", "sqlsvc", sqlsvcPassword)
	// Python ntlm_auth 1.4.0's NtlmContext("sqlsvc", ..., domain="CONTOSO",
	// workstation="PYCLIENT").step(), captured: OEM only, names supplied.
	python, _ := hex.DecodeString("4e544c4d535350000100000032b088e20700070028000000080008002f0000000601b11d0000000f434f4e544f534f5059434c49454e54")
	return [][]byte{gontlm, mssql, c.negotiate(), python}
}

// seedAuthenticates are AUTHENTICATE_MESSAGEs: the specification's, and
// each client's answer to a challenge of the fuzzing server.
func seedAuthenticates(t testing.TB, challenge []byte) [][]byte {
	gontlm, _ := ntlmssp.ProcessChallenge(challenge, "sqlsvc", sqlsvcPassword)
	mssql, _ := (&mssqlntlm.Auth{Domain: "CONTOSO", UserName: "sqlsvc", Password: sqlsvcPassword}).NextBytes(challenge)
	c := newTestClient("CONTOSO", "sqlsvc", sqlsvcPassword)
	c.negotiate()
	spec, _ := hex.DecodeString(specAuthenticateMessage)
	return [][]byte{gontlm, mssql, c.authenticate(t, challenge), spec}
}

// fuzzHandshake is a handshake of the fixture server waiting for its
// AUTHENTICATE_MESSAGE, and the CHALLENGE it sent.
func fuzzHandshake(t testing.TB) (*fixture, *Handshake, []byte) {
	f := newFixture(t)
	h := f.srv.NewHandshake()
	challenge, err := h.Step(newTestClient("CONTOSO", "sqlsvc", sqlsvcPassword).negotiate())
	if err != nil {
		t.Fatal(err)
	}
	return f, h, challenge
}

func FuzzParseNegotiate(f *testing.F) {
	for _, s := range seedNegotiates(f) {
		f.Add(s)
	}
	fx := newFixture(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseNegotiate(data)
		if err != nil {
			checkSentinel(t, err)
		} else if m.Flags.Has(FlagVersion) && m.Version == nil {
			t.Fatalf("VERSION flag without a Version")
		}
		out, err := fx.srv.NewHandshake().Step(data)
		if err != nil {
			checkSentinel(t, err)
			return
		}
		if ntlmType(out) != typeChallenge && !strings.HasPrefix(string(out), "\xa1") {
			t.Fatalf("answer %x is neither a CHALLENGE nor a NegTokenResp", out)
		}
	})
}

func FuzzParseAuthenticate(f *testing.F) {
	_, waiting, challenge := fuzzHandshake(f)
	for _, s := range seedAuthenticates(f, challenge) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := ParseAuthenticate(data); err != nil {
			checkSentinel(t, err)
		}
		h := new(Handshake)
		*h = *waiting // the same CHALLENGE, a fresh state
		if _, err := h.Step(data); err != nil {
			checkSentinel(t, err)
			if h.Done() || h.Result() != nil {
				t.Fatalf("a refused AUTHENTICATE left the handshake done")
			}
			return
		}
		// Only a message computed with sqlsvc's password over this
		// challenge can log on; the seeds from go-ntlmssp, go-mssqldb and
		// the test client are such messages.
		if got := h.Result().Account.String(); got != `CONTOSO\sqlsvc` {
			t.Fatalf("logged on as %s", got)
		}
	})
}

func FuzzNTLMv2Response(f *testing.F) {
	spec, _ := hex.DecodeString(specNTProofStr + specTemp)
	f.Add(spec)
	f.Add(spec[:len(spec)-8])
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := parseNTLMv2Response(data)
		if err != nil {
			checkSentinel(t, err)
			return
		}
		if len(r.proof) != 16 || len(r.clientChallenge) != 8 {
			t.Fatalf("parsed %+v", r)
		}
		if _, _, err := parseAVList(r.avPairs.marshal(), "re-encoded"); err != nil {
			t.Fatalf("a parsed AV list does not parse again: %v", err)
		}
	})
}

// FuzzHandshake feeds two arbitrary tokens, raw or SPNEGO, to a fresh
// handshake.
func FuzzHandshake(f *testing.F) {
	captured, _ := os.ReadFile("spnego/testdata/captured-negtokeninit.hex")
	spnegoInit, _ := hex.DecodeString(strings.TrimSpace(string(captured)))
	_, _, challenge := fuzzHandshake(f)
	for i, neg := range seedNegotiates(f) {
		f.Add(neg, seedAuthenticates(f, challenge)[i%4])
	}
	f.Add(spnegoInit, []byte{0xa1, 0x07, 0x30, 0x05, 0xa2, 0x03, 0x04, 0x01, 0x00})
	fx := newFixture(f)
	f.Fuzz(func(t *testing.T, first, second []byte) {
		h := fx.srv.NewHandshake()
		if _, err := h.Step(first); err != nil {
			checkSentinel(t, err)
			if _, err := h.Step(second); !errors.Is(err, ErrOutOfSequence) {
				t.Fatalf("a token after a failure: %v, want ErrOutOfSequence", err)
			}
			return
		}
		if _, err := h.Step(second); err != nil {
			checkSentinel(t, err)
			return
		}
		if h.Done() && h.Result().Account.String() != `CONTOSO\sqlsvc` {
			t.Fatalf("logged on as %s", h.Result().Account)
		}
	})
}

// FuzzUnwrap feeds arbitrary bytes to a session's Unwrap: an error wrapping
// ErrBadSignature, never a panic or a forged message.
func FuzzUnwrap(f *testing.F) {
	f.Add([]byte{})
	f.Add(make([]byte, SignatureSize))
	sealed, _ := hex.DecodeString(specSealSignature + specSealedPlaintext)
	f.Add(sealed)
	f.Fuzz(func(t *testing.T, data []byte) {
		srv := newSession(Flags(0xe2888235), specRandomKey, true)
		got, err := srv.Unwrap(data)
		if err == nil {
			// Only the specification's sealed message verifies.
			if string(got) != string(encodeUTF16("Plaintext")) {
				t.Fatalf("a forged message unwrapped to %q", got)
			}
			return
		}
		if !errors.Is(err, ErrBadSignature) {
			t.Fatalf("Unwrap error %v does not wrap ErrBadSignature", err)
		}
	})
}
