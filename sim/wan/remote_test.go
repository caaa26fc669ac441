package wan

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"
)

// TestRemoteBooksOnTheServedLink: a Remote books on the Link that Serve
// serves, exactly as a caller of the Link itself would (the same bytes,
// round trips and time on the link's clock), and a cut link fails it with
// ErrCut.
func TestRemoteBooksOnTheServedLink(t *testing.T) {
	clock := newFakeClock()
	l, err := New(Config{Name: "dc1-dc2", BandwidthMbps: 80, RTT: 4 * time.Millisecond, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- l.Serve(ctx, ln) }()
	r := Dial(ln.Addr().String())
	defer func() {
		r.Close()
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()

	t0 := clock.Now()
	if err := r.RoundTrip(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r.Pace(ctx, 1<<20); err != nil {
		t.Fatal(err)
	}
	var last time.Time
	for range 4 {
		if last, err = r.PaceAhead(ctx, 1<<20, 2<<20); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.WaitUntil(ctx, last); err != nil {
		t.Fatal(err)
	}
	st := l.Stats()
	if st.Bytes != 5<<20 || st.RoundTrips != 1 {
		t.Errorf("the link carried %d bytes and %d round trips, want %d and 1", st.Bytes, st.RoundTrips, 5<<20)
	}
	if got, want := clock.Now().Sub(t0), TransferTime(5<<20, 80, 4*time.Millisecond); got != want {
		t.Errorf("the bookings took %s on the link's clock, want %s", got, want)
	}

	l.SetCut(true)
	if err := r.RoundTrip(ctx); !errors.Is(err, ErrCut) {
		t.Errorf("a round trip over the cut link: %v, want ErrCut", err)
	}
	if _, err := r.PaceAhead(ctx, 10, 0); !errors.Is(err, ErrCut) {
		t.Errorf("a booking on the cut link: %v, want ErrCut", err)
	}
	l.SetCut(false)
	if err := r.Pace(ctx, 10); err != nil {
		t.Errorf("after the cut: %v", err)
	}
}

// TestRemoteUnreachable: a link whose server does not answer fails the
// booking (the file system turns that into the SMB client's error), never
// lets it through.
func TestRemoteUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	r := Dial(addr)
	defer r.Close()
	if err := r.RoundTrip(context.Background()); err == nil {
		t.Error("a round trip to a link nobody serves succeeded")
	}
}
