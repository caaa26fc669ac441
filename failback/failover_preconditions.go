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
		{Name: PreNameBackupMirror, Title: "the backup-mirror instance answers and holds no mgc or mgccomp that Install-CsMirrorDatabase may not replace (no backup-mirror in the topology: mirroring is skipped)", Run: preBackupMirror},
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

// mirrorTarget is one database the failover's install-mirroring step
// mirrors: mgc, and mgccomp when compliance is on. The failback removes
// mirroring on both (reference §4 step 2), so the failover must have set
// up both; the failover topic's "mgccomp is not failed over" is about its
// content (not log shipped), not about its high availability on the new
// principal.
type mirrorTarget struct {
	DB      string
	Install MirrorInstall // DropExisting is decided when the step runs
	// Principal is the backup-site instance holding DB; Mirror the
	// backup-mirror instance that receives it (MirrorIn its topology entry).
	Principal, Mirror SQL
	MirrorIn          *topology.Instance
}

// mirrorTargets are the Install-CsMirrorDatabase calls of the step, or ok
// false when the topology has no backup-mirror instance.
func (e *Env) mirrorTargets() (ts []mirrorTarget, ok bool, err error) {
	if _, ok := e.Topo.InstanceByRole(topology.RoleBackupMirror); !ok {
		return nil, false, nil
	}
	type want struct {
		db, dbType        string
		principal, mirror SQL
		pin, min          *topology.Instance
	}
	backup, bok := e.Topo.InstanceByRole(topology.RoleBackup)
	mirror, _ := e.Topo.InstanceByRole(topology.RoleBackupMirror)
	if !bok {
		return nil, true, fmt.Errorf("the topology has no backup instance")
	}
	wants := []want{{DBContent, lync.DatabasePersistentChat, e.Backup, e.BackupMirror, backup, mirror}}
	if e.Topo.Compliance {
		cb, _ := e.Topo.ComplianceInstance(topology.RoleBackup)
		cm, cmok := e.Topo.ComplianceInstance(topology.RoleBackupMirror)
		if cb == nil || !cmok {
			return nil, true, fmt.Errorf("compliance is on but the topology has no backup-mirror instance for mgccomp")
		}
		wants = append(wants, want{DBCompliance, lync.DatabasePersistentChatCompliance, e.BackupComp, e.BackupMirrorComp, cb, cm})
	}
	for _, w := range wants {
		_, inst, _, err := topology.ParseAddress(w.pin.Address)
		if err != nil {
			return nil, true, fmt.Errorf("instance %s address: %w", w.pin.Name, err)
		}
		m := MirrorInstall{DatabaseType: w.dbType, SqlServerFqdn: w.pin.Host, SqlInstanceName: inst, FileShare: e.Topo.Share.UNC}
		if _, err := lync.InstallMirrorDatabaseCommand(m); err != nil {
			return nil, true, err
		}
		if strings.EqualFold(w.min.Host, w.pin.Host) {
			return nil, true, fmt.Errorf("the backup-mirror instance %s of %s is on its principal's host %s: a mirror must be another server", w.min.Name, w.db, w.pin.Host)
		}
		if w.principal == nil || w.mirror == nil {
			return nil, true, fmt.Errorf("no connection to the instances of %s (%s, %s)", w.db, w.pin.Name, w.min.Name)
		}
		ts = append(ts, mirrorTarget{DB: w.db, Install: m, Principal: w.principal, Mirror: w.mirror, MirrorIn: w.min})
	}
	return ts, true, nil
}

// mirrorCopy is what the backup-mirror holds of t.DB before mirroring:
// nothing, a copy left RESTORING by an earlier mirroring session (a
// failback removes mirroring on the principal and the mirror's copy stays
// RESTORING, reference §4; Install-CsMirrorDatabase replaces it only with
// -DropExistingDatabasesOnMirror), or a database that must not be dropped
// (problem says why and what to do).
func mirrorCopy(ctx context.Context, t mirrorTarget) (exists bool, problem string, err error) {
	st, err := t.Mirror.DatabaseState(ctx, t.DB)
	if errors.Is(err, ErrNoDatabase) {
		return false, "", nil
	}
	if err != nil {
		return false, "", err
	}
	m, err := t.Mirror.Mirroring(ctx, t.DB)
	if err != nil {
		return true, "", err
	}
	where := fmt.Sprintf("%s on the backup-mirror instance %s", t.DB, t.Mirror.Instance())
	switch {
	case m.Mirrored:
		return true, fmt.Sprintf("%s is a mirroring %s with %s: -DropExistingDatabasesOnMirror cannot replace a database in a mirroring session; "+
			"find out which copy is current, then end that session (ALTER DATABASE [%s] SET PARTNER OFF) and run the failover again", where, m.Role, m.Partner, t.DB), nil
	case st.State != "RESTORING" || st.Standby:
		return true, fmt.Sprintf("%s is %s (standby %t), not a mirror's leftover copy: it may hold chat history (recovered by hand, or the principal after a mirroring failover) "+
			"and -DropExistingDatabasesOnMirror would delete it; back it up and drop it, or take the backup-mirror instance out of the topology to fail over without a mirror", where, st.State, st.Standby), nil
	}
	return true, "", nil
}

// preBackupMirror connects to the backup-mirror before anything changes:
// Install-CsMirrorDatabase runs once the pool has failed over, and a
// mirror that does not answer, or holds a database that must not be
// dropped, would stop the run there.
func preBackupMirror(ctx context.Context, e *Env) PreconditionResult {
	ts, ok, err := e.mirrorTargets()
	if !ok {
		r := pass("the topology has no backup-mirror instance: step %s (Install-CsMirrorDatabase) will be skipped", StepInstallMirror)
		r.Warnings = append(r.Warnings, "the new primary mgc will run without a mirror (no high availability) until one is installed")
		return r
	}
	if err != nil {
		return fail("Install-CsMirrorDatabase cannot be built from the topology: %v", err)
	}
	var found []string
	var warnings []string
	for _, t := range ts {
		if _, err := t.Mirror.ServerName(ctx); err != nil {
			return failErr(err, "the backup-mirror instance %s (%s) does not answer (%v): Install-CsMirrorDatabase would fail after the pool has failed over; "+
				"start it, or take the backup-mirror instance out of the topology to fail over without a mirror", t.MirrorIn.Name, t.MirrorIn.Host, err)
		}
		if t.DB == DBCompliance {
			st, err := t.Principal.DatabaseState(ctx, t.DB)
			switch {
			case errors.Is(err, ErrNoDatabase):
				return fail("the backup instance %s holds no mgccomp: the failed-over pool has no compliance database to use or mirror; install it with Topology Builder first", t.Principal.Instance())
			case err != nil:
				return failErr(err, "cannot read mgccomp on %s: %v", t.Principal.Instance(), err)
			case st.State != "ONLINE":
				return fail("mgccomp on the backup instance %s is %s, not ONLINE: the failed-over pool cannot use it and Install-CsMirrorDatabase cannot mirror it", t.Principal.Instance(), st.State)
			}
		}
		exists, problem, err := mirrorCopy(ctx, t)
		if err != nil {
			return failErr(err, "cannot read %s on the backup-mirror instance %s: %v", t.DB, t.Mirror.Instance(), err)
		}
		if problem != "" {
			return fail("%s", problem)
		}
		what := fmt.Sprintf("%s from %s to %s (%s)", t.DB, t.Install.SqlServerFqdn, t.MirrorIn.Name, t.MirrorIn.Host)
		if exists {
			what += ", replacing the copy an earlier mirroring session left RESTORING there (-DropExistingDatabasesOnMirror)"
		}
		found = append(found, what)
		if backup, ok := e.Topo.InstanceByRole(topology.RoleBackup); ok && backup.DataCenter != t.MirrorIn.DataCenter {
			warnings = append(warnings, fmt.Sprintf("the backup-mirror instance of %s is in %s, the backup instance in %s", t.DB, t.MirrorIn.DataCenter, backup.DataCenter))
		}
	}
	r := pass("Install-CsMirrorDatabase will mirror %s, through %s", strings.Join(found, "; "), e.Topo.Share.UNC)
	r.Warnings = append(r.Warnings, warnings...)
	return r
}
