package loadtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pchatdr/harness/failback/lync"
	"github.com/pchatdr/harness/sim/chat"
)

// fakePoster answers by call number: every third refused (no active
// server), every fifth failed, the rest acknowledged by one of two servers.
type fakePoster struct {
	mu     sync.Mutex
	calls  int
	active int
	seen   [][2]int
	// block, when set, holds every post until it is closed.
	block   chan struct{}
	started chan struct{}
	// ctxErr is the post context's error when a blocked post was released.
	ctxErr []error
}

func (p *fakePoster) Post(ctx context.Context, channel, user int) (chat.Message, error) {
	p.mu.Lock()
	p.calls++
	n := p.calls
	p.active++
	p.seen = append(p.seen, [2]int{channel, user})
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.active--
		p.mu.Unlock()
	}()
	if p.block != nil {
		if p.started != nil {
			select {
			case p.started <- struct{}{}:
			default:
			}
		}
		<-p.block
		p.mu.Lock()
		p.ctxErr = append(p.ctxErr, ctx.Err())
		p.mu.Unlock()
	}
	switch {
	case n%3 == 0:
		return chat.Message{}, fmt.Errorf("fake: %w", chat.ErrInactive)
	case n%5 == 0:
		return chat.Message{}, errors.New("fake: connection reset")
	}
	return chat.Message{Channel: channel, User: user, Server: fmt.Sprintf("pc%d", 1+n%2)}, nil
}

func TestGeneratorCountsEveryPostOnce(t *testing.T) {
	p := &fakePoster{}
	g, err := Start(t.Context(), p, Config{Rate: 500, Channels: 3, Users: 7, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := lync.Sleep(t.Context(), 200*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	s := g.Stop()
	if s.Attempted == 0 {
		t.Fatal("no post was attempted")
	}
	if got := s.Acknowledged + s.Refused + s.Failed; got != s.Attempted || s.InFlight != 0 {
		t.Errorf("%d acknowledged + %d refused + %d failed = %d, %d in flight, want %d attempted",
			s.Acknowledged, s.Refused, s.Failed, got, s.InFlight, s.Attempted)
	}
	p.mu.Lock()
	calls, active := p.calls, p.active
	seen := append([][2]int(nil), p.seen...)
	p.mu.Unlock()
	if calls != s.Attempted || active != 0 {
		t.Errorf("poster saw %d posts (%d still running) after Stop, stats say %d attempted", calls, active, s.Attempted)
	}
	wantRefused, wantFailed := calls/3, calls/5-calls/15
	if s.Refused != wantRefused || s.Failed != wantFailed {
		t.Errorf("%d refused, %d failed; want %d and %d (%s)", s.Refused, s.Failed, wantRefused, wantFailed, s)
	}
	if s.Failed > 0 && len(s.Errors) == 0 {
		t.Error("failures recorded without their errors")
	}
	total := 0
	for _, n := range s.ByServer {
		total += n
	}
	if total != s.Acknowledged {
		t.Errorf("acknowledgements by server %v sum to %d, want %d", s.ByServer, total, s.Acknowledged)
	}
	for _, cu := range seen {
		if cu[0] < 1 || cu[0] > 3 || cu[1] < 1 || cu[1] > 7 {
			t.Fatalf("post to channel %d by user %d, outside 1..3 and 1..7", cu[0], cu[1])
		}
	}
	if s.Acknowledged > 0 && (s.FirstAck.IsZero() || s.LastAck.Before(s.FirstAck)) {
		t.Errorf("acknowledgement times %v .. %v", s.FirstAck, s.LastAck)
	}
	// Stop twice is Stop once.
	if again := g.Stop(); again.Attempted != s.Attempted {
		t.Errorf("a second Stop changed the figures: %s, then %s", s, again)
	}
}

func TestGeneratorSeedReproducesChannelsAndUsers(t *testing.T) {
	run := func(seed uint64) [][2]int {
		p := &fakePoster{}
		// One post at a time: the poster sees them in the order drawn.
		g, err := Start(t.Context(), p, Config{Rate: 1000, Seed: seed, MaxInFlight: 1})
		if err != nil {
			t.Fatal(err)
		}
		for {
			p.mu.Lock()
			n := len(p.seen)
			p.mu.Unlock()
			if n >= 20 {
				break
			}
			if err := lync.Sleep(t.Context(), 5*time.Millisecond); err != nil {
				t.Fatal(err)
			}
		}
		g.Stop()
		p.mu.Lock()
		defer p.mu.Unlock()
		return append([][2]int(nil), p.seen...)
	}
	a, b, c := run(7), run(7), run(8)
	n := min(len(a), len(b), len(c))
	if !slices.Equal(a[:n], b[:n]) {
		t.Errorf("same seed, different posts:\n%v\n%v", a[:n], b[:n])
	}
	if slices.Equal(a[:n], c[:n]) {
		t.Errorf("seeds 7 and 8 drew the same %d posts", n)
	}
}

func TestGeneratorStopLetsPostsInFlightFinish(t *testing.T) {
	p := &fakePoster{block: make(chan struct{}), started: make(chan struct{}, 1)}
	g, err := Start(t.Context(), p, Config{Rate: 1000, MaxInFlight: 2})
	if err != nil {
		t.Fatal(err)
	}
	<-p.started
	// Both slots fill and stay busy: the ticks meanwhile are missed, not
	// queued.
	if err := lync.Sleep(t.Context(), 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if during := g.Stats(); during.Missed == 0 || during.InFlight == 0 {
		t.Errorf("ticks with every slot busy were not counted as missed: %s, %d in flight", during, during.InFlight)
	}
	stopped := make(chan Stats)
	go func() { stopped <- g.Stop() }()
	// Give Stop every chance to return early (it must not: posts are
	// running). A wrong generator fails here; a right one only waits.
	if err := lync.Sleep(t.Context(), 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-stopped:
		t.Fatalf("Stop returned with posts in flight: %s", s)
	default:
	}
	close(p.block)
	s := <-stopped
	if s.InFlight != 0 || s.Attempted == 0 || s.Attempted > 2 {
		t.Errorf("after Stop: %s, %d in flight; want 1 or 2 attempted (MaxInFlight 2), none in flight", s, s.InFlight)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, err := range p.ctxErr {
		if err != nil {
			t.Errorf("a post in flight was cancelled by Stop (%v): it might commit unacknowledged", err)
		}
	}
}

func TestGeneratorRefusesBadConfig(t *testing.T) {
	for _, rate := range []float64{0, -1, 2e6} {
		if _, err := Start(t.Context(), &fakePoster{}, Config{Rate: rate}); err == nil {
			t.Errorf("rate %v accepted", rate)
		}
	}
	if _, err := Start(t.Context(), nil, Config{Rate: 1}); err == nil {
		t.Error("nil poster accepted")
	}
}

func TestRunEndsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	p := &fakePoster{}
	s, err := Run(ctx, p, Config{Rate: 200})
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if s.Attempted == 0 || p.calls != s.Attempted || p.active != 0 {
		t.Errorf("Run returned %s with the poster at %d calls, %d running", s, p.calls, p.active)
	}
}

func TestGearClockShiftNeverJumps(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := NewGearClock(start, 3600)
	if err := lync.Sleep(t.Context(), 20*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	before := c.Now()
	if !before.After(start.Add(time.Minute)) {
		t.Errorf("20 ms at x3600 read %s, want over a minute past the start", before.Sub(start))
	}
	c.Shift(1)
	after := c.Now()
	if after.Before(before) || after.Sub(before) > time.Minute {
		t.Errorf("Shift moved the clock from %s to %s", before, after)
	}
	if c.Factor() != 1 {
		t.Errorf("factor %v after Shift(1)", c.Factor())
	}
	c.Shift(1000)
	fired := make(chan time.Time, 1)
	c.AfterFunc(time.Second, func() { fired <- c.Now() }) // 1 ms of wall time at x1000
	select {
	case at := <-fired:
		if at.Sub(after) < time.Second {
			t.Errorf("AfterFunc(1s) fired %s after arming", at.Sub(after))
		}
	case <-t.Context().Done():
		t.Fatal(t.Context().Err())
	}
}
