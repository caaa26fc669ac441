package lync

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/masterzen/winrm"
	"github.com/pchatdr/harness/fakes/lync/pool"
)

func TestParseFault(t *testing.T) {
	cases := []struct {
		spec    string
		want    Fault
		wantErr bool
	}{
		{"latency:Set-CsPersistentChatState:2s", Fault{Kind: FaultLatency, Cmdlet: "Set-CsPersistentChatState", Delay: 2 * time.Second}, false},
		{"latency:*:150ms:3", Fault{Kind: FaultLatency, Delay: 150 * time.Millisecond, Count: 3}, false},
		{"fail:Set-CsPersistentChatActiveServer", Fault{Kind: FaultFail, Cmdlet: "Set-CsPersistentChatActiveServer", Count: 1}, false},
		{"fail:Set-Cs*:2:Cannot connect to the Central Management Store: timeout", Fault{Kind: FaultFail, Cmdlet: "Set-Cs*", Count: 2, Message: "Cannot connect to the Central Management Store: timeout"}, false},
		{"hang:Receive", Fault{Kind: FaultHang, Action: "Receive", Count: 1}, false},
		{"drop:receive:2", Fault{Kind: FaultDrop, Action: "receive", Count: 2}, false},
		{"http500:*:0", Fault{Kind: FaultHTTP500}, false},
		{"latency:X", Fault{}, true},
		{"latency:X:-1s", Fault{}, true},
		{"fail:X:many", Fault{}, true},
		{"explode:X", Fault{}, true},
		{"hang", Fault{}, true},
	}
	for _, tc := range cases {
		got, err := ParseFault(tc.spec)
		if (err != nil) != tc.wantErr || (!tc.wantErr && got != tc.want) {
			t.Errorf("%q: %+v %v", tc.spec, got, err)
		}
	}
}

func TestFaultLatency(t *testing.T) {
	s := startServer(t, func(o *Options) {
		o.Faults = []Fault{{Kind: FaultLatency, Cmdlet: "Set-CsPersistentChatState", Delay: 300 * time.Millisecond}}
	})
	c := client(t, s, testPass)
	// Another cmdlet is not delayed: the fake records every fault it
	// applies, and none for it (not timed: a loaded machine is slow).
	if _, errOut, code := runPS(t, c, `Get-CsPersistentChatState | Out-Null`); code != 0 {
		t.Fatalf("other cmdlet failed: %s", errOut)
	}
	for _, e := range s.Events() {
		if e.Kind == pool.KindFault {
			t.Fatalf("the latency hit another cmdlet: %+v", e)
		}
	}
	start := time.Now()
	_, errOut, code := runPS(t, c, `Set-CsPersistentChatState -Identity service:pchat.contoso.test -PoolState FailedOver`)
	if d := time.Since(start); code != 0 || d < 300*time.Millisecond {
		t.Fatalf("latency not applied: %v exit %d %s", d, code, errOut)
	}
	if s.State().PoolState != pool.FailedOver {
		t.Fatal("delayed cmdlet did not take effect")
	}
	var cmdletDur time.Duration
	for _, e := range s.Events() {
		if e.Kind == pool.KindCmdlet && e.Cmdlet == "Set-CsPersistentChatState" {
			cmdletDur = e.Duration
		}
	}
	if cmdletDur < 300*time.Millisecond {
		t.Errorf("event duration %v does not include the latency", cmdletDur)
	}
}

func TestFaultFailNextCalls(t *testing.T) {
	s := startServer(t, nil)
	s.Inject(Fault{Kind: FaultFail, Cmdlet: "Set-CsPersistentChatActiveServer", Count: 2, Message: "Cannot open database \"xds\" requested by the login."})
	c := client(t, s, testPass)
	script := `$ErrorActionPreference = 'Stop'; Set-CsPersistentChatActiveServer -Identity global -ActiveServers $null`
	for i := 0; i < 2; i++ {
		_, errOut, code := runPS(t, c, script)
		if code != 1 || !strings.Contains(decodeCLIXML(errOut), `Set-CsPersistentChatActiveServer : Cannot open database "xds" requested by the login.`) {
			t.Fatalf("call %d: exit %d %s", i, code, decodeCLIXML(errOut))
		}
		if len(s.State().ActiveServers) != 2 {
			t.Fatalf("failed call %d changed the list", i)
		}
	}
	if _, errOut, code := runPS(t, c, script); code != 0 {
		t.Fatalf("third call: %s", errOut)
	}
	if len(s.State().ActiveServers) != 0 || len(s.Faults()) != 0 {
		t.Fatalf("after faults: %+v, armed %v", s.State(), s.Faults())
	}
}

func TestFaultHangUntilClientTimesOut(t *testing.T) {
	s := startServer(t, func(o *Options) { o.Faults = []Fault{{Kind: FaultHang, Action: "Receive", Count: 1}} })
	host, port, https := s.Endpoint()
	params := *winrm.DefaultParameters
	params.TransportDecorator = func() winrm.Transporter { return &winrm.ClientNTLM{} }
	c, _ := winrm.NewClientWithParameters(winrm.NewEndpoint(host, port, https, false, nil, nil, nil, 500*time.Millisecond), testUser, testPass, &params)
	start := time.Now()
	_, _, _, err := c.RunPSWithString(`Get-CsPool`, "")
	if err == nil || time.Since(start) < 500*time.Millisecond {
		t.Fatalf("hang: err %v after %v", err, time.Since(start))
	}
	// The fault is used up: the endpoint answers again.
	if out, _, code := runPS(t, client(t, s, testPass), `Get-CsPool | Select-Object -First 1 -ExpandProperty Fqdn`); code != 0 || strings.TrimSpace(out) != poolFQDN {
		t.Fatalf("after hang: %q %d", out, code)
	}
}

func TestFaultHungCmdletEndsOnClose(t *testing.T) {
	s := startServer(t, func(o *Options) {
		o.Faults = []Fault{{Kind: FaultLatency, Cmdlet: "Set-CsPersistentChatState", Delay: time.Hour}}
		o.MaxReceiveWait = 100 * time.Millisecond
	})
	host, port, https := s.Endpoint()
	c, _ := winrm.NewClient(winrm.NewEndpoint(host, port, https, false, nil, nil, nil, 2*time.Second), testUser, testPass)
	done := make(chan error, 1)
	go func() {
		_, _, _, err := c.RunPSWithString(`Set-CsPersistentChatState -Identity service:pchat.contoso.test -PoolState FailedOver`, "")
		done <- err
	}()
	time.Sleep(400 * time.Millisecond) // several Receive polls time out meanwhile
	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close blocked on a hung cmdlet")
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("client still waiting after Close")
	}
	if s.State().PoolState != pool.Normal {
		t.Fatal("a cancelled cmdlet changed state")
	}
}

func TestFaultDropDuringReceive(t *testing.T) {
	s := startServer(t, func(o *Options) { o.Faults = []Fault{{Kind: FaultDrop, Action: "Receive", Count: 1}} })
	// The shell is kept open after the drop: RunPSWithString would delete
	// it at once, cancelling a command that may not have finished, and
	// whether the command ran would depend on that race.
	shell, err := client(t, s, testPass).CreateShell()
	if err != nil {
		t.Fatal(err)
	}
	defer shell.Close()
	cmd, err := shell.Execute(winrm.Powershell(`Set-CsPersistentChatActiveServer -ActiveServers $null`))
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, cmd.Stdout)
	go io.Copy(io.Discard, cmd.Stderr)
	cmd.Wait()
	if cmd.ExitCode() != 16001 {
		t.Fatalf("drop: exit code %d, want 16001 (the transport error)", cmd.ExitCode())
	}
	// The command runs although its result was lost: what a resuming engine
	// must cope with.
	deadline := time.Now().Add(5 * time.Second)
	for len(s.State().ActiveServers) != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("command did not run: active servers still %v", s.State().ActiveServers)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestFaultHTTP500(t *testing.T) {
	s := startServer(t, nil)
	body, _ := json.Marshal(map[string]string{"spec": "http500:Command:1"})
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/faults", bytes.NewReader(body))
	req.SetBasicAuth(testUser, testPass)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("arm via HTTP: %v %v", resp, err)
	}
	resp.Body.Close()
	noAuth, _ := http.Post(s.URL+"/faults", "application/json", bytes.NewReader(body))
	if noAuth.StatusCode != http.StatusUnauthorized {
		t.Fatalf("/faults without credentials: %d", noAuth.StatusCode)
	}
	noAuth.Body.Close()
	_, _, _, err = client(t, s, testPass).RunPSWithString(`Set-CsPersistentChatActiveServer -ActiveServers $null`, "")
	if err == nil || !strings.Contains(err.Error(), "500") {
		t.Fatalf("http500: %v", err)
	}
	if len(s.State().ActiveServers) != 2 {
		t.Fatal("command ran although Command was refused")
	}
	var faultEvents int
	for _, e := range s.Events() {
		if e.Kind == pool.KindFault {
			faultEvents++
		}
	}
	if faultEvents != 1 {
		t.Errorf("fault events %d", faultEvents)
	}
}
