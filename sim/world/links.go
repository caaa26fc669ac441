package world

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/rs/zerolog"

	"github.com/pchatdr/harness/sim/mssql"
)

// links are the data-center links as TCP proxies (Toxiproxy, in process):
// a client in one data center reaches an instance in another through the
// proxy for that pair, which can be cut, and behind it the link model
// (sim/wan, tds_wan.go), which holds the connection to the link's
// round-trip time and shared bandwidth. Clients in the instance's own data
// center dial it directly. Without links (Options.Links false) everything
// dials directly, as before.
type links struct {
	mu      sync.Mutex
	api     *toxiproxy.ApiServer
	proxies map[linkKey]*toxiproxy.Proxy
}

type linkKey struct{ from, instance string }

func pairKey(a, b string) string {
	if a > b {
		a, b = b, a
	}
	return a + "|" + b
}

// startLinks creates one proxy per (data center, instance elsewhere) pair
// the topology joins with a link.
func (w *World) startLinks() error {
	l := &links{
		api:     toxiproxy.NewServer(toxiproxy.NewMetricsContainer(nil), zerolog.Nop()),
		proxies: map[linkKey]*toxiproxy.Proxy{},
	}
	w.links = l
	for _, dc := range w.Topology.DataCenters {
		for _, in := range w.Topology.Instances {
			if in.DataCenter == dc.Name {
				continue
			}
			link, ok := w.Topology.LinkBetween(dc.Name, in.DataCenter)
			if !ok {
				continue
			}
			inst, ok := w.Instance(in.Name)
			if !ok {
				continue
			}
			wl, ok := w.wan[pairKey(dc.Name, in.DataCenter)]
			if !ok {
				continue
			}
			name := dc.Name + "->" + in.Name
			// The proxy is the address and the cut; the link model
			// behind it (tds_wan.go) is the RTT and the bandwidth.
			upstream, err := w.tdsForward(wl, inst)
			if err != nil {
				return err
			}
			// RestoreLink binds the proxy again on the same port: one
			// outside the ephemeral range (ports.go).
			listen, err := w.ports.Addr()
			if err != nil {
				return fmt.Errorf("world: link %s: %w", name, err)
			}
			p := toxiproxy.NewProxy(l.api, name, listen, upstream)
			if err := l.api.Collection.Add(p, true); err != nil {
				return fmt.Errorf("world: link %s: %w", name, err)
			}
			l.proxies[linkKey{dc.Name, in.Name}] = p
			w.Timeline.Add("link", "start", fmt.Sprintf("%s via %s (%g ms RTT)", name, p.Listen, link.RTTMs), nil)
		}
	}
	return nil
}

// Via is the address a client in data center from dials to reach inst:
// the instance itself in its own data center (or without links), else the
// link's proxy.
func (w *World) Via(from string, inst *Instance) string {
	if w.links == nil {
		return inst.Addr
	}
	w.links.mu.Lock()
	defer w.links.mu.Unlock()
	if p, ok := w.links.proxies[linkKey{from, inst.Name}]; ok {
		return p.Listen
	}
	return inst.Addr
}

// LinkName names the link between data centers a and b as faults and
// fault schedules do ("dc1-dc2", in the topology's order).
func LinkName(a, b string) string { return a + "-" + b }

// LinkNames are the topology's links by LinkName when the world runs
// with them (Options.Links), in the topology's order; nil without.
func (w *World) LinkNames() []string {
	if w.links == nil {
		return nil
	}
	var out []string
	for _, l := range w.Topology.Links {
		out = append(out, LinkName(l.Between[0], l.Between[1]))
	}
	return out
}

// LinkEnds are the data centers the link LinkName calls name joins (in
// either order), if the world runs with that link.
func (w *World) LinkEnds(name string) (a, b string, ok bool) {
	if w.links == nil {
		return "", "", false
	}
	for _, l := range w.Topology.Links {
		if LinkName(l.Between[0], l.Between[1]) == name || LinkName(l.Between[1], l.Between[0]) == name {
			return l.Between[0], l.Between[1], true
		}
	}
	return "", "", false
}

// CutLink takes the link between two data centers down: its proxies stop
// listening and drop every connection, so clients on one side get
// "connection refused" for the other side's instances.
func (w *World) CutLink(a, b string) error { return w.setLink(a, b, false) }

// RestoreLink brings a cut link back on the same addresses.
func (w *World) RestoreLink(a, b string) error { return w.setLink(a, b, true) }

func (w *World) setLink(a, b string, up bool) error {
	if w.links == nil {
		return fmt.Errorf("world: the world runs without data-center links (Options.Links)")
	}
	if _, ok := w.Topology.LinkBetween(a, b); !ok {
		return fmt.Errorf("world: no link between %s and %s in the topology", a, b)
	}
	l := w.links
	l.mu.Lock()
	defer l.mu.Unlock()
	dcOf := map[string]string{}
	for _, in := range w.Topology.Instances {
		dcOf[in.Name] = in.DataCenter
	}
	n := 0
	for k, p := range l.proxies {
		if pairKey(k.from, dcOf[k.instance]) != pairKey(a, b) {
			continue
		}
		n++
		if up {
			err := rebind(context.Background(), "restore link "+p.Name, p.Listen, func() error {
				if err := p.Start(); err != nil && err != toxiproxy.ErrProxyAlreadyStarted {
					return err
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("world: restore link %s: %w", p.Name, err)
			}
		} else {
			p.Stop()
		}
	}
	if wl, ok := w.wan[pairKey(a, b)]; ok {
		// Everything else that crosses the link: the share's traffic and
		// mirroring, in process and in containers (containers_wan.go), and
		// TDS already connected behind the proxies.
		wl.SetCut(!up)
	}
	what := "cut"
	if up {
		what = "restored"
	}
	w.Timeline.Add("link", "fault", fmt.Sprintf("link %s-%s %s (%d proxies)", a, b, what, n), nil)
	return nil
}

// SetLinkRTT changes the round-trip time of the link between two data
// centers while the world runs, as a congested WAN would; 0 puts the
// topology's RTT back. Connections already open feel it at once.
func (w *World) SetLinkRTT(a, b string, rtt time.Duration) error {
	if w.links == nil {
		return fmt.Errorf("world: the world runs without data-center links (Options.Links)")
	}
	link, ok := w.Topology.LinkBetween(a, b)
	if !ok {
		return fmt.Errorf("world: no link between %s and %s in the topology", a, b)
	}
	ms := link.RTTMs
	if rtt > 0 {
		ms = float64(rtt) / float64(time.Millisecond)
	}
	if wl, ok := w.wan[pairKey(a, b)]; ok {
		wl.SetRTT(time.Duration(ms * float64(time.Millisecond))) // TDS, mirroring and the share's traffic alike
	}
	w.Timeline.Add("link", "fault", fmt.Sprintf("link %s-%s round trip %g ms", a, b, ms), nil)
	return nil
}

func (w *World) closeLinks() {
	if w.links == nil {
		return
	}
	w.links.mu.Lock()
	defer w.links.mu.Unlock()
	for _, p := range w.links.proxies {
		p.Stop()
	}
	w.links.proxies = map[linkKey]*toxiproxy.Proxy{}
}

// DBFrom opens a connection pool to an instance as a client in data
// center from sees it (over the link when elsewhere), closed with the world.
func (w *World) DBFrom(from string, inst *Instance, database string) (*sql.DB, error) {
	db, err := sql.Open("sqlserver", mssql.DSN(w.Via(from, inst), "sa", inst.password, database)+"&app+name="+worldAppName)
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	w.dbs = append(w.dbs, db)
	w.mu.Unlock()
	return db, nil
}
