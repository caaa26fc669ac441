package lync

import (
	"context"
	"errors"
	"testing"
	"time"
)

type fixedRand float64

func (f fixedRand) Float64() float64 { return float64(f) }

func TestBackoffDelay(t *testing.T) {
	b := Backoff{Initial: 100 * time.Millisecond, Max: time.Second, Multiplier: 2}
	cases := []struct {
		n    int
		u    float64
		want time.Duration
	}{
		{1, 0, 50 * time.Millisecond},
		{1, 0.999999, 100*time.Millisecond - 50*time.Nanosecond},
		{2, 0, 100 * time.Millisecond},
		{3, 0.5, 300 * time.Millisecond},
		{10, 0, 500 * time.Millisecond}, // capped at Max
	}
	for _, c := range cases {
		got := b.Delay(c.n, c.u)
		if d := got - c.want; d < -time.Microsecond || d > time.Microsecond {
			t.Errorf("Delay(%d,%v) = %v, want %v", c.n, c.u, got, c.want)
		}
	}
}

func TestRetry(t *testing.T) {
	transientErr := &HTTPStatusError{StatusCode: 503}
	permanentErr := &HTTPStatusError{StatusCode: 401}
	cases := []struct {
		name      string
		errs      []error
		attempts  int
		wantCalls int
		wantWaits int
		check     func(error) bool
	}{
		{"first ok", []error{nil}, 3, 1, 0, func(e error) bool { return e == nil }},
		{"recovers", []error{transientErr, transientErr, nil}, 5, 3, 2, func(e error) bool { return e == nil }},
		{"permanent stops", []error{transientErr, permanentErr, nil}, 5, 2, 1, func(e error) bool { return errors.Is(e, permanentErr) && !errors.Is(e, ErrAttemptsExhausted) }},
		{"exhausted", []error{transientErr, transientErr, transientErr, transientErr}, 3, 3, 2, func(e error) bool {
			var he *HTTPStatusError
			return errors.Is(e, ErrAttemptsExhausted) && errors.As(e, &he) && he.StatusCode == 503
		}},
	}
	for _, c := range cases {
		var waits []time.Duration
		calls := 0
		b := Backoff{Attempts: c.attempts, Initial: 10 * time.Millisecond, Rand: fixedRand(0.5),
			Sleep: func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }}
		err := Retry(context.Background(), b, IsTransient, func(context.Context) error {
			e := c.errs[calls]
			calls++
			return e
		})
		if calls != c.wantCalls || len(waits) != c.wantWaits || !c.check(err) {
			t.Errorf("%s: calls %d waits %v err %v", c.name, calls, waits, err)
		}
		for i, w := range waits {
			if want := b.Delay(i+1, 0.5); w != want {
				t.Errorf("%s: wait %d = %v, want %v", c.name, i, w, want)
			}
		}
	}
}

func TestRetryStopsOnContext(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	calls := 0
	start := time.Now()
	err := Retry(ctx, Backoff{Attempts: 100, Initial: 10 * time.Second}, IsTransient, func(context.Context) error {
		calls++
		return &HTTPStatusError{StatusCode: 503}
	})
	if !errors.Is(err, context.DeadlineExceeded) || calls != 1 {
		t.Errorf("err %v calls %d", err, calls)
	}
	var he *HTTPStatusError
	if !errors.As(err, &he) {
		t.Errorf("last error lost: %v", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Error("retry ignored the context")
	}
	cancel()
	if err := Retry(ctx, Backoff{}, IsTransient, func(context.Context) error { t.Error("called after cancel"); return nil }); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("pre-cancelled: %v", err)
	}
}
