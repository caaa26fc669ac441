package loadtest

import (
	"sync"
	"time"

	"github.com/pchatdr/harness/sim/mssql/agent"
)

// GearClock is a SQL Server Agent clock (agent.Clock, for
// world.Options.AgentClock) whose speed can be changed while it runs:
// Factor times the wall clock, like agent.ScaledClock, until Shift sets a
// new factor from the moment it is called.
//
// Days of log shipping need the schedules sped up, but the procedures that
// follow them must not run on that clock: the world's last log backup, the
// failover's copy and restore and the failback's step 5 start the same
// jobs with sp_start_job, and at thousands of times real speed a 15-minute
// schedule starts the job every few milliseconds, so a manual start finds
// it running and gets 22022 (rare at real speed, where an operator would
// simply run it again). Shift(1) before them makes the rest of the
// rehearsal happen in real time after the simulated days.
type GearClock struct {
	mu     sync.Mutex
	sim    time.Time // the clock's reading at wall
	wall   time.Time
	factor float64
}

var _ agent.Clock = (*GearClock)(nil)

// NewGearClock reads start now and runs factor times faster than real time
// (factor <= 0 means 1).
func NewGearClock(start time.Time, factor float64) *GearClock {
	if factor <= 0 {
		factor = 1
	}
	return &GearClock{sim: start, wall: time.Now(), factor: factor}
}

// Now is the simulated time.
func (c *GearClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nowLocked(time.Now())
}

func (c *GearClock) nowLocked(wall time.Time) time.Time {
	return c.sim.Add(time.Duration(float64(wall.Sub(c.wall)) * c.factor))
}

// AfterFunc calls f once d of simulated time has passed at the current
// speed. A timer armed before a Shift keeps its wall-clock deadline; the
// Agent re-reads Now when it fires and re-arms for what is not yet due, as
// it does after any early wake-up.
func (c *GearClock) AfterFunc(d time.Duration, f func()) agent.Timer {
	c.mu.Lock()
	factor := c.factor
	c.mu.Unlock()
	return time.AfterFunc(time.Duration(float64(d)/factor), f)
}

// Shift changes the speed from now on; the reading never jumps.
func (c *GearClock) Shift(factor float64) {
	if factor <= 0 {
		factor = 1
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	c.sim, c.wall, c.factor = c.nowLocked(now), now, factor
}

// Factor is the current speed.
func (c *GearClock) Factor() float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.factor
}
