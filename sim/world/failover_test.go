package world

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/topology"
	lyncfake "github.com/pchatdr/harness/fakes/lync"
	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/mirroring"
)

// TestConfigureMirroring: the primary stores are mirrored to the
// primary-mirror instance, SYNCHRONIZED, the mirror copies RESTORING; a
// second setup is refused (already mirrored), as SQL Server refuses it.
func TestConfigureMirroring(t *testing.T) {
	ctx := context.Background()
	w := startTestWorld(t, false)
	if err := w.InstallStores(ctx, topology.RolePrimary); err != nil {
		t.Fatal(err)
	}
	if err := w.ConfigureMirroring(ctx, topology.RolePrimary, topology.RolePrimaryMirror); err != nil {
		t.Fatal(err)
	}
	for _, db := range []string{"mgc", "mgccomp"} {
		p, err := w.MirroringOf(ctx, topology.RolePrimary, db)
		if err != nil {
			t.Fatal(err)
		}
		m, err := w.MirroringOf(ctx, topology.RolePrimaryMirror, db)
		if err != nil {
			t.Fatal(err)
		}
		if p.Role != "PRINCIPAL" || p.State != "SYNCHRONIZED" || !strings.EqualFold(p.Partner, "TCP://sqlprimir.dc1.contoso.test:5022") {
			t.Errorf("%s on the primary: %+v", db, p)
		}
		if m.Role != "MIRROR" || !strings.EqualFold(m.Partner, "TCP://sqlpri.dc1.contoso.test:5022") {
			t.Errorf("%s on the primary-mirror: %+v", db, m)
		}
	}
	err := w.ConfigureMirroring(ctx, topology.RolePrimary, topology.RolePrimaryMirror)
	if err == nil || !strings.Contains(err.Error(), "already mirrored") {
		t.Fatalf("second setup: %v, want already mirrored", err)
	}
	// A restarted mirror listens on a new port; the world republishes it
	// and the session synchronises again.
	mir, err := w.InstanceByRole(topology.RolePrimaryMirror)
	if err != nil {
		t.Fatal(err)
	}
	old := mirroring.EndpointAddr(mir.srv.Engine())
	if err := w.Restart(ctx, mir); err != nil {
		t.Fatal(err)
	}
	if now := mirroring.EndpointAddr(mir.srv.Engine()); now == "" || now == old {
		t.Logf("endpoint address %q after restart (was %q)", now, old)
	}
	pri, _ := w.InstanceByRole(topology.RolePrimary)
	wctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := mirroring.Wait(wctx, pri.srv.Engine(), "mgc", func(s mirroring.Status) bool {
		return s.Role == engine.MirrorRolePrincipal && s.State == "SYNCHRONIZED"
	}); err != nil {
		t.Fatalf("after the mirror's restart: %v", err)
	}
}

// TestInstallMirrorHook: the fake's Install-CsMirrorDatabase reaches the
// world's SQL Servers; what the world cannot do is the cmdlet's error.
func TestInstallMirrorHook(t *testing.T) {
	ctx := context.Background()
	w := startTestWorld(t, false)
	if err := w.InstallStores(ctx, topology.RoleBackup); err != nil {
		t.Fatal(err)
	}
	req := lyncfake.MirrorRequest{DatabaseType: "PersistentChat", Database: "mgc", Principal: "sqlbak.dc2.contoso.test",
		Mirror: "sqlbakmir.dc2.contoso.test", FileShare: w.Topology.Share.UNC}
	cases := []struct {
		name string
		mod  func(*lyncfake.MirrorRequest)
		want string // "" = success
	}{
		{"named instance", func(r *lyncfake.MirrorRequest) { r.SqlInstanceName = "PCHAT" }, `instance "PCHAT" not found`},
		{"unknown mirror", func(r *lyncfake.MirrorRequest) { r.Mirror = "nobody.dc2.contoso.test" }, "no SQL Server nobody.dc2.contoso.test"},
		{"share the instances do not see", func(r *lyncfake.MirrorRequest) { r.FileShare = `\\other\share` }, "BACKUP DATABASE"},
		{"installs", nil, ""},
		{"again: already mirrored", nil, "already mirrored"},
		// A failback removes mirroring on the principal: the mirror's copy
		// stays RESTORING and only -DropExistingDatabasesOnMirror replaces it.
		{"the copy a failback leaves, without -DropExistingDatabasesOnMirror", func(*lyncfake.MirrorRequest) { unmirror(ctx, t, w) }, "database mgc already exists on the mirror sql-backup-mirror (RESTORING)"},
		{"the copy a failback leaves, with -DropExistingDatabasesOnMirror", func(r *lyncfake.MirrorRequest) { r.DropExisting = true }, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := req
			if tc.mod != nil {
				tc.mod(&r)
			}
			err := w.installMirror(ctx, r)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				m, err := w.MirroringOf(ctx, topology.RoleBackup, "mgc")
				if err != nil || m.Role != "PRINCIPAL" || m.State != "SYNCHRONIZED" {
					t.Fatalf("backup mgc: %+v %v", m, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}

// unmirror ends the backup mgc's mirroring session on the principal, as
// the failback's step 2 does.
func unmirror(ctx context.Context, t *testing.T, w *World) {
	t.Helper()
	_, master, err := w.masterByRole(topology.RoleBackup)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := master.ExecContext(ctx, "ALTER DATABASE [mgc] SET PARTNER OFF"); err != nil {
		t.Fatal(err)
	}
}

// TestFailOverForReal: the real path ends in the failed-over state with
// the engine's seven steps verified, the backup mgc mirrored to the
// backup-mirror, and every acknowledged message on the backup.
func TestFailOverForReal(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole failover")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	w := startTestWorld(t, false)
	if err := w.FailOver(ctx, Scene{MessagesBefore: 20, MessagesDuring: 7}); err != nil {
		t.Fatal(err)
	}
	if st, err := w.Pool().State(ctx); err != nil || st.PoolState != "FailedOver" {
		t.Errorf("pool state %s %v", st.PoolState, err)
	}
	if w.Pool().InContainer() {
		t.Error("the embedded world's endpoint runs in a container")
	}
	if len(w.Labels()) != 0 {
		t.Errorf("the embedded world labelled steps: %v", w.Labels())
	}
	m, err := w.MirroringOf(ctx, topology.RoleBackup, "mgc")
	if err != nil || m.Role != "PRINCIPAL" || m.State != "SYNCHRONIZED" || !strings.Contains(strings.ToLower(m.Partner), "sqlbakmir") {
		t.Errorf("backup mgc mirroring %+v %v", m, err)
	}
	verified := map[string]bool{}
	for _, e := range w.Timeline.Events() {
		if e.Component == FailoverComponent && e.Kind == failback.KindStepEnd && e.Err == "" {
			verified[strings.Fields(e.Detail + " x")[0]] = true
		}
	}
	if len(verified) == 0 {
		t.Errorf("no failover step ended on the timeline")
	}
	requireLedgerOn(ctx, t, w, topology.RoleBackup, 27)
}

// requireLedgerOn checks that the role's mgc holds exactly the want
// messages the chat servers acknowledged, each once.
func requireLedgerOn(ctx context.Context, t *testing.T, w *World, role topology.Role, want int) {
	t.Helper()
	inst, err := w.InstanceByRole(role)
	if err != nil {
		t.Fatal(err)
	}
	mgc, err := w.DB(inst, "mgc")
	if err != nil {
		t.Fatal(err)
	}
	r, err := w.Ledger.Check(ctx, mgc, true)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() || w.Ledger.Len() != want {
		t.Errorf("%s mgc: %s (%d acknowledged, want %d)", role, r, w.Ledger.Len(), want)
	}
}
