package mirroring

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/mirror"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// installMirroring adds ALTER DATABASE SET PARTNER and WITNESS and the
// controller the engine asks whether a database is mirrored and how
// sys.database_mirroring shows it.
func installMirroring(r *engine.Registry) {
	r.InstanceState(hostKey{}, func(inst *engine.Instance) any { return newHost(inst) })
	r.MirrorController(func(inst *engine.Instance) engine.MirrorController { return hostOf(inst) })
	r.AlterDatabaseOption("PARTNER", func(sc *engine.Scope, db *engine.Database, opt *tsql.Option, _ *tsql.AlterDatabaseStmt) error {
		return alterPartner(sc, db, opt)
	})
	r.AlterDatabaseOption("WITNESS", func(sc *engine.Scope, db *engine.Database, opt *tsql.Option, _ *tsql.AlterDatabaseStmt) error {
		return alterWitness(sc, db, opt)
	})
}

// stringOption evaluates the value of PARTNER = '...' / WITNESS = '...'.
func stringOption(sc *engine.Scope, opt *tsql.Option) (string, error) {
	v, err := sc.EvalScalar(opt.Value)
	if err != nil {
		return "", err
	}
	s, ok := v.(string)
	if !ok {
		return "", newErr(sqlerr.BadPartnerAddress)
	}
	return s, nil
}

func alterPartner(sc *engine.Scope, db *engine.Database, opt *tsql.Option) error {
	h := hostOf(sc.Instance())
	if opt.Eq {
		name, err := stringOption(sc, opt)
		if err != nil {
			return err
		}
		return h.setPartner(sc.Context(), db, name)
	}
	mm, ok := metaOf(db)
	if !ok {
		return newErr(sqlerr.NotMirrored, db.Name())
	}
	switch opt.Word {
	case "OFF":
		return h.partnerOff(sc.Context(), db)
	case "FAILOVER":
		if mm.Role != engine.MirrorRolePrincipal {
			return newErr(sqlerr.NotCurrentPrincipal, db.Name())
		}
		if sc.Session().CurrentDatabase() == db {
			sc.Session().SetDatabase(sc.Instance().Master())
		}
		return h.failover(sc.Context(), db, sc.Session())
	case "FORCE_SERVICE_ALLOW_DATA_LOSS":
		return h.forceService(sc.Context(), db)
	case "SUSPEND", "RESUME":
		return h.suspend(sc.Context(), db, opt.Word == "SUSPEND")
	case "SAFETY FULL", "SAFETY OFF":
		if mm.Role != engine.MirrorRolePrincipal {
			return newErr(sqlerr.NotCurrentPrincipal, db.Name())
		}
		safety := safetyOff
		if opt.Word == "SAFETY FULL" {
			safety = safetyFull
		}
		return h.configure(sc.Context(), db, func(r *configReq) { r.Safety = safety; r.SafetySeq++ })
	case "TIMEOUT":
		if mm.Role != engine.MirrorRolePrincipal {
			return newErr(sqlerr.NotCurrentPrincipal, db.Name())
		}
		n, err := sc.ConstInt(opt.Value, 10)
		if err != nil {
			return err
		}
		if n > 32767 {
			return newErr(sqlerr.MirroringTimeoutTooLarge, n)
		}
		if n < 5 {
			n = 5 // SQL Server raises values under 5 to 5
		}
		return h.configure(sc.Context(), db, func(r *configReq) { r.Timeout = int(n) })
	}
	return newErr(sqlerr.SyntaxError, opt.Word)
}

func alterWitness(sc *engine.Scope, db *engine.Database, opt *tsql.Option) error {
	h := hostOf(sc.Instance())
	mm, ok := metaOf(db)
	if !ok {
		return newErr(sqlerr.NotMirrored, db.Name())
	}
	if mm.Role != engine.MirrorRolePrincipal {
		return newErr(sqlerr.NotCurrentPrincipal, db.Name())
	}
	if !opt.Eq {
		if mm.Witness == "" {
			return newErr(sqlerr.NoWitness, db.Name())
		}
		return h.configure(sc.Context(), db, func(r *configReq) { r.Witness = "" })
	}
	name, err := stringOption(sc, opt)
	if err != nil {
		return err
	}
	if _, _, err := parsePartner(name); err != nil {
		return newErr(sqlerr.BadPartnerAddress)
	}
	waddr, _ := h.resolve(name)
	paddr, _ := h.resolve(mm.Partner)
	if waddr == paddr || waddr == EndpointAddr(sc.Instance()) {
		return newErr(sqlerr.WitnessNotDistinct)
	}
	if err := h.probeWitness(sc.Context(), name, db.Name()); err != nil {
		var r *mirror.Refusal
		if errors.As(err, &r) && r.Number == sqlerr.WitnessCannotAct {
			return newErr(sqlerr.WitnessCannotAct, name)
		}
		return newErr(sqlerr.PartnerUnreachable, name)
	}
	if err := h.configure(sc.Context(), db, func(r *configReq) { r.Witness = name }); err != nil {
		return err
	}
	if l := h.link(db.Name()); l != nil {
		l.probeWitness(name)
	}
	return nil
}

// refusalError turns a partner's refusal into the error of this side's
// ALTER DATABASE.
func refusalError(r *mirror.Refusal, partner string) *engine.Error {
	switch r.Number {
	case sqlerr.PartnerUnreachable:
		return newErr(sqlerr.PartnerUnreachable, partner)
	case sqlerr.MirrorBusy, sqlerr.BadPartnerAddress, sqlerr.PartnerNotDistinct:
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
func (h *mirrorHost) setPartner(ctx context.Context, db *engine.Database, partner string) error {
	inst := h.inst
	name := db.Name()
	if db.IsMirrored() {
		return newErr(sqlerr.AlreadyMirrored, name)
	}
	if _, _, err := parsePartner(partner); err != nil {
		return newErr(sqlerr.BadPartnerAddress)
	}
	if db.IsSystem() {
		return newErr(sqlerr.InvolvedInMirroring, name)
	}
	if !h.endpointStarted() {
		// SET PARTNER needs this instance's endpoint STARTED too.
		return newErr(sqlerr.PartnerUnreachable, partner)
	}
	addr, err := h.resolve(partner)
	if err != nil {
		return newErr(sqlerr.BadPartnerAddress)
	}
	if addr == EndpointAddr(inst) {
		return newErr(sqlerr.PartnerNotDistinct)
	}
	m := db.Meta()
	switch m.State {
	case engine.StateRestoring:
		h.mu.Lock()
		h.pending[strings.ToLower(name)] = partner
		h.mu.Unlock()
		return nil
	case engine.StateOnline:
	default:
		return db.OpenError()
	}
	if m.Recovery != engine.RecoveryFull {
		return newErr(sqlerr.MirroringNeedsFullRecovery, name)
	}
	mm := MirrorMeta{GUID: engine.NewGUID(), Role: engine.MirrorRolePrincipal, RoleSeq: 1, Partner: partner,
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
		inst.Logf("mirroring: set partner %s for %s: %v", partner, name, err)
		return newErr(sqlerr.PartnerUnreachable, partner)
	}
	var px linkHello
	_ = json.Unmarshal(peer.Extra, &px)
	// The mirror needs our log from its next LSN on: it must still be here.
	if px.NextLSN < db.NextLSN() {
		probe := db.ReadLogRecords(px.NextLSN, func(engine.LogRecord) error { return errStopRead })
		if probe != nil && !errors.Is(probe, errStopRead) {
			abandon(ctx, c, peer)
			return newErr(sqlerr.MirrorLogInsufficient, name)
		}
	}
	mm.PartnerInstance = peer.Server
	if err := setMirrorMeta(ctx, inst, db, func(_ *engine.DBMeta, m *MirrorMeta) bool { *m = mm; return true }); err != nil {
		abandon(ctx, c, peer)
		return err
	}
	db.HoldLog("mirroring", px.NextLSN)
	l := h.ensureLink(name, mm)
	if l == nil {
		c.Close()
		return newErr(sqlerr.PartnerUnreachable, partner)
	}
	inst.Logf("mirroring: database mirroring is active with database '%s' as the principal copy", name)
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
func (h *mirrorHost) partnerOff(ctx context.Context, db *engine.Database) error {
	l := h.link(db.Name())
	if l != nil {
		if s := l.session(); s != nil {
			cctx, cancel := context.WithTimeout(ctx, timeoutOf(0))
			_, err := s.Call(cctx, "off", nil)
			cancel()
			if err != nil {
				h.inst.Logf("mirroring: set partner off %s: partner not told now (%v); it learns on reconnect", db.Name(), err)
			}
		}
	}
	if err := setMirrorMeta(ctx, h.inst, db, func(*engine.DBMeta, *MirrorMeta) bool { return false }); err != nil {
		return err
	}
	if l != nil {
		h.removeLink(l)
	}
	h.inst.Logf("mirroring: database mirroring has been terminated for database '%s'", db.Name())
	return nil
}

// configure changes session settings on the principal and its mirror.
func (h *mirrorHost) configure(ctx context.Context, db *engine.Database, change func(r *configReq)) error {
	var r configReq
	err := setMirrorMeta(ctx, h.inst, db, func(_ *engine.DBMeta, mm *MirrorMeta) bool {
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
				h.inst.Logf("mirroring: mirroring of %s: send configuration: %v", db.Name(), err)
			}
		}
	}
	return nil
}

// suspend is SET PARTNER SUSPEND / RESUME (either partner).
func (h *mirrorHost) suspend(ctx context.Context, db *engine.Database, on bool) error {
	l := h.link(db.Name())
	if l == nil {
		return newErr(sqlerr.NotMirrored, db.Name())
	}
	if err := l.setSuspended(ctx, db, on); err != nil {
		return err
	}
	if s := l.session(); s != nil {
		if _, err := s.Call(ctx, "suspend", suspendReq{Suspended: on}); err != nil {
			h.inst.Logf("mirroring: mirroring of %s: send suspend=%v: %v", db.Name(), on, err)
		}
	}
	h.changed()
	return nil
}

// failover is SET PARTNER FAILOVER on the principal: the principal stops
// taking work, waits until the mirror holds its whole log, and the roles
// swap. Users of the database are disconnected.
func (h *mirrorHost) failover(ctx context.Context, db *engine.Database, issuer *engine.Session) error {
	name := db.Name()
	mm, _ := metaOf(db)
	if mm.Safety != safetyFull {
		return newErr(sqlerr.FailoverNeedsSafetyFull, name)
	}
	l := h.link(name)
	if l == nil || l.session() == nil {
		return newErr(sqlerr.PartnersNotConnected, name)
	}
	if _, synced := l.status(); !synced {
		return newErr(sqlerr.MirrorNotCaughtUp, name)
	}
	inst := h.inst
	// Stop new work: the database stops being ONLINE, its users go.
	err := setMirrorMeta(ctx, inst, db, func(m *engine.DBMeta, _ *MirrorMeta) bool { m.State = engine.StateRestoring; return true })
	if err != nil {
		return err
	}
	inst.KillUsersOf(db, issuer)
	// Commits in flight have run their hooks once the gate is free.
	db.WaitCommits()
	end := db.NextLSN()
	revert := func(e *engine.Error) error {
		_ = setMirrorMeta(context.WithoutCancel(ctx), inst, db, func(m *engine.DBMeta, _ *MirrorMeta) bool { m.State = engine.StateOnline; return true })
		return e
	}
	wctx, cancel := context.WithTimeout(ctx, timeoutOf(mm.Timeout))
	err = l.waitCaughtUp(wctx, end)
	cancel()
	if err != nil {
		return revert(newErr(sqlerr.MirrorNotCaughtUp, name))
	}
	sess := l.session()
	if sess == nil {
		return revert(newErr(sqlerr.PartnersNotConnected, name))
	}
	l.stopShipper()
	l.removeHook()
	// Become the mirror before the partner becomes the principal: from its
	// first record on, this side must be ready to apply, never to ship.
	seq := mm.RoleSeq + 1
	err = setMirrorMeta(context.WithoutCancel(ctx), inst, db, func(m *engine.DBMeta, mm *MirrorMeta) bool {
		m.State = engine.StateRestoring
		mm.Role = engine.MirrorRoleMirror
		mm.RoleSeq = seq
		mm.FailoverLSN = end
		return true
	})
	if err != nil {
		return fmt.Errorf("failover %s: %w", name, err)
	}
	if _, err := sess.Call(ctx, "failover", failoverReq{RoleSeq: seq, NextLSN: end}); err != nil {
		_ = setMirrorMeta(context.WithoutCancel(ctx), inst, db, func(m *engine.DBMeta, mm *MirrorMeta) bool {
			mm.Role = engine.MirrorRolePrincipal
			mm.RoleSeq = seq - 1
			return true
		})
		l.installHook()
		l.restartShipper(sess, end)
		var r *mirror.Refusal
		if errors.As(err, &r) {
			return revert(refusalError(r, mm.Partner))
		}
		return revert(newErr(sqlerr.PartnersNotConnected, name))
	}
	l.mu.Lock()
	l.synced = true
	l.mu.Unlock()
	h.changed()
	inst.Logf("mirroring: the mirrored database %q is changing roles from \"PRINCIPAL\" to \"MIRROR\" due to Failover", name)
	return nil
}

// forceService is SET PARTNER FORCE_SERVICE_ALLOW_DATA_LOSS on a mirror
// whose principal is gone: the mirror becomes the principal on a new
// recovery fork; records the old principal had not sent are lost. When the
// old principal returns it becomes a suspended mirror.
func (h *mirrorHost) forceService(ctx context.Context, db *engine.Database) error {
	name := db.Name()
	mm, _ := metaOf(db)
	l := h.link(name)
	if mm.Role != engine.MirrorRoleMirror || (l != nil && l.session() != nil) {
		return newErr(sqlerr.CannotForceService, name)
	}
	inst := h.inst
	end := db.NextLSN()
	err := setMirrorMeta(ctx, inst, db, func(m *engine.DBMeta, mm *MirrorMeta) bool {
		m.State = engine.StateOnline
		mm.Role = engine.MirrorRolePrincipal
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
	inst.Logf("mirroring: the mirrored database %q is changing roles from \"MIRROR\" to \"PRINCIPAL\" due to Forced Failover", name)
	return nil
}
