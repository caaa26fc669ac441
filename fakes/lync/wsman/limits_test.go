package wsman

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/masterzen/winrm"
)

func masterzen(t *testing.T, url string) *winrm.Client {
	t.Helper()
	ep := &winrm.Endpoint{Host: "127.0.0.1", Port: portOf(t, url), HTTPS: true, Insecure: true, Timeout: 10 * time.Second}
	c, err := winrm.NewClient(ep, "admin", "pw")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCommandLineLimit: cmd.exe runs no command line over 8,191
// characters; the cmd shell answers "The command line is too long.".
func TestCommandLineLimit(t *testing.T) {
	srv, _ := newTestServer(t, nil)
	c := masterzen(t, srv.URL)
	at := "run " + strings.Repeat("x", MaxCommandLine-4)
	out, _, code, err := c.RunWithString(at, "")
	if err != nil || code != 0 || out != "ran: "+at {
		t.Fatalf("%d characters: code %d err %v out %d bytes", len(at), code, err, len(out))
	}
	_, errOut, code, err := c.RunWithString(at+"x", "")
	if err != nil || code != 1 || errOut != "The command line is too long.\r\n" {
		t.Fatalf("%d characters: code %d stderr %q err %v", len(at)+1, code, errOut, err)
	}
}

// TestArgumentsJoined: rsp:Arguments reach the process as one command line,
// each after a space, unquoted, as WinRS builds it.
func TestArgumentsJoined(t *testing.T) {
	var mu sync.Mutex
	var got Command
	srv, _ := newTestServer(t, func(_ context.Context, cmd Command) Output {
		mu.Lock()
		got = cmd
		mu.Unlock()
		return Output{}
	})
	shell, err := masterzen(t, srv.URL).CreateShell()
	if err != nil {
		t.Fatal(err)
	}
	cmd, err := shell.Execute("powershell.exe", "-Command", "Write-Output", "'a b'")
	if err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	_ = shell.Close()
	mu.Lock()
	defer mu.Unlock()
	if got.CommandLine != "powershell.exe -Command Write-Output 'a b'" {
		t.Errorf("command line %q", got.CommandLine)
	}
}

// TestReceiveStreamsWithinMaxEnvelope: a large output arrives over several
// ReceiveResponses, none over the client's MaxEnvelopeSize, the command
// Running until the one that carries the last byte and its exit code.
func TestReceiveStreamsWithinMaxEnvelope(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 25000) // 400,000 bytes
	srv, _ := newTestServer(t, func(context.Context, Command) Output {
		return Output{Stdout: big, Stderr: []byte("warning\r\n"), ExitCode: 7}
	})
	shell := mustCreate(t, srv.URL)
	id := mustCommand(t, srv.URL, shell, "big")
	params := *winrm.DefaultParameters // MaxEnvelopeSize 153600
	var stdout, stderr bytes.Buffer
	responses := 0
	for {
		code, body := post(t, srv.URL, "admin", "pw", winrm.NewGetOutputRequest(srv.URL, shell, id, "stdout stderr", &params).String())
		if code != 200 {
			t.Fatalf("receive %d: %d %s", responses, code, body)
		}
		if len(body) > params.EnvelopeSize {
			t.Fatalf("response %d is %d bytes, over MaxEnvelopeSize %d", responses, len(body), params.EnvelopeSize)
		}
		responses++
		done, exit, err := winrm.ParseSlurpOutputErrResponse(body, &stdout, &stderr)
		if err != nil {
			t.Fatal(err)
		}
		running := strings.Contains(body, StateRunning)
		if done == running {
			t.Fatalf("response %d: done %t but Running %t", responses, done, running)
		}
		if done {
			if exit != 7 {
				t.Errorf("exit code %d", exit)
			}
			break
		}
		if responses > 10 {
			t.Fatal("no Done after 10 responses")
		}
	}
	if responses < 3 || !bytes.Equal(stdout.Bytes(), big) || stderr.String() != "warning\r\n" {
		t.Errorf("%d responses, stdout %d bytes (want %d), stderr %q", responses, stdout.Len(), len(big), stderr.String())
	}
}

// TestCodePage: output is written in the shell's code page: OEM 437 when
// the client asks for none, UTF-8 when it asks for 65001, and any other
// code page is refused.
func TestCodePage(t *testing.T) {
	srv, _ := newTestServer(t, func(context.Context, Command) Output {
		return Output{Stdout: []byte("café ✓")}
	})
	create := func(option string) (int, string) {
		body := winrm.NewOpenShellRequest(srv.URL, winrm.DefaultParameters).String()
		return post(t, srv.URL, "admin", "pw", strings.Replace(body, "65001", option, 1))
	}
	for _, tc := range []struct {
		option string
		want   string
	}{{"65001", "café ✓"}, {"437", "caf\x82 ?"}} {
		code, body := create(tc.option)
		shell, err := winrm.ParseOpenShellResponse(body)
		if code != 200 || err != nil {
			t.Fatalf("create %s: %d %v", tc.option, code, err)
		}
		id := mustCommand(t, srv.URL, shell, "x")
		_, out := post(t, srv.URL, "admin", "pw", winrm.NewGetOutputRequest(srv.URL, shell, id, "stdout stderr", winrm.DefaultParameters).String())
		var stdout, stderr bytes.Buffer
		if _, _, err := winrm.ParseSlurpOutputErrResponse(out, &stdout, &stderr); err != nil || stdout.String() != tc.want {
			t.Errorf("code page %s: %q %v, want %q", tc.option, stdout.String(), err, tc.want)
		}
	}
	if code, body := create("1251"); code != 500 || !strings.Contains(body, "code page") {
		t.Errorf("code page 1251: %d %s", code, body)
	}
	// No WINRS_CODEPAGE option at all: 437.
	body := winrm.NewOpenShellRequest(srv.URL, winrm.DefaultParameters).String()
	i := strings.Index(body, "<w:OptionSet")
	j := strings.Index(body, "</w:OptionSet>")
	if i < 0 || j < 0 {
		t.Fatalf("no OptionSet in %s", body)
	}
	_, resp := post(t, srv.URL, "admin", "pw", body[:i]+body[j+len("</w:OptionSet>"):])
	shell, err := winrm.ParseOpenShellResponse(resp)
	if err != nil {
		t.Fatal(err)
	}
	id := mustCommand(t, srv.URL, shell, "x")
	_, out := post(t, srv.URL, "admin", "pw", winrm.NewGetOutputRequest(srv.URL, shell, id, "stdout stderr", winrm.DefaultParameters).String())
	var stdout, stderr bytes.Buffer
	if _, _, err := winrm.ParseSlurpOutputErrResponse(out, &stdout, &stderr); err != nil || stdout.String() != "caf\x82 ?" {
		t.Errorf("default code page: %q %v", stdout.String(), err)
	}
}
