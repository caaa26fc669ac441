// Package sqllogship is the log-shipping agent: what sqllogship.exe does
// when the backup, copy and restore jobs run it. It is a client of the
// instance, as the real executable is of SQL Server: the Agent's job host
// (sim/mssql/engine) runs it for a CmdExec step whose command line Parse
// reads, and it knows the instance only through Server.
package sqllogship

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/big"
	"sort"
	"strings"
	"time"

	"github.com/pchatdr/harness/sim/mssql/hostfs"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sqlerr"
)

// The agent. Like the real agent it works through T-SQL on
// its own connection (BACKUP LOG, RESTORE HEADERONLY, RESTORE LOG, the
// msdb tables) and through the file system as the Agent's account, so the
// engine's rules decide the outcome: a gap in the copied files fails the
// restore with 4305, a share the Agent cannot read fails the copy with the
// operating system's error. Every run writes log_shipping_monitor_history_
// detail rows (a session per run), failures also _error_detail rows with
// SQL Server's message texts, and the job step's output (the Agent's
// history message) carries the same lines.
//
// sqllogship's own wording is approximated; the SQL Server and operating
// system messages inside it are exact.

// lsRun is one run of one log-shipping agent.
type lsRun struct {
	inst      Server
	ctx       context.Context
	agentID   sqltypes.GUID
	agentType int
	session   int64
	seq       int
	lines     []string
}

// Run is one run of the agent of kind ("backup", "copy" or "restore", as
// Parse gives it) for the primary or secondary id: it returns the output
// the Agent keeps in the job step's history, and an error when the run
// failed (the executable's exit code 1).
func Run(ctx context.Context, srv Server, kind string, id sqltypes.GUID) (string, error) {
	r := &lsRun{inst: srv, ctx: ctx, agentID: id}
	var err error
	switch kind {
	case "backup":
		r.agentType = lsBackupAgent
		err = r.start("", "Starting transaction log backup. Primary ID: '%s'", id)
		if err == nil {
			err = r.backup()
		}
	case "copy":
		r.agentType = lsCopyAgent
		err = r.start("", "Starting transaction log copy. Secondary ID: '%s'", id)
		if err == nil {
			err = r.copy()
		}
	default:
		r.agentType = lsRestoreAgent
		err = r.start("", "Starting transaction log restore. Secondary ID: '%s'", id)
		if err == nil {
			err = r.restore()
		}
	}
	out := strings.Join(r.lines, "  ")
	if err != nil {
		return out + "  Process Exit Code 1.", err
	}
	return out + "  Process Exit Code 0.", nil
}

func (r *lsRun) now() time.Time { return r.inst.Now() }

// sql runs T-SQL for the agent on its own connection.
func (r *lsRun) sql(text string) (*Result, error) {
	return r.inst.Exec(r.ctx, text)
}

// start opens a monitor session: session_id is one more than the agent's
// last.
func (r *lsRun) start(db string, format string, args ...any) error {
	sink, err := r.sql(fmt.Sprintf("SELECT MAX(session_id) FROM msdb.dbo.log_shipping_monitor_history_detail WHERE agent_id = %s AND agent_type = %d",
		lit(r.agentID), r.agentType))
	if err != nil {
		return err
	}
	if rows := sink.Rows(0); len(rows) > 0 {
		r.session = vInt(rows[0][0]) + 1
	}
	if r.session == 0 {
		r.session = 1
	}
	if err := r.purgeHistory(); err != nil {
		return err
	}
	return r.history(db, lsStarting, format, args...)
}

// purgeHistory deletes this agent's monitor rows older than the
// configuration's history_retention_period, as the agents' own cleanup
// (sp_cleanup_log_shipping_history) does, so a sped-up month of log
// shipping does not grow msdb without bound.
func (r *lsRun) purgeHistory() error {
	q := "SELECT MAX(history_retention_period) FROM msdb.dbo.log_shipping_monitor_primary WHERE primary_id = " + lit(r.agentID)
	if r.agentType != lsBackupAgent {
		q = "SELECT MAX(history_retention_period) FROM msdb.dbo.log_shipping_monitor_secondary WHERE secondary_id = " + lit(r.agentID)
	}
	sink, err := r.sql(q)
	if err != nil {
		return err
	}
	keep := int64(0)
	if rows := sink.Rows(0); len(rows) > 0 {
		keep = vInt(rows[0][0])
	}
	if keep <= 0 {
		return nil
	}
	cutoff := lit(r.now().UTC().Add(-time.Duration(keep) * time.Minute))
	_, err = r.sql(fmt.Sprintf(`DELETE msdb.dbo.log_shipping_monitor_history_detail WHERE agent_id = %[1]s AND agent_type = %[2]d AND log_time_utc < %[3]s;
DELETE msdb.dbo.log_shipping_monitor_error_detail WHERE agent_id = %[1]s AND agent_type = %[2]d AND log_time_utc < %[3]s;`, lit(r.agentID), r.agentType, cutoff))
	return err
}

// history writes a monitor history row and a line of the step's output.
func (r *lsRun) history(db string, status int, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	now := r.now()
	r.lines = append(r.lines, wallClock(now).Format("2006-01-02 15:04:05.00")+"\t"+msg)
	var dbv any
	if db != "" {
		dbv = db
	}
	_, err := r.sql(fmt.Sprintf("INSERT msdb.dbo.log_shipping_monitor_history_detail (agent_id, agent_type, session_id, database_name, session_status, log_time, log_time_utc, message) VALUES (%s, %d, %d, %s, %d, %s, %s, %s)",
		lit(r.agentID), r.agentType, r.session, lit(dbv), status, lit(wallClock(now)), lit(now.UTC()), lit(truncText(msg, 4000))))
	return err
}

// fail records errors (error detail rows, in order, and an error history
// row) and returns the error that ends the run.
func (r *lsRun) fail(db, source string, msgs ...string) error {
	now := r.now()
	var dbv any
	if db != "" {
		dbv = db
	}
	var b strings.Builder
	for _, m := range msgs {
		r.seq++
		fmt.Fprintf(&b, "INSERT msdb.dbo.log_shipping_monitor_error_detail (agent_id, agent_type, session_id, database_name, sequence_number, log_time, log_time_utc, message, source, help_url) VALUES (%s, %d, %d, %s, %d, %s, %s, %s, %s, NULL);\n",
			lit(r.agentID), r.agentType, r.session, lit(dbv), r.seq, lit(wallClock(now)), lit(now.UTC()), lit(truncText(m, 4000)), lit(source))
	}
	if _, err := r.sql(b.String()); err != nil {
		return err
	}
	text := "*** Error: " + strings.Join(msgs, " ") + "(" + source + ") ***"
	if err := r.history(db, lsError, "%s", text); err != nil {
		return err
	}
	return errors.New(text)
}

// sqlFailure records the errors a T-SQL statement raised.
func (r *lsRun) sqlFailure(db string, sink *Result, err error) error {
	var msgs []string
	if sink != nil {
		for _, e := range sink.Errors {
			msgs = append(msgs, e.Message)
		}
	}
	if len(msgs) == 0 {
		msgs = []string{err.Error()}
	}
	return r.fail(db, ".Net SqlClient Data Provider", msgs...)
}

func truncText(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// lsFile is a log backup file of a log-shipping primary: <db>_<UTC yyyymmddhhmmss>.trn.
type lsFile struct {
	name string
	at   time.Time
}

const lsStamp = "20060102150405"

// lsFiles lists the log-shipping backup files of database db in dir as
// account, oldest first.
func lsFiles(fs *hostfs.FS, account, dir, db string) ([]lsFile, error) {
	ents, err := fs.ReadDir(account, dir)
	if err != nil {
		return nil, err
	}
	var out []lsFile
	for _, e := range ents {
		if f, ok := parseLSFile(e.Name(), db); ok && !e.IsDir() {
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].at.Before(out[j].at) })
	return out, nil
}

func parseLSFile(name, db string) (lsFile, bool) {
	base := name
	if i := strings.LastIndexAny(base, `\/`); i >= 0 {
		base = base[i+1:]
	}
	// Lengths are compared on the original bytes: strings.ToLower can change
	// a string's length (invalid UTF-8, some non-ASCII letters), so slicing a
	// name by the length of its lowered form could run past its end.
	const ext = ".trn"
	n := len(db) + 1
	if len(base) != n+len(lsStamp)+len(ext) || !strings.EqualFold(base[:len(db)], db) ||
		base[len(db)] != '_' || !strings.EqualFold(base[n+len(lsStamp):], ext) {
		return lsFile{}, false
	}
	t, err := time.Parse(lsStamp, base[n:n+len(lsStamp)])
	if err != nil {
		return lsFile{}, false
	}
	return lsFile{name: base, at: t}, true
}

// ---- backup ----------------------------------------------------------------

func (r *lsRun) backup() error {
	sink, err := r.sql("SELECT primary_database, backup_directory, backup_retention_period, backup_compression FROM msdb.dbo.log_shipping_primary_databases WHERE primary_id = " + lit(r.agentID))
	if err != nil {
		return r.sqlFailure("", sink, err)
	}
	rows := sink.Rows(0)
	if len(rows) == 0 {
		return r.fail("", "Microsoft.SqlServer.Management.LogShipping", fmt.Sprintf("Could not retrieve backup settings for primary ID '%s'.", r.agentID))
	}
	dbName, dir, keep, compression := vStr(rows[0][0]), vStr(rows[0][1]), vInt(rows[0][2]), vInt(rows[0][3])
	comp := map[int64]string{0: "Disabled", 1: "Enabled"}[compression]
	if comp == "" {
		comp = "Server Default"
	}
	if err := r.history(dbName, lsRunning, "Retrieved backup settings. Primary Database: '%s', Backup Directory: '%s', Backup Retention Period: %d minute(s), Backup Compression: %s",
		dbName, dir, keep, comp); err != nil {
		return err
	}
	if online, sink, err := r.online(dbName); err != nil {
		return r.sqlFailure(dbName, sink, err)
	} else if !online {
		// A mirror (RESTORING) configured as a primary for after a mirroring
		// failover: the job has nothing to do and succeeds.
		if err := r.history(dbName, lsWarning, "%s", sqlerr.New(sqlerr.LSBackupNotOnline, dbName).Message); err != nil {
			return err
		}
		return r.history(dbName, lsSuccess, "The backup operation was successful. Primary ID: '%s'", r.agentID)
	}
	now := r.now()
	path := hostfs.Join(dir, dbName+"_"+now.UTC().Format(lsStamp)+".trn")
	if err := r.history(dbName, lsRunning, "Backing up transaction log. Primary Database: '%s', Log Backup File: '%s'", dbName, path); err != nil {
		return err
	}
	text := "BACKUP LOG " + quoteName(dbName) + " TO DISK = " + lit(path)
	if compression == 1 {
		text += " WITH COMPRESSION"
	}
	if sink, err := r.sql(text); err != nil {
		return r.sqlFailure(dbName, sink, err)
	}
	local, utc := wallClock(now), now.UTC()
	if _, err := r.sql(fmt.Sprintf(`UPDATE msdb.dbo.log_shipping_primary_databases SET last_backup_file = %[1]s, last_backup_date = %[2]s WHERE primary_id = %[4]s;
UPDATE msdb.dbo.log_shipping_monitor_primary SET last_backup_file = %[1]s, last_backup_date = %[2]s, last_backup_date_utc = %[3]s WHERE primary_id = %[4]s;`,
		lit(path), lit(local), lit(utc), lit(r.agentID))); err != nil {
		return err
	}
	if err := r.history(dbName, lsRunning, "First attempt to backup database '%s' to file '%s' succeeded.", dbName, path); err != nil {
		return err
	}
	if err := r.cleanup(dbName, dir, dbName, keep); err != nil {
		return err
	}
	return r.history(dbName, lsSuccess, "The backup operation was successful. Primary Database: '%s', Log Backup File: '%s'", dbName, path)
}

// cleanup deletes log-shipping files of db in dir older than keep minutes,
// as the Agent; what it cannot delete it reports as a warning.
func (r *lsRun) cleanup(logDB, dir, db string, keep int64) error {
	fs, err := r.inst.Files()
	if err != nil {
		return r.history(logDB, lsWarning, "Skipped file cleanup: %v", err)
	}
	files, err := lsFiles(fs, r.inst.AgentAccount(), dir, db)
	if err != nil {
		return r.history(logDB, lsWarning, "Could not list '%s' to delete old files. %v", dir, err)
	}
	cutoff := r.now().UTC().Add(-time.Duration(keep) * time.Minute)
	n := 0
	for _, f := range files {
		if !f.at.Before(cutoff) {
			continue
		}
		if err := fs.Remove(r.inst.AgentAccount(), hostfs.Join(dir, f.name)); err != nil {
			if werr := r.history(logDB, lsWarning, "Could not delete old log backup file '%s'. %v", hostfs.Join(dir, f.name), err); werr != nil {
				return werr
			}
			continue
		}
		n++
	}
	return r.history(logDB, lsRunning, "Deleted %d old log backup file(s) from '%s'. Retention period: %d minute(s)", n, dir, keep)
}

// ---- copy ------------------------------------------------------------------

func (r *lsRun) copy() error {
	sink, err := r.sql("SELECT primary_server, primary_database, backup_source_directory, backup_destination_directory, file_retention_period, last_copied_file FROM msdb.dbo.log_shipping_secondary WHERE secondary_id = " + lit(r.agentID))
	if err != nil {
		return r.sqlFailure("", sink, err)
	}
	rows := sink.Rows(0)
	if len(rows) == 0 {
		return r.fail("", "Microsoft.SqlServer.Management.LogShipping", fmt.Sprintf("Could not retrieve copy settings for secondary ID '%s'.", r.agentID))
	}
	psrv, pdb, src, dst, keep, last := vStr(rows[0][0]), vStr(rows[0][1]), vStr(rows[0][2]), vStr(rows[0][3]), vInt(rows[0][4]), vStr(rows[0][5])
	if err := r.history("", lsRunning, "Retrieved copy settings. Primary Server: '%s', Primary Database: '%s', Backup Source Directory: '%s', Backup Destination Directory: '%s', Last Copied File: '%s'",
		psrv, pdb, src, dst, orNone(last)); err != nil {
		return err
	}
	fs, err := r.inst.Files()
	if err != nil {
		return r.fail("", "mscorlib", err.Error())
	}
	acct := r.inst.AgentAccount()
	files, err := lsFiles(fs, acct, src, pdb)
	if err != nil {
		return r.fail("", "mscorlib", fmt.Sprintf("Could not list the backup source directory '%s'. %v", src, err))
	}
	lastF, hasLast := parseLSFile(last, pdb)
	copied := 0
	for _, f := range files {
		if hasLast && !f.at.After(lastF.at) {
			continue
		}
		from, to := hostfs.Join(src, f.name), hostfs.Join(dst, f.name)
		if err := r.history("", lsRunning, "Copying log backup file '%s' to '%s'", from, to); err != nil {
			return err
		}
		if err := copyLSFile(r.ctx, fs, acct, from, to); err != nil {
			return r.fail("", "mscorlib", fmt.Sprintf("Could not copy log backup file '%s' to '%s'. %v", from, to, err))
		}
		now := r.now()
		if _, err := r.sql(fmt.Sprintf(`UPDATE msdb.dbo.log_shipping_secondary SET last_copied_file = %[1]s, last_copied_date = %[2]s WHERE secondary_id = %[4]s;
UPDATE msdb.dbo.log_shipping_monitor_secondary SET last_copied_file = %[1]s, last_copied_date = %[2]s, last_copied_date_utc = %[3]s WHERE secondary_id = %[4]s;`,
			lit(to), lit(wallClock(now)), lit(now.UTC()), lit(r.agentID))); err != nil {
			return err
		}
		copied++
	}
	if err := r.cleanup("", dst, pdb, keep); err != nil {
		return err
	}
	return r.history("", lsSuccess, "The copy operation was successful. Secondary ID: '%s', Number of log backup files copied: %d", r.agentID, copied)
}

func orNone(s string) string {
	if s == "" {
		return "<None>"
	}
	return s
}

// copyLSFile copies one file as account: into a temporary name first, so
// the restore job never sees half a file, then renamed. Bytes read from or
// written to a share in the other data center cross the WAN link.
func copyLSFile(ctx context.Context, fs *hostfs.FS, account, from, to string) error {
	in, err := fs.Open(account, from)
	if err != nil {
		return err
	}
	defer in.Close()
	paceIn, err := fs.Pacing(ctx, "read", from)
	if err != nil {
		return err
	}
	tmp := to + ".tmp"
	out, err := fs.Create(account, tmp)
	if err != nil {
		return err
	}
	paceOut, err := fs.Pacing(ctx, "write", tmp)
	if err != nil {
		out.Close()
		_ = fs.Remove(account, tmp)
		return err
	}
	if _, err := io.Copy(pacedWriter{out, paceOut}, pacedReader{in, paceIn}); err != nil {
		out.Close()
		_ = fs.Remove(account, tmp)
		return err
	}
	// The copy is done when its last bytes crossed (pace(0) waits for the
	// bytes still in flight).
	for _, pace := range []func(int) error{paceIn, paceOut} {
		if pace == nil {
			continue
		}
		if err := pace(0); err != nil {
			out.Close()
			_ = fs.Remove(account, tmp)
			return err
		}
	}
	if err := out.Close(); err != nil {
		_ = fs.Remove(account, tmp)
		return err
	}
	if _, err := fs.Stat(account, to); err == nil {
		if err := fs.Remove(account, to); err != nil {
			return err
		}
	}
	return fs.Rename(account, tmp, to)
}

// ---- restore ---------------------------------------------------------------

type lsSecondaryDB struct {
	name       string
	delay      int64
	all        bool
	standby    bool
	disconnect bool
	last       string
}

func (r *lsRun) restore() error {
	sink, err := r.sql(`SELECT s.primary_server, s.primary_database, s.backup_destination_directory, d.secondary_database, d.restore_delay,
	d.restore_all, d.restore_mode, d.disconnect_users, d.last_restored_file
	FROM msdb.dbo.log_shipping_secondary AS s JOIN msdb.dbo.log_shipping_secondary_databases AS d ON d.secondary_id = s.secondary_id
	WHERE s.secondary_id = ` + lit(r.agentID) + ` ORDER BY d.secondary_database`)
	if err != nil {
		return r.sqlFailure("", sink, err)
	}
	rows := sink.Rows(0)
	if len(rows) == 0 {
		if err := r.history("", lsRunning, "No secondary databases are configured for secondary ID '%s'.", r.agentID); err != nil {
			return err
		}
		return r.history("", lsSuccess, "The restore operation was successful. Secondary ID: '%s'", r.agentID)
	}
	pdb, dir := vStr(rows[0][1]), vStr(rows[0][2])
	var failed error
	for _, row := range rows {
		d := lsSecondaryDB{name: vStr(row[3]), delay: vInt(row[4]), all: vInt(row[5]) != 0, standby: vInt(row[6]) != 0,
			disconnect: vInt(row[7]) != 0, last: vStr(row[8])}
		if err := r.restoreDB(pdb, dir, d); err != nil {
			failed = err
		}
	}
	return failed
}

// headerOf reads a log backup file's first set: FirstLSN, LastLSN and type.
func (r *lsRun) headerOf(path string) (first, last *big.Int, typ int64, sink *Result, err error) {
	sink, err = r.sql("RESTORE HEADERONLY FROM DISK = " + lit(path))
	if err != nil {
		return nil, nil, 0, sink, err
	}
	rows := sink.Rows(0)
	fi, li, ti := sink.ColIndex(0, "FirstLSN"), sink.ColIndex(0, "LastLSN"), sink.ColIndex(0, "BackupType")
	if len(rows) == 0 || fi < 0 || li < 0 || ti < 0 {
		return nil, nil, 0, sink, fmt.Errorf("RESTORE HEADERONLY of '%s' returned no backup set", path)
	}
	return lsnInt(rows[0][fi]), lsnInt(rows[0][li]), vInt(rows[0][ti]), sink, nil
}

func lsnInt(v sqltypes.Value) *big.Int {
	if d, ok := v.(sqltypes.Decimal); ok && d.Unscaled != nil {
		return new(big.Int).Set(d.Unscaled)
	}
	return big.NewInt(vInt(v))
}

func (r *lsRun) restoreDB(pdb, dir string, d lsSecondaryDB) error {
	if err := r.history(d.name, lsRunning, "Retrieved database restore settings. Secondary Database: '%s', Restore Delay: %d, Restore All: %t, Restore Mode: %s, Disconnect Users: %t, Last Restored File: %s",
		d.name, d.delay, d.all, map[bool]string{false: "No Recovery", true: "Standby"}[d.standby], d.disconnect, orNone(d.last)); err != nil {
		return err
	}
	fs, err := r.inst.Files()
	if err != nil {
		return r.fail(d.name, "mscorlib", err.Error())
	}
	files, err := lsFiles(fs, r.inst.AgentAccount(), dir, pdb)
	if err != nil {
		return r.fail(d.name, "mscorlib", fmt.Sprintf("Could not list the copy directory '%s'. %v", dir, err))
	}
	lastF, hasLast := parseLSFile(d.last, pdb)
	cutoff := r.now().UTC().Add(-time.Duration(d.delay) * time.Minute)
	type cand struct {
		f     lsFile
		path  string
		first *big.Int
	}
	var cands []cand
	// sqllogship looks for the first file to restore by LSN: a file that
	// ends at or before the database's redo point is skipped unread, not
	// restored. That covers files left from an earlier log-shipping
	// configuration (before a failover and failback), whose records lie
	// on an older recovery fork and which RESTORE LOG would refuse with
	// 4330 rather than 4326.
	redo, _ := r.inst.RedoLSN(d.name)
	for _, f := range files {
		if hasLast && !f.at.After(lastF.at) {
			continue // restored by an earlier run
		}
		if d.delay > 0 && f.at.After(cutoff) {
			continue // younger than @restore_delay
		}
		path := hostfs.Join(dir, f.name)
		first, last, typ, sink, err := r.headerOf(path)
		if err != nil {
			return r.sqlFailure(d.name, sink, err)
		}
		if typ != 2 {
			continue
		}
		if redo != nil && last.Cmp(redo) <= 0 {
			if err := r.history(d.name, lsRunning, "Skipped log backup file. Secondary DB: '%s', File: '%s'", d.name, path); err != nil {
				return err
			}
			continue
		}
		cands = append(cands, cand{f, path, first})
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].first.Cmp(cands[j].first) < 0 })
	restored := 0
	for _, c := range cands {
		if d.disconnect {
			r.inst.KillSessionsIn(d.name)
		}
		text := "RESTORE LOG " + quoteName(d.name) + " FROM DISK = " + lit(c.path) + " WITH FILE = 1, "
		if d.standby {
			text += "STANDBY = " + lit(hostfs.Join(dir, d.name+"_"+c.f.at.Format(lsStamp)+".tuf"))
		} else {
			text += "NORECOVERY"
		}
		if err := r.history(d.name, lsRunning, "Restoring log backup file. Secondary DB: '%s', File: '%s'", d.name, c.path); err != nil {
			return err
		}
		sink, err := r.sql(text)
		if err != nil {
			if sink.HasError(sqlerr.LogTooEarly) {
				// Already contained in the database (the full backup that
				// initialised it, or an earlier restore): skip it.
				if err := r.history(d.name, lsRunning, "Skipped log backup file. Secondary DB: '%s', File: '%s'", d.name, c.path); err != nil {
					return err
				}
				continue
			}
			return r.sqlFailure(d.name, sink, err)
		}
		now := r.now()
		latency := int64(now.UTC().Sub(c.f.at) / time.Minute)
		if _, err := r.sql(fmt.Sprintf(`UPDATE msdb.dbo.log_shipping_secondary_databases SET last_restored_file = %[1]s, last_restored_date = %[2]s WHERE secondary_database = %[4]s;
UPDATE msdb.dbo.log_shipping_monitor_secondary SET last_restored_file = %[1]s, last_restored_date = %[2]s, last_restored_date_utc = %[3]s, last_restored_latency = %[5]s WHERE secondary_database = %[4]s;`,
			lit(c.path), lit(wallClock(now)), lit(now.UTC()), lit(d.name), lit(latency))); err != nil {
			return err
		}
		restored++
		if !d.all {
			break
		}
	}
	if restored == 0 {
		if err := r.history(d.name, lsRunning, "Could not find a log backup file that could be applied to secondary database '%s'.", d.name); err != nil {
			return err
		}
	}
	return r.history(d.name, lsSuccess, "The restore operation was successful. Secondary Database: '%s', Number of log backup files restored: %d", d.name, restored)
}

// pacedReader and pacedWriter hold file data to hostfs.FS.Pacing's link
// (nil pace: local disk, no holding).
type pacedReader struct {
	r    io.Reader
	pace func(int) error
}

func (p pacedReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 && p.pace != nil {
		if perr := p.pace(n); perr != nil {
			return 0, perr
		}
	}
	return n, err
}

type pacedWriter struct {
	w    io.Writer
	pace func(int) error
}

func (p pacedWriter) Write(b []byte) (int, error) {
	if p.pace != nil && len(b) > 0 {
		if err := p.pace(len(b)); err != nil {
			return 0, err
		}
	}
	return p.w.Write(b)
}
