package engine

import (
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pchatdr/harness/sim/mssql/collation"
	"github.com/pchatdr/harness/sim/mssql/lsn"
	"github.com/pchatdr/harness/sim/mssql/rowstore"
	"github.com/pchatdr/harness/sqlerr"
)

// DBState is sys.databases.state.
type DBState uint8

// Database states (sys.databases.state / state_desc).
const (
	StateOnline          DBState = 0
	StateRestoring       DBState = 1
	StateRecovering      DBState = 2
	StateRecoveryPending DBState = 3
	StateSuspect         DBState = 4
	StateEmergency       DBState = 5
	StateOffline         DBState = 6
)

func (s DBState) String() string {
	switch s {
	case StateOnline:
		return "ONLINE"
	case StateRestoring:
		return "RESTORING"
	case StateRecovering:
		return "RECOVERING"
	case StateRecoveryPending:
		return "RECOVERY_PENDING"
	case StateSuspect:
		return "SUSPECT"
	case StateEmergency:
		return "EMERGENCY"
	case StateOffline:
		return "OFFLINE"
	}
	return "UNKNOWN"
}

// RecoveryModel is sys.databases.recovery_model.
type RecoveryModel uint8

// Recovery models.
const (
	RecoveryFull       RecoveryModel = 1
	RecoveryBulkLogged RecoveryModel = 2
	RecoverySimple     RecoveryModel = 3
)

func (r RecoveryModel) String() string {
	switch r {
	case RecoveryFull:
		return "FULL"
	case RecoveryBulkLogged:
		return "BULK_LOGGED"
	}
	return "SIMPLE"
}

// UserAccess is sys.databases.user_access.
type UserAccess uint8

// User access modes.
const (
	MultiUser      UserAccess = 0
	SingleUser     UserAccess = 1
	RestrictedUser UserAccess = 2
)

func (u UserAccess) String() string {
	switch u {
	case SingleUser:
		return "SINGLE_USER"
	case RestrictedUser:
		return "RESTRICTED_USER"
	}
	return "MULTI_USER"
}

// DBMeta is what master knows about a database. It is logged in master as
// JSON so later issues (backup LSNs, mirroring, log shipping roles) add
// fields without changing the log format.
type DBMeta struct {
	ID         int           `json:"id"`
	Name       string        `json:"name"`
	State      DBState       `json:"state"`
	Recovery   RecoveryModel `json:"recovery"`
	UserAccess UserAccess    `json:"user_access"`
	ReadOnly   bool          `json:"read_only,omitempty"`
	Standby    bool          `json:"standby,omitempty"`
	Created    time.Time     `json:"created"`
	FamilyGUID GUID          `json:"family_guid"`
	Files      []DBFile      `json:"files,omitempty"`
	// Collation is the database's default collation (zero: the server's).
	Collation collation.ID `json:"collation,omitempty"`
	// Ext holds later subsystems' per-database state (mirroring, log
	// shipping, backup history pointers) keyed by subsystem, so adding one
	// does not touch this struct or the log format.
	Ext map[string][]byte `json:"ext,omitempty"`
}

// Database is one database of the instance.
//
// Locks: mu guards tables and their rows (held only for short, in-memory
// steps, never across log I/O). gate orders commits against checkpoints:
// each commit holds it shared from its log append until its versions are
// published, a checkpoint holds it exclusively, so a snapshot at LSN n holds
// exactly the commits up to n.
type Database struct {
	inst *Instance

	metaMu sync.Mutex
	meta   DBMeta

	mu         sync.RWMutex
	tables     map[string]*Table // key: lower(schema) + "." + lower(name)
	tablesByID map[int]*Table
	nextObject int
	// droppedBy holds tables an open transaction dropped: they stay in
	// checkpoints until that transaction commits.
	droppedBy map[*Table]*Tx
	// modules are the database's procedures and views (modules.go).
	modules map[string]*ModuleDef
	// modCommitted holds, for each module an open transaction created,
	// altered or dropped, its committed version (nil: none): checkpoints
	// and full backups write that one (encodeModules).
	modCommitted map[string]*ModuleDef

	// store is the database as transactions see it (rowstore): mu, gate
	// and the log.
	store      *rowstore.Store
	gate       sync.RWMutex
	commitHook func(lsn uint64, payload []byte) // guarded by gate
	log        walLog                           // nil: not durable (tempdb)
	dir        string
	sinceCkp   atomic.Int64 // records since the last checkpoint
	segRefs    *segRefs     // while a restore applies its stream (restore_pipe.go)
	ckpMu      sync.Mutex

	// metaRMW serialises read-modify-write of parts of the metadata
	// (LogState, mirroring, server security), so two changes cannot lose
	// each other.
	metaRMW sync.Mutex
	holds   lsn.Holds // log records partners still need (lsn.go)
	// logStateMemo is LogState's last decoding (lsn.go).
	logStateMemo atomic.Pointer[logStateMemo]
}

// Meta returns a copy of the database's metadata.
func (d *Database) Meta() DBMeta {
	d.metaMu.Lock()
	defer d.metaMu.Unlock()
	m := d.meta
	return m
}

// Name returns the database name as created.
func (d *Database) Name() string { return d.Meta().Name }

// ID returns database_id.
func (d *Database) ID() int { return d.Meta().ID }

func newDatabase(inst *Instance, meta DBMeta) *Database {
	d := &Database{inst: inst, meta: meta, tables: map[string]*Table{}, tablesByID: map[int]*Table{}, nextObject: 1000}
	d.store = rowstore.NewStore(&d.mu, &d.gate, d.appendLog)
	return d
}

func tableKey(schema, name string) string {
	if schema == "" {
		schema = "dbo"
	}
	return strings.ToLower(schema) + "." + strings.ToLower(name)
}

// lookupTable finds a table visible to tx (caller holds mu).
func (d *Database) lookupTable(schema, name string, tx *Tx) *Table {
	t := d.tables[tableKey(schema, name)]
	if t == nil {
		return nil
	}
	if !t.seenBy(tx) {
		return nil
	}
	return t
}

// listed reports whether t is in the list of tables tx sees: seen by tx,
// and not dropped by tx (a table an open transaction dropped stays listed
// for the others until the drop commits).
func (d *Database) listed(t *Table, tx *Tx) bool {
	return t.seenBy(tx) && !(d.tablesByID[t.ID] != t && d.droppedBy[t] == tx)
}

// sortedTables lists tables by object id (caller holds mu).
func (d *Database) sortedTables() []*Table {
	out := make([]*Table, 0, len(d.tablesByID))
	for _, t := range d.tablesByID {
		out = append(out, t)
	}
	for t := range d.droppedBy {
		if d.tablesByID[t.ID] == nil {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// openError is the error a session gets when it tries to use d (USE, login,
// three-part names), or nil when d is usable.
func (d *Database) openError() *Error {
	m := d.Meta()
	switch m.State {
	case StateOnline:
		return nil
	case StateRestoring:
		if d.MirroringRole() == MirrorRoleMirror {
			return newErr(sqlerr.DatabaseIsMirror, m.Name) // the MirrorController says (sim/mssql/mirroring)
		}
		return newErr(sqlerr.DatabaseRestoring, m.Name)
	case StateOffline:
		return newErr(sqlerr.DatabaseOffline, m.Name)
	case StateRecovering, StateRecoveryPending:
		return newErr(sqlerr.DatabaseNotRecovered, m.Name)
	default:
		return newErr(sqlerr.DatabaseInaccessible, m.Name)
	}
}
