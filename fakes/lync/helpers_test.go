package lync

import (
	"testing"
	"time"

	"github.com/masterzen/winrm"
	"github.com/pchatdr/harness/fakes/lync/pool"
)

const (
	testUser = `CONTOSO\lyncadmin`
	testPass = "S3cret-pass!"
	poolFQDN = "pchat.contoso.test"
)

func testConfig() pool.Config {
	return pool.Config{
		PoolFQDN: poolFQDN,
		Servers: []pool.Server{
			{FQDN: "pc1.dc1.contoso.test", DataCenter: "dc1"},
			{FQDN: "pc2.dc1.contoso.test", DataCenter: "dc1"},
			{FQDN: "pc3.dc1.contoso.test", DataCenter: "dc1"},
			{FQDN: "pc4.dc1.contoso.test", DataCenter: "dc1"},
			{FQDN: "pc5.dc2.contoso.test", DataCenter: "dc2"},
			{FQDN: "pc6.dc2.contoso.test", DataCenter: "dc2"},
			{FQDN: "pc7.dc2.contoso.test", DataCenter: "dc2"},
			{FQDN: "pc8.dc2.contoso.test", DataCenter: "dc2"},
		},
		Stores: []pool.Store{
			{Role: pool.RolePrimary, Name: "sql-primary", FQDN: "sqlpri.dc1.contoso.test", DataCenter: "dc1"},
			{Role: pool.RolePrimaryMirror, Name: "sql-primary-mirror", FQDN: "sqlprimir.dc1.contoso.test", DataCenter: "dc1"},
			{Role: pool.RoleBackup, Name: "sql-backup", FQDN: "sqlbak.dc2.contoso.test", DataCenter: "dc2"},
			{Role: pool.RoleBackupMirror, Name: "sql-backup-mirror", FQDN: "sqlbakmir.dc2.contoso.test", DataCenter: "dc2"},
		},
		Compliance:    true,
		ActiveServers: []string{"pc1.dc1.contoso.test", "pc2.dc1.contoso.test"},
	}
}

func startServer(t *testing.T, mod func(*Options)) *Server {
	t.Helper()
	// NTLM (Basic off, WinRM's default) over plain HTTP, which a lab
	// allows with AllowUnencrypted; tests of the defaults set TLS and
	// clear AllowUnencrypted.
	opts := Options{Pool: testConfig(), Users: map[string]string{testUser: testPass}, MaxReceiveWait: 2 * time.Second, AllowUnencrypted: true}
	if mod != nil {
		mod(&opts)
	}
	s, err := Start(opts)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

func client(t *testing.T, s *Server, password string) *winrm.Client {
	t.Helper()
	host, port, https := s.Endpoint()
	ep := winrm.NewEndpoint(host, port, https, false, s.CertificatePEM(), nil, nil, 10*time.Second)
	params := *winrm.DefaultParameters
	params.TransportDecorator = func() winrm.Transporter { return &winrm.ClientNTLM{} }
	c, err := winrm.NewClientWithParameters(ep, testUser, password, &params)
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	return c
}

// configFor renames the pool and (optionally) the first server so a
// reference example can run with its own names.
func configFor(poolName string, firstServer string, state pool.PoolState) pool.Config {
	cfg := testConfig()
	if poolName != "" {
		cfg.PoolFQDN = poolName
	}
	if firstServer != "" {
		cfg.Servers[0].FQDN = firstServer
		cfg.ActiveServers = []string{firstServer, "pc2.dc1.contoso.test"}
	}
	if state != "" {
		cfg.InitialState = state
	}
	return cfg
}

// runPS runs a script the way the engine does (RunPSWithString, i.e.
// powershell.exe -EncodedCommand) and fails on transport errors.
func runPS(t *testing.T, c *winrm.Client, script string) (string, string, int) {
	t.Helper()
	out, errOut, code, err := c.RunPSWithString(script, "")
	if err != nil {
		t.Fatalf("winrm: %v", err)
	}
	return out, errOut, code
}

// lync2013 makes a configuration a Lync Server 2013 pool.
func lync2013(cfg pool.Config) pool.Config {
	cfg.Product = "lync2013"
	return cfg
}
