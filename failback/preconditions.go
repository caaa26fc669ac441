package failback

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/pchatdr/harness/failback/lync"
	"github.com/pchatdr/harness/failback/sqlserver"
	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/sqlerr"
)

// Precondition names (journal and failback_precondition_failures_total
// labels).
const (
	PreNameDataCenterBack  = "primary-data-center-back"
	PreNameBackupReachable = "backup-data-center-reachable"
	PreNameDatabases       = "primary-databases-rebuilt"
	PreNameNoNewServers    = "no-new-servers"
	PreNameAgentAccount    = "secondary-agent-account"
	PreNamePlacement       = "active-server-placement"
	PreNameFailedOver      = "pool-failed-over"
	PreNameShare           = "share-reachable"
	PreNamePrimaryNewer    = "primary-not-newer"
	// Issue 12, defect 5: what the old engine only found out mid-outage.
	PreNamePrimaryNotMirrored = "primary-not-mirrored"
	PreNameFullRecovery       = "full-recovery"
	PreNameAgentsRunning      = "agents-running"
	PreNamePrimaryDiskSpace   = "primary-disk-space"
	PreNameActiveListReadable = "active-list-readable"
)

// FailbackPreconditions are the procedure's stated assumptions (reference
// §4) as read-only checks, in the order the issue lists them.
func FailbackPreconditions() []Precondition {
	return []Precondition{
		{Name: PreNameDataCenterBack, Title: "the primary data center is back: primary SQL instance and management endpoint answer", Run: preDataCenterBack},
		{Name: PreNameBackupReachable, Title: "the backup data center is reachable: the backup SQL instance (and its mgccomp instance) answers", Run: preBackupReachable},
		{Name: PreNameDatabases, Title: "mgc and mgccomp exist on the primary instance and are ONLINE", Run: preDatabases},
		{Name: PreNameNoNewServers, Title: "no new mirror or backup servers were deployed during failover", Run: preNoNewServers},
		{Name: PreNameAgentAccount, Title: "SQL Server Agent on the backup instance runs under a privileged account", Run: preAgentAccount},
		{Name: PreNamePlacement, Title: "the wanted active servers are placed next to (or well connected to) the primary database", Run: prePlacement},
		{Name: PreNameFailedOver, Title: "the pool is FailedOver and the backup mgc is ONLINE and writable", Run: preFailedOver},
		{Name: PreNameShare, Title: "the share is reachable from the backup and primary instances, with room for the backup", Run: preShare},
		{Name: PreNamePrimaryNewer, Title: "the primary mgc holds no data newer than the backup mgc", Run: prePrimaryNotNewer,
			Overridden: func(o Options, _ PreconditionResult) bool { return o.AllowReplaceNewerPrimary }},
		{Name: PreNamePrimaryNotMirrored, Title: "the rebuilt primary mgc and mgccomp are not mirrored (RESTORE refuses a mirrored database: 3104)", Run: prePrimaryNotMirrored},
		{Name: PreNameFullRecovery, Title: "mgc and mgccomp use the FULL recovery model on both sides (log shipping and mirroring need it)", Run: preFullRecovery},
		{Name: PreNameAgentsRunning, Title: "SQL Server Agent runs on the primary and the backup instances (log-shipping jobs)", Run: preAgentsRunning},
		{Name: PreNamePrimaryDiskSpace, Title: "the primary's volumes hold the restored mgc's data and log files at their full size", Run: prePrimaryDiskSpace},
		{Name: PreNameActiveListReadable, Title: "the pool's active server list can be read back (steps 1 and 6 verify through it)", Run: preActiveListReadable},
		{Name: PreNameLoginSysadmin, Title: "the engine's login is a member of sysadmin on every instance the failback works on (login.go)", Run: preLoginSysadmin},
	}
}

func fail(format string, args ...any) PreconditionResult {
	return PreconditionResult{Message: fmt.Sprintf(format, args...)}
}

// failErr is a failure caused by a read error: the runner runs the check
// again while err is transient.
func failErr(err error, format string, args ...any) PreconditionResult {
	r := fail(format, args...)
	r.Err = err
	return r
}

func pass(format string, args ...any) PreconditionResult {
	return PreconditionResult{OK: true, Message: fmt.Sprintf(format, args...)}
}

func preDataCenterBack(ctx context.Context, e *Env) PreconditionResult {
	name, err := e.Primary.ServerName(ctx)
	if err != nil {
		return failErr(err, "the primary SQL instance %s does not answer (%v): bring the primary data center back and check the instance's address and login in the topology", e.Primary.Instance(), err)
	}
	st, err := e.Pool.PoolState(ctx)
	if err != nil {
		return failErr(err, "the management endpoint %s does not answer Get-CsPersistentChatState (%v): check WinRM on the Front End and management.url/user in the topology", e.Topo.Management.URL, err)
	}
	return pass("primary instance answers as %s; management endpoint answers (pool state %s)", name, st)
}

// backupNeeded is why the failback cannot go on without the backup
// instance.
const backupNeeded = "the failback needs the backup instance to remove mirroring and take the full backup of mgc that it restores over the primary; " +
	"restore the link to the backup data center (or start its SQL Server), check the instance's address in the topology, and run again"

func preBackupReachable(ctx context.Context, e *Env) PreconditionResult {
	var names []string
	seen := map[string]bool{}
	for _, s := range []SQL{e.Backup, e.BackupComp} {
		if s == nil || seen[s.Instance()] {
			continue
		}
		seen[s.Instance()] = true
		name, err := s.ServerName(ctx)
		if err != nil {
			return failErr(err, "the backup instance %s does not answer (%v): %s", s.Instance(), err, backupNeeded)
		}
		names = append(names, s.Instance()+" answers as "+name)
	}
	return pass("%s", strings.Join(names, "; "))
}

func preDatabases(ctx context.Context, e *Env) PreconditionResult {
	var bad, good []string
	var readErr error
	for _, p := range e.pairs(true) {
		st, err := p.sql.DatabaseState(ctx, p.db)
		if err != nil {
			bad = append(bad, fmt.Sprintf("%s on %s: %v", p.db, p.sql.Instance(), err))
			if readErr == nil && !errors.Is(err, ErrNoDatabase) {
				readErr = err
			}
			continue
		}
		if st.State != "ONLINE" {
			bad = append(bad, fmt.Sprintf("%s on %s is %s", p.db, p.sql.Instance(), st.State))
			continue
		}
		good = append(good, p.db+" ONLINE on "+p.sql.Instance())
	}
	if len(bad) > 0 {
		return failErr(readErr, "%s: rebuild the Persistent Chat databases on the primary with Topology Builder (Install-CsDatabase) before failing back", strings.Join(bad, "; "))
	}
	return pass("%s", strings.Join(good, "; "))
}

// partnerHost takes the host out of TCP://host:port.
func partnerHost(p string) string {
	p = strings.TrimPrefix(strings.TrimPrefix(p, "TCP://"), "tcp://")
	h, _, _ := strings.Cut(p, ":")
	return h
}

func preNoNewServers(ctx context.Context, e *Env) PreconditionResult {
	t := e.Topo
	mirror, hasMirror := t.InstanceByRole(topology.RoleBackupMirror)
	primary, _ := t.InstanceByRole(topology.RolePrimary)
	var bad []string
	for _, p := range e.pairs(false) {
		m, err := p.sql.Mirroring(ctx, p.db)
		if err != nil {
			return failErr(err, "cannot read mirroring of %s on %s: %v", p.db, p.sql.Instance(), err)
		}
		if !m.Mirrored {
			continue
		}
		role := topology.RoleBackupMirror
		in := mirror
		if p.db == DBCompliance {
			if ci, ok := t.ComplianceInstance(topology.RoleBackupMirror); ok {
				in, role = ci, ci.Role
			}
		}
		h := partnerHost(m.Partner)
		if !hasMirror || in == nil || !(strings.EqualFold(h, in.Host) || strings.EqualFold(h, shortHost(in.Host))) {
			bad = append(bad, fmt.Sprintf("%s on %s is mirrored with %s, which is not the topology's %s instance", p.db, p.sql.Instance(), m.Partner, role))
		}
	}
	pname, err := e.Primary.ServerName(ctx)
	if err != nil && IsTransient(err) {
		return failErr(err, "cannot read the primary instance's name to compare it with the backup's log-shipping tables: %v", err)
	}
	bc, err := e.Backup.LogShipping(ctx)
	if err != nil {
		return failErr(err, "cannot read the log-shipping tables on %s: %v", e.Backup.Instance(), err)
	}
	for _, p := range bc.Primaries {
		for _, s := range p.Secondaries {
			bad = append(bad, fmt.Sprintf("%s on %s ships its log to %s.%s, a server the topology does not know", p.Database, e.Backup.Instance(), s.Server, s.Database))
		}
	}
	for _, s := range bc.Secondaries {
		if !sameServer(s.PrimaryServer, primary, pname) {
			bad = append(bad, fmt.Sprintf("%s on %s is a log-shipping secondary of %s, which is not the topology's primary instance", s.PrimaryDatabase, e.Backup.Instance(), s.PrimaryServer))
		}
	}
	var warnings []string
	ps, err := e.Pool.PoolServers(ctx)
	switch {
	case err != nil && IsTransient(err):
		return failErr(err, "cannot read the pool's servers (Get-CsService -PersistentChatServer): %v", err)
	case err != nil:
		// A read-back that fails for good is active-list-readable's
		// refusal; this check says what it could not compare.
		warnings = append(warnings, fmt.Sprintf("pool servers not compared with the topology: %v", err))
	}
	for _, s := range append(append([]string{}, ps.ActiveServers...), ps.InactiveServers...) {
		if _, ok := t.Server(s); !ok {
			bad = append(bad, fmt.Sprintf("pool server %s is not in the topology", s))
		}
	}
	if len(bad) > 0 {
		return fail("%s: the documented failback assumes only the backup server and its mirror were deployed during failover; update the topology file or remove the extra servers first", strings.Join(bad, "; "))
	}
	r := pass("backup mirroring partners, log-shipping tables and pool servers match the topology")
	r.Warnings = warnings
	return r
}

// lowPrivilegeAccounts are built-in accounts that cannot be granted rights
// on a remote share by name.
func lowPrivilege(acct string) bool {
	a := strings.ToUpper(strings.TrimSpace(acct))
	switch {
	case a == "", a == "LOCALSYSTEM", a == "NT AUTHORITY\\SYSTEM", a == "NT AUTHORITY\\NETWORK SERVICE",
		a == "NT AUTHORITY\\NETWORKSERVICE", a == "NT AUTHORITY\\LOCAL SERVICE", a == "NT AUTHORITY\\LOCALSERVICE",
		strings.HasPrefix(a, "NT SERVICE\\"), strings.HasPrefix(a, ".\\LOCAL"):
		return true
	}
	return false
}

func preAgentAccount(ctx context.Context, e *Env) PreconditionResult {
	svcs, err := e.Backup.ServiceAccounts(ctx)
	if err != nil {
		return failErr(err, "cannot read sys.dm_server_services on %s (%v): the login needs VIEW SERVER STATE", e.Backup.Instance(), err)
	}
	var agent *Service
	for i := range svcs {
		if strings.Contains(strings.ToLower(svcs[i].Name), "agent") {
			agent = &svcs[i]
			break
		}
	}
	if agent == nil {
		return fail("no SQL Server Agent service on %s: log shipping needs the Agent on the secondary", e.Backup.Instance())
	}
	// Whether it runs is agents-running's question; this one is about
	// the account it runs as.
	if lowPrivilege(agent.Account) {
		return fail("SQL Server Agent on %s runs as %s, a built-in low-privilege account: run it under a domain account with read on %s and write on %s",
			e.Backup.Instance(), agent.Account, e.Topo.Share.UNC, e.Topo.LogShipping.CopyDirectory)
	}
	readers := e.Topo.Share.Readers
	if len(readers) > 0 && !slicesContainFold(readers, agent.Account) {
		return fail("SQL Server Agent on %s runs as %s, which is not among share.readers (%s): grant it read on %s",
			e.Backup.Instance(), agent.Account, strings.Join(readers, ", "), e.Topo.Share.UNC)
	}
	fi, err := e.Backup.FileExists(ctx, e.Topo.LogShipping.CopyDirectory)
	if err != nil {
		return failErr(err, "cannot check the copy directory %s on %s: %v", e.Topo.LogShipping.CopyDirectory, e.Backup.Instance(), err)
	}
	if !fi.IsDirectory {
		return fail("the copy directory %s does not exist on %s: create it and give %s write access", e.Topo.LogShipping.CopyDirectory, e.Backup.Instance(), agent.Account)
	}
	res := pass("SQL Server Agent on %s runs as %s; copy directory %s exists", e.Backup.Instance(), agent.Account, e.Topo.LogShipping.CopyDirectory)
	if in, ok := e.Topo.InstanceByRole(topology.RoleBackup); ok && in.AgentAccount != "" && !strings.EqualFold(in.AgentAccount, agent.Account) {
		res.Warnings = append(res.Warnings, fmt.Sprintf("the topology names agent account %s, the instance reports %s", in.AgentAccount, agent.Account))
	}
	return res
}

func slicesContainFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func prePlacement(ctx context.Context, e *Env) PreconditionResult {
	t := e.Topo
	primary, ok := t.InstanceByRole(topology.RolePrimary)
	if !ok {
		return fail("the topology has no primary instance")
	}
	want := t.Pool.ActiveServers
	if len(want) == 0 {
		return fail("pool.activeServers is empty: name the servers to make active after failback")
	}
	if len(want) > lync.MaxActiveServers {
		return fail("pool.activeServers lists %d servers, the pool allows at most %d", len(want), lync.MaxActiveServers)
	}
	var bad []string
	for _, s := range want {
		if p := t.PlacementProblem(s, primary.DataCenter); p != "" {
			bad = append(bad, p)
		}
	}
	if len(bad) > 0 {
		return fail("%s: choose active servers in %s or behind a link within placement (%g ms, %g Mbit/s)",
			strings.Join(bad, "; "), primary.DataCenter, t.Placement.MaxRTTMs, t.Placement.MinBandwidthMbps)
	}
	return pass("%s placed for the primary database in %s", strings.Join(want, ", "), primary.DataCenter)
}

func preFailedOver(ctx context.Context, e *Env) PreconditionResult {
	st, err := e.Pool.PoolState(ctx)
	if err != nil {
		return failErr(err, "cannot read the pool state: %v", err)
	}
	if st != lync.PoolFailedOver {
		return fail("the pool state is %s, not FailedOver: there is nothing to fail back (if a failback was interrupted, use resume with its journal)", st)
	}
	ds, err := e.Backup.DatabaseState(ctx, DBContent)
	if err != nil {
		return failErr(err, "cannot read the backup mgc on %s: %v", e.Backup.Instance(), err)
	}
	if ds.State != "ONLINE" || ds.ReadOnly || ds.Standby {
		return fail("the backup mgc on %s is %s (read-only %t, standby %t): the failover did not complete (RESTORE DATABASE mgc WITH RECOVERY on the backup)", e.Backup.Instance(), ds.State, ds.ReadOnly, ds.Standby)
	}
	m, err := e.Backup.Mirroring(ctx, DBContent)
	if err != nil {
		return failErr(err, "cannot read mirroring of the backup mgc: %v", err)
	}
	if m.Mirrored && strings.EqualFold(m.Role, "MIRROR") {
		return fail("the backup mgc on %s is the MIRROR of %s: fail the mirror session over to the backup instance first", e.Backup.Instance(), m.Partner)
	}
	return pass("pool is FailedOver; backup mgc ONLINE and writable on %s", e.Backup.Instance())
}

func preShare(ctx context.Context, e *Env) PreconditionResult {
	unc := e.Topo.Share.UNC
	var bad []string
	var readErr error
	for _, s := range []SQL{e.Backup, e.Primary} {
		fi, err := s.FileExists(ctx, unc)
		if err != nil {
			bad = append(bad, fmt.Sprintf("%s cannot check %s: %v", s.Instance(), unc, err))
			if readErr == nil {
				readErr = err
			}
			continue
		}
		if !fi.IsDirectory {
			bad = append(bad, fmt.Sprintf("%s does not see %s as a directory (SQL Server service account needs read/write on the share)", s.Instance(), unc))
		}
	}
	if len(bad) > 0 {
		return failErr(readErr, "%s", strings.Join(bad, "; "))
	}
	// xp_fileexist sees a folder the service account may only read: step 3
	// (the backup instance) and step 5 (the primary) write there, so each
	// writes and deletes a probe backup.
	var warnings []string
	for _, s := range []SQL{e.Backup, e.Primary} {
		if err := s.ProbeWrite(ctx, e.probePath(s.Instance())); err != nil {
			if sqlserver.HasNumber(err, sqlerr.PermissionDenied) {
				// The login may not BACKUP (262): what the service
				// account may write is unknown, and login-sysadmin
				// refuses the run for the login.
				warnings = append(warnings, fmt.Sprintf("the share probe from %s was refused to the login (%v): not checked", s.Instance(), err))
				continue
			}
			if IsTransient(err) && readErr == nil {
				readErr = err
			}
			bad = append(bad, fmt.Sprintf("the SQL Server service account of %s cannot write a file on %s (%v)", s.Instance(), unc, err))
		}
	}
	if len(bad) > 0 {
		return failErr(readErr, "%s: grant the service accounts write access and free space on the share", strings.Join(bad, "; "))
	}
	need, err := e.Backup.DatabaseSize(ctx, DBContent)
	if err != nil {
		return failErr(err, "cannot read the size of the backup mgc: %v", err)
	}
	if min := e.Topo.Share.MinFreeBytes; min > need {
		need = min
	}
	free, known, err := e.Backup.FreeBytes(ctx, unc)
	if err != nil {
		return failErr(err, "cannot read the free space of %s: %v", unc, err)
	}
	if !known {
		r := pass("%s is reachable from %s and %s", unc, e.Backup.Instance(), e.Primary.Instance())
		r.Warnings = append(warnings, fmt.Sprintf("free space on %s cannot be read through SQL Server; make sure it holds at least %d bytes (two full backups of mgc)", unc, 2*need))
		return r
	}
	// Step 3 and step 5 each write a full backup of mgc.
	if free < 2*need {
		return fail("%s has %d bytes free, the failback writes two full backups of about %d bytes each: free space on the share", unc, free, need)
	}
	r := pass("%s is reachable from %s and %s with %d bytes free (need %d)", unc, e.Backup.Instance(), e.Primary.Instance(), free, 2*need)
	r.Warnings = warnings
	return r
}

func prePrimaryNotNewer(ctx context.Context, e *Env) PreconditionResult {
	// Row counts from sys.partitions: the check must not read a 200 GB
	// mgc (issue 12, defect 6).
	prim, err := e.Primary.RowCounts(ctx, DBContent)
	if err != nil {
		return failErr(err, "cannot read the primary mgc's tables: %v", err)
	}
	back, err := e.Backup.RowCounts(ctx, DBContent)
	if err != nil {
		return failErr(err, "cannot read the backup mgc's tables: %v", err)
	}
	b := map[string]TableRows{}
	for _, t := range back {
		b[t.Schema+"."+t.Table] = t
	}
	var newer []string
	for _, t := range prim {
		k := t.Schema + "." + t.Table
		x, ok := b[k]
		switch {
		case t.Rows == 0:
		case !ok:
			newer = append(newer, fmt.Sprintf("%s has %d rows and does not exist in the backup mgc", k, t.Rows))
		case t.Rows > x.Rows:
			newer = append(newer, fmt.Sprintf("%s has %d rows, the backup mgc %d", k, t.Rows, x.Rows))
		}
	}
	if len(newer) > 0 {
		return fail("the primary mgc holds data the backup mgc does not (%s); RESTORE WITH REPLACE would destroy it: back it up or export it first, then rerun with --allow-replace-newer-primary",
			strings.Join(newer, "; "))
	}
	return pass("no primary mgc table has rows beyond the backup mgc's")
}
