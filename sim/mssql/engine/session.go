package engine

import (
	"context"
	"sync"
	"time"

	"github.com/pchatdr/harness/sim/mssql/setopts"
	"github.com/pchatdr/harness/sqlerr"
)

// options are a session's SET options (setopts) and the table SET
// IDENTITY_INSERT is ON for, saved and restored with them.
type options struct {
	setopts.Options
	IdentityInsert *Table
}

func defaultOptions() options { return options{Options: setopts.Default()} }

// Session is one connection's server-side state.
//
// Kills: KILL, ALTER DATABASE ... WITH ROLLBACK IMMEDIATE and Instance.Close
// kill a session: its open transaction is rolled back, a running request is
// cancelled, Done() is closed, and every later request returns
// ErrSessionKilled. The transport closes the connection when Done() fires
// (or when a request returns ErrSessionKilled), which is what a client of a
// real server sees.
type Session struct {
	inst       *Instance
	id         int
	login      string
	appName    string
	host       string
	clientAddr string
	conn       connInfo // set at login, read-only after
	// prepared statements by handle (sp_prepare, sp_prepexec); the
	// request lock guards them.
	prepared   map[int32]preparedStmt
	nextHandle int32
	loginTime  time.Time

	reqMu sync.Mutex // one request at a time

	mu        sync.Mutex // fields other sessions read
	db        *Database
	status    string
	command   string
	lastBatch time.Time
	cancelReq context.CancelFunc
	done      chan struct{}
	killed    bool
	closed    bool

	// Owned by the running request (reqMu).
	opts       options
	tx         *Tx
	tranCount  int
	rowcount   int64
	lastError  int32
	identity   Value // @@IDENTITY
	scopeIdent Value // SCOPE_IDENTITY() of the outermost scope
	tranNames  []string
	doomed     bool // XACT_ABORT error caught in TRY: only ROLLBACK is allowed
	// savepoints are SAVE TRANSACTION marks of the open transaction.
	savepoints []savepoint
}

type savepoint struct {
	name string
	mark int
}

// Login authenticates a SQL login and opens a session in the requested (or
// default, master) database. Failures are *Error 18456 (bad login) or 4060
// (database missing or not accessible); SQL Server follows 4060 with 18456,
// which the transport may add.
func (inst *Instance) Login(ctx context.Context, r LoginRequest) (*Session, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p := inst.principals()
	if ok := (r.Windows && p.WindowsExists(r.User)) || (!r.Windows && p.CheckPassword(r.User, r.Password)); !ok {
		e := newErr(sqlerr.LoginFailed, r.User)
		e.Server = inst.cfg.Name
		return nil, e
	}
	dbName := r.Database
	if dbName == "" {
		dbName = "master"
	}
	db := inst.DB(dbName)
	if db == nil || db.openError() != nil {
		e := newErr(sqlerr.CannotOpenDatabase, dbName)
		e.Server = inst.cfg.Name
		return nil, e
	}
	inst.mu.Lock()
	defer inst.mu.Unlock()
	if inst.closed {
		return nil, ErrSessionKilled
	}
	if db.Meta().UserAccess == SingleUser && inst.sessionsInLocked(db, nil) > 0 {
		e := newErr(sqlerr.CannotOpenDatabase, dbName)
		e.Server = inst.cfg.Name
		return nil, e
	}
	id := 51
	for inst.sessions[id] != nil {
		id++
	}
	now := inst.now()
	s := &Session{inst: inst, id: id, login: r.User, appName: r.AppName, host: r.HostName,
		clientAddr: r.ClientAddr, loginTime: now, lastBatch: now, db: db, status: "sleeping",
		command: "AWAITING COMMAND", done: make(chan struct{}), opts: defaultOptions(),
		conn: connInfo{local: r.LocalAddr, tdsVersion: r.TDSVersion, packetSize: r.PacketSize,
			auth: r.AuthScheme, encrypted: r.Encrypted, id: newGUID()}}
	inst.sessions[id] = s
	return s, nil
}

// sessionsInLocked counts sessions whose current database is db, other than
// except (caller holds inst.mu).
func (inst *Instance) sessionsInLocked(db *Database, except *Session) int {
	n := 0
	for _, s := range inst.sessions {
		if s == except {
			continue
		}
		s.mu.Lock()
		if s.db == db && !s.killed {
			n++
		}
		s.mu.Unlock()
	}
	return n
}

func (inst *Instance) sessionList() []*Session {
	inst.mu.RLock()
	defer inst.mu.RUnlock()
	out := make([]*Session, 0, len(inst.sessions))
	for _, s := range inst.sessions {
		out = append(out, s)
	}
	sortSessions(out)
	return out
}

// ID is the session id (@@SPID), 51 or more.
func (s *Session) ID() int { return s.id }

// Database is the session's current database name.
func (s *Session) Database() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.db.Name()
}

// Done is closed when the session is killed or closed; the transport then
// closes the connection.
func (s *Session) Done() <-chan struct{} { return s.done }

// Killed reports whether the session was killed.
func (s *Session) Killed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.killed
}

func (s *Session) currentDB() *Database {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.db
}

func (s *Session) setDB(db *Database) {
	s.mu.Lock()
	s.db = db
	s.mu.Unlock()
}

// kill ends the session from another goroutine (KILL, ROLLBACK IMMEDIATE,
// instance shutdown).
func (s *Session) kill(_ *Error) {
	s.mu.Lock()
	if s.killed {
		s.mu.Unlock()
		return
	}
	s.killed = true
	close(s.done)
	if s.cancelReq != nil {
		s.cancelReq()
	}
	s.mu.Unlock()
	s.inst.mu.Lock()
	if s.inst.sessions[s.id] == s {
		delete(s.inst.sessions, s.id)
	}
	s.inst.mu.Unlock()
	// Roll back now if idle; a running request rolls back when it ends.
	if s.reqMu.TryLock() {
		s.abandonTx()
		s.reqMu.Unlock()
	}
}

// abandonTx rolls back an open transaction (caller holds reqMu).
func (s *Session) abandonTx() {
	if s.tx != nil {
		s.tx.Rollback()
		s.tx = nil
	}
	s.tranCount = 0
	s.tranNames = nil
	s.doomed = false
	s.savepoints = nil
}

// begin starts a request; it fails when the session is dead.
func (s *Session) begin(ctx context.Context, command string) (context.Context, func(), error) {
	s.reqMu.Lock()
	s.mu.Lock()
	if s.killed || s.closed {
		s.mu.Unlock()
		s.reqMu.Unlock()
		return nil, nil, ErrSessionKilled
	}
	rctx, cancel := context.WithCancel(ctx)
	s.cancelReq = cancel
	s.status = "running"
	s.command = command
	s.lastBatch = s.inst.now()
	s.mu.Unlock()
	end := func() {
		cancel()
		s.mu.Lock()
		s.cancelReq = nil
		s.status = "sleeping"
		s.command = "AWAITING COMMAND"
		s.mu.Unlock()
		s.reqMu.Unlock()
		s.mu.Lock()
		killed := s.killed
		s.mu.Unlock()
		if killed && s.reqMu.TryLock() {
			s.abandonTx()
			s.reqMu.Unlock()
		}
	}
	return rctx, end, nil
}

// Close ends the session: an open transaction is rolled back.
func (s *Session) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	if !s.killed {
		close(s.done)
	}
	s.killed = true
	if s.cancelReq != nil {
		s.cancelReq()
	}
	s.mu.Unlock()
	s.reqMu.Lock()
	s.abandonTx()
	s.reqMu.Unlock()
	s.dropTempTables()
	s.inst.mu.Lock()
	if s.inst.sessions[s.id] == s {
		delete(s.inst.sessions, s.id)
	}
	s.inst.mu.Unlock()
}

// SystemSession opens an internal session for the engine's own T-SQL
// (later issues create msdb tables and run job steps with it). It runs as
// sa, has a spid below 51 and is not listed in sys.dm_exec_sessions or
// sp_who2; the caller closes it.
func (inst *Instance) SystemSession(db string) (*Session, error) {
	d := inst.DB(db)
	if d == nil {
		return nil, newErr(sqlerr.DatabaseNotFound, db)
	}
	id := 1 + int(inst.systemSPID.Add(1)%49)
	now := inst.now()
	return &Session{inst: inst, id: id, login: "sa", appName: "SQLAgent - Job Manager", loginTime: now, lastBatch: now,
		db: d, status: "background", command: "AWAITING COMMAND", done: make(chan struct{}), opts: defaultOptions()}, nil
}

// Reset is TDS RESETCONNECTION: it rolls back an open transaction and resets
// SET options, @@ERROR/@@ROWCOUNT/@@IDENTITY. It keeps the current database
// (sp_reset_connection does too: the driver's ENVCHANGE state stays right,
// and the pool's next user issues USE itself when it cares).
func (s *Session) Reset() {
	s.reqMu.Lock()
	defer s.reqMu.Unlock()
	s.abandonTx()
	s.opts = defaultOptions()
	s.rowcount = 0
	s.lastError = 0
	s.identity = nil
	s.scopeIdent = nil
	s.dropTempTables()
}

// TranDescriptor is the open transaction's descriptor (the value of the
// last ENVCHANGE begin), 0 when none is open.
func (s *Session) TranDescriptor() uint64 {
	s.reqMu.Lock()
	defer s.reqMu.Unlock()
	if s.tx == nil {
		return 0
	}
	return s.tx.ID()
}

// BeginTran is the TDS transaction-manager BEGIN request; it returns the
// transaction descriptor. isolation, when not "", is the level the request
// asks for ("READ COMMITTED", "SERIALIZABLE"...): as SET TRANSACTION
// ISOLATION LEVEL, it stays the session's level afterwards.
func (s *Session) BeginTran(ctx context.Context, name, isolation string) (uint64, error) {
	_, end, err := s.begin(ctx, "BEGIN TRANSACTION")
	if err != nil {
		return 0, err
	}
	defer end()
	if isolation != "" {
		s.opts.Isolation = isolation
	}
	s.beginTran(name)
	return s.tx.ID(), nil
}

// CommitTran is the TDS transaction-manager COMMIT request.
func (s *Session) CommitTran(ctx context.Context) error {
	rctx, end, err := s.begin(ctx, "COMMIT TRANSACTION")
	if err != nil {
		return err
	}
	defer end()
	if s.tranCount == 0 {
		return newErr(sqlerr.CommitNoTransaction)
	}
	return s.commitAll(rctx)
}

// RollbackTran is the TDS transaction-manager ROLLBACK request.
func (s *Session) RollbackTran(ctx context.Context) error {
	_, end, err := s.begin(ctx, "ROLLBACK TRANSACTION")
	if err != nil {
		return err
	}
	defer end()
	if s.tranCount == 0 {
		return newErr(sqlerr.RollbackNoTransaction)
	}
	s.abandonTx()
	return nil
}

func (s *Session) beginTran(name string) {
	if s.tx == nil {
		s.tx = newTx(s)
	}
	s.tranCount++
	s.tranNames = append(s.tranNames, name)
}

// commitAll commits the explicit transaction (outermost COMMIT).
func (s *Session) commitAll(ctx context.Context) error {
	if s.doomed {
		return newErr(sqlerr.UncommittableTransaction)
	}
	tx := s.tx
	s.tx = nil
	s.tranCount = 0
	s.tranNames = nil
	s.savepoints = nil
	if tx == nil {
		return nil
	}
	if err := tx.Commit(ctx); err != nil {
		return s.logFailure(err)
	}
	return nil
}

// logFailure turns a log write failure into SQL Server's 9001 (severity 21:
// the connection ends).
func (s *Session) logFailure(err error) error {
	if _, ok := asSQLError(err); ok {
		return err
	}
	s.inst.logf("engine: %v", err)
	db := s.currentDB()
	return newErr(sqlerr.LogNotAvailable, db.Name())
}
