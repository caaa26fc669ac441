package spnego

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"testing"
)

// FuzzSPNEGO feeds arbitrary bytes to both decoders: ErrMalformed or a
// token, never a panic; a decoded NegTokenResp encodes back to a token
// that decodes to the same fields.
func FuzzSPNEGO(f *testing.F) {
	f.Add(capturedNegTokenInit(f))
	f.Add(gokrb5Init(f, []asn1.ObjectIdentifier{oidMSKerberos, oidKerberos, OIDNTLM()}, []byte("NTLMSSP\x00\x01\x00\x00\x00"), nil))
	f.Add(gokrb5Init(f, []asn1.ObjectIdentifier{OIDNTLM()}, nil, bytes.Repeat([]byte{7}, 16)))
	for _, r := range []NegTokenResp{
		{HasState: true, State: AcceptIncomplete, SupportedMech: OIDNTLM(), ResponseToken: []byte("NTLMSSP\x00\x02\x00\x00\x00")},
		{HasState: true, State: AcceptCompleted, MechListMIC: make([]byte, 16)},
		{ResponseToken: []byte("NTLMSSP\x00\x03\x00\x00\x00")},
	} {
		b, err := r.Marshal()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if init, err := ParseInitialToken(data); err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("ParseInitialToken error %v does not wrap ErrMalformed", err)
			}
		} else if len(init.MechTypes) == 0 || len(init.MechTypesDER) == 0 {
			t.Fatalf("a NegTokenInit without mechanisms decoded: %+v", init)
		}
		resp, err := ParseNegTokenResp(data)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("ParseNegTokenResp error %v does not wrap ErrMalformed", err)
			}
			return
		}
		b, err := resp.Marshal()
		if err != nil {
			t.Fatalf("a decoded NegTokenResp does not encode: %v", err)
		}
		again, err := ParseNegTokenResp(b)
		if err != nil {
			t.Fatalf("re-encoded NegTokenResp %x does not decode: %v", b, err)
		}
		if again.HasState != resp.HasState || again.State != resp.State || !again.SupportedMech.Equal(resp.SupportedMech) ||
			!bytes.Equal(again.ResponseToken, resp.ResponseToken) || !bytes.Equal(again.MechListMIC, resp.MechListMIC) {
			t.Fatalf("round trip changed %+v into %+v", resp, again)
		}
	})
}
