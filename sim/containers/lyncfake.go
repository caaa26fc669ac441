package containers

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/testcontainers/testcontainers-go"
)

const (
	lyncPort         = "5985/tcp"
	lyncTopologyPath = "/etc/lyncfake/topology.yaml"
	lyncCertPath     = "/etc/lyncfake/tls.crt"
	lyncKeyPath      = "/etc/lyncfake/tls.key"
)

// LyncOptions configure the fake Lync endpoint container.
type LyncOptions struct {
	Image      string // default: the lyncfake image, built or reused
	Alias      string // default "lyncfake"
	DataCenter string
	Network    *Network
	// Topology is the topology file's content, copied into the container.
	Topology []byte
	// User and Password are the Basic credentials the endpoint accepts; the
	// password goes in the environment (LYNCFAKE_PASSWORD) only.
	User     string
	Password string
	// TLSCertPEM and TLSKeyPEM make the endpoint serve HTTPS with this
	// certificate (copied in as files, named by --tls-cert/--tls-key), so a
	// client verifies it against a CA it already holds and a restarted
	// container presents the same certificate. Both or neither.
	TLSCertPEM, TLSKeyPEM []byte
	// HostPort publishes the endpoint on this loopback port (0: any free
	// one). A fixed port survives Stop/Start, so the endpoint's URL stays
	// what clients were given.
	HostPort int
	// Args are extra lyncfake flags, e.g. "--fault", "fail:Set-CsPersistentChatState:1".
	Args []string
	// Env is more environment for the endpoint (the SQL Servers' passwords
	// its topology names with passwordEnv).
	Env map[string]string
	// Files are more files copied in, by container path (the SQL Servers'
	// CA files its topology names).
	Files map[string][]byte
	// ExtraHosts are "name:address" lines for the container's /etc/hosts:
	// a SQL Server in another data center named at the host's end of
	// the world's network (Network.Gateway), where the world's link
	// forwarder listens, instead of at its container.
	ExtraHosts   []string
	StartTimeout time.Duration // default 60 s
	Build        BuildOptions
	Docker       *Docker
	Logf         func(format string, args ...any)
}

// LyncInstance is a running fake Lync endpoint.
type LyncInstance struct {
	*Instance
	User string
	// TLS is whether it serves HTTPS (LyncOptions.TLSCertPEM).
	TLS bool
}

// StartLyncFake starts the fake endpoint with the topology copied in and
// waits until it serves.
func StartLyncFake(ctx context.Context, opts LyncOptions) (*LyncInstance, error) {
	if len(opts.Topology) == 0 || opts.User == "" || opts.Password == "" {
		return nil, fmt.Errorf("lync options: Topology, User and Password are required")
	}
	if (len(opts.TLSCertPEM) == 0) != (len(opts.TLSKeyPEM) == 0) {
		return nil, fmt.Errorf("lync options: TLSCertPEM and TLSKeyPEM go together")
	}
	if opts.Alias == "" {
		opts.Alias = "lyncfake"
	}
	if opts.StartTimeout == 0 {
		opts.StartTimeout = 60 * time.Second
	}
	d, own, err := dockerFor(ctx, opts.Docker, opts.Network)
	if err != nil {
		return nil, err
	}
	image := opts.Image
	if image == "" {
		img, err := d.EnsureImage(ctx, LyncFakeSpec, opts.Build)
		if err != nil {
			if own {
				d.Close()
			}
			return nil, fmt.Errorf("start lyncfake: %w", err)
		}
		image = img.RunRef()
	}
	cmd := []string{"--listen", "0.0.0.0:5985", "--topology", lyncTopologyPath,
		"--state", "/data/state.json", "--user", opts.User}
	files := []testcontainers.ContainerFile{{
		Reader: bytes.NewReader(opts.Topology), ContainerFilePath: lyncTopologyPath, FileMode: 0o444,
	}}
	tls := len(opts.TLSCertPEM) > 0
	if tls {
		cmd = append(cmd, "--tls-cert", lyncCertPath, "--tls-key", lyncKeyPath)
		// Copied files belong to root and the image runs as ImageUID: the
		// key must be readable by others, which inside this container is
		// the endpoint alone.
		files = append(files,
			testcontainers.ContainerFile{Reader: bytes.NewReader(opts.TLSCertPEM), ContainerFilePath: lyncCertPath, FileMode: 0o444},
			testcontainers.ContainerFile{Reader: bytes.NewReader(opts.TLSKeyPEM), ContainerFilePath: lyncKeyPath, FileMode: 0o444})
	}
	for path, data := range opts.Files {
		files = append(files, testcontainers.ContainerFile{Reader: bytes.NewReader(data), ContainerFilePath: path, FileMode: 0o444})
	}
	cmd = append(cmd, opts.Args...)
	inst, err := start(ctx, d, own, opts.Network, instanceSpec{
		image: image, alias: opts.Alias, dataCenter: opts.DataCenter, role: "lyncfake",
		port: lyncPort, readyLog: simReadyLine, timeout: opts.StartTimeout, logf: opts.Logf,
		hostname: opts.Alias, hostPort: opts.HostPort,
		env:        lyncEnv(opts),
		cmd:        cmd,
		files:      files,
		extraHosts: opts.ExtraHosts,
	})
	if err != nil {
		return nil, fmt.Errorf("start lyncfake: %w", err)
	}
	return &LyncInstance{Instance: inst, User: opts.User, TLS: tls}, nil
}

func (l *LyncInstance) scheme() string {
	if l.TLS {
		return "https://"
	}
	return "http://"
}

// BaseURL is the endpoint's root as the host sees it (/wsman, /state,
// /events and /faults hang off it).
func (l *LyncInstance) BaseURL() string { return l.scheme() + l.HostAddr() }

// URL is the WinRM endpoint as the host sees it.
func (l *LyncInstance) URL() string { return l.BaseURL() + "/wsman" }

// StateURL is the simulated chat servers' state read-back.
func (l *LyncInstance) StateURL() string { return l.BaseURL() + "/state" }

// NetworkURL is the WinRM endpoint for clients inside the world's network.
func (l *LyncInstance) NetworkURL() string { return l.scheme() + l.NetworkAddr() + "/wsman" }

// lyncEnv is the endpoint's environment: its password and opts.Env.
func lyncEnv(opts LyncOptions) map[string]string {
	env := map[string]string{"LYNCFAKE_PASSWORD": opts.Password}
	for k, v := range opts.Env {
		if k != "LYNCFAKE_PASSWORD" {
			env[k] = v
		}
	}
	return env
}
