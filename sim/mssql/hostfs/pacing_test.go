package hostfs

import (
	"context"
	"errors"
	"testing"
	"time"
)

// linkPacer records what crossed and can be cut, as sim/wan's Link.
type linkPacer struct {
	bytes, trips int
	cut          bool
	window       int
	waited       []time.Time
}

var errCut = errors.New("link is cut")

func (p *linkPacer) Pace(_ context.Context, n int) error {
	if p.cut {
		return errCut
	}
	p.bytes += n
	return nil
}

// PaceAhead books like Pace and records the window asked for; the
// crossing time is the bytes carried so far, in nanoseconds past zero.
func (p *linkPacer) PaceAhead(ctx context.Context, n, window int) (time.Time, error) {
	p.window = window
	if err := p.Pace(ctx, n); err != nil {
		return time.Time{}, err
	}
	return time.Unix(0, int64(p.bytes)), nil
}

func (p *linkPacer) WaitUntil(_ context.Context, t time.Time) error {
	p.waited = append(p.waited, t)
	if p.cut {
		return errCut
	}
	return nil
}

func (p *linkPacer) RoundTrip(context.Context) error {
	if p.cut {
		return errCut
	}
	p.trips++
	return nil
}

// TestPacing: data on a mount behind a link is held to it (one round trip
// to open, every byte booked), local mounts are not, and a cut link is the
// SMB client's error 53 at open and 64 mid-transfer.
func TestPacing(t *testing.T) {
	link := &linkPacer{}
	f, err := New(Config{Mounts: []Mount{
		{Prefix: `C:\`, Host: t.TempDir()},
		{Prefix: `\\files.contoso.test\pchat-logship`, Host: t.TempDir(), Pacer: link},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ctx := context.Background()
	if pace, err := f.Pacing(ctx, "write", `C:\SQLBackup\mgc.bak`); err != nil || pace != nil {
		t.Fatalf("local disk paced: %v %v", pace != nil, err)
	}
	pace, err := f.Pacing(ctx, "write", `\\FILES.contoso.test\PChat-LogShip\mgc.bak`)
	if err != nil || pace == nil {
		t.Fatalf("share behind a link not paced: %v", err)
	}
	if err := pace(4096); err != nil {
		t.Fatal(err)
	}
	if err := pace(1000); err != nil {
		t.Fatal(err)
	}
	if link.bytes != 5096 || link.trips != 1 || link.window != InFlight {
		t.Fatalf("link carried %d bytes in %d round trips with %d in flight, want 5096 in 1 with %d", link.bytes, link.trips, link.window, InFlight)
	}
	// The transfer's end waits for its last booking to cross.
	if err := pace(0); err != nil || len(link.waited) != 1 || !link.waited[0].Equal(time.Unix(0, 5096)) {
		t.Fatalf("end of transfer: %v, waited for %v, want the last booking's crossing", err, link.waited)
	}
	link.cut = true
	if err := pace(1); Code(err) != ErrNetNameDeleted || !errors.Is(err, errCut) {
		t.Fatalf("transfer over a cut link: %v, want error 64 wrapping the cut", err)
	}
	if got := pace(1).Error(); got != "Operating system error 64(The specified network name is no longer available.)." {
		t.Fatalf("text %q", got)
	}
	if _, err := f.Pacing(ctx, "read", `\\files.contoso.test\pchat-logship\mgc.bak`); Code(err) != ErrBadNetPath {
		t.Fatalf("open over a cut link: %v, want error 53", err)
	}
}
