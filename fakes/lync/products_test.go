package lync

import (
	"strings"
	"testing"

	"github.com/pchatdr/harness/fakes/lync/pool"
)

// TestProductBinder: only documented parameters and parameter sets bind,
// per product. Each case runs under the profiles it lists; wantErr is
// the error text ("" for success), wantOut a part of the output.
func TestProductBinder(t *testing.T) {
	both := []string{"lync2013", "skype2015"}
	cases := []struct {
		name     string
		products []string
		script   string
		wantErr  string
		wantOut  string
	}{
		{"module of Skype for Business Server 2015", []string{"skype2015"}, `Import-Module SkypeForBusiness; Get-CsPool -Identity pchat.contoso.test | Select-Object -ExpandProperty Fqdn`, "", "pchat.contoso.test"},
		{"no Lync module on 2015", []string{"skype2015"}, `Import-Module Lync`, "The specified module 'Lync' was not loaded", ""},
		{"module of Lync Server 2013", []string{"lync2013"}, `Import-Module Lync; Get-CsPool -Identity pchat.contoso.test | Select-Object -ExpandProperty Fqdn`, "", "pchat.contoso.test"},
		{"no SkypeForBusiness module on 2013", []string{"lync2013"}, `Import-Module SkypeForBusiness`, "The specified module 'SkypeForBusiness' was not loaded", ""},
		{"two role switches", both, `Get-CsService -PersistentChatServer -PersistentChatDatabase`, "Parameter set cannot be resolved using the specified named parameters.", ""},
		{"undocumented Get-CsService switch", both, `Get-CsService -PersistentChatStore`, "A parameter cannot be found that matches parameter name 'PersistentChatStore'.", ""},
		{"Get-CsService has no LocalStore", both, `Get-CsService -PersistentChatServer -LocalStore`, "A parameter cannot be found that matches parameter name 'LocalStore'.", ""},
		{"Identity and Filter together", both, `Get-CsService -Identity PersistentChatServer:pchat.contoso.test -Filter '*'`, "Parameter set cannot be resolved", ""},
		{"role switch and Identity", both, `Get-CsService -Identity PersistentChatServer:pchat.contoso.test -PersistentChatServer`, "Parameter set cannot be resolved", ""},
		{"PoolFqdn with a role switch", both, `(Get-CsService -PersistentChatDatabase -PoolFqdn sqlbak.dc2.contoso.test).Identity`, "", "PersistentChatStore:sqlbak.dc2.contoso.test"},
		{"compliance database role", both, `@(Get-CsService -PersistentChatComplianceDatabase).Count`, "", "4"},
		{"a role the topology lacks lists nothing", both, `@(Get-CsService -EdgeServer).Count`, "", "0"},
		{"LegalInterceptServer is Lync Server 2013 only", []string{"skype2015"}, `Get-CsService -LegalInterceptServer`, "matches parameter name 'LegalInterceptServer'", ""},
		{"LegalInterceptServer on 2013", []string{"lync2013"}, `@(Get-CsService -LegalInterceptServer).Count`, "", "0"},
		{"VideoGateway is 2015 only", []string{"lync2013"}, `Get-CsService -VideoGateway`, "matches parameter name 'VideoGateway'", ""},
		{"ProvisionServer is Lync Server 2010 only", both, `Get-CsService -ProvisionServer`, "matches parameter name 'ProvisionServer'", ""},
		{"Get-CsPool has no LocalStore", both, `Get-CsPool -LocalStore`, "matches parameter name 'LocalStore'", ""},
		{"Get-CsPool -Site by display name", both, `@(Get-CsPool -Site dc2).Count`, "", "2"},
		{"Get-CsPool -Site by identity is refused", both, `Get-CsPool -Site site:dc2`, `Cannot find site "site:dc2". Give the site's DisplayName`, ""},
		{"PersistentChat mirror state on 2015", []string{"skype2015"}, `(Get-CsDatabaseMirrorState -PoolFqdn pchat.contoso.test -DatabaseType PersistentChat).DatabaseName`, "", "mgc"},
		{"no PersistentChat mirror state type on 2013", []string{"lync2013"}, `Get-CsDatabaseMirrorState -PoolFqdn pchat.contoso.test -DatabaseType PersistentChat`,
			"Unable to match the identifier name PersistentChat to a valid enumerator name. Specify one of the following enumerator names and try again:\r\nApp, Archiving, CMS, Monitoring, Provision, User", ""},
		{"SqlInstanceName is not in the ConfiguredDatabases set", both, `Install-CsMirrorDatabase -ConfiguredDatabases -SqlServerFqdn sqlbak.dc2.contoso.test -FileShare \\f\s -SqlInstanceName X`, "Parameter set cannot be resolved", ""},
		{"ForInstance is not in the DatabaseType set", both, `Install-CsMirrorDatabase -DatabaseType PersistentChat -SqlServerFqdn sqlbak.dc2.contoso.test -FileShare \\f\s -ForInstance X`, "Parameter set cannot be resolved", ""},
		{"Install needs DatabaseType or ConfiguredDatabases", both, `Install-CsMirrorDatabase -SqlServerFqdn sqlbak.dc2.contoso.test -FileShare \\f\s -WhatIf`, "missing mandatory parameters: DatabaseType.", ""},
		{"Test-CsDatabase ByDatabase needs SqlServerFqdn", both, `Test-CsDatabase -DatabaseType PersistentChat`, "missing mandatory parameters: SqlServerFqdn.", ""},
		{"Test-CsDatabase two sets", both, `Test-CsDatabase -ConfiguredDatabases -DatabaseType PersistentChat -SqlServerFqdn sqlbak.dc2.contoso.test`, "Parameter set cannot be resolved", ""},
		{"Swap and ActiveServers", both, `Set-CsPersistentChatActiveServer -Swap -ActiveServers $null`, "Parameter set cannot be resolved", ""},
		// Stricter: the Swap set without -Swap does nothing documented.
		{"Set-CsPersistentChatActiveServer without a set", both, `Set-CsPersistentChatActiveServer -Identity global`, "missing mandatory parameters: ActiveServers.", ""},
		{"Get-CsPersistentChatEndpoint by pool", both, `(Get-CsPersistentChatEndpoint -PersistentChatPoolFqdn pchat.contoso.test).SipAddress`, "", "sip:pchat@contoso.test"},
		{"Get-CsPersistentChatEndpoint of another pool", both, `Get-CsPersistentChatEndpoint -PersistentChatPoolFqdn other.contoso.test`, `Cannot find Persistent Chat pool "other.contoso.test"`, ""},
	}
	for _, tc := range cases {
		for _, prod := range tc.products {
			t.Run(prod+"/"+tc.name, func(t *testing.T) {
				s, err := New(Options{Pool: withProduct(testConfig(), prod), Users: map[string]string{testUser: testPass}})
				if err != nil {
					t.Fatal(err)
				}
				res := s.Run(t.Context(), "$ErrorActionPreference = 'Stop'; "+tc.script)
				errText := ""
				if len(res.Errors) > 0 {
					errText = res.Errors[0].Message
				}
				if tc.wantErr == "" && errText != "" {
					t.Fatalf("%s: %s", tc.script, errText)
				}
				if tc.wantErr != "" && !strings.Contains(errText, tc.wantErr) {
					t.Fatalf("%s: error %q, want %q", tc.script, errText, tc.wantErr)
				}
				if out := res.Stdout; !strings.Contains(out, tc.wantOut) {
					t.Errorf("%s: output %q lacks %q", tc.script, out, tc.wantOut)
				}
			})
		}
	}
}

func withProduct(cfg pool.Config, product string) pool.Config {
	cfg.Product = product
	return cfg
}
