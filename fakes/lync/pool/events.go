package pool

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Event kinds.
const (
	KindCmdlet           = "cmdlet"
	KindPoolState        = "poolState"
	KindActiveServers    = "activeServers"
	KindMirror           = "mirror"
	KindDatabaseFailover = "databaseFailover"
	KindFault            = "fault"
	KindCommand          = "command"
)

// Event is one entry of the timeline the world draws: a cmdlet call (with
// its text, parameters, outcome and duration), a state change, or an
// injected fault. Time is when the event was recorded, i.e. when a call
// ended; a call started at Time-Duration. A state change caused by a cmdlet
// is recorded just before that cmdlet's own event.
type Event struct {
	Seq      int64             `json:"seq"`
	Time     time.Time         `json:"time"`
	Kind     string            `json:"kind"`
	Cmdlet   string            `json:"cmdlet,omitempty"`
	Text     string            `json:"text,omitempty"`
	Params   map[string]string `json:"params,omitempty"`
	Outcome  string            `json:"outcome,omitempty"`
	Error    string            `json:"error,omitempty"`
	Duration time.Duration     `json:"duration,omitempty"`
	Database string            `json:"database,omitempty"`
	Old      string            `json:"old,omitempty"`
	New      string            `json:"new,omitempty"`
	OldList  []string          `json:"oldList,omitempty"`
	NewList  []string          `json:"newList,omitempty"`
	// User and Auth are who ran a command line (KindCommand) and how WinRM
	// authenticated them (Negotiate, NTLM or Basic).
	User string `json:"user,omitempty"`
	Auth string `json:"auth,omitempty"`
}

// Record appends an event (cmdlet calls, faults) to the timeline.
func (p *Pool) Record(e Event) Event {
	p.mu.Lock()
	ev := p.record(e)
	p.mu.Unlock()
	p.emit(ev)
	return *ev
}

// record appends under the lock.
func (p *Pool) record(e Event) *Event {
	p.seq++
	e.Seq = p.seq
	if e.Time.IsZero() {
		e.Time = p.now()
	}
	p.events = append(p.events, e)
	if p.changed != nil {
		close(p.changed)
		p.changed = nil
	}
	cp := e
	return &cp
}

// Version names the pool's timeline so far: it changes with every recorded
// event (every state change records one) and across an endpoint's restart.
func (p *Pool) Version() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.versionLocked()
}

func (p *Pool) versionLocked() string {
	return strconv.FormatInt(p.epoch, 36) + "." + strconv.FormatInt(p.seq, 10)
}

// StateAfter returns the state and its version once the version is no
// longer after (at once when it already differs), or when ctx ends: a
// reader that has seen version after learns of the next change as it
// happens instead of polling for it (GET /state?after=).
func (p *Pool) StateAfter(ctx context.Context, after string) (State, string) {
	p.mu.Lock()
	if p.versionLocked() == after {
		if p.changed == nil {
			p.changed = make(chan struct{})
		}
		ch := p.changed
		p.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
		}
		p.mu.Lock()
	}
	defer p.mu.Unlock()
	return p.state.clone(), p.versionLocked()
}

func (p *Pool) emit(e *Event) {
	if e != nil && p.listener != nil {
		p.listener(*e)
	}
}

// Events returns the timeline so far.
func (p *Pool) Events() []Event {
	return p.EventsSince(0)
}

// EventsSince returns events with Seq > seq.
func (p *Pool) EventsSince(seq int64) []Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []Event
	for _, e := range p.events {
		if e.Seq > seq {
			out = append(out, e)
		}
	}
	return out
}

// persisted is the on-disk form. It names the pool so a file written for
// another topology is refused instead of silently mixed in.
type persisted struct {
	PoolFQDN      string       `json:"poolFqdn"`
	PoolState     PoolState    `json:"poolState"`
	ActiveServers []string     `json:"activeServers"`
	Databases     []MirrorPair `json:"databases"`
	SavedAt       time.Time    `json:"savedAt"`
}

// ErrPersisted marks a state file that does not fit the configuration.
var ErrPersisted = errors.New("pool state file")

func load(path string, cfg *Config) (State, bool, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return State{}, false, nil
	}
	if err != nil {
		return State{}, false, fmt.Errorf("pool: read state: %w", err)
	}
	var ps persisted
	if err := json.Unmarshal(raw, &ps); err != nil {
		return State{}, false, fmt.Errorf("%w %s: %w", ErrPersisted, path, err)
	}
	if !strings.EqualFold(ps.PoolFQDN, cfg.PoolFQDN) {
		return State{}, false, fmt.Errorf("%w %s: written for pool %q, configured pool is %q", ErrPersisted, path, ps.PoolFQDN, cfg.PoolFQDN)
	}
	if ps.PoolState != Normal && ps.PoolState != FailedOver {
		return State{}, false, fmt.Errorf("%w %s: pool state %q is neither Normal nor FailedOver", ErrPersisted, path, ps.PoolState)
	}
	st := initialState(cfg)
	st.PoolState = ps.PoolState
	st.ActiveServers = []string{}
	for _, a := range ps.ActiveServers {
		s, ok := cfg.server(a)
		if !ok {
			return State{}, false, fmt.Errorf("%w %s: active server %q is not in pool %s", ErrPersisted, path, a, cfg.PoolFQDN)
		}
		st.ActiveServers = append(st.ActiveServers, s.FQDN)
	}
	if len(st.ActiveServers) > cfg.MaxActive {
		return State{}, false, fmt.Errorf("%w %s: %d active servers, at most %d allowed", ErrPersisted, path, len(st.ActiveServers), cfg.MaxActive)
	}
	for _, saved := range ps.Databases {
		for i, mp := range st.Databases {
			if mp.DatabaseType == saved.DatabaseType && mp.Site == saved.Site && strings.EqualFold(mp.Principal, saved.Principal) {
				st.Databases[i].Mirrored = saved.Mirrored && mp.Mirror != ""
				st.Databases[i].OnMirror = saved.OnMirror && st.Databases[i].Mirrored
			}
		}
	}
	return st, true, nil
}

// save writes the state atomically (temp file + rename). Caller holds mu.
func (p *Pool) save() error {
	if p.path == "" {
		return nil
	}
	ps := persisted{PoolFQDN: p.state.PoolFQDN, PoolState: p.state.PoolState, ActiveServers: p.state.ActiveServers, Databases: p.state.Databases, SavedAt: p.now().UTC()}
	raw, err := json.MarshalIndent(ps, "", "  ")
	if err != nil {
		return fmt.Errorf("pool: encode state: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p.path), ".pool-state-*")
	if err != nil {
		return fmt.Errorf("pool: save state: %w", err)
	}
	if _, err := tmp.Write(append(raw, '\n')); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("pool: save state: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("pool: save state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("pool: save state: %w", err)
	}
	if err := os.Rename(tmp.Name(), p.path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("pool: save state: %w", err)
	}
	return nil
}
