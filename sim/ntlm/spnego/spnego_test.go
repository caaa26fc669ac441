package spnego

import (
	"bytes"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"testing"

	forkasn1 "github.com/jcmturner/gofork/encoding/asn1"
	krbspnego "github.com/jcmturner/gokrb5/v8/spnego"
)

// capturedNegTokenInit is a client's first SPNEGO token offering NTLM
// alone, with its NEGOTIATE_MESSAGE (flags 0xe2888235, OEM domain and
// workstation fields): the sample Metasploit's Rex::Proto::Gss specs
// parse, a token no code of this repository produced.
func capturedNegTokenInit(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/captured-negtokeninit.hex")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

var (
	oidKerberos   = asn1.ObjectIdentifier{1, 2, 840, 113554, 1, 2, 2}
	oidMSKerberos = asn1.ObjectIdentifier{1, 2, 840, 48018, 1, 2, 2}
)

// gokrb5Init encodes a client's first token with gokrb5's SPNEGO, an
// encoder independent of this package.
func gokrb5Init(t testing.TB, mechs []asn1.ObjectIdentifier, token, mic []byte) []byte {
	t.Helper()
	var oids []forkasn1.ObjectIdentifier
	for _, m := range mechs {
		oids = append(oids, forkasn1.ObjectIdentifier(m))
	}
	tok := krbspnego.SPNEGOToken{Init: true, NegTokenInit: krbspnego.NegTokenInit{MechTypes: oids, MechTokenBytes: token, MechListMIC: mic}}
	b, err := tok.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseInitialToken(t *testing.T) {
	ntlmNegotiate := []byte("NTLMSSP\x00\x01\x00\x00\x00rest")
	b := gokrb5Init(t, []asn1.ObjectIdentifier{oidMSKerberos, oidKerberos, OIDNTLM()}, ntlmNegotiate, nil)
	init, err := ParseInitialToken(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(init.MechTypes) != 3 || MechOf(init.MechTypes[0]) != MechMSKerberos || MechOf(init.MechTypes[1]) != MechKerberos || MechOf(init.MechTypes[2]) != MechNTLM {
		t.Errorf("mechs %v", init.MechTypes)
	}
	if !bytes.Equal(init.MechToken, ntlmNegotiate) {
		t.Errorf("mechToken %q", init.MechToken)
	}
	want, _ := asn1.Marshal(init.MechTypes)
	if !bytes.Equal(init.MechTypesDER, want) {
		t.Errorf("MechTypesDER %x, want the DER MechTypeList %x", init.MechTypesDER, want)
	}
}

// TestParseCapturedInit parses a NegTokenInit offering NTLM alone with an
// NTLM NEGOTIATE_MESSAGE, as Metasploit's Rex::Proto::Gss specs capture it
// from a Windows client.
func TestParseCapturedInit(t *testing.T) {
	init, err := ParseInitialToken(capturedNegTokenInit(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(init.MechTypes) != 1 || MechOf(init.MechTypes[0]) != MechNTLM || !bytes.HasPrefix(init.MechToken, []byte("NTLMSSP\x00\x01")) {
		t.Errorf("parsed %+v", init)
	}
}

func TestNegTokenRespRoundTrip(t *testing.T) {
	for _, resp := range []NegTokenResp{
		{HasState: true, State: AcceptCompleted},
		{HasState: true, State: AcceptIncomplete, SupportedMech: OIDNTLM(), ResponseToken: []byte("NTLMSSP\x00\x02")},
		{HasState: true, State: AcceptCompleted, MechListMIC: bytes.Repeat([]byte{1}, 16)},
		{ResponseToken: []byte("NTLMSSP\x00\x03")},
	} {
		b, err := resp.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseNegTokenResp(b)
		if err != nil {
			t.Fatalf("%x: %v", b, err)
		}
		if got.HasState != resp.HasState || got.State != resp.State || !got.SupportedMech.Equal(resp.SupportedMech) ||
			!bytes.Equal(got.ResponseToken, resp.ResponseToken) || !bytes.Equal(got.MechListMIC, resp.MechListMIC) {
			t.Errorf("round trip %+v -> %+v", resp, got)
		}
		if !resp.HasState {
			continue
		}
		// gokrb5 reads what the server writes, accept-completed included.
		var k krbspnego.SPNEGOToken
		if err := k.Unmarshal(b); err != nil || !k.Resp || int(k.NegTokenResp.NegState) != int(resp.State) {
			t.Errorf("gokrb5 reads %x as %+v, %v", b, k.NegTokenResp, err)
		}
	}
	// accept-completed must be on the wire, not dropped as a zero value.
	b, _ := (&NegTokenResp{HasState: true, State: AcceptCompleted}).Marshal()
	if want := "a1073005a0030a0100"; hex.EncodeToString(b) != want {
		t.Errorf("accept-completed = %x, want %s", b, want)
	}
}

func TestMalformed(t *testing.T) {
	good := gokrb5Init(t, []asn1.ObjectIdentifier{OIDNTLM()}, []byte("NTLMSSP\x00"), nil)
	kerberosFramed := append([]byte(nil), good...)
	copy(kerberosFramed[bytes.Index(kerberosFramed, []byte{0x2b, 0x06, 0x01, 0x05, 0x05, 0x02}):], []byte{0x2b, 0x06, 0x01, 0x05, 0x05, 0x03})
	emptyList := gokrb5Init(t, []asn1.ObjectIdentifier{}, nil, nil)
	for name, b := range map[string][]byte{
		"empty":            nil,
		"trailing byte":    append(append([]byte(nil), good...), 0),
		"truncated":        good[:len(good)-3],
		"other mechanism":  kerberosFramed,
		"no mechanisms":    emptyList,
		"NegTokenResp":     {0xa1, 0x03, 0x30, 0x01, 0x00},
		"indefinite BER":   {0x60, 0x80, 0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02, 0x00, 0x00},
		"OCTET STRING":     {0x04, 0x02, 0x01, 0x02},
		"application 1":    {0x61, 0x00},
		"length overflows": {0x60, 0x84, 0xff, 0xff, 0xff, 0xff},
	} {
		if _, err := ParseInitialToken(b); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseInitialToken(%s) = %v, want ErrMalformed", name, err)
		}
	}
	for name, b := range map[string][]byte{
		"NegTokenInit":        good,
		"negState 7":          {0xa1, 0x09, 0x30, 0x07, 0xa0, 0x05, 0x0a, 0x01, 0x07, 0x00, 0x00},
		"negState 7 exactly":  {0xa1, 0x07, 0x30, 0x05, 0xa0, 0x03, 0x0a, 0x01, 0x07},
		"token not a string":  {0xa1, 0x07, 0x30, 0x05, 0xa2, 0x03, 0x02, 0x01, 0x07},
		"trailing":            {0xa1, 0x02, 0x30, 0x00, 0x00},
		"primitive [1]":       {0x81, 0x02, 0x30, 0x00},
		"sequence too short":  {0xa1, 0x04, 0x30, 0x05, 0xa0, 0x03},
		"unknown field [5]":   {0xa1, 0x07, 0x30, 0x05, 0xa5, 0x03, 0x02, 0x01, 0x00},
		"state after a token": {0xa1, 0x0c, 0x30, 0x0a, 0xa2, 0x03, 0x04, 0x01, 0x00, 0xa0, 0x03, 0x0a, 0x01, 0x00},
	} {
		if _, err := ParseNegTokenResp(b); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseNegTokenResp(%s) = %v, want ErrMalformed", name, err)
		}
	}
}
