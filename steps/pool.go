package steps

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/pchatdr/harness/failback/lync"
)

func poolClient(ctx context.Context) (*lync.Client, error) {
	return get(ctx).world.PoolClient()
}

func list(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func sameSet(got, want []string) bool {
	g, w := slices.Clone(got), slices.Clone(want)
	for i := range g {
		g[i] = strings.ToLower(g[i])
	}
	for i := range w {
		w[i] = strings.ToLower(w[i])
	}
	slices.Sort(g)
	slices.Sort(w)
	return slices.Equal(g, w)
}

func clearActive(ctx context.Context) error {
	c, err := poolClient(ctx)
	if err != nil {
		return err
	}
	_, err = c.ClearActiveServers(ctx, get(ctx).world.Topology.Pool.ActiveServerIdentity)
	return err
}

func setActive(ctx context.Context, servers string) error {
	c, err := poolClient(ctx)
	if err != nil {
		return err
	}
	_, err = c.SetActiveServers(ctx, get(ctx).world.Topology.Pool.ActiveServerIdentity, list(servers))
	get(ctx).lastErr = err
	return nil
}

// poolActive checks the pool's true state (the configuration store), not
// what a client reads back.
func poolActive(ctx context.Context, servers string) error {
	if err := get(ctx).lastErrUnexpected(); err != nil {
		return err
	}
	st, err := get(ctx).world.Pool().State(ctx)
	if err != nil {
		return err
	}
	got := st.ActiveServers
	if !sameSet(got, list(servers)) {
		return fmt.Errorf("pool's active servers are %v, want %v", got, list(servers))
	}
	return nil
}

func readBackActive(ctx context.Context, servers string) error {
	c, err := poolClient(ctx)
	if err != nil {
		return err
	}
	got, _, err := c.ReadActiveServers(ctx, get(ctx).world.Topology.Pool.FQDN)
	if err != nil {
		return err
	}
	if !sameSet(got, list(servers)) {
		return fmt.Errorf("read back active servers %v, want %v", got, list(servers))
	}
	return nil
}

func setPoolState(ctx context.Context, state string) error {
	c, err := poolClient(ctx)
	if err != nil {
		return err
	}
	_, err = c.SetPoolState(ctx, get(ctx).world.Topology.Pool.StateIdentity, lync.PoolState(state))
	return err
}

func poolStateIs(ctx context.Context, state string) error {
	st, err := get(ctx).world.Pool().State(ctx)
	if err != nil {
		return err
	}
	if got := string(st.PoolState); got != state {
		return fmt.Errorf("pool state is %s, want %s", got, state)
	}
	c, err := poolClient(ctx)
	if err != nil {
		return err
	}
	got, _, err := c.ReadPoolState(ctx, get(ctx).world.Topology.Pool.StateIdentity)
	if err != nil {
		return err
	}
	if string(got) != state {
		return fmt.Errorf("Get-CsPersistentChatState reads back %s, want %s", got, state)
	}
	return nil
}

func refusedWith(ctx context.Context, text string) error {
	st := get(ctx)
	err := st.lastErr
	st.lastErr = nil
	if err == nil {
		return fmt.Errorf("the cmdlet succeeded, want a refusal mentioning %q", text)
	}
	if !strings.Contains(err.Error(), text) {
		return fmt.Errorf("refusal %q does not mention %q", err, text)
	}
	return nil
}

// lastErrUnexpected reports an error a previous step stored but no step
// checked, so a failing cmdlet cannot pass unnoticed.
func (s *scenario) lastErrUnexpected() error {
	if s.lastErr != nil {
		err := s.lastErr
		s.lastErr = nil
		return fmt.Errorf("unexpected failure: %w", err)
	}
	return nil
}

// operatorRuns sends a script as typed, bypassing the engine's own checks,
// so the pool's rules are tested rather than the client's.
func operatorRuns(ctx context.Context, script string) error {
	c, err := poolClient(ctx)
	if err != nil {
		return err
	}
	out, err := c.Runner.Run(ctx, "Import-Module "+string(c.Module)+"; "+script)
	if err != nil {
		return err
	}
	if out.ExitCode != 0 {
		st, _ := lync.DecodeCLIXML(out.Stderr)
		msg := st.Error
		if msg == "" {
			msg = out.Stderr
		}
		get(ctx).lastErr = fmt.Errorf("exit code %d: %s", out.ExitCode, msg)
	}
	return nil
}
