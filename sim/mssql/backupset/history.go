package backupset

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pchatdr/harness/sim/mssql/lsn"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/storage/media"
)

// msdb's backup history (backupmediaset, backupmediafamily, backupset,
// restorehistory) is kept in real msdb tables, written after each BACKUP
// and RESTORE on a system session, so any client's history queries (the
// failback engine's "latest full backup of mgc", dbatools'
// Get-DbaDbBackupHistory) work unchanged and the rows are as durable as
// msdb. Columns are SQL Server's, minus those for tape and encryption.

var tables = []struct{ name, ddl string }{
	{"dbo.backupmediaset", `CREATE TABLE dbo.backupmediaset (media_set_id int IDENTITY(1,1) NOT NULL PRIMARY KEY,
		media_uuid uniqueidentifier NULL, media_family_count tinyint NULL, name nvarchar(128) NULL,
		description nvarchar(255) NULL, software_name nvarchar(128) NULL, software_vendor_id int NULL,
		MTF_major_version tinyint NULL, mirror_count tinyint NULL, is_password_protected bit NULL,
		is_compressed bit NULL, is_encrypted bit NULL)`},
	{"dbo.backupmediafamily", `CREATE TABLE dbo.backupmediafamily (media_set_id int NOT NULL,
		family_sequence_number tinyint NOT NULL, media_family_id uniqueidentifier NULL, media_count int NULL,
		logical_device_name nvarchar(128) NULL, physical_device_name nvarchar(260) NULL, device_type tinyint NULL,
		physical_block_size int NULL, mirror tinyint NOT NULL)`},
	{"dbo.backupset", `CREATE TABLE dbo.backupset (backup_set_id int IDENTITY(1,1) NOT NULL PRIMARY KEY,
		backup_set_uuid uniqueidentifier NOT NULL, media_set_id int NOT NULL, first_family_number tinyint NULL,
		first_media_number smallint NULL, last_family_number tinyint NULL, last_media_number smallint NULL,
		catalog_family_number tinyint NULL, catalog_media_number smallint NULL, position int NULL,
		expiration_date datetime NULL, software_vendor_id int NULL, name nvarchar(128) NULL,
		description nvarchar(255) NULL, user_name nvarchar(128) NULL, software_major_version tinyint NULL,
		software_minor_version tinyint NULL, software_build_version smallint NULL, time_zone smallint NULL,
		mtf_minor_version tinyint NULL, first_lsn numeric(25,0) NULL, last_lsn numeric(25,0) NULL,
		checkpoint_lsn numeric(25,0) NULL, database_backup_lsn numeric(25,0) NULL,
		database_creation_date datetime NULL, backup_start_date datetime NULL, backup_finish_date datetime NULL,
		type char(1) NULL, sort_order smallint NULL, code_page smallint NULL, compatibility_level tinyint NULL,
		database_version int NULL, backup_size numeric(20,0) NULL, database_name nvarchar(128) NULL,
		server_name nvarchar(128) NULL, machine_name nvarchar(128) NULL, flags int NULL, unicode_locale int NULL,
		unicode_compare_style int NULL, collation_name nvarchar(128) NULL, is_password_protected bit NULL,
		recovery_model nvarchar(60) NULL, has_bulk_logged_data bit NULL, is_snapshot bit NULL,
		is_readonly bit NULL, is_single_user bit NULL, has_backup_checksums bit NULL, is_damaged bit NULL,
		begins_log_chain bit NULL, has_incomplete_metadata bit NULL, is_force_offline bit NULL,
		is_copy_only bit NULL, first_recovery_fork_guid uniqueidentifier NULL,
		last_recovery_fork_guid uniqueidentifier NULL, fork_point_lsn numeric(25,0) NULL,
		database_guid uniqueidentifier NULL, family_guid uniqueidentifier NULL,
		differential_base_lsn numeric(25,0) NULL, differential_base_guid uniqueidentifier NULL,
		compressed_backup_size numeric(20,0) NULL, key_algorithm nvarchar(32) NULL,
		encryptor_thumbprint varbinary(20) NULL, encryptor_type nvarchar(32) NULL)`},
	{"dbo.restorehistory", `CREATE TABLE dbo.restorehistory (restore_history_id int IDENTITY(1,1) NOT NULL PRIMARY KEY,
		restore_date datetime NULL, destination_database_name nvarchar(128) NULL, user_name nvarchar(128) NULL,
		backup_set_id int NOT NULL, restore_type char(1) NULL, [replace] bit NULL, [recovery] bit NULL,
		restart bit NULL, stop_at datetime NULL, device_count tinyint NULL, stop_at_mark_name nvarchar(128) NULL,
		stop_before bit NULL)`},
}

// sqlLit renders a value as a T-SQL literal: sqltypes.Literal, plus the
// backup history's own kinds (an LSN as numeric(25,0), a zero LSN or GUID
// as NULL, smallint counts).
func sqlLit(v any) string {
	switch x := v.(type) {
	case int16:
		return strconv.Itoa(int(x))
	case lsn.LSN:
		if x == 0 {
			return "NULL"
		}
		return "CONVERT(numeric(25,0), '" + x.String() + "')"
	case GUID:
		if x == (GUID{}) {
			return "NULL"
		}
	case time.Time:
		return sqltypes.Literal(x) // DATETIME; the zero time is NULL
	}
	return sqltypes.Literal(v)
}

func backupTypeChar(t int16) string {
	switch t {
	case media.TypeLog:
		return "L"
	case media.TypeDifferential:
		return "I"
	case media.TypeFile:
		return "F"
	}
	return "D"
}

// TablesSQL creates msdb's backup history tables where they are missing;
// it runs in msdb.
func TablesSQL() string {
	var b strings.Builder
	for _, t := range tables {
		fmt.Fprintf(&b, "IF OBJECT_ID(N'msdb.%s') IS NULL %s;\n", t.name, t.ddl)
	}
	return b.String()
}

// SetSQL inserts one backup set (and its media set and family, whose
// media_uuid and media_family_id are mediaSet and family) and leaves its
// backup_set_id in @bs; it runs in msdb.
func SetSQL(device string, h media.SetHeader, mediaSet, family GUID) string {
	var b strings.Builder
	b.WriteString("DECLARE @ms int, @bs int;\n")
	fmt.Fprintf(&b, "INSERT INTO dbo.backupmediaset (media_uuid, media_family_count, name, description, software_name, software_vendor_id, MTF_major_version, mirror_count, is_password_protected, is_compressed, is_encrypted) VALUES (%s, 1, NULL, NULL, N'Microsoft SQL Server', 4608, 1, 1, 0, %s, 0);\n",
		sqlLit(mediaSet), sqlLit(h.Compressed))
	b.WriteString("SET @ms = SCOPE_IDENTITY();\n")
	fmt.Fprintf(&b, "INSERT INTO dbo.backupmediafamily (media_set_id, family_sequence_number, media_family_id, media_count, logical_device_name, physical_device_name, device_type, physical_block_size, mirror) VALUES (@ms, 1, %s, 1, NULL, %s, 2, 512, 0);\n",
		sqlLit(family), sqlLit(device))
	fmt.Fprintf(&b, `INSERT INTO dbo.backupset (backup_set_uuid, media_set_id, first_family_number, first_media_number, last_family_number, last_media_number, catalog_family_number, catalog_media_number, position, expiration_date, software_vendor_id, name, description, user_name, software_major_version, software_minor_version, software_build_version, time_zone, mtf_minor_version, first_lsn, last_lsn, checkpoint_lsn, database_backup_lsn, database_creation_date, backup_start_date, backup_finish_date, type, sort_order, code_page, compatibility_level, database_version, backup_size, database_name, server_name, machine_name, flags, unicode_locale, unicode_compare_style, collation_name, is_password_protected, recovery_model, has_bulk_logged_data, is_snapshot, is_readonly, is_single_user, has_backup_checksums, is_damaged, begins_log_chain, has_incomplete_metadata, is_force_offline, is_copy_only, first_recovery_fork_guid, last_recovery_fork_guid, fork_point_lsn, database_guid, family_guid, differential_base_lsn, differential_base_guid, compressed_backup_size)
VALUES (%s, @ms, 1, 1, 1, 1, 1, 1, %d, %s, 4608, %s, %s, %s, 16, 0, 1000, 0, 0, %s, %s, %s, %s, %s, %s, %s, '%s', 52, 0, 160, 957, %d, %s, %s, %s, %d, 1033, 196609, %s, 0, %s, 0, 0, %s, %s, %s, 0, %s, 0, 0, %s, %s, %s, %s, %s, %s, %s, %s, %d);
SET @bs = SCOPE_IDENTITY();
`,
		sqlLit(h.BackupSetGUID), h.Position, sqlLit(h.ExpirationDate), sqlLit(bkNullIfEmpty(h.BackupName)), sqlLit(bkNullIfEmpty(h.BackupDescription)),
		sqlLit(h.UserName), sqlLit(lsn.LSN(h.FirstLSN)), sqlLit(lsn.LSN(h.LastLSN)), sqlLit(lsn.LSN(h.CheckpointLSN)), sqlLit(lsn.LSN(h.DatabaseBackupLSN)),
		sqlLit(h.DatabaseCreationDate), sqlLit(h.BackupStartDate), sqlLit(h.BackupFinishDate), backupTypeChar(h.BackupType),
		h.BackupSize, sqlLit(h.DatabaseName), sqlLit(h.ServerName), sqlLit(h.MachineName), h.Flags, sqlLit(h.Collation),
		sqlLit(h.RecoveryModel), sqlLit(h.IsReadOnly), sqlLit(h.IsSingleUser), sqlLit(h.HasBackupChecksums), sqlLit(h.BeginsLogChain),
		sqlLit(h.IsCopyOnly), sqlLit(h.FirstRecoveryForkID), sqlLit(h.RecoveryForkID), sqlLit(lsn.LSN(h.ForkPointLSN)), sqlLit(h.DatabaseGUID),
		sqlLit(h.FamilyGUID), sqlLit(lsn.LSN(h.DifferentialBaseLSN)), sqlLit(h.DifferentialBaseGUID), h.CompressedBackupSize)
	return b.String()
}

func bkNullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// RestoreSQL records a restore in restorehistory; it follows SetSQL of the
// restored set (RESTORE loads the set's history on the restoring server).
// restore_date is when the restore began: SQL Server's documentation of
// restorehistory says "Date and time of the start of the restore
// operation" (an older revision said completion; the current one wins, and
// a forecast pairs it with the set's size).
func RestoreSQL(began time.Time, dest, user, restoreType string, replace, recovery bool) string {
	return fmt.Sprintf(
		"INSERT INTO dbo.restorehistory (restore_date, destination_database_name, user_name, backup_set_id, restore_type, [replace], [recovery], restart, stop_at, device_count, stop_at_mark_name, stop_before) VALUES (%s, %s, %s, @bs, '%s', %s, %s, 0, NULL, 1, NULL, 0);\n",
		sqlLit(sqltypes.WallClock(began)), sqlLit(dest), sqlLit(user), restoreType, sqlLit(replace), sqlLit(recovery))
}
