package world

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/pchatdr/harness/failback/topology"
)

// runCmdlet runs a script on the world's management endpoint the way the
// engine does (WinRM, HTTPS) and returns stdout, or the CLIXML error.
func runCmdlet(t *testing.T, w *World, script string) (string, string, int) {
	t.Helper()
	c, err := w.PoolClient()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := c.Runner.Run(ctx, "$ErrorActionPreference = 'Stop'; "+script)
	if err != nil {
		t.Fatalf("%s: %v", script, err)
	}
	return out.Stdout, out.Stderr, out.ExitCode
}

// mirrorState is one row of Get-CsDatabaseMirrorState.
type mirrorState struct {
	DatabaseName, StateOnPrimary, StateOnMirror, MirroringStatusOnPrimary, MirroringStatusOnSecondary string
}

func readMirrorState(t *testing.T, w *World) mirrorState {
	t.Helper()
	out, errOut, code := runCmdlet(t, w, `Get-CsDatabaseMirrorState -PoolFqdn pchat.contoso.test -DatabaseType PersistentChat | ConvertTo-Json -Compress`)
	if code != 0 {
		t.Fatalf("Get-CsDatabaseMirrorState: exit %d %s", code, errOut)
	}
	var st mirrorState
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &st); err != nil {
		t.Fatalf("Get-CsDatabaseMirrorState output %q: %v", out, err)
	}
	return st
}

// TestDatabaseCmdletsOverSQL: the fake's database cmdlets read and change
// SQL Server itself: Get-CsDatabaseMirrorState shows what
// sys.database_mirroring holds (also after a SET PARTNER OFF done in
// T-SQL behind the endpoint's back), Invoke-CsDatabaseFailover moves the
// principal on SQL Server, Test-CsDatabase connects, and a stopped
// instance shows as out of reach.
func TestDatabaseCmdletsOverSQL(t *testing.T) {
	ctx := context.Background()
	w := startTestWorld(t, false)
	if err := w.InstallStores(ctx, topology.RolePrimary); err != nil {
		t.Fatal(err)
	}
	if err := w.ConfigureMirroring(ctx, topology.RolePrimary, topology.RolePrimaryMirror); err != nil {
		t.Fatal(err)
	}
	want := mirrorState{"mgc", "Principal", "Mirror", "synchronized", "synchronized"}
	if got := readMirrorState(t, w); got != want {
		t.Errorf("mirrored: %+v, want %+v", got, want)
	}

	out, errOut, code := runCmdlet(t, w, `Test-CsDatabase -DatabaseType PersistentChat -SqlServerFqdn sqlpri.dc1.contoso.test | Select-Object DatabaseName,Succeed,MirrorDataSource | ConvertTo-Json -Compress`)
	if code != 0 || !strings.Contains(out, `"DatabaseName":"mgc","Succeed":true,"MirrorDataSource":"sqlprimir.dc1.contoso.test:5022"`) {
		t.Errorf("Test-CsDatabase: exit %d out %q err %q", code, out, errOut)
	}

	_, errOut, code = runCmdlet(t, w, `Invoke-CsDatabaseFailover -DatabaseType PersistentChat -NewPrincipal Mirror -PoolFqdn pchat.contoso.test -Confirm:$false`)
	if code != 0 {
		t.Fatalf("Invoke-CsDatabaseFailover: exit %d %s", code, errOut)
	}
	if m, err := w.MirroringOf(ctx, topology.RolePrimaryMirror, "mgc"); err != nil || m.Role != "PRINCIPAL" {
		t.Fatalf("after Invoke-CsDatabaseFailover -NewPrincipal Mirror, the primary-mirror's mgc: %+v %v", m, err)
	}
	if got := readMirrorState(t, w); got.StateOnPrimary != "Mirror" || got.StateOnMirror != "Principal" {
		t.Errorf("failed over: %+v", got)
	}
	_, errOut, code = runCmdlet(t, w, `Invoke-CsDatabaseFailover -DatabaseType PersistentChat -NewPrincipal Primary -PoolFqdn pchat.contoso.test -Confirm:$false`)
	if code != 0 {
		t.Fatalf("Invoke-CsDatabaseFailover back: exit %d %s", code, errOut)
	}
	if m, err := w.MirroringOf(ctx, topology.RolePrimary, "mgc"); err != nil || m.Role != "PRINCIPAL" {
		t.Fatalf("after failing back, the primary's mgc: %+v %v", m, err)
	}

	// Mirroring removed in T-SQL, not through the endpoint.
	_, master, err := w.masterByRole(topology.RolePrimary)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := master.ExecContext(ctx, "ALTER DATABASE [mgc] SET PARTNER OFF"); err != nil {
		t.Fatal(err)
	}
	const na = "DatabaseInaccessibleOrMirroringNotEnabled"
	if got := readMirrorState(t, w); got != (mirrorState{"mgc", na, na, "", ""}) {
		t.Errorf("after SET PARTNER OFF in T-SQL: %+v", got)
	}
	_, errOut, code = runCmdlet(t, w, `Invoke-CsDatabaseFailover -DatabaseType PersistentChat -NewPrincipal Mirror -PoolFqdn pchat.contoso.test -Confirm:$false`)
	if code == 0 || !strings.Contains(errOut, "is not a mirroring partner") {
		t.Errorf("failover without mirroring: exit %d %s", code, errOut)
	}

	pri, err := w.InstanceByRole(topology.RolePrimary)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.StopInstance(ctx, pri); err != nil {
		t.Fatal(err)
	}
	out, errOut, code = runCmdlet(t, w, `Test-CsDatabase -DatabaseType PersistentChat -SqlServerFqdn sqlpri.dc1.contoso.test | Select-Object DatabaseName,Succeed | ConvertTo-Json -Compress`)
	if code != 0 || !strings.Contains(out, `"DatabaseName":"mgc","Succeed":false`) {
		t.Errorf("Test-CsDatabase of a stopped instance: exit %d out %q err %q", code, out, errOut)
	}
	if got := readMirrorState(t, w); got.StateOnPrimary != na {
		t.Errorf("stopped primary: %+v", got)
	}
}

// TestFailoverOfMirroringSetUpInTSQL: Invoke-CsDatabaseFailover goes by
// what SQL Server holds, not by what the endpoint recorded: mirroring a DBA
// set up in T-SQL (no Install-CsMirrorDatabase) fails over.
func TestFailoverOfMirroringSetUpInTSQL(t *testing.T) {
	ctx := context.Background()
	w := startTestWorld(t, false)
	if err := w.InstallStores(ctx, topology.RoleBackup); err != nil {
		t.Fatal(err)
	}
	if err := w.ConfigureMirroring(ctx, topology.RoleBackup, topology.RoleBackupMirror); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := runCmdlet(t, w, `Invoke-CsDatabaseFailover -DatabaseType PersistentChat -NewPrincipal Mirror -PoolFqdn sqlbak.dc2.contoso.test -Confirm:$false`)
	if code != 0 {
		t.Fatalf("Invoke-CsDatabaseFailover: exit %d %s", code, decodeErr(errOut))
	}
	if m, err := w.MirroringOf(ctx, topology.RoleBackupMirror, "mgc"); err != nil || m.Role != "PRINCIPAL" {
		t.Fatalf("the backup-mirror's mgc after the failover: %+v %v", m, err)
	}
}

// TestUninstallMirrorOverSQL: Uninstall-CsMirrorDatabase removes mirroring
// on the primary SQL Server and, with -DropExistingDatabasesOnMirror, the
// mirror's copy; Get-CsDatabaseMirrorState then shows it.
func TestUninstallMirrorOverSQL(t *testing.T) {
	ctx := context.Background()
	w := startTestWorld(t, false)
	if err := w.InstallStores(ctx, topology.RolePrimary); err != nil {
		t.Fatal(err)
	}
	if err := w.ConfigureMirroring(ctx, topology.RolePrimary, topology.RolePrimaryMirror); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := runCmdlet(t, w, `Uninstall-CsMirrorDatabase -DatabaseType PersistentChat -SqlServerFqdn sqlpri.dc1.contoso.test -DropExistingDatabasesOnMirror -Confirm:$false`)
	if code != 0 {
		t.Fatalf("Uninstall-CsMirrorDatabase: exit %d %s", code, decodeErr(errOut))
	}
	if m, err := w.MirroringOf(ctx, topology.RolePrimary, "mgc"); err != nil || m.Role != "" {
		t.Errorf("the primary's mgc: %+v %v, want not mirrored", m, err)
	}
	if _, err := w.MirroringOf(ctx, topology.RolePrimaryMirror, "mgc"); err == nil || !strings.Contains(err.Error(), "no database mgc") {
		t.Errorf("the primary-mirror's mgc after -DropExistingDatabasesOnMirror: %v, want it gone", err)
	}
	const na = "DatabaseInaccessibleOrMirroringNotEnabled"
	if got := readMirrorState(t, w); got != (mirrorState{"mgc", na, na, "", ""}) {
		t.Errorf("Get-CsDatabaseMirrorState after uninstalling: %+v", got)
	}
}
