package world

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	lyncfake "github.com/pchatdr/harness/fakes/lync"
	"github.com/pchatdr/harness/fakes/lync/pool"
	"github.com/pchatdr/harness/sim/mssql"
	"github.com/pchatdr/harness/sim/mssql/engine"
)

// embedded runs every SQL Server instance and the management endpoint in
// this process: no Docker, an instance starts in milliseconds, faults
// reach into the simulator's engine.
type embedded struct{ w *World }

func (embedded) target() Target             { return TargetEmbedded }
func (embedded) open(context.Context) error { return nil }
func (embedded) sqlKind() string            { return "simulator" }
func (embedded) startsTogether() bool       { return false }
func (embedded) fixedService() bool         { return false }

// embeddedServer is the simulator serving TDS in this process.
type embeddedServer struct{ *mssql.Server }

func (s embeddedServer) Engine() *engine.Instance { return s.Instance() }

func (embedded) launch(_ context.Context, inst *Instance, listen string) (sqlServer, error) {
	srv, err := mssql.Start(mssql.Config{Engine: inst.cfg, Listen: listen})
	if err != nil {
		return nil, err
	}
	return embeddedServer{srv}, nil
}

// discard: an in-process instance is its data folder; once its server is
// closed nothing else remains.
func (embedded) discard(context.Context, *Instance) error { return nil }

// partition: in process every connection between data centers goes
// through the link proxies, which CutLink already stops.
func (embedded) partition(context.Context, string, bool) error { return nil }

func (embedded) close(instances []*Instance) error {
	var errs []error
	for _, inst := range instances {
		if inst.srv != nil {
			if err := inst.srv.Close(); err != nil {
				errs = append(errs, fmt.Errorf("close %s: %w", inst.Name, err))
			}
		}
	}
	return errors.Join(errs...)
}

// startPool starts the fake in this process over HTTPS with a fresh
// certificate the engine must verify (as it would a real server's). The
// world makes the certificate and keeps the endpoint's options, so the
// endpoint can be restarted at any time (PoolRestarter) on the same
// address with the same certificate and the pool's state carried over in
// its state file, as a Front End comes back from a reboot.
func (e embedded) startPool(_ context.Context, user, pw string) error {
	w := e.w
	m := &w.Topology.Management
	cert, certPEM, _, err := lyncfake.SelfSigned("lyncfake")
	if err != nil {
		return err
	}
	r := &PoolRestarter{w: w, state: filepath.Join(w.dir, "lync-state.json")}
	r.opts = lyncfake.Options{
		Pool:      pool.FromTopology(w.Topology),
		Users:     map[string]string{user: pw},
		Addr:      "127.0.0.1:0",
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}},
		StatePath: r.state,
		OnEvent: func(e pool.Event) {
			w.Timeline.Add("lync", e.Kind, poolEventDetail(e), errorText(e.Error))
		},
		InstallMirror: w.installMirror,
	}
	srv, err := lyncfake.Start(r.opts)
	if err != nil {
		return fmt.Errorf("world: management endpoint: %w", err)
	}
	u, err := url.Parse(srv.URL)
	if err != nil {
		srv.Close()
		return fmt.Errorf("world: management endpoint: %w", err)
	}
	r.opts.Addr = u.Host
	w.setPool(processEndpoint{srv})
	w.restarter = r
	caFile := filepath.Join(w.dir, "secrets", "lync-ca.pem")
	if err := os.WriteFile(caFile, certPEM, 0o600); err != nil {
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
