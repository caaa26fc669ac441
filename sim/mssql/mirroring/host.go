package mirroring

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/mirror"
	"github.com/pchatdr/harness/sqlerr"
)

// mirrorHost is one instance's database mirroring machinery: the
// DATABASE_MIRRORING endpoint's listener, one link per mirrored database,
// the partner names SET PARTNER gave on a mirror before its principal
// connected, and the run-time host map. The instance holds it as the
// per-instance state of the endpoints and mirroring features (and as its
// engine.MirrorController); the mirroring feature's Stop closes it before
// the instance closes its logs.
type mirrorHost struct {
	inst   *engine.Instance
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	ln      *mirror.Listener
	links   map[string]*mirrorLink // lower(database name)
	pending map[string]string      // lower(database name) -> partner name (mirror side, before the principal connects)
	hosts   map[string]string      // MapPartnerHost
	notify  chan struct{}
	closed  bool
}

// newHost is an instance's mirroring host, made in engine.New before any
// database is open: it only allocates; startMirroring starts it.
func newHost(inst *engine.Instance) *mirrorHost {
	h := &mirrorHost{inst: inst, links: map[string]*mirrorLink{}, pending: map[string]string{},
		hosts: map[string]string{}, notify: make(chan struct{})}
	h.ctx, h.cancel = context.WithCancel(context.Background())
	return h
}

// hostKey is the key of the host among the instance's feature state.
type hostKey struct{}

// hostOf returns inst's mirroring host (nil: the instance was built
// without the endpoints and mirroring features).
func hostOf(inst *engine.Instance) *mirrorHost {
	h, _ := inst.State(hostKey{}).(*mirrorHost)
	return h
}

// startMirroring starts the endpoint listener and a link for every
// mirrored database after recovery: a restarted partner reconnects by
// itself.
func startMirroring(inst *engine.Instance) error {
	h := hostOf(inst)
	if e, ok := mirroringEndpoint(inst); ok && e.State == "STARTED" {
		if err := h.startListener(e); err != nil {
			// SQL Server starts without the endpoint and logs why.
			inst.Logf("mirroring: mirroring endpoint %s: %v", e.Name, err)
		}
	}
	for _, db := range inst.Databases() {
		if mm, ok := metaOf(db); ok {
			h.ensureLink(db.Name(), mm)
		}
	}
	return nil
}

// stopMirroring closes the listener and every link and waits for their
// goroutines; the host stays closed (a late call finds no listener).
func stopMirroring(inst *engine.Instance) {
	h := hostOf(inst)
	h.mu.Lock()
	h.closed = true
	ln := h.ln
	h.ln = nil
	links := make([]*mirrorLink, 0, len(h.links))
	for _, l := range h.links {
		links = append(links, l)
	}
	h.mu.Unlock()
	h.cancel()
	if ln != nil {
		ln.Close()
	}
	for _, l := range links {
		l.cancel()
	}
	h.wg.Wait()
}

// changed wakes everyone waiting for a mirroring state change.
func (h *mirrorHost) changed() {
	h.mu.Lock()
	close(h.notify)
	h.notify = make(chan struct{})
	h.mu.Unlock()
}

func (h *mirrorHost) changes() <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.notify
}

// Status is a database's mirroring state as sys.database_mirroring shows
// it (zero Role: not mirrored).
type Status struct {
	Role  engine.MirrorRole
	State string // SYNCHRONIZED, SYNCHRONIZING, DISCONNECTED, SUSPENDED
}

// StatusOf reports the mirroring role and state of inst's database db.
func StatusOf(inst *engine.Instance, db string) Status {
	d := inst.DB(db)
	h := hostOf(inst)
	if d == nil || h == nil {
		return Status{}
	}
	mm, ok := metaOf(d)
	if !ok {
		return Status{}
	}
	return Status{Role: mm.Role, State: h.stateOf(d.Name(), mm).String()}
}

// Wait blocks until cond holds for the mirroring status of inst's database
// db or ctx ends (tests and the world wait on state changes without
// polling).
func Wait(ctx context.Context, inst *engine.Instance, db string, cond func(Status) bool) error {
	h := hostOf(inst)
	if h == nil {
		return fmt.Errorf("wait for mirroring of %s: instance %s has no mirroring", db, inst.Name())
	}
	for {
		ch := h.changes()
		if cond(StatusOf(inst, db)) {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("wait for mirroring of %s (now %+v): %w", db, StatusOf(inst, db), ctx.Err())
		}
	}
}

// EndpointAddr is the address inst's mirroring endpoint listens on (""
// when no endpoint is started).
func EndpointAddr(inst *engine.Instance) string {
	h := hostOf(inst)
	if h == nil {
		return ""
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ln == nil {
		return ""
	}
	return h.ln.Addr()
}

// MapPartnerHost makes inst dial addr for partner names with host (or
// host:port), like an engine.Config.PartnerHosts entry added at run time.
func MapPartnerHost(inst *engine.Instance, host, addr string) {
	h := hostOf(inst)
	if h == nil {
		return
	}
	h.mu.Lock()
	h.hosts[strings.ToLower(host)] = addr
	h.mu.Unlock()
}

func (h *mirrorHost) listenAddr(e Endpoint) string {
	if h.inst.Config().EndpointListen != "" {
		return h.inst.Config().EndpointListen
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(e.Port))
}

// startListener binds the endpoint's port (7890 when it cannot).
func (h *mirrorHost) startListener(e Endpoint) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return newErr(sqlerr.EndpointRegisterFailed, e.Name)
	}
	if h.ln != nil {
		return nil
	}
	ln, err := mirror.Listen(h.ctx, h.listenAddr(e), h.accept)
	if err != nil {
		h.inst.Logf("mirroring: endpoint %s: %v", e.Name, err)
		return newErr(sqlerr.EndpointRegisterFailed, e.Name)
	}
	h.ln = ln
	return nil
}

// stopListener closes the listener; sessions accepted through it end.
func (h *mirrorHost) stopListener() {
	h.mu.Lock()
	ln := h.ln
	h.ln = nil
	h.mu.Unlock()
	if ln != nil {
		ln.Close()
	}
}

// endpointChanged drops sessions a stopped or dropped endpoint carried
// (outgoing ones too: SQL Server sends through its endpoint as well).
func (h *mirrorHost) endpointChanged() {
	e, ok := mirroringEndpoint(h.inst)
	if ok && e.State == "STARTED" {
		h.kickAll()
		return
	}
	h.mu.Lock()
	links := make([]*mirrorLink, 0, len(h.links))
	for _, l := range h.links {
		links = append(links, l)
	}
	h.mu.Unlock()
	for _, l := range links {
		l.dropSession()
	}
	h.changed()
}

func (h *mirrorHost) kickAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, l := range h.links {
		l.kick()
	}
}

// endpointStarted says this instance can take part in sessions.
func (h *mirrorHost) endpointStarted() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.ln != nil
}

// errBadPartnerName is a partner string that is not TCP://host:port.
var errBadPartnerName = errors.New("partner name is not TCP://host:port")

// parsePartner splits 'TCP://host:port'.
func parsePartner(name string) (host string, port int, err error) {
	u, err := url.Parse(strings.TrimSpace(name))
	if err != nil || !strings.EqualFold(u.Scheme, "tcp") || u.Host == "" || u.Path != "" {
		return "", 0, errBadPartnerName
	}
	host, ps, err := net.SplitHostPort(u.Host)
	if err != nil || host == "" {
		return "", 0, errBadPartnerName
	}
	port, err = strconv.Atoi(ps)
	if err != nil || port < 1 || port > 65535 {
		return "", 0, errBadPartnerName
	}
	return host, port, nil
}

// resolve maps a partner name to the address to dial.
func (h *mirrorHost) resolve(name string) (string, error) {
	host, port, err := parsePartner(name)
	if err != nil {
		return "", err
	}
	hp := strings.ToLower(net.JoinHostPort(host, strconv.Itoa(port)))
	lookup := func(key string) (string, bool) {
		h.mu.Lock()
		v, ok := h.hosts[key]
		h.mu.Unlock()
		if ok {
			return v, true
		}
		for k, v := range h.inst.Config().PartnerHosts {
			if strings.EqualFold(k, key) {
				return v, true
			}
		}
		return "", false
	}
	if v, ok := lookup(hp); ok {
		return v, nil
	}
	if v, ok := lookup(strings.ToLower(host)); ok {
		if _, _, err := net.SplitHostPort(v); err == nil {
			return v, nil
		}
		return net.JoinHostPort(v, strconv.Itoa(port)), nil
	}
	return net.JoinHostPort(host, strconv.Itoa(port)), nil
}

// linkHello is the engine's part of a mirror.Hello (Extra).
type linkHello struct {
	Op        string     `json:"op"` // "establish", "reconnect", "witness"
	RoleSeq   int        `json:"role_seq,omitempty"`
	NextLSN   engine.LSN `json:"next_lsn,omitempty"`
	Suspended bool       `json:"suspended,omitempty"`
	// establish only: what the mirror checks against its copy.
	Family    engine.GUID `json:"family"`
	Fork      engine.GUID `json:"fork"`
	PrevFork  engine.GUID `json:"prev_fork"`
	ForkPoint engine.LSN  `json:"fork_point,omitempty"`
	Safety    int         `json:"safety,omitempty"`
	Timeout   int         `json:"timeout,omitempty"`
}

func encodeExtra(x linkHello) json.RawMessage {
	b, _ := json.Marshal(x)
	return b
}

func (h *mirrorHost) hello(db string, mm MirrorMeta, x linkHello) mirror.Hello {
	return mirror.Hello{Server: h.inst.Name(), Account: h.inst.Config().ServiceAccount, Database: db,
		GUID: mm.GUID.String(), Role: mm.Role, Extra: encodeExtra(x)}
}

func refuse(c *mirror.Conn, n int32, reason string, args ...string) {
	_ = c.Refuse(&mirror.Refusal{Number: n, Args: args, Reason: reason})
}

// accept handles one connection to the endpoint (listener goroutine).
func (h *mirrorHost) accept(ctx context.Context, c *mirror.Conn) {
	hello, err := c.ReadHello()
	if err != nil {
		h.inst.Logf("mirroring: mirroring endpoint: connection from %s: %v", c.RemoteAddr(), err)
		return
	}
	ep, ok := mirroringEndpoint(h.inst)
	if !ok || ep.State != "STARTED" {
		refuse(c, sqlerr.PartnerUnreachable, "endpoint not started")
		return
	}
	if !mayConnect(h.inst, hello.Account, ep) {
		// SQL Server logs: the login does not have CONNECT permission on
		// the endpoint; the partner sees its ALTER DATABASE fail with 1418.
		h.inst.Logf("mirroring: database mirroring login attempt by user '%s' failed: no CONNECT permission on endpoint %s", hello.Account, ep.Name)
		refuse(c, sqlerr.PartnerUnreachable, fmt.Sprintf("login '%s' does not have CONNECT permission on the endpoint", hello.Account))
		return
	}
	var x linkHello
	if len(hello.Extra) > 0 {
		if err := json.Unmarshal(hello.Extra, &x); err != nil {
			refuse(c, sqlerr.PartnerUnreachable, "malformed hello")
			return
		}
	}
	if x.Op == "witness" {
		if ep.Role != "WITNESS" && ep.Role != "ALL" {
			refuse(c, sqlerr.WitnessCannotAct, "endpoint role is "+ep.Role, h.inst.Name())
			return
		}
		h.serveWitness(ctx, c, hello)
		return
	}
	if ep.Role != "PARTNER" && ep.Role != "ALL" {
		refuse(c, sqlerr.PartnerUnreachable, "endpoint role is "+ep.Role)
		return
	}
	switch x.Op {
	case "establish":
		h.acceptEstablish(ctx, c, hello, x)
	case "reconnect":
		h.acceptReconnect(ctx, c, hello, x)
	default:
		refuse(c, sqlerr.PartnerUnreachable, "unknown operation "+x.Op)
	}
}

// acceptEstablish is the mirror's side of the principal's SET PARTNER.
func (h *mirrorHost) acceptEstablish(ctx context.Context, c *mirror.Conn, hello mirror.Hello, x linkHello) {
	inst := h.inst
	db := inst.DB(hello.Database)
	if db == nil {
		refuse(c, sqlerr.RemoteDatabaseNotFound, "no such database", hello.Database)
		return
	}
	name := db.Name()
	if db.IsMirrored() {
		refuse(c, sqlerr.RemoteAlreadyMirrored, "already mirrored", name)
		return
	}
	if db.Meta().State != engine.StateRestoring {
		refuse(c, sqlerr.RemoteNotRestoring, "not restoring", name)
		return
	}
	h.mu.Lock()
	partner, ok := h.pending[strings.ToLower(name)]
	h.mu.Unlock()
	if !ok {
		// The mirror's own SET PARTNER has not run: the principal's
		// command fails as SQL Server's does when the order is wrong.
		refuse(c, sqlerr.NotMirrored, "SET PARTNER was not issued on the mirror", name)
		return
	}
	if db.Meta().FamilyGUID != x.Family {
		refuse(c, sqlerr.MirrorNotRelated, "different database family", name)
		return
	}
	ls := db.LogState()
	next := db.NextLSN()
	onFork := ls.ForkGUID == x.Fork || (ls.ForkGUID == x.PrevFork && next <= x.ForkPoint)
	if !onFork || next > x.NextLSN {
		refuse(c, sqlerr.MirrorNotRolledForward, fmt.Sprintf("mirror needs engine.LSN %s, principal is at %s", next, x.NextLSN), name)
		return
	}
	guid, err := engine.ParseGUID(hello.GUID)
	if err != nil {
		refuse(c, sqlerr.PartnerUnreachable, "bad mirroring guid")
		return
	}
	mm := MirrorMeta{GUID: guid, Role: engine.MirrorRoleMirror, RoleSeq: 1, Partner: partner, PartnerInstance: hello.Server,
		Safety: x.Safety, SafetySeq: 1, Timeout: x.Timeout}
	err = setMirrorMeta(ctx, inst, db, func(_ *engine.DBMeta, m *MirrorMeta) bool { *m = mm; return true })
	if err != nil {
		refuse(c, sqlerr.PartnerUnreachable, err.Error())
		return
	}
	h.mu.Lock()
	delete(h.pending, strings.ToLower(name))
	h.mu.Unlock()
	l := h.ensureLink(name, mm)
	if l == nil {
		refuse(c, sqlerr.PartnerUnreachable, "instance closing")
		return
	}
	reply := h.hello(name, mm, linkHello{Op: "establish", RoleSeq: mm.RoleSeq, NextLSN: next})
	if err := c.AcceptHello(reply); err != nil {
		return
	}
	inst.Logf("mirroring: database mirroring is active with database '%s' as the mirror copy", name)
	l.serve(ctx, c, hello, linkHello{NextLSN: x.NextLSN, RoleSeq: 1})
}

// acceptReconnect resumes a session after a disconnection.
func (h *mirrorHost) acceptReconnect(ctx context.Context, c *mirror.Conn, hello mirror.Hello, x linkHello) {
	db := h.inst.DB(hello.Database)
	var mm MirrorMeta
	ok := false
	if db != nil {
		mm, ok = metaOf(db)
	}
	if !ok || mm.GUID.String() != hello.GUID {
		// The session was removed here (SET PARTNER OFF while the partner
		// was away): the partner drops its metadata on this answer.
		refuse(c, sqlerr.NotMirrored, "no such mirroring session", hello.Database)
		return
	}
	l := h.link(db.Name())
	if l == nil {
		refuse(c, sqlerr.MirrorBusy, "no link")
		return
	}
	if !l.mayAccept(hello.Role, x.RoleSeq) {
		refuse(c, sqlerr.MirrorBusy, "busy")
		return
	}
	if err := l.reconcile(ctx, hello.Role, x.RoleSeq); err != nil {
		refuse(c, sqlerr.MirrorBusy, err.Error())
		return
	}
	mm, _ = metaOf(db)
	reply := h.hello(db.Name(), mm, linkHello{Op: "reconnect", RoleSeq: mm.RoleSeq, NextLSN: h.inst.DB(db.Name()).NextLSN(), Suspended: mm.Suspended})
	if err := c.AcceptHello(reply); err != nil {
		return
	}
	l.serve(ctx, c, hello, x)
}

// serveWitness keeps a witness connection open until either side ends it.
func (h *mirrorHost) serveWitness(ctx context.Context, c *mirror.Conn, hello mirror.Hello) {
	if err := c.AcceptHello(mirror.Hello{Server: h.inst.Name(), Account: h.inst.Config().ServiceAccount, Database: hello.Database}); err != nil {
		return
	}
	s := mirror.NewSession(c, hello, witnessHandler{}, 10*time.Second)
	_ = s.Run(ctx)
}

type witnessHandler struct{}

func (witnessHandler) Request(context.Context, string, json.RawMessage) (any, error) { return nil, nil }
func (witnessHandler) Records(context.Context, []mirror.Record) (uint64, error) {
	return 0, errors.New("a witness holds no database")
}
func (witnessHandler) Ack(uint64) {}

func (h *mirrorHost) link(name string) *mirrorLink {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.links[strings.ToLower(name)]
}

// ensureLink returns the link of database name, starting it if needed
// (nil once the host is closed).
func (h *mirrorHost) ensureLink(name string, mm MirrorMeta) *mirrorLink {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	key := strings.ToLower(name)
	if l := h.links[key]; l != nil && l.ctx.Err() == nil {
		h.mu.Unlock()
		return l
	}
	l := newLink(h, name)
	h.links[key] = l
	h.wg.Add(1)
	h.mu.Unlock()
	if mm.Role == engine.MirrorRolePrincipal {
		l.installHook()
	}
	go func() {
		defer h.wg.Done()
		l.run()
	}()
	return l
}

// removeLink stops the link of name; safe from the link's own goroutines.
func (h *mirrorHost) removeLink(l *mirrorLink) {
	h.mu.Lock()
	if h.links[strings.ToLower(l.name)] == l {
		delete(h.links, strings.ToLower(l.name))
	}
	h.mu.Unlock()
	l.removeHook()
	l.cancel()
	if db := h.inst.DB(l.name); db != nil {
		db.ReleaseLog("mirroring")
	}
	h.changed()
}

// stateOf is mirroring_state for a mirrored database.
func (h *mirrorHost) stateOf(name string, mm MirrorMeta) mirrorState {
	l := h.link(name)
	if l == nil {
		return mirrorDisconnected
	}
	connected, synced := l.status()
	switch {
	case !connected:
		return mirrorDisconnected
	case mm.Suspended:
		return mirrorSuspended
	case synced && mm.Safety == safetyFull:
		return mirrorSynchronized
	}
	return mirrorSynchronizing
}

func (h *mirrorHost) witnessUp(name string) bool {
	if l := h.link(name); l != nil {
		l.mu.Lock()
		defer l.mu.Unlock()
		return l.witnessOK
	}
	return false
}

func (h *mirrorHost) ackedLSN(name string) engine.LSN {
	if l := h.link(name); l != nil {
		l.mu.Lock()
		defer l.mu.Unlock()
		return l.acked
	}
	return 0
}
