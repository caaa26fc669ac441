package ntlm

import (
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"testing"

	ntlmssp "github.com/Azure/go-ntlmssp"
	forkasn1 "github.com/jcmturner/gofork/encoding/asn1"
	krbspnego "github.com/jcmturner/gokrb5/v8/spnego"

	"github.com/pchatdr/harness/sim/ntlm/spnego"
)

var (
	oidNTLM       = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 2, 10}
	oidKerberos   = asn1.ObjectIdentifier{1, 2, 840, 113554, 1, 2, 2}
	oidMSKerberos = asn1.ObjectIdentifier{1, 2, 840, 48018, 1, 2, 2}
	oidNegoEx     = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 2, 30}
)

// The client side of SPNEGO is gokrb5's encoder, independent of the
// server's decoder.
func krbInit(t testing.TB, mechs []asn1.ObjectIdentifier, token []byte) []byte {
	t.Helper()
	var oids []forkasn1.ObjectIdentifier
	for _, m := range mechs {
		oids = append(oids, forkasn1.ObjectIdentifier(m))
	}
	b, err := (&krbspnego.SPNEGOToken{Init: true, NegTokenInit: krbspnego.NegTokenInit{MechTypes: oids, MechTokenBytes: token}}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func krbResp(t testing.TB, token, mic []byte) []byte {
	t.Helper()
	b, err := (&krbspnego.SPNEGOToken{Resp: true, NegTokenResp: krbspnego.NegTokenResp{
		NegState: forkasn1.Enumerated(krbspnego.NegStateAcceptIncomplete), ResponseToken: token, MechListMIC: mic,
	}}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// krbRead decodes a server NegTokenResp with gokrb5.
func krbRead(t testing.TB, b []byte) krbspnego.NegTokenResp {
	t.Helper()
	var tok krbspnego.SPNEGOToken
	if err := tok.Unmarshal(b); err != nil || !tok.Resp {
		t.Fatalf("gokrb5 cannot read the server's token %x: %v", b, err)
	}
	return tok.NegTokenResp
}

// TestSPNEGOWithGoNTLMSSP: NTLM first with an optimistic NEGOTIATE, the
// NTLM messages from go-ntlmssp, the SPNEGO tokens from gokrb5.
func TestSPNEGOWithGoNTLMSSP(t *testing.T) {
	f := newFixture(t)
	h := f.srv.NewHandshake()
	neg, _ := ntlmssp.NewNegotiateMessage("CONTOSO", "")
	out, err := h.Step(krbInit(t, []asn1.ObjectIdentifier{oidNTLM, oidKerberos}, neg))
	if err != nil {
		t.Fatal(err)
	}
	r := krbRead(t, out)
	if r.NegState != forkasn1.Enumerated(krbspnego.NegStateAcceptIncomplete) || !asn1.ObjectIdentifier(r.SupportedMech).Equal(oidNTLM) || !isNTLM(r.ResponseToken) {
		t.Fatalf("first answer %+v, want accept-incomplete, NTLM and a CHALLENGE", r)
	}
	auth, err := ntlmssp.ProcessChallenge(r.ResponseToken, "sqlsvc", sqlsvcPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Step(auth); !errors.Is(err, ErrOutOfSequence) {
		t.Fatalf("raw AUTHENTICATE in a SPNEGO handshake: %v", err)
	}

	h = f.srv.NewHandshake()
	out, _ = h.Step(krbInit(t, []asn1.ObjectIdentifier{oidNTLM, oidKerberos}, neg))
	auth, _ = ntlmssp.ProcessChallenge(krbRead(t, out).ResponseToken, "sqlsvc", sqlsvcPassword)
	out, err = h.Step(krbResp(t, auth, nil))
	if err != nil {
		t.Fatal(err)
	}
	if r := krbRead(t, out); r.NegState != forkasn1.Enumerated(krbspnego.NegStateAcceptCompleted) || r.MechListMIC != nil {
		t.Errorf("final answer %+v, want accept-completed without mechListMIC", r)
	}
	if !h.Done() || !h.SPNEGO() || h.Result().Account.String() != `CONTOSO\sqlsvc` {
		t.Errorf("done %v, spnego %v, result %+v", h.Done(), h.SPNEGO(), h.Result())
	}
}

// spnegoLogon runs a SPNEGO logon of the test client offering mechs, NTLM
// among them, and sending a mechListMIC when withMIC.
func spnegoLogon(t *testing.T, f *fixture, mechs []asn1.ObjectIdentifier, withMIC bool) (*Handshake, *testClient, []byte, error) {
	t.Helper()
	c := newTestClient("CONTOSO", "sqlsvc", sqlsvcPassword)
	h := f.srv.NewHandshake()
	var optimistic []byte
	if mechs[0].Equal(oidNTLM) {
		optimistic = c.negotiate()
	} else {
		optimistic = []byte("a Kerberos AP-REQ the server cannot use")
	}
	out, err := h.Step(krbInit(t, mechs, optimistic))
	if err != nil {
		return h, c, nil, err
	}
	r := krbRead(t, out)
	if !mechs[0].Equal(oidNTLM) {
		if r.NegState != forkasn1.Enumerated(krbspnego.NegStateRequestMIC) || r.ResponseToken != nil || !asn1.ObjectIdentifier(r.SupportedMech).Equal(oidNTLM) {
			t.Fatalf("answer to a non-NTLM first choice %+v, want request-mic naming NTLM, no token", r)
		}
		if out, err = h.Step(krbResp(t, c.negotiate(), nil)); err != nil {
			return h, c, nil, err
		}
		if r = krbRead(t, out); r.SupportedMech != nil {
			t.Errorf("supportedMech %v repeated after the first reply", r.SupportedMech)
		}
	}
	auth := c.authenticate(t, r.ResponseToken)
	var mic []byte
	if withMIC {
		der, _ := asn1.Marshal(mechs)
		mic, _ = c.session().Sign(der)
	}
	out, err = h.Step(krbResp(t, auth, mic))
	return h, c, out, err
}

func TestSPNEGOMechListMIC(t *testing.T) {
	ntlmFirst := []asn1.ObjectIdentifier{oidNTLM, oidMSKerberos}
	kerberosFirst := []asn1.ObjectIdentifier{oidMSKerberos, oidKerberos, oidNegoEx, oidNTLM}

	t.Run("kerberos first without mechListMIC", func(t *testing.T) {
		_, _, _, err := spnegoLogon(t, newFixture(t), kerberosFirst, false)
		if !errors.Is(err, ErrMechListMIC) {
			t.Fatalf("err = %v, want ErrMechListMIC", err)
		}
	})
	for name, mechs := range map[string][]asn1.ObjectIdentifier{"ntlm first": ntlmFirst, "kerberos first": kerberosFirst} {
		t.Run(name+" with mechListMIC", func(t *testing.T) {
			h, c, out, err := spnegoLogon(t, newFixture(t), mechs, true)
			if err != nil {
				t.Fatal(err)
			}
			r := krbRead(t, out)
			if r.NegState != forkasn1.Enumerated(krbspnego.NegStateAcceptCompleted) || len(r.MechListMIC) != SignatureSize {
				t.Fatalf("final answer %+v, want accept-completed with the server's mechListMIC", r)
			}
			// The client checks the server's mechListMIC, then both ends
			// restart RC4 and keep counting: the first application
			// message has sequence number 1.
			cli := c.session()
			der, _ := asn1.Marshal(mechs)
			cli.mu.Lock()
			cli.out.seq = 1
			if err := cli.verify(der, r.MechListMIC); err != nil {
				t.Fatalf("client cannot verify the server's mechListMIC: %v", err)
			}
			cli.in.reset()
			cli.out.reset()
			cli.mu.Unlock()
			msg := []byte("first message")
			sig, err := cli.Sign(msg)
			if err != nil {
				t.Fatal(err)
			}
			if le.Uint32(sig[12:]) != 1 {
				t.Errorf("first application message has sequence number %d, want 1", le.Uint32(sig[12:]))
			}
			if err := h.Result().Session.Verify(msg, sig); err != nil {
				t.Fatalf("server Verify after mechListMIC: %v", err)
			}
		})
	}
	t.Run("tampered mechListMIC", func(t *testing.T) {
		f := newFixture(t)
		c := newTestClient("CONTOSO", "sqlsvc", sqlsvcPassword)
		h := f.srv.NewHandshake()
		out, _ := h.Step(krbInit(t, ntlmFirst, c.negotiate()))
		auth := c.authenticate(t, krbRead(t, out).ResponseToken)
		der, _ := asn1.Marshal([]asn1.ObjectIdentifier{oidNTLM}) // not the list the client sent
		mic, _ := c.session().Sign(der)
		if _, err := h.Step(krbResp(t, auth, mic)); !errors.Is(err, ErrMechListMIC) {
			t.Fatalf("err = %v, want ErrMechListMIC", err)
		}
		if h.Done() || h.Result() != nil {
			t.Errorf("a refused mechListMIC left the logon done")
		}
	})
}

func TestSPNEGONoNTLM(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name  string
		mechs []asn1.ObjectIdentifier
		want  error
	}{
		{"kerberos only", []asn1.ObjectIdentifier{oidMSKerberos, oidKerberos}, ErrKerberosOnly},
		{"negoex only", []asn1.ObjectIdentifier{oidNegoEx}, ErrNoCommonMechanism},
	} {
		_, err := f.srv.NewHandshake().Step(krbInit(t, tc.mechs, []byte("AP-REQ")))
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
		if tc.want == ErrKerberosOnly && !strings.Contains(err.Error(), "Kerberos") {
			t.Errorf("%s: %v does not say Kerberos", tc.name, err)
		}
	}
	if !errors.Is(ErrKerberosOnly, ErrNoCommonMechanism) {
		t.Errorf("ErrKerberosOnly does not wrap ErrNoCommonMechanism")
	}
}

// TestSPNEGOCapturedToken answers a NegTokenInit captured from a Windows
// client (see spnego/testdata) with an NTLM CHALLENGE.
func TestSPNEGOCapturedToken(t *testing.T) {
	b, err := os.ReadFile("spnego/testdata/captured-negtokeninit.hex")
	if err != nil {
		t.Fatal(err)
	}
	token, _ := hex.DecodeString(strings.TrimSpace(string(b)))
	out, err := newFixture(t).srv.NewHandshake().Step(token)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := spnego.ParseNegTokenResp(out)
	if err != nil || !isNTLM(resp.ResponseToken) || ntlmType(resp.ResponseToken) != typeChallenge {
		t.Fatalf("answer %+v, %v; want a CHALLENGE", resp, err)
	}
	if got, want := Flags(le.Uint32(resp.ResponseToken[20:])), Flags(0xe2898235); got != want {
		t.Errorf("flags %s, want %s", got, want)
	}
}
