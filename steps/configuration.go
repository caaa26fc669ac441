package steps

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cucumber/godog"

	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/sim/fault"
)

// registerConfiguration binds the steps about the configuration the pool
// had before the disaster (issue 12, @configuration): mirroring on the
// primary side, log shipping from the primary and from its mirror, and no
// log-shipping configuration or job left anywhere else.
func registerConfiguration(sc *godog.ScenarioContext) {
	sc.Step(`^the pool has its pre-disaster configuration$`, preDisasterConfiguration)
	sc.Step(`^the primary mgc fails over to the "primary-mirror" instance$`, func(ctx context.Context) error {
		return get(ctx).world.FailOverMirroring(ctx, topology.RolePrimary, "mgc")
	})
	sc.Step(`^the log-shipping backup job runs on the "([^"]*)" instance$`, func(ctx context.Context, role string) error {
		return get(ctx).world.BackUpLogOn(ctx, topology.Role(role))
	})
	sc.Step(`^the log-shipping copy and restore jobs run on the backup instance$`, func(ctx context.Context) error {
		return get(ctx).world.CopyAndRestoreLogs(ctx)
	})
	sc.Step(`^the backup instance restored a log backup taken by the "([^"]*)" instance$`, restoredLogFrom)
	sc.Step(`^during the failover period the backup-mirror was made a log-shipping primary of mgc, shipping to the primary instance$`, func(ctx context.Context) error {
		return get(ctx).world.ShipLogFromBackupMirror(ctx)
	})
	sc.Step(`^the "([^"]*)" instance holds log-shipping jobs "([^"]*)"$`, lsJobsOn)
	sc.Step(`^the primary's log-shipping backup job comes due between Install-CsMirrorDatabase's full and log backups of mgc$`, func(ctx context.Context) error {
		return inject(ctx, fault.LogBackupDuringMirrorInstall{Database: "mgc"})
	})
	sc.Step(`^the log-shipping backup that came due during Install-CsMirrorDatabase was passed by: its job was disabled$`, dueLogBackupPassed)
	sc.Step(`^the log-shipping backup job on the "([^"]*)" instance is enabled$`, lsBackupJobEnabled)
}

// dueLogBackupPassed checks the log-shipping backup armed for the mirror
// set-up came due and found its job disabled.
func dueLogBackupPassed(ctx context.Context) error {
	got := get(ctx).world.LogBackupsDuringMirrorSetup()
	if len(got) != 1 || !strings.Contains(got[0], "is disabled: its schedule passed") {
		return fmt.Errorf("log-shipping backups due during the mirror set-up: %q, want one whose job was disabled", got)
	}
	return nil
}

// lsBackupJobEnabled checks the topology's log-shipping backup job on the
// instance of role exists and is enabled (msdb.dbo.sysjobs).
func lsBackupJobEnabled(ctx context.Context, role string) error {
	master, _, err := db(ctx, role, "master")
	if err != nil {
		return err
	}
	job := get(ctx).world.Topology.LogShipping.BackupJob
	var enabled int
	if err := master.QueryRowContext(ctx, "SELECT enabled FROM msdb.dbo.sysjobs WHERE name = @p1", job).Scan(&enabled); err != nil {
		return fmt.Errorf("job %s on the %s instance: %w", job, role, err)
	}
	if enabled != 1 {
		return fmt.Errorf("job %s on the %s instance is disabled", job, role)
	}
	return nil
}

// lsView is what one instance's msdb says about log shipping and its
// Agent's log-shipping jobs.
type lsView struct {
	server      string
	primaries   []string // "db -> server.db" per secondary of each primary database
	secondaries []string // "server.db -> db"
	jobs        []string // Agent jobs of the log-shipping categories, or named LS*
}

func readLS(ctx context.Context, role topology.Role) (lsView, error) {
	master, _, err := db(ctx, string(role), "master")
	if err != nil {
		return lsView{}, err
	}
	var v lsView
	if err := master.QueryRowContext(ctx, "SELECT @@SERVERNAME").Scan(&v.server); err != nil {
		return v, err
	}
	collect := func(q string, into *[]string) error {
		rows, err := master.QueryContext(ctx, q)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s sql.NullString
			if err := rows.Scan(&s); err != nil {
				return err
			}
			*into = append(*into, s.String)
		}
		return rows.Err()
	}
	err = errors.Join(
		collect("SELECT p.primary_database + N' -> ' + ISNULL(s.secondary_server + N'.' + s.secondary_database, N'(no secondary)') FROM msdb.dbo.log_shipping_primary_databases AS p "+
			"LEFT JOIN msdb.dbo.log_shipping_primary_secondaries AS s ON s.primary_id = p.primary_id", &v.primaries),
		collect("SELECT s.primary_server + N'.' + s.primary_database + N' -> ' + ISNULL(d.secondary_database, N'(no database)') FROM msdb.dbo.log_shipping_secondary AS s "+
			"LEFT JOIN msdb.dbo.log_shipping_secondary_databases AS d ON d.secondary_id = s.secondary_id", &v.secondaries),
		collect("SELECT j.name FROM msdb.dbo.sysjobs AS j WHERE j.name LIKE N'LS%'", &v.jobs))
	slices.Sort(v.primaries)
	slices.Sort(v.secondaries)
	slices.Sort(v.jobs)
	return v, err
}

// preDisasterConfiguration checks the pool is as it was before the
// disaster: pool Normal with the topology's active servers; the primary
// mgc (and mgccomp) principal of a SYNCHRONIZED session with the
// primary-mirror; mgc log shipped to the backup from the primary and from
// the primary-mirror; the backup a secondary of the primary only; and no
// other log-shipping configuration or LS* job on any instance: exactly one
// LSAlert job on each of the primary, the primary-mirror and the backup.
func preDisasterConfiguration(ctx context.Context) error {
	w := get(ctx).world
	t := w.Topology
	if err := poolStateIs(ctx, "Normal"); err != nil {
		return err
	}
	if err := poolActive(ctx, strings.Join(t.Pool.ActiveServers, ", ")); err != nil {
		return err
	}
	var problems []string
	dbs := []string{"mgc"}
	if t.Compliance {
		dbs = append(dbs, "mgccomp")
	}
	for _, d := range dbs {
		m, err := w.MirroringOf(ctx, topology.RolePrimary, d)
		if err != nil {
			return err
		}
		if m.Role != "PRINCIPAL" || m.State != "SYNCHRONIZED" {
			problems = append(problems, fmt.Sprintf("%s on the primary is %q %q, want the PRINCIPAL of a SYNCHRONIZED session with the primary-mirror", d, m.Role, m.State))
		}
	}
	views := map[topology.Role]lsView{}
	for _, r := range []topology.Role{topology.RolePrimary, topology.RolePrimaryMirror, topology.RoleBackup, topology.RoleBackupMirror} {
		v, err := readLS(ctx, r)
		if err != nil {
			return fmt.Errorf("log shipping on the %s instance: %w", r, err)
		}
		views[r] = v
	}
	pri, bak := views[topology.RolePrimary].server, views[topology.RoleBackup].server
	ls := t.LogShipping
	// Each instance of the configuration is its own monitor, so each carries
	// its LSAlert_<server> job; the backup-mirror has none.
	alert := func(r topology.Role) string { return "LSAlert_" + views[r].server }
	want := map[topology.Role]lsView{
		topology.RolePrimary:       {primaries: []string{"mgc -> " + bak + ".mgc"}, jobs: sorted(ls.BackupJob, alert(topology.RolePrimary))},
		topology.RolePrimaryMirror: {primaries: []string{"mgc -> " + bak + ".mgc"}, jobs: sorted(ls.BackupJob, alert(topology.RolePrimaryMirror))},
		topology.RoleBackup:        {secondaries: []string{pri + ".mgc -> mgc"}, jobs: sorted(ls.CopyJob, ls.RestoreJob, alert(topology.RoleBackup))},
		topology.RoleBackupMirror:  {},
	}
	for _, r := range []topology.Role{topology.RolePrimary, topology.RolePrimaryMirror, topology.RoleBackup, topology.RoleBackupMirror} {
		got, exp := views[r], want[r]
		for _, c := range []struct {
			what      string
			got, want []string
		}{{"log-shipping primary databases", got.primaries, exp.primaries}, {"log-shipping secondaries", got.secondaries, exp.secondaries}, {"log-shipping jobs", got.jobs, exp.jobs}} {
			if !slices.Equal(c.got, c.want) {
				problems = append(problems, fmt.Sprintf("%s on the %s instance: %q, want %q", c.what, r, c.got, c.want))
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("not the pre-disaster configuration: %s", strings.Join(problems, "; "))
	}
	return nil
}

// lsJobsOn checks the instance of role holds exactly the log-shipping
// jobs listed (comma-separated; "LSAlert" stands for LSAlert_<its server>).
func lsJobsOn(ctx context.Context, role, list string) error {
	v, err := readLS(ctx, topology.Role(role))
	if err != nil {
		return err
	}
	var want []string
	for _, j := range strings.Split(list, ",") {
		if j = strings.TrimSpace(j); j == "LSAlert" {
			j = "LSAlert_" + v.server
		}
		want = append(want, j)
	}
	slices.Sort(want)
	if !slices.Equal(v.jobs, want) {
		return fmt.Errorf("log-shipping jobs on the %s instance: %q, want %q", role, v.jobs, want)
	}
	return nil
}

func sorted(s ...string) []string {
	slices.Sort(s)
	return s
}

// restoredLogFrom checks the backup's restore history holds a log backup
// the instance of role took (backupset.server_name is the server that
// took it).
func restoredLogFrom(ctx context.Context, role string) error {
	v, err := readLS(ctx, topology.Role(role))
	if err != nil {
		return err
	}
	master, _, err := db(ctx, "backup", "master")
	if err != nil {
		return err
	}
	var n int
	if err := master.QueryRowContext(ctx, "SELECT COUNT(*) FROM msdb.dbo.restorehistory AS h JOIN msdb.dbo.backupset AS b ON b.backup_set_id = h.backup_set_id "+
		"WHERE h.destination_database_name = N'mgc' AND h.restore_type = 'L' AND b.server_name = @p1", v.server).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("the backup instance restored no log backup taken by %s (the %s instance); what its copy and restore jobs said last:\n%s",
			v.server, role, lsHistory(ctx, master))
	}
	return nil
}

// lsHistory is the newest log-shipping history lines of an instance's
// copy and restore jobs (the files they copied, restored and skipped), for
// a failure message; "" when it cannot be read.
func lsHistory(ctx context.Context, master *sql.DB) string {
	rows, err := master.QueryContext(ctx, "SELECT TOP (40) agent_type, CONVERT(nvarchar(30), log_time_utc, 121), message FROM msdb.dbo.log_shipping_monitor_history_detail "+
		"WHERE agent_type IN (1, 2) ORDER BY log_time_utc DESC")
	if err != nil {
		return "(" + err.Error() + ")"
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var typ int
		var at, msg string
		if err := rows.Scan(&typ, &at, &msg); err != nil {
			return "(" + err.Error() + ")"
		}
		lines = append(lines, fmt.Sprintf("    %s %s: %s", at, map[int]string{1: "copy", 2: "restore"}[typ], msg))
	}
	slices.Reverse(lines)
	return strings.Join(lines, "\n")
}
