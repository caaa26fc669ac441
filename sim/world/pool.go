package world

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/pchatdr/harness/failback/lync"
	"github.com/pchatdr/harness/failback/topology"
	lyncfake "github.com/pchatdr/harness/fakes/lync"
	"github.com/pchatdr/harness/fakes/lync/pool"
	"github.com/pchatdr/harness/sim/containers"
	"github.com/pchatdr/harness/sim/wan"
)

// startPool starts the fake management endpoint over HTTPS with a fresh
// certificate the engine must verify (as it would a real server's), and
// points the topology's management settings at it: in process, or on the
// containers target as a container (the backend decides).
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

// startPoolInProcess starts the fake in this process (the embedded
// backend's management endpoint).
func (w *World) startPoolInProcess(user, pw string) error {
	m := &w.Topology.Management
	// The world makes the certificate and keeps the endpoint's options, so
	// the endpoint can be restarted at any time (PoolRestarter) on the same
	// address with the same certificate and the pool's state carried over
	// in its state file, as a Front End comes back from a reboot.
	cert, certPEM, _, err := lyncfake.SelfSigned("lyncfake")
	if err != nil {
		return err
	}
	r := &PoolRestarter{w: w, state: filepath.Join(w.dir, "lync-state.json")}
	// A restart binds the endpoint's port again: one outside the
	// ephemeral range (ports.go).
	addr, err := w.ports.Addr()
	if err != nil {
		return fmt.Errorf("world: management endpoint: %w", err)
	}
	r.opts = lyncfake.Options{
		Pool:      pool.FromTopology(w.Topology),
		Users:     map[string]string{user: pw},
		Addr:      addr,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}},
		StatePath: r.state,
		OnEvent: func(e pool.Event) {
			w.Timeline.Add("lync", e.Kind, poolEventDetail(e), errorText(e.Error))
		},
		InstallMirror: w.installMirror,
		// The database cmdlets reach the instances as the topology
		// describes them, over TDS, like the real ones.
		SQL: lyncfake.NewTopologySQL(func() *topology.Topology { return w.Topology }),
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

// startPoolContainer runs the endpoint in a container on the world's
// network (the containers backend's management endpoint). The world makes
// its certificate (the container serves it from --tls-cert/--tls-key) and
// picks its host port, so the topology handed to
// the container is already the one the engine sees: the management URL,
// the CA file, the password file. The password reaches the container in
// its environment only.
func (w *World) startPoolContainer(ctx context.Context, b *containerBackend, user, pw string) error {
	_, certPEM, keyPEM, err := lyncfake.SelfSigned("lyncfake", "lyncfake")
	if err != nil {
		return err
	}
	port, err := w.ports.Port()
	if err != nil {
		return err
	}
	m := &w.Topology.Management
	caFile := filepath.Join(w.dir, "secrets", "lync-ca.pem")
	if err := os.WriteFile(caFile, certPEM, 0o600); err != nil {
		return fmt.Errorf("world: management endpoint: %w", err)
	}
	m.URL = fmt.Sprintf("https://127.0.0.1:%d/wsman", port)
	m.CAFile = caFile
	m.InsecureSkipVerify = false
	if m.Password, err = w.secretFile("lync", pw); err != nil {
		return err
	}
	topo, sqlEnv, sqlFiles, hosts, err := w.endpointTopology(ctx, b)
	if err != nil {
		return fmt.Errorf("world: management endpoint: %w", err)
	}
	lf, err := containers.StartLyncFake(ctx, containers.LyncOptions{
		Network: b.network, Docker: b.docker,
		Topology: topo, User: user, Password: pw, Env: sqlEnv, Files: sqlFiles,
		TLSCertPEM: certPEM, TLSKeyPEM: keyPEM, HostPort: port, ExtraHosts: hosts,
		Logf: w.logf,
	})
	if err != nil {
		return fmt.Errorf("world: management endpoint: %w", err)
	}
	b.mu.Lock()
	b.lync = lf // the backend's close removes it, whatever happens next
	b.mu.Unlock()
	if lf.URL() != m.URL {
		return fmt.Errorf("world: management endpoint: published at %s, not %s", lf.URL(), m.URL)
	}
	ep, err := newContainerEndpoint(lf, certPEM, user, pw,
		func(e pool.Event) {
			w.Timeline.AddAt(e.Time, "lync", e.Kind, poolEventDetail(e), errorText(e.Error))
		},
		func(err error) { w.Timeline.Add("lync", "poll", "reading the endpoint's events", err) })
	if err != nil {
		return err
	}
	ep.start()
	w.setPool(ep)
	w.Timeline.setSync(ep.sync)
	w.Timeline.Add("lync", "start", "management endpoint container at "+m.URL, nil)
	return nil
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
// password from its file, the module of the pool's product.
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
	return &lync.Client{Runner: r, Module: lync.ModuleFor(w.Topology.Pool.Product)}, nil
}

// endpointTopology is the topology the endpoint container reads: the
// engine's, but with each SQL Server where the container reaches it (its
// host name on the world's network, which its certificate names, not the
// host's published port), its password in the container's environment and
// its CA file copied in (the host's secret files are not in there), so the
// database cmdlets reach the instances as a Front End would.
//
// With links, an instance outside the front end's data center (where the
// endpoint runs, as the engine does) is reached across the link model as
// the engine's TDS is (tds_wan.go): its host name is mapped, in the
// container's /etc/hosts (hosts), to the host's end of the world's
// network, where a forwarder of the world's books every byte on the link
// and dials the instance's published port. Without it the cmdlets' SQL
// (Install-CsMirrorDatabase's backups, restores and waits on the other
// data center's instances) went container to container at memory speed.
func (w *World) endpointTopology(ctx context.Context, b *containerBackend) (topo []byte, env map[string]string, files map[string][]byte, hosts []string, err error) {
	t := *w.Topology
	t.Instances = append([]topology.Instance(nil), w.Topology.Instances...)
	env = map[string]string{}
	files = map[string][]byte{}
	for i := range t.Instances {
		in := &t.Instances[i]
		inst, ok := w.Instance(in.Name)
		if !ok {
			continue
		}
		c := b.slot(inst)
		if c.ctr == nil {
			continue
		}
		pw, err := in.Password.Resolve()
		if err != nil {
			return nil, nil, nil, nil, err
		}
		name := fmt.Sprintf("PCHAT_SQL_%d_PASSWORD", i)
		env[name] = pw
		in.Password = topology.SecretRef{Env: name, Key: in.Password.Key}
		addr := c.ctr.NetworkAddr()
		if _, port, ok := strings.Cut(addr, ":"); ok && in.Host != "" {
			addr = strings.ToLower(in.Host) + ":" + port
		}
		in.Address = addr
		if link, ok := w.remoteLink(in.DataCenter); ok && in.Host != "" {
			gateway, err := b.gatewayIP(ctx)
			if err != nil {
				return nil, nil, nil, nil, err
			}
			fwd, err := w.tdsForwardOn(gateway+":0", link, inst)
			if err != nil {
				return nil, nil, nil, nil, err
			}
			_, port, _ := strings.Cut(fwd, ":")
			in.Address = strings.ToLower(in.Host) + ":" + port
			hosts = append(hosts, strings.ToLower(in.Host)+":"+gateway)
		}
		if in.CAFile != "" {
			ca, err := os.ReadFile(in.CAFile)
			if err != nil {
				return nil, nil, nil, nil, err
			}
			path := fmt.Sprintf("/etc/lyncfake/sql-ca-%d.pem", i)
			files[path], in.CAFile = ca, path
		}
	}
	out, err := topology.Marshal(&t)
	return out, env, files, hosts, err
}

// remoteLink is the link model between the front end's data center and
// dc when the world runs with links and dc is another one.
func (w *World) remoteLink(dc string) (*wan.Link, bool) {
	if w.links == nil || w.wan == nil || w.frontEndDC == "" || dc == w.frontEndDC {
		return nil, false
	}
	l, ok := w.wan[pairKey(w.frontEndDC, dc)]
	return l, ok
}
