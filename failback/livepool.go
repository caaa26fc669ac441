package failback

import (
	"context"

	"github.com/pchatdr/harness/failback/lync"
)

// LivePool is Pool through failback/lync's cmdlet client.
type LivePool struct {
	Client *lync.Client
	// PoolFQDN, StateIdentity and ActiveServerIdentity come from the
	// topology's pool section.
	PoolFQDN             string
	StateIdentity        string
	ActiveServerIdentity string
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
	return s, err
}

// SetPoolState runs Set-CsPersistentChatState.
func (p *LivePool) SetPoolState(ctx context.Context, s PoolState) error {
	_, err := p.client(ctx, true).SetPoolState(ctx, p.StateIdentity, s)
	return err
}

// ActiveServers reads the active list.
func (p *LivePool) ActiveServers(ctx context.Context) ([]string, error) {
	a, _, err := p.client(ctx, false).ReadActiveServers(ctx, p.PoolFQDN)
	return a, err
}

// PoolServers reads the active and inactive servers.
func (p *LivePool) PoolServers(ctx context.Context) (PoolServers, error) {
	s, _, err := p.client(ctx, false).ReadPoolServers(ctx, p.PoolFQDN)
	return s, err
}

// ClearActiveServers runs -ActiveServers $null.
func (p *LivePool) ClearActiveServers(ctx context.Context) error {
	_, err := p.client(ctx, true).ClearActiveServers(ctx, p.ActiveServerIdentity)
	return err
}

// SetActiveServers runs -ActiveServers @{Replace=...}.
func (p *LivePool) SetActiveServers(ctx context.Context, fqdns []string) error {
	_, err := p.client(ctx, true).SetActiveServers(ctx, p.ActiveServerIdentity, fqdns)
	return err
}

// InstallMirrorDatabase runs Install-CsMirrorDatabase.
func (p *LivePool) InstallMirrorDatabase(ctx context.Context, m MirrorInstall) error {
	_, err := p.client(ctx, true).InstallMirrorDatabase(ctx, m)
	return err
}
