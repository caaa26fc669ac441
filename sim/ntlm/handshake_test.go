package ntlm

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	ntlmssp "github.com/Azure/go-ntlmssp"
	mssqlntlm "github.com/microsoft/go-mssqldb/integratedauth/ntlm"
)

const (
	sqlsvcPassword = "Pa55w.rd-sql"
	adminPassword  = "L0cal!Admin"
)

// manualClock is a clock a test moves by hand.
type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *manualClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *manualClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// seededReader is a deterministic challenge source, as a seeded run uses.
func seededReader(seed uint64) io.Reader { return rand.NewChaCha8([32]byte{byte(seed)}) }

type fixture struct {
	srv      *Server
	clock    *manualClock
	accounts *MemoryAccounts
}

// newFixture is the SQL Server host of the tests: LYNCSQL01 in the
// CONTOSO (contoso.com) domain, with the service account CONTOSO\sqlsvc
// and a local administrator. The clock starts at the real time: the
// independent clients put their own clock into responses.
func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{
		clock: &manualClock{t: time.Now()},
		accounts: NewMemoryAccounts(
			NewAccount("CONTOSO", "sqlsvc", sqlsvcPassword),
			NewAccount("LYNCSQL01", "Administrator", adminPassword),
		),
	}
	srv, err := NewServer(Config{
		ComputerName: "LYNCSQL01", Domain: "CONTOSO", DNSDomain: "contoso.com",
		Accounts: f.accounts, Rand: seededReader(1), Now: f.clock.now,
	})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = srv
	return f
}

// run drives a whole two-leg handshake with a client's two messages.
func (f *fixture) run(t testing.TB, negotiate []byte, answer func(challenge []byte) []byte, opts ...HandshakeOption) (*Handshake, error) {
	t.Helper()
	h := f.srv.NewHandshake(opts...)
	challenge, err := h.Step(negotiate)
	if err != nil {
		return h, err
	}
	out, err := h.Step(answer(challenge))
	if err == nil && (out != nil || !h.Done()) {
		t.Fatalf("raw handshake ended with token %x, done %v", out, h.Done())
	}
	return h, err
}

func TestGoNTLMSSPClient(t *testing.T) {
	for _, tc := range []struct {
		name, domain, user, password string
		want                         string
		wantErr                      error
	}{
		{"domain user", "CONTOSO", "sqlsvc", sqlsvcPassword, `CONTOSO\sqlsvc`, nil},
		{"names in another case", "contoso", "SQLSVC", sqlsvcPassword, `CONTOSO\sqlsvc`, nil},
		{"DNS domain name", "contoso.com", "sqlsvc", sqlsvcPassword, `CONTOSO\sqlsvc`, nil},
		{"user principal name", "", "sqlsvc@contoso.com", sqlsvcPassword, `CONTOSO\sqlsvc`, nil},
		{"no domain", "", "sqlsvc", sqlsvcPassword, `CONTOSO\sqlsvc`, nil},
		{"wrong password", "CONTOSO", "sqlsvc", "Pa55w.rd-sq1", "", ErrLogonFailure},
		{"unknown user", "CONTOSO", "sqlsvc2", sqlsvcPassword, "", ErrLogonFailure},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			neg, err := ntlmssp.NewNegotiateMessage(tc.domain, "")
			if err != nil {
				t.Fatal(err)
			}
			h, err := f.run(t, neg, func(challenge []byte) []byte {
				// go-ntlmssp hashes with the CHALLENGE's TargetName as the
				// domain and sends that name, whatever the user typed.
				auth, err := ntlmssp.ProcessChallenge(challenge, tc.user, tc.password)
				if err != nil {
					t.Fatalf("go-ntlmssp: %v", err)
				}
				return auth
			})
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("logon failed: %v", err)
			}
			if got := h.Result().Account.String(); got != tc.want {
				t.Errorf("account %s, want %s", got, tc.want)
			}
		})
	}
}

func TestGoMSSQLDBClient(t *testing.T) {
	for _, tc := range []struct {
		name, domain, user, password string
		want                         string
		wantErr                      error
		reason                       LogonReason
	}{
		{"domain user", "CONTOSO", "sqlsvc", sqlsvcPassword, `CONTOSO\sqlsvc`, nil, 0},
		{"lower-case domain", "contoso", "SqlSvc", sqlsvcPassword, `CONTOSO\sqlsvc`, nil, 0},
		{"DNS domain name", "CONTOSO.COM", "sqlsvc", sqlsvcPassword, `CONTOSO\sqlsvc`, nil, 0},
		{"user principal name", "", "sqlsvc@CONTOSO.com", sqlsvcPassword, `CONTOSO\sqlsvc`, nil, 0},
		{"local account", "LYNCSQL01", "administrator", adminPassword, `LYNCSQL01\Administrator`, nil, 0},
		{"local account by DNS name", "lyncsql01.contoso.com", "Administrator", adminPassword, `LYNCSQL01\Administrator`, nil, 0},
		{"empty domain: the host's domain", "", "sqlsvc", sqlsvcPassword, `CONTOSO\sqlsvc`, nil, 0},
		{"empty domain: then local accounts", "", "Administrator", adminPassword, `LYNCSQL01\Administrator`, nil, 0},
		{"wrong password", "CONTOSO", "sqlsvc", "wrong", "", ErrLogonFailure, ReasonWrongPassword},
		{"unknown user", "CONTOSO", "nobody", sqlsvcPassword, "", ErrLogonFailure, ReasonUnknownUser},
		{"untrusted domain", "FABRIKAM", "sqlsvc", sqlsvcPassword, "", ErrUntrustedDomain, 0},
		{"UPN of another forest", "", "sqlsvc@fabrikam.com", sqlsvcPassword, "", ErrUntrustedDomain, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			c := &mssqlntlm.Auth{Domain: tc.domain, UserName: tc.user, Password: tc.password, Workstation: "APP01"}
			neg, err := c.InitialBytes()
			if err != nil {
				t.Fatal(err)
			}
			h, err := f.run(t, neg, func(challenge []byte) []byte {
				auth, err := c.NextBytes(challenge)
				if err != nil {
					t.Fatalf("go-mssqldb: %v", err)
				}
				return auth
			})
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				var le *LogonError
				if tc.reason != 0 && (!errors.As(err, &le) || le.Reason != tc.reason) {
					t.Errorf("err = %v, want reason %s", err, tc.reason)
				}
				return
			}
			if err != nil {
				t.Fatalf("logon failed: %v", err)
			}
			res := h.Result()
			if res.Account.String() != tc.want || res.Workstation != "APP01" || res.MIC {
				t.Errorf("result %s from %q (MIC %v), want %s from APP01 without MIC", res.Account, res.Workstation, res.MIC, tc.want)
			}
		})
	}
}

// TestGoMSSQLDBNTLMv1 drives go-mssqldb's real NTLMv1 path: given a
// challenge without target information it answers with a 24-byte NTLM2
// session response, which the server refuses.
func TestGoMSSQLDBNTLMv1(t *testing.T) {
	f := newFixture(t)
	c := &mssqlntlm.Auth{Domain: "CONTOSO", UserName: "sqlsvc", Password: sqlsvcPassword}
	neg, _ := c.InitialBytes()
	_, err := f.run(t, neg, func(challenge []byte) []byte {
		old := append([]byte(nil), challenge...)
		le.PutUint32(old[20:], le.Uint32(old[20:])&^uint32(FlagTargetInfo))
		auth, err := c.NextBytes(old)
		if err != nil {
			t.Fatal(err)
		}
		return auth
	})
	if !errors.Is(err, ErrNTLMv1Refused) {
		t.Fatalf("err = %v, want ErrNTLMv1Refused", err)
	}
}

// TestChallengeMessage checks what the server tells a Windows 10 client:
// the flags a domain member answers 0xe2088297 with, its names and clock.
func TestChallengeMessage(t *testing.T) {
	f := newFixture(t)
	c := newTestClient("CONTOSO", "sqlsvc", sqlsvcPassword)
	c.flags = windowsClientFlags
	challenge, err := f.srv.NewHandshake().Step(c.negotiate())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := Flags(le.Uint32(challenge[20:])), Flags(0xe2898215); got != want {
		t.Errorf("flags %s, want %s", got, want)
	}
	name, _ := readField(challenge, 12).bytesOf(challenge, challengeFixed, "TargetName")
	if string(name) != string(encodeUTF16("CONTOSO")) {
		t.Errorf("TargetName %q, want CONTOSO in UTF-16", name)
	}
	if got := parseVersion(challenge[48:]); got != WindowsServer2012R2() {
		t.Errorf("version %s, want %s", got, WindowsServer2012R2())
	}
	raw, _ := readField(challenge, 40).bytesOf(challenge, challengeFixed, "TargetInfo")
	info, rest, err := parseAVList(raw, "TargetInfo")
	if err != nil || len(rest) != 0 {
		t.Fatalf("TargetInfo: %v, %d trailing bytes", err, len(rest))
	}
	want := map[avID]string{
		avNbDomainName: "CONTOSO", avNbComputerName: "LYNCSQL01", avDNSDomainName: "contoso.com",
		avDNSComputerName: "lyncsql01.contoso.com", avDNSTreeName: "contoso.com",
	}
	var ids []avID
	for _, p := range info {
		ids = append(ids, p.id)
		if w, ok := want[p.id]; ok && string(p.value) != string(encodeUTF16(w)) {
			t.Errorf("%s = %q, want %q", p.id, p.value, w)
		}
	}
	if got := TimeFromFileTime(le.Uint64(mustGet(t, info, avTimestamp))); !got.Equal(f.clock.now().Truncate(100 * time.Nanosecond)) {
		t.Errorf("MsvAvTimestamp %s, want the server clock %s", got, f.clock.now())
	}
	if got, want := ids, []avID{2, 1, 4, 3, 5, 7}; !equalIDs(got, want) {
		t.Errorf("AV pair order %v, want Windows' %v", got, want)
	}

	// The challenge is drawn from the injected reader: same seed, same nonce.
	again, _ := newFixture(t).srv.NewHandshake().Step(c.negotiate())
	if !bytes.Equal(challenge[24:32], again[24:32]) {
		t.Errorf("server challenges %x and %x differ under one seed", challenge[24:32], again[24:32])
	}
}

func mustGet(t *testing.T, l avList, id avID) []byte {
	t.Helper()
	v, ok := l.get(id)
	if !ok {
		t.Fatalf("no %s", id)
	}
	return v
}

func equalIDs(a, b []avID) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestMIC: a client MIC over the three messages verifies; any change to
// them afterwards, or a MIC computed over another CHALLENGE, is refused.
func TestMIC(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper func(c *testClient, h *Handshake)
		want   error
	}{
		{"intact", nil, nil},
		{"MIC byte flipped", func(c *testClient, _ *Handshake) { c.tamper = func(m []byte) { m[micOffset+3] ^= 0x40 } }, ErrMIC},
		{"MIC zeroed", func(c *testClient, _ *Handshake) { c.tamper = func(m []byte) { clear(m[micOffset:micEnd]) } }, ErrMIC},
		{"flags changed after the MIC", func(c *testClient, _ *Handshake) {
			c.tamper = func(m []byte) { le.PutUint32(m[60:], le.Uint32(m[60:])&^uint32(FlagSign)) }
		}, ErrMIC},
		{"workstation changed after the MIC", func(c *testClient, _ *Handshake) {
			c.tamper = func(m []byte) { m[len(m)-16-1] ^= 1 } // last byte of the workstation name
		}, ErrMIC},
		{"NEGOTIATE seen differently", func(_ *testClient, h *Handshake) { h.negotiate[13] ^= 0x01 }, ErrMIC},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			c := newTestClient("CONTOSO", "sqlsvc", sqlsvcPassword)
			h := f.srv.NewHandshake()
			challenge, err := h.Step(c.negotiate())
			if err != nil {
				t.Fatal(err)
			}
			if tc.tamper != nil {
				tc.tamper(c, h)
			}
			_, err = h.Step(c.authenticate(t, challenge))
			if tc.want == nil {
				if err != nil || !h.Result().MIC {
					t.Fatalf("err %v, MIC verified %v; want a verified MIC", err, err == nil && h.Result().MIC)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestReplay: an AUTHENTICATE_MESSAGE that logged on once is worthless in
// another handshake (another server challenge) and in its own after the end.
func TestReplay(t *testing.T) {
	f := newFixture(t)
	neg, _ := ntlmssp.NewNegotiateMessage("CONTOSO", "")
	var auth []byte
	h, err := f.run(t, neg, func(challenge []byte) []byte {
		auth, _ = ntlmssp.ProcessChallenge(challenge, "sqlsvc", sqlsvcPassword)
		return auth
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Step(auth); !errors.Is(err, ErrOutOfSequence) {
		t.Errorf("same handshake: %v, want ErrOutOfSequence", err)
	}
	if !h.Done() || h.Result() == nil {
		t.Errorf("a refused replay undid the completed logon")
	}
	if _, err := f.run(t, neg, func([]byte) []byte { return auth }); !errors.Is(err, ErrLogonFailure) {
		t.Errorf("new handshake: %v, want ErrLogonFailure", err)
	}
	h2 := f.srv.NewHandshake()
	if _, err := h2.Step(auth); !errors.Is(err, ErrOutOfSequence) {
		t.Errorf("AUTHENTICATE first: %v, want ErrOutOfSequence", err)
	}
	if _, err := h2.Step(neg); !errors.Is(err, ErrOutOfSequence) {
		t.Errorf("NEGOTIATE after a failure: %v, want ErrOutOfSequence", err)
	}
}

func TestTimestamps(t *testing.T) {
	late := func(c *testClient, f *fixture) { f.clock.advance(31 * time.Minute) }
	for _, tc := range []struct {
		name  string
		setup func(c *testClient, f *fixture)
		want  error
	}{
		{"prompt answer", func(*testClient, *fixture) {}, nil},
		{"challenge 29 minutes old", func(_ *testClient, f *fixture) { f.clock.advance(29 * time.Minute) }, nil},
		{"challenge 31 minutes old", late, ErrTimestamp},
		{"MsvAvTimestamp not the server's", func(c *testClient, _ *fixture) { c.tamperTimestamp = true }, ErrTimestamp},
		{"no MsvAvTimestamp, blob time now", func(c *testClient, f *fixture) {
			c.noTimestamp = true
			ts := FileTime(f.clock.now().Add(-10 * time.Minute))
			c.time = &ts
		}, nil},
		{"no MsvAvTimestamp, blob time an hour off", func(c *testClient, f *fixture) {
			c.noTimestamp = true
			ts := FileTime(f.clock.now().Add(time.Hour))
			c.time = &ts
		}, ErrTimestamp},
		{"blob time garbage beside the echoed MsvAvTimestamp (go-mssqldb)", func(c *testClient, _ *fixture) {
			ts := uint64(0x0123456789abcdef)
			c.time = &ts
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			c := newTestClient("CONTOSO", "sqlsvc", sqlsvcPassword)
			h := f.srv.NewHandshake()
			challenge, err := h.Step(c.negotiate())
			if err != nil {
				t.Fatal(err)
			}
			tc.setup(c, f)
			if c.tamperTimestamp {
				challenge = append([]byte(nil), challenge...)
				at := bytes.Index(challenge, []byte{byte(avTimestamp), 0, 8, 0})
				challenge[at+4] ^= 0xff
			}
			_, err = h.Step(c.authenticate(t, challenge))
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestRefusals: logons the server refuses before any password check.
func TestRefusals(t *testing.T) {
	for _, tc := range []struct {
		name      string
		negotiate func(c *testClient) []byte
		auth      func(t *testing.T, c *testClient, challenge []byte) []byte
		want      error
	}{
		{"anonymous", nil, func(t *testing.T, c *testClient, _ []byte) []byte {
			msg := make([]byte, micEnd)
			copy(msg, signature)
			le.PutUint32(msg[8:], typeAuthenticate)
			le.PutUint32(msg[60:], uint32(FlagUnicode|FlagNTLM|FlagAnonymous))
			return msg
		}, ErrAnonymous},
		{"anonymous by content", nil, func(t *testing.T, c *testClient, _ []byte) []byte {
			msg := make([]byte, micEnd+1)
			copy(msg, signature)
			le.PutUint32(msg[8:], typeAuthenticate)
			le.PutUint16(msg[12:], 1)
			le.PutUint32(msg[16:], micEnd) // LmChallengeResponse Z(1)
			le.PutUint32(msg[60:], uint32(FlagUnicode|FlagNTLM))
			return msg
		}, ErrAnonymous},
		{"LM only", nil, func(t *testing.T, c *testClient, ch []byte) []byte {
			return rebuildAuth(t, c.authenticate(t, ch), func(fs [][]byte) { fs[1] = nil })
		}, ErrNTLMv1Refused},
		{"NTLMv1 24-byte response", nil, func(t *testing.T, c *testClient, ch []byte) []byte {
			return rebuildAuth(t, c.authenticate(t, ch), func(fs [][]byte) { fs[1] = make([]byte, 24) })
		}, ErrNTLMv1Refused},
		{"empty user", nil, func(t *testing.T, c *testClient, ch []byte) []byte {
			c.user = ""
			return c.authenticate(t, ch)
		}, ErrLogonFailure},
		{"wrong LMv2", nil, func(t *testing.T, c *testClient, ch []byte) []byte {
			c.lmv2, c.mic = true, false
			return rebuildAuth(t, c.authenticate(t, ch), func(fs [][]byte) { fs[0][3] ^= 1 })
		}, ErrLogonFailure},
		{"sealing without 128-bit keys", func(c *testClient) []byte {
			c.flags &^= Flag128
			return c.negotiate()
		}, nil, ErrWeakSecurity},
		{"sealing without extended session security", func(c *testClient) []byte {
			c.flags &^= FlagExtendedSessionSecurity
			return c.negotiate()
		}, nil, ErrUnsupported},
		{"neither Unicode nor OEM", func(c *testClient) []byte {
			c.flags &^= FlagUnicode | FlagOEM
			return c.negotiate()
		}, nil, ErrMalformed},
		{"character set switched", nil, func(t *testing.T, c *testClient, ch []byte) []byte {
			c.mic = false
			auth := c.authenticate(t, ch)
			le.PutUint32(auth[60:], le.Uint32(auth[60:])&^uint32(FlagUnicode)|uint32(FlagOEM))
			return auth
		}, ErrMalformed},
		{"datagram", func(c *testClient) []byte {
			c.flags |= FlagDatagram
			return c.negotiate()
		}, nil, ErrUnsupported},
		{"KEY_EXCH without a key", nil, func(t *testing.T, c *testClient, ch []byte) []byte {
			c.mic = false
			return rebuildAuth(t, c.authenticate(t, ch), func(fs [][]byte) { fs[5] = fs[5][:8] })
		}, ErrMalformed},
		{"MIC announced without room", nil, func(t *testing.T, c *testClient, ch []byte) []byte {
			return rebuildAuth(t, c.authenticate(t, ch), nil)
		}, ErrMalformed},
		{"flags not offered", nil, func(t *testing.T, c *testClient, ch []byte) []byte {
			c.mic = false
			auth := c.authenticate(t, ch)
			le.PutUint32(auth[60:], le.Uint32(auth[60:])|uint32(FlagLMKey))
			return auth
		}, ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			c := newTestClient("CONTOSO", "sqlsvc", sqlsvcPassword)
			h := f.srv.NewHandshake()
			neg := c.negotiate()
			if tc.negotiate != nil {
				neg = tc.negotiate(c)
			}
			challenge, err := h.Step(neg)
			if tc.auth == nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("NEGOTIATE: err = %v, want %v", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			_, err = h.Step(tc.auth(t, c, challenge))
			if !errors.Is(err, tc.want) {
				t.Fatalf("AUTHENTICATE: err = %v, want %v", err, tc.want)
			}
			if h.Done() || h.Result() != nil {
				t.Errorf("a refused logon left the handshake done")
			}
		})
	}
}

// rebuildAuth re-lays an AUTHENTICATE_MESSAGE with a 64-byte header (no
// Version, no MIC) after edit changes its six payload fields.
func rebuildAuth(t *testing.T, auth []byte, edit func(fields [][]byte)) []byte {
	t.Helper()
	m, err := ParseAuthenticate(auth)
	if err != nil {
		t.Fatal(err)
	}
	fs := [][]byte{m.LMResponse, m.NTResponse, encodeUTF16(m.Domain), encodeUTF16(m.User), encodeUTF16(m.Workstation), m.EncryptedRandomSessionKey}
	for i := range fs {
		fs[i] = append([]byte(nil), fs[i]...)
	}
	if edit != nil {
		edit(fs)
	}
	msg := make([]byte, authenticateFixed)
	copy(msg, auth[:12])
	offset := authenticateFixed
	for i, p := range fs {
		putField(msg, 12+8*i, len(p), &offset)
	}
	le.PutUint32(msg[60:], uint32(m.Flags))
	for _, p := range fs {
		msg = append(msg, p...)
	}
	return msg
}

// TestGarbledTokens: whatever the bytes, a clear ErrMalformed (or
// ErrOutOfSequence) and never a panic; every prefix of a valid message is
// refused.
func TestGarbledTokens(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name  string
		token []byte
		want  error
	}{
		{"empty", nil, ErrMalformed},
		{"HTTP Basic credentials", []byte("c3Fsc3ZjOnBhc3M="), ErrMalformed},
		{"wrong signature", append([]byte("NTLMSSQ\x00\x01\x00\x00\x00"), make([]byte, 28)...), ErrMalformed},
		{"CHALLENGE from the client", append([]byte("NTLMSSP\x00\x02\x00\x00\x00"), make([]byte, 48)...), ErrOutOfSequence},
		{"message type 9", append([]byte("NTLMSSP\x00\x09\x00\x00\x00"), make([]byte, 28)...), ErrMalformed},
		{"NEGOTIATE header only", []byte("NTLMSSP\x00\x01\x00\x00\x00\x07\x82\x08\xa2"), ErrMalformed},
		{"oversized", append([]byte("NTLMSSP\x00\x01\x00\x00\x00"), make([]byte, MaxTokenSize)...), ErrMalformed},
		{"NegTokenResp first", []byte{0xa1, 0x03, 0x30, 0x01, 0x00}, ErrOutOfSequence},
		{"SPNEGO garbage", []byte{0x60, 0x05, 0x06, 0x03, 0x2b, 0x06, 0x01}, ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := f.srv.NewHandshake().Step(tc.token); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}

	// Every truncation of a valid AUTHENTICATE_MESSAGE.
	c := newTestClient("CONTOSO", "sqlsvc", sqlsvcPassword)
	h := f.srv.NewHandshake()
	challenge, err := h.Step(c.negotiate())
	if err != nil {
		t.Fatal(err)
	}
	auth := c.authenticate(t, challenge)
	for n := 0; n < len(auth); n++ {
		probe := *h // the same challenge, a fresh state each time
		if _, err := probe.Step(auth[:n]); err == nil {
			t.Fatalf("a %d-byte prefix of a %d-byte AUTHENTICATE_MESSAGE logged on", n, len(auth))
		} else if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrOutOfSequence) && !errors.Is(err, ErrLogonFailure) {
			t.Fatalf("prefix %d: %v, want a malformed-message error", n, err)
		}
	}
}

// TestOversizedFields: names and AV lists above Windows' limits.
func TestOversizedFields(t *testing.T) {
	f := newFixture(t)
	c := newTestClient("CONTOSO", strings.Repeat("u", maxNameUnits+1), sqlsvcPassword)
	h := f.srv.NewHandshake()
	challenge, _ := h.Step(c.negotiate())
	if _, err := h.Step(c.authenticate(t, challenge)); !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "UserName") {
		t.Errorf("257-character user: %v, want ErrMalformed naming UserName", err)
	}
	long := append(avList{{avID(0x7f), make([]byte, 0xfff0)}}, avPair{avID(0x7e), make([]byte, 0x1000)})
	if _, _, err := parseAVList(long.marshal(), "test"); !errors.Is(err, ErrMalformed) {
		t.Errorf("%d-byte AV list: %v, want ErrMalformed", len(long.marshal()), err)
	}
	for _, l := range []avList{
		{{avTimestamp, make([]byte, 7)}},
		{{avFlags, make([]byte, 8)}},
		{{avNbComputerName, []byte("a")}, {avNbComputerName, []byte("b")}},
	} {
		if _, _, err := parseAVList(l.marshal(), "test"); !errors.Is(err, ErrMalformed) {
			t.Errorf("AV list %v: %v, want ErrMalformed", l, err)
		}
	}
}

func TestChannelBindings(t *testing.T) {
	appData := []byte("tls-server-end-point:0123456789abcdef0123456789abcdef")
	good := ChannelBindingHash(appData)
	other := ChannelBindingHash([]byte("tls-server-end-point:another certificate"))
	for _, tc := range []struct {
		name   string
		policy ChannelBindingPolicy
		sent   []byte
		want   error
	}{
		{"off ignores a wrong binding", ChannelBindingOff, other[:], nil},
		{"relaxed accepts none", ChannelBindingRelaxed, nil, nil},
		{"relaxed accepts Z(16)", ChannelBindingRelaxed, make([]byte, 16), nil},
		{"relaxed accepts the right one", ChannelBindingRelaxed, good[:], nil},
		{"relaxed refuses another channel", ChannelBindingRelaxed, other[:], ErrChannelBinding},
		{"strict refuses none", ChannelBindingStrict, nil, ErrChannelBinding},
		{"strict accepts the right one", ChannelBindingStrict, good[:], nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			c := newTestClient("CONTOSO", "sqlsvc", sqlsvcPassword)
			c.channelHash = tc.sent
			_, err := f.run(t, c.negotiate(), func(ch []byte) []byte { return c.authenticate(t, ch) }, WithChannelBindings(appData, tc.policy))
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestAccountChanges: the store is consulted at each logon.
func TestAccountChanges(t *testing.T) {
	f := newFixture(t)
	logon := func(password string) error {
		c := newTestClient("CONTOSO", "sqlsvc", password)
		_, err := f.run(t, c.negotiate(), func(ch []byte) []byte { return c.authenticate(t, ch) })
		return err
	}
	f.accounts.Add(NewAccount("contoso", "SQLSVC", "N3w-password"))
	if err := logon(sqlsvcPassword); !errors.Is(err, ErrLogonFailure) {
		t.Errorf("old password after a change: %v", err)
	}
	if err := logon("N3w-password"); err != nil {
		t.Errorf("new password: %v", err)
	}
	f.accounts.Remove("CONTOSO", "sqlsvc")
	if err := logon("N3w-password"); !errors.Is(err, ErrLogonFailure) {
		t.Errorf("removed account: %v", err)
	}
}

func TestConfigValidation(t *testing.T) {
	_, err := NewServer(Config{ComputerName: "LYNC.SQL01", Domain: "", DNSDomain: ""})
	if err == nil {
		t.Fatal("an empty config was accepted")
	}
	for _, want := range []string{"ComputerName", "Domain", "DNSDomain", "Accounts"} {
		if !strings.Contains(err.Error(), "config "+want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
	for _, name := range []string{`CONTOSO\sqlsvc`, `contoso\Lync Admin`} {
		if _, _, err := SplitAccountName(name); err != nil {
			t.Errorf("SplitAccountName(%q): %v", name, err)
		}
	}
	for _, name := range []string{"sqlsvc", `\sqlsvc`, `CONTOSO\`, `A\B\C`} {
		if _, _, err := SplitAccountName(name); err == nil {
			t.Errorf("SplitAccountName(%q) accepted", name)
		}
	}
}

// TestOEMNames: names in the OEM character set (what ntlm_auth sends after
// an OEM-only NEGOTIATE) are read as ASCII; other bytes are refused.
func TestOEMNames(t *testing.T) {
	auth := func(user string) []byte {
		fs := [][]byte{nil, nil, []byte("CONTOSO"), []byte(user), []byte("PYCLIENT"), nil}
		msg := make([]byte, authenticateFixed)
		copy(msg, signature)
		le.PutUint32(msg[8:], typeAuthenticate)
		offset := authenticateFixed
		for i, p := range fs {
			putField(msg, 12+8*i, len(p), &offset)
		}
		le.PutUint32(msg[60:], uint32(FlagOEM|FlagNTLM))
		for _, p := range fs {
			msg = append(msg, p...)
		}
		return msg
	}
	m, err := ParseAuthenticate(auth("sqlsvc"))
	if err != nil || m.User != "sqlsvc" || m.Domain != "CONTOSO" || m.Workstation != "PYCLIENT" {
		t.Fatalf("OEM names: %+v, %v", m, err)
	}
	if string(m.rawDomain) != string(encodeUTF16("CONTOSO")) {
		t.Errorf("the domain NTOWFv2 hashes is %q, want it in UTF-16", m.rawDomain)
	}
	if _, err := ParseAuthenticate(auth("j\x94rg")); !errors.Is(err, ErrUnsupported) {
		t.Errorf("non-ASCII OEM user: %v, want ErrUnsupported", err)
	}
}

// TestNILUserDom: MS-NLMP 3.2.5.1.2 asks servers to accept clients that
// hash an empty UserDom into NTOWFv2 while naming their domain.
func TestNILUserDom(t *testing.T) {
	f := newFixture(t)
	c := newTestClient("CONTOSO", "sqlsvc", sqlsvcPassword)
	c.nilUserDom = true
	h, err := f.run(t, c.negotiate(), func(ch []byte) []byte { return c.authenticate(t, ch) })
	if err != nil || h.Result().Account.String() != `CONTOSO\sqlsvc` || !h.Result().MIC {
		t.Fatalf("err %v; want CONTOSO\\sqlsvc logged on with a verified MIC", err)
	}
}
