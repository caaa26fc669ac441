package world

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pchatdr/harness/failback/lync"
	lyncfake "github.com/pchatdr/harness/fakes/lync"
	"github.com/pchatdr/harness/fakes/lync/pool"
)

// startPool starts the fake management endpoint over HTTPS with a fresh
// certificate the engine must verify (as it would a real server's), and
// points the topology's management settings at it.
func (w *World) startPool() error {
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
	srv, err := lyncfake.Start(lyncfake.Options{
		Pool:  pool.FromTopology(w.Topology),
		Users: map[string]string{user: pw},
		TLS:   true,
		OnEvent: func(e pool.Event) {
			w.Timeline.Add("lync", e.Kind, poolEventDetail(e), errorText(e.Error))
		},
		InstallMirror: w.installMirror,
	})
	if err != nil {
		return fmt.Errorf("world: management endpoint: %w", err)
	}
	w.pool = srv
	caFile := filepath.Join(w.dir, "secrets", "lync-ca.pem")
	if err := os.WriteFile(caFile, srv.CertificatePEM(), 0o600); err != nil {
		return fmt.Errorf("world: management endpoint: %w", err)
	}
	m.URL = srv.URL + "/wsman"
	m.CAFile = caFile
	m.InsecureSkipVerify = false
	if m.Password, err = w.secretFile("lync", pw); err != nil {
		return err
	}
	w.Timeline.Add("lync", "start", "management endpoint at "+m.URL, nil)
	return nil
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

// Pool is the fake management endpoint, for fault injection and for reading
// the pool's true state (what the configuration store holds).
func (w *World) Pool() *lyncfake.Server { return w.pool }

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
