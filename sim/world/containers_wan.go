package world

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/pchatdr/harness/sim/containers"
	"github.com/pchatdr/harness/sim/wan"
)

// The containers' own traffic between data centers crosses the link model
// as it does in process (mirror_wan.go, wan.go). Every SQL Server container
// sits on the one Docker network of the world, where a partner's name
// resolves to its container and a bind mount shows the share at disk speed,
// so without more a session mirroring dc1 to dc2, a backup written to the
// share from the other data center and log shipping's copy would all cross
// for free and ignore a cut link. With links:
//
//   - Mirroring. Each container's DATABASE_MIRRORING endpoint is published
//     on a loopback port of the host, and each container is told
//     (mssqlsim --partner-host) to dial every partner in another data center
//     at a forwarder of the world on the host's end of the network
//     (Network.Gateway). The forwarder is mirror_wan.go's: it books every
//     byte both ways on the link, pays a round trip per connection, dials the
//     partner's published endpoint, and a cut link drops the session. The
//     partner name stays TCP://<host>:5022 (the topology's), as the failback
//     engine and Install-CsMirrorDatabase write it.
//   - The share. The bytes still go through the bind mount, but a container
//     outside the share's data center books each transfer on the link first
//     (mssqlsim --mount-link): the world serves the link between the two
//     data centers on the gateway (wan.Link.Serve) and the simulator's file
//     system asks it, as hostfs asks the in-process Link, for the open's
//     round trip and each buffer's bytes. One queue with TDS and mirroring,
//     the same arithmetic, the same SMB errors when the link is cut (53 on
//     open, 64 mid-transfer). Serving the files themselves over a socket
//     would model nothing more: the link model needs the byte count, not the
//     content.
//
// A cut link is then felt by exactly that traffic: the data center stays on
// the network (same-data-center mirroring, the engine's TDS to its own
// instances go on), only what crosses the link stops.

// endpointContainerPort is the mirroring endpoint's port inside a container
// (ctrEndpoint), published for the forwarders.
const endpointContainerPort = "5022/tcp"

// overLinks adds to o what puts inst's container's traffic to the other
// data centers on the links: its endpoint published on endpointPort, a
// --partner-host per name of an instance elsewhere, a --mount-link per
// mount behind a link. Without links it does nothing.
func (b *containerBackend) overLinks(ctx context.Context, inst *Instance, o *containers.SQLOptions, endpointPort int) error {
	w := b.w
	if w.wan == nil {
		return nil
	}
	gw, err := b.gatewayIP(ctx)
	if err != nil {
		return err
	}
	o.Publish = map[string]int{endpointContainerPort: endpointPort}
	if err := b.mirrorOverLinks(gw, inst, o, endpointPort); err != nil {
		return err
	}
	if f := inst.cfg.Files; f != nil {
		for _, m := range f.Mounts {
			l, ok := m.Pacer.(*wan.Link)
			if !ok {
				continue
			}
			addr, err := b.serveLink(gw, l)
			if err != nil {
				return err
			}
			o.Args = append(o.Args, "--mount-link", m.Prefix+"="+addr)
		}
	}
	return nil
}

// mirrorOverLinks publishes inst's endpoint to the forwarders (partners,
// by host name and short name) and points inst's partner names elsewhere
// at theirs.
func (b *containerBackend) mirrorOverLinks(gw string, inst *Instance, o *containers.SQLOptions, endpointPort int) error {
	w := b.w
	w.partnersMu.Lock()
	defer w.partnersMu.Unlock()
	for _, name := range hostNames(inst.host, inst.Name) {
		w.partners[name] = net.JoinHostPort("127.0.0.1", strconv.Itoa(endpointPort))
	}
	for _, in := range w.Topology.Instances {
		if in.DataCenter == inst.dataCenter {
			continue
		}
		for _, name := range hostNames(in.Host, in.Name) {
			hop, ok, err := w.mirrorHop(gw, inst.dataCenter, name)
			if err != nil {
				return fmt.Errorf("world: instance %s: %w", inst.Name, err)
			}
			if ok {
				o.Args = append(o.Args, "--partner-host", name+"="+hop)
			}
		}
	}
	return nil
}

// hostNames are the names a partner is known by: its host name (or the
// instance's name without one) and the host name's first label.
func hostNames(host, name string) []string {
	if host == "" {
		host = name
	}
	host = strings.ToLower(host)
	out := []string{host}
	if short, _, ok := strings.Cut(host, "."); ok {
		out = append(out, short)
	}
	return out
}

// gatewayIP is the host's address on the world's network, looked up once.
func (b *containerBackend) gatewayIP(ctx context.Context) (string, error) {
	b.mu.Lock()
	gw := b.gateway
	b.mu.Unlock()
	if gw != "" {
		return gw, nil
	}
	ip, err := b.network.Gateway(ctx)
	if err != nil {
		return "", fmt.Errorf("world: links for containers: %w", err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.gateway = ip.String()
	return b.gateway, nil
}

// serveLink is the address on gw where l is served to the containers
// (wan.Link.Serve), started on first use and served until the world
// closes.
func (b *containerBackend) serveLink(gw string, l *wan.Link) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if addr, ok := b.linkAddrs[l]; ok {
		return addr, nil
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(context.Background(), "tcp", net.JoinHostPort(gw, "0"))
	if err != nil {
		return "", fmt.Errorf("world: serve link %s to the containers: %w", l.Name(), err)
	}
	if !b.w.Go(func(ctx context.Context) {
		if err := l.Serve(ctx, ln); err != nil {
			b.w.Timeline.Add("link", "error", "the share's link service stopped", err)
		}
	}) {
		ln.Close()
		return "", fmt.Errorf("world: serve link %s to the containers: the world is closing", l.Name())
	}
	if b.linkAddrs == nil {
		b.linkAddrs = map[*wan.Link]string{}
	}
	b.linkAddrs[l] = ln.Addr().String()
	return b.linkAddrs[l], nil
}
