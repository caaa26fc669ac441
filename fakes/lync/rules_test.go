package lync

import (
	"slices"
	"strings"
	"testing"

	"github.com/pchatdr/harness/fakes/lync/pool"
)

// TestListModifier covers PSListModifier semantics (reference §6.1) on a
// pool whose active list starts as pc1, pc2.
func TestListModifier(t *testing.T) {
	cases := []struct {
		arg     string
		want    []string
		wantErr string
	}{
		{`$null`, []string{}, ""},
		{`$Null`, []string{}, ""},
		{`@{Replace="pc5.dc2.contoso.test","pc6.dc2.contoso.test"}`, []string{"pc5.dc2.contoso.test", "pc6.dc2.contoso.test"}, ""},
		{`@{replace='pc3.dc1.contoso.test'}`, []string{"pc3.dc1.contoso.test"}, ""},
		{`@{Add="pc3.dc1.contoso.test"}`, []string{"pc1.dc1.contoso.test", "pc2.dc1.contoso.test", "pc3.dc1.contoso.test"}, ""},
		{`@{ADD="pc1.dc1.contoso.test"}`, []string{"pc1.dc1.contoso.test", "pc2.dc1.contoso.test"}, ""},
		{`@{Remove="pc1.dc1.contoso.test"}`, []string{"pc2.dc1.contoso.test"}, ""},
		{`@{Remove="pc3.dc1.contoso.test"}`, []string{"pc1.dc1.contoso.test", "pc2.dc1.contoso.test"}, ""},
		{`@{Remove="pc1.dc1.contoso.test"; Add="pc5.dc2.contoso.test"}`, []string{"pc2.dc1.contoso.test", "pc5.dc2.contoso.test"}, ""},
		{`@{Add="pc1.dc1.contoso.test"; Remove="pc1.dc1.contoso.test"}`, []string{"pc2.dc1.contoso.test", "pc1.dc1.contoso.test"}, ""},
		{`@{Replace="pc7.dc2.contoso.test"; Add="pc8.dc2.contoso.test"; Remove="pc7.dc2.contoso.test"}`, []string{"pc7.dc2.contoso.test"}, ""},
		{`@{Replace=@()}`, []string{"pc1.dc1.contoso.test", "pc2.dc1.contoso.test"}, ""},
		{`"pc3.dc1.contoso.test","pc4.dc1.contoso.test"`, []string{"pc3.dc1.contoso.test", "pc4.dc1.contoso.test"}, ""},
		{`pc8.dc2.contoso.test`, []string{"pc8.dc2.contoso.test"}, ""},
		{`@("PC5.DC2.CONTOSO.TEST")`, []string{"pc5.dc2.contoso.test"}, ""},
		{`@{Replace="pc5.dc2.contoso.test","pc5.dc2.contoso.test"}`, []string{"pc5.dc2.contoso.test"}, ""},
		{`@{Insert="pc3.dc1.contoso.test"}`, nil, "The following unknown list modifier was detected: 'Insert'. Valid list modifiers are Add, Remove, and Replace."},
		{`@{Add="sql.contoso.test"}`, nil, `"sql.contoso.test" is not a Persistent Chat Server of pool "pchat.contoso.test"`},
		{`@{Add="pc3.dc1.contoso.test","pc4.dc1.contoso.test","pc5.dc2.contoso.test"}`, nil, "5 servers would be active"},
		{`"pc1.dc1.contoso.test","pc2.dc1.contoso.test","pc3.dc1.contoso.test","pc4.dc1.contoso.test","pc5.dc2.contoso.test"`, nil, "at most 4 active servers"},
	}
	s := startServer(t, nil)
	c := client(t, s, testPass)
	initial := []string{"pc1.dc1.contoso.test", "pc2.dc1.contoso.test"}
	for _, tc := range cases {
		t.Run(tc.arg, func(t *testing.T) {
			if _, errOut, code := runPS(t, c, `Set-CsPersistentChatActiveServer -Identity global -ActiveServers @{Replace="pc1.dc1.contoso.test","pc2.dc1.contoso.test"}`); code != 0 {
				t.Fatalf("reset: %s", errOut)
			}
			_, errOut, code := runPS(t, c, "Set-CsPersistentChatActiveServer -Identity global -ActiveServers "+tc.arg)
			got := s.State().ActiveServers
			if tc.wantErr != "" {
				if code != 1 || !strings.Contains(decodeCLIXML(errOut), tc.wantErr) {
					t.Fatalf("exit %d stderr %s; want error %q", code, decodeCLIXML(errOut), tc.wantErr)
				}
				if !slices.Equal(got, initial) {
					t.Errorf("refused change still changed the list: %v", got)
				}
				return
			}
			if code != 0 {
				t.Fatalf("exit %d: %s", code, decodeCLIXML(errOut))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("active %v, want %v", got, tc.want)
			}
		})
	}
}

// decodeCLIXML turns the CLIXML error stream back into text for assertions.
func decodeCLIXML(s string) string {
	r := strings.NewReplacer("_x000D__x000A_", "\n", "&lt;", "<", "&gt;", ">", "&amp;", "&", "</S>", "", `<S S="Error">`, "")
	return r.Replace(s)
}

// TestRefusals checks the clear errors for input the real product refuses.
func TestRefusals(t *testing.T) {
	cases := []struct {
		name, script, want string
	}{
		{"unknown command", `Get-CsPersistentChatActiveServer`, "The term 'Get-CsPersistentChatActiveServer' is not recognized as the name of a cmdlet"},
		{"unknown parameter", `Set-CsPersistentChatState -Identity service:pchat.contoso.test -State Normal`, "A parameter cannot be found that matches parameter name 'State'."},
		{"bad enum", `Set-CsPersistentChatState -Identity service:pchat.contoso.test -PoolState Failover`, "Specify one of the following enumerator names and try again:\nNormal, FailedOver"},
		{"unknown pool state identity", `Set-CsPersistentChatState -Identity "service:other.contoso.test" -PoolState Normal`, `Cannot find Persistent Chat pool "other.contoso.test"`},
		{"unknown pool active identity", `Set-CsPersistentChatActiveServer -Identity "service:PersistentChatServer:other.contoso.test" -ActiveServers $null`, `Cannot find Persistent Chat pool "other.contoso.test"`},
		{"invalid state identity", `Set-CsPersistentChatState -Identity global -PoolState Normal`, `"global" is not a valid Persistent Chat service identity`},
		{"invalid active identity", `Set-CsPersistentChatActiveServer -Identity "site:Redmond" -ActiveServers $null`, `"site:Redmond" is not a valid identity`},
		{"missing active servers", `Set-CsPersistentChatActiveServer -Identity global`, "missing mandatory parameters: ActiveServers."},
		{"both parameter sets", `Set-CsPersistentChatActiveServer -ActiveServers $null -Swap`, "Parameter set cannot be resolved using the specified named parameters."},
		{"swap to five active", `Set-CsPersistentChatActiveServer -Swap`, "6 servers would be active"},
		{"confirm prompt", `Set-CsPersistentChatState -Identity service:pchat.contoso.test -PoolState FailedOver -Confirm`, "NonInteractive mode"},
		{"mirror on unknown server", `Install-CsMirrorDatabase -DatabaseType PersistentChat -FileShare \\f\s -SqlServerFqdn nobody.contoso.test`, `SQL Server "nobody.contoso.test" does not host`},
		{"mirror bad share", `Install-CsMirrorDatabase -DatabaseType PersistentChat -FileShare C:\share -SqlServerFqdn sqlbak.dc2.contoso.test`, "is not a UNC path"},
		{"failover without mirror", `Set-CsPersistentChatState -Identity service:pchat.contoso.test -PoolState FailedOver; Invoke-CsDatabaseFailover -PoolFqdn pchat.contoso.test -DatabaseType PersistentChat -NewPrincipal Mirror`, "no mirror is configured"},
		{"unknown module", `Import-Module Lync2010`, "The specified module 'Lync2010' was not loaded"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, nil)
			before := s.State()
			_, errOut, code := runPS(t, client(t, s, testPass), "$ErrorActionPreference = 'Stop'; "+tc.script)
			text := decodeCLIXML(errOut)
			if code != 1 || !strings.HasPrefix(errOut, "#< CLIXML\r\n") || !strings.Contains(text, tc.want) {
				t.Fatalf("exit %d stderr:\n%s\nwant %q", code, text, tc.want)
			}
			after := s.State()
			if tc.name != "failover without mirror" && (after.PoolState != before.PoolState || !slices.Equal(after.ActiveServers, before.ActiveServers)) {
				t.Errorf("refused command changed state: %+v -> %+v", before, after)
			}
		})
	}
}

// TestProductModule: a Front End has its product's module only (Lync
// Server 2013: Lync; Skype for Business Server 2015: SkypeForBusiness), so
// importing the other fails with PowerShell's own error and nothing runs.
func TestProductModule(t *testing.T) {
	for _, tc := range []struct{ product, has, lacks string }{
		{pool.ProductLync2013, "Lync", "SkypeForBusiness"},
		{pool.ProductSkype2015, "SkypeForBusiness", "Lync"},
		{"", "SkypeForBusiness", "Lync"},
	} {
		t.Run(tc.product, func(t *testing.T) {
			s := startServer(t, func(o *Options) { o.Pool.Product = tc.product })
			c := client(t, s, testPass)
			change := "; Set-CsPersistentChatState -Identity service:pchat.contoso.test -PoolState FailedOver"
			if _, errOut, code := runPS(t, c, "$ErrorActionPreference = 'Stop'; Import-Module "+tc.lacks+change); code != 1 ||
				!strings.Contains(decodeCLIXML(errOut), "Import-Module : The specified module '"+tc.lacks+"' was not loaded because no valid module file was found in any module directory.") ||
				!strings.Contains(decodeCLIXML(errOut), "FullyQualifiedErrorId : Modules_ModuleNotFound,Microsoft.PowerShell.Commands.ImportModuleCommand") {
				t.Fatalf("Import-Module %s on %q: exit %d\n%s", tc.lacks, tc.product, code, decodeCLIXML(errOut))
			}
			if st := s.State(); st.PoolState != pool.Normal {
				t.Fatalf("the script went on after the failed import: pool state %s", st.PoolState)
			}
			if _, errOut, code := runPS(t, c, "$ErrorActionPreference = 'Stop'; Import-Module "+tc.has+change); code != 0 {
				t.Fatalf("Import-Module %s on %q: exit %d\n%s", tc.has, tc.product, code, decodeCLIXML(errOut))
			}
			if st := s.State(); st.PoolState != pool.FailedOver {
				t.Fatalf("pool state %s after the script, want FailedOver", st.PoolState)
			}
		})
	}
	if err := (pool.Config{PoolFQDN: "p.contoso.test", Servers: []pool.Server{{FQDN: "a.contoso.test"}}, Product: "lync2010"}).Validate(); err == nil {
		t.Fatal("an unknown product was accepted")
	}
}

func TestCommandLineForms(t *testing.T) {
	s := startServer(t, nil)
	c := client(t, s, testPass)
	out, errOut, code, err := c.RunWithString(`powershell -NoProfile -Command "Get-CsPersistentChatState -Identity 'service:pchat.contoso.test' | Select-Object -ExpandProperty PoolState"`, "")
	if err != nil || code != 0 || errOut != "" || strings.TrimSpace(out) != "Normal" {
		t.Fatalf("-Command: out %q err %q code %d %v", out, errOut, code, err)
	}
	_, errOut, code, _ = c.RunWithString(`powershell -Command "Get-Nope"`, "")
	if code != 1 || strings.HasPrefix(errOut, "#< CLIXML") || !strings.Contains(errOut, "Get-Nope : The term 'Get-Nope' is not recognized") {
		t.Fatalf("-Command error must be plain text: %q (exit %d)", errOut, code)
	}
	_, errOut, code, _ = c.RunWithString(`ipconfig /all`, "")
	if code != 1 || !strings.Contains(errOut, "'ipconfig' is not recognized as an internal or external command") {
		t.Fatalf("non-powershell: %q (exit %d)", errOut, code)
	}
}

func TestPoolStateSetRequiresKnownValues(t *testing.T) {
	if err := (&pool.Pool{}).SetPoolState("Broken", false); err == nil {
		t.Fatal("invalid state accepted")
	}
}
