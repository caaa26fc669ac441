package lync

import (
	"net"
	"strings"
	"testing"

	"github.com/pchatdr/harness/failback/topology"
)

// TestInstallMirrorOverSQLUnreachable: with no hook the endpoint does
// Install-CsMirrorDatabase's SQL Server side itself; a mirror instance that
// does not answer is the cmdlet's error, and the pool records no pair.
func TestInstallMirrorOverSQLUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close() // nothing listens there any more
	t.Setenv("H18_TEST_SQL_PASSWORD", "x")
	topo := &topology.Topology{Instances: []topology.Instance{
		{Name: "sql-backup", Role: topology.RoleBackup, Host: "sqlbak.dc2.contoso.test", Address: closed, User: "sa", Password: topology.SecretRef{Env: "H18_TEST_SQL_PASSWORD"}, Encrypt: "disable"},
		{Name: "sql-backup-mirror", Role: topology.RoleBackupMirror, Host: "sqlbakmir.dc2.contoso.test", Address: closed, User: "sa", Password: topology.SecretRef{Env: "H18_TEST_SQL_PASSWORD"}, Encrypt: "disable"},
	}}
	s := startServer(t, func(o *Options) { o.SQL = NewTopologySQL(func() *topology.Topology { return topo }) })
	_, errOut, code := runPS(t, client(t, s, testPass), `Install-CsMirrorDatabase -DatabaseType PersistentChat -SqlServerFqdn sqlbak.dc2.contoso.test -FileShare \\f\s -Confirm:$false`)
	msg := decodeCLIXML(errOut)
	if code == 0 || !strings.Contains(msg, `Mirroring of PersistentChat database "mgc" on "sqlbak.dc2.contoso.test" to "sqlbakmir.dc2.contoso.test" failed: cannot connect to SQL Server "sqlbak.dc2.contoso.test"`) {
		t.Errorf("exit %d, error %q", code, msg)
	}
	for _, p := range mirrored(s.State()) {
		if p == "backup/PersistentChat" {
			t.Errorf("mirrored pairs %v: a pair recorded although SQL Server was not reached", mirrored(s.State()))
		}
	}
}
