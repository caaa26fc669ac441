package pool

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Database types as Install-CsMirrorDatabase and Invoke-CsDatabaseFailover
// name them.
const (
	DBPersistentChat           = "PersistentChat"
	DBPersistentChatCompliance = "PersistentChatCompliance"
)

// Sites of a mirror pair.
const (
	SitePrimary = "primary"
	SiteBackup  = "backup"
)

// Rule errors callers can test with errors.Is. The error text itself is the
// message the cmdlet shows.
var (
	ErrServerNotInPool = errors.New("server not in pool")
	ErrTooManyActive   = errors.New("too many active servers")
	ErrUnknownStore    = errors.New("unknown store")
	ErrNoMirror        = errors.New("no mirror")
	ErrUnknownPool     = errors.New("unknown pool")
)

// RuleError carries a user-facing message and a sentinel kind.
type RuleError struct {
	Kind error
	Msg  string
}

func (e *RuleError) Error() string { return e.Msg }
func (e *RuleError) Unwrap() error { return e.Kind }

func ruleErr(kind error, format string, args ...any) error {
	return &RuleError{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// MirrorPair is one principal/mirror pair of a database type in one site.
type MirrorPair struct {
	DatabaseType string `json:"databaseType"`
	Site         string `json:"site"`
	Principal    string `json:"principal"`
	Mirror       string `json:"mirror,omitempty"`
	// Mirrored is true once mirroring is installed (Install-CsMirrorDatabase
	// or pre-existing for the primary site).
	Mirrored bool `json:"mirrored"`
	// OnMirror is true after Invoke-CsDatabaseFailover -NewPrincipal Mirror.
	OnMirror bool `json:"onMirror"`
}

// Serving is the store FQDN currently acting as principal.
func (m MirrorPair) Serving() string {
	if m.OnMirror && m.Mirror != "" {
		return m.Mirror
	}
	return m.Principal
}

// State is a snapshot of the pool. Its JSON is what GET /state serves.
type State struct {
	PoolFQDN      string       `json:"poolFqdn"`
	PoolState     PoolState    `json:"poolState"`
	ActiveServers []string     `json:"activeServers"`
	Servers       []Server     `json:"servers"`
	Databases     []MirrorPair `json:"databases,omitempty"`
}

// InactiveServers lists pool servers not in the active list, in pool order.
func (s State) InactiveServers() []string {
	var out []string
	for _, sv := range s.Servers {
		if !slices.ContainsFunc(s.ActiveServers, func(a string) bool { return strings.EqualFold(a, sv.FQDN) }) {
			out = append(out, sv.FQDN)
		}
	}
	return out
}

// ServingStore returns the store FQDN the pool uses for a database type.
func (s State) ServingStore(dbType string) string {
	site := SitePrimary
	if s.PoolState == FailedOver {
		site = SiteBackup
	}
	for _, p := range s.Databases {
		if p.DatabaseType == dbType && p.Site == site {
			return p.Serving()
		}
	}
	return ""
}

func (s State) clone() State {
	s.ActiveServers = append([]string{}, s.ActiveServers...)
	s.Servers = append([]Server(nil), s.Servers...)
	s.Databases = append([]MirrorPair(nil), s.Databases...)
	return s
}

// Pool is the live model. Safe for concurrent use.
type Pool struct {
	mu       sync.Mutex
	cfg      Config
	state    State
	events   []Event
	seq      int64
	now      func() time.Time
	path     string
	listener func(Event)
	// changed is closed (and dropped) by the next recorded event: what
	// StateAfter's waiters block on. nil until someone waits.
	changed chan struct{}
	// epoch tells this pool's sequence numbers from those of the pool an
	// endpoint restart replaces (whose events count from 0 again).
	epoch int64
}

// Option configures a Pool.
type Option func(*Pool)

// WithClock replaces time.Now (tests).
func WithClock(now func() time.Time) Option { return func(p *Pool) { p.now = now } }

// WithListener is called (outside the lock) for every recorded event.
func WithListener(f func(Event)) Option { return func(p *Pool) { p.listener = f } }

// WithPersistence keeps the state in a JSON file: loaded at start when it
// exists, rewritten atomically after every change.
func WithPersistence(path string) Option { return func(p *Pool) { p.path = path } }

// New builds a pool in its initial state (or the persisted one).
func New(cfg Config, opts ...Option) (*Pool, error) {
	cfg.defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	p := &Pool{cfg: cfg, now: time.Now, epoch: time.Now().UnixNano()}
	for _, o := range opts {
		o(p)
	}
	p.state = initialState(&p.cfg)
	if p.path != "" {
		loaded, ok, err := load(p.path, &p.cfg)
		if err != nil {
			return nil, err
		}
		if ok {
			p.state = loaded
		} else if err := p.save(); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func initialState(cfg *Config) State {
	st := State{PoolFQDN: cfg.PoolFQDN, PoolState: cfg.InitialState, ActiveServers: []string{}}
	st.Servers = append(st.Servers, cfg.Servers...)
	for _, a := range cfg.ActiveServers {
		s, _ := cfg.server(a)
		st.ActiveServers = append(st.ActiveServers, s.FQDN)
	}
	pair := func(dbType, site, principalRole, mirrorRole string, mirrored bool) {
		pr, ok := cfg.storeByRole(principalRole)
		if !ok {
			return
		}
		mp := MirrorPair{DatabaseType: dbType, Site: site, Principal: pr.FQDN}
		if m, ok := cfg.storeByRole(mirrorRole); ok {
			mp.Mirror = m.FQDN
			mp.Mirrored = mirrored
		}
		st.Databases = append(st.Databases, mp)
	}
	// Mirroring of the primary site exists before the disaster (reference
	// §2.2); the backup site's mirror is only installed at failover (§3 step 6).
	pair(DBPersistentChat, SitePrimary, RolePrimary, RolePrimaryMirror, true)
	pair(DBPersistentChat, SiteBackup, RoleBackup, RoleBackupMirror, false)
	if cfg.Compliance {
		if _, ok := cfg.storeByRole(RoleCompliancePrimary); ok {
			pair(DBPersistentChatCompliance, SitePrimary, RoleCompliancePrimary, RoleCompliancePrimaryMirror, true)
			pair(DBPersistentChatCompliance, SiteBackup, RoleComplianceBackup, RoleComplianceBackupMirror, false)
		} else {
			pair(DBPersistentChatCompliance, SitePrimary, RolePrimary, RolePrimaryMirror, true)
			pair(DBPersistentChatCompliance, SiteBackup, RoleBackup, RoleBackupMirror, false)
		}
	}
	return st
}

// Config returns the configuration the pool was built with.
func (p *Pool) Config() Config { return p.cfg }

// State returns a snapshot.
func (p *Pool) State() State {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state.clone()
}

// ListModifier is PSListModifier after conversion from PowerShell: Replace
// wins when non-empty, otherwise Remove then Add (reference §6.1). Clear is
// the Lync-specific "-ActiveServers $Null removes all".
type ListModifier struct {
	Clear   bool
	Replace []string
	Add     []string
	Remove  []string
}

// apply computes the new list; unknown FQDNs are reported by the caller.
func (m ListModifier) apply(cur []string) []string {
	if m.Clear {
		return []string{}
	}
	out := append([]string{}, cur...)
	if len(m.Replace) > 0 {
		out = out[:0]
		for _, r := range m.Replace {
			out = appendUnique(out, r)
		}
		return out
	}
	for _, r := range m.Remove {
		out = slices.DeleteFunc(out, func(s string) bool { return strings.EqualFold(s, r) })
	}
	for _, a := range m.Add {
		out = appendUnique(out, a)
	}
	return out
}

func appendUnique(list []string, v string) []string {
	if slices.ContainsFunc(list, func(s string) bool { return strings.EqualFold(s, v) }) {
		return list
	}
	return append(list, v)
}

// SetActiveServers applies a list modifier. With whatIf nothing changes but
// the rules are still checked. It returns the list that results.
func (p *Pool) SetActiveServers(m ListModifier, whatIf bool) ([]string, error) {
	p.mu.Lock()
	next, err := p.checkActive(m.apply(p.state.ActiveServers), append(append(append([]string{}, m.Replace...), m.Add...), m.Remove...))
	if err != nil || whatIf {
		p.mu.Unlock()
		return next, err
	}
	ev, err := p.changeActive(next)
	p.mu.Unlock()
	p.emit(ev)
	return next, err
}

// Swap makes every inactive server active and every active one inactive.
func (p *Pool) Swap(whatIf bool) ([]string, error) {
	p.mu.Lock()
	next, err := p.checkActive(p.state.InactiveServers(), nil)
	if err != nil || whatIf {
		p.mu.Unlock()
		return next, err
	}
	ev, err := p.changeActive(next)
	p.mu.Unlock()
	p.emit(ev)
	return next, err
}

// checkActive canonicalises FQDNs and enforces membership and the limit.
// named are the FQDNs the caller mentioned (also checked when removed).
func (p *Pool) checkActive(next, named []string) ([]string, error) {
	for _, n := range append(append([]string{}, named...), next...) {
		if _, ok := p.cfg.server(n); !ok {
			return nil, ruleErr(ErrServerNotInPool, "Cannot set the active servers: \"%s\" is not a Persistent Chat Server of pool \"%s\". The pool's servers are: %s.",
				n, p.cfg.PoolFQDN, strings.Join(p.serverNames(), ", "))
		}
	}
	out := make([]string, 0, len(next))
	for _, n := range next {
		s, _ := p.cfg.server(n)
		out = appendUnique(out, s.FQDN)
	}
	if len(out) > p.cfg.MaxActive {
		return nil, ruleErr(ErrTooManyActive, "Cannot set the active servers: %d servers would be active (%s), but a Persistent Chat pool can have at most %d active servers.",
			len(out), strings.Join(out, ", "), p.cfg.MaxActive)
	}
	return out, nil
}

func (p *Pool) serverNames() []string {
	var out []string
	for _, s := range p.cfg.Servers {
		out = append(out, s.FQDN)
	}
	return out
}

// changeActive commits under the lock and returns the event to emit.
func (p *Pool) changeActive(next []string) (*Event, error) {
	old := p.state.ActiveServers
	p.state.ActiveServers = next
	if err := p.save(); err != nil {
		p.state.ActiveServers = old
		return nil, err
	}
	return p.record(Event{Kind: KindActiveServers, OldList: append([]string{}, old...), NewList: append([]string{}, next...)}), nil
}

// SetPoolState switches the pool between Normal and FailedOver.
func (p *Pool) SetPoolState(s PoolState, whatIf bool) error {
	if s != Normal && s != FailedOver {
		return fmt.Errorf("pool: invalid pool state %q", s)
	}
	if whatIf {
		return nil
	}
	p.mu.Lock()
	old := p.state.PoolState
	p.state.PoolState = s
	if err := p.save(); err != nil {
		p.state.PoolState = old
		p.mu.Unlock()
		return err
	}
	ev := p.record(Event{Kind: KindPoolState, Old: string(old), New: string(s)})
	p.mu.Unlock()
	p.emit(ev)
	return nil
}

// InstallMirror records Install-CsMirrorDatabase: the store sqlFQDN becomes
// the principal of a mirroring session with the mirror the topology defines
// for it. dbTypes empty means every configured type on that store.
func (p *Pool) InstallMirror(sqlFQDN string, dbTypes []string, whatIf bool) ([]MirrorPair, error) {
	p.mu.Lock()
	var idx []int
	for i, mp := range p.state.Databases {
		if !strings.EqualFold(mp.Principal, sqlFQDN) {
			continue
		}
		if len(dbTypes) > 0 && !slices.ContainsFunc(dbTypes, func(t string) bool { return strings.EqualFold(t, mp.DatabaseType) }) {
			continue
		}
		idx = append(idx, i)
	}
	if len(idx) == 0 {
		p.mu.Unlock()
		what := "Persistent Chat"
		if len(dbTypes) > 0 {
			what = strings.Join(dbTypes, ", ")
		}
		return nil, ruleErr(ErrUnknownStore, "SQL Server \"%s\" does not host %s databases in the published topology. Stores of pool \"%s\": %s.",
			sqlFQDN, what, p.cfg.PoolFQDN, strings.Join(p.storeNames(), ", "))
	}
	for _, i := range idx {
		if p.state.Databases[i].Mirror == "" {
			mp := p.state.Databases[i]
			p.mu.Unlock()
			return nil, ruleErr(ErrNoMirror, "No mirror SQL store is defined for the %s database on \"%s\" in the published topology. Define the mirror in Topology Builder and publish the topology first.", mp.DatabaseType, mp.Principal)
		}
	}
	var changed []MirrorPair
	if whatIf {
		for _, i := range idx {
			changed = append(changed, p.state.Databases[i])
		}
		p.mu.Unlock()
		return changed, nil
	}
	old := append([]MirrorPair(nil), p.state.Databases...)
	for _, i := range idx {
		p.state.Databases[i].Mirrored = true
		p.state.Databases[i].OnMirror = false
		changed = append(changed, p.state.Databases[i])
	}
	if err := p.save(); err != nil {
		p.state.Databases = old
		p.mu.Unlock()
		return nil, err
	}
	var evs []*Event
	for _, mp := range changed {
		evs = append(evs, p.record(Event{Kind: KindMirror, Database: mp.DatabaseType, New: mp.Principal + " -> " + mp.Mirror}))
	}
	p.mu.Unlock()
	for _, e := range evs {
		p.emit(e)
	}
	return changed, nil
}

func (p *Pool) storeNames() []string {
	var out []string
	for _, s := range p.cfg.Stores {
		out = append(out, s.FQDN+" ("+s.Role+")")
	}
	return out
}

// FailoverDatabase records Invoke-CsDatabaseFailover. poolFQDN may be the
// Persistent Chat pool (the pair the pool state selects) or a store FQDN.
// newPrincipal is "Mirror" or "Primary".
func (p *Pool) FailoverDatabase(poolFQDN, dbType, newPrincipal string, whatIf bool) (MirrorPair, error) {
	p.mu.Lock()
	site := SitePrimary
	if p.state.PoolState == FailedOver {
		site = SiteBackup
	}
	i := -1
	for j, mp := range p.state.Databases {
		if !strings.EqualFold(mp.DatabaseType, dbType) {
			continue
		}
		if strings.EqualFold(poolFQDN, p.cfg.PoolFQDN) && mp.Site == site ||
			strings.EqualFold(poolFQDN, mp.Principal) || strings.EqualFold(poolFQDN, mp.Mirror) {
			i = j
			break
		}
	}
	if i < 0 {
		p.mu.Unlock()
		return MirrorPair{}, ruleErr(ErrUnknownPool, "Pool \"%s\" has no %s databases in the published topology.", poolFQDN, dbType)
	}
	mp := p.state.Databases[i]
	if !mp.Mirrored || mp.Mirror == "" {
		p.mu.Unlock()
		return MirrorPair{}, ruleErr(ErrNoMirror, "Cannot fail over the %s databases of pool \"%s\": no mirror is configured for \"%s\".", dbType, poolFQDN, mp.Principal)
	}
	onMirror := strings.EqualFold(newPrincipal, "Mirror")
	if whatIf {
		p.mu.Unlock()
		mp.OnMirror = onMirror
		return mp, nil
	}
	old := mp.Serving()
	p.state.Databases[i].OnMirror = onMirror
	if err := p.save(); err != nil {
		p.state.Databases[i].OnMirror = mp.OnMirror
		p.mu.Unlock()
		return MirrorPair{}, err
	}
	now := p.state.Databases[i]
	ev := p.record(Event{Kind: KindDatabaseFailover, Database: dbType, Old: old, New: now.Serving()})
	p.mu.Unlock()
	p.emit(ev)
	return now, nil
}

// RecordFailover records an Invoke-CsDatabaseFailover that SQL Server
// carried out: the pair's mirroring is as SQL Server shows it (mirrored,
// whatever set it up: the cmdlet, a DBA in T-SQL) and its principal the
// new one. poolFQDN and dbType select the pair as in FailoverDatabase.
func (p *Pool) RecordFailover(poolFQDN, dbType, newPrincipal string) (MirrorPair, error) {
	p.mu.Lock()
	site := SitePrimary
	if p.state.PoolState == FailedOver {
		site = SiteBackup
	}
	i := -1
	for j, mp := range p.state.Databases {
		if strings.EqualFold(mp.DatabaseType, dbType) && (strings.EqualFold(poolFQDN, p.cfg.PoolFQDN) && mp.Site == site ||
			strings.EqualFold(poolFQDN, mp.Principal) || strings.EqualFold(poolFQDN, mp.Mirror)) {
			i = j
			break
		}
	}
	if i < 0 {
		p.mu.Unlock()
		return MirrorPair{}, ruleErr(ErrUnknownPool, "Pool \"%s\" has no %s databases in the published topology.", poolFQDN, dbType)
	}
	before := p.state.Databases[i]
	p.state.Databases[i].Mirrored = true
	p.state.Databases[i].OnMirror = strings.EqualFold(newPrincipal, "Mirror")
	if err := p.save(); err != nil {
		p.state.Databases[i] = before
		p.mu.Unlock()
		return MirrorPair{}, err
	}
	now := p.state.Databases[i]
	ev := p.record(Event{Kind: KindDatabaseFailover, Database: dbType, Old: before.Serving(), New: now.Serving()})
	p.mu.Unlock()
	p.emit(ev)
	return now, nil
}

// RecordUninstall records Uninstall-CsMirrorDatabase: the pairs of the type
// whose principal is sqlFQDN are no longer mirrored.
func (p *Pool) RecordUninstall(sqlFQDN, dbType string) error {
	p.mu.Lock()
	old := append([]MirrorPair(nil), p.state.Databases...)
	var evs []*Event
	for i, mp := range p.state.Databases {
		if strings.EqualFold(mp.Principal, sqlFQDN) && strings.EqualFold(mp.DatabaseType, dbType) && mp.Mirrored {
			p.state.Databases[i].Mirrored, p.state.Databases[i].OnMirror = false, false
			evs = append(evs, &Event{Kind: KindMirror, Database: mp.DatabaseType, Old: mp.Principal + " -> " + mp.Mirror, New: "not mirrored"})
		}
	}
	if err := p.save(); err != nil {
		p.state.Databases = old
		p.mu.Unlock()
		return err
	}
	for i, e := range evs {
		evs[i] = p.record(*e)
	}
	p.mu.Unlock()
	for _, e := range evs {
		p.emit(e)
	}
	return nil
}
