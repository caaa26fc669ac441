package securitytest

import (
	"context"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/fakes/lync/pool"
)

// Hostile names: job names and a share path full of quotes, brackets,
// semicolons and backticks go through the whole stack (topology file, CLI,
// engine, T-SQL, simulator) and come out as exactly those literal names,
// with mgc intact and no cmdlet run but the engine's own.
func TestHostileNamesStayLiteral(t *testing.T) {
	names := struct{ backup, copy, restore, share string }{
		backup:  "LSBackup_mgc'; DROP DATABASE mgc;--",
		copy:    "LSCopy_]; EXEC('DROP DATABASE mgc') --`x`",
		restore: "LSRestore_\"mgc\"; SHUTDOWN WITH NOWAIT; [x]",
		share:   `\\files.contoso.test\pchat'; DROP DATABASE mgc;--[x]` + "`",
	}
	w := preFailback(t, func(x *topology.Topology) {
		x.LogShipping.BackupJob, x.LogShipping.CopyJob, x.LogShipping.RestoreJob = names.backup, names.copy, names.restore
		x.Share.UNC = names.share
	})
	ctx := context.Background()
	dir := t.TempDir()
	top := filepath.Join(dir, "topology.yaml")
	if err := topology.WriteFile(top, w.Topology); err != nil {
		t.Fatal(err)
	}
	evs, err := w.Pool().Events(ctx)
	if err != nil {
		t.Fatal(err)
	}
	before := len(evs)
	r := runEngine(t, dir, "run", "--topology", top, "--journal", filepath.Join(dir, "j"), "--confirm", w.Topology.Pool.FQDN,
		"--session-drain-timeout", "60s", "--chat-arrival-timeout", "60s", "--job-timeout", "60s")
	if r.code != 0 {
		t.Fatalf("failback run: %s", r)
	}

	jobs := func(role topology.Role) []string {
		inst, err := w.InstanceByRole(role)
		if err != nil {
			t.Fatal(err)
		}
		db, err := w.DB(inst, "msdb")
		if err != nil {
			t.Fatal(err)
		}
		rows, err := db.QueryContext(ctx, "SELECT name FROM msdb.dbo.sysjobs")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
			out = append(out, n)
		}
		sort.Strings(out)
		return out
	}
	tests := []struct {
		role topology.Role
		want string
	}{
		{topology.RolePrimary, names.backup},
		{topology.RoleBackup, names.copy},
		{topology.RoleBackup, names.restore},
	}
	for _, tt := range tests {
		if got := jobs(tt.role); !slices.Contains(got, tt.want) {
			t.Errorf("msdb.dbo.sysjobs on the %s instance: %q, want the literal %q", tt.role, got, tt.want)
		}
	}

	// mgc is intact where it must be: online on the primary with every
	// acknowledged message, restoring (log-shipping secondary) on the backup.
	for _, c := range []struct {
		role  topology.Role
		state string
	}{{topology.RolePrimary, "ONLINE"}, {topology.RoleBackup, "RESTORING"}} {
		inst, _ := w.InstanceByRole(c.role)
		master, err := w.DB(inst, "master")
		if err != nil {
			t.Fatal(err)
		}
		var state string
		if err := master.QueryRowContext(ctx, "SELECT state_desc FROM sys.databases WHERE name = N'mgc'").Scan(&state); err != nil {
			t.Fatalf("mgc on the %s instance: %v", c.role, err)
		}
		if state != c.state {
			t.Errorf("mgc on the %s instance is %s, want %s", c.role, state, c.state)
		}
	}
	pri, _ := w.InstanceByRole(topology.RolePrimary)
	mgc, err := w.DB(pri, "mgc")
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := w.Ledger.Check(ctx, mgc, true); err != nil || !rep.OK() {
		t.Errorf("primary mgc against the ledger: %v %v", rep, err)
	}

	// Only the engine's cmdlets ran on the management endpoint, and none
	// carried a hostile name.
	engineCmdlets := map[string]bool{
		"Get-CsPersistentChatState": true, "Set-CsPersistentChatState": true,
		"Get-CsPersistentChatActiveServer": true, "Set-CsPersistentChatActiveServer": true,
		"Get-CsService": true, "Get-CsPool": true, "Import-Module": true,
		// Step 8 (the primary's mirroring restored) names the share.
		"Install-CsMirrorDatabase": true,
	}
	// The share reaches the endpoint in one place only, Install-CsMirrorDatabase's
	// -FileShare, and there as one PowerShell single-quoted literal (quotes
	// doubled); anything else of it in a command is an injection.
	shareArg := "-FileShare '" + strings.ReplaceAll(names.share, "'", "''") + "'"
	ran := map[string]int{}
	evs, err = w.Pool().Events(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs[before:] {
		if e.Kind != pool.KindCmdlet && e.Kind != pool.KindCommand {
			continue
		}
		text := strings.ReplaceAll(e.Text, shareArg, "-FileShare <the share>")
		for _, n := range []string{names.backup, names.copy, names.restore, "DROP DATABASE", "SHUTDOWN"} {
			if strings.Contains(text, n) {
				t.Errorf("a %s event carries %q: %s", e.Kind, n, e.Text)
			}
		}
		if e.Kind == pool.KindCmdlet {
			ran[e.Cmdlet]++
			if !engineCmdlets[e.Cmdlet] {
				t.Errorf("cmdlet %s ran: not one the engine sends (%s)", e.Cmdlet, e.Text)
			}
		}
	}
	if ran["Set-CsPersistentChatState"] == 0 || ran["Set-CsPersistentChatActiveServer"] == 0 {
		t.Errorf("the engine's cmdlets did not run: %v", ran)
	}
	t.Logf("cmdlets the engine ran: %v", ran)
}
