package containers

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

const testLyncPassword = "Lync-Fake!pw1"

func TestStartLyncFakeValidation(t *testing.T) {
	tests := []struct {
		name string
		opts LyncOptions
	}{
		{"no topology", LyncOptions{User: "u", Password: "p"}},
		{"no user", LyncOptions{Topology: []byte("x"), Password: "p"}},
		{"no password", LyncOptions{Topology: []byte("x"), User: "u"}},
		{"certificate without key", LyncOptions{Topology: []byte("x"), User: "u", Password: "p", TLSCertPEM: []byte("c")}},
		{"key without certificate", LyncOptions{Topology: []byte("x"), User: "u", Password: "p", TLSKeyPEM: []byte("k")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := StartLyncFake(context.Background(), tc.opts); err == nil {
				t.Fatal("started without required options")
			}
		})
	}
}

// TestLyncFakeContainer starts the fake endpoint with the embedded topology
// on a world network and reads its state from the host and from a
// simulator container on the same network.
func TestLyncFakeContainer(t *testing.T) {
	lyncImage(t)
	simImage(t)
	d := requireDocker(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	root, err := ModuleRoot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	topo, err := os.ReadFile(filepath.Join(root, "topologies", "embedded.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	nw := newNetwork(t, d, "test-lync")
	lf, err := StartLyncFake(ctx, LyncOptions{Network: nw, DataCenter: "dc1", Topology: topo, User: `CONTOSO\lyncadmin`, Password: testLyncPassword})
	if err != nil {
		t.Fatal(err)
	}
	cleanupInstance(t, lf)
	sqlB, err := StartSQL(ctx, SQLOptions{Name: "SQLDC2", DataCenter: "dc2", Network: nw, SAPassword: testSAPassword})
	if err != nil {
		t.Fatal(err)
	}
	cleanupInstance(t, sqlB)

	resp, err := http.Get(lf.StateURL())
	if err != nil {
		t.Fatal(err)
	}
	var state map[string]any
	err = json.NewDecoder(resp.Body).Decode(&state)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || len(state) == 0 {
		t.Fatalf("GET /state: %d %v %v", resp.StatusCode, state, err)
	}

	for _, c := range []struct {
		name string
		user string
		pw   string
		want int
	}{
		{"no credentials", "", "", http.StatusUnauthorized},
		{"wrong password", `CONTOSO\lyncadmin`, "nope", http.StatusUnauthorized},
		{"right password", `CONTOSO\lyncadmin`, testLyncPassword, http.StatusOK},
	} {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+lf.HostAddr()+"/faults", nil)
		if c.user != "" {
			req.SetBasicAuth(c.user, c.pw)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s: GET /faults = %d, want %d", c.name, resp.StatusCode, c.want)
		}
	}
	if ok, err := sqlB.Reaches(ctx, lf.NetworkAddr(), 2*time.Second); err != nil || !ok {
		t.Errorf("sql container does not reach %s: %v %v", lf.NetworkAddr(), ok, err)
	}
	if err := nw.CutDataCenter(ctx, "dc1"); err != nil {
		t.Fatal(err)
	}
	if ok, err := sqlB.Reaches(ctx, lf.NetworkAddr(), 2*time.Second); err != nil || ok {
		t.Errorf("sql container reaches the cut endpoint: %v %v", ok, err)
	}
	if resp, err := http.Get(lf.StateURL()); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("host path to the cut endpoint: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
}
