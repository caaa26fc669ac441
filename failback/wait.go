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
func (e *Env) waitFor(ctx context.Context, timeout time.Duration, what string, cond func(ctx context.Context) (bool, string, error)) error {
	deadline := e.now().Add(timeout)
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
		if !e.now().Before(deadline) {
			return fmt.Errorf("%w after %v waiting for %s: %s", ErrWaitTimeout, timeout, what, state)
		}
		if err := e.Options.Sleep(ctx, e.Options.PollInterval); err != nil {
			return fmt.Errorf("waiting for %s: %w", what, err)
		}
	}
}
