package containers

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"

	mobynet "github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
)

// Network is one world's Docker network. Instances join it under their alias
// (their host name inside the world) and, separately, the default bridge,
// which carries their published ports: cutting a data center off the world's
// network leaves the harness's own host-side path to every instance intact,
// as an observer outside the failure.
type Network struct {
	d        *Docker
	id, name string
	world    string

	mu      sync.Mutex
	members []*Instance
	cut     map[string]bool // data centers currently cut
}

// NewNetwork creates a bridge network for world, named
// pchat-<world>-<random> so parallel runs never collide.
//
// Why not testcontainers' network.New: it names networks with a UUID, and
// Docker 20.10 picks a multi-homed container's gateway endpoint, which
// also carries its published ports, by network name order. A UUID sorting
// before "bridge" put the ports on the world's network, so a cut moved
// them to a new host port and dropped the harness's open connections.
// "pchat-" sorts after "bridge". The Docker client creates it directly,
// with the labels testcontainers would give it (its deprecated
// GenericNetwork was the other way to a name of our own).
func (d *Docker) NewNetwork(ctx context.Context, world string) (*Network, error) {
	if err := checkRyuk(); err != nil {
		return nil, err
	}
	labels := testcontainers.GenericLabels()
	labels[LabelProject] = "true"
	labels[LabelProject+".world"] = world
	labels[LabelOwner] = owner()
	name := "pchat-" + sanitize(world) + "-" + randomSuffix()
	id, err := d.createNetwork(ctx, name, labels)
	if err != nil {
		return nil, fmt.Errorf("network for %s: %w", world, err)
	}
	return &Network{d: d, id: id, name: name, world: world, cut: map[string]bool{}}, nil
}

// createNetwork creates a bridge network and returns its id.
func (d *Docker) createNetwork(ctx context.Context, name string, labels map[string]string) (string, error) {
	r, err := d.cli.NetworkCreate(ctx, name, client.NetworkCreateOptions{Driver: "bridge", Labels: labels})
	if err != nil {
		return "", err
	}
	return r.ID, nil
}

// Gateway is the host's address on the network: a container reaches a
// listener of the host's bound to it (the world's link forwarders for the
// management endpoint's SQL to another data center).
func (n *Network) Gateway(ctx context.Context) (netip.Addr, error) {
	r, err := n.d.cli.NetworkInspect(ctx, n.id, client.NetworkInspectOptions{})
	if err != nil {
		return netip.Addr{}, fmt.Errorf("network %s: %w", n.name, err)
	}
	for _, c := range r.Network.IPAM.Config {
		if c.Gateway.IsValid() && c.Gateway.Is4() {
			return c.Gateway, nil
		}
	}
	return netip.Addr{}, fmt.Errorf("network %s: no IPv4 gateway", n.name)
}

// Name is the Docker network's name.
func (n *Network) Name() string { return n.name }

// ID is the Docker network's id.
func (n *Network) ID() string { return n.id }

// World is the label the network was created with.
func (n *Network) World() string { return n.world }

func (n *Network) join(i *Instance) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.members = append(n.members, i)
}

func (n *Network) leave(i *Instance) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.members = slices.DeleteFunc(n.members, func(m *Instance) bool { return m == i })
}

// Disconnect takes i off the world's network; its in-network address stops
// answering for everyone else. Its published port stays reachable.
func (n *Network) Disconnect(ctx context.Context, i *Instance) error {
	_, err := n.d.cli.NetworkDisconnect(ctx, n.id, client.NetworkDisconnectOptions{Container: i.ID(), Force: true})
	if err != nil {
		return fmt.Errorf("disconnect %s from %s: %w", i.alias, n.world, err)
	}
	return nil
}

// Connect puts i back on the world's network under its alias.
func (n *Network) Connect(ctx context.Context, i *Instance) error {
	_, err := n.d.cli.NetworkConnect(ctx, n.id, client.NetworkConnectOptions{
		Container:      i.ID(),
		EndpointConfig: &mobynet.EndpointSettings{Aliases: i.networkAliases()},
	})
	if err != nil {
		return fmt.Errorf("connect %s to %s: %w", i.alias, n.world, err)
	}
	return nil
}

// CutDataCenter disconnects every instance of dc: the data center drops off
// the world's network (a WAN cut) until RestoreDataCenter.
func (n *Network) CutDataCenter(ctx context.Context, dc string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cut[dc] {
		return fmt.Errorf("cut %s: data center is already cut", dc)
	}
	ms := n.inDataCenter(dc)
	if len(ms) == 0 {
		return fmt.Errorf("cut %s: no instance in that data center", dc)
	}
	var errs []error
	for _, m := range ms {
		errs = append(errs, n.Disconnect(ctx, m), m.refreshAddr(ctx))
	}
	n.cut[dc] = true
	return errors.Join(errs...)
}

// RestoreDataCenter reconnects every instance of a cut data center.
func (n *Network) RestoreDataCenter(ctx context.Context, dc string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.cut[dc] {
		return fmt.Errorf("restore %s: data center is not cut", dc)
	}
	var errs []error
	for _, m := range n.inDataCenter(dc) {
		errs = append(errs, n.Connect(ctx, m), m.refreshAddr(ctx))
	}
	delete(n.cut, dc)
	return errors.Join(errs...)
}

// IsCut reports whether dc is cut.
func (n *Network) IsCut(dc string) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.cut[dc]
}

func (n *Network) inDataCenter(dc string) []*Instance {
	var out []*Instance
	for _, m := range n.members {
		if m.dataCenter == dc {
			out = append(out, m)
		}
	}
	return out
}

// Remove deletes the network. Instances still on it must be terminated
// first (Docker refuses otherwise).
func (n *Network) Remove(ctx context.Context) error {
	if _, err := n.d.cli.NetworkRemove(ctx, n.id, client.NetworkRemoveOptions{}); err != nil {
		return fmt.Errorf("remove network %s: %w", n.world, err)
	}
	return nil
}
