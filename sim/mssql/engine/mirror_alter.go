package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pchatdr/harness/sim/mssql/mirror"
	"github.com/pchatdr/harness/sim/mssql/tsql"
)

// installMirroring adds ALTER DATABASE SET PARTNER and WITNESS and how
// sys.database_mirroring shows a mirrored database.
func installMirroring(r *Registry) {
	r.MirroringRow(mirroringRow)
	r.AlterDatabaseOption("PARTNER", func(sc *scope, db *Database, opt *tsql.Option, _ *tsql.AlterDatabaseStmt) error {
		return sc.alterPartner(db, opt)
	})
	r.AlterDatabaseOption("WITNESS", func(sc *scope, db *Database, opt *tsql.Option, _ *tsql.AlterDatabaseStmt) error {
		return sc.alterWitness(db, opt)
	})
}

// stringOption evaluates the value of PARTNER = '...' / WITNESS = '...'.
func (sc *scope) stringOption(opt *tsql.Option) (string, error) {
	v, _, err := sc.evalScalar(opt.Value)
	if err != nil {
		return "", err
	}
	s, ok := v.(string)
	if !ok {
		return "", newErr(1449)
	}
	return s, nil
}

func (sc *scope) alterPartner(db *Database, opt *tsql.Option) error {
	h := hostOf(sc.s.inst)
	if opt.Eq {
		name, err := sc.stringOption(opt)
		if err != nil {
			return err
		}
		return h.setPartner(sc.ctx, db, name)
	}
	mm, ok := db.Mirroring()
	if !ok {
		return newErr(1416, db.Name())
	}
	switch opt.Word {
	case "OFF":
		return h.partnerOff(sc.ctx, db)
	case "FAILOVER":
		if mm.Role != MirrorRolePrincipal {
			return newErr(1470, db.Name())
		}
		if sc.s.currentDB() == db {
			sc.s.setDB(sc.s.inst.master)
		}
		return h.failover(sc.ctx, db, sc.s)
	case "FORCE_SERVICE_ALLOW_DATA_LOSS":
		return h.forceService(sc.ctx, db)
	case "SUSPEND", "RESUME":
		return h.suspend(sc.ctx, db, opt.Word == "SUSPEND")
	case "SAFETY FULL", "SAFETY OFF":
		if mm.Role != MirrorRolePrincipal {
			return newErr(1470, db.Name())
		}
		safety := safetyOff
		if opt.Word == "SAFETY FULL" {
			safety = safetyFull
		}
		return h.configure(sc.ctx, db, func(r *configReq) { r.Safety = safety; r.SafetySeq++ })
	case "TIMEOUT":
		if mm.Role != MirrorRolePrincipal {
			return newErr(1470, db.Name())
		}
		n, err := constInt(sc, opt.Value, 10)
		if err != nil {
			return err
		}
		if n > 32767 {
			return newErr(1476, n)
		}
		if n < 5 {
			n = 5 // SQL Server raises values under 5 to 5
		}
		return h.configure(sc.ctx, db, func(r *configReq) { r.Timeout = int(n) })
	}
	return newErr(102, opt.Word)
}

func (sc *scope) alterWitness(db *Database, opt *tsql.Option) error {
	h := hostOf(sc.s.inst)
	mm, ok := db.Mirroring()
	if !ok {
		return newErr(1416, db.Name())
	}
	if mm.Role != MirrorRolePrincipal {
		return newErr(1470, db.Name())
	}
	if !opt.Eq {
		if mm.Witness == "" {
			return newErr(1439, db.Name())
		}
		return h.configure(sc.ctx, db, func(r *configReq) { r.Witness = "" })
	}
	name, err := sc.stringOption(opt)
	if err != nil {
		return err
	}
	if _, _, err := parsePartner(name); err != nil {
		return newErr(1449)
	}
	waddr, _ := h.resolve(name)
	paddr, _ := h.resolve(mm.Partner)
	if waddr == paddr || waddr == sc.s.inst.EndpointAddr() {
		return newErr(1429)
	}
	if err := h.probeWitness(sc.ctx, name, db.Name()); err != nil {
		var r *mirror.Refusal
		if errors.As(err, &r) && r.Number == 1427 {
			return newErr(1427, name)
		}
		return newErr(1418, name)
	}
	if err := h.configure(sc.ctx, db, func(r *configReq) { r.Witness = name }); err != nil {
		return err
	}
	if l := h.link(db.Name()); l != nil {
		l.probeWitness(name)
	}
	return nil
}

// refusalError turns a partner's refusal into the error of this side's
// ALTER DATABASE.
func refusalError(r *mirror.Refusal, partner string) *Error {
	switch r.Number {
	case 1418:
		return newErr(1418, partner)
	case 1404, 1449, 1452:
		return newErr(r.Number)
	}
	args := make([]any, len(r.Args))
	for i, a := range r.Args {
		args[i] = a
	}
	return newErr(r.Number, args...)
}

// setPartner is SET PARTNER = 'TCP://host:port': on a RESTORING database
// it records the principal's name and waits for it (the mirror's step);
// on an ONLINE database it connects to the mirror and starts the session.
func (h *mirrorHost) setPartner(ctx context.Context, db *Database, partner string) error {
	inst := h.inst
	name := db.Name()
	if db.IsMirrored() {
		return newErr(1405, name)
	}
	if _, _, err := parsePartner(partner); err != nil {
		return newErr(1449)
	}
	if db.ID() <= msdbID {
		return newErr(1468, name)
	}
	if !h.endpointStarted() {
		// SET PARTNER needs this instance's endpoint STARTED too.
		return newErr(1418, partner)
	}
	addr, err := h.resolve(partner)
	if err != nil {
		return newErr(1449)
	}
	if addr == inst.EndpointAddr() {
		return newErr(1452)
	}
	m := db.Meta()
	switch m.State {
	case StateRestoring:
		h.mu.Lock()
		h.pending[strings.ToLower(name)] = partner
		h.mu.Unlock()
		return nil
	case StateOnline:
	default:
		return db.openError()
	}
	if m.Recovery != RecoveryFull {
		return newErr(1465, name)
	}
	mm := MirrorMeta{GUID: newGUID(), Role: MirrorRolePrincipal, RoleSeq: 1, Partner: partner,
		Safety: safetyFull, SafetySeq: 1, Timeout: 10}
	ls := db.LogState()
	x := linkHello{Op: "establish", NextLSN: db.NextLSN(), Family: m.FamilyGUID, Fork: ls.ForkGUID,
		PrevFork: ls.PrevForkGUID, ForkPoint: ls.ForkPoint, Safety: mm.Safety, Timeout: mm.Timeout}
	c, peer, err := mirror.Dial(ctx, addr, h.hello(name, mm, x))
	if err != nil {
		var r *mirror.Refusal
		if errors.As(err, &r) {
			return refusalError(r, partner)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		inst.logf("engine: set partner %s for %s: %v", partner, name, err)
		return newErr(1418, partner)
	}
	var px linkHello
	_ = json.Unmarshal(peer.Extra, &px)
	// The mirror needs our log from its next LSN on: it must still be here.
	if px.NextLSN < db.NextLSN() {
		probe := db.ReadLogRecords(px.NextLSN, func(LogRecord) error { return errStopRead })
		if probe != nil && !errors.Is(probe, errStopRead) {
			abandon(ctx, c, peer)
			return newErr(1478, name)
		}
	}
	mm.PartnerInstance = peer.Server
	if err := inst.setMirrorMeta(ctx, db, func(_ *DBMeta, m *MirrorMeta) bool { *m = mm; return true }); err != nil {
		abandon(ctx, c, peer)
		return err
	}
	db.HoldLog("mirroring", px.NextLSN)
	l := h.ensureLink(name, mm)
	if l == nil {
		c.Close()
		return newErr(1418, partner)
	}
	inst.logf("engine: database mirroring is active with database '%s' as the principal copy", name)
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		l.serve(h.ctx, c, peer, px)
	}()
	return nil
}

var errStopRead = errors.New("stop")

// abandon tells a partner that accepted a session to drop it again.
func abandon(ctx context.Context, c *mirror.Conn, peer mirror.Hello) {
	s := mirror.NewSession(c, peer, witnessHandler{}, 10*time.Second)
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.Run(ctx)
	}()
	_, _ = s.Call(ctx, "off", nil)
	s.Close()
	<-done
}

// partnerOff is SET PARTNER OFF from either side: the partner drops its
// metadata now when connected, otherwise when it next reconnects (it is
// refused with 1416). Each side keeps its copy: a mirror stays RESTORING.
func (h *mirrorHost) partnerOff(ctx context.Context, db *Database) error {
	l := h.link(db.Name())
	if l != nil {
		if s := l.session(); s != nil {
			cctx, cancel := context.WithTimeout(ctx, timeoutOf(0))
			_, err := s.Call(cctx, "off", nil)
			cancel()
			if err != nil {
				h.inst.logf("engine: set partner off %s: partner not told now (%v); it learns on reconnect", db.Name(), err)
			}
		}
	}
	if err := h.inst.setMirrorMeta(ctx, db, func(*DBMeta, *MirrorMeta) bool { return false }); err != nil {
		return err
	}
	if l != nil {
		h.removeLink(l)
	}
	h.inst.logf("engine: database mirroring has been terminated for database '%s'", db.Name())
	return nil
}

// configure changes session settings on the principal and its mirror.
func (h *mirrorHost) configure(ctx context.Context, db *Database, change func(r *configReq)) error {
	var r configReq
	err := h.inst.setMirrorMeta(ctx, db, func(_ *DBMeta, mm *MirrorMeta) bool {
		r = configReq{Safety: mm.Safety, SafetySeq: mm.SafetySeq, Timeout: mm.Timeout, Witness: mm.Witness}
		change(&r)
		mm.Safety, mm.SafetySeq, mm.Timeout, mm.Witness = r.Safety, r.SafetySeq, r.Timeout, r.Witness
		return true
	})
	if err != nil {
		return err
	}
	if l := h.link(db.Name()); l != nil {
		l.applyConfig(r.Safety, r.Timeout)
		if s := l.session(); s != nil {
			if _, err := s.Call(ctx, "config", r); err != nil {
				h.inst.logf("engine: mirroring of %s: send configuration: %v", db.Name(), err)
			}
		}
	}
	return nil
}

// suspend is SET PARTNER SUSPEND / RESUME (either partner).
func (h *mirrorHost) suspend(ctx context.Context, db *Database, on bool) error {
	l := h.link(db.Name())
	if l == nil {
		return newErr(1416, db.Name())
	}
	if err := l.setSuspended(ctx, db, on); err != nil {
		return err
	}
	if s := l.session(); s != nil {
		if _, err := s.Call(ctx, "suspend", suspendReq{Suspended: on}); err != nil {
			h.inst.logf("engine: mirroring of %s: send suspend=%v: %v", db.Name(), on, err)
		}
	}
	h.changed()
	return nil
}

// failover is SET PARTNER FAILOVER on the principal: the principal stops
// taking work, waits until the mirror holds its whole log, and the roles
// swap. Users of the database are disconnected.
func (h *mirrorHost) failover(ctx context.Context, db *Database, issuer *Session) error {
	name := db.Name()
	mm, _ := db.Mirroring()
	if mm.Safety != safetyFull {
		return newErr(1477, name)
	}
	l := h.link(name)
	if l == nil || l.session() == nil {
		return newErr(1447, name)
	}
	if _, synced := l.status(); !synced {
		return newErr(1422, name)
	}
	inst := h.inst
	// Stop new work: the database stops being ONLINE, its users go.
	err := inst.setMirrorMeta(ctx, db, func(m *DBMeta, _ *MirrorMeta) bool { m.State = StateRestoring; return true })
	if err != nil {
		return err
	}
	inst.killUsersOf(db, issuer)
	// Commits in flight have run their hooks once the gate is free.
	db.gate.Lock()
	//lint:ignore SA2001 the empty critical section is the barrier
	db.gate.Unlock()
	end := db.NextLSN()
	revert := func(e *Error) error {
		_ = inst.setMirrorMeta(context.WithoutCancel(ctx), db, func(m *DBMeta, _ *MirrorMeta) bool { m.State = StateOnline; return true })
		return e
	}
	wctx, cancel := context.WithTimeout(ctx, timeoutOf(mm.Timeout))
	err = l.waitCaughtUp(wctx, end)
	cancel()
	if err != nil {
		return revert(newErr(1422, name))
	}
	sess := l.session()
	if sess == nil {
		return revert(newErr(1447, name))
	}
	l.stopShipper()
	l.removeHook()
	// Become the mirror before the partner becomes the principal: from its
	// first record on, this side must be ready to apply, never to ship.
	seq := mm.RoleSeq + 1
	err = inst.setMirrorMeta(context.WithoutCancel(ctx), db, func(m *DBMeta, mm *MirrorMeta) bool {
		m.State = StateRestoring
		mm.Role = MirrorRoleMirror
		mm.RoleSeq = seq
		mm.FailoverLSN = end
		return true
	})
	if err != nil {
		return fmt.Errorf("failover %s: %w", name, err)
	}
	if _, err := sess.Call(ctx, "failover", failoverReq{RoleSeq: seq, NextLSN: end}); err != nil {
		_ = inst.setMirrorMeta(context.WithoutCancel(ctx), db, func(m *DBMeta, mm *MirrorMeta) bool {
			mm.Role = MirrorRolePrincipal
			mm.RoleSeq = seq - 1
			return true
		})
		l.installHook()
		l.restartShipper(sess, end)
		var r *mirror.Refusal
		if errors.As(err, &r) {
			return revert(refusalError(r, mm.Partner))
		}
		return revert(newErr(1447, name))
	}
	l.mu.Lock()
	l.synced = true
	l.mu.Unlock()
	h.changed()
	inst.logf("engine: the mirrored database %q is changing roles from \"PRINCIPAL\" to \"MIRROR\" due to Failover", name)
	return nil
}

// forceService is SET PARTNER FORCE_SERVICE_ALLOW_DATA_LOSS on a mirror
// whose principal is gone: the mirror becomes the principal on a new
// recovery fork; records the old principal had not sent are lost. When the
// old principal returns it becomes a suspended mirror.
func (h *mirrorHost) forceService(ctx context.Context, db *Database) error {
	name := db.Name()
	mm, _ := db.Mirroring()
	l := h.link(name)
	if mm.Role != MirrorRoleMirror || (l != nil && l.session() != nil) {
		return newErr(1455, name)
	}
	inst := h.inst
	end := db.NextLSN()
	err := inst.setMirrorMeta(ctx, db, func(m *DBMeta, mm *MirrorMeta) bool {
		m.State = StateOnline
		mm.Role = MirrorRolePrincipal
		mm.RoleSeq++
		mm.Suspended = true
		mm.FailoverLSN = end
		return true
	})
	if err != nil {
		return err
	}
	if err := inst.BeginRecoveryFork(ctx, db); err != nil {
		return err
	}
	if l != nil {
		l.installHook()
	}
	inst.logf("engine: the mirrored database %q is changing roles from \"MIRROR\" to \"PRINCIPAL\" due to Forced Failover", name)
	return nil
}
