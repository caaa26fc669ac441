package lync

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Float64Source is the randomness Backoff needs; *math/rand.Rand and
// *math/rand/v2.Rand both satisfy it. Tests inject a fixed one.
type Float64Source interface {
	Float64() float64
}

// Backoff is an exponential backoff with jitter: before attempt n+1 it
// waits a random time in [d/2, d], d = min(Max, Initial*Multiplier^(n-1)).
// Jitter keeps several engines (or steps) from hammering a recovering WinRM
// service or SQL Server in lock step.
type Backoff struct {
	Attempts   int           // total attempts including the first; <= 0 means 5
	Initial    time.Duration // first wait; <= 0 means 500ms
	Max        time.Duration // cap on a wait; <= 0 means 30s
	Multiplier float64       // <= 1 means 2
	Rand       Float64Source // nil means a fresh unseeded source
	// Sleep waits d or until ctx ends; nil means a timer. Tests replace it
	// to record waits without sleeping.
	Sleep func(ctx context.Context, d time.Duration) error
}

// ErrAttemptsExhausted is wrapped in Retry's error when every attempt
// failed with a transient error.
var ErrAttemptsExhausted = errors.New("attempts exhausted")

func (b Backoff) withDefaults() Backoff {
	b = b.numbers()
	if b.Rand == nil {
		b.Rand = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	if b.Sleep == nil {
		b.Sleep = Sleep
	}
	return b
}

// numbers fills the numeric defaults only.
func (b Backoff) numbers() Backoff {
	if b.Attempts <= 0 {
		b.Attempts = 5
	}
	if b.Initial <= 0 {
		b.Initial = 500 * time.Millisecond
	}
	if b.Max <= 0 {
		b.Max = 30 * time.Second
	}
	if b.Multiplier <= 1 {
		b.Multiplier = 2
	}
	return b
}

// Delay is the wait before attempt n+1 (n >= 1) for a jitter draw u in [0,1).
func (b Backoff) Delay(n int, u float64) time.Duration {
	b = b.numbers()
	d := float64(b.Initial)
	for i := 1; i < n && d < float64(b.Max); i++ {
		d *= b.Multiplier
	}
	if d > float64(b.Max) {
		d = float64(b.Max)
	}
	return time.Duration(d/2 + u*d/2)
}

// Sleep waits d or until ctx ends (its error then): the default sleep of
// Backoff and of the engine's waits, which tests replace with a fake clock.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Retry calls fn until it succeeds, fails with an error transient does not
// accept, the attempts run out, or ctx ends. transient is a classifier such
// as lync.IsTransient or sqlserver.IsTransient. The returned error wraps the
// last error of fn (and ctx.Err() or ErrAttemptsExhausted when those
// stopped it), so errors.Is/As see both.
func Retry(ctx context.Context, b Backoff, transient func(error) bool, fn func(ctx context.Context) error) error {
	b = b.withDefaults()
	var last error
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			if last == nil {
				return err
			}
			return fmt.Errorf("retry stopped after %d attempts: %w; last error: %w", n-1, err, last)
		}
		last = fn(ctx)
		if last == nil {
			return nil
		}
		if !transient(last) {
			return last
		}
		if n >= b.Attempts {
			return fmt.Errorf("%w after %d attempts: %w", ErrAttemptsExhausted, n, last)
		}
		if err := b.Sleep(ctx, b.Delay(n, b.Rand.Float64())); err != nil {
			return fmt.Errorf("retry stopped after %d attempts: %w; last error: %w", n, err, last)
		}
	}
}
