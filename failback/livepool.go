package failback

import (
	"context"

	"github.com/pchatdr/harness/failback/lync"
	"github.com/pchatdr/harness/failback/topology"
)

// LivePool is Pool through failback/lync's cmdlet client.
type LivePool struct {
	Client *lync.Client
	// PoolFQDN, StateIdentity and ActiveServerIdentity come from the
	// topology's pool section.
	PoolFQDN             string
	StateIdentity        string
	ActiveServerIdentity string
	// Management is the topology's endpoint section: a failure to reach
	// or log in to it names the keys to fix (ConnectError).
	Management topology.Management
}

// explain turns a connection failure into a ConnectError naming the
// management keys to fix; any other error is returned as it is.
func (p *LivePool) explain(err error) error {
	if ce := managementConnectError(p.Management, err); ce != nil {
		return ce
	}
	return err
}

var _ Pool = (*LivePool)(nil)

// PoolTarget is the event target of cmdlet scripts.
const PoolTarget = "pool"

func (p *LivePool) client(ctx context.Context, change bool) *lync.Client {
	c := *p.Client
	prev := c.Observer
	c.Observer = func(inv lync.Invocation) {
		if prev != nil {
			prev(inv)
		}
		Emit(ctx, Sent{Target: PoolTarget, Text: inv.Script, Start: inv.Start, Duration: inv.Duration, Err: inv.Err, Change: change})
	}
	return &c
}

// PoolState runs Get-CsPersistentChatState.
func (p *LivePool) PoolState(ctx context.Context) (PoolState, error) {
	s, _, err := p.client(ctx, false).ReadPoolState(ctx, p.StateIdentity)
	return s, p.explain(err)
}

// SetPoolState runs Set-CsPersistentChatState.
func (p *LivePool) SetPoolState(ctx context.Context, s PoolState) error {
	_, err := p.client(ctx, true).SetPoolState(ctx, p.StateIdentity, s)
	return p.explain(err)
}

// ActiveServers reads the active list.
func (p *LivePool) ActiveServers(ctx context.Context) ([]string, error) {
	a, _, err := p.client(ctx, false).ReadActiveServers(ctx, p.PoolFQDN)
	return a, p.explain(err)
}

// PoolServers reads the active and inactive servers.
func (p *LivePool) PoolServers(ctx context.Context) (PoolServers, error) {
	s, _, err := p.client(ctx, false).ReadPoolServers(ctx, p.PoolFQDN)
	return s, p.explain(err)
}

// ClearActiveServers runs -ActiveServers $null.
func (p *LivePool) ClearActiveServers(ctx context.Context) error {
	_, err := p.client(ctx, true).ClearActiveServers(ctx, p.ActiveServerIdentity)
	return p.explain(err)
}

// SetActiveServers runs -ActiveServers @{Replace=...}.
func (p *LivePool) SetActiveServers(ctx context.Context, fqdns []string) error {
	_, err := p.client(ctx, true).SetActiveServers(ctx, p.ActiveServerIdentity, fqdns)
	return p.explain(err)
}

// InstallMirrorDatabase runs Install-CsMirrorDatabase.
func (p *LivePool) InstallMirrorDatabase(ctx context.Context, m MirrorInstall) error {
	_, err := p.client(ctx, true).InstallMirrorDatabase(ctx, m)
	return p.explain(err)
}
