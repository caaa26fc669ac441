package backup

import (
	"errors"
	"io"
	"strings"
	"time"

	"github.com/pchatdr/harness/sim/mssql/backupset"
	"github.com/pchatdr/harness/sim/mssql/capacity"
	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/hostfs"
	"github.com/pchatdr/harness/sim/mssql/storage/media"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// BACKUP DATABASE and BACKUP LOG. The LSN bookkeeping is the engine's
// (lsn.go); this file checks SQL Server's preconditions, writes the media
// as the service account, streams STATS progress and records msdb history.

// countWriter counts what a backup to NUL would write.
type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// fileEntries is FILELISTONLY's list for a database.
func fileEntries(m engine.DBMeta, dataBytes int64) []media.FileEntry {
	var out []media.FileEntry
	for _, f := range m.DBFiles() {
		e := media.FileEntry{LogicalName: f.Name, PhysicalName: f.Physical, Type: "D", FileGroupName: "PRIMARY",
			Size: f.SizePages * 8192, MaxSize: 35184372080640, FileID: int64(f.FileID), SourceBlockSize: 512,
			FileGroupID: 1, IsPresent: true}
		copy(e.UniqueID[:], m.FamilyGUID[:])
		e.UniqueID[15] ^= byte(f.FileID)
		if f.Type == 1 {
			e.Type, e.FileGroupName, e.FileGroupID, e.MaxSize = "L", "", 0, 2199023255552
			e.BackupSizeInBytes = 0
		} else {
			e.BackupSizeInBytes = backupset.PagesOf(dataBytes) * 8192
			if e.Size < e.BackupSizeInBytes {
				e.Size = e.BackupSizeInBytes
			}
		}
		out = append(out, e)
	}
	return out
}

// backupMedia writes one set to the device (or discards it for NUL).
func backupMedia(sc *engine.Scope, device string, hdr media.SetHeader, o *options, payload func(io.Writer) error) (media.SetHeader, error) {
	inst := sc.Instance()
	wopts := media.WriteOptions{
		Init: o.flags["INIT"], Format: o.flags["FORMAT"], Skip: o.flags["SKIP"],
		MediaName: o.str("MEDIANAME"), MediaDescription: o.str("MEDIADESCRIPTION"),
		Checksum: o.flags["CHECKSUM"], Compress: o.flags["COMPRESSION"], Now: inst.Now,
	}
	st := newStats(sc, o.stats)
	if st != nil {
		wopts.Progress = st.Progress
	}
	if device == "NUL" {
		cw := &countWriter{}
		if err := payload(cw); err != nil {
			return hdr, err
		}
		hdr.BackupSize, hdr.CompressedBackupSize, hdr.Position = cw.n, cw.n, 1
		st.Progress(cw.n, cw.n)
		return hdr, nil
	}
	fs, err := inst.Files()
	if err != nil {
		return hdr, err
	}
	host, err := fs.Check(inst.ServiceAccount(), device, hostfs.ReadWrite)
	if err != nil {
		if hostfs.Code(err) == hostfs.ErrDiskFull {
			return hdr, newErr(sqlerr.BackupDeviceWrite, device, backupset.OSErrText(err))
		}
		return hdr, newErr(sqlerr.BackupDeviceOpen, device, backupset.OSErrText(err))
	}
	if wopts.Pace, err = sc.Pacing("write", device); err != nil {
		return hdr, err
	}
	payload, err = capacity.WithQuota(sc.Context(), inst, device, payload)
	if err != nil {
		return hdr, err
	}
	out, err := media.Write(host, hdr, wopts, payload)
	if st != nil && st.Err != nil {
		return out, st.Err
	}
	if err != nil {
		return out, backupset.MediaWriteError(device, err)
	}
	// The estimate the percentages were taken against may exceed what was
	// written; SQL Server always reports the last step ("100 percent
	// processed.") before 3014.
	st.Progress(1, 1)
	if st != nil && st.Err != nil {
		return out, st.Err
	}
	return out, nil
}

func execBackup(sc *engine.Scope, x *tsql.BackupStmt, verb string) error {
	inst := sc.Instance()
	if sc.InTransaction() {
		return newErr(sqlerr.BackupInTransaction)
	}
	name, err := dbName(sc, x.DB, x.DBVar)
	if err != nil {
		return err
	}
	db := inst.DB(name)
	if db == nil {
		return newErr(sqlerr.DatabaseNotFound, name)
	}
	o, err := evalOptions(sc, x.Options)
	if err != nil {
		return err
	}
	if o.flags["DIFFERENTIAL"] {
		return newErr(sqlerr.Message, "BACKUP ... WITH DIFFERENTIAL is not supported by the simulator.")
	}
	if !x.Log && (o.flags["NORECOVERY"] || o.flags["STANDBY"] || o.flags["NO_TRUNCATE"]) {
		return newErr(sqlerr.OptionsNotSupported, "NORECOVERY, STANDBY, NO_TRUNCATE")
	}
	if strings.EqualFold(db.Name(), "tempdb") {
		return newErr(sqlerr.TempdbBackup)
	}
	m := db.Meta()
	if db.MirroringRole() == engine.MirrorRoleMirror {
		return newErr(sqlerr.DatabaseIsMirror, m.Name)
	}
	if err := db.OpenError(); err != nil {
		return err
	}
	device, err := device(sc, x.Devices)
	if err != nil {
		return err
	}
	if !db.Durable() && x.Log {
		return newErr(sqlerr.Message, "BACKUP LOG needs a durable instance (a data directory): this in-memory instance keeps no log.")
	}
	start := time.Now()
	if x.Log {
		return backupLog(sc, db, device, o, verb, start)
	}
	return backupDatabase(sc, db, device, o, verb, start)
}

// baseHeader fills the HEADERONLY columns every set of db shares.
func baseHeader(sc *engine.Scope, db *engine.Database, o *options) media.SetHeader {
	inst := sc.Instance()
	m := db.Meta()
	ls := db.LogState()
	machine, _, _ := strings.Cut(inst.Name(), `\`)
	h := media.SetHeader{
		BackupName: o.str("NAME"), BackupDescription: o.str("DESCRIPTION"),
		UserName: sc.Session().LoginName(), ServerName: inst.Name(), DatabaseName: m.Name, DatabaseVersion: 957,
		DatabaseCreationDate: m.Created, BackupStartDate: engine.WallClock(inst.Now()), CompatibilityLevel: 160,
		SoftwareVendorID: 4608, SoftwareVersionMajor: 16, SoftwareVersionMinor: 0, SoftwareVersionBuild: 1000,
		MachineName: machine, BindingID: ls.DatabaseGUID, RecoveryForkID: ls.ForkGUID,
		Collation: "SQL_Latin1_General_CP1_CI_AS", FamilyGUID: m.FamilyGUID, IsReadOnly: m.ReadOnly,
		IsSingleUser: m.UserAccess == engine.SingleUser, IsCopyOnly: o.flags["COPY_ONLY"], FirstRecoveryForkID: ls.ForkGUID,
		ForkPointLSN: uint64(ls.ForkPoint), RecoveryModel: recoveryName(m.Recovery), BackupSetGUID: engine.NewGUID(),
		DatabaseGUID: ls.DatabaseGUID,
	}
	if o.flags["CHECKSUM"] {
		h.Flags |= 16
	}
	if h.IsCopyOnly {
		h.Flags |= 1024
	}
	if v, ok := o.vals["EXPIREDATE"]; ok {
		if t, ok := v.(time.Time); ok {
			h.ExpirationDate = t
		}
	} else if v, ok := o.vals["RETAINDAYS"]; ok {
		if n, ok := engine.IntValue(v); ok && n > 0 {
			h.ExpirationDate = engine.WallClock(inst.Now()).AddDate(0, 0, int(n))
		}
	}
	return h
}

func backupDatabase(sc *engine.Scope, db *engine.Database, device string, o *options, verb string, start time.Time) error {
	ctx := sc.Context()
	inst := sc.Instance()
	hdr := baseHeader(sc, db, o)
	hdr.BackupType = media.TypeDatabase
	// The checkpoint record first, then the committed state: every record
	// up to the state's point is in the backup, so its LastLSN is the next
	// LSN and a restore continues exactly there.
	snap, err := db.BackupSnapshot(ctx)
	if err != nil {
		return err
	}
	ckp := snap.Checkpoint
	ls := db.LogState()
	hdr.FirstLSN, hdr.CheckpointLSN, hdr.LastLSN = uint64(ckp), uint64(ckp), uint64(snap.End)
	hdr.DatabaseBackupLSN = uint64(ls.LastFullCheckpoint)
	if ls.ForkPoint != 0 && ckp < ls.ForkPoint {
		hdr.FirstRecoveryForkID = ls.PrevForkGUID
	}
	size := snap.Size()
	hdr.BackupSize = size
	hdr.Files = fileEntries(db.Meta(), size)
	out, err := backupMedia(sc, device, hdr, o, func(w io.Writer) error {
		_, err := snap.WriteTo(w)
		return err
	})
	if err != nil {
		return err
	}
	m := db.Meta()
	if !hdr.IsCopyOnly {
		durable := db.Durable()
		err := inst.UpdateLogState(ctx, db, func(_ *engine.DBMeta, ls *engine.LogState) {
			ls.LastFullCheckpoint = ckp
			ls.LastFullBackupSet = hdr.BackupSetGUID
			if m.Recovery != engine.RecoverySimple && ls.ChainStart == 0 && durable {
				ls.ChainStart = ckp
				ls.LastLogBackupEnd = 0
			}
		})
		if err != nil {
			return err
		}
		db.HoldLogForBackup()
	}
	recordBackupHistory(ctx, inst, device, out)
	files := db.Meta().DBFiles()
	for _, f := range files {
		pages := int64(2)
		if f.Type == 0 {
			pages = backupset.PagesOf(size)
		}
		if err := sc.Message(newErr(sqlerr.ProcessedPages, pages, m.Name, f.Name, out.Position)); err != nil {
			return err
		}
	}
	if err := sc.Message(backupset.DoneMessage(verb, backupset.PagesOf(size)+2, time.Since(start))); err != nil {
		return err
	}
	sc.Succeeded()
	return nil
}

func backupLog(sc *engine.Scope, db *engine.Database, device string, o *options, verb string, start time.Time) error {
	ctx := sc.Context()
	inst := sc.Instance()
	m := db.Meta()
	if m.Recovery == engine.RecoverySimple {
		return newErr(sqlerr.LogBackupSimpleRecovery)
	}
	ls := db.LogState()
	if ls.ChainStart == 0 {
		return newErr(sqlerr.NoCurrentDatabaseBackup)
	}
	tail := o.flags["NORECOVERY"] || o.flags["STANDBY"]
	if tail {
		for _, id := range inst.SessionsIn(db) {
			if id != sc.Session().ID() {
				return newErr(sqlerr.DatabaseInUse)
			}
		}
		if sc.Session().CurrentDatabase() == db {
			return newErr(sqlerr.DatabaseInUseBySession, "BACKUP LOG", m.Name)
		}
	}
	first := ls.LastLogBackupEnd
	if first == 0 {
		first = ls.ChainStart
	}
	mark, err := db.AppendMarker(ctx)
	if err != nil {
		return err
	}
	ms, _ := mark.Seq()
	last := engine.LSNOfSeq(ms + 1)
	hdr := baseHeader(sc, db, o)
	hdr.BackupType = media.TypeLog
	hdr.FirstLSN, hdr.LastLSN, hdr.CheckpointLSN = uint64(first), uint64(last), uint64(mark)
	hdr.DatabaseBackupLSN = uint64(ls.LastFullCheckpoint)
	hdr.BeginsLogChain = first == ls.ChainStart && ls.LastLogBackupEnd == 0
	if ls.ForkPoint != 0 && first < ls.ForkPoint {
		hdr.FirstRecoveryForkID = ls.PrevForkGUID
	}
	hdr.Files = fileEntries(m, 0)
	var total int64
	errStop := errors.New("stop")
	out, err := backupMedia(sc, device, hdr, o, func(w io.Writer) error {
		err := db.ReadLogRecords(first, func(r engine.LogRecord) error {
			if r.LSN >= last {
				return errStop
			}
			n, err := backupset.WriteLogRecord(w, r.LSN, r.Payload)
			total += int64(n)
			return err
		})
		if errors.Is(err, errStop) {
			return nil
		}
		if errors.Is(err, engine.ErrLogTruncated) {
			return newErr(sqlerr.NoCurrentDatabaseBackup)
		}
		return err
	})
	if err != nil {
		return err
	}
	err = inst.UpdateLogState(ctx, db, func(dm *engine.DBMeta, ls *engine.LogState) {
		if !hdr.IsCopyOnly {
			ls.LastLogBackupEnd = last
		}
		if tail {
			dm.State = engine.StateRestoring
			ls.RedoLSN = last
			if o.flags["STANDBY"] {
				dm.State, dm.Standby, dm.ReadOnly = engine.StateOnline, true, true
			}
		}
	})
	if err != nil {
		return err
	}
	db.HoldLogForBackup()
	recordBackupHistory(ctx, inst, device, out)
	if err := sc.Message(newErr(sqlerr.ProcessedPages, backupset.PagesOf(total)+1, m.Name, m.DBFiles()[len(m.DBFiles())-1].Name, out.Position)); err != nil {
		return err
	}
	if err := sc.Message(backupset.DoneMessage(verb, backupset.PagesOf(total)+1, time.Since(start))); err != nil {
		return err
	}
	sc.Succeeded()
	return nil
}
