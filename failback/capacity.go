package failback

import (
	"context"
	"database/sql"
	"fmt"
)

// What the preconditions of issue 12's defect 5 read: the files of a
// database with the free space of their volumes (sys.master_files,
// sys.dm_os_volume_stats) and a probe write on the share by the SQL Server
// service account. All metadata: nothing here reads a user row.

// FileSpace is one file of a database and the volume that holds it.
type FileSpace struct {
	FileID       int
	LogicalName  string
	PhysicalName string
	Type         string // ROWS, LOG (sys.master_files.type_desc)
	Bytes        int64  // allocated size: size * 8 KB
	// Volume is sys.dm_os_volume_stats' volume_mount_point, "" when the
	// view has no row for the file (then VolumeFree is unknown).
	Volume     string
	VolumeFree int64
}

// FileSpaceSQL lists a database's files with their allocated size.
func FileSpaceSQL(db string) string {
	return "SELECT f.file_id, f.name, f.physical_name, f.type_desc, CAST(f.size AS bigint) * 8192 " +
		"FROM sys.master_files AS f WHERE f.database_id = DB_ID(" + qs(db) + ") ORDER BY f.file_id"
}

// VolumeStatsSQL reads the volume of one database file. It is sent per
// file, not with CROSS APPLY, so it also runs where APPLY is missing.
func VolumeStatsSQL(db string, fileID int) string {
	return fmt.Sprintf("SELECT v.volume_mount_point, v.available_bytes FROM sys.dm_os_volume_stats(DB_ID(%s), %d) AS v", qs(db), fileID)
}

// ProbeWriteSQL writes a small backup (of model, COPY_ONLY so no backup
// chain changes) to path: the SQL Server service account must be able to
// create a file there, which xp_fileexist cannot tell.
func ProbeWriteSQL(path string) string {
	return "BACKUP DATABASE [model] TO DISK = " + qs(path) + " WITH COPY_ONLY, INIT, FORMAT, NAME = N'Persistent Chat failback share probe'"
}

// DeleteProbeSQL removes the probe backup file again (xp_delete_file, type
// 0: it deletes only a backup file).
func DeleteProbeSQL(path string) string {
	return "EXECUTE master.sys.xp_delete_file 0, " + qs(path)
}

// FileSpace reads the files of db and the free space of their volumes.
func (l *LiveSQL) FileSpace(ctx context.Context, db string) ([]FileSpace, error) {
	var out []FileSpace
	err := l.db(ctx, false).Query(ctx, FileSpaceSQL(db), func(r *sql.Rows) error {
		var f FileSpace
		if err := r.Scan(&f.FileID, &f.LogicalName, &f.PhysicalName, &f.Type, &f.Bytes); err != nil {
			return err
		}
		out = append(out, f)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("files of %s: %w", db, err)
	}
	for i := range out {
		f := &out[i]
		err := l.db(ctx, false).Query(ctx, VolumeStatsSQL(db, f.FileID), func(r *sql.Rows) error {
			return r.Scan(&f.Volume, &f.VolumeFree)
		})
		if err != nil {
			return nil, fmt.Errorf("volume of %s file %s: %w", db, f.LogicalName, err)
		}
	}
	return out, nil
}

// ProbeWrite writes and deletes a probe backup file at path as the SQL
// Server service account. Its statements are not journalled as changes:
// the probe leaves nothing behind, so a refused run still counts as one
// that applied nothing (a resume checks the preconditions again).
func (l *LiveSQL) ProbeWrite(ctx context.Context, path string) error {
	db := l.db(ctx, false)
	if _, err := db.Exec(ctx, ProbeWriteSQL(path)); err != nil {
		return err
	}
	_, err := db.Exec(ctx, DeleteProbeSQL(path))
	return err
}
