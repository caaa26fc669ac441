package topology

import (
	"time"
)

// Role is what a SQL Server instance is for in the Persistent Chat HA/DR
// design (reference §1).
type Role string

// The roles an instance may have. Each appears at most once.
const (
	RolePrimary                 Role = "primary"
	RolePrimaryMirror           Role = "primary-mirror"
	RoleBackup                  Role = "backup"
	RoleBackupMirror            Role = "backup-mirror"
	RoleCompliancePrimary       Role = "compliance-primary"
	RoleCompliancePrimaryMirror Role = "compliance-primary-mirror"
	RoleComplianceBackup        Role = "compliance-backup"
	RoleComplianceBackupMirror  Role = "compliance-backup-mirror"
)

// Roles lists every valid role, in the order the documentation names them.
var Roles = []Role{
	RolePrimary, RolePrimaryMirror, RoleBackup, RoleBackupMirror,
	RoleCompliancePrimary, RoleCompliancePrimaryMirror, RoleComplianceBackup, RoleComplianceBackupMirror,
}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool {
	for _, v := range Roles {
		if r == v {
			return true
		}
	}
	return false
}

// IsCompliance reports whether r is one of the compliance-* roles.
func (r Role) IsCompliance() bool {
	switch r {
	case RoleCompliancePrimary, RoleCompliancePrimaryMirror, RoleComplianceBackup, RoleComplianceBackupMirror:
		return true
	}
	return false
}

// Data-center roles.
const (
	DataCenterPrimary = "primary"
	DataCenterBackup  = "backup"
	DataCenterOther   = "other" // e.g. a witness site; neither primary nor backup
)

// Product limits (reference §1: 8 service instances, at most 4 active).
const (
	MaxServers       = 8
	MaxActiveServers = 4
)

// Topology is a parsed, validated topology file.
type Topology struct {
	Version     int
	Pool        Pool
	DataCenters []DataCenter
	Links       []Link
	Placement   Placement
	// Compliance means mgccomp exists. Without compliance-* instances it
	// lives on the same instances as mgc.
	Compliance  bool
	Instances   []Instance
	Share       Share
	LogShipping LogShipping
	Management  Management
	Objectives  Objectives
	// Backups tunes the failback's full backups and restores (optional).
	Backups Backups

	// File is the name the topology was parsed from (used in messages).
	File string
	// Digest is "sha256:" and the hex SHA-256 of the file's bytes as
	// parsed, so evidence can name exactly which topology a run used.
	Digest string
	// lines maps a key path ("pool.servers[3].fqdn") to its line, so
	// Validate can point at the line even though it runs after decoding.
	lines map[string]int
}

// Pool is the Persistent Chat pool.
type Pool struct {
	FQDN string
	// StateIdentity is -Identity for Set-/Get-CsPersistentChatState.
	StateIdentity string
	// ActiveServerIdentity is -Identity for Set-CsPersistentChatActiveServer.
	ActiveServerIdentity string
	Servers              []Server
	// ActiveServers is the active list before the disaster and after failback.
	ActiveServers []string
	// FailoverActiveServers is the active list while failed over.
	FailoverActiveServers []string
	// Product is pool.product: Lync Server 2013 or Skype for Business
	// Server 2015. Parse sets DefaultProduct and ProductAssumed when the
	// key is absent.
	Product        Product
	ProductAssumed bool
}

// Server is one Persistent Chat server (service instance) of the pool.
type Server struct {
	FQDN       string
	DataCenter string
}

// DataCenter is a site of the stretched pool.
type DataCenter struct {
	Name string
	Role string // DataCenterPrimary, DataCenterBackup or DataCenterOther
}

// Link is the network between two data centers.
type Link struct {
	Between       [2]string
	RTTMs         float64
	BandwidthMbps float64
}

// Placement is how good a link must be for an active server outside the
// primary database's data center (reference §4 step 6).
type Placement struct {
	MaxRTTMs         float64
	MinBandwidthMbps float64
}

// Instance is a SQL Server instance with its role and connection settings.
type Instance struct {
	Name       string // the topology's own name, used by share.hostPaths
	Role       Role
	DataCenter string
	Host       string // machine FQDN
	// Address is where to connect: host:port, host\INSTANCE (SQL Browser
	// resolves the port), or host\INSTANCE:port. Port 0 means "any free
	// port" in the embedded world.
	Address  string
	User     string
	Password SecretRef
	// ServiceAccount and AgentAccount are the Windows accounts of the SQL
	// Server service and its Agent (the Agent on the backup reads the share).
	ServiceAccount string
	AgentAccount   string
	// Encrypt is go-mssqldb's encrypt setting ("", "disable", "false",
	// "true", "strict"); empty leaves the driver default. (Added field.)
	Encrypt string
	// TrustServerCertificate skips TLS certificate checks. (Added field.)
	TrustServerCertificate bool
	// CAFile is a PEM bundle holding the CA (or the self-signed
	// certificate) the instance's TLS certificate is checked against, as
	// go-mssqldb's "certificate" setting; empty trusts the system's roots.
	CAFile string
	// UserSysadmin (userSysadmin) says whether a simulated world makes
	// User a member of the sysadmin fixed server role; nil means yes. The
	// engine never reads it: the failback needs sysadmin on every
	// instance it works on and checks that itself (precondition
	// login-sysadmin). sa always is sysadmin, so false needs another user.
	// (Added field.)
	UserSysadmin *bool
}

// IsUserSysadmin is UserSysadmin with its default (true).
func (in Instance) IsUserSysadmin() bool { return in.UserSysadmin == nil || *in.UserSysadmin }

// Share is the log-shipping share and how each instance's host reaches it.
type Share struct {
	UNC string
	// DataCenter is where the share's file server stands (optional; ""
	// means the primary data center's, the default the world and the
	// forecast assume). An instance elsewhere reads and writes it across
	// the link: the failback's full backup crosses it once or twice
	// depending on this.
	DataCenter   string
	MinFreeBytes int64
	// HostPaths maps an instance name to the path its host sees the share
	// at (a local folder in the embedded world, a mount in containers).
	HostPaths map[string]string
	Readers   []string
	Writers   []string
}

// Restore modes of the log-shipping secondary.
const (
	RestoreNoRecovery = "norecovery"
	RestoreStandby    = "standby"
)

// LogShipping holds the log-shipping configuration re-created by step 5.
type LogShipping struct {
	CopyDirectory           string // on the backup server, as SQL Server sees it
	CopyDirectoryHostPath   string // how the simulator's host sees it (optional)
	BackupJob               string
	CopyJob                 string
	RestoreJob              string
	ScheduleMinutes         int
	RetentionMinutes        int
	BackupThresholdMinutes  int
	RestoreThresholdMinutes int
	RestoreMode             string // RestoreNoRecovery (default) or RestoreStandby
}

// Management is the Lync/Skype for Business management endpoint (WinRM).
type Management struct {
	URL                string
	User               string
	Password           SecretRef
	InsecureSkipVerify bool
	// CAFile is a PEM bundle to trust for an https URL. (Added field.)
	CAFile string
	// Auth is the WinRM authentication scheme: "ntlm" (Negotiate/NTLM,
	// the default on a domain-joined Front End) or "basic" (only where
	// WinRM's Basic auth is enabled, and then only over https).
	Auth string
}

// Objectives are the recovery objectives a run is measured against.
type Objectives struct {
	RTO    time.Duration // total failback: clear active list -> pool Normal
	Outage time.Duration // chat outage: active list cleared -> first acknowledged post
	RPO    time.Duration // acknowledged messages that may be lost (as time)
}

// Backups is the topology's backups section: how the failback's BACKUP
// and RESTORE run and how long they may take before the engine warns.
// Zero values mean the defaults below (a section may be absent).
type Backups struct {
	// Compression adds WITH COMPRESSION to the failback's BACKUP
	// DATABASE statements (Enterprise, Standard and Developer editions).
	Compression bool
	// ThroughputMBps is what a full backup or restore of mgc moves per
	// second on this deployment (measured in a rehearsal, or from msdb's
	// backup history): a step's budget is the database size over it.
	ThroughputMBps float64
	// BudgetFactor is the margin over that estimate before the engine
	// warns that a step overran (it never stops a running statement).
	BudgetFactor float64
}

// Defaults of the backups section.
const (
	DefaultThroughputMBps = 50
	DefaultBudgetFactor   = 2
)

// Throughput is ThroughputMBps or its default.
func (b Backups) Throughput() float64 {
	if b.ThroughputMBps > 0 {
		return b.ThroughputMBps
	}
	return DefaultThroughputMBps
}

// Factor is BudgetFactor or its default.
func (b Backups) Factor() float64 {
	if b.BudgetFactor > 0 {
		return b.BudgetFactor
	}
	return DefaultBudgetFactor
}
