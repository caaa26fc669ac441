package fault

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/sim/world"
)

// A Set holds the faults injected into one world for one rehearsal: the
// ones armed on the engine's event stream (it is a failback.Sink: put it
// among the runner's sinks), whether each fired, and every error a fault
// met, including those of the work it left running (an outage's end, a
// chat burst) on goroutines the world owns.
type Set struct {
	env Env

	mu    sync.Mutex
	armed []*armed
	errs  []error
	stop  context.CancelFunc // the engine run in progress (EngineRun)
	// pending counts this Set's work on the world's goroutines (Wait).
	pending sync.WaitGroup
}

// armed is one fault waiting for its trigger.
type armed struct {
	ctx   context.Context
	f     Fault
	at    Trigger
	fired bool
}

// NewSet is an empty Set of faults for w.
func NewSet(w *world.World) *Set {
	s := &Set{}
	s.env = Env{World: w, stopEngine: s.stopEngine}
	return s
}

// Env is what the Set's faults act on.
func (s *Set) Env() *Env { return &s.env }

// check refuses a fault the world cannot take, before anything runs.
func (s *Set) check(f Fault) error {
	if !f.AppliesTo(TargetOf(s.env.World)) {
		return fmt.Errorf("fault: %s cannot hit this world (links: %v)", f, s.env.World.LinkNames())
	}
	if c, ok := f.(Checker); ok {
		return c.Check(&s.env)
	}
	return nil
}

// Inject applies f now; what it leaves running goes to the world.
func (s *Set) Inject(ctx context.Context, f Fault) error {
	if err := s.check(f); err != nil {
		return err
	}
	return s.fire(ctx, f)
}

// Arm checks f and fires it at the first engine event at accepts. ctx
// bounds what the fault does when it fires (the scenario's context).
func (s *Set) Arm(ctx context.Context, f Fault, at Trigger) error {
	if err := s.check(f); err != nil {
		return err
	}
	s.mu.Lock()
	s.armed = append(s.armed, &armed{ctx: ctx, f: f, at: at})
	s.mu.Unlock()
	return nil
}

// Event fires the armed faults whose trigger accepts e, on the engine's
// goroutine, before the engine goes on.
func (s *Set) Event(e failback.Event) {
	s.mu.Lock()
	var due []*armed
	for _, a := range s.armed {
		if !a.fired && a.at.match(e) {
			a.fired = true
			due = append(due, a)
		}
	}
	s.mu.Unlock()
	for _, a := range due {
		if err := s.fire(a.ctx, a.f); err != nil {
			s.failed(err)
		}
	}
}

// fire applies f and hands what it leaves running to the world.
func (s *Set) fire(ctx context.Context, f Fault) error {
	w := s.env.World
	err := f.Apply(ctx, &s.env)
	w.Timeline.Add("harness", "fault", f.String(), err)
	if err != nil {
		return fmt.Errorf("fault %s: %w", f, err)
	}
	if o, ok := f.(Ongoing); ok {
		return s.background(ctx, f, func(ctx, _ context.Context) error { return o.Run(ctx, &s.env) })
	}
	if l, ok := f.(Lasting); ok && l.Duration() > 0 {
		return s.background(ctx, f, func(ctx, wctx context.Context) error {
			t := time.NewTimer(l.Duration())
			defer t.Stop()
			select {
			case <-t.C:
			case <-ctx.Done():
			}
			if wctx.Err() != nil {
				return nil // the world is closing, and the fault goes with it
			}
			return f.Undo(wctx, &s.env)
		})
	}
	return nil
}

// background runs work on a goroutine the world owns. work's ctx ends
// when the world closes or armCtx ends; wctx only when the world closes.
// What work meets once the world is closing is not a failure of the
// fault: the world, and the fault with it, is going away.
func (s *Set) background(armCtx context.Context, f Fault, work func(ctx, wctx context.Context) error) error {
	s.pending.Add(1)
	started := s.env.World.Go(func(wctx context.Context) {
		defer s.pending.Done()
		ctx, cancel := context.WithCancel(wctx)
		defer cancel()
		defer context.AfterFunc(armCtx, cancel)()
		if err := work(ctx, wctx); err != nil && wctx.Err() == nil {
			s.failed(fmt.Errorf("fault %s: %w", f, err))
		}
	})
	if !started {
		s.pending.Done()
		return fmt.Errorf("fault %s: the world is closed", f)
	}
	return nil
}

func (s *Set) failed(err error) {
	s.mu.Lock()
	s.errs = append(s.errs, err)
	s.mu.Unlock()
}

// Wait returns once the work the Set's faults left running has ended:
// every lasting fault undone, every ongoing one done.
func (s *Set) Wait() { s.pending.Wait() }

// Err is nil when every armed fault fired and no fault (nor what it left
// running) failed: a fault that never fired proves nothing.
func (s *Set) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, a := range s.armed {
		if !a.fired {
			errs = append(errs, fmt.Errorf("the fault %q never fired (armed %s)", a.f, a.at))
		}
	}
	return errors.Join(append(errs, s.errs...)...)
}

// EngineRun is the context of one engine run under the Set's control: an
// EngineStop fault ends it, as a service stop or Ctrl-C ends the real
// engine. Call done when the run returns.
func (s *Set) EngineRun(ctx context.Context) (_ context.Context, done func()) {
	rctx, cancel := context.WithCancel(ctx)
	s.mu.Lock()
	s.stop = cancel
	s.mu.Unlock()
	return rctx, func() {
		s.mu.Lock()
		s.stop = nil
		s.mu.Unlock()
		cancel()
	}
}

func (s *Set) stopEngine() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop == nil {
		return false
	}
	s.stop()
	return true
}
