package engine

import (
	"context"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/pchatdr/harness/sim/mssql/lsn"
	"github.com/pchatdr/harness/sim/mssql/mirror"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
)

// This file is the engine's surface for features that live outside the
// package (sim/mssql/mirroring, ...): what a handler registered in the
// Registry may ask of the running statement, the instance, a database and a
// session. go-mysql-server's sql.Context plays this part for its
// binlogreplication and eventscheduler packages. The engine never imports
// such a package (archtest); the list that wires them is sim/mssql/features.

// Scope is the running statement as a handler sees it: Registry.Statement,
// View and AlterDatabaseOption handlers receive one. It is the engine's own
// scope, so a handler outside the package runs exactly as one inside.
type Scope = scope

// Context is the statement's context (cancelled by KILL or attention).
func (sc *scope) Context() context.Context { return sc.ctx }

// Session is the session running the statement.
func (sc *scope) Session() *Session { return sc.s }

// Instance is the instance the statement runs on.
func (sc *scope) Instance() *Instance { return sc.s.inst }

// EvalScalar evaluates a scalar expression (variables, parameters,
// constants) in the statement's scope.
func (sc *scope) EvalScalar(e tsql.Expr) (Value, error) {
	v, _, err := sc.evalScalar(e)
	return v, err
}

// ConstInt evaluates an integer option value (def when e is nil).
func (sc *scope) ConstInt(e tsql.Expr, def int64) (int64, error) { return constInt(sc, e, def) }

// OK ends a statement that returns no rows (DONE, @@ROWCOUNT 0).
func (sc *scope) OK() error { return sc.ok() }

// InTransaction says the session has a transaction open (statements SQL
// Server refuses inside one raise 574).
func (sc *scope) InTransaction() bool { return sc.s.tranCount > 0 }

// ExprText is an expression's source text (error messages name it).
func ExprText(e tsql.Expr) string { return exprText(e) }

// Col is a catalog view column.
func Col(name string, t Type, nullable bool) Column { return col(name, t, nullable) }

// LSNDecimal is an LSN as the numeric(25,0) value catalog views show.
func LSNDecimal(l LSN) Value {
	return Decimal{Unscaled: new(big.Int).SetUint64(uint64(l)), Scale: 0}
}

// WallClock is t as a datetime column shows it (local wall clock).
func WallClock(t time.Time) time.Time { return sqltypes.WallClock(t) }

// NewGUID is a fresh random uniqueidentifier.
func NewGUID() GUID { return newGUID() }

// ParseGUID reads a GUID's canonical text (braces allowed); other spellings
// fail.
func ParseGUID(s string) (GUID, error) {
	g, ok := sqltypes.ParseGUID(s)
	if !ok || g.String() != strings.ToUpper(strings.Trim(s, "{}")) {
		return GUID{}, fmt.Errorf("guid %q", s)
	}
	return g, nil
}

// LSNOfSeq is the LSN of the log record with storage sequence seq; its
// inverse is LSN.Seq (sim/mssql/lsn).
func LSNOfSeq(seq uint64) LSN { return lsn.OfSeq(seq) }

// CloneExt is a copy of m.Ext to change: DBMeta copies share the map.
func CloneExt(m *DBMeta) map[string][]byte { return cloneExt(m) }

// Config is the configuration the instance was opened with.
func (inst *Instance) Config() Config { return inst.cfg }

// Logf writes to the instance's error log (Config.Logf).
func (inst *Instance) Logf(format string, args ...any) { inst.logf(format, args...) }

// Now is the instance's clock.
func (inst *Instance) Now() time.Time { return inst.now() }

// Master is the master database.
func (inst *Instance) Master() *Database { return inst.master }

// Databases lists the instance's databases by database_id.
func (inst *Instance) Databases() []*Database { return inst.sortedDBs() }

// LoginExists says name is a server login: sa, a configured login, a
// Windows login of the instance or one CREATE LOGIN added.
func (inst *Instance) LoginExists(name string) bool { return inst.loginExists(name) }

// UpdateMeta changes part of d's metadata durably: change reads and writes
// m under d's read-modify-write lock, so two features updating different
// DBMeta.Ext keys never lose each other's change.
func (inst *Instance) UpdateMeta(ctx context.Context, d *Database, change func(m *DBMeta)) error {
	d.metaRMW.Lock()
	defer d.metaRMW.Unlock()
	return inst.SetMeta(ctx, d, change)
}

// KillUsersOf ends every session using db but keep (a mirroring failover
// disconnects the database's users, as SQL Server does).
func (inst *Instance) KillUsersOf(db *Database, keep *Session) {
	for _, s := range inst.sessionList() {
		if s != keep && s.currentDB() == db && !s.Killed() {
			s.kill(nil)
		}
	}
}

// OpenError is the error a session gets when it tries to use d (USE,
// login, three-part names), nil when d is usable.
func (d *Database) OpenError() error {
	if e := d.openError(); e != nil {
		return e
	}
	return nil
}

// IsSystem says d is master, tempdb, model or msdb.
func (d *Database) IsSystem() bool { return d.ID() <= msdbID }

// WaitCommits returns once the commits in flight on d have run their
// commit hooks (a barrier: it takes and frees the database's gate).
func (d *Database) WaitCommits() {
	d.gate.Lock()
	//lint:ignore SA2001 the empty critical section is the barrier
	d.gate.Unlock()
}

// CurrentDatabase is the session's current database.
func (s *Session) CurrentDatabase() *Database { return s.currentDB() }

// SetDatabase makes db the session's current database (as USE does,
// without its checks).
func (s *Session) SetDatabase(db *Database) { s.setDB(db) }

// LoginName is the session's login.
func (s *Session) LoginName() string { return s.login }

// Instance is the instance the session belongs to.
func (s *Session) Instance() *Instance { return s.inst }

// MirrorRole is a database's role in a mirroring session
// (sys.database_mirroring.mirroring_role); the wire protocol's type, so
// the engine and the partners' hello agree.
type MirrorRole = mirror.Role

// Mirroring roles.
const (
	MirrorRoleNone      = mirror.RoleNone
	MirrorRolePrincipal = mirror.RolePrincipal
	MirrorRoleMirror    = mirror.RoleMirror
)

// MirroringRole is d's role in a database mirroring session, MirrorRoleNone
// when d is not mirrored or the instance has no mirroring. BACKUP refuses a
// MirrorRoleMirror database and RESTORE refuses any mirrored one (3104).
func (d *Database) MirroringRole() MirrorRole {
	if c := d.inst.ext.mirror; c != nil {
		return c.Role(d)
	}
	return MirrorRoleNone
}

// IsMirrored says d takes part in a mirroring session (either role).
func (d *Database) IsMirrored() bool { return d.MirroringRole() != MirrorRoleNone }

// MirrorController is what the engine asks of database mirroring, which
// lives outside it (sim/mssql/mirroring) and installs itself with
// Registry.MirrorController. Without one no database is mirrored.
type MirrorController interface {
	// Role is db's role in a mirroring session (MirrorRoleNone: not
	// mirrored). BACKUP refuses a mirror, RESTORE and ALTER DATABASE SET
	// RECOVERY refuse any mirrored database, a session cannot USE a mirror.
	Role(db *Database) MirrorRole
	// Row is db's sys.database_mirroring columns after database_id (nil:
	// not mirrored, all NULL).
	Row(db *Database) []Value
}

// registryExt is what features outside the engine install beyond
// statements, procedures and views: per-instance controllers and state.
type registryExt struct {
	mirror func(inst *Instance) MirrorController
	state  []stateDef
}

type stateDef struct {
	key    any
	create func(inst *Instance) any
}

// instanceExt is the per-instance side of registryExt, built once in New
// and read-only afterwards (no lock).
type instanceExt struct {
	mirror MirrorController
	state  map[any]any
}

// MirrorController makes New build the instance's mirroring controller
// with f.
func (r *Registry) MirrorController(f func(inst *Instance) MirrorController) { r.ext.mirror = f }

// InstanceState makes New create, for each instance, the state a feature
// outside the engine keeps per instance (its host, its listeners); the
// feature finds it again with Instance.State(key) in its handlers, Start
// and Stop, and frees what it holds in Stop. key is a value of an
// unexported type of the feature's package, as with context.WithValue;
// features that share state may each register it (the first one counts).
func (r *Registry) InstanceState(key any, create func(inst *Instance) any) {
	for _, d := range r.ext.state {
		if d.key == key {
			return // two features sharing state register it once
		}
	}
	r.ext.state = append(r.ext.state, stateDef{key: key, create: create})
}

// State is the per-instance state registered under key (nil: none).
func (inst *Instance) State(key any) any { return inst.ext.state[key] }

// MirrorController is the instance's mirroring controller (nil: the
// instance has no mirroring feature).
func (inst *Instance) MirrorController() MirrorController { return inst.ext.mirror }

// buildExt creates what the features' Install asked for per instance; it
// runs in New once the registry is complete, before any database is
// opened: create only allocates (Start does the work).
func (inst *Instance) buildExt() {
	if len(inst.reg.ext.state) > 0 {
		inst.ext.state = make(map[any]any, len(inst.reg.ext.state))
		for _, d := range inst.reg.ext.state {
			inst.ext.state[d.key] = d.create(inst)
		}
	}
	if f := inst.reg.ext.mirror; f != nil {
		inst.ext.mirror = f(inst)
	}
}

// PutLogState stores ls in m: a copy of a database made outside RESTORE
// (ReplaceDatabase) continues its source's log.
func PutLogState(m *DBMeta, ls LogState) { putLogState(m, ls) }

// Context is the procedure call's statement context (cancelled by KILL or
// attention): what a procedure outside the engine passes to the T-SQL it
// runs on a system session.
func (pc *ProcCall) Context() context.Context { return pc.sc.ctx }

// Session is the session that called the procedure.
func (pc *ProcCall) Session() *Session { return pc.sc.s }

// CommittedRows is the committed rows of d's table schema.name, read
// without a session (ok false: no such table). A RESTORING database, which
// no session can use, is read this way by tests that check what a restore
// applied (log shipping's secondary).
func (d *Database) CommittedRows(schema, name string) (rows [][]Value, ok bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	tb := d.tables[tableKey(schema, name)]
	if tb == nil {
		return nil, false
	}
	if tb.Seg != nil {
		for pos := 0; pos < tb.Seg.Len(); pos++ {
			if !tb.Seg.Dead(pos) {
				rows = append(rows, tb.SegVals(pos))
			}
		}
	}
	for _, r := range tb.Rows {
		if r.CommittedLive() {
			rows = append(rows, r.Vals)
		}
	}
	return rows, true
}
