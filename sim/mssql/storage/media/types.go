package media

import (
	"time"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
)

// GUID is a uniqueidentifier; the same type the engine's values use.
type GUID = sqltypes.GUID

// Backup types as RESTORE HEADERONLY reports them in BackupType.
const (
	TypeDatabase     int16 = 1
	TypeLog          int16 = 2
	TypeFile         int16 = 4
	TypeDifferential int16 = 5
)

// MediaHeader is the media set label written once per file (RESTORE
// LABELONLY). INIT keeps it; FORMAT replaces it.
type MediaHeader struct {
	FormatVersion        uint16    `media:"-"` // from the block, read only
	MediaSetGUID         GUID      `media:"1"`
	MediaName            string    `media:"2"`
	MediaDescription     string    `media:"3"`
	MediaDate            time.Time `media:"4"`
	SoftwareVendorID     int32     `media:"5"`
	SoftwareVersionMajor int32     `media:"6"`
	SoftwareVersionMinor int32     `media:"7"`
	SoftwareVersionBuild int32     `media:"8"`
	MediaFamilyID        GUID      `media:"9"`
	FamilyCount          int32     `media:"10"`
	FamilySequenceNumber int32     `media:"11"`
	MachineName          string    `media:"12"`
}

// FileEntry is one row of RESTORE FILELISTONLY.
type FileEntry struct {
	LogicalName          string `media:"1"`
	PhysicalName         string `media:"2"`
	Type                 string `media:"3"` // "D" data, "L" log, "F" full-text, "S" filestream
	FileGroupName        string `media:"4"`
	Size                 int64  `media:"5"`
	MaxSize              int64  `media:"6"`
	FileID               int64  `media:"7"`
	CreateLSN            uint64 `media:"8"`
	DropLSN              uint64 `media:"9"`
	UniqueID             GUID   `media:"10"`
	ReadOnlyLSN          uint64 `media:"11"`
	ReadWriteLSN         uint64 `media:"12"`
	BackupSizeInBytes    int64  `media:"13"`
	SourceBlockSize      int32  `media:"14"`
	FileGroupID          int32  `media:"15"`
	LogGroupGUID         GUID   `media:"16"`
	DifferentialBaseLSN  uint64 `media:"17"`
	DifferentialBaseGUID GUID   `media:"18"`
	IsReadOnly           bool   `media:"19"`
	IsPresent            bool   `media:"20"`
}

// SetHeader is one backup set: the row RESTORE HEADERONLY returns plus the
// file list. LSNs are uint64; the engine formats them as numeric(25,0).
//
// Write fills Position, BackupSize, CompressedBackupSize, Compressed,
// HasBackupChecksums and (when zero) BackupFinishDate; the engine owns the
// rest. Tag numbers are the on-disk identity of a field: never reuse one.
type SetHeader struct {
	Position              int         `media:"-"` // 1-based FILE = n, from the file's order
	BackupName            string      `media:"1"`
	BackupDescription     string      `media:"2"`
	BackupType            int16       `media:"3"`
	ExpirationDate        time.Time   `media:"4"`
	Compressed            bool        `media:"5"`
	UserName              string      `media:"6"`
	ServerName            string      `media:"7"`
	DatabaseName          string      `media:"8"`
	DatabaseVersion       int32       `media:"9"`
	DatabaseCreationDate  time.Time   `media:"10"`
	BackupSize            int64       `media:"11"` // payload bytes before compression
	FirstLSN              uint64      `media:"12"`
	LastLSN               uint64      `media:"13"`
	CheckpointLSN         uint64      `media:"14"`
	DatabaseBackupLSN     uint64      `media:"15"`
	BackupStartDate       time.Time   `media:"16"`
	BackupFinishDate      time.Time   `media:"17"`
	CompatibilityLevel    int16       `media:"18"`
	SoftwareVendorID      int32       `media:"19"`
	SoftwareVersionMajor  int32       `media:"20"`
	SoftwareVersionMinor  int32       `media:"21"`
	SoftwareVersionBuild  int32       `media:"22"`
	MachineName           string      `media:"23"`
	Flags                 int32       `media:"24"`
	BindingID             GUID        `media:"25"`
	RecoveryForkID        GUID        `media:"26"`
	Collation             string      `media:"27"`
	FamilyGUID            GUID        `media:"28"`
	HasBulkLoggedData     bool        `media:"29"`
	IsSnapshot            bool        `media:"30"`
	IsReadOnly            bool        `media:"31"`
	IsSingleUser          bool        `media:"32"`
	HasBackupChecksums    bool        `media:"33"`
	IsDamaged             bool        `media:"34"`
	BeginsLogChain        bool        `media:"35"`
	HasIncompleteMetaData bool        `media:"36"`
	IsForceOffline        bool        `media:"37"`
	IsCopyOnly            bool        `media:"38"`
	FirstRecoveryForkID   GUID        `media:"39"`
	ForkPointLSN          uint64      `media:"40"`
	RecoveryModel         string      `media:"41"` // FULL, BULK-LOGGED, SIMPLE
	DifferentialBaseLSN   uint64      `media:"42"`
	DifferentialBaseGUID  GUID        `media:"43"`
	BackupSetGUID         GUID        `media:"44"`
	CompressedBackupSize  int64       `media:"45"` // bytes on media
	Containment           int16       `media:"46"`
	DatabaseGUID          GUID        `media:"47"`
	Files                 []FileEntry `media:"48"`
}

// trailer closes a set; its presence is what makes a set complete. Fields
// known only after the payload streamed live here.
type trailer struct {
	RawBytes     int64     `media:"1"`
	StoredBytes  int64     `media:"2"`
	RawCRC       uint32    `media:"3"`
	Frames       int64     `media:"4"`
	FinishDate   time.Time `media:"5"`
	HeaderOffset int64     `media:"6"` // where this set's header block starts
}

// WriteOptions are the BACKUP ... WITH options that concern the media.
type WriteOptions struct {
	Init   bool // overwrite the sets, keep the media header (INIT)
	Format bool // write a new media header; implies Init and Skip (FORMAT)
	Skip   bool // skip media name and expiration checks (SKIP)

	// MediaName / MediaDescription label a new media set; on existing media a
	// non-empty MediaName must match unless Skip or Format.
	MediaName        string
	MediaDescription string

	Checksum bool // WITH CHECKSUM: recorded as HasBackupChecksums
	Compress bool // WITH COMPRESSION: payload stored deflated

	// Progress is called from the writing goroutine after each MiB of payload
	// and once at the end, with total = hdr.BackupSize (0 when unknown).
	Progress func(done, total int64)

	// Pace, when set, is called with each frame's stored bytes before they
	// are written: the simulator holds a device on a remote share to the
	// WAN link with it. After the last frame it is called with 0: the set
	// is complete when everything paced has crossed. Its error fails the
	// backup.
	Pace func(n int) error

	// Now stamps MediaDate and a zero BackupFinishDate; default time.Now.
	// The simulator passes its virtual clock.
	Now func() time.Time

	// Software identifies the writing server in a new media header; the zero
	// value means SQL Server 2022 RTM (16.0.1000, vendor 4608).
	Software Software
}

// Software is a server build as HEADERONLY reports it.
type Software struct {
	VendorID            int32
	Major, Minor, Build int32
}

// Contents is what ReadHeaders found in a media file.
type Contents struct {
	Media MediaHeader
	Sets  []SetHeader // complete sets, Position 1..n
	// Incomplete is non-nil when the file ends inside a set a crash left
	// unfinished. It is ignored by readers and overwritten by the next append.
	Incomplete *Incomplete

	end  int64    // offset just past the last complete set
	locs []setLoc // where each complete set lives
}

// Incomplete describes an unfinished last set.
type Incomplete struct {
	Position int   // the position it would have had
	Offset   int64 // where it starts
	Reason   string
}
