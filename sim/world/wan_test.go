package world

import (
	"context"
	"strings"
	"testing"

	"github.com/pchatdr/harness/failback/topology"
)

// TestShareTrafficCrossesTheLink: the share lives in the primary data
// center, so a backup written to it from the backup instance (dc2) crosses
// the WAN link byte for byte, one from the primary does not, and a cut link
// fails the backup with the SMB client's error, as on a real server.
func TestShareTrafficCrossesTheLink(t *testing.T) {
	ctx := context.Background()
	w := startTestWorld(t, true)
	if got := w.ShareDataCenter(); got != "dc1" {
		t.Fatalf("share data center %q, want dc1 (the primary's)", got)
	}
	link, ok := w.WANLink("dc2", "dc1")
	if !ok {
		t.Fatal("no WAN link dc1-dc2")
	}
	backup := func(role topology.Role) (int64, error) {
		inst, err := w.InstanceByRole(role)
		if err != nil {
			t.Fatal(err)
		}
		db, err := w.DB(inst, "master")
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			"IF DB_ID('wantest') IS NULL CREATE DATABASE wantest",
			"IF OBJECT_ID('wantest.dbo.t') IS NULL CREATE TABLE wantest.dbo.t (id int IDENTITY PRIMARY KEY, v nvarchar(max))",
			"INSERT INTO wantest.dbo.t (v) VALUES (REPLICATE(N'x', 200000))",
		} {
			if _, err := db.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %s: %v", inst.Name, q, err)
			}
		}
		before := link.Stats().Bytes
		_, err = db.ExecContext(ctx, `BACKUP DATABASE wantest TO DISK = '`+w.Topology.Share.UNC+`\wantest_`+string(role)+`.bak' WITH INIT`)
		return link.Stats().Bytes - before, err
	}
	n, err := backup(topology.RolePrimary)
	if err != nil || n != 0 {
		t.Fatalf("backup from dc1 to the share in dc1: %d bytes over the link, %v", n, err)
	}
	n, err = backup(topology.RoleBackup)
	if err != nil {
		t.Fatal(err)
	}
	if n < 200000 {
		t.Fatalf("backup from dc2 to the share in dc1 put %d bytes on the link, want at least the 200 kB row", n)
	}
	if err := w.CutLink("dc1", "dc2"); err != nil {
		t.Fatal(err)
	}
	_, err = backup(topology.RoleBackup)
	if err == nil || !strings.Contains(err.Error(), "3201") && !strings.Contains(err.Error(), "Operating system error 53") {
		t.Fatalf("backup over a cut link: %v, want 3201 with operating system error 53", err)
	}
}

// TestMirroringCrossesTheLink: a mirroring session between partners in two
// data centers carries the principal's log records over the WAN link (the
// issue: every byte between the data centers, mirroring included, is held
// to the link), and partners in one data center do not use it.
func TestMirroringCrossesTheLink(t *testing.T) {
	ctx := context.Background()
	w := startTestWorld(t, true)
	if err := w.InstallStores(ctx, topology.RolePrimary); err != nil {
		t.Fatal(err)
	}
	if got := mirrorRowAcrossTheLink(ctx, t, w, topology.RoleBackup); got < 300000 {
		t.Fatalf("a 300 kB row mirrored from dc1 to dc2 put %d bytes on the link, want at least 300000", got)
	}
}

// mirrorRowAcrossTheLink mirrors the primary's (dc1) databases to the
// instance of role mirror (in dc2), inserts a 300 kB row on the primary
// and returns the bytes the link dc1-dc2 carried meanwhile: a synchronous
// (SAFETY FULL) principal commits once the mirror has the record, so they
// crossed by the time INSERT returns.
func mirrorRowAcrossTheLink(ctx context.Context, t *testing.T, w *World, mirror topology.Role) int64 {
	t.Helper()
	link, ok := w.WANLink("dc1", "dc2")
	if !ok {
		t.Fatal("no WAN link dc1-dc2")
	}
	if err := w.ConfigureMirroring(ctx, topology.RolePrimary, mirror); err != nil {
		t.Fatal(err)
	}
	pri, err := w.InstanceByRole(topology.RolePrimary)
	if err != nil {
		t.Fatal(err)
	}
	db, err := w.DB(pri, "mgc")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "CREATE TABLE dbo.wantest (id int IDENTITY PRIMARY KEY, v nvarchar(max))"); err != nil {
		t.Fatal(err)
	}
	before := link.Stats().Bytes
	if _, err := db.ExecContext(ctx, "INSERT INTO dbo.wantest (v) VALUES (REPLICATE(CONVERT(nvarchar(max), N'x'), 300000))"); err != nil {
		t.Fatal(err)
	}
	return link.Stats().Bytes - before
}
