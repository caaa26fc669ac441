package world

import (
	"context"
	"strings"
	"testing"

	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/topologies"
)

// The names of Microsoft's examples and the embedded topology's.
var exampleNames = strings.NewReplacer(
	"atl-gc-001.litwareinc.com", "pc3.dc1.contoso.test", // a server (Set-CsPersistentChatActiveServer); pools below
	"PersistentChatServer:atl-gc-001.litwareinc.com", "PersistentChatServer:pchat.contoso.test",
	"atl-cs-001.litwareinc.com", "pchat.contoso.test",
	"atl-pcpool-001.litwareinc.com", "pchat.contoso.test",
	"sip:pce@litwareinc.com", "sip:pchat@contoso.test",
	"*.litwareinc.com", "*.contoso.test",
	"site:Redmond", "Site:dc1",
	`"Redmond"`, `"dc1"`,
	`\\atl-fs-001.litware.com\DbBackup`, `\\files.contoso.test\pchat-logship`,
	"atl-primary-001.litwareinc.com", "sqlpri.dc1.contoso.test",
	"atl-sql-001.litwareinc.com", "sqlpri.dc1.contoso.test",
	"atl-mirror-001.litwareinc.com", "sqlpri.dc1.contoso.test",
)

// TestMicrosoftExamples runs every example of the cmdlet pages (office-
// docs-powershell, skype/skype-ps/SkypeForBusiness: the Persistent Chat
// cmdlets, Get-CsService, Get-CsPool, Get-CsPersistentChatEndpoint,
// Test-CsDatabase, Install-/Uninstall-CsMirrorDatabase,
// Invoke-CsDatabaseFailover, Get-CsDatabaseMirrorState) verbatim but for
// the names, under both products, against a world whose primary stores
// are mirrored. wantErr is the outcome where the page's example cannot
// succeed as written or on a Persistent Chat topology (said per case).
func TestMicrosoftExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a world per product")
	}
	examples := []struct {
		page, script     string
		wantOut, wantErr string
		why              string
	}{
		{"Get-CsDatabaseMirrorState", `Get-CsDatabaseMirrorState -PoolFqdn "atl-cs-001.litwareinc.com" -DatabaseType Monitoring`, "", `has no Persistent Chat databases`,
			"the pool has no Monitoring database"},
		{"Get-CsPersistentChatEndpoint", `Get-CsPersistentChatEndpoint`, "sip:pchat@contoso.test", "", ""},
		{"Get-CsPersistentChatEndpoint", `Get-CsPersistentChatEndpoint -Identity "sip:pce@litwareinc.com"`, "sip:pchat@contoso.test", "", ""},
		{"Get-CsPersistentChatEndpoint", `Get-CsPersistentChatEndpoint -PersistentChatPoolFqdn atl-pcpool-001.litwareinc.com`, "sip:pchat@contoso.test", "", ""},
		{"Get-CsPersistentChatState", `Get-CsPersistentChatState`, "Normal", "", ""},
		{"Get-CsPersistentChatState", `Get-CsPersistentChatState -Identity "PersistentChatServer:atl-gc-001.litwareinc.com"`, "Normal", "", ""},
		{"Get-CsPersistentChatState", `Get-CsPersistentChatState -Filter "*.litwareinc.com"`, "Normal", "", ""},
		{"Get-CsPersistentChatState", `Get-CsPersistentChatState | Where-Object {$_.PoolState -eq "FailedOver"}`, "", "", ""},
		{"Get-CsPool", `Get-CsPool`, "pchat.contoso.test", "", ""},
		{"Get-CsPool", `Get-CsPool | Select-Object -ExpandProperty Computers`, "pc8.dc2.contoso.test", "", ""},
		{"Get-CsPool", `Get-CsPool -Identity atl-cs-001.litwareinc.com`, "pchat.contoso.test", "", ""},
		{"Get-CsPool", `Get-CsPool -Site "Redmond"`, "sqlpri.dc1.contoso.test", "", ""},
		{"Get-CsPool", `Get-CsPool | Where-Object {$_.Services.Count -eq 0}`, "", "", ""},
		{"Get-CsService", `Get-CsService`, "PersistentChatStore:sqlbakmir.dc2.contoso.test", "", ""},
		{"Get-CsService", `Get-CsService -ApplicationServer`, "", "", ""},
		{"Get-CsService", `Get-CsService -PoolFqdn "atl-cs-001.litwareinc.com" | Select-Object Identity`, "PersistentChatServer:pchat.contoso.test", "", ""},
		{"Get-CsService", `Get-CsService | Where-Object {$_.SiteID -eq "site:Redmond"}`, "PersistentChatStore:sqlpri.dc1.contoso.test", "", ""},
		{"Get-CsService", `Get-CsService | Where-Object {$_.DependentServiceList -like "*Registrar*"}`, "", "", ""},
		{"Install-CsMirrorDatabase", `Install-CsMirrorDatabase -ConfiguredDatabases -FileShare "\\atl-fs-001.litware.com\DbBackup" -SqlServerFqdn "atl-primary-001.litwareinc.com" -DropExisitingDatabasesOnMirror`,
			"", "A parameter cannot be found that matches parameter name 'DropExisitingDatabasesOnMirror'.", "the page's example misspells -DropExistingDatabasesOnMirror"},
		{"Invoke-CsDatabaseFailover", `Invoke-CsDatabaseFailover -PoolFqdn atl-cs-001.litwareinc.com -DatabaseType "User" -NewPrincipal "Mirror"`,
			"", `Database type "User" is not deployed in this topology`, "the pool has no User database"},
		{"Invoke-CsDatabaseFailover", `Invoke-CsDatabaseFailover -PoolFqdn atl-cs-001.litwareinc.com -ExcludeDatabase -NewPrincipal "Mirror" -ExcludeDatabaseList "LcsCDR", "LcsLog"`,
			"", "Missing an argument for parameter 'ExcludeDatabaseList'.", "the page's -ExcludeDatabase is a prefix of -ExcludeDatabaseList and has no argument"},
		{"Set-CsPersistentChatActiveServer", `Set-CsPersistentChatActiveServer -Identity "PChatServerCollection" -ActiveServers @{Add="atl-gc-001.litwareinc.com"}`, "", "", ""},
		{"Set-CsPersistentChatActiveServer", `Set-CsPersistentChatActiveServer -Identity "PChatServerCollection" -ActiveServers @{Remove="atl-gc-001.litwareinc.com"}`, "", "", ""},
		{"Set-CsPersistentChatActiveServer", `Set-CsPersistentChatActiveServer -Identity "PChatServerCollection" -ActiveServers $Null`, "", "", ""},
		{"Set-CsPersistentChatState", `Set-CsPersistentChatState -Identity "PersistentChatServer:atl-gc-001.litwareinc.com" -PoolState "FailedOver"`, "", "", ""},
		{"Test-CsDatabase", `Test-CsDatabase -CentralManagementDatabase`, "", "models only the Persistent Chat databases", "not modelled: the topology has no Central Management store"},
		{"Test-CsDatabase", `Test-CsDatabase -ConfiguredDatabases -SqlServerFqdn "atl-sql-001.litwareinc.com"`, "mgccomp", "", ""},
		{"Test-CsDatabase", `Test-CsDatabase -DatabaseType "Archiving" -SqlServerFqdn "atl-sql-001.litwareinc.com" -SqlInstanceName "archinst"`,
			"", `Database type "Archiving" is not deployed in this topology`, "the topology has no Archiving database"},
		{"Test-CsDatabase", `Test-CsDatabase -LocalService`, "", "models only the Persistent Chat databases", "not modelled: no database is local to the Front End"},
		{"Uninstall-CsMirrorDatabase", `Uninstall-CsMirrorDatabase -SqlServerFqdn "atl-mirror-001.litwareinc.com" -SqlInstanceName "RTC" -DatabaseType "User" -DropExistingDatabasesOnMirror`,
			"", `Database type "User" is not deployed in this topology`, "the topology has no User database"},
	}
	for _, product := range []topology.Product{topology.ProductLync2013, topology.ProductSkype2015} {
		t.Run(string(product), func(t *testing.T) {
			topo, err := topologies.Load("embedded.yaml")
			if err != nil {
				t.Fatal(err)
			}
			topo.Pool.Product, topo.Pool.ProductAssumed = product, false
			w, err := Start(context.Background(), Options{Topology: topo, Dir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { w.Close() })
			ctx := context.Background()
			if err := w.InstallStores(ctx, topology.RolePrimary); err != nil {
				t.Fatal(err)
			}
			if err := w.ConfigureMirroring(ctx, topology.RolePrimary, topology.RolePrimaryMirror); err != nil {
				t.Fatal(err)
			}
			for _, ex := range examples {
				script := exampleNames.Replace(ex.script)
				out, errOut, code := runCmdlet(t, w, script)
				if ex.wantErr == "" && code != 0 {
					t.Errorf("%s: %s\nexit %d: %s", ex.page, script, code, decodeErr(errOut))
					continue
				}
				if ex.wantErr != "" && (code == 0 || !strings.Contains(decodeErr(errOut), ex.wantErr)) {
					t.Errorf("%s: %s\nexit %d stderr %s\nwant %q (%s)", ex.page, script, code, decodeErr(errOut), ex.wantErr, ex.why)
					continue
				}
				if !strings.Contains(out, ex.wantOut) {
					t.Errorf("%s: %s\noutput %q lacks %q", ex.page, script, out, ex.wantOut)
				}
			}
		})
	}
}

// decodeErr makes CLIXML stderr readable enough to search.
func decodeErr(s string) string {
	return strings.NewReplacer("_x000D__x000A_", "\n", "&quot;", `"`, "&apos;", "'", "&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}
