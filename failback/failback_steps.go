package failback

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pchatdr/harness/failback/lync"
	"github.com/pchatdr/harness/failback/sqlserver"
	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/sqlerr"
)

// PlanFailback is the name of the failback plan.
const PlanFailback = "failback"

// Step names of the failback plan (journal and metrics labels).
const (
	StepClearActive    = "clear-active-servers"
	StepRemoveMirror   = "remove-mirroring"
	StepBackup         = "backup-backup-mgc"
	StepRestore        = "restore-primary-mgc"
	StepLogShipping    = "configure-log-shipping"
	StepSetActive      = "set-active-servers"
	StepPoolNormal     = "pool-normal"
	defaultBackupTimeo = 2 * time.Hour
)

// FailbackPlan is the documented failback (reference §4) with its
// preconditions.
func FailbackPlan() *Plan {
	return &Plan{
		Name:          PlanFailback,
		Preconditions: FailbackPreconditions(),
		Steps: append([]Step{
			{Name: StepClearActive, Title: "clear the Persistent Chat active server list and wait for chat sessions to leave the backup databases",
				Check: checkCleared, Apply: applyClear, Verify: verifyCleared},
			{Name: StepRemoveMirror, Title: "remove mirroring on the backup mgc and mgccomp",
				Check: checkUnmirrored, Apply: applyUnmirror, Verify: verifyUnmirrored},
			{Name: StepBackup, Title: "full backup of the backup mgc to the share, then a tail-log backup WITH NORECOVERY that fences it (RESTORING: nothing more can be written to it), both verified",
				Budget: sizeBudget(1), Check: checkBackup, Apply: applyBackup, Verify: verifyBackup},
			{Name: StepRestore, Title: "restore the full backup over the primary mgc WITH REPLACE, NORECOVERY, then the tail-log backup WITH RECOVERY", Destructive: true,
				Budget: sizeBudget(1), Check: checkRestored, Apply: applyRestore, Verify: verifyRestored, Redo: redoRestore},
			{Name: StepLogShipping, Title: "configure log shipping from the primary mgc to the backup mgc, already an initialised secondary (no second full backup and restore)",
				Check: checkLogShipping, Apply: applyLogShipping, Verify: verifyLogShipping},
			{Name: StepSetActive, Title: "set the active servers for the primary data center",
				Check: checkActiveSet, Apply: applySetActive, Verify: verifyActiveSet},
			{Name: StepPoolNormal, Title: "set the pool state to Normal and wait for chat sessions on the primary mgc",
				Check: checkPoolNormal, Apply: applyPoolNormal, Verify: verifyPoolNormal},
		}, configurationSteps()...),
	}
}

func describeSessions(in string, db string, ss []Session) string {
	parts := make([]string, 0, len(ss))
	for _, s := range ss {
		parts = append(parts, fmt.Sprintf("session %d (login %s, program %q, host %s)", s.ID, s.Login, s.Program, s.Host))
	}
	return fmt.Sprintf("%s %s: %s", in, db, strings.Join(parts, ", "))
}

// hostIsServer reports whether a session's host_name is the chat server
// fqdn. Persistent Chat servers log in with their machine name as the
// workstation id: an FQDN must match whole, a bare NetBIOS name (what a
// real host_name holds) matches the FQDN's first label; both ignore case.
func hostIsServer(host, fqdn string) bool {
	h := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(host), "."))
	f := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(fqdn), "."))
	if h == "" || f == "" {
		return false
	}
	if strings.Contains(h, ".") {
		return h == f
	}
	return h == shortHost(f)
}

// sessionsFrom keeps the sessions whose host is one of servers: a chat
// server leaving the active list (or an administrator's SSMS) may hold a
// session too, and only one from a wanted server shows the pool runs on
// this database.
func sessionsFrom(ss []Session, servers []string) []Session {
	var out []Session
	for _, s := range ss {
		for _, fqdn := range servers {
			if hostIsServer(s.Host, fqdn) {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// hostsOf lists the distinct hosts of sessions, for messages.
func hostsOf(ss []Session) string {
	var hs []string
	for _, s := range ss {
		if !slices.Contains(hs, s.Host) {
			hs = append(hs, s.Host)
		}
	}
	return strings.Join(hs, ", ")
}

// sessionsOn lists the chat sessions left on each database of one side.
func (e *Env) sessionsOn(ctx context.Context, primary bool) ([]string, error) {
	var left []string
	for _, p := range e.pairs(primary) {
		ss, err := p.sql.Sessions(ctx, p.db)
		if err != nil {
			return nil, err
		}
		if len(ss) > 0 {
			left = append(left, describeSessions(p.sql.Instance(), p.db, ss))
		}
	}
	return left, nil
}

// ---- step 1: clear the active list ----

func checkCleared(ctx context.Context, e *Env) (bool, string, error) {
	// The list is cleared so that nothing writes to the backup mgc while
	// step 3 backs it up and fences it; once this run's tail-log backup
	// fenced it, nothing can, whatever the list says (step 6 sets it).
	fenced, why, err := e.backupFenced(ctx)
	if err != nil {
		return false, "", err
	}
	if fenced {
		return true, "the backup mgc is fenced: " + why, nil
	}
	active, err := e.Pool.ActiveServers(ctx)
	if err != nil {
		return false, "", err
	}
	if len(active) > 0 {
		return false, "active servers: " + strings.Join(active, ", "), nil
	}
	left, err := e.sessionsOn(ctx, false)
	if err != nil {
		return false, "", err
	}
	if len(left) > 0 {
		return false, "active list empty but sessions remain on " + strings.Join(left, "; "), nil
	}
	return true, "active list empty and no chat session on the backup databases", nil
}

func applyClear(ctx context.Context, e *Env) error {
	if err := e.Pool.ClearActiveServers(ctx); err != nil {
		return err
	}
	if _, ok := e.Fact(FactOutageStart); !ok {
		e.SetFact(FactOutageStart, e.now().UTC().Format(time.RFC3339Nano))
	}
	return nil
}

func verifyCleared(ctx context.Context, e *Env) error {
	active, err := e.Pool.ActiveServers(ctx)
	if err != nil {
		return err
	}
	if len(active) > 0 {
		return fmt.Errorf("the active list still holds %s after clearing it", strings.Join(active, ", "))
	}
	if _, ok := e.Fact(FactOutageStart); !ok {
		e.SetFact(FactOutageStart, e.now().UTC().Format(time.RFC3339Nano))
	}
	return e.waitFor(ctx, e.Options.SessionDrainTimeout, "chat sessions to leave the backup databases",
		func(ctx context.Context) (bool, string, error) {
			left, err := e.sessionsOn(ctx, false)
			if err != nil {
				return false, "", err
			}
			return len(left) == 0, "still connected: " + strings.Join(left, "; "), nil
		})
}

// ---- step 2: remove mirroring ----

func checkUnmirrored(ctx context.Context, e *Env) (bool, string, error) {
	var mirrored []string
	for _, p := range e.pairs(false) {
		m, err := p.sql.Mirroring(ctx, p.db)
		if err != nil {
			return false, "", err
		}
		if m.Mirrored {
			mirrored = append(mirrored, fmt.Sprintf("%s on %s is %s with %s", p.db, p.sql.Instance(), m.Role, m.Partner))
		}
	}
	if len(mirrored) > 0 {
		return false, strings.Join(mirrored, "; "), nil
	}
	return true, "the backup databases are not mirrored", nil
}

func applyUnmirror(ctx context.Context, e *Env) error {
	for _, p := range e.pairs(false) {
		m, err := p.sql.Mirroring(ctx, p.db)
		if err != nil {
			return err
		}
		if !m.Mirrored {
			e.Note(fmt.Sprintf("skip: %s on %s is not mirrored", p.db, p.sql.Instance()))
			continue
		}
		if err := p.sql.RemoveMirroring(ctx, p.db); err != nil {
			return fmt.Errorf("remove mirroring %s on %s: %w", p.db, p.sql.Instance(), err)
		}
	}
	return nil
}

func verifyUnmirrored(ctx context.Context, e *Env) error {
	done, why, err := checkUnmirrored(ctx, e)
	if err != nil {
		return err
	}
	if !done {
		return fmt.Errorf("still mirrored: %s", why)
	}
	st, err := e.Backup.DatabaseState(ctx, DBContent)
	if err != nil {
		return err
	}
	if st.State != "ONLINE" {
		return fmt.Errorf("the backup mgc on %s is %s after removing mirroring, want ONLINE", e.Backup.Instance(), st.State)
	}
	return nil
}

// ---- step 3: backup of the backup mgc, and the fence ----

// findSet looks for a named full backup set in a backup file. A file that
// does not exist yet (3201) or is not a backup answers "not found", not an
// error.
func findSet(ctx context.Context, s SQL, path, name string) (BackupSet, bool, error) {
	return findSetOf(ctx, s, path, name, 1)
}

// findSetOf looks for a named set of a type (1 database, 2 log).
func findSetOf(ctx context.Context, s SQL, path, name string, typ int) (BackupSet, bool, error) {
	sets, err := s.BackupSets(ctx, path)
	if err != nil {
		// A HEADERONLY refused to the login (262) says nothing about the
		// set: the error, not "not found" (login-sysadmin's problem).
		if len(sqlserver.SQLErrorNumbers(err)) > 0 && !IsTransient(err) && !sqlserver.HasNumber(err, sqlerr.PermissionDenied) {
			return BackupSet{}, false, nil
		}
		return BackupSet{}, false, err
	}
	var best BackupSet
	found := false
	for _, b := range sets {
		if b.Name == name && strings.EqualFold(b.DatabaseName, DBContent) && b.Type == typ && b.Position >= best.Position {
			best, found = b, true
		}
	}
	return best, found, nil
}

// backupFenced reports whether this run's tail-log backup fenced the backup
// mgc and it has stayed fenced: the full and tail-log sets are on the share
// and chain (the tail begins at or before the full's last LSN and ends
// after it), the backup mgc is RESTORING (or STANDBY, once log shipping
// restored into it), and the newest backup the backup instance took of it
// is that tail-log backup. A backup mgc an operator brought online again
// is ONLINE; one fenced again by someone else has a newer backup: either
// way it is not this run's fence, and what was written to it since is in
// no backup this run made.
func (e *Env) backupFenced(ctx context.Context) (bool, string, error) {
	full, ok, err := findSet(ctx, e.Backup, e.BackupPath(), e.BackupSetName())
	if err != nil || !ok {
		return false, "no backup set " + strconv.Quote(e.BackupSetName()) + " in " + e.BackupPath(), err
	}
	tail, ok, err := findSetOf(ctx, e.Backup, e.TailPath(), e.TailSetName(), 2)
	if err != nil || !ok {
		return false, "no tail-log backup set " + strconv.Quote(e.TailSetName()) + " in " + e.TailPath(), err
	}
	if full.LastLSN != "" && tail.FirstLSN != "" {
		first, err1 := CompareLSN(tail.FirstLSN, full.LastLSN)
		last, err2 := CompareLSN(tail.LastLSN, full.LastLSN)
		if err1 == nil && err2 == nil && (first > 0 || last <= 0) {
			return false, fmt.Sprintf("the tail-log backup [%s, %s) does not continue the full backup (last LSN %s)", tail.FirstLSN, tail.LastLSN, full.LastLSN), nil
		}
	}
	st, err := e.Backup.DatabaseState(ctx, DBContent)
	if err != nil {
		return false, "", err
	}
	if st.State != "RESTORING" && !st.Standby {
		return false, fmt.Sprintf("the backup mgc on %s is %s: writable again since this run's tail-log backup (LSN %s)", e.Backup.Instance(), st.State, tail.LastLSN), nil
	}
	last, ok, err := e.Backup.LastBackup(ctx, DBContent)
	if err != nil {
		return false, "", err
	}
	if !ok || last.Type != 2 || last.Name != tail.Name || last.LastLSN != tail.LastLSN {
		return false, fmt.Sprintf("the backup mgc on %s is %s, but its newest backup is %q (type %d, last LSN %s), not this run's tail-log backup", e.Backup.Instance(), st.State, last.Name, last.Type, last.LastLSN), nil
	}
	return true, fmt.Sprintf("this run's tail-log backup (LSN %s) left the backup mgc on %s %s", tail.LastLSN, e.Backup.Instance(), st.State), nil
}

func checkBackup(ctx context.Context, e *Env) (bool, string, error) {
	fenced, why, err := e.backupFenced(ctx)
	if err != nil || !fenced {
		return false, why, err
	}
	for _, f := range []struct {
		path, name string
		typ        int
	}{{e.BackupPath(), e.BackupSetName(), 1}, {e.TailPath(), e.TailSetName(), 2}} {
		set, _, err := findSetOf(ctx, e.verifier(), f.path, f.name, f.typ)
		if err != nil {
			return false, "", err
		}
		if err := e.verifier().VerifyBackup(ctx, f.path, set.Position); err != nil {
			if IsTransient(err) {
				return false, "", err
			}
			return false, "backup set in " + f.path + " does not verify: " + err.Error(), nil
		}
	}
	return true, why + "; the full and tail-log backup sets verify", nil
}

// verifier is the instance that verifies step 3's backup sets: the
// primary, which restores them (see verifyBackup).
func (e *Env) verifier() SQL { return e.Primary }

// DeviationFence and DeviationSecondary say where the engine departs from
// Microsoft's step text, and why; `failback plan` prints them and the
// journal keeps them.
const (
	DeviationFence = "deviation from the documented step 3: after the full backup the engine also takes a tail-log backup of the backup mgc WITH NORECOVERY, " +
		"which leaves it RESTORING (SQL Server's log-shipping role switch). The documented text leaves it ONLINE and writable until step 5 restores over it, " +
		"so anything written to it in between (a resumed run after an operator gave chat back to the backup site) would be destroyed; " +
		"with the fence nothing can be written to it, and step 4 restores the full backup and then the tail, so nothing written before the fence is lost either"
	DeviationSecondary = "deviation from the documented step 5 (\"Yes, generate a full backup of the primary database and restore it into the secondary database\"): " +
		"the backup mgc fenced by step 3's tail-log backup is already an initialised secondary (\"No, the secondary database is initialized\"), " +
		"so the engine sends no second full backup and restore across the WAN and never restores over the backup mgc"
)

// applyBackup takes the documented full backup (reference §4 step 3), then
// the tail-log backup WITH NORECOVERY that fences the backup mgc: SQL
// Server's documented role switch between log-shipping servers. The full
// backup restores the primary; the tail carries everything written after
// it, and leaves the backup mgc RESTORING, exactly where the primary's
// log backups continue, so step 5 needs no second full backup and
// restore across the WAN and nothing acknowledged on the backup mgc after
// its backup can ever be overwritten.
func applyBackup(ctx context.Context, e *Env) error {
	st, err := e.Backup.DatabaseState(ctx, DBContent)
	if err != nil {
		return err
	}
	if st.State != "ONLINE" || st.Standby {
		return fmt.Errorf("the backup mgc on %s is %s and not fenced by this run's tail-log backup: the engine backs up only an ONLINE backup mgc and never restores over it; "+
			"if it holds chat messages, bring it online (RESTORE DATABASE [mgc] WITH RECOVERY) and resume, so that step %s backs them up", e.Backup.Instance(), st.State, StepBackup)
	}
	e.Deviation(DeviationFence)
	res, err := e.Backup.BackupDatabase(ctx, BackupSpec{Database: DBContent, Path: e.BackupPath(), Name: e.BackupSetName(), Compression: e.Topo.Backups.Compression,
		Description: "Persistent Chat failback " + e.runID + ": backup mgc before restoring it over the primary"})
	if err != nil {
		return err
	}
	e.SetFact("backup_position", strconv.Itoa(res.Position))
	_, err = e.Backup.BackupDatabase(ctx, BackupSpec{Database: DBContent, Path: e.TailPath(), Name: e.TailSetName(), Log: true, NoRecovery: true, Compression: e.Topo.Backups.Compression,
		Description: "Persistent Chat failback " + e.runID + ": tail of the backup mgc's log; leaves it RESTORING"})
	if slices.Contains(sqlserver.SQLErrorNumbers(err), int32(3101)) {
		return fmt.Errorf("tail-log backup: %w; it needs the backup mgc to itself: clear the active server list (step %s), wait for the chat servers to let go, and resume", err, StepClearActive)
	}
	return err
}

// verifyBackup checks both backup sets with RESTORE VERIFYONLY on the
// primary instance: the one that restores them in step 4, so the check
// reads the files as the restore will, through the primary's own access
// to the share. The share stands in the primary data center (topology
// share.dataCenter): read from the backup instance, the verification
// carried the whole full backup back across the WAN a second time, an
// outage as long again as the backup's own transfer (50 GB over 1 Gbit/s:
// about 7 minutes) that proved nothing about the primary's read.
func verifyBackup(ctx context.Context, e *Env) error {
	for _, f := range []struct {
		path, name string
		typ        int
	}{{e.BackupPath(), e.BackupSetName(), 1}, {e.TailPath(), e.TailSetName(), 2}} {
		set, ok, err := findSetOf(ctx, e.verifier(), f.path, f.name, f.typ)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("backup set %q not found in %s", f.name, f.path)
		}
		if !set.Checksums {
			return fmt.Errorf("backup set %q in %s has no checksums", set.Name, f.path)
		}
		if err := e.verifier().VerifyBackup(ctx, f.path, set.Position); err != nil {
			return err
		}
	}
	fenced, why, err := e.backupFenced(ctx)
	if err != nil {
		return err
	}
	if !fenced {
		return fmt.Errorf("the backup mgc is not fenced after the tail-log backup: %s", why)
	}
	return nil
}

// ---- step 4: restore over the primary mgc ----

func checkRestored(ctx context.Context, e *Env) (bool, string, error) {
	tail, ok, err := findSetOf(ctx, e.Primary, e.TailPath(), e.TailSetName(), 2)
	if err != nil || !ok {
		return false, "no tail-log backup set " + strconv.Quote(e.TailSetName()) + " in " + e.TailPath(), err
	}
	rp, ok, err := e.Primary.RedoPoint(ctx, DBContent)
	if err != nil {
		return false, "", err
	}
	if !ok {
		return false, "the primary mgc's restore history is empty", nil
	}
	if rp.Type != "L" || rp.BackupSetName != tail.Name || rp.LastLSN != tail.LastLSN {
		return false, fmt.Sprintf("the primary mgc's last restore is %q (type %s, last LSN %s), not this run's tail-log backup (last LSN %s)", rp.BackupSetName, rp.Type, rp.LastLSN, tail.LastLSN), nil
	}
	st, err := e.Primary.DatabaseState(ctx, DBContent)
	if err != nil {
		return false, "", err
	}
	if st.State != "ONLINE" {
		return false, "restored up to this run's tail-log backup but the primary mgc is " + st.State, nil
	}
	return true, fmt.Sprintf("the primary mgc was restored up to this run's tail-log backup (LSN %s) at %s and is ONLINE", tail.LastLSN, rp.Date.UTC().Format(time.RFC3339)), nil
}

// FactPoolNormalSent is set just before step 7 sends Set-CsPersistentChatState
// -PoolState Normal: from then on chat servers may write to the primary mgc,
// and restoring it again could destroy what they wrote.
const FactPoolNormalSent = "pool_normal_sent"

// redoRestore decides whether step 4, verified by an earlier run, may
// restore the primary mgc again from newer backups (an operator gave chat
// back to the backup site while the run was stopped, so step 3 fenced the
// backup mgc anew). It may while the primary mgc never served the pool:
// this run never set the pool Normal, the pool is FailedOver now and no
// session is in the primary mgc. Otherwise both copies may hold messages
// the other lacks, and the engine overwrites neither.
func redoRestore(ctx context.Context, e *Env) (bool, string, error) {
	if at, ok := e.Fact(FactPoolNormalSent); ok {
		return false, "this run set the pool state Normal at " + at + ", so chat servers may have written to the primary mgc since its restore, and the backup mgc changed after its tail-log backup: " +
			"each copy may hold messages the other lacks and the engine overwrites neither. Everything the backup mgc acknowledged is in " + e.TailPath() + " (it is RESTORING again; " +
			"RESTORE DATABASE [mgc] WITH RECOVERY on " + e.Backup.Instance() + " brings it back online). Keep the pool on one copy, compare the two mgc databases (dbo.tblChat), copy what is missing by hand, then start a new failback run", nil
	}
	ps, err := e.Pool.PoolState(ctx)
	if err != nil {
		return false, "", err
	}
	if ps != lync.PoolFailedOver {
		return false, "the pool state is " + string(ps) + ", not FailedOver: chat servers may have written to the primary mgc since its restore, and the engine will not restore over it. " +
			"Set the pool FailedOver (Set-CsPersistentChatState -PoolState FailedOver) only if no chat server ever ran on the primary mgc; otherwise compare the two mgc databases and merge by hand, then start a new failback run", nil
	}
	ss, err := e.Primary.Sessions(ctx, DBContent)
	if err != nil {
		return false, "", err
	}
	if len(ss) > 0 {
		return false, describeSessions(e.Primary.Instance(), DBContent, ss) + ": something uses the primary mgc; close those sessions and resume", nil
	}
	// The pool state now and the journal say nothing of what happened while
	// the run was stopped (an operator may have set the pool Normal by hand
	// and back): the database does. Rows added or removed since step 4's
	// restore are writes the engine would destroy.
	// A primary mgc that cannot be opened (RECOVERY_PENDING, SUSPECT, left
	// RESTORING) has no row counts to compare; nothing could read from or
	// write to it either, and restoring it is what repairs it.
	st, err := e.Primary.DatabaseState(ctx, DBContent)
	if err != nil {
		return false, "", err
	}
	if fact, ok := e.Fact(FactPrimaryRows); ok && st.State == "ONLINE" {
		now, err := e.Primary.RowCounts(ctx, DBContent)
		if err != nil {
			return false, "", err
		}
		if changed := rowsChangedSince(fact, now); len(changed) > 0 {
			return false, "the primary mgc changed since this run restored it (" + strings.Join(changed, "; ") + "): chat servers wrote to it while the run was stopped, and the backup mgc changed after its tail-log backup: " +
				"each copy may hold messages the other lacks and the engine overwrites neither. Everything the backup mgc acknowledged is in " + e.TailPath() + " (it is RESTORING again; " +
				"RESTORE DATABASE [mgc] WITH RECOVERY on " + e.Backup.Instance() + " brings it back online). Keep the pool on one copy, compare the two mgc databases (dbo.tblChat), copy what is missing by hand, then start a new failback run", nil
		}
	}
	return true, "the primary mgc never served the pool since it was restored (this run never set the pool Normal; the pool is FailedOver; no session in it): restoring it from this run's newer backups loses nothing", nil
}

// DeriveMoves maps each file in a backup to where the target instance keeps
// the database's files: the existing file of the same logical name, else
// the first existing file of the same kind with the backup's file name, else
// nothing (the backup's own path). No MOVE is returned when every path
// already matches.
func DeriveMoves(backup []BackupFile, existing []DatabaseFile) []Move {
	kind := func(t string) string {
		switch strings.ToUpper(t) {
		case "L", "LOG":
			return "L"
		}
		return "D"
	}
	var moves []Move
	differ := false
	for _, b := range backup {
		to := ""
		for _, x := range existing {
			if strings.EqualFold(x.LogicalName, b.LogicalName) {
				to = x.PhysicalName
				break
			}
		}
		if to == "" {
			for _, x := range existing {
				if kind(x.Type) == kind(b.Type) {
					to = joinDir(dirOf(x.PhysicalName), baseOf(b.PhysicalName), x.PhysicalName)
					break
				}
			}
		}
		if to == "" {
			to = b.PhysicalName
		}
		if !strings.EqualFold(to, b.PhysicalName) {
			differ = true
		}
		moves = append(moves, Move{LogicalName: b.LogicalName, To: to})
	}
	if !differ {
		return nil
	}
	return moves
}

func dirOf(p string) string {
	i := strings.LastIndexAny(p, `\/`)
	if i < 0 {
		return ""
	}
	return p[:i]
}

func baseOf(p string) string {
	return p[strings.LastIndexAny(p, `\/`)+1:]
}

func joinDir(dir, base, like string) string {
	if dir == "" {
		return base
	}
	sep := `\`
	if strings.Contains(like, "/") && !strings.Contains(like, `\`) {
		sep = "/"
	}
	return dir + sep + base
}

func applyRestore(ctx context.Context, e *Env) error {
	left, err := e.sessionsOn(ctx, true)
	if err != nil {
		return err
	}
	if len(left) > 0 {
		return fmt.Errorf("sessions are open on the primary databases, the restore would fail with 3101: %s", strings.Join(left, "; "))
	}
	set, ok, err := findSet(ctx, e.Primary, e.BackupPath(), e.BackupSetName())
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%s on %s: backup set %q not visible from the primary instance", e.BackupPath(), e.Primary.Instance(), e.BackupSetName())
	}
	tail, ok, err := findSetOf(ctx, e.Primary, e.TailPath(), e.TailSetName(), 2)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%s on %s: tail-log backup set %q not visible from the primary instance", e.TailPath(), e.Primary.Instance(), e.TailSetName())
	}
	// A run stopped between the two restores left the primary mgc RESTORING
	// from this run's full backup: the resume restores only the tail, as
	// a DBA continues a restore sequence, instead of the full backup again.
	done, err := fullRestored(ctx, e, set)
	if err != nil {
		return err
	}
	if !done {
		files, err := e.Primary.FileList(ctx, e.BackupPath(), set.Position)
		if err != nil {
			return err
		}
		existing, err := e.Primary.DatabaseFiles(ctx, DBContent)
		if err != nil {
			return err
		}
		if err := e.Primary.RestoreDatabase(ctx, RestoreSpec{Database: DBContent, Path: e.BackupPath(), File: set.Position,
			Moves: DeriveMoves(files, existing), Replace: true}); err != nil {
			return err
		}
	}
	return e.Primary.RestoreLog(ctx, LogRestoreSpec{Database: DBContent, Path: e.TailPath(), File: tail.Position, Recovery: true})
}

// fullRestored says whether the primary mgc's last restore is this run's
// full backup set and the database still waits, RESTORING, for the tail.
func fullRestored(ctx context.Context, e *Env, set BackupSet) (bool, error) {
	rp, ok, err := e.Primary.RedoPoint(ctx, DBContent)
	if err != nil || !ok || rp.Type != "D" || rp.BackupSetName != set.Name || rp.LastLSN != set.LastLSN {
		return false, err
	}
	st, err := e.Primary.DatabaseState(ctx, DBContent)
	if err != nil {
		return false, err
	}
	return st.State == "RESTORING", nil
}

// verifyRestored confirms the restore from msdb's history and the
// database's state: the backup mgc it came from is fenced (RESTORING) and
// cannot be read to compare contents, and a full scan of a production mgc
// has no place inside the outage.
//
// It journals the restored mgc's row counts (metadata, FactPrimaryRows): a
// resume that would restore over the primary mgc again compares them with
// the database as it finds it, so messages written there while the run
// was stopped (an operator who set the pool Normal by hand and back) are
// seen in the database itself, not only in the journal and the pool state.
func verifyRestored(ctx context.Context, e *Env) error {
	done, why, err := checkRestored(ctx, e)
	if err != nil {
		return err
	}
	if !done {
		return fmt.Errorf("restore not confirmed: %s", why)
	}
	rows, err := e.Primary.RowCounts(ctx, DBContent)
	if err != nil {
		return err
	}
	e.SetFact(FactPrimaryRows, encodeRowCounts(rows))
	return nil
}

// FactPrimaryRows is the primary mgc's row counts (sys.partitions) just
// after step 4 restored it, as encodeRowCounts writes them.
const FactPrimaryRows = "primary_rows_restored"

// encodeRowCounts writes row counts as "schema.table=rows" joined by ";",
// in the order RowCounts gives them (by schema and table).
func encodeRowCounts(rows []TableRows) string {
	parts := make([]string, len(rows))
	for i, r := range rows {
		parts[i] = r.Schema + "." + r.Table + "=" + strconv.FormatInt(r.Rows, 10)
	}
	return strings.Join(parts, ";")
}

// rowsChangedSince lists the tables whose row count differs from what the
// fact recorded (tables added or dropped included).
func rowsChangedSince(fact string, now []TableRows) []string {
	was := map[string]string{}
	if fact != "" {
		for _, p := range strings.Split(fact, ";") {
			k, v, _ := strings.Cut(p, "=")
			was[k] = v
		}
	}
	var changed []string
	for _, r := range now {
		k := r.Schema + "." + r.Table
		v, ok := was[k]
		if n := strconv.FormatInt(r.Rows, 10); !ok || v != n {
			changed = append(changed, fmt.Sprintf("%s (%s rows after the restore, %s now)", k, orUnknown(v), n))
		}
		delete(was, k)
	}
	for k, v := range was {
		changed = append(changed, fmt.Sprintf("%s (%s rows after the restore, gone now)", k, v))
	}
	slices.Sort(changed)
	return changed
}

func orUnknown(s string) string {
	if s == "" {
		return "no"
	}
	return s
}

// ---- step 5: log shipping ----

func shortHost(h string) string {
	h, _, _ = strings.Cut(h, ".")
	return h
}

// sameServer reports whether a server name recorded by SQL Server (as
// @@SERVERNAME: HOST or HOST\INSTANCE) names the instance.
func sameServer(recorded string, in *topology.Instance, serverName string) bool {
	if recorded == "" {
		return false
	}
	if serverName != "" && strings.EqualFold(recorded, serverName) {
		return true
	}
	host, _, _ := strings.Cut(recorded, `\`)
	if in == nil {
		return false
	}
	return strings.EqualFold(host, in.Host) || strings.EqualFold(host, shortHost(in.Host))
}

type lsNames struct {
	primary, backup string // @@SERVERNAME
}

func (e *Env) serverNames(ctx context.Context) (lsNames, error) {
	p, err := e.Primary.ServerName(ctx)
	if err != nil {
		return lsNames{}, err
	}
	b, err := e.Backup.ServerName(ctx)
	if err != nil {
		return lsNames{}, err
	}
	return lsNames{p, b}, nil
}

func checkLogShipping(ctx context.Context, e *Env) (bool, string, error) {
	n, err := e.serverNames(ctx)
	if err != nil {
		return false, "", err
	}
	pc, err := e.Primary.LogShipping(ctx)
	if err != nil {
		return false, "", err
	}
	okP := false
	for _, p := range pc.Primaries {
		if strings.EqualFold(p.Database, DBContent) {
			for _, s := range p.Secondaries {
				if strings.EqualFold(s.Server, n.backup) && strings.EqualFold(s.Database, DBContent) {
					okP = true
				}
			}
		}
	}
	if !okP {
		return false, "the primary instance does not ship mgc to " + n.backup, nil
	}
	bc, err := e.Backup.LogShipping(ctx)
	if err != nil {
		return false, "", err
	}
	okS := false
	for _, s := range bc.Secondaries {
		if strings.EqualFold(s.PrimaryServer, n.primary) && strings.EqualFold(s.Database, DBContent) {
			okS = true
		}
	}
	if !okS {
		return false, "the backup instance has no secondary mgc for " + n.primary, nil
	}
	st, err := e.Backup.DatabaseState(ctx, DBContent)
	if err != nil {
		return false, "", err
	}
	if st.State != "RESTORING" && !st.Standby {
		return false, "the backup mgc is " + st.State + ", not a log-shipping secondary", nil
	}
	m, ok, err := e.Backup.SecondaryMonitor(ctx, DBContent)
	if err != nil {
		return false, "", err
	}
	// The restores must continue this run's tail-log backup: a secondary
	// left from an earlier configuration (or fenced again after a resume)
	// has restored older files.
	tail, tok, err := findSetOf(ctx, e.Backup, e.TailPath(), e.TailSetName(), 2)
	if err != nil {
		return false, "", err
	}
	rp, rok, err := e.Backup.RedoPoint(ctx, DBContent)
	if err != nil {
		return false, "", err
	}
	if ok && m.LastRestoredFile != "" && (!tok || (rok && rp.Type == "L" && lsnAfter(rp.LastLSN, tail.LastLSN) == 1)) {
		return true, "log shipping configured; last restored " + m.LastRestoredFile, nil
	}
	// No log restore past the tail may still be log shipping that works:
	// a primary nothing was written to since has nothing to ship.
	held, why, err := e.secondaryHoldsAll(ctx)
	if err != nil || held {
		return held, why, err
	}
	if !ok || m.LastRestoredFile == "" {
		return false, "log shipping is configured but no log backup has been restored on the secondary yet (" + why + ")", nil
	}
	return false, fmt.Sprintf("the backup mgc's last restore (%q, last LSN %s) does not continue this run's tail-log backup (LSN %s); %s", rp.BackupSetName, rp.LastLSN, tail.LastLSN, why), nil
}

// secondaryHoldsAll reports whether the backup mgc, still the secondary
// this run fenced, already holds everything the primary's newest log
// backup holds. The primary's log chain continues from this run's
// tail-log backup (step 4 restored it WITH RECOVERY); when nothing was
// written to the primary mgc since, its log backups end at or before the
// tail's last LSN, and the restore job skips them ("Skipped log backup
// file ... Number of log backup files restored: 0", as sqllogship does for
// a backup whose last LSN is at or before the redo point): nothing is ever
// restored until the first write, yet the secondary is current. The
// backup mgc's restored point is the tail's last LSN, or the last LSN of
// a log restore past it. Only metadata is read: msdb.dbo.backupset on the
// primary (its newest backup of mgc, which must be a log backup: after a
// full or differential backup the engine does not conclude), the tail's
// HEADERONLY, the backup mgc's restore history. A backup that holds log
// past the restored point means the secondary is behind: not confirmed.
func (e *Env) secondaryHoldsAll(ctx context.Context) (bool, string, error) {
	fenced, why, err := e.backupFenced(ctx)
	if err != nil || !fenced {
		return false, why, err
	}
	tail, ok, err := findSetOf(ctx, e.Backup, e.TailPath(), e.TailSetName(), 2)
	if err != nil || !ok {
		return false, "no tail-log backup set " + strconv.Quote(e.TailSetName()) + " in " + e.TailPath(), err
	}
	redo, since := tail.LastLSN, "this run's tail-log backup"
	rp, rok, err := e.Backup.RedoPoint(ctx, DBContent)
	if err != nil {
		return false, "", err
	}
	if rok && rp.Type == "L" && lsnAfter(rp.LastLSN, tail.LastLSN) == 1 {
		redo, since = rp.LastLSN, "the log backup the secondary last restored ("+strconv.Quote(rp.BackupSetName)+")"
	}
	last, ok, err := e.Primary.LastBackup(ctx, DBContent)
	if err != nil {
		return false, "", err
	}
	if !ok || last.Type != 2 {
		return false, fmt.Sprintf("the newest backup of mgc on %s is not a log backup (found %v, type %d)", e.Primary.Instance(), ok, last.Type), nil
	}
	c, err := CompareLSN(last.LastLSN, redo)
	if err != nil {
		return false, fmt.Sprintf("cannot compare the primary's newest log backup's last LSN %q with the secondary's restored point %q: %v", last.LastLSN, redo, err), nil
	}
	if c > 0 {
		return false, fmt.Sprintf("the primary's newest log backup (finished %s) ends at LSN %s, past the secondary's restored point (LSN %s): the secondary is behind",
			last.Finished.UTC().Format(time.RFC3339), last.LastLSN, redo), nil
	}
	return true, fmt.Sprintf("log shipping configured; the primary mgc on %s logged nothing since %s: its newest log backup (finished %s) ends at LSN %s, at or before the backup mgc's restored point (LSN %s), so the restore job had nothing to apply; the secondary already holds everything, and the first log restore will follow the first write",
		e.Primary.Instance(), since, last.Finished.UTC().Format(time.RFC3339), last.LastLSN, redo), nil
}

func (e *Env) scheduleStart() int {
	d, _ := strconv.Atoi(e.now().UTC().Format("20060102"))
	return d
}

func applyLogShipping(ctx context.Context, e *Env) error {
	t := e.Topo
	ls := t.LogShipping
	n, err := e.serverNames(ctx)
	if err != nil {
		return err
	}
	// Remove what an earlier configuration (or a crashed attempt) left, so
	// the procedures do not refuse duplicates (32009, 32012, 32013, 32024).
	pc, err := e.Primary.LogShipping(ctx)
	if err != nil {
		return err
	}
	for _, p := range pc.Primaries {
		if strings.EqualFold(p.Database, DBContent) {
			if err := e.Primary.RemoveLogShippingPrimary(ctx, DBContent, p.Secondaries); err != nil {
				return err
			}
		}
	}
	bc, err := e.Backup.LogShipping(ctx)
	if err != nil {
		return err
	}
	for _, s := range bc.Secondaries {
		if strings.EqualFold(s.Database, DBContent) {
			if err := e.Backup.RemoveLogShippingSecondary(ctx, DBContent); err != nil {
				return err
			}
			// sp_delete_log_shipping_secondary_database also removes the
			// primary's registration when mgc was its last secondary
			// database: read what is left before removing it again.
			if bc, err = e.Backup.LogShipping(ctx); err != nil {
				return err
			}
			break
		}
	}
	for _, s := range bc.Secondaries {
		if strings.EqualFold(s.PrimaryDatabase, DBContent) {
			if err := e.Backup.RemoveLogShippingSecondaryPrimary(ctx, s.PrimaryServer, s.PrimaryDatabase); err != nil {
				return err
			}
		}
	}
	// The old alert jobs go with the old configuration (the procedure keeps
	// one where something else is still monitored); the new configuration
	// creates its own below.
	for _, in := range []SQL{e.Primary, e.Backup} {
		if err := in.DeleteLogShippingAlertJob(ctx); err != nil {
			return err
		}
	}
	// The secondary is initialised already: step 3's tail-log backup left
	// the backup mgc RESTORING exactly where the primary's log continues
	// (§2.3 step 14's "No, the secondary database is initialized"). Only a
	// backup mgc still fenced by this run is one: an ONLINE one may hold
	// messages the primary lacks, and is never restored over.
	fenced, why, err := e.backupFenced(ctx)
	if err != nil {
		return err
	}
	if !fenced && !e.planning {
		return fmt.Errorf("the backup mgc is not an initialised log-shipping secondary (%s); the engine never restores over it: resume the failback, and step %s backs it up and fences it again", why, StepBackup)
	}
	e.Deviation(DeviationSecondary)
	standby := ls.RestoreMode == topology.RestoreStandby
	start := e.scheduleStart()
	if err := e.Primary.AddLogShippingPrimary(ctx, LogShippingPrimary{Database: DBContent, BackupDirectory: t.Share.UNC, BackupShare: t.Share.UNC,
		BackupJob: ls.BackupJob, ScheduleName: "LSBackupSchedule_" + DBContent, ScheduleMinutes: ls.ScheduleMinutes,
		RetentionMinutes: ls.RetentionMinutes, BackupThresholdMinutes: ls.BackupThresholdMinutes, StartDate: start}); err != nil {
		return err
	}
	// Each instance is its own monitor (no monitor server is named), so
	// each carries the LSAlert job, as SQL Server's configuration script
	// creates it on the primary and on the secondary.
	if err := e.Primary.AddLogShippingAlertJob(ctx); err != nil {
		return err
	}
	src := shortHost(n.primary)
	if err := e.Backup.AddLogShippingSecondary(ctx, LogShippingSecondary{PrimaryServer: n.primary, Database: DBContent,
		BackupSourceDirectory: t.Share.UNC, CopyDirectory: ls.CopyDirectory, CopyJob: ls.CopyJob, RestoreJob: ls.RestoreJob,
		CopyScheduleName: "LSCopySchedule_" + src + "_" + DBContent, RestoreScheduleName: "LSRestoreSchedule_" + src + "_" + DBContent,
		ScheduleMinutes: ls.ScheduleMinutes, RetentionMinutes: ls.RetentionMinutes, RestoreThresholdMinutes: ls.RestoreThresholdMinutes,
		Standby: standby, StartDate: start}); err != nil {
		return err
	}
	if err := e.Backup.AddLogShippingAlertJob(ctx); err != nil {
		return err
	}
	return e.Primary.AddLogShippingPrimarySecondary(ctx, DBContent, n.backup, DBContent)
}

// lsnAfter compares two decimal LSNs (-1, 0, +1); 0 when either is not a
// number, so an unreadable LSN never passes for a later one.
func lsnAfter(a, b string) int {
	c, err := CompareLSN(a, b)
	if err != nil {
		return 0
	}
	return c
}

// uncBase is a Windows path's file name.
func uncBase(p string) string {
	if i := strings.LastIndexAny(p, `\/`); i >= 0 {
		return p[i+1:]
	}
	return p
}

func verifyLogShipping(ctx context.Context, e *Env) error {
	ls := e.Topo.LogShipping
	before, _, err := e.Primary.PrimaryMonitor(ctx, DBContent)
	if err != nil {
		return err
	}
	var newest string
	if err := e.runJob(ctx, e.Primary, ls.BackupJob, "the log backup job", func(ctx context.Context) (bool, string, error) {
		m, ok, err := e.Primary.PrimaryMonitor(ctx, DBContent)
		if err != nil {
			return false, "", err
		}
		newest = m.LastBackupFile
		return ok && m.LastBackupFile != "" && (m.LastBackupFile != before.LastBackupFile || m.LastBackupDate.After(before.LastBackupDate)),
			"last backup file " + strconv.Quote(m.LastBackupFile), nil
	}); err != nil {
		return err
	}
	sbefore, _, err := e.Backup.SecondaryMonitor(ctx, DBContent)
	if err != nil {
		return err
	}
	// The copy job copies every file on the share newer than its last one,
	// oldest first, and records each as it goes: with older log backups on
	// the share (the old primary's, within their retention), the last
	// copied file changes long before the new backup is copied. Wait until
	// the copy reached that backup, or the restore job runs before it is
	// in the copy folder, restores nothing, and the wait below times out.
	if err := e.runJob(ctx, e.Backup, ls.CopyJob, "the log copy job", func(ctx context.Context) (bool, string, error) {
		m, ok, err := e.Backup.SecondaryMonitor(ctx, DBContent)
		if err != nil {
			return false, "", err
		}
		// Log-shipping file names end in the backup's UTC time to the
		// second, so they sort in time order; a scheduled backup may have
		// added a newer file that the copy took too.
		copied := strings.ToLower(uncBase(m.LastCopiedFile))
		return ok && m.LastCopiedFile != "" && copied >= strings.ToLower(uncBase(newest)),
			"last copied file " + strconv.Quote(m.LastCopiedFile) + ", waiting for " + strconv.Quote(uncBase(newest)), nil
	}); err != nil {
		return err
	}
	appended, isAppended, err := e.appendedSet(ctx, newest)
	if err != nil {
		return err
	}
	held := e.secondaryHoldsAll
	if isAppended {
		held = func(ctx context.Context) (bool, string, error) {
			if err := e.restoreAppended(ctx, newest, appended); err != nil {
				return false, "", err
			}
			return e.secondaryHoldsAll(ctx)
		}
	}
	var last LSSecondaryMonitor
	// A run that restored nothing is enough when there was nothing to
	// restore (secondaryHoldsAll): a primary nothing was written to since
	// the tail-log backup.
	if err := e.runJobOr(ctx, e.Backup, ls.RestoreJob, "the log restore job", func(ctx context.Context) (bool, string, error) {
		m, ok, err := e.Backup.SecondaryMonitor(ctx, DBContent)
		if err != nil {
			return false, "", err
		}
		last = m
		return ok && m.LastRestoredFile != "" && (m.LastRestoredFile != sbefore.LastRestoredFile || m.LastRestoredDate.After(sbefore.LastRestoredDate)),
			"last restored file " + strconv.Quote(m.LastRestoredFile), nil
	}, held); err != nil {
		return err
	}
	if isAppended {
		if err := e.restoreAppended(ctx, newest, appended); err != nil {
			return err
		}
	}
	if !last.LastRestoredDate.IsZero() {
		age := e.now().Sub(last.LastRestoredDate).Seconds()
		if age < 0 {
			age = 0
		}
		e.Measure(MeasureLogShippingAge, age)
	}
	done, why, err := checkLogShipping(ctx, e)
	if err != nil {
		return err
	}
	if !done {
		return fmt.Errorf("log shipping not confirmed: %s", why)
	}
	return nil
}

// appendedSet reads the backup sets of the log backup file the backup job
// just wrote and returns the newest when it is not the file's first set.
// sqllogship names a log backup <db>_<UTC time to the second>.trn and
// writes it with BACKUP LOG ... TO DISK (no INIT): a log backup in the same
// second as the file's (a scheduled run and the engine's, or the engine's
// runs before and after a resume) is appended to it as the next set, and
// the restore job reads only a file's first set (RESTORE HEADERONLY's
// first row; the copy job may even have copied the file before the
// append). That set would never be restored and every later log backup
// would meet a gap (4305). RESTORE HEADERONLY reads the header only.
func (e *Env) appendedSet(ctx context.Context, path string) (BackupSet, bool, error) {
	sets, err := e.Primary.BackupSets(ctx, path)
	if err != nil {
		return BackupSet{}, false, fmt.Errorf("read the log backup file %s: %w", path, err)
	}
	var last BackupSet
	for _, b := range sets {
		if b.Type == 2 && strings.EqualFold(b.DatabaseName, DBContent) && b.Position > last.Position {
			last = b
		}
	}
	return last, last.Position > 1, nil
}

// restoreAppended restores an appended log backup set (appendedSet) into
// the backup mgc itself, WITH NORECOVERY from the share, unless the
// secondary already holds it; a set already applied (4326) is fine. The
// restore job then continues with the next file.
func (e *Env) restoreAppended(ctx context.Context, path string, set BackupSet) error {
	held, _, err := e.secondaryHoldsAll(ctx)
	if err != nil || held {
		return err
	}
	err = e.Backup.RestoreLog(ctx, LogRestoreSpec{Database: DBContent, Path: path, File: set.Position})
	if err != nil && !sqlserver.HasNumber(err, sqlerr.LogTooEarly) {
		return fmt.Errorf("restore the appended log backup set %d of %s (the restore job reads only a file's first set) on %s: %w", set.Position, path, e.Backup.Instance(), err)
	}
	e.Note(fmt.Sprintf("the log backup the engine took was appended to %s as backup set %d (another log backup was written to that file in the same second); the restore job reads only a file's first set, so the engine restored it on %s itself", path, set.Position, e.Backup.Instance()))
	return nil
}

// ---- step 6: active servers ----

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, x := range a {
		m[strings.ToLower(strings.TrimSuffix(x, "."))]++
	}
	for _, x := range b {
		k := strings.ToLower(strings.TrimSuffix(x, "."))
		if m[k] == 0 {
			return false
		}
		m[k]--
	}
	return true
}

func checkActiveSet(ctx context.Context, e *Env) (bool, string, error) {
	active, err := e.Pool.ActiveServers(ctx)
	if err != nil {
		return false, "", err
	}
	if sameSet(active, e.Topo.Pool.ActiveServers) {
		return true, "active servers are " + strings.Join(active, ", "), nil
	}
	return false, "active servers are [" + strings.Join(active, ", ") + "]", nil
}

func applySetActive(ctx context.Context, e *Env) error {
	return e.Pool.SetActiveServers(ctx, e.Topo.Pool.ActiveServers)
}

func verifyActiveSet(ctx context.Context, e *Env) error {
	done, why, err := checkActiveSet(ctx, e)
	if err != nil {
		return err
	}
	if !done {
		return fmt.Errorf("after setting them, %s; want %s", why, strings.Join(e.Topo.Pool.ActiveServers, ", "))
	}
	return nil
}

// ---- step 7: pool Normal ----

func checkPoolNormal(ctx context.Context, e *Env) (bool, string, error) {
	st, err := e.Pool.PoolState(ctx)
	if err != nil {
		return false, "", err
	}
	if st != lync.PoolNormal {
		return false, "pool state is " + string(st), nil
	}
	all, err := e.Primary.Sessions(ctx, DBContent)
	if err != nil {
		return false, "", err
	}
	ss := sessionsFrom(all, e.Topo.Pool.ActiveServers)
	if len(ss) == 0 {
		return false, "pool state is Normal but no session from an active server is on the primary mgc yet" + others(all), nil
	}
	return true, fmt.Sprintf("pool state is Normal and %d sessions from %s are on the primary mgc", len(ss), hostsOf(ss)), nil
}

// others describes sessions that do not count, for a wait's message.
func others(all []Session) string {
	if len(all) == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d other sessions, from %s)", len(all), hostsOf(all))
}

func applyPoolNormal(ctx context.Context, e *Env) error {
	if _, ok := e.Fact(FactPoolNormalSent); !ok {
		e.SetFact(FactPoolNormalSent, e.now().UTC().Format(time.RFC3339))
	}
	return e.Pool.SetPoolState(ctx, lync.PoolNormal)
}

func verifyPoolNormal(ctx context.Context, e *Env) error {
	st, err := e.Pool.PoolState(ctx)
	if err != nil {
		return err
	}
	if st != lync.PoolNormal {
		return fmt.Errorf("pool state read back as %s after setting Normal", st)
	}
	want := e.Topo.Pool.ActiveServers
	if err := e.waitFor(ctx, e.Options.ChatArrivalTimeout, "a session from an active chat server ("+strings.Join(want, ", ")+") on the primary mgc", func(ctx context.Context) (bool, string, error) {
		all, err := e.Primary.Sessions(ctx, DBContent)
		if err != nil {
			return false, "", err
		}
		return len(sessionsFrom(all, want)) > 0, "no such session on " + e.Primary.Instance() + " mgc" + others(all), nil
	}); err != nil {
		return err
	}
	now := e.now()
	if _, ok := e.Fact(FactFirstPrimarySession); !ok {
		e.SetFact(FactFirstPrimarySession, now.UTC().Format(time.RFC3339Nano))
		if s, ok := e.Fact(FactOutageStart); ok {
			if t0, err := time.Parse(time.RFC3339Nano, s); err == nil {
				e.Measure(MeasureChatOutage, now.Sub(t0).Seconds())
			}
		}
	}
	return nil
}
