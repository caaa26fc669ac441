package failback

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrWaitTimeout is wrapped when a bounded wait ran out.
var ErrWaitTimeout = errors.New("wait timed out")

// waitFor polls cond until it reports true, the timeout passes (an error
// wrapping ErrWaitTimeout with cond's last description) or ctx ends.
// Transient read errors while polling are tolerated; others end the wait.
//
// A wait that goes on says so every Options.WaitNoteInterval (a note
// naming what it waits for, for how long so far and what it last saw):
// a job timeout is minutes, and an operator watching the run must see
// what it is stuck on long before it ends.
func (e *Env) waitFor(ctx context.Context, timeout time.Duration, what string, cond func(ctx context.Context) (bool, string, error)) error {
	start := e.now()
	deadline := start.Add(timeout)
	nextNote := start.Add(e.Options.WaitNoteInterval)
	for {
		ok, state, err := cond(ctx)
		if err != nil && !IsTransient(err) {
			return err
		}
		if err == nil && ok {
			return nil
		}
		if err != nil {
			state = err.Error()
		}
		now := e.now()
		if !now.Before(deadline) {
			return fmt.Errorf("%w after %v waiting for %s: %s", ErrWaitTimeout, timeout, what, state)
		}
		if e.Options.WaitNoteInterval > 0 && !now.Before(nextNote) {
			e.Note(fmt.Sprintf("still waiting for %s (%v of at most %v): %s", what, now.Sub(start).Round(time.Second), timeout, state))
			nextNote = now.Add(e.Options.WaitNoteInterval)
		}
		if err := e.Options.Sleep(ctx, e.Options.PollInterval); err != nil {
			return fmt.Errorf("waiting for %s: %w", what, err)
		}
	}
}
