package world

import (
	"sort"
	"sync"
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
	e := Event{At: t.now(), Component: component, Kind: kind, Detail: detail}
	if err != nil {
		e.Err = err.Error()
	}
	t.mu.Lock()
	t.events = append(t.events, e)
	t.mu.Unlock()
	return e
}

// Events returns a copy of the events in time order.
func (t *Timeline) Events() []Event {
	t.mu.Lock()
	out := append([]Event(nil), t.events...)
	t.mu.Unlock()
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}
