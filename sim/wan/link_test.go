package wan

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"testing"
	"time"
)

func within(t *testing.T, what string, got, want time.Duration, tol float64) {
	t.Helper()
	if math.Abs(float64(got-want)) > tol*float64(want) {
		t.Fatalf("%s took %s, the model says %s (tolerance %.0f%%)", what, got, want, tol*100)
	}
}

// TestTransferTakesBytesOverBandwidthPlusRTT is the check: a
// transfer of N bytes across a B bit/s link takes N·8/B plus the round
// trip, within 5%, whatever size the writes come in.
func TestTransferTakesBytesOverBandwidthPlusRTT(t *testing.T) {
	for _, c := range []struct {
		name  string
		n     int64
		mbps  float64
		rtt   time.Duration
		chunk int
	}{
		{"1GiB over 1Gbps, 1MiB writes", 1 << 30, 1000, 4 * time.Millisecond, 1 << 20},
		{"100MiB over 100Mbps, 64KiB writes", 100 << 20, 100, 30 * time.Millisecond, 64 << 10},
		{"10MiB over 10Mbps, odd writes", 10 << 20, 10, 80 * time.Millisecond, 12345},
		{"1KiB over 1Gbps, one write (RTT dominates)", 1 << 10, 1000, 10 * time.Millisecond, 1 << 10},
	} {
		t.Run(c.name, func(t *testing.T) {
			clk := newFakeClock()
			l, err := New(Config{Name: "dc1-dc2", BandwidthMbps: c.mbps, RTT: c.rtt, Clock: clk})
			if err != nil {
				t.Fatal(err)
			}
			start := clk.Now()
			ctx := context.Background()
			if err := l.RoundTrip(ctx); err != nil {
				t.Fatal(err)
			}
			w := l.Writer(ctx, io.Discard)
			buf := make([]byte, c.chunk)
			for left := c.n; left > 0; {
				k := min(int64(len(buf)), left)
				if _, err := w.Write(buf[:k]); err != nil {
					t.Fatal(err)
				}
				left -= k
			}
			want := c.rtt + time.Duration(float64(c.n)*8/(c.mbps*1e6)*float64(time.Second))
			within(t, c.name, clk.Now().Sub(start), want, 0.05)
			within(t, "TransferTime", TransferTime(c.n, c.mbps, c.rtt), want, 0.001)
			if st := l.Stats(); st.Bytes != c.n || st.RoundTrips != 1 {
				t.Fatalf("stats %+v, want %d bytes and 1 round trip", st, c.n)
			}
		})
	}
}

// TestFlowsShareTheBandwidth: two flows booked at the same instant finish
// when the link has carried both, not each at full speed.
func TestFlowsShareTheBandwidth(t *testing.T) {
	clk := &stillClock{now: time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)}
	l, _ := New(Config{Name: "l", BandwidthMbps: 8, Clock: clk}) // 1 MB/s
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		if err := l.Pace(ctx, 1_000_000); err != nil {
			t.Fatal(err)
		}
	}
	within(t, "first of two 1 MB flows at 1 MB/s", clk.slept[0], time.Second, 0.01)
	within(t, "second of two 1 MB flows at 1 MB/s", clk.slept[1], 2*time.Second, 0.01)
}

// stillClock records what callers were told to wait and never moves: every
// caller books at the same instant.
type stillClock struct {
	now   time.Time
	slept []time.Duration
}

func (c *stillClock) Now() time.Time { return c.now }
func (c *stillClock) Sleep(_ context.Context, d time.Duration) error {
	c.slept = append(c.slept, d)
	return nil
}

// TestSlowCallerBanksNoCredit: a writer slower than the link (a slow disk)
// does not accumulate credit it could later burst with.
func TestSlowCallerBanksNoCredit(t *testing.T) {
	clk := newFakeClock()
	l, _ := New(Config{Name: "l", BandwidthMbps: 8, Clock: clk}) // 1 MB/s
	ctx := context.Background()
	clk.advance(10 * time.Second) // idle for ten seconds
	start := clk.Now()
	if err := l.Pace(ctx, 2_000_000); err != nil {
		t.Fatal(err)
	}
	within(t, "2 MB after an idle spell", clk.Now().Sub(start), 2*time.Second, 0.01)
}

// TestHalvedBandwidthDoublesTheTransfer is the congestion fault's model.
func TestHalvedBandwidthDoublesTheTransfer(t *testing.T) {
	clk := newFakeClock()
	l, _ := New(Config{Name: "l", BandwidthMbps: 1000, Clock: clk})
	ctx := context.Background()
	start := clk.Now()
	_ = l.Pace(ctx, 100<<20)
	full := clk.Now().Sub(start)
	if err := l.SetBandwidth(500); err != nil {
		t.Fatal(err)
	}
	start = clk.Now()
	_ = l.Pace(ctx, 100<<20)
	within(t, "100 MiB at half the bandwidth", clk.Now().Sub(start), 2*full, 0.01)
	if err := l.SetBandwidth(0); err == nil {
		t.Fatal("SetBandwidth(0) accepted")
	}
}

// TestCutLinkFailsTransfers: a cut link refuses bytes and round trips with
// ErrCut until it is back.
func TestCutLinkFailsTransfers(t *testing.T) {
	clk := newFakeClock()
	l, _ := New(Config{Name: "dc1-dc2", BandwidthMbps: 1000, Clock: clk})
	ctx := context.Background()
	l.SetCut(true)
	var buf bytes.Buffer
	if _, err := l.Writer(ctx, &buf).Write([]byte("x")); !errors.Is(err, ErrCut) {
		t.Fatalf("write over a cut link: %v, want ErrCut", err)
	}
	if buf.Len() != 0 {
		t.Fatal("bytes crossed a cut link")
	}
	if err := l.RoundTrip(ctx); !errors.Is(err, ErrCut) {
		t.Fatalf("round trip over a cut link: %v", err)
	}
	l.SetCut(false)
	if _, err := l.Reader(ctx, bytes.NewReader([]byte("abc"))).Read(make([]byte, 8)); err != nil {
		t.Fatalf("read after the link came back: %v", err)
	}
}

// TestPaceHonoursContext: an ended context ends the wait with its error.
func TestPaceHonoursContext(t *testing.T) {
	l, _ := New(Config{Name: "l", BandwidthMbps: 0.001}) // wall clock: an hour for 450 bytes
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Pace(ctx, 450); !errors.Is(err, context.Canceled) {
		t.Fatalf("Pace with a cancelled context: %v", err)
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	if _, err := New(Config{Name: "l", BandwidthMbps: 0}); err == nil {
		t.Fatal("bandwidth 0 accepted")
	}
	if _, err := New(Config{Name: "l", BandwidthMbps: 1, RTT: -time.Second}); err == nil {
		t.Fatal("negative RTT accepted")
	}
}

// TestPaceAheadOverlapsWorkWithTheLink: a flow that keeps a window in
// flight lets the sender prepare the next block while the link carries the
// previous ones, so N blocks that each take w of work and c on the link
// take about max(w, c)·N (plus one block), not (w+c)·N as with Pace; and
// the flow's end still waits for its last byte.
func TestPaceAheadOverlapsWorkWithTheLink(t *testing.T) {
	const block, blocks = 1 << 20, 100
	for _, c := range []struct {
		name string
		work time.Duration // per block; the link needs 8.4ms per MiB at 1 Gbit/s
	}{
		{"link-bound", 2 * time.Millisecond},
		{"work-bound", 20 * time.Millisecond},
	} {
		t.Run(c.name, func(t *testing.T) {
			clk := newFakeClock()
			l, err := New(Config{Name: "dc1-dc2", BandwidthMbps: 1000, Clock: clk})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			start := clk.Now()
			var last time.Time
			for i := 0; i < blocks; i++ {
				clk.advance(c.work)
				if last, err = l.PaceAhead(ctx, block, 4*block); err != nil {
					t.Fatal(err)
				}
			}
			if err := l.WaitUntil(ctx, last); err != nil {
				t.Fatal(err)
			}
			perBlock := time.Duration(float64(block) * 8 / 1e9 * float64(time.Second))
			want := blocks*max(c.work, perBlock) + min(c.work, perBlock)
			within(t, c.name, clk.Now().Sub(start), want, 0.05)
			if got := l.Stats().Bytes; got != blocks*block {
				t.Fatalf("link carried %d bytes, want %d", got, blocks*block)
			}
		})
	}
}

// TestWaitUntilFailsOnACutLinkWithBytesInFlight: bytes still on the wire
// when the link is cut are lost; bytes that crossed before are not.
func TestWaitUntilFailsOnACutLinkWithBytesInFlight(t *testing.T) {
	clk := newFakeClock()
	l, err := New(Config{Name: "dc1-dc2", BandwidthMbps: 1000, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	until, err := l.PaceAhead(ctx, 8<<20, 8<<20)
	if err != nil {
		t.Fatal(err)
	}
	l.SetCut(true)
	if err := l.WaitUntil(ctx, until); !errors.Is(err, ErrCut) {
		t.Fatalf("drain over a cut link: %v, want ErrCut", err)
	}
	if err := l.WaitUntil(ctx, until); err != nil {
		t.Fatalf("drain of bytes that crossed before: %v", err)
	}
}
