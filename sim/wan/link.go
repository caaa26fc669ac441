package wan

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrCut is what a transfer over a cut link gets.
var ErrCut = errors.New("wan: link is cut")

// Config describes one link.
type Config struct {
	// Name is how messages name the link ("dc1-dc2").
	Name string
	// BandwidthMbps is the link's capacity in megabits (10^6 bit) per
	// second, as the topology's links[].bandwidthMbps gives it.
	BandwidthMbps float64
	// RTT is the round-trip time (topology links[].rttMs).
	RTT time.Duration
	// Clock is what the link waits on (nil: the wall clock).
	Clock Clock
}

// Link is one data-center link. It is safe for concurrent use; every flow
// that crosses it shares its bandwidth.
type Link struct {
	name  string
	clock Clock

	mu    sync.Mutex
	bps   float64 // bits per second
	rtt   time.Duration
	cut   bool
	free  time.Time // when everything booked so far has crossed
	bytes int64     // bytes carried
	trips int64     // round trips paid
	busy  time.Duration
}

// New checks cfg and returns its link.
func New(cfg Config) (*Link, error) {
	if cfg.BandwidthMbps <= 0 {
		return nil, fmt.Errorf("wan: link %s: bandwidth %g Mbit/s: must be greater than 0", cfg.Name, cfg.BandwidthMbps)
	}
	if cfg.RTT < 0 {
		return nil, fmt.Errorf("wan: link %s: round trip %s: must not be negative", cfg.Name, cfg.RTT)
	}
	c := cfg.Clock
	if c == nil {
		c = RealClock{}
	}
	return &Link{name: cfg.Name, clock: c, bps: cfg.BandwidthMbps * 1e6, rtt: cfg.RTT}, nil
}

// Name is the link's name.
func (l *Link) Name() string { return l.name }

// TransferTime is what the model predicts for n bytes in one flow on an
// idle link: the flow's opening round trip plus n·8/B.
func TransferTime(n int64, bandwidthMbps float64, rtt time.Duration) time.Duration {
	if bandwidthMbps <= 0 {
		return 0
	}
	return rtt + time.Duration(float64(n)*8/(bandwidthMbps*1e6)*float64(time.Second))
}

// Pace holds the caller until n more bytes have crossed the link, behind
// whatever other flows booked first. It fails at once with ErrCut while the
// link is cut and with ctx's error if ctx ends first (the bytes booked are
// then not carried, but the booking stands, as bytes already on the wire
// would).
func (l *Link) Pace(ctx context.Context, n int) error {
	if n <= 0 {
		return ctx.Err()
	}
	l.mu.Lock()
	if l.cut {
		l.mu.Unlock()
		return fmt.Errorf("%s: %w", l.name, ErrCut)
	}
	now := l.clock.Now()
	start := l.free
	if start.Before(now) {
		start = now
	}
	d := time.Duration(float64(n) * 8 / l.bps * float64(time.Second))
	l.free = start.Add(d)
	l.bytes += int64(n)
	l.busy += d
	until := l.free
	l.mu.Unlock()
	return l.clock.Sleep(ctx, until.Sub(now))
}

// PaceAhead books n more bytes like Pace but holds the caller only while
// more than window bytes it booked are still ahead of it on the wire: a
// flow with window bytes in flight (SQL Server's backup and restore keep
// several 1 MiB transfer buffers outstanding, and TCP and SMB2 keep a
// window open), so the sender prepares the next block while the link
// carries the previous ones, as in production. It returns when the n bytes
// will have crossed; the flow's end waits for that (WaitUntil), so a
// transfer never completes before its last byte crossed. window <= 0 is
// Pace.
func (l *Link) PaceAhead(ctx context.Context, n, window int) (time.Time, error) {
	if n <= 0 {
		return l.clock.Now(), ctx.Err()
	}
	l.mu.Lock()
	if l.cut {
		l.mu.Unlock()
		return time.Time{}, fmt.Errorf("%s: %w", l.name, ErrCut)
	}
	now := l.clock.Now()
	start := l.free
	if start.Before(now) {
		start = now
	}
	d := time.Duration(float64(n) * 8 / l.bps * float64(time.Second))
	ahead := time.Duration(float64(max(window, 0)) * 8 / l.bps * float64(time.Second))
	l.free = start.Add(d)
	l.bytes += int64(n)
	l.busy += d
	until := l.free
	l.mu.Unlock()
	return until, l.clock.Sleep(ctx, until.Add(-ahead).Sub(now))
}

// WaitUntil holds the caller until t (the crossing time PaceAhead
// returned for a flow's last bytes). A link cut meanwhile fails it with
// ErrCut when bytes were still in flight: they are lost with the
// connection.
func (l *Link) WaitUntil(ctx context.Context, t time.Time) error {
	d := t.Sub(l.clock.Now())
	if d <= 0 {
		return ctx.Err() // everything crossed already
	}
	if err := l.clock.Sleep(ctx, d); err != nil {
		return err
	}
	l.mu.Lock()
	cut := l.cut
	l.mu.Unlock()
	if cut {
		return fmt.Errorf("%s: %w", l.name, ErrCut)
	}
	return nil
}

// RoundTrip holds the caller for one round trip (a request that waits for
// its answer: opening a file on a share, a TCP handshake). Round trips do
// not use bandwidth, so they do not delay other flows.
func (l *Link) RoundTrip(ctx context.Context) error {
	l.mu.Lock()
	if l.cut {
		l.mu.Unlock()
		return fmt.Errorf("%s: %w", l.name, ErrCut)
	}
	rtt := l.rtt
	l.trips++
	l.mu.Unlock()
	return l.clock.Sleep(ctx, rtt)
}

// SetBandwidth changes the link's capacity from the next booking on (a
// congested link); bookings already made keep their times.
func (l *Link) SetBandwidth(mbps float64) error {
	if mbps <= 0 {
		return fmt.Errorf("wan: link %s: bandwidth %g Mbit/s: must be greater than 0", l.name, mbps)
	}
	l.mu.Lock()
	l.bps = mbps * 1e6
	l.mu.Unlock()
	return nil
}

// SetRTT changes the round-trip time for the next round trips.
func (l *Link) SetRTT(rtt time.Duration) {
	l.mu.Lock()
	l.rtt = rtt
	l.mu.Unlock()
}

// SetCut cuts the link (on) or brings it back.
func (l *Link) SetCut(on bool) {
	l.mu.Lock()
	l.cut = on
	l.mu.Unlock()
}

// Stats is what a link carried.
type Stats struct {
	Bytes      int64
	RoundTrips int64
	// Busy is the time the link spent carrying bytes (the sum of every
	// booking), so Bytes·8/Busy is the bandwidth the traffic got.
	Busy          time.Duration
	BandwidthMbps float64
	RTT           time.Duration
	Cut           bool
}

// Stats reports the link's counters and settings.
func (l *Link) Stats() Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	return Stats{Bytes: l.bytes, RoundTrips: l.trips, Busy: l.busy, BandwidthMbps: l.bps / 1e6, RTT: l.rtt, Cut: l.cut}
}
