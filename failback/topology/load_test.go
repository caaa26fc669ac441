package topology

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func repoFile(t *testing.T, rel string) string {
	t.Helper()
	// go test runs a package's tests in its folder (runtime.Caller's
	// path would be wrong under -trimpath, which make test uses).
	return filepath.Join("..", "..", rel)
}

func TestLoadEmbedded(t *testing.T) {
	top, err := Load(repoFile(t, "topologies/embedded.yaml"))
	if err != nil {
		t.Fatalf("embedded.yaml: %v", err)
	}
	if top.Pool.FQDN != "pchat.contoso.test" || len(top.Pool.Servers) != 8 || !top.Compliance {
		t.Fatalf("pool %+v compliance %v", top.Pool, top.Compliance)
	}
	pri, ok := top.InstanceByRole(RolePrimary)
	if !ok || pri.Name != "sql-primary" || pri.Password.Env != "PCHAT_SQL_PRIMARY_PASSWORD" || pri.DataCenter != "dc1" {
		t.Fatalf("primary %+v", pri)
	}
	if bak, ok := top.InstanceByRole(RoleBackup); !ok || bak.Host != "sqlbak.dc2.contoso.test" {
		t.Fatalf("backup %+v", bak)
	}
	if _, ok := top.InstanceByRole(RoleCompliancePrimary); ok {
		t.Fatal("embedded.yaml has no compliance-primary instance")
	}
	if in, ok := top.ComplianceInstance(RolePrimary); !ok || in.Name != "sql-primary" {
		t.Fatalf("mgccomp should live on the primary: %+v", in)
	}
	if l, ok := top.LinkBetween("dc2", "dc1"); !ok || l.RTTMs != 4 || l.BandwidthMbps != 1000 {
		t.Fatalf("link %+v", l)
	}
	if s := top.ServersIn("dc2"); len(s) != 4 || s[0].FQDN != "pc5.dc2.contoso.test" {
		t.Fatalf("ServersIn(dc2) = %+v", s)
	}
	if s, ok := top.Server("PC3.dc1.contoso.test"); !ok || s.DataCenter != "dc1" {
		t.Fatalf("Server lookup is not case-insensitive: %+v", s)
	}
	if top.Share.HostPaths["sql-backup"] != "share" || top.LogShipping.RestoreMode != RestoreNoRecovery || top.LogShipping.ScheduleMinutes != 15 {
		t.Fatalf("share %+v logShipping %+v", top.Share, top.LogShipping)
	}
	if top.Objectives.RTO != 5*time.Minute || top.Objectives.Outage != 2*time.Minute || top.Objectives.RPO != 0 {
		t.Fatalf("objectives %+v", top.Objectives)
	}
	if got := top.PlacementProblem("pc5.dc2.contoso.test", "dc1"); got != "" {
		t.Fatalf("a 4 ms / 1 Gbit/s link should satisfy placement: %s", got)
	}
}

func TestLoadExampleProduction(t *testing.T) {
	top, err := Load(repoFile(t, "topologies/example-production.yaml"))
	if err != nil {
		t.Fatalf("example-production.yaml: %v", err)
	}
	pri, _ := top.InstanceByRole(RolePrimary)
	host, inst, port, err := ParseAddress(pri.Address)
	if err != nil || inst == "" || host == "" || port != -1 {
		t.Fatalf("primary address %q: %s %s %d %v", pri.Address, host, inst, port, err)
	}
	if pri.Password.File != "/etc/pchat-failback/sql.password" {
		t.Fatalf("primary password file %q", pri.Password.File)
	}
	if top.Management.URL[:8] != "https://" {
		t.Fatalf("management url %q", top.Management.URL)
	}
	for _, r := range Roles {
		if _, ok := top.InstanceByRole(r); !ok {
			t.Errorf("example lacks a %s instance", r)
		}
	}
}

// TestProduct: pool.product is read, an absent key is the documented
// default and says it was assumed, and the encoder keeps the difference.
func TestProduct(t *testing.T) {
	base := embeddedText(t)
	top, err := Parse("t.yaml", []byte(base))
	if err != nil {
		t.Fatal(err)
	}
	if top.Pool.Product != ProductSkype2015 || !top.Pool.ProductAssumed {
		t.Fatalf("absent pool.product: %q assumed %v, want %q assumed", top.Pool.Product, top.Pool.ProductAssumed, ProductSkype2015)
	}
	if d := top.Pool.Describe(); !strings.Contains(d, "assumed") || !strings.Contains(d, "Skype for Business Server 2015") {
		t.Fatalf("Describe() = %q", d)
	}
	text := strings.Replace(base, "  activeServerIdentity: global\n", "  activeServerIdentity: global\n  product: lync2013\n", 1)
	top, err = Parse("t.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if top.Pool.Product != ProductLync2013 || top.Pool.ProductAssumed {
		t.Fatalf("pool.product lync2013: %q assumed %v", top.Pool.Product, top.Pool.ProductAssumed)
	}
	b, err := Marshal(top)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse("back.yaml", b)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "product: lync2013") || back.Pool.Product != ProductLync2013 || back.Pool.ProductAssumed {
		t.Fatalf("round trip: %q assumed %v from\n%s", back.Pool.Product, back.Pool.ProductAssumed, b)
	}
	assumed, _ := Parse("t.yaml", []byte(base))
	b, err = Marshal(assumed)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "product:") {
		t.Fatalf("an assumed product was written as if the file named it:\n%s", b)
	}
}
