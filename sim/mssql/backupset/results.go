// Package backupset is what SQL Server reports about backup sets, apart
// from taking and restoring them: the RESTORE HEADERONLY, FILELISTONLY and
// LABELONLY result sets, msdb's backup history rows, the framing of a log
// backup's records, and the messages BACKUP and RESTORE print for media
// errors and progress. It knows no instance: the engine's BACKUP and
// RESTORE (sim/mssql/engine) call it with what they read or wrote through
// sim/mssql/storage/media.
package backupset

import (
	"math/big"
	"time"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/storage/media"
)

// RESTORE HEADERONLY, FILELISTONLY and LABELONLY: what the log-shipping
// restore job and the failback engine read to pick FILE = n and to order
// .trn files by LSN. LSNs are numeric(25,0), as on a server.

// Aliases for the value system's types.
type (
	Type    = sqltypes.Type
	Value   = sqltypes.Value
	Decimal = sqltypes.Decimal
	GUID    = sqltypes.GUID
)

// Column is a result column; every column of these result sets is
// nullable.
type Column struct {
	Name string
	Type Type
}

func col(name string, t Type, _ bool) Column { return Column{Name: name, Type: t} }

var (
	tInt  = sqltypes.TypeInt
	tSm   = sqltypes.TypeSmallInt
	tTiny = sqltypes.TypeTinyInt
	tBit  = sqltypes.TypeBit
	tBig  = sqltypes.TypeBigInt
	tDT   = sqltypes.TypeDateTime
	tGUID = sqltypes.TypeGUID
	tLSN  = sqltypes.DecimalType(25, 0)
)

func nv(n int) Type { return sqltypes.NVarChar(n) }

// lsnValue is an LSN as the numeric(25,0) value HEADERONLY and msdb show
// (NULL for 0).
func lsnValue(l uint64) Value {
	if l == 0 {
		return nil
	}
	return Decimal{Unscaled: new(big.Int).SetUint64(l), Scale: 0}
}

func guidValue(g GUID) Value {
	var zero GUID
	if g == zero {
		return nil
	}
	return g
}

func timeValue(t time.Time) Value {
	if t.IsZero() {
		return nil
	}
	return sqltypes.WallClock(t)
}

// HeaderOnlyColumns are RESTORE HEADERONLY's columns, one row per set
// (HeaderOnlyRow).
var HeaderOnlyColumns = []Column{
	col("BackupName", nv(128), true), col("BackupDescription", nv(255), true), col("BackupType", tSm, true),
	col("ExpirationDate", tDT, true), col("Compressed", tBit, true), col("Position", tSm, true),
	col("DeviceType", tTiny, true), col("UserName", nv(128), true), col("ServerName", nv(128), true),
	col("DatabaseName", nv(128), true), col("DatabaseVersion", tInt, true), col("DatabaseCreationDate", tDT, true),
	col("BackupSize", tLSN20, true), col("FirstLSN", tLSN, true), col("LastLSN", tLSN, true),
	col("CheckpointLSN", tLSN, true), col("DatabaseBackupLSN", tLSN, true), col("BackupStartDate", tDT, true),
	col("BackupFinishDate", tDT, true), col("SortOrder", tSm, true), col("CodePage", tSm, true),
	col("UnicodeLocaleId", tInt, true), col("UnicodeComparisonStyle", tInt, true), col("CompatibilityLevel", tTiny, true),
	col("SoftwareVendorId", tInt, true), col("SoftwareVersionMajor", tInt, true), col("SoftwareVersionMinor", tInt, true),
	col("SoftwareVersionBuild", tInt, true), col("MachineName", nv(128), true), col("Flags", tInt, true),
	col("BindingID", tGUID, true), col("RecoveryForkID", tGUID, true), col("Collation", nv(128), true),
	col("FamilyGUID", tGUID, true), col("HasBulkLoggedData", tBit, true), col("IsSnapshot", tBit, true),
	col("IsReadOnly", tBit, true), col("IsSingleUser", tBit, true), col("HasBackupChecksums", tBit, true),
	col("IsDamaged", tBit, true), col("BeginsLogChain", tBit, true), col("HasIncompleteMetaData", tBit, true),
	col("IsForceOffline", tBit, true), col("IsCopyOnly", tBit, true), col("FirstRecoveryForkID", tGUID, true),
	col("ForkPointLSN", tLSN, true), col("RecoveryModel", nv(60), true), col("DifferentialBaseLSN", tLSN, true),
	col("DifferentialBaseGUID", tGUID, true), col("BackupTypeDescription", nv(60), true), col("BackupSetGUID", tGUID, true),
	col("CompressedBackupSize", tBig, true), col("containment", tTiny, true), col("KeyAlgorithm", nv(32), true),
	col("EncryptorThumbprint", vbin(20), true), col("EncryptorType", nv(32), true),
}

var tLSN20 = func() Type { t := tLSN; t.Precision = 20; return t }()

func vbin(n int) Type { return Type{Kind: sqltypes.KindVarBinary, Length: n} }

func backupTypeDesc(t int16) string {
	switch t {
	case media.TypeLog:
		return "Transaction Log"
	case media.TypeDifferential:
		return "Database Differential"
	case media.TypeFile:
		return "File or filegroup"
	}
	return "Database"
}

// HeaderOnlyRow is a set's RESTORE HEADERONLY row.
func HeaderOnlyRow(h media.SetHeader) []Value {
	return []Value{
		bkStr(h.BackupName), bkStr(h.BackupDescription), int64(h.BackupType), timeValue(h.ExpirationDate), h.Compressed,
		int64(h.Position), int64(2), h.UserName, h.ServerName, h.DatabaseName, int64(h.DatabaseVersion),
		timeValue(h.DatabaseCreationDate), lsnValue(uint64(h.BackupSize)), lsnValue(h.FirstLSN), lsnValue(h.LastLSN),
		lsnValue(h.CheckpointLSN), lsnValue(h.DatabaseBackupLSN), timeValue(h.BackupStartDate), timeValue(h.BackupFinishDate),
		int64(52), int64(0), int64(1033), int64(196609), int64(h.CompatibilityLevel), int64(h.SoftwareVendorID),
		int64(h.SoftwareVersionMajor), int64(h.SoftwareVersionMinor), int64(h.SoftwareVersionBuild), h.MachineName,
		int64(h.Flags), guidValue(h.BindingID), guidValue(h.RecoveryForkID), h.Collation, guidValue(h.FamilyGUID),
		h.HasBulkLoggedData, h.IsSnapshot, h.IsReadOnly, h.IsSingleUser, h.HasBackupChecksums, h.IsDamaged,
		h.BeginsLogChain, h.HasIncompleteMetaData, h.IsForceOffline, h.IsCopyOnly, guidValue(h.FirstRecoveryForkID),
		lsnValue(h.ForkPointLSN), h.RecoveryModel, lsnValue(h.DifferentialBaseLSN), guidValue(h.DifferentialBaseGUID),
		backupTypeDesc(h.BackupType), guidValue(h.BackupSetGUID), h.CompressedBackupSize, int64(h.Containment),
		nil, nil, nil,
	}
}

func bkStr(s string) Value {
	if s == "" {
		return nil
	}
	return s
}

// FileListColumns are RESTORE FILELISTONLY's columns, one row per file
// of the set (FileListRow).
var FileListColumns = []Column{
	col("LogicalName", nv(128), true), col("PhysicalName", nv(260), true), col("Type", sqlChar1, true),
	col("FileGroupName", nv(128), true), col("Size", tLSN20, true), col("MaxSize", tLSN20, true),
	col("FileID", tBig, true), col("CreateLSN", tLSN, true), col("DropLSN", tLSN, true), col("UniqueID", tGUID, true),
	col("ReadOnlyLSN", tLSN, true), col("ReadWriteLSN", tLSN, true), col("BackupSizeInBytes", tBig, true),
	col("SourceBlockSize", tInt, true), col("FileGroupID", tInt, true), col("LogGroupGUID", tGUID, true),
	col("DifferentialBaseLSN", tLSN, true), col("DifferentialBaseGUID", tGUID, true), col("IsReadOnly", tBit, true),
	col("IsPresent", tBit, true), col("TDEThumbprint", vbin(32), true), col("SnapshotURL", nv(360), true),
}

var sqlChar1 = func() Type { t := sqltypes.VarChar(1); t.Kind = sqltypes.KindChar; return t }()

// FileListRow is a file's RESTORE FILELISTONLY row.
func FileListRow(f media.FileEntry) []Value {
	var fg Value = f.FileGroupName
	if f.FileGroupName == "" {
		fg = nil
	}
	return []Value{f.LogicalName, f.PhysicalName, f.Type, fg, lsnValue(uint64(f.Size)), lsnValue(uint64(f.MaxSize)),
		f.FileID, zeroLSN(f.CreateLSN), zeroLSN(f.DropLSN), guidValue(f.UniqueID), zeroLSN(f.ReadOnlyLSN),
		zeroLSN(f.ReadWriteLSN), f.BackupSizeInBytes, int64(f.SourceBlockSize), int64(f.FileGroupID),
		guidValue(f.LogGroupGUID), zeroLSN(f.DifferentialBaseLSN), guidValue(f.DifferentialBaseGUID), f.IsReadOnly,
		f.IsPresent, nil, nil}
}

// zeroLSN shows 0 (not NULL), as FILELISTONLY does for absent LSNs.
func zeroLSN(l uint64) Value { return Decimal{Unscaled: new(big.Int).SetUint64(l), Scale: 0} }

// LabelOnlyColumns are RESTORE LABELONLY's columns (LabelOnlyRow).
var LabelOnlyColumns = []Column{
	col("MediaName", nv(128), true), col("MediaSetId", tGUID, true), col("FamilyCount", tInt, true),
	col("FamilySequenceNumber", tInt, true), col("MediaFamilyId", tGUID, true), col("MediaSequenceNumber", tInt, true),
	col("MediaLabelPresent", tTiny, true), col("MediaDescription", nv(255), true), col("SoftwareName", nv(128), true),
	col("SoftwareVendorId", tInt, true), col("MediaDate", tDT, true), col("MirrorCount", tInt, true),
	col("IsCompressed", tBit, true),
}

// LabelOnlyRow is the media's RESTORE LABELONLY row.
func LabelOnlyRow(c *media.Contents) []Value {
	m := c.Media
	compressed := false
	for _, s := range c.Sets {
		compressed = compressed || s.Compressed
	}
	return []Value{bkStr(m.MediaName), guidValue(m.MediaSetGUID), int64(1), int64(1),
		guidValue(m.MediaFamilyID), int64(1), int64(1), bkStr(m.MediaDescription), "Microsoft SQL Server",
		int64(4608), timeValue(m.MediaDate), int64(1), compressed}
}
