package hostfs

import (
	"context"
	"errors"
	"testing"
)

// linkPacer records what crossed and can be cut, as sim/wan's Link.
type linkPacer struct {
	bytes, trips int
	cut          bool
}

var errCut = errors.New("link is cut")

func (p *linkPacer) Pace(_ context.Context, n int) error {
	if p.cut {
		return errCut
	}
	p.bytes += n
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
	if link.bytes != 4096 || link.trips != 1 {
		t.Fatalf("link carried %d bytes in %d round trips, want 4096 in 1", link.bytes, link.trips)
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
