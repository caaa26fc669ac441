package agent

import (
	"sort"
	"sync"
	"time"
)

// Clock is the Agent's notion of time.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f once, after d has passed on this clock.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending AfterFunc.
type Timer interface {
	// Stop cancels the call; false if it already ran or was stopped.
	Stop() bool
}

// RealClock is the wall clock.
type RealClock struct{}

func (RealClock) Now() time.Time { return time.Now() }

func (RealClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// ScaledClock runs Factor times faster than the wall clock from Start, so a
// drill can live through a day of 15-minute log-shipping cycles in minutes.
type ScaledClock struct {
	start  time.Time
	origin time.Time
	factor float64
}

// NewScaledClock starts at start and runs factor times faster than real time.
func NewScaledClock(start time.Time, factor float64) *ScaledClock {
	if factor <= 0 {
		factor = 1
	}
	return &ScaledClock{start: start, origin: time.Now(), factor: factor}
}

func (c *ScaledClock) Now() time.Time {
	return c.start.Add(time.Duration(float64(time.Since(c.origin)) * c.factor))
}

func (c *ScaledClock) AfterFunc(d time.Duration, f func()) Timer {
	return time.AfterFunc(time.Duration(float64(d)/c.factor), f)
}

// ManualClock stands still until Advance or Set moves it. Timers run inside
// Advance, synchronously and in deadline order, with the clock reading their
// deadline, so a test knows exactly what ran when Advance returns.
type ManualClock struct {
	mu     sync.Mutex
	now    time.Time
	seq    int
	timers map[int]*manualTimer
}

type manualTimer struct {
	c    *ManualClock
	id   int
	when time.Time
	f    func()
}

// NewManualClock starts at now.
func NewManualClock(now time.Time) *ManualClock {
	return &ManualClock{now: now, timers: map[int]*manualTimer{}}
}

func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *ManualClock) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &manualTimer{c: c, id: c.seq, when: c.now.Add(d), f: f}
	c.timers[t.id] = t
	return t
}

func (t *manualTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	_, ok := t.c.timers[t.id]
	delete(t.c.timers, t.id)
	return ok
}

// Advance moves the clock forward by d, running each timer that comes due
// at its deadline. Timers that callbacks arm inside the interval run too.
// Callbacks run without the clock's lock, so they may read the clock and
// arm timers; they must not call Advance.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	target := c.now.Add(d)
	c.mu.Unlock()
	c.runUntil(target)
}

// Set moves the clock to t (never backwards), running due timers.
func (c *ManualClock) Set(t time.Time) {
	c.runUntil(t)
}

func (c *ManualClock) runUntil(target time.Time) {
	for {
		c.mu.Lock()
		var due []*manualTimer
		for _, t := range c.timers {
			if !t.when.After(target) {
				due = append(due, t)
			}
		}
		if len(due) == 0 {
			if target.After(c.now) {
				c.now = target
			}
			c.mu.Unlock()
			return
		}
		sort.Slice(due, func(i, j int) bool {
			if !due[i].when.Equal(due[j].when) {
				return due[i].when.Before(due[j].when)
			}
			return due[i].id < due[j].id
		})
		t := due[0]
		delete(c.timers, t.id)
		if t.when.After(c.now) {
			c.now = t.when
		}
		c.mu.Unlock()
		t.f()
	}
}

// Pending is the number of armed timers (for tests).
func (c *ManualClock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}
