package memory

import (
	"context"
	"fmt"
	"strings"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/lync"
)

// Pool is failback.Pool over the World's PoolModel.
type Pool struct {
	w *World
}

var _ failback.Pool = (*Pool)(nil)

// ErrWinRM503 is the transient failure a Down pool returns.
var ErrWinRM503 = &lync.HTTPStatusError{StatusCode: 503, Fault: "service unavailable"}

// call reports the script, applies injected faults and runs fn with the
// world locked.
func (p *Pool) call(ctx context.Context, op, cmd string, cerr error, change bool, fn func() error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if cerr != nil {
		return cerr
	}
	text, err := failback.PoolScript(p.w.Topo.Pool.Product, cmd)
	if err != nil {
		return err
	}
	p.w.mu.Lock()
	defer p.w.mu.Unlock()
	if p.w.Pool.Down {
		err = ErrWinRM503
	} else {
		err = p.w.fault(failback.PoolTarget, op)
	}
	if err == nil {
		err = fn()
	}
	failback.Emit(ctx, failback.Sent{Target: failback.PoolTarget, Text: text, Start: p.w.now(), Err: err, Change: change})
	if err == nil && change {
		p.w.record(failback.PoolTarget, op, "", text)
	}
	return err
}

func cmdletErr(cmd, msg string) error {
	return &lync.CmdletError{Command: cmd, Message: msg, ExitCode: 1}
}

// PoolState is Get-CsPersistentChatState.
func (p *Pool) PoolState(ctx context.Context) (failback.PoolState, error) {
	c, cerr := lync.ReadPoolStatePipeline(p.w.Topo.Pool.StateIdentity)
	var st failback.PoolState
	err := p.call(ctx, "PoolState", c, cerr, false, func() error {
		st = p.w.Pool.State
		return nil
	})
	return st, err
}

// SetPoolState is Set-CsPersistentChatState.
func (p *Pool) SetPoolState(ctx context.Context, s failback.PoolState) error {
	c, cerr := lync.SetPoolStateCommand(p.w.Topo.Pool.StateIdentity, s)
	return p.call(ctx, "SetPoolState", c, cerr, true, func() error {
		before, bs := p.w.snapshotChat()
		p.w.Pool.State = s
		p.w.poolChanged(before, bs)
		return nil
	})
}

// ActiveServers reads the active list.
func (p *Pool) ActiveServers(ctx context.Context) ([]string, error) {
	ps, err := p.PoolServers(ctx)
	return ps.ActiveServers, err
}

// PoolServers reads active and inactive servers.
func (p *Pool) PoolServers(ctx context.Context) (failback.PoolServers, error) {
	c, cerr := lync.ReadPoolServersPipeline(p.w.Topo.Pool.FQDN)
	var ps failback.PoolServers
	err := p.call(ctx, "PoolServers", c, cerr, false, func() error {
		ps = failback.PoolServers{Identity: "PersistentChatServer:" + p.w.Topo.Pool.FQDN, PoolFqdn: p.w.Topo.Pool.FQDN,
			ActiveServers: append([]string(nil), p.w.Pool.Active...)}
		for _, s := range p.w.Pool.Servers {
			if !containsFold(p.w.Pool.Active, s) {
				ps.InactiveServers = append(ps.InactiveServers, s)
			}
		}
		return nil
	})
	return ps, err
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// ClearActiveServers is -ActiveServers $null.
func (p *Pool) ClearActiveServers(ctx context.Context) error {
	c, cerr := lync.ClearActiveServersCommand(p.w.Topo.Pool.ActiveServerIdentity)
	return p.call(ctx, "ClearActiveServers", c, cerr, true, func() error {
		before, bs := p.w.snapshotChat()
		p.w.Pool.Active = nil
		p.w.poolChanged(before, bs)
		return nil
	})
}

// SetActiveServers is -ActiveServers @{Replace=...}; like the product it
// refuses a server outside the pool.
func (p *Pool) SetActiveServers(ctx context.Context, fqdns []string) error {
	c, cerr := lync.SetActiveServersCommand(p.w.Topo.Pool.ActiveServerIdentity, fqdns)
	return p.call(ctx, "SetActiveServers", c, cerr, true, func() error {
		for _, f := range fqdns {
			if !containsFold(p.w.Pool.Servers, f) {
				return cmdletErr("Set-CsPersistentChatActiveServer", fmt.Sprintf("%s is not a Persistent Chat server of pool %s", f, p.w.Topo.Pool.FQDN))
			}
		}
		before, bs := p.w.snapshotChat()
		p.w.Pool.Active = append([]string(nil), fqdns...)
		p.w.poolChanged(before, bs)
		return nil
	})
}
