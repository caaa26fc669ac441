package lync

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/pchatdr/harness/fakes/lync/pool"
)

// TestReferenceExamples runs every example command of reference §3, §4 and
// §6 through the masterzen/winrm client and checks it did what the
// documentation says.
func TestReferenceExamples(t *testing.T) {
	const gc = "atl-gc-001.litwareinc.com"
	activeIs := func(want ...string) func(pool.State) error {
		return func(st pool.State) error {
			if want == nil {
				want = []string{}
			}
			if !slices.Equal(st.ActiveServers, want) {
				return fmt.Errorf("active %v, want %v", st.ActiveServers, want)
			}
			return nil
		}
	}
	stateIs := func(want pool.PoolState) func(pool.State) error {
		return func(st pool.State) error {
			if st.PoolState != want {
				return fmt.Errorf("pool state %s, want %s", st.PoolState, want)
			}
			return nil
		}
	}
	servingIs := func(db, want string) func(pool.State) error {
		return func(st pool.State) error {
			if got := st.ServingStore(db); got != want {
				return fmt.Errorf("%s served by %q, want %q", db, got, want)
			}
			return nil
		}
	}
	cases := []struct {
		name    string
		ref     string
		cfg     pool.Config
		script  string
		want    func(pool.State) error
		wantOut []string
	}{
		{name: "failover step 5", ref: "§3 step 5", cfg: configFor("atl-cs-001.litwareinc.com", "", ""),
			script: `Set-CsPersistentChatState -Identity "service:atl-cs-001.litwareinc.com" -PoolState FailedOver`, want: stateIs(pool.FailedOver)},
		{name: "failover step 5 en dash", ref: "§3 step 5, §6.8", cfg: configFor("atl-cs-001.litwareinc.com", "", ""),
			script: "Set-CsPersistentChatState -Identity \"service:atl-cs-001.litwareinc.com\" \u2013PoolState FailedOver", want: stateIs(pool.FailedOver)},
		{name: "failover step 6 mirror on backup", ref: "§3 step 6, §6.5", cfg: configFor("", "", pool.FailedOver),
			script: `Install-CsMirrorDatabase -DatabaseType PersistentChat -FileShare "\\files.contoso.test\mirror" -SqlServerFqdn sqlbak.dc2.contoso.test -DropExistingDatabasesOnMirror -Confirm:$false`,
			want: func(st pool.State) error {
				for _, mp := range st.Databases {
					if mp.Site == pool.SiteBackup && mp.DatabaseType == pool.DBPersistentChat && !mp.Mirrored {
						return fmt.Errorf("backup mgc not mirrored: %+v", mp)
					}
					if mp.Site == pool.SiteBackup && mp.DatabaseType == pool.DBPersistentChatCompliance && mp.Mirrored {
						return fmt.Errorf("mgccomp mirrored though only PersistentChat was asked: %+v", mp)
					}
				}
				return servingIs(pool.DBPersistentChat, "sqlbak.dc2.contoso.test")(st)
			},
			wantOut: []string{`Mirroring of PersistentChat databases on "sqlbak.dc2.contoso.test" to "sqlbakmir.dc2.contoso.test"`}},
		{name: "install mirror configured databases", ref: "§6.5", cfg: configFor("", "", pool.FailedOver),
			script: `Install-CsMirrorDatabase -ConfiguredDatabases -FileShare \\files.contoso.test\mirror -SqlServerFqdn sqlbak.dc2.contoso.test`,
			want: func(st pool.State) error {
				for _, mp := range st.Databases {
					if mp.Site == pool.SiteBackup && !mp.Mirrored {
						return fmt.Errorf("backup %s not mirrored", mp.DatabaseType)
					}
				}
				return nil
			}},
		{name: "failover step 7 active servers in dc2", ref: "§3 step 7", cfg: configFor("", "", pool.FailedOver),
			script: `Set-CsPersistentChatActiveServer -Identity "global" -ActiveServers @{Replace="pc5.dc2.contoso.test","pc6.dc2.contoso.test"}`,
			want:   activeIs("pc5.dc2.contoso.test", "pc6.dc2.contoso.test")},
		{name: "failback step 1 clear", ref: "§4 step 1, §6.1 example 3", cfg: configFor("", "", pool.FailedOver),
			script: `Set-CsPersistentChatActiveServer -Identity "global" -ActiveServers $Null`, want: activeIs()},
		{name: "failback step 6 replace", ref: "§4 step 6", cfg: configFor("", "", pool.FailedOver),
			script: `Set-CsPersistentChatActiveServer -ActiveServers @{Replace="pc1.dc1.contoso.test","pc2.dc1.contoso.test"}`,
			want:   activeIs("pc1.dc1.contoso.test", "pc2.dc1.contoso.test")},
		{name: "failback step 6 add", ref: "§4 step 6", cfg: configFor("", "", ""),
			script: `Set-CsPersistentChatActiveServer -Identity global -ActiveServers $null; Set-CsPersistentChatActiveServer -Identity global -ActiveServers @{Add="pc3.dc1.contoso.test","pc4.dc1.contoso.test"}`,
			want:   activeIs("pc3.dc1.contoso.test", "pc4.dc1.contoso.test")},
		{name: "failback post pool normal with space", ref: "§4 post, §6.8", cfg: configFor("lyncpc.dci.discovery.com", "", pool.FailedOver),
			script: `Set-CsPersistentChatState -Identity "service: lyncpc.dci.discovery.com" -PoolState Normal`, want: stateIs(pool.Normal)},
		{name: "help example 1 add", ref: "§6.1", cfg: configFor("", gc, ""),
			script: `Set-CsPersistentChatActiveServer -Identity "global" -ActiveServers $null; Set-CsPersistentChatActiveServer -Identity "global" -ActiveServers @{Add="atl-gc-001.litwareinc.com"}`,
			want:   activeIs(gc)},
		{name: "help example 2 remove", ref: "§6.1", cfg: configFor("", gc, ""),
			script: `Set-CsPersistentChatActiveServer -Identity "global" -ActiveServers @{Remove="atl-gc-001.litwareinc.com"}`,
			want:   activeIs("pc2.dc1.contoso.test")},
		{name: "help example 3 null", ref: "§6.1", cfg: configFor("", gc, ""),
			script: `Set-CsPersistentChatActiveServer -Identity "global" -ActiveServers $Null`, want: activeIs()},
		{name: "SfB help identity PChatServerCollection", ref: "§6.1", cfg: configFor("", gc, ""),
			script: `Set-CsPersistentChatActiveServer -Identity "PChatServerCollection" -ActiveServers @{Remove="atl-gc-001.litwareinc.com"}`,
			want:   activeIs("pc2.dc1.contoso.test")},
		{name: "swap", ref: "§6.1 -Swap", cfg: func() pool.Config {
			c := configFor("", "", "")
			c.ActiveServers = []string{"pc1.dc1.contoso.test", "pc2.dc1.contoso.test", "pc3.dc1.contoso.test", "pc4.dc1.contoso.test"}
			return c
		}(), script: `Set-CsPersistentChatActiveServer -Swap -Confirm:$false`,
			want: activeIs("pc5.dc2.contoso.test", "pc6.dc2.contoso.test", "pc7.dc2.contoso.test", "pc8.dc2.contoso.test")},
		{name: "get service identity", ref: "§6.1, §6.2", cfg: configFor("client.vdomain.com", "", ""),
			script: `Get-CsService -PersistentChatServer`, want: stateIs(pool.Normal),
			wantOut: []string{"Identity                                     : PersistentChatServer:client.vdomain.com", "ActiveServers                                : {pc1.dc1.contoso.test, pc2.dc1.contoso.test}"}},
		{name: "set state help example", ref: "§6.3", cfg: configFor(gc, "", ""),
			script: `Set-CsPersistentChatState -Identity "PersistentChatServer:atl-gc-001.litwareinc.com" -PoolState "FailedOver"`, want: stateIs(pool.FailedOver)},
		{name: "set state service scope identity", ref: "§6.8", cfg: configFor(gc, "", ""),
			script: `Set-CsPersistentChatState -Identity "service:PersistentChatServer:atl-gc-001.litwareinc.com" -PoolState FailedOver`, want: stateIs(pool.FailedOver)},
		{name: "get state filter", ref: "§6.4", cfg: configFor(gc, "", ""),
			script: `Get-CsPersistentChatState -Filter "*.litwareinc.com"`, want: stateIs(pool.Normal),
			wantOut: []string{"Identity  : service:PersistentChatServer:atl-gc-001.litwareinc.com", "PoolState : Normal"}},
		{name: "get state where failed over", ref: "§6.4 example 4", cfg: configFor(gc, "", pool.FailedOver),
			script: `Get-CsPersistentChatState | Where-Object {$_.PoolState -eq "FailedOver"} | ConvertTo-Json -Compress`, want: stateIs(pool.FailedOver),
			wantOut: []string{`{"Identity":"service:PersistentChatServer:atl-gc-001.litwareinc.com","PoolState":1}`}},
		{name: "get state identity local store", ref: "§6.4", cfg: configFor(gc, "", ""),
			script: `Get-CsPersistentChatState -Identity "PersistentChatServer:atl-gc-001.litwareinc.com" -LocalStore | ConvertTo-Json -Compress`, want: stateIs(pool.Normal),
			wantOut: []string{`"PoolState":0`}},
		{name: "database failover to mirror", ref: "§2.4 step 1, §6.6", cfg: configFor("", "", ""),
			script: `Invoke-CsDatabaseFailover -PoolFqdn pchat.contoso.test -DatabaseType PersistentChat -NewPrincipal Mirror -Confirm:$false`,
			want:   servingIs(pool.DBPersistentChat, "sqlprimir.dc1.contoso.test")},
		{name: "database failback to primary", ref: "§2.4 step 22, §6.6", cfg: configFor("", "", ""),
			script: `Invoke-CsDatabaseFailover -PoolFqdn pchat.contoso.test -DatabaseType PersistentChat -NewPrincipal Mirror -Confirm:$false; Invoke-CsDatabaseFailover -PoolFqdn sqlpri.dc1.contoso.test -DatabaseType PersistentChat -NewPrincipal Primary -Force`,
			want:   servingIs(pool.DBPersistentChat, "sqlpri.dc1.contoso.test")},
		{name: "mirror state", ref: "§6.7", cfg: configFor("", "", ""),
			script: `Get-CsDatabaseMirrorState -PoolFqdn pchat.contoso.test -DatabaseType PersistentChat | ConvertTo-Json -Compress`, want: stateIs(pool.Normal),
			wantOut: []string{`{"DatabaseName":"mgc","StateOnPrimary":"Principal","StateOnMirror":"Mirror","MirroringStatusOnPrimary":"synchronized","MirroringStatusOnSecondary":"synchronized"}`}},
		{name: "mirror state not mirrored", ref: "§6.7", cfg: configFor("", "", pool.FailedOver),
			script: `Get-CsDatabaseMirrorState -PoolFqdn pchat.contoso.test -DatabaseType PersistentChat | Select-Object -ExpandProperty StateOnPrimary`, want: stateIs(pool.FailedOver),
			wantOut: []string{"DatabaseInaccessibleOrMirroringNotEnabled"}},
		{name: "engine read-back pipeline", ref: "§6.2", cfg: configFor("", "", ""),
			script:  `$ErrorActionPreference = 'Stop'; Import-Module SkypeForBusiness; Get-CsService -PersistentChatServer | Where-Object { $_.PoolFqdn -eq 'pchat.contoso.test' } | Select-Object Identity,PoolFqdn,ActiveServers,InactiveServers | ConvertTo-Json -Compress`,
			want:    stateIs(pool.Normal),
			wantOut: []string{`{"Identity":"PersistentChatServer:pchat.contoso.test","PoolFqdn":"pchat.contoso.test","ActiveServers":["pc1.dc1.contoso.test","pc2.dc1.contoso.test"],"InactiveServers":["pc3.dc1.contoso.test","pc4.dc1.contoso.test","pc5.dc2.contoso.test","pc6.dc2.contoso.test","pc7.dc2.contoso.test","pc8.dc2.contoso.test"]}`}},
		{name: "whatif changes nothing", ref: "§6.3 -WhatIf", cfg: lync2013(configFor("", "", "")),
			script: `Import-Module Lync; Set-CsPersistentChatState -Identity service:pchat.contoso.test -PoolState FailedOver -WhatIf; Set-CsPersistentChatActiveServer -ActiveServers $null -WhatIf`,
			want: func(st pool.State) error {
				if err := stateIs(pool.Normal)(st); err != nil {
					return err
				}
				return activeIs("pc1.dc1.contoso.test", "pc2.dc1.contoso.test")(st)
			},
			wantOut: []string{`What if: Performing the operation "Set-CsPersistentChatState" on target "service:PersistentChatServer:pchat.contoso.test".`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, func(o *Options) { o.Pool = tc.cfg })
			out, errOut, code := runPS(t, client(t, s, testPass), tc.script)
			if code != 0 || errOut != "" {
				t.Fatalf("%s: exit %d stderr %s", tc.ref, code, errOut)
			}
			if err := tc.want(s.State()); err != nil {
				t.Errorf("%s: %v", tc.ref, err)
			}
			for _, w := range tc.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("%s: stdout %q lacks %q", tc.ref, out, w)
				}
			}
		})
	}
}

// TestIdentityForms covers every identity form of reference §6.8 for both
// state cmdlets, and refusals naming the unknown pool.
func TestIdentityForms(t *testing.T) {
	s := startServer(t, nil)
	c := client(t, s, testPass)
	for _, id := range []string{"service:pchat.contoso.test", "service: pchat.contoso.test", "PersistentChatServer:pchat.contoso.test",
		"service:PersistentChatServer:pchat.contoso.test", "SERVICE:PCHAT.CONTOSO.TEST"} {
		out, errOut, code := runPS(t, c, fmt.Sprintf(`Set-CsPersistentChatState -Identity '%s' -PoolState FailedOver; Get-CsPersistentChatState -Identity '%s' | Select-Object -ExpandProperty PoolState; Set-CsPersistentChatState '%s' -PoolState Normal`, id, id, id))
		if code != 0 || errOut != "" || strings.TrimSpace(out) != "FailedOver" {
			t.Errorf("identity %q: exit %d out %q err %s", id, code, out, errOut)
		}
	}
	for _, id := range []string{"global", "PChatServerCollection", "service:PersistentChatServer:pchat.contoso.test", "PersistentChatServer:pchat.contoso.test"} {
		_, errOut, code := runPS(t, c, fmt.Sprintf(`Set-CsPersistentChatActiveServer -Identity '%s' -ActiveServers @{Add='pc3.dc1.contoso.test'}`, id))
		if code != 0 || errOut != "" {
			t.Errorf("active server identity %q: exit %d err %s", id, code, errOut)
		}
	}
	if st := s.State(); st.PoolState != pool.Normal || len(st.ActiveServers) != 3 {
		t.Errorf("state after identity checks: %+v", st)
	}
}
