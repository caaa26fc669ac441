package world

import (
	"fmt"
	"time"

	"github.com/pchatdr/harness/sim/mssql/hostfs"
	"github.com/pchatdr/harness/sim/wan"
)

// The WAN between the data centers (sim/wan): one Link per topology link,
// made before the instances so their file systems can hold the share's
// traffic to it. The share lives in one data center (Options.
// ShareDataCenter, default the primary one); an instance elsewhere reads
// and writes it over the link, so a full backup of mgc written to the share
// from the backup data center takes size·8/bandwidth, as in production.
// TDS between data centers goes through the Toxiproxy proxies (links.go)
// and behind them through the same link (tds_wan.go), so it shares the
// bandwidth with the share's traffic and mirroring.
// Without Options.Links nothing is paced, as before.

// startWAN makes the links. shareDC "" is the topology's share.dataCenter
// (the primary data center when it names none).
func (w *World) startWAN(shareDC string, clock wan.Clock) error {
	if shareDC == "" {
		shareDC = w.Topology.ShareDataCenter()
	}
	known := false
	for _, dc := range w.Topology.DataCenters {
		known = known || dc.Name == shareDC
	}
	if !known {
		return fmt.Errorf("world: share data center %q is not in the topology", shareDC)
	}
	w.shareDC = shareDC
	w.wan = map[string]*wan.Link{}
	for _, l := range w.Topology.Links {
		link, err := wan.New(wan.Config{Name: LinkName(l.Between[0], l.Between[1]), BandwidthMbps: l.BandwidthMbps,
			RTT: time.Duration(l.RTTMs * float64(time.Millisecond)), Clock: clock})
		if err != nil {
			return fmt.Errorf("world: %w", err)
		}
		w.wan[pairKey(l.Between[0], l.Between[1])] = link
	}
	return nil
}

// sharePacer is the link an instance in data center dc reaches the share
// over; nil in the share's own data center or without links.
func (w *World) sharePacer(dc string) hostfs.Pacer {
	if w.wan == nil || dc == w.shareDC {
		return nil
	}
	if l, ok := w.wan[pairKey(dc, w.shareDC)]; ok {
		return l
	}
	return nil
}

// ShareDataCenter is where the log-shipping share lives ("" without links:
// then no data center is remote from it).
func (w *World) ShareDataCenter() string { return w.shareDC }

// WANLink is the link model between data centers a and b, if the world
// runs with links: its counters say how many bytes crossed.
func (w *World) WANLink(a, b string) (*wan.Link, bool) {
	if w.wan == nil {
		return nil, false
	}
	l, ok := w.wan[pairKey(a, b)]
	return l, ok
}

// SetLinkBandwidth changes the bandwidth of the link between two data
// centers while the world runs (a congested WAN); 0 puts the topology's
// figure back. Transfers already under way feel it from their next block.
func (w *World) SetLinkBandwidth(a, b string, mbps float64) error {
	if w.links == nil || w.wan == nil {
		return fmt.Errorf("world: the world runs without data-center links (Options.Links)")
	}
	link, ok := w.Topology.LinkBetween(a, b)
	if !ok {
		return fmt.Errorf("world: no link between %s and %s in the topology", a, b)
	}
	if mbps == 0 {
		mbps = link.BandwidthMbps
	}
	if err := w.wan[pairKey(a, b)].SetBandwidth(mbps); err != nil {
		return fmt.Errorf("world: %w", err)
	}
	w.Timeline.Add("link", "fault", fmt.Sprintf("link %s-%s bandwidth %g Mbit/s", a, b, mbps), nil)
	return nil
}
