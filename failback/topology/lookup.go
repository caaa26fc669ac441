package topology

import (
	"fmt"
	"strings"
)

// InstanceByRole returns the instance with role r.
func (t *Topology) InstanceByRole(r Role) (*Instance, bool) {
	for i := range t.Instances {
		if t.Instances[i].Role == r {
			return &t.Instances[i], true
		}
	}
	return nil, false
}

// ComplianceInstance returns the instance holding mgccomp for an mgc role
// (RolePrimary -> compliance-primary, or the primary itself when no
// compliance-* instances are declared). ok is false without compliance.
func (t *Topology) ComplianceInstance(r Role) (*Instance, bool) {
	if !t.Compliance || r.IsCompliance() {
		return nil, false
	}
	if in, ok := t.InstanceByRole("compliance-" + r); ok {
		return in, true
	}
	if _, anyCompliance := t.InstanceByRole(RoleCompliancePrimary); anyCompliance {
		return nil, false // dedicated compliance instances, but none for this role
	}
	return t.InstanceByRole(r)
}

// Instance returns the instance with the given topology name.
func (t *Topology) Instance(name string) (*Instance, bool) {
	for i := range t.Instances {
		if t.Instances[i].Name == name {
			return &t.Instances[i], true
		}
	}
	return nil, false
}

// Server returns the pool server with the FQDN (case-insensitive, as DNS is).
func (t *Topology) Server(fqdn string) (*Server, bool) {
	for i := range t.Pool.Servers {
		if strings.EqualFold(t.Pool.Servers[i].FQDN, fqdn) {
			return &t.Pool.Servers[i], true
		}
	}
	return nil, false
}

// ServersIn lists the pool servers in a data center, in file order.
func (t *Topology) ServersIn(dc string) []Server {
	var out []Server
	for _, s := range t.Pool.Servers {
		if s.DataCenter == dc {
			out = append(out, s)
		}
	}
	return out
}

// DataCenter returns the data center with the name.
func (t *Topology) DataCenter(name string) (*DataCenter, bool) {
	for i := range t.DataCenters {
		if t.DataCenters[i].Name == name {
			return &t.DataCenters[i], true
		}
	}
	return nil, false
}

// DataCenterByRole returns the primary or backup data center.
func (t *Topology) DataCenterByRole(role string) (*DataCenter, bool) {
	for i := range t.DataCenters {
		if t.DataCenters[i].Role == role {
			return &t.DataCenters[i], true
		}
	}
	return nil, false
}

// LinkBetween returns the link joining two data centers, in either order.
func (t *Topology) LinkBetween(dc1, dc2 string) (*Link, bool) {
	for i := range t.Links {
		b := t.Links[i].Between
		if (b[0] == dc1 && b[1] == dc2) || (b[0] == dc2 && b[1] == dc1) {
			return &t.Links[i], true
		}
	}
	return nil, false
}

// PlacementProblem says why a server may not be active while the databases
// are in data center dbDC, or "" if it may: it must sit in dbDC or behind a
// link at least as good as Placement (reference §4 step 6). The engine
// reports a non-empty answer as a failed precondition.
func (t *Topology) PlacementProblem(serverFQDN, dbDC string) string {
	s, ok := t.Server(serverFQDN)
	if !ok {
		return fmt.Sprintf("%s is not a server of pool %s", serverFQDN, t.Pool.FQDN)
	}
	if s.DataCenter == dbDC {
		return ""
	}
	l, ok := t.LinkBetween(s.DataCenter, dbDC)
	switch {
	case !ok:
		return fmt.Sprintf("%s is in %s and no link to %s is declared", s.FQDN, s.DataCenter, dbDC)
	case l.RTTMs > t.Placement.MaxRTTMs:
		return fmt.Sprintf("%s is in %s, %g ms from %s (placement allows %g ms)", s.FQDN, s.DataCenter, l.RTTMs, dbDC, t.Placement.MaxRTTMs)
	case l.BandwidthMbps < t.Placement.MinBandwidthMbps:
		return fmt.Sprintf("%s is in %s, %g Mbit/s to %s (placement needs %g Mbit/s)", s.FQDN, s.DataCenter, l.BandwidthMbps, dbDC, t.Placement.MinBandwidthMbps)
	}
	return ""
}

// ShareDataCenter is where the share stands: share.dataCenter, else the
// primary instance's data center.
func (t *Topology) ShareDataCenter() string {
	if t.Share.DataCenter != "" {
		return t.Share.DataCenter
	}
	if in, ok := t.InstanceByRole(RolePrimary); ok {
		return in.DataCenter
	}
	return ""
}
