package memory

import (
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/lync"
	"github.com/pchatdr/harness/failback/topology"
)

// Table is a user table's contents, reduced to what the engine compares.
type Table struct {
	Rows     int64
	Checksum int64
}

// Database is one database on an instance.
type Database struct {
	Name          string
	State         string // ONLINE, RESTORING, ...
	RecoveryModel string
	ReadOnly      bool
	Standby       bool
	Mirror        failback.Mirroring
	Family        string // family GUID: the REPLACE safety check compares it
	Tables        map[string]Table
	Files         []failback.DatabaseFile
	SizeBytes     int64
	// Other sessions (not chat servers), e.g. an admin's SSMS.
	Other []failback.Session
	// LSN is the end of the log of an online database, and the redo point
	// (last LSN restored) of a restoring one.
	LSN int64
	// LogFrom is where the next log backup starts; 0 means no full backup
	// started a log chain yet (BACKUP LOG gets 4214).
	LogFrom int64
}

func (d *Database) clone() *Database {
	c := *d
	c.Tables = map[string]Table{}
	for k, v := range d.Tables {
		c.Tables[k] = v
	}
	c.Files = append([]failback.DatabaseFile(nil), d.Files...)
	c.Other = append([]failback.Session(nil), d.Other...)
	return &c
}

type lsPrimary struct {
	db          string
	job         string
	secondaries []failback.LSPartner
	monitor     failback.LSPrimaryMonitor
}

type lsSecondary struct {
	primaryServer, primaryDB string
	db                       string // "" when the secondary database entry was deleted
	copyJob, restoreJob      string
	copyDir                  string
	standby                  bool
	monitor                  failback.LSSecondaryMonitor
}

type job struct {
	kind    string // backup, copy, restore
	db      string
	enabled bool
	runs    []jobRun
}

// jobRun is a row of msdb.dbo.sysjobhistory: a step row (step > 0) or
// the job-outcome row (step 0) the Agent writes after a run's steps.
type jobRun struct {
	id       int64
	step     int
	stepName string
	status   int
	date     int
	time     int
	msg      string
}

// restoreRec is a restorehistory row with its backup set's type and
// last_lsn.
type restoreRec struct {
	failback.RestoreRecord
	typ     string // D, L
	lastLSN int64
}

// Instance is one SQL Server instance.
type Instance struct {
	Name       string // topology name
	ServerName string // @@SERVERNAME
	Host       string
	Databases  map[string]*Database
	Services   []failback.Service
	// Dirs are the directories xp_fileexist sees (the share, the copy
	// directory); a backup to a file in a directory not listed gets 3201.
	Dirs      map[string]bool
	FreeBytes int64
	FreeKnown bool
	// Down makes every call fail with a refused connection.
	Down bool
	// Login is the engine's login ("" is sa); NotSysadmin makes it a
	// login that is not a member of sysadmin (permissions.go).
	Login       string
	NotSysadmin bool

	history     []restoreRec
	backups     []failback.BackupSet // backups this instance took (msdb.dbo.backupset, server_name = @@SERVERNAME)
	primaries   []*lsPrimary
	secondaries []*lsSecondary
	alertJob    bool // LSAlert_<server> exists
	jobs        map[string]*job
	logSeq      int
}

// PoolModel is the Persistent Chat pool.
type PoolModel struct {
	State   failback.PoolState
	Active  []string
	Servers []string // all servers of the pool (active and inactive)
	// LingerReads keeps chat sessions on the databases they were on for
	// this many session reads after the active list changed (servers take
	// a moment to disconnect). StuckSessions keeps them forever.
	LingerReads   int
	StuckSessions bool
	// ArrivalReads delays new chat sessions by this many session reads.
	ArrivalReads int
	// Down makes every cmdlet fail with a WinRM 503.
	Down bool
}

// Call is one change made through the implementations.
type Call struct {
	Target string // instance name or "pool"
	Op     string // method name
	Text   string
	DB     string
}

type chatPlace struct {
	instance, db string
}

type lingering struct {
	place    chatPlace
	sessions []failback.Session
	reads    int
}

// World is the whole in-memory deployment. It is safe for concurrent use.
type World struct {
	mu        sync.Mutex
	Topo      *topology.Topology
	Instances map[string]*Instance
	Pool      *PoolModel
	// Now is the clock for monitor dates and restore history.
	Now func() time.Time

	files    map[string][]*mediaSet // backup files on the share, by lower-cased path
	paths    map[string]string      // lower-cased path -> path as written
	jobSeq   int64                  // sysjobhistory.instance_id
	jobFails map[string][]string    // instance/job -> injected failures of the next runs
	jobIdle  map[string]int         // instance/job -> next runs that succeed doing nothing
	jobBusy  map[string]int         // instance/job -> next activity reads that find a run in progress
	quiet    map[string]bool        // instance/db whose log nothing is written to (QuietLog)
	sameSec  map[string]int         // instance -> next backup-job runs in the second of the share's newest log backup (SameSecondLogBackup)
	calls    []Call
	faults   map[string][]error
	linger   []*lingering
	arrival  int
	lastMode string
	// PrimaryContent is the primary mgc's content when NewFailoverWorld's
	// disaster struck; LoggedContent its content at the last log backup
	// (what a failover that applies every log backup ends with).
	PrimaryContent map[string]Table
	LoggedContent  map[string]Table
}

type mediaSet struct {
	set         failback.BackupSet
	db          *Database // snapshot (for a log: the content at its last LSN)
	source      string    // instance
	first, last int64     // LSN range
}

// putFile writes a backup file (replacing one of the same path).
func (w *World) putFile(path string, sets []*mediaSet) {
	w.files[lower(path)] = sets
	w.paths[lower(path)] = path
}

// RemoveFile deletes a file from the share or the copy folder (a test
// losing a log backup).
func (w *World) RemoveFile(path string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.files, lower(path))
	delete(w.paths, lower(path))
}

// Files names the files in dir, sorted.
func (w *World) Files(dir string) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.filesIn(dir)
}

func (w *World) filesIn(dir string) []string {
	var out []string
	for k, p := range w.paths {
		if _, ok := w.files[k]; ok && strings.EqualFold(dirOf(p), strings.TrimRight(dir, `\/`)) {
			out = append(out, p[len(dirOf(p))+1:])
		}
	}
	sort.Strings(out)
	return out
}

// roles of the world's instances, from the topology.
func (w *World) instanceFor(r topology.Role) *Instance {
	in, ok := w.Topo.InstanceByRole(r)
	if !ok {
		return nil
	}
	return w.Instances[in.Name]
}

func (w *World) compFor(r topology.Role) *Instance {
	in, ok := w.Topo.ComplianceInstance(r)
	if !ok {
		return nil
	}
	return w.Instances[in.Name]
}

func (w *World) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

// ContentTables is the backup mgc's content in a new world.
var ContentTables = map[string]Table{
	"dbo.tblChat":     {Rows: 1200, Checksum: 81234567},
	"dbo.tblNode":     {Rows: 40, Checksum: -1234},
	"dbo.tblPrincipa": {Rows: 310, Checksum: 99887},
}

// RebuiltTables is what Topology Builder leaves in a rebuilt mgc.
var RebuiltTables = map[string]Table{
	"dbo.tblChat":     {Rows: 0},
	"dbo.tblNode":     {Rows: 1, Checksum: 17},
	"dbo.tblPrincipa": {Rows: 0},
}

func files(dir, db string) []failback.DatabaseFile {
	return []failback.DatabaseFile{
		{LogicalName: db, PhysicalName: dir + `\` + db + ".mdf", Type: "ROWS"},
		{LogicalName: db + "_log", PhysicalName: dir + `\` + db + "_log.ldf", Type: "LOG"},
	}
}

// NewWorld builds the state the failback starts from: the pool FailedOver
// with the failover active servers on the backup mgc, the backup mgc and
// mgccomp mirrored to the backup-mirror instance, the rebuilt primary
// databases ONLINE and nearly empty, failover's log-shipping leftovers on
// the backup, the Agent running under the topology's account.
func NewWorld(t *topology.Topology) *World {
	w := newBase(t)
	mirrorHost := ""
	if m := w.instanceFor(topology.RoleBackupMirror); m != nil {
		mirrorHost = m.Host
	}
	backupHost := ""
	if b := w.instanceFor(topology.RoleBackup); b != nil {
		backupHost = b.Host
	}
	add := func(in *Instance, db *Database) {
		if in != nil {
			in.Databases[db.Name] = db
		}
	}
	for _, name := range []string{failback.DBContent, failback.DBCompliance} {
		if name == failback.DBCompliance && !t.Compliance {
			continue
		}
		prim, back, mir := w.instanceFor(topology.RolePrimary), w.instanceFor(topology.RoleBackup), w.instanceFor(topology.RoleBackupMirror)
		if name == failback.DBCompliance {
			prim, back, mir = w.compFor(topology.RolePrimary), w.compFor(topology.RoleBackup), w.compFor(topology.RoleBackupMirror)
		}
		content := map[string]Table{}
		rebuilt := map[string]Table{}
		for k, v := range ContentTables {
			content[k] = v
		}
		for k, v := range RebuiltTables {
			rebuilt[k] = v
		}
		add(prim, &Database{Name: name, State: "ONLINE", RecoveryModel: "FULL", Family: "rebuilt-" + name, Tables: rebuilt,
			Files: files(`E:\SQLData`, name), SizeBytes: 64 << 20, LSN: 40000})
		bdb := &Database{Name: name, State: "ONLINE", RecoveryModel: "FULL", Family: "original-" + name, Tables: content,
			Files: files(`D:\SQLData`, name), SizeBytes: 512 << 20, LSN: 900000}
		if mir != nil {
			bdb.Mirror = failback.Mirroring{Mirrored: true, Role: "PRINCIPAL", State: "SYNCHRONIZED", Partner: "TCP://" + mirrorHost + ":5022", SafetyLevel: "FULL"}
			m := bdb.clone()
			m.State = "RESTORING"
			m.Mirror = failback.Mirroring{Mirrored: true, Role: "MIRROR", State: "SYNCHRONIZED", Partner: "TCP://" + backupHost + ":5022", SafetyLevel: "FULL"}
			add(mir, m)
		}
		add(back, bdb)
	}
	// Failover step 1 deleted the secondary database entry; the secondary's
	// registration of the old primary and its jobs remain.
	if b, p := w.instanceFor(topology.RoleBackup), w.instanceFor(topology.RolePrimary); b != nil && p != nil {
		b.secondaries = append(b.secondaries, &lsSecondary{primaryServer: p.ServerName, primaryDB: failback.DBContent,
			copyJob: t.LogShipping.CopyJob, restoreJob: t.LogShipping.RestoreJob, copyDir: t.LogShipping.CopyDirectory})
		b.jobs[t.LogShipping.CopyJob] = &job{kind: "copy", db: failback.DBContent, enabled: true}
		b.jobs[t.LogShipping.RestoreJob] = &job{kind: "restore", db: failback.DBContent, enabled: true}
	}
	w.Pool = &PoolModel{State: lync.PoolFailedOver, Active: append([]string(nil), t.Pool.FailoverActiveServers...)}
	for _, s := range t.Pool.Servers {
		w.Pool.Servers = append(w.Pool.Servers, s.FQDN)
	}
	w.lastMode = w.modeKey()
	return w
}

// newBase makes the instances of a topology with their services and
// directories, and nothing on them.
func newBase(t *topology.Topology) *World {
	w := &World{Topo: t, Instances: map[string]*Instance{}, files: map[string][]*mediaSet{}, paths: map[string]string{}, faults: map[string][]error{}}
	for _, in := range t.Instances {
		agent := in.AgentAccount
		if agent == "" {
			agent = `CONTOSO\sqlagent`
		}
		w.Instances[in.Name] = &Instance{
			Name: in.Name, ServerName: strings.ToUpper(strings.SplitN(in.Host, ".", 2)[0]), Host: in.Host,
			Databases: map[string]*Database{},
			Services: []failback.Service{
				{Name: "SQL Server (MSSQLSERVER)", Account: in.ServiceAccount, Status: "Running", Startup: "Automatic"},
				{Name: "SQL Server Agent (MSSQLSERVER)", Account: agent, Status: "Running", Startup: "Automatic"},
			},
			Dirs:      map[string]bool{strings.ToLower(t.Share.UNC): true, strings.ToLower(t.LogShipping.CopyDirectory): true},
			FreeBytes: 100 << 30, FreeKnown: true,
			jobs: map[string]*job{},
		}
	}
	return w
}

// Env returns a failback.Env over this world's implementations.
func (w *World) Env(opts failback.Options) *failback.Env {
	env := &failback.Env{Topo: w.Topo, Pool: &Pool{w: w}, Options: opts}
	if in, ok := w.Topo.InstanceByRole(topology.RolePrimary); ok {
		env.Primary = w.SQL(in.Name)
	}
	if in, ok := w.Topo.InstanceByRole(topology.RoleBackup); ok {
		env.Backup = w.SQL(in.Name)
	}
	if in, ok := w.Topo.ComplianceInstance(topology.RolePrimary); ok {
		env.PrimaryComp = w.SQL(in.Name)
	}
	if in, ok := w.Topo.ComplianceInstance(topology.RoleBackup); ok {
		env.BackupComp = w.SQL(in.Name)
	}
	if in, ok := w.Topo.InstanceByRole(topology.RolePrimaryMirror); ok {
		env.PrimaryMirror = w.SQL(in.Name)
	}
	if in, ok := w.Topo.InstanceByRole(topology.RoleBackupMirror); ok {
		env.BackupMirror, env.BackupMirrorComp = w.SQL(in.Name), w.SQL(in.Name)
	}
	if in, ok := w.Topo.ComplianceInstance(topology.RoleBackupMirror); ok {
		env.BackupMirrorComp = w.SQL(in.Name)
	}
	return env
}

// SQL returns the implementation for one instance.
func (w *World) SQL(instance string) *SQL { return &SQL{w: w, name: instance} }

// Lock runs fn with the world locked, for tests that arrange or inspect
// state directly.
func (w *World) Lock(fn func(w *World)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	fn(w)
}

// Instance returns an instance by topology name (nil if unknown); use it
// inside Lock.
func (w *World) Instance(name string) *Instance { return w.Instances[name] }

// FailNext queues errors that the next calls of op ("RestoreDatabase",
// "SetPoolState", or "*" for any) on target (an instance name or "pool")
// return before doing anything.
func (w *World) FailNext(target, op string, errs ...error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	k := target + "/" + op
	w.faults[k] = append(w.faults[k], errs...)
}

func (w *World) fault(target, op string) error {
	for _, k := range []string{target + "/" + op, target + "/*"} {
		if q := w.faults[k]; len(q) > 0 {
			w.faults[k] = q[1:]
			return q[0]
		}
	}
	return nil
}

// Calls returns every change made so far, in order.
func (w *World) Calls() []Call {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]Call(nil), w.calls...)
}

// CountCalls counts changes of op on target ("" matches any target).
func (w *World) CountCalls(target, op string) int {
	n := 0
	for _, c := range w.Calls() {
		if (target == "" || c.Target == target) && c.Op == op {
			n++
		}
	}
	return n
}

// ---- chat sessions ----

// chatPlaces is where active chat servers hold sessions given the pool
// state: the primary databases when Normal, the backup ones when FailedOver.
func (w *World) chatPlaces() []chatPlace {
	if len(w.Pool.Active) == 0 {
		return nil
	}
	role := topology.RolePrimary
	if w.Pool.State == lync.PoolFailedOver {
		role = topology.RoleBackup
	}
	var out []chatPlace
	if in := w.instanceFor(role); in != nil {
		out = append(out, chatPlace{in.Name, failback.DBContent})
	}
	if in := w.compFor(role); in != nil {
		out = append(out, chatPlace{in.Name, failback.DBCompliance})
	}
	return out
}

func (w *World) modeKey() string {
	return string(w.Pool.State) + "|" + strings.Join(w.Pool.Active, ",")
}

func (w *World) chatSessions(place chatPlace) []failback.Session {
	in := w.Instances[place.instance]
	if in == nil {
		return nil
	}
	db := in.Databases[place.db]
	if db == nil || db.State != "ONLINE" || db.ReadOnly || (db.Mirror.Mirrored && db.Mirror.Role == "MIRROR") {
		return nil
	}
	var out []failback.Session
	for i, s := range w.Pool.Active {
		out = append(out, failback.Session{ID: int16(51 + i), Login: `CONTOSO\pchatsvc`, Program: "Persistent Chat Server", Host: s})
	}
	return out
}

// poolChanged records where the chat sessions were, so they linger there.
func (w *World) poolChanged(before []chatPlace, beforeSessions map[chatPlace][]failback.Session) {
	if w.modeKey() == w.lastMode {
		return
	}
	w.lastMode = w.modeKey()
	for _, p := range before {
		if ss := beforeSessions[p]; len(ss) > 0 && (w.Pool.LingerReads > 0 || w.Pool.StuckSessions) {
			w.linger = append(w.linger, &lingering{place: p, sessions: ss, reads: w.Pool.LingerReads})
		}
	}
	w.arrival = w.Pool.ArrivalReads
}

func (w *World) snapshotChat() ([]chatPlace, map[chatPlace][]failback.Session) {
	places := w.chatPlaces()
	m := map[chatPlace][]failback.Session{}
	for _, p := range places {
		m[p] = w.chatSessions(p)
	}
	return places, m
}

// sessions is what sys.dm_exec_sessions shows for a database (one read).
func (w *World) sessions(instance, db string) []failback.Session {
	place := chatPlace{instance, db}
	var out []failback.Session
	if d := w.Instances[instance].Databases[db]; d != nil {
		out = append(out, d.Other...)
	}
	for _, p := range w.chatPlaces() {
		if p == place {
			if w.arrival > 0 {
				w.arrival--
			} else {
				out = append(out, w.chatSessions(p)...)
			}
		}
	}
	kept := w.linger[:0]
	for _, l := range w.linger {
		if l.place == place {
			out = append(out, l.sessions...)
			if !w.Pool.StuckSessions {
				l.reads--
			}
		}
		if l.reads > 0 || w.Pool.StuckSessions {
			kept = append(kept, l)
		}
	}
	w.linger = kept
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// SessionsNow reports sessions without counting as a read.
func (w *World) SessionsNow(instance, db string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, p := range w.chatPlaces() {
		if p == (chatPlace{instance, db}) {
			n += len(w.chatSessions(p))
		}
	}
	return n
}

func (w *World) record(target, op, db, text string) {
	w.calls = append(w.calls, Call{Target: target, Op: op, Text: text, DB: db})
}

func lower(s string) string { return strings.ToLower(s) }

func dirOf(p string) string {
	i := strings.LastIndexAny(p, `\/`)
	if i < 0 {
		return ""
	}
	return p[:i]
}
