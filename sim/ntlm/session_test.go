package ntlm

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"
)

// sealedPair logs a test client on with sealing negotiated and returns
// both ends' sessions.
func sealedPair(t *testing.T, flags Flags) (server, client *Session) {
	t.Helper()
	f := newFixture(t)
	c := newTestClient("CONTOSO", "sqlsvc", sqlsvcPassword)
	c.flags = flags
	h, err := f.run(t, c.negotiate(), func(ch []byte) []byte { return c.authenticate(t, ch) })
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(h.Result().Session.ExportedSessionKey(), c.exported) {
		t.Fatalf("server and client derived different session keys")
	}
	return h.Result().Session, c.session()
}

func TestSessionBothDirections(t *testing.T) {
	for _, flags := range []Flags{
		windowsClientFlags&^FlagLMKey | FlagSeal,                   // key exchange: RC4-encrypted checksums
		windowsClientFlags&^(FlagLMKey|FlagKeyExchange) | FlagSeal, // no key exchange: plain checksums
	} {
		t.Run(fmt.Sprintf("%08x", uint32(flags)), func(t *testing.T) {
			srv, cli := sealedPair(t, flags)
			for i := range 3 {
				req := fmt.Appendf(nil, "<s:Envelope>request %d</s:Envelope>", i)
				wrapped, err := cli.Wrap(req)
				if err != nil {
					t.Fatal(err)
				}
				if bytes.Contains(wrapped, req[:10]) {
					t.Fatalf("sealed message contains its plaintext")
				}
				// Each round the client wraps once and signs once.
				if seq := le.Uint32(wrapped[12:]); seq != uint32(2*i) {
					t.Errorf("client message %d has sequence number %d, want %d", i, seq, 2*i)
				}
				got, err := srv.Unwrap(wrapped)
				if err != nil || !bytes.Equal(got, req) {
					t.Fatalf("server Unwrap = %q, %v", got, err)
				}
				resp := fmt.Appendf(nil, "<s:Envelope>response %d</s:Envelope>", i)
				wrapped, err = srv.Wrap(resp)
				if err != nil {
					t.Fatal(err)
				}
				if got, err = cli.Unwrap(wrapped); err != nil || !bytes.Equal(got, resp) {
					t.Fatalf("client Unwrap = %q, %v", got, err)
				}
				sig, _ := cli.Sign(req)
				if err := srv.Verify(req, sig); err != nil {
					t.Fatalf("Verify: %v", err)
				}
			}
		})
	}
}

func TestSessionRefusals(t *testing.T) {
	flags := windowsClientFlags&^FlagLMKey | FlagSeal
	for _, tc := range []struct {
		name  string
		alter func(cli *Session, wrapped []byte) []byte
		want  string
	}{
		{"body altered", func(_ *Session, w []byte) []byte { w[len(w)-1] ^= 1; return w }, "checksum"},
		{"signature altered", func(_ *Session, w []byte) []byte { w[5] ^= 1; return w }, "checksum"},
		{"replayed", func(cli *Session, w []byte) []byte {
			// deliver the first message twice: the second has a stale sequence number
			return w
		}, "sequence number"},
		{"truncated", func(_ *Session, w []byte) []byte { return w[:10] }, "shorter than its signature"},
		{"version", func(_ *Session, w []byte) []byte { w[0] = 2; return w }, "version"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, cli := sealedPair(t, flags)
			wrapped, _ := cli.Wrap([]byte("Get-CsService -PersistentChatServer"))
			if tc.name == "replayed" {
				if _, err := srv.Unwrap(append([]byte(nil), wrapped...)); err != nil {
					t.Fatal(err)
				}
			}
			_, err := srv.Unwrap(tc.alter(cli, wrapped))
			if !errors.Is(err, ErrBadSignature) || !bytes.Contains([]byte(err.Error()), []byte(tc.want)) {
				t.Fatalf("err = %v, want ErrBadSignature about %s", err, tc.want)
			}
			if tc.name == "truncated" {
				return
			}
			// The RC4 state is now off: the session stays refused.
			next, _ := cli.Wrap([]byte("next"))
			if _, err := srv.Unwrap(next); !errors.Is(err, ErrBadSignature) {
				t.Errorf("after a failure: %v, want ErrBadSignature", err)
			}
		})
	}
}

func TestSessionNotNegotiated(t *testing.T) {
	srv, _ := sealedPair(t, windowsClientFlags&^(FlagLMKey|FlagSign|FlagSeal))
	if _, _, err := srv.Seal([]byte("x")); !errors.Is(err, ErrNotNegotiated) {
		t.Errorf("Seal without SEAL: %v", err)
	}
	if _, err := srv.Sign([]byte("x")); !errors.Is(err, ErrNotNegotiated) {
		t.Errorf("Sign without SIGN: %v", err)
	}
}

// TestSessionConcurrentSenders: concurrent signers get distinct sequence
// numbers, and the signatures verify in sequence order (run with -race).
func TestSessionConcurrentSenders(t *testing.T) {
	srv, cli := sealedPair(t, windowsClientFlags&^FlagLMKey|FlagSeal)
	msg := []byte("Receive")
	const n = 8
	sigs := make([][]byte, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sig, err := srv.Sign(msg)
			if err != nil {
				t.Error(err)
			}
			sigs[i] = sig
		}()
	}
	wg.Wait()
	bySeq := make([][]byte, n)
	for _, sig := range sigs {
		seq := le.Uint32(sig[12:])
		if seq >= n || bySeq[seq] != nil {
			t.Fatalf("sequence number %d duplicated or out of range", seq)
		}
		bySeq[seq] = sig
	}
	for seq, sig := range bySeq {
		if err := cli.Verify(msg, sig); err != nil {
			t.Fatalf("signature %d: %v", seq, err)
		}
	}
}
