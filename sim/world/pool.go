package world

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/pchatdr/harness/failback/lync"
	"github.com/pchatdr/harness/fakes/lync/pool"
)

// startPool starts the fake management endpoint over HTTPS with a fresh
// certificate the engine must verify (as it would a real server's), and
// points the topology's management settings at it: in process, or on the
// containers target as a container (the backend's startPool).
func (w *World) startPool(ctx context.Context) error {
	pw, err := newPassword()
	if err != nil {
		return err
	}
	m := &w.Topology.Management
	user := m.User
	if user == "" {
		user = `CONTOSO\lyncadmin`
		m.User = user
	}
	return w.backend.startPool(ctx, user, pw)
}

func poolEventDetail(e pool.Event) string {
	switch {
	case e.Text != "":
		return e.Text
	case e.NewList != nil || e.OldList != nil:
		return fmt.Sprintf("%s: [%s] -> [%s]", e.Kind, strings.Join(e.OldList, " "), strings.Join(e.NewList, " "))
	case e.New != "":
		return fmt.Sprintf("%s: %s -> %s", e.Kind, e.Old, e.New)
	}
	return e.Kind
}

type textError string

func (e textError) Error() string { return string(e) }

func errorText(s string) error {
	if s == "" {
		return nil
	}
	return textError(s)
}

func (w *World) setPool(p poolEndpoint) {
	w.mu.Lock()
	w.pool = p
	w.mu.Unlock()
}

// Pool is the fake management endpoint, for fault injection and for reading
// the pool's true state (what the configuration store holds); nil before
// the world starts it and after Close.
func (w *World) Pool() PoolEndpoint {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.pool == nil {
		return nil
	}
	return w.pool
}

// PoolClient is a cmdlet client configured from the world's topology the way
// an operator's engine configures one: HTTPS, the endpoint's CA, the
// password from its file.
func (w *World) PoolClient() (*lync.Client, error) {
	m := w.Topology.Management
	pw, err := m.Password.Resolve()
	if err != nil {
		return nil, err
	}
	ca, err := os.ReadFile(m.CAFile)
	if err != nil {
		return nil, fmt.Errorf("world: management CA: %w", err)
	}
	r, err := lync.NewWinRMRunner(lync.WinRMConfig{URL: m.URL, User: m.User, Password: pw, Auth: m.Auth, CACertPEM: ca})
	if err != nil {
		return nil, err
	}
	return &lync.Client{Runner: r, Module: lync.ModuleLync}, nil
}
