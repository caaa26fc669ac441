package failback

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/pchatdr/harness/failback/lync"
	"github.com/pchatdr/harness/failback/sqlserver"
	"github.com/pchatdr/harness/failback/topology"
)

// Precondition names of the failover plan (journal and
// failback_precondition_failures_total labels; distinct from the
// failback's so one metric series never mixes the two plans).
const (
	PreNameBackupUp          = "backup-data-center-up"
	PreNamePrimaryLost       = "primary-site-lost"
	PreNameBackupSecondary   = "backup-is-log-shipping-secondary"
	PreNamePoolNormal        = "pool-state-normal"
	PreNameFailoverPlacement = "failover-active-server-placement"
	PreNameBackupMirror      = "backup-mirror-instance"
)

// FailoverPreconditions are the failover's assumptions (reference §3: the
// secondary data center is up, the primary database and its mirror are
// down) and what the seven steps need, as read-only checks.
func FailoverPreconditions() []Precondition {
	return []Precondition{
		{Name: PreNameBackupUp, Title: "the backup data center is up: backup SQL instance and management endpoint answer", Run: preBackupUp},
		{Name: PreNamePrimaryLost, Title: "the primary mgc (and its mirror) is unreachable or not writable; --primary-site-lost accepts a primary that answers but cannot be read, only --force-with-live-primary one that is ONLINE and writable",
			Run: prePrimaryLost, Overridden: primaryLostOverridden},
		{Name: PreNameBackupSecondary, Title: "the backup mgc is a log-shipping secondary (RESTORING or STANDBY)", Run: preBackupSecondary},
		{Name: PreNamePoolNormal, Title: "the pool state is Normal", Run: prePoolNormal},
		{Name: PreNameFailoverPlacement, Title: "the failover active servers are pool servers placed next to (or well connected to) the backup database, at most 4", Run: preFailoverPlacement},
		{Name: PreNameBackupMirror, Title: "the backup-mirror instance for Install-CsMirrorDatabase is in the topology (else step 6 is skipped)", Run: preBackupMirror},
	}
}

func preBackupUp(ctx context.Context, e *Env) PreconditionResult {
	name, err := e.Backup.ServerName(ctx)
	if err != nil {
		return failErr(err, "the backup SQL instance %s does not answer (%v): the failover needs the backup data center; check the instance's address and login in the topology", e.Backup.Instance(), err)
	}
	st, err := e.Pool.PoolState(ctx)
	if err != nil {
		return failErr(err, "the management endpoint %s does not answer Get-CsPersistentChatState (%v): a failover needs a Front End that answers in the backup data center; check management.url in the topology", e.Topo.Management.URL, err)
	}
	return pass("backup instance answers as %s; management endpoint answers (pool state %s)", name, st)
}

// answered reports whether err came from a SQL Server that answered (it
// carries a SQL Server error number, e.g. 18456 login failed), as opposed
// to a connection that could not be made.
func answered(err error) bool {
	return len(sqlserver.SQLErrorNumbers(err)) > 0
}

// primaryCopy is what one primary-site instance says about its mgc.
type primaryCopy struct {
	finding  string // it answers and may serve mgc: what was found
	writable bool   // finding is a reachable, ONLINE, writable mgc
	down     string // it cannot serve a writable mgc: why
	err      error  // the read that left finding undecided
}

// writableCopy looks at one primary-site instance.
func writableCopy(ctx context.Context, s SQL, what string) primaryCopy {
	if _, err := s.ServerName(ctx); err != nil {
		if !answered(err) {
			return primaryCopy{down: fmt.Sprintf("%s %s does not answer (%v)", what, s.Instance(), err)}
		}
		return primaryCopy{finding: fmt.Sprintf("%s %s answers but cannot be read (%v)", what, s.Instance(), err), err: err}
	}
	st, err := s.DatabaseState(ctx, DBContent)
	if errors.Is(err, ErrNoDatabase) {
		return primaryCopy{down: fmt.Sprintf("%s %s answers but holds no mgc", what, s.Instance())}
	}
	if err != nil {
		return primaryCopy{finding: fmt.Sprintf("%s %s answers but its mgc cannot be read (%v)", what, s.Instance(), err), err: err}
	}
	if st.State == "ONLINE" && !st.ReadOnly {
		return primaryCopy{finding: fmt.Sprintf("%s %s answers and its mgc is ONLINE and writable", what, s.Instance()), writable: true}
	}
	return primaryCopy{down: fmt.Sprintf("%s %s answers; its mgc is %s (read-only %t)", what, s.Instance(), st.State, st.ReadOnly)}
}

// primaryLostOverridden: --primary-site-lost is the operator's decision
// that the site is lost, and it covers what the engine cannot see (an
// instance that answers but cannot be read). It does not cover a primary
// mgc the engine reached and found ONLINE and writable: chat servers that
// still reach it would write to it while others write to the recovered
// backup (split brain). That takes --force-with-live-primary as well.
func primaryLostOverridden(o Options, r PreconditionResult) bool {
	if r.Grave {
		return o.PrimarySiteLost && o.ForceWithLivePrimary
	}
	return o.PrimarySiteLost
}

// prePrimaryLost guards against split brain: recovering the backup mgc
// while the primary (or its mirror, after a mirroring failover) still
// serves a writable mgc leaves two writable copies that chat servers in
// either data center may write to, and nothing merges them afterwards.
func prePrimaryLost(ctx context.Context, e *Env) PreconditionResult {
	var alive, down []string
	var grave bool
	var readErr error
	for _, p := range []struct {
		s    SQL
		what string
	}{{e.Primary, "the primary instance"}, {e.PrimaryMirror, "the primary-mirror instance"}} {
		if p.s == nil {
			continue
		}
		c := writableCopy(ctx, p.s, p.what)
		if c.finding != "" {
			alive = append(alive, c.finding)
		}
		if c.down != "" {
			down = append(down, c.down)
		}
		grave = grave || c.writable
		if readErr == nil && c.err != nil {
			readErr = c.err
		}
	}
	switch {
	case grave:
		r := fail("%s: a failover now would leave two writable mgc copies (split brain); stop SQL Server in the primary data center or fence it from the chat servers. "+
			"--primary-site-lost does not override a reachable, writable primary mgc; --force-with-live-primary does, if you accept two writable copies",
			strings.Join(alive, "; "))
		r.Grave = true
		return r
	case len(alive) > 0:
		return failErr(readErr, "%s: a failover now could leave two writable mgc copies; stop SQL Server in the primary data center (or fence it from the chat servers), or pass --primary-site-lost if the site is lost anyway",
			strings.Join(alive, "; "))
	}
	return pass("%s", strings.Join(down, "; "))
}

func preBackupSecondary(ctx context.Context, e *Env) PreconditionResult {
	st, err := e.Backup.DatabaseState(ctx, DBContent)
	if errors.Is(err, ErrNoDatabase) {
		return fail("the backup instance %s holds no mgc: there is nothing to fail over to (set up log shipping as in reference §2.3 first)", e.Backup.Instance())
	}
	if err != nil {
		return failErr(err, "cannot read the backup mgc on %s: %v", e.Backup.Instance(), err)
	}
	if st.State != "RESTORING" && !st.Standby {
		return fail("the backup mgc on %s is %s (read-only %t), not a log-shipping secondary in RESTORING or STANDBY: it was already recovered; if a failover run was interrupted, use resume with its journal",
			e.Backup.Instance(), st.State, st.ReadOnly)
	}
	m, err := e.Backup.Mirroring(ctx, DBContent)
	if err != nil {
		return failErr(err, "cannot read mirroring of the backup mgc: %v", err)
	}
	if m.Mirrored {
		return fail("the backup mgc on %s is a mirroring %s with %s: it is not a log-shipping secondary", e.Backup.Instance(), m.Role, m.Partner)
	}
	mode := "RESTORING"
	if st.Standby {
		mode = "STANDBY"
	}
	res := pass("the backup mgc on %s is %s", e.Backup.Instance(), mode)
	if rp, ok, err := e.Backup.RedoPoint(ctx, DBContent); err == nil && ok {
		res.Message += fmt.Sprintf("; last restored %s (%s) up to LSN %s", rp.BackupSetName, rp.Device, rp.LastLSN)
	} else if err != nil {
		res.Warnings = append(res.Warnings, fmt.Sprintf("cannot read the restore history: %v", err))
		res.Err = err
	}
	cfg, err := e.Backup.LogShipping(ctx)
	if err != nil {
		res.Warnings = append(res.Warnings, fmt.Sprintf("cannot read the log-shipping tables: %v", err))
		res.Err = err
		return res
	}
	found := false
	for _, s := range cfg.Secondaries {
		if strings.EqualFold(s.Database, DBContent) {
			found = true
		}
	}
	if !found {
		res.Warnings = append(res.Warnings, "mgc has no log-shipping secondary entry any more (removed by hand?): log backups not yet copied cannot be copied by the copy job")
	}
	return res
}

func prePoolNormal(ctx context.Context, e *Env) PreconditionResult {
	st, err := e.Pool.PoolState(ctx)
	if err != nil {
		return failErr(err, "cannot read the pool state: %v", err)
	}
	if st != lync.PoolNormal {
		return fail("the pool state is %s, not Normal: the pool already uses the backup databases (if a failover was interrupted, use resume with its journal)", st)
	}
	return pass("the pool state is Normal")
}

func preFailoverPlacement(ctx context.Context, e *Env) PreconditionResult {
	t := e.Topo
	backup, ok := t.InstanceByRole(topology.RoleBackup)
	if !ok {
		return fail("the topology has no backup instance")
	}
	want := t.Pool.FailoverActiveServers
	if len(want) == 0 {
		return fail("pool.failoverActiveServers is empty: name the servers to make active while failed over")
	}
	if len(want) > lync.MaxActiveServers {
		return fail("pool.failoverActiveServers lists %d servers, the pool allows at most %d", len(want), lync.MaxActiveServers)
	}
	var bad []string
	for _, s := range want {
		if p := t.PlacementProblem(s, backup.DataCenter); p != "" {
			bad = append(bad, p)
		}
	}
	res := pass("%s placed for the backup database in %s", strings.Join(want, ", "), backup.DataCenter)
	ps, err := e.Pool.PoolServers(ctx)
	if err != nil {
		res.Warnings = append(res.Warnings, fmt.Sprintf("cannot read the pool's servers to confirm membership: %v", err))
		res.Err = err
	} else {
		all := append(append([]string{}, ps.ActiveServers...), ps.InactiveServers...)
		for _, s := range want {
			if !slicesContainFold(all, s) {
				bad = append(bad, fmt.Sprintf("%s is not a server of the running pool %s", s, t.Pool.FQDN))
			}
		}
	}
	if len(bad) > 0 {
		return fail("%s: choose active servers in %s or behind a link within placement (%g ms, %g Mbit/s)",
			strings.Join(bad, "; "), backup.DataCenter, t.Placement.MaxRTTMs, t.Placement.MinBandwidthMbps)
	}
	return res
}

// mirrorInstall is step 6's Install-CsMirrorDatabase call, or ok false when
// the topology has no backup-mirror instance.
func (e *Env) mirrorInstall() (m MirrorInstall, mirror *topology.Instance, ok bool, err error) {
	mirror, ok = e.Topo.InstanceByRole(topology.RoleBackupMirror)
	if !ok {
		return MirrorInstall{}, nil, false, nil
	}
	backup, bok := e.Topo.InstanceByRole(topology.RoleBackup)
	if !bok {
		return MirrorInstall{}, mirror, true, fmt.Errorf("the topology has no backup instance")
	}
	_, inst, _, err := topology.ParseAddress(backup.Address)
	if err != nil {
		return MirrorInstall{}, mirror, true, fmt.Errorf("backup instance address: %w", err)
	}
	m = MirrorInstall{DatabaseType: lync.DatabasePersistentChat, SqlServerFqdn: backup.Host, SqlInstanceName: inst, FileShare: e.Topo.Share.UNC}
	if _, err := lync.InstallMirrorDatabaseCommand(m); err != nil {
		return m, mirror, true, err
	}
	if strings.EqualFold(mirror.Host, backup.Host) {
		return m, mirror, true, fmt.Errorf("the backup-mirror instance %s is on the backup instance's host %s: a mirror must be another server", mirror.Name, backup.Host)
	}
	return m, mirror, true, nil
}

func preBackupMirror(ctx context.Context, e *Env) PreconditionResult {
	m, mirror, ok, err := e.mirrorInstall()
	if !ok {
		r := pass("the topology has no backup-mirror instance: step 6 (Install-CsMirrorDatabase) will be skipped")
		r.Warnings = append(r.Warnings, "the new primary mgc will run without a mirror (no high availability) until one is installed")
		return r
	}
	if err != nil {
		return fail("Install-CsMirrorDatabase cannot be built from the topology: %v", err)
	}
	r := pass("Install-CsMirrorDatabase will make %s the principal and %s (%s) the mirror, through %s", m.SqlServerFqdn, mirror.Name, mirror.Host, m.FileShare)
	if backup, ok := e.Topo.InstanceByRole(topology.RoleBackup); ok && backup.DataCenter != mirror.DataCenter {
		r.Warnings = append(r.Warnings, fmt.Sprintf("the backup-mirror instance is in %s, the backup instance in %s", mirror.DataCenter, backup.DataCenter))
	}
	return r
}
