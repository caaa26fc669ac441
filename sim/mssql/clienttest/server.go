package clienttest

import (
	"fmt"
	"net"
	"testing"

	"github.com/pchatdr/harness/sim/mssql"
	"github.com/pchatdr/harness/sim/mssql/engine"
)

// Password is the sa password of the instances these tests start.
const Password = "Sim-Passw0rd!"

// Start starts an in-memory simulator instance on a free loopback port and
// closes it when the test ends. Each client test gets a fresh instance so no
// test sees what another left behind.
func Start(t testing.TB) *mssql.Server {
	t.Helper()
	srv, err := New()
	if err != nil {
		t.Fatalf("start simulator: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("close simulator: %v", err)
		}
	})
	return srv
}

// New starts an in-memory instance the caller closes.
func New() (*mssql.Server, error) {
	srv, err := mssql.Start(mssql.Config{Engine: engine.Config{
		Name: "SIMSQL", SAPassword: Password, AgentRunning: true,
		ServiceAccount: `CONTOSO\sqlsvc`, AgentAccount: `CONTOSO\sqlagent`,
	}})
	if err != nil {
		return nil, fmt.Errorf("start simulator: %w", err)
	}
	return srv, nil
}

// HostPort splits a server's address for clients that take them apart.
func HostPort(t testing.TB, srv *mssql.Server) (string, string) {
	t.Helper()
	host, port, err := net.SplitHostPort(srv.Addr())
	if err != nil {
		t.Fatalf("simulator address %q: %v", srv.Addr(), err)
	}
	return host, port
}
