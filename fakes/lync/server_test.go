package lync

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/masterzen/winrm"
	"github.com/pchatdr/harness/fakes/lync/pool"
)

// TestWinRMClient runs the unchanged masterzen/winrm client over HTTP and
// HTTPS with good and bad credentials.
func TestWinRMClient(t *testing.T) {
	for _, tls := range []bool{false, true} {
		name := map[bool]string{false: "http", true: "https"}[tls]
		t.Run(name, func(t *testing.T) {
			s := startServer(t, func(o *Options) { o.TLS = tls })
			if tls != strings.HasPrefix(s.URL, "https://") {
				t.Fatalf("URL %s", s.URL)
			}
			out, errOut, code := runPS(t, client(t, s, testPass), `Set-CsPersistentChatState -Identity 'service:pchat.contoso.test' -PoolState FailedOver; Get-CsPersistentChatState | ConvertTo-Json -Compress`)
			if code != 0 || errOut != "" || strings.TrimSpace(out) != `{"Identity":"service:PersistentChatServer:pchat.contoso.test","PoolState":1}` {
				t.Fatalf("out %q err %q code %d", out, errOut, code)
			}
			_, _, _, err := client(t, s, "wrong-password").RunPSWithString("Get-CsPool", "")
			if err == nil || !strings.Contains(err.Error(), "401") {
				t.Fatalf("wrong password: want a 401 error, got %v", err)
			}
			host, port, https := s.Endpoint()
			other, _ := winrm.NewClient(winrm.NewEndpoint(host, port, https, true, nil, nil, nil, 5*time.Second), "someone-else", testPass)
			if _, _, _, err := other.RunPSWithString("Get-CsPool", ""); err == nil || !strings.Contains(err.Error(), "401") {
				t.Fatalf("unknown user: want a 401 error, got %v", err)
			}
		})
	}
}

func TestStateEndpointAndEvents(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var seen []pool.Event
	s := startServer(t, func(o *Options) {
		o.Clock = func() time.Time { return now }
		o.OnEvent = func(e pool.Event) { seen = append(seen, e) }
	})
	c := client(t, s, testPass)
	runPS(t, c, `Set-CsPersistentChatActiveServer -Identity global -ActiveServers $Null; Set-CsPersistentChatState -Identity "service:pchat.contoso.test" -PoolState FailedOver -Force; Set-CsPersistentChatState -Identity nope`)
	resp, err := http.Get(s.URL + "/state")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st struct {
		PoolFqdn      string   `json:"poolFqdn"`
		PoolState     string   `json:"poolState"`
		ActiveServers []string `json:"activeServers"`
		Servers       []struct {
			FQDN       string `json:"fqdn"`
			DataCenter string `json:"dataCenter"`
		} `json:"servers"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	if st.PoolFqdn != poolFQDN || st.PoolState != "FailedOver" || st.ActiveServers == nil || len(st.ActiveServers) != 0 ||
		len(st.Servers) != 8 || st.Servers[4].FQDN != "pc5.dc2.contoso.test" || st.Servers[4].DataCenter != "dc2" {
		t.Fatalf("/state = %+v", st)
	}
	var kinds []string
	for _, e := range s.Events() {
		kinds = append(kinds, e.Kind+":"+e.Cmdlet+":"+e.Outcome)
	}
	want := []string{
		"activeServers::", "cmdlet:Set-CsPersistentChatActiveServer:ok",
		"poolState::", "cmdlet:Set-CsPersistentChatState:ok",
		"cmdlet:Set-CsPersistentChatState:error", "command::exit 1",
	}
	if !slices.Equal(kinds, want) {
		t.Fatalf("events %v, want %v", kinds, want)
	}
	ev := s.Events()
	if ev[0].OldList[0] != "pc1.dc1.contoso.test" || len(ev[0].NewList) != 0 || ev[2].Old != "Normal" || ev[2].New != "FailedOver" {
		t.Errorf("state events %+v %+v", ev[0], ev[2])
	}
	if ev[3].Text != `Set-CsPersistentChatState -Identity "service:pchat.contoso.test" -PoolState FailedOver -Force` ||
		ev[3].Params["PoolState"] != "FailedOver" || ev[3].Params["Force"] != "$true" || !ev[3].Time.Equal(now) {
		t.Errorf("cmdlet event %+v", ev[3])
	}
	if !strings.Contains(ev[4].Error, "not a valid Persistent Chat service identity") {
		t.Errorf("error event %+v", ev[4])
	}
	if len(seen) != len(ev) {
		t.Errorf("listener saw %d events, timeline has %d", len(seen), len(ev))
	}
	for i := 1; i < len(ev); i++ {
		if ev[i].Seq != ev[i-1].Seq+1 {
			t.Errorf("sequence gap at %d", i)
		}
	}
	r2, err := http.Get(s.URL + "/events?since=4")
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Body.Close()
	var tail []pool.Event
	if err := json.NewDecoder(r2.Body).Decode(&tail); err != nil || len(tail) != 2 || tail[0].Seq != 5 {
		t.Fatalf("/events?since=4: %v %+v", err, tail)
	}
}

func TestPersistenceAcrossRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pool.json")
	s1 := startServer(t, func(o *Options) { o.StatePath = path })
	runPS(t, client(t, s1, testPass), `Set-CsPersistentChatState -Identity "service:pchat.contoso.test" -PoolState FailedOver; Set-CsPersistentChatActiveServer -ActiveServers @{Replace="pc5.dc2.contoso.test"}; Install-CsMirrorDatabase -DatabaseType PersistentChat -FileShare \\f\s -SqlServerFqdn sqlbak.dc2.contoso.test`)
	want := s1.State()
	s1.Close()
	s2 := startServer(t, func(o *Options) { o.StatePath = path })
	got := s2.State()
	if got.PoolState != pool.FailedOver || !slices.Equal(got.ActiveServers, []string{"pc5.dc2.contoso.test"}) || !slices.Equal(got.Databases, want.Databases) {
		t.Fatalf("after restart %+v, want %+v", got, want)
	}
	out, _, _ := runPS(t, client(t, s2, testPass), `Get-CsPersistentChatState | Select-Object -ExpandProperty PoolState`)
	if strings.TrimSpace(out) != "FailedOver" {
		t.Fatalf("read back after restart: %q", out)
	}
	// A state file written for another pool is refused, not mixed in.
	other := testConfig()
	other.PoolFQDN = "other.contoso.test"
	if _, err := Start(Options{Pool: other, Users: map[string]string{"u": "p"}, StatePath: path}); !errors.Is(err, pool.ErrPersisted) {
		t.Fatalf("foreign state file: %v", err)
	}
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Start(Options{Pool: testConfig(), Users: map[string]string{"u": "p"}, StatePath: path}); !errors.Is(err, pool.ErrPersisted) {
		t.Fatalf("corrupt state file: %v", err)
	}
}

func TestStartRefusesBadConfig(t *testing.T) {
	cfg := testConfig()
	cfg.ActiveServers = []string{"pc1.dc1.contoso.test", "pc2.dc1.contoso.test", "pc3.dc1.contoso.test", "pc4.dc1.contoso.test", "pc5.dc2.contoso.test"}
	if _, err := Start(Options{Pool: cfg, Users: map[string]string{"u": "p"}}); !errors.Is(err, pool.ErrConfig) {
		t.Fatalf("five active: %v", err)
	}
	cfg = testConfig()
	cfg.Servers = append(cfg.Servers, pool.Server{FQDN: "pc9.dc2.contoso.test", DataCenter: "dc2"})
	if _, err := Start(Options{Pool: cfg, Users: map[string]string{"u": "p"}}); !errors.Is(err, pool.ErrConfig) {
		t.Fatalf("nine servers: %v", err)
	}
	if _, err := Start(Options{Pool: testConfig()}); err == nil {
		t.Fatal("no users accepted")
	}
}

// TestHandshakeFilter: a peer that hangs up before the TLS handshake is
// not worth a log line; any other server error is kept.
func TestHandshakeFilter(t *testing.T) {
	var b strings.Builder
	f := handshakeFilter{&b}
	for _, line := range []string{
		"2026/11/22 10:11:25 http: TLS handshake error from 127.0.0.1:46636: EOF\n",
		"2026/11/22 10:11:25 http: TLS handshake error from 127.0.0.1:46618: read tcp 127.0.0.1:32861->127.0.0.1:46618: read: connection reset by peer\n",
	} {
		if n, err := f.Write([]byte(line)); n != len(line) || err != nil {
			t.Fatalf("write %q: %d %v", line, n, err)
		}
	}
	kept := []string{
		"2026/11/22 10:11:26 http: TLS handshake error from 127.0.0.1:46650: remote error: tls: bad certificate\n",
		"2026/11/22 10:11:27 http: panic serving 127.0.0.1:46660: boom\n",
	}
	for _, line := range kept {
		f.Write([]byte(line))
	}
	if b.String() != strings.Join(kept, "") {
		t.Errorf("kept %q, want %q", b.String(), strings.Join(kept, ""))
	}
}
