package lync

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pchatdr/harness/failback/topology"
)

const prelude = "$ProgressPreference = 'SilentlyContinue'; $ErrorActionPreference = 'Stop'; Import-Module SkypeForBusiness; "

func TestCommandsGolden(t *testing.T) {
	build := func(s string, err error) string {
		if err != nil {
			return "ERR: " + err.Error()
		}
		return s
	}
	cases := []struct{ name, got, want string }{
		{"clear", build(ClearActiveServersCommand("global")),
			"Set-CsPersistentChatActiveServer -Identity 'global' -ActiveServers $null -Confirm:$false"},
		{"set", build(SetActiveServersCommand("global", []string{"pc1.contoso.com", "pc2.contoso.com"})),
			"Set-CsPersistentChatActiveServer -Identity 'global' -ActiveServers @{Replace=@('pc1.contoso.com','pc2.contoso.com')} -Confirm:$false"},
		{"pool state", build(SetPoolStateCommand("service: lyncpc.dci.discovery.com", PoolNormal)),
			"Set-CsPersistentChatState -Identity 'service: lyncpc.dci.discovery.com' -PoolState 'Normal' -Confirm:$false"},
		{"read servers", build(ReadPoolServersPipeline("pchat.contoso.com")),
			"Get-CsService -PersistentChatServer | Where-Object { $_.PoolFqdn -eq 'pchat.contoso.com' } | Select-Object Identity,PoolFqdn,ActiveServers,InactiveServers | ConvertTo-Json -Compress"},
		{"read state", build(ReadPoolStatePipeline("PersistentChatServer:pchat.contoso.com")),
			"Get-CsPersistentChatState -Identity 'PersistentChatServer:pchat.contoso.com' | ConvertTo-Json -Compress"},
		{"mirror", build(InstallMirrorDatabaseCommand(MirrorInstall{DatabaseType: DatabasePersistentChat, SqlServerFqdn: "sql2.contoso.com",
			SqlInstanceName: "pchat", FileShare: `\\fs\ls'share`, DropExisting: true})),
			`Install-CsMirrorDatabase -DatabaseType 'PersistentChat' -SqlServerFqdn 'sql2.contoso.com' -SqlInstanceName 'pchat' -FileShare '\\fs\ls''share' -DropExistingDatabasesOnMirror -Confirm:$false`},
		{"failover", build(InvokeDatabaseFailoverCommand(DatabaseFailover{DatabaseType: DatabasePersistentChat, PoolFqdn: "pchat.contoso.com", NewPrincipal: PrincipalMirror, Force: true})),
			"Invoke-CsDatabaseFailover -PoolFqdn 'pchat.contoso.com' -DatabaseType 'PersistentChat' -NewPrincipal 'Mirror' -Force -Confirm:$false"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s:\n got  %s\n want %s", c.name, c.got, c.want)
		}
	}
}

func TestCommandsReject(t *testing.T) {
	errs := map[string]error{}
	_, errs["empty identity"] = ClearActiveServersCommand("  ")
	_, errs["no servers"] = SetActiveServersCommand("global", nil)
	_, errs["five servers"] = SetActiveServersCommand("global", []string{"a.x", "b.x", "c.x", "d.x", "e.x"})
	_, errs["duplicate"] = SetActiveServersCommand("global", []string{"a.x", "A.x"})
	_, errs["bad fqdn"] = SetActiveServersCommand("global", []string{"a.x'; Stop-Computer; '"})
	_, errs["bad state"] = SetPoolStateCommand("p", "Broken")
	_, errs["bad pool fqdn"] = ReadPoolServersPipeline("pool fqdn")
	_, errs["bad db type"] = InstallMirrorDatabaseCommand(MirrorInstall{DatabaseType: "User", SqlServerFqdn: "a.b", FileShare: `\\s\x`})
	_, errs["no unc"] = InstallMirrorDatabaseCommand(MirrorInstall{DatabaseType: DatabasePersistentChat, SqlServerFqdn: "a.b", FileShare: `C:\x`})
	_, errs["bad principal"] = InvokeDatabaseFailoverCommand(DatabaseFailover{DatabaseType: DatabasePersistentChat, PoolFqdn: "a.b", NewPrincipal: "Backup"})
	for name, err := range errs {
		if !errors.Is(err, ErrBadScript) {
			t.Errorf("%s: err = %v, want ErrBadScript", name, err)
		}
	}
}

func TestClientRunsScriptAndObserves(t *testing.T) {
	r := NewScriptedRunner(Reply{})
	var seen []Invocation
	c := &Client{Runner: r, Observer: func(i Invocation) { seen = append(seen, i) }}
	s, err := c.ClearActiveServers(context.Background(), "global")
	if err != nil {
		t.Fatal(err)
	}
	want := prelude + "Set-CsPersistentChatActiveServer -Identity 'global' -ActiveServers $null -Confirm:$false"
	if s != want {
		t.Errorf("script %q\nwant   %q", s, want)
	}
	if got := r.Scripts(); len(got) != 1 || got[0] != want {
		t.Errorf("runner saw %q", got)
	}
	if len(seen) != 1 || seen[0].Script != want || seen[0].Op != "clear active servers" || seen[0].Err != nil {
		t.Errorf("observer saw %+v", seen)
	}
}

func TestClientLyncModule(t *testing.T) {
	r := NewScriptedRunner()
	c := &Client{Runner: r, Module: ModuleLync}
	if _, err := c.SetPoolState(context.Background(), "PersistentChatServer:p.x", PoolFailedOver); err != nil {
		t.Fatal(err)
	}
	if got := r.Scripts()[0]; !strings.Contains(got, "; Import-Module Lync; Set-CsPersistentChatState") {
		t.Errorf("script %q", got)
	}
	bad := &Client{Runner: r, Module: "Lync; Stop-Computer"}
	if _, err := bad.SetPoolState(context.Background(), "p", PoolNormal); !errors.Is(err, ErrBadScript) {
		t.Errorf("bad module: %v", err)
	}
}

func TestClientDecodesCmdletFailure(t *testing.T) {
	r := NewScriptedRunner(Reply{Output: Output{ExitCode: 1, Stderr: clixmlSetActiveFail}})
	var inv Invocation
	c := &Client{Runner: r, Observer: func(i Invocation) { inv = i }}
	_, err := c.SetActiveServers(context.Background(), "global", []string{"pc9.contoso.com"})
	var ce *CmdletError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want *CmdletError", err)
	}
	if ce.Command != "Set-CsPersistentChatActiveServer" || ce.ExitCode != 1 || !strings.Contains(ce.Message, "pc9.contoso.com") {
		t.Errorf("cmdlet error = %+v", ce)
	}
	if IsTransient(err) {
		t.Error("cmdlet error classified transient")
	}
	if inv.Err == nil || inv.Output.ExitCode != 1 {
		t.Errorf("observer got %+v", inv)
	}
}

func TestClientTransportErrorKeepsType(t *testing.T) {
	r := NewScriptedRunner(Reply{Err: &HTTPStatusError{StatusCode: 503}})
	c := &Client{Runner: r}
	_, err := c.ClearActiveServers(context.Background(), "global")
	if !IsTransient(err) {
		t.Errorf("503 through client: transient = false (%v)", err)
	}
}

func TestClientReadBack(t *testing.T) {
	r := NewScriptedRunner(
		Reply{Output: Output{Stdout: `{"Identity":"PersistentChatServer:pchat.contoso.com","PoolFqdn":"pchat.contoso.com","ActiveServers":["pc1.contoso.com","pc2.contoso.com"],"InactiveServers":[]}` + "\r\n"}},
		Reply{Output: Output{Stdout: `{"Identity":"PersistentChatServer:pchat.contoso.com","PoolState":1}`}},
		Reply{Output: Output{Stdout: ""}},
	)
	c := &Client{Runner: r, Now: func() time.Time { return time.Unix(0, 0) }}
	act, s, err := c.ReadActiveServers(context.Background(), "pchat.contoso.com")
	if err != nil || strings.Join(act, ",") != "pc1.contoso.com,pc2.contoso.com" || !strings.HasSuffix(s, "ConvertTo-Json -Compress") {
		t.Errorf("active = %v, %q, %v", act, s, err)
	}
	st, _, err := c.ReadPoolState(context.Background(), "PersistentChatServer:pchat.contoso.com")
	if err != nil || st != PoolFailedOver {
		t.Errorf("state = %q, %v", st, err)
	}
	_, _, err = c.ReadPoolState(context.Background(), "PersistentChatServer:other.contoso.com")
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("empty output: %v, want ErrNotFound", err)
	}
}

// TestModuleFor: each product's scripts import its own module, and a
// topology without pool.product gets the default product's.
func TestModuleFor(t *testing.T) {
	for p, want := range map[topology.Product]Module{
		topology.ProductLync2013: ModuleLync, topology.ProductSkype2015: ModuleSkypeForBusiness, "": ModuleSkypeForBusiness,
	} {
		if got := ModuleFor(p); got != want {
			t.Errorf("ModuleFor(%q) = %q, want %q", p, got, want)
		}
		s, err := Prelude(ModuleFor(p))
		if err != nil || !strings.HasSuffix(s, "; Import-Module "+string(want)) {
			t.Errorf("Prelude(ModuleFor(%q)) = %q, %v", p, s, err)
		}
	}
}
