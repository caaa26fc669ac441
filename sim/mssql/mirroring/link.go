package mirroring

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/mirror"
	"github.com/pchatdr/harness/sqlerr"
)

// mirrorLink is one mirrored database's side of its session: it keeps a
// connection to the partner (redialling after a loss), ships the log when
// this side is the principal, applies it when this side is the mirror, and
// carries the partner's configuration requests.
//
// Connection rule: both sides redial a lost session, but the principal's
// dial wins a race (an incoming connection from the mirror is refused while
// the principal dials), and a mirror waits two retry periods before it
// dials, so two connections for one session never live at once. Dialling
// from both sides is what lets a partner that was away learn that the
// other side removed mirroring (it is refused with 1416 and drops its own
// metadata), as SQL Server's partners do on reconnect.
//
// Locks: mirrorHost.mu is never taken while holding mirrorLink.mu.
type mirrorLink struct {
	h      *mirrorHost
	name   string
	ctx    context.Context // the link's life: until SET PARTNER OFF or instance close
	cancel context.CancelFunc
	kickCh chan struct{}
	wake   chan struct{} // shipper: new records

	mu        sync.Mutex
	sess      *mirror.Session
	dialing   bool
	lastConn  time.Time
	synced    bool
	witnessOK bool
	safety    int
	timeout   time.Duration
	// Principal side: acked is the mirror's next LSN (it holds everything
	// before it); ackCh is closed and replaced at every acknowledgement.
	acked engine.LSN
	ackCh chan struct{}
	// Shipping state: pending holds hooked records by seq until sent.
	shipping   bool
	pending    map[uint64][]byte
	next       uint64 // seq of the next record to send
	shipCancel context.CancelFunc
	shipDone   chan struct{}
	hookDB     *engine.Database
}

func newLink(h *mirrorHost, name string) *mirrorLink {
	l := &mirrorLink{h: h, name: name, kickCh: make(chan struct{}, 1), wake: make(chan struct{}, 1),
		lastConn: time.Now(), ackCh: make(chan struct{}), safety: safetyFull, timeout: 10 * time.Second}
	l.ctx, l.cancel = context.WithCancel(h.ctx)
	return l
}

func (l *mirrorLink) kick() {
	select {
	case l.kickCh <- struct{}{}:
	default:
	}
}

func (l *mirrorLink) db() *engine.Database { return l.h.inst.DB(l.name) }

func (l *mirrorLink) status() (connected, synced bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sess != nil, l.synced
}

func (l *mirrorLink) retry() time.Duration {
	if d := l.h.inst.Config().MirrorRetry; d > 0 {
		return d
	}
	return time.Second
}

func timeoutOf(secs int) time.Duration {
	if secs <= 0 {
		secs = 10
	}
	return time.Duration(secs) * time.Second
}

// run keeps the session connected until the link ends.
func (l *mirrorLink) run() {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-l.ctx.Done():
			l.dropSession()
			return
		case <-t.C:
		case <-l.kickCh:
		}
		l.dialOnce()
		t.Reset(l.retry())
	}
}

// dialOnce tries to (re)connect when the session is down.
func (l *mirrorLink) dialOnce() {
	db := l.db()
	if db == nil {
		return
	}
	mm, ok := metaOf(db)
	if !ok {
		l.h.removeLink(l)
		return
	}
	if mm.Witness != "" && mm.Role == engine.MirrorRolePrincipal {
		l.probeWitness(mm.Witness)
	}
	started := l.h.endpointStarted() // h.mu before l.mu, never inside it
	l.mu.Lock()
	busy := l.sess != nil || l.dialing
	early := mm.Role == engine.MirrorRoleMirror && time.Since(l.lastConn) < 2*l.retry()
	if busy || early || !started {
		l.mu.Unlock()
		return
	}
	l.dialing = true
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		l.dialing = false
		l.mu.Unlock()
	}()
	addr, err := l.h.resolve(mm.Partner)
	if err != nil {
		return
	}
	x := linkHello{Op: "reconnect", RoleSeq: mm.RoleSeq, NextLSN: db.NextLSN(), Suspended: mm.Suspended}
	c, peer, err := mirror.Dial(l.ctx, addr, l.h.hello(db.Name(), mm, x))
	var r *mirror.Refusal
	if errors.As(err, &r) && r.Number == sqlerr.NotMirrored {
		// The partner removed mirroring while we were apart.
		l.h.inst.Logf("mirroring: database mirroring has been terminated for database '%s' (partner removed it)", l.name)
		_ = setMirrorMeta(context.WithoutCancel(l.ctx), l.h.inst, db, func(*engine.DBMeta, *MirrorMeta) bool { return false })
		l.h.removeLink(l)
		return
	}
	if err != nil {
		return
	}
	var px linkHello
	_ = json.Unmarshal(peer.Extra, &px)
	if err := l.reconcile(l.ctx, peer.Role, px.RoleSeq); err != nil {
		c.Close()
		return
	}
	l.serve(l.ctx, c, peer, px)
}

// mayAccept decides an incoming connection against our own dialing.
func (l *mirrorLink) mayAccept(peerRole engine.MirrorRole, peerSeq int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.sess != nil || l.ctx.Err() != nil {
		return false
	}
	if db := l.db(); l.dialing && db != nil {
		if mm, ok := metaOf(db); ok && mm.Role == engine.MirrorRolePrincipal && (peerRole != engine.MirrorRolePrincipal || peerSeq < mm.RoleSeq) {
			return false // our own dial wins
		}
	}
	return true
}

// reconcile settles roles when a session resumes: after a forced failover
// both copies claim to be the principal, and the one with the older role
// sequence becomes the mirror, suspended (as SQL Server's former principal
// does when it rejoins).
func (l *mirrorLink) reconcile(ctx context.Context, peerRole engine.MirrorRole, peerSeq int) error {
	db := l.db()
	if db == nil {
		return errors.New("database gone")
	}
	mm, ok := metaOf(db)
	if !ok {
		return errors.New("not mirrored")
	}
	switch {
	case mm.Role == engine.MirrorRolePrincipal && peerRole == engine.MirrorRolePrincipal:
		if peerSeq > mm.RoleSeq {
			return l.demote(ctx, db, peerSeq)
		}
		if peerSeq == mm.RoleSeq {
			return errors.New("both partners are principal at the same role sequence")
		}
	case mm.Role == engine.MirrorRoleMirror && peerRole == engine.MirrorRoleMirror:
		return errors.New("both partners are mirrors")
	case peerSeq > mm.RoleSeq:
		return setMirrorMeta(ctx, l.h.inst, db, func(_ *engine.DBMeta, m *MirrorMeta) bool { m.RoleSeq = peerSeq; return true })
	}
	return nil
}

// demote turns a stale principal into a suspended mirror.
func (l *mirrorLink) demote(ctx context.Context, db *engine.Database, seq int) error {
	l.h.inst.Logf("mirroring: the mirrored database %q is changing roles from \"PRINCIPAL\" to \"MIRROR\" (the partner was forced into service)", l.name)
	l.removeHook()
	err := setMirrorMeta(context.WithoutCancel(ctx), l.h.inst, db, func(m *engine.DBMeta, mm *MirrorMeta) bool {
		m.State = engine.StateRestoring
		mm.Role = engine.MirrorRoleMirror
		mm.RoleSeq = seq
		mm.Suspended = true
		return true
	})
	if err != nil {
		return err
	}
	l.h.inst.KillUsersOf(db, nil)
	return nil
}

// serve runs an established session until it ends (caller's goroutine).
func (l *mirrorLink) serve(ctx context.Context, c *mirror.Conn, peer mirror.Hello, px linkHello) {
	db := l.db()
	if db == nil {
		c.Close()
		return
	}
	mm, _ := metaOf(db)
	sess := mirror.NewSession(c, peer, l, timeoutOf(mm.Timeout))
	sctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(l.ctx, cancel)
	defer stop()
	defer cancel()
	l.mu.Lock()
	if l.sess != nil || l.ctx.Err() != nil {
		l.mu.Unlock()
		c.Close()
		return
	}
	l.sess = sess
	l.synced = false
	l.safety = mm.Safety
	l.timeout = timeoutOf(mm.Timeout)
	l.acked = px.NextLSN
	l.lastConn = time.Now()
	l.mu.Unlock()
	// Read the metadata again now that the session is visible: a SUSPEND
	// or RESUME issued meanwhile saw no session to tell.
	mm, _ = metaOf(db)
	if mm.Role == engine.MirrorRoleMirror && px.Suspended && !mm.Suspended {
		// The principal is the authority on a suspension it holds.
		_ = setMirrorMeta(context.WithoutCancel(sctx), l.h.inst, db, func(_ *engine.DBMeta, m *MirrorMeta) bool { m.Suspended = true; return true })
	}
	l.h.changed()
	if mm.Role == engine.MirrorRolePrincipal && !mm.Suspended {
		l.startShipper(sctx, sess, px.NextLSN)
	}
	err := sess.Run(sctx)
	l.stopShipper()
	l.mu.Lock()
	l.sess = nil
	l.synced = false
	l.lastConn = time.Now()
	l.mu.Unlock()
	if err != nil && !errors.Is(err, mirror.ErrClosed) && l.ctx.Err() == nil {
		l.h.inst.Logf("mirroring: mirroring session of %s with %s ended: %v", l.name, peer.Server, err)
	}
	if d := l.db(); d == nil || !d.IsMirrored() {
		l.h.removeLink(l)
	}
	l.h.changed()
	l.kick()
}

// dropSession closes the current session, if any.
func (l *mirrorLink) dropSession() {
	l.mu.Lock()
	s := l.sess
	l.mu.Unlock()
	if s != nil {
		s.Close()
	}
}

func (l *mirrorLink) session() *mirror.Session {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sess
}

// installHook makes the principal's commits reach the shipper.
func (l *mirrorLink) installHook() {
	db := l.db()
	if db == nil {
		return
	}
	l.mu.Lock()
	l.hookDB = db
	l.mu.Unlock()
	db.SetCommitHook(func(slsn uint64, p []byte) { l.onCommit(db, slsn, p) })
}

func (l *mirrorLink) removeHook() {
	l.mu.Lock()
	db := l.hookDB
	l.hookDB = nil
	l.mu.Unlock()
	if db != nil {
		db.SetCommitHook(nil)
	}
}

// onCommit runs for every record the principal makes durable. Under
// SAFETY FULL with a synchronized mirror it waits (up to the session
// timeout) until the mirror acknowledged the record, so a committed
// transaction survives a failover; after the timeout the principal runs
// exposed (no longer SYNCHRONIZED), as SQL Server does.
func (l *mirrorLink) onCommit(db *engine.Database, slsn uint64, p []byte) {
	lsn := db.SQLLSN(slsn)
	s, ok := lsn.Seq()
	if !ok {
		return
	}
	l.mu.Lock()
	if !l.shipping || s < l.next {
		l.mu.Unlock()
		return
	}
	l.pending[s] = p
	wait := l.synced && l.safety == safetyFull
	sess := l.sess
	timeout := l.timeout
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
	if !wait || sess == nil {
		return
	}
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		l.mu.Lock()
		done := l.acked > lsn
		ch := l.ackCh
		l.mu.Unlock()
		if done {
			return
		}
		select {
		case <-ch:
		case <-sess.Done():
			return
		case <-deadline.C:
			l.mu.Lock()
			l.synced = false
			l.mu.Unlock()
			l.h.changed()
			return
		}
	}
}

// startShipper begins shipping from the mirror's next LSN.
func (l *mirrorLink) startShipper(sctx context.Context, sess *mirror.Session, from engine.LSN) {
	s, ok := from.Seq()
	if !ok {
		l.h.inst.Logf("mirroring: mirroring of %s: partner next engine.LSN %s is not valid", l.name, from)
		sess.Close()
		return
	}
	ctx, cancel := context.WithCancel(sctx)
	done := make(chan struct{})
	l.mu.Lock()
	l.shipping = true
	l.pending = map[uint64][]byte{}
	l.next = s
	l.shipCancel = cancel
	l.shipDone = done
	l.mu.Unlock()
	l.h.wg.Add(1)
	go func() {
		defer l.h.wg.Done()
		defer close(done)
		l.ship(ctx, sess)
	}()
}

func (l *mirrorLink) stopShipper() {
	l.mu.Lock()
	cancel, done := l.shipCancel, l.shipDone
	l.shipCancel, l.shipDone = nil, nil
	l.shipping = false
	l.pending = nil
	l.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// shipBatchBytes bounds one catch-up frame.
const shipBatchBytes = 1 << 20

// sendFromLog ships every log record from seq next on, and returns the seq
// after the last one sent.
func (l *mirrorLink) sendFromLog(db *engine.Database, sess *mirror.Session, next uint64) (uint64, error) {
	var batch []mirror.Record
	size := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := sess.SendRecords(batch)
		batch, size = nil, 0
		return err
	}
	err := db.ReadLogRecords(engine.LSNOfSeq(next), func(r engine.LogRecord) error {
		s, ok := r.LSN.Seq()
		if !ok || s < next {
			return nil
		}
		batch = append(batch, mirror.Record{LSN: uint64(r.LSN), Payload: r.Payload})
		size += len(r.Payload)
		next = s + 1
		if size >= shipBatchBytes {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	return next, err
}

// advance moves the ship point to next, dropping hooked records before it.
func (l *mirrorLink) advance(next uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if next > l.next {
		l.next = next
	}
	for s := range l.pending {
		if s < l.next {
			delete(l.pending, s)
		}
	}
}

// takeInOrder removes the hooked records that continue the ship point.
func (l *mirrorLink) takeInOrder(db *engine.Database) ([]mirror.Record, uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []mirror.Record
	for {
		p, ok := l.pending[l.next]
		if !ok {
			return out, l.next
		}
		delete(l.pending, l.next)
		out = append(out, mirror.Record{LSN: uint64(engine.LSNOfSeq(l.next)), Payload: p})
		l.next++
	}
}

// gapWait is how long a hole in the hooked records may last before the
// shipper reads the log instead (a record made durable without the hook).
const gapWait = 200 * time.Millisecond

// ship is the principal's shipping loop: catch up from the log, then follow
// the commit hook in LSN order.
func (l *mirrorLink) ship(ctx context.Context, sess *mirror.Session) {
	db := l.db()
	if db == nil {
		return
	}
	l.mu.Lock()
	start := l.next
	l.mu.Unlock()
	// Shipping means the session is running: a mirror that still holds a
	// suspension (from before a reconnect) drops it.
	if _, err := sess.Call(ctx, "suspend", suspendReq{Suspended: false}); err != nil {
		return
	}
	next, err := l.sendFromLog(db, sess, start)
	if err != nil {
		l.h.inst.Logf("mirroring: mirroring of %s: catch-up from %s: %v", l.name, engine.LSNOfSeq(start), err)
		sess.Close()
		return
	}
	l.advance(next)
	var gapSince time.Time
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		recs, next := l.takeInOrder(db)
		if len(recs) > 0 {
			if err := sess.SendRecords(recs); err != nil {
				return
			}
			gapSince = time.Time{}
			continue
		}
		if dn, ok := db.NextLSN().Seq(); ok && dn > next {
			if gapSince.IsZero() {
				gapSince = time.Now()
			} else if time.Since(gapSince) > gapWait {
				n, err := l.sendFromLog(db, sess, next)
				if err != nil {
					l.h.inst.Logf("mirroring: mirroring of %s: read log from %s: %v", l.name, engine.LSNOfSeq(next), err)
					sess.Close()
					return
				}
				l.advance(n)
				gapSince = time.Time{}
				continue
			}
		} else {
			gapSince = time.Time{}
			l.checkSynced(ctx, sess, db)
		}
		select {
		case <-ctx.Done():
			return
		case <-l.wake:
		case <-tick.C:
		}
	}
}

// checkSynced marks the session SYNCHRONIZED once the mirror holds the
// whole log, and tells the mirror.
func (l *mirrorLink) checkSynced(ctx context.Context, sess *mirror.Session, db *engine.Database) {
	l.mu.Lock()
	if l.synced || l.acked < db.NextLSN() {
		l.mu.Unlock()
		return
	}
	l.synced = true
	l.mu.Unlock()
	l.h.changed()
	if _, err := sess.Call(ctx, "state", stateReq{Synced: true}); err != nil && ctx.Err() == nil {
		l.h.inst.Logf("mirroring: mirroring of %s: state: %v", l.name, err)
	}
}

// waitCaughtUp waits until the mirror acknowledged everything before end.
func (l *mirrorLink) waitCaughtUp(ctx context.Context, end engine.LSN) error {
	for {
		l.mu.Lock()
		done := l.acked >= end
		ch := l.ackCh
		sess := l.sess
		l.mu.Unlock()
		if done {
			return nil
		}
		if sess == nil {
			return mirror.ErrClosed
		}
		select {
		case <-ch:
		case <-sess.Done():
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Requests between partners.
type stateReq struct {
	Synced bool `json:"synced"`
}

type failoverReq struct {
	RoleSeq int        `json:"role_seq"`
	NextLSN engine.LSN `json:"next_lsn"`
}

type configReq struct {
	Safety    int    `json:"safety"`
	SafetySeq int    `json:"safety_seq"`
	Timeout   int    `json:"timeout"`
	Witness   string `json:"witness"`
}

type suspendReq struct {
	Suspended bool `json:"suspended"`
}

// Request implements mirror.Handler (reader goroutine).
func (l *mirrorLink) Request(ctx context.Context, op string, body json.RawMessage) (any, error) {
	db := l.db()
	if db == nil {
		return nil, &mirror.Refusal{Number: sqlerr.NotMirrored, Args: []string{l.name}}
	}
	inst := l.h.inst
	wctx := context.WithoutCancel(ctx)
	switch op {
	case "state":
		var r stateReq
		if err := json.Unmarshal(body, &r); err != nil {
			return nil, err
		}
		l.mu.Lock()
		l.synced = r.Synced
		l.mu.Unlock()
		l.h.changed()
		return nil, nil
	case "off":
		inst.Logf("mirroring: database mirroring has been terminated for database '%s'", l.name)
		return nil, setMirrorMeta(wctx, inst, db, func(*engine.DBMeta, *MirrorMeta) bool { return false })
	case "config":
		var r configReq
		if err := json.Unmarshal(body, &r); err != nil {
			return nil, err
		}
		err := setMirrorMeta(wctx, inst, db, func(_ *engine.DBMeta, mm *MirrorMeta) bool {
			mm.Safety, mm.SafetySeq, mm.Timeout, mm.Witness = r.Safety, r.SafetySeq, r.Timeout, r.Witness
			return true
		})
		l.applyConfig(r.Safety, r.Timeout)
		return nil, err
	case "suspend":
		var r suspendReq
		if err := json.Unmarshal(body, &r); err != nil {
			return nil, err
		}
		return nil, l.setSuspended(wctx, db, r.Suspended)
	case "failover":
		var r failoverReq
		if err := json.Unmarshal(body, &r); err != nil {
			return nil, err
		}
		return nil, l.takeOver(wctx, db, r)
	}
	return nil, fmt.Errorf("unknown mirroring request %q", op)
}

func (l *mirrorLink) applyConfig(safety, timeout int) {
	l.mu.Lock()
	l.safety = safety
	l.timeout = timeoutOf(timeout)
	s := l.sess
	l.mu.Unlock()
	if s != nil {
		s.SetTimeout(timeoutOf(timeout))
	}
	l.h.changed()
}

// setSuspended records SUSPEND/RESUME; the principal stops or restarts
// shipping (on RESUME from the mirror's last acknowledged LSN).
func (l *mirrorLink) setSuspended(ctx context.Context, db *engine.Database, on bool) error {
	var role engine.MirrorRole
	err := setMirrorMeta(ctx, l.h.inst, db, func(_ *engine.DBMeta, mm *MirrorMeta) bool {
		mm.Suspended = on
		role = mm.Role
		return true
	})
	if err != nil || role != engine.MirrorRolePrincipal {
		return err
	}
	if on {
		// The shipper may be in a Call whose reply this goroutine would
		// read: cancel it without waiting here.
		l.mu.Lock()
		if l.shipCancel != nil {
			l.shipCancel()
		}
		l.shipping = false
		l.synced = false
		l.mu.Unlock()
		return nil
	}
	l.mu.Lock()
	sess, from, running := l.sess, l.acked, l.shipDone != nil
	l.mu.Unlock()
	if sess != nil {
		if running {
			go func() {
				l.stopShipper()
				l.restartShipper(sess, from)
			}()
			return nil
		}
		l.restartShipper(sess, from)
	}
	return nil
}

func (l *mirrorLink) restartShipper(sess *mirror.Session, from engine.LSN) {
	l.mu.Lock()
	cur := l.sess
	l.mu.Unlock()
	if cur != sess || l.ctx.Err() != nil {
		return
	}
	l.startShipper(l.ctx, sess, from)
}

// takeOver is the mirror's side of a manual failover: it becomes the
// principal (ONLINE) once it holds the principal's whole log.
func (l *mirrorLink) takeOver(ctx context.Context, db *engine.Database, r failoverReq) error {
	mm, ok := metaOf(db)
	if !ok || mm.Role != engine.MirrorRoleMirror {
		return &mirror.Refusal{Number: sqlerr.MirrorBusy, Reason: "not the mirror"}
	}
	if next := db.NextLSN(); next != r.NextLSN {
		return &mirror.Refusal{Number: sqlerr.MirrorNotCaughtUp, Args: []string{db.Name()}, Reason: fmt.Sprintf("mirror at %s, principal at %s", next, r.NextLSN)}
	}
	err := setMirrorMeta(ctx, l.h.inst, db, func(m *engine.DBMeta, mm *MirrorMeta) bool {
		m.State = engine.StateOnline
		mm.Role = engine.MirrorRolePrincipal
		mm.RoleSeq = r.RoleSeq
		mm.FailoverLSN = r.NextLSN
		return true
	})
	if err != nil {
		return err
	}
	l.h.inst.Logf("mirroring: the mirrored database %q is changing roles from \"MIRROR\" to \"PRINCIPAL\" due to Failover from partner", l.name)
	l.installHook()
	l.mu.Lock()
	sess := l.sess
	l.acked = r.NextLSN
	l.synced = true
	l.mu.Unlock()
	if sess != nil {
		l.startShipper(l.ctx, sess, r.NextLSN)
	}
	return nil
}

// Records implements mirror.Handler: the mirror applies the principal's log.
func (l *mirrorLink) Records(ctx context.Context, recs []mirror.Record) (uint64, error) {
	db := l.db()
	if db == nil || db.MirroringRole() != engine.MirrorRoleMirror {
		return 0, fmt.Errorf("database %s is not a mirror", l.name)
	}
	lr := make([]engine.LogRecord, len(recs))
	for i, r := range recs {
		lr[i] = engine.LogRecord{LSN: engine.LSN(r.LSN), Payload: r.Payload}
	}
	if _, err := db.ApplyLogRecords(ctx, lr); err != nil {
		return 0, err
	}
	l.h.changed()
	return uint64(db.NextLSN()), nil
}

// Ack implements mirror.Handler: the mirror holds everything before lsn.
func (l *mirrorLink) Ack(lsn uint64) {
	l.mu.Lock()
	if engine.LSN(lsn) > l.acked {
		l.acked = engine.LSN(lsn)
	}
	close(l.ackCh)
	l.ackCh = make(chan struct{})
	l.mu.Unlock()
	if db := l.db(); db != nil {
		db.HoldLog("mirroring", engine.LSN(lsn))
	}
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// probeWitness checks the witness endpoint answers (witness_state).
func (l *mirrorLink) probeWitness(name string) {
	ok := l.h.probeWitness(l.ctx, name, l.name) == nil
	l.mu.Lock()
	changed := l.witnessOK != ok
	l.witnessOK = ok
	l.mu.Unlock()
	if changed {
		l.h.changed()
	}
}

// probeWitness dials a witness endpoint and closes the connection.
func (h *mirrorHost) probeWitness(ctx context.Context, name, db string) error {
	addr, err := h.resolve(name)
	if err != nil {
		return err
	}
	c, _, err := mirror.Dial(ctx, addr, mirror.Hello{Server: h.inst.Name(), Account: h.inst.Config().ServiceAccount,
		Database: db, Extra: encodeExtra(linkHello{Op: "witness"})})
	if err != nil {
		return err
	}
	c.Close()
	return nil
}
