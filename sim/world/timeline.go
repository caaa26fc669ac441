package world

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Event is one entry of the world's timeline (design §5): every part of the
// world and the engine reports into the same timeline, so scenarios can
// assert over orderings ("no chat server held a session to mgc while it was
// restored") and the report can draw it.
type Event struct {
	At        time.Time `json:"at"`
	Component string    `json:"component"` // "sql-primary", "lync", "chat/pc1", "engine"
	Kind      string    `json:"kind"`      // "start", "restart", "sql", "cmdlet", "fault", ...
	Detail    string    `json:"detail"`
	Err       string    `json:"err,omitempty"`
}

// Timeline is safe for concurrent use.
type Timeline struct {
	mu     sync.Mutex
	now    func() time.Time
	events []Event
	// sync, when set, brings in what another process recorded (the
	// management endpoint's container) before Events answers, so a reader
	// never misses the last poll interval's events.
	sync atomic.Pointer[func()]
}

// NewTimeline records times from now (time.Now when nil).
func NewTimeline(now func() time.Time) *Timeline {
	if now == nil {
		now = time.Now
	}
	return &Timeline{now: now}
}

// Add records an event stamped now.
func (t *Timeline) Add(component, kind, detail string, err error) Event {
	return t.AddAt(time.Time{}, component, kind, detail, err)
}

// AddAt records an event that happened at a known time elsewhere (the
// endpoint container stamps its own events; its clock is the host's).
func (t *Timeline) AddAt(at time.Time, component, kind, detail string, err error) Event {
	if at.IsZero() {
		at = t.now()
	}
	e := Event{At: at, Component: component, Kind: kind, Detail: detail}
	if err != nil {
		e.Err = err.Error()
	}
	t.mu.Lock()
	t.events = append(t.events, e)
	t.mu.Unlock()
	return e
}

// setSync installs (nil: removes) the hook Events runs first.
func (t *Timeline) setSync(f func()) {
	if f == nil {
		t.sync.Store(nil)
		return
	}
	t.sync.Store(&f)
}

// Events returns a copy of the events in time order.
func (t *Timeline) Events() []Event {
	if f := t.sync.Load(); f != nil {
		(*f)()
	}
	t.mu.Lock()
	out := append([]Event(nil), t.events...)
	t.mu.Unlock()
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}
