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
		Steps: []Step{
			{Name: StepClearActive, Title: "clear the Persistent Chat active server list and wait for chat sessions to leave the backup databases",
				Check: checkCleared, Apply: applyClear, Verify: verifyCleared},
			{Name: StepRemoveMirror, Title: "remove mirroring on the backup mgc and mgccomp",
				Check: checkUnmirrored, Apply: applyUnmirror, Verify: verifyUnmirrored},
			{Name: StepBackup, Title: "full backup of the backup mgc to the share, verified",
				Budget: sizeBudget(1), Check: checkBackup, Apply: applyBackup, Verify: verifyBackup},
			{Name: StepRestore, Title: "restore the backup over the primary mgc WITH REPLACE, RECOVERY", Destructive: true,
				Budget: sizeBudget(1), Check: checkRestored, Apply: applyRestore, Verify: verifyRestored},
			{Name: StepLogShipping, Title: "configure log shipping from the primary mgc to the backup server", Destructive: true,
				Budget: sizeBudget(2), Check: checkLogShipping, Apply: applyLogShipping, Verify: verifyLogShipping},
			{Name: StepSetActive, Title: "set the active servers for the primary data center",
				Check: checkActiveSet, Apply: applySetActive, Verify: verifyActiveSet},
			{Name: StepPoolNormal, Title: "set the pool state to Normal and wait for chat sessions on the primary mgc",
				Check: checkPoolNormal, Apply: applyPoolNormal, Verify: verifyPoolNormal},
		},
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

// ---- step 3: backup of the backup mgc ----

// findSet looks for a named set in a backup file. A file that does not
// exist yet (3201) or is not a backup answers "not found", not an error.
func findSet(ctx context.Context, s SQL, path, name string) (BackupSet, bool, error) {
	sets, err := s.BackupSets(ctx, path)
	if err != nil {
		if len(sqlserver.SQLErrorNumbers(err)) > 0 && !IsTransient(err) {
			return BackupSet{}, false, nil
		}
		return BackupSet{}, false, err
	}
	var best BackupSet
	found := false
	for _, b := range sets {
		if b.Name == name && strings.EqualFold(b.DatabaseName, DBContent) && b.Type == 1 && b.Position >= best.Position {
			best, found = b, true
		}
	}
	return best, found, nil
}

func checkBackup(ctx context.Context, e *Env) (bool, string, error) {
	set, ok, err := findSet(ctx, e.Backup, e.BackupPath(), e.BackupSetName())
	if err != nil || !ok {
		return false, "no backup set " + strconv.Quote(e.BackupSetName()) + " in " + e.BackupPath(), err
	}
	if err := e.Backup.VerifyBackup(ctx, e.BackupPath(), set.Position); err != nil {
		if IsTransient(err) {
			return false, "", err
		}
		return false, "backup set in " + e.BackupPath() + " does not verify: " + err.Error(), nil
	}
	return true, fmt.Sprintf("backup set %q is in %s at position %d and verifies", set.Name, e.BackupPath(), set.Position), nil
}

func applyBackup(ctx context.Context, e *Env) error {
	res, err := e.Backup.BackupDatabase(ctx, BackupSpec{Database: DBContent, Path: e.BackupPath(), Name: e.BackupSetName(), Compression: e.Topo.Backups.Compression,
		Description: "Persistent Chat failback " + e.runID + ": backup mgc before restoring it over the primary"})
	if err != nil {
		return err
	}
	e.SetFact("backup_position", strconv.Itoa(res.Position))
	return nil
}

func verifyBackup(ctx context.Context, e *Env) error {
	set, ok, err := findSet(ctx, e.Backup, e.BackupPath(), e.BackupSetName())
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("backup set %q not found in %s", e.BackupSetName(), e.BackupPath())
	}
	if !set.Checksums {
		return fmt.Errorf("backup set %q in %s has no checksums", set.Name, e.BackupPath())
	}
	return e.Backup.VerifyBackup(ctx, e.BackupPath(), set.Position)
}

// ---- step 4: restore over the primary mgc ----

func checkRestored(ctx context.Context, e *Env) (bool, string, error) {
	hist, err := e.Primary.RestoreHistory(ctx, DBContent)
	if err != nil {
		return false, "", err
	}
	var rec *RestoreRecord
	for i := range hist {
		if hist[i].BackupSetName == e.BackupSetName() && hist[i].Replace && hist[i].Recovery {
			rec = &hist[i]
			break
		}
	}
	if rec == nil {
		return false, "the primary mgc's restore history has no restore of " + strconv.Quote(e.BackupSetName()), nil
	}
	st, err := e.Primary.DatabaseState(ctx, DBContent)
	if err != nil {
		return false, "", err
	}
	if st.State != "ONLINE" {
		return false, "restored from " + strconv.Quote(e.BackupSetName()) + " but the primary mgc is " + st.State, nil
	}
	return true, fmt.Sprintf("the primary mgc was restored from %q at %s and is ONLINE", rec.BackupSetName, rec.Date.UTC().Format(time.RFC3339)), nil
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
	files, err := e.Primary.FileList(ctx, e.BackupPath(), set.Position)
	if err != nil {
		return err
	}
	existing, err := e.Primary.DatabaseFiles(ctx, DBContent)
	if err != nil {
		return err
	}
	return e.Primary.RestoreDatabase(ctx, RestoreSpec{Database: DBContent, Path: e.BackupPath(), File: set.Position,
		Moves: DeriveMoves(files, existing), Replace: true, Recovery: true})
}

// CompareChecksums describes every table whose row count or checksum
// differs between two databases ("" when they match).
func CompareChecksums(want, got []TableChecksum) string {
	key := func(t TableChecksum) string { return t.Schema + "." + t.Table }
	g := map[string]TableChecksum{}
	for _, t := range got {
		g[key(t)] = t
	}
	var diffs []string
	seen := map[string]bool{}
	for _, w := range want {
		k := key(w)
		seen[k] = true
		x, ok := g[k]
		switch {
		case !ok:
			diffs = append(diffs, k+" is missing")
		case x.Rows != w.Rows:
			diffs = append(diffs, fmt.Sprintf("%s has %d rows, want %d", k, x.Rows, w.Rows))
		case x.Checksum != w.Checksum:
			diffs = append(diffs, fmt.Sprintf("%s checksum %d, want %d", k, x.Checksum.Int64, w.Checksum.Int64))
		}
	}
	for _, t := range got {
		if !seen[key(t)] {
			diffs = append(diffs, key(t)+" is not in the source")
		}
	}
	slices.Sort(diffs)
	return strings.Join(diffs, "; ")
}

func verifyRestored(ctx context.Context, e *Env) error {
	done, why, err := checkRestored(ctx, e)
	if err != nil {
		return err
	}
	if !done {
		return fmt.Errorf("restore not confirmed: %s", why)
	}
	bst, err := e.Backup.DatabaseState(ctx, DBContent)
	if err != nil {
		return err
	}
	if bst.State != "ONLINE" {
		// Step 5 has already re-initialised the backup mgc: the copy the
		// restore came from is gone, the restore history is the evidence.
		e.Note("the backup mgc is " + bst.State + "; table contents not compared, restore history confirms the restore")
		return nil
	}
	// Row counts from sys.partitions, not a scan of every table: this
	// runs inside the outage (issue 12, defect 6).
	want, err := e.Backup.RowCounts(ctx, DBContent)
	if err != nil {
		return err
	}
	got, err := e.Primary.RowCounts(ctx, DBContent)
	if err != nil {
		return err
	}
	if d := CompareRowCounts(want, got); d != "" {
		return fmt.Errorf("the restored primary mgc differs from the backup mgc: %s", d)
	}
	return nil
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
	if !ok || m.LastRestoredFile == "" {
		return false, "log shipping is configured but no log backup has been restored on the secondary yet", nil
	}
	return true, "log shipping configured; last restored " + m.LastRestoredFile, nil
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
	// Initialise the secondary: "Yes, generate a full backup of the primary
	// database and restore it into the secondary database" (§2.3 step 14).
	res, err := e.Primary.BackupDatabase(ctx, BackupSpec{Database: DBContent, Path: e.LogShippingInitPath(), Name: e.LogShippingInitSetName(), Compression: e.Topo.Backups.Compression,
		Description: "Persistent Chat failback " + e.runID + ": initialise the log-shipping secondary"})
	if err != nil {
		return err
	}
	if err := e.Primary.VerifyBackup(ctx, e.LogShippingInitPath(), res.Position); err != nil {
		return err
	}
	files, err := e.Backup.FileList(ctx, e.LogShippingInitPath(), res.Position)
	if err != nil {
		return err
	}
	existing, err := e.Backup.DatabaseFiles(ctx, DBContent)
	if err != nil {
		return err
	}
	standby := ls.RestoreMode == topology.RestoreStandby
	rs := RestoreSpec{Database: DBContent, Path: e.LogShippingInitPath(), File: res.Position, Moves: DeriveMoves(files, existing), Replace: true}
	if standby {
		rs.StandbyFile = joinUNC(ls.CopyDirectory, DBContent+"_"+e.runID+".tuf")
	}
	if err := e.Backup.RestoreDatabase(ctx, rs); err != nil {
		return err
	}
	start := e.scheduleStart()
	if err := e.Primary.AddLogShippingPrimary(ctx, LogShippingPrimary{Database: DBContent, BackupDirectory: t.Share.UNC, BackupShare: t.Share.UNC,
		BackupJob: ls.BackupJob, ScheduleName: "LSBackupSchedule_" + DBContent, ScheduleMinutes: ls.ScheduleMinutes,
		RetentionMinutes: ls.RetentionMinutes, BackupThresholdMinutes: ls.BackupThresholdMinutes, StartDate: start}); err != nil {
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
	return e.Primary.AddLogShippingPrimarySecondary(ctx, DBContent, n.backup, DBContent)
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
	var last LSSecondaryMonitor
	if err := e.runJob(ctx, e.Backup, ls.RestoreJob, "the log restore job", func(ctx context.Context) (bool, string, error) {
		m, ok, err := e.Backup.SecondaryMonitor(ctx, DBContent)
		if err != nil {
			return false, "", err
		}
		last = m
		return ok && m.LastRestoredFile != "" && (m.LastRestoredFile != sbefore.LastRestoredFile || m.LastRestoredDate.After(sbefore.LastRestoredDate)),
			"last restored file " + strconv.Quote(m.LastRestoredFile), nil
	}); err != nil {
		return err
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
