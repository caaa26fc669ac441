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
	// Args are extra lyncfake flags, e.g. "--fault", "fail:Set-CsPersistentChatState:1".
	Args         []string
	StartTimeout time.Duration // default 60 s
	Build        BuildOptions
	Docker       *Docker
	Logf         func(format string, args ...any)
}

// LyncInstance is a running fake Lync endpoint.
type LyncInstance struct {
	*Instance
	User string
}

// StartLyncFake starts the fake endpoint with the topology copied in and
// waits until it serves.
func StartLyncFake(ctx context.Context, opts LyncOptions) (*LyncInstance, error) {
	if len(opts.Topology) == 0 || opts.User == "" || opts.Password == "" {
		return nil, fmt.Errorf("lync options: Topology, User and Password are required")
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
		image = img.Ref
	}
	cmd := append([]string{"--listen", "0.0.0.0:5985", "--topology", lyncTopologyPath,
		"--state", "/data/state.json", "--user", opts.User}, opts.Args...)
	inst, err := start(ctx, d, own, opts.Network, instanceSpec{
		image: image, alias: opts.Alias, dataCenter: opts.DataCenter, role: "lyncfake",
		port: lyncPort, readyLog: simReadyLine, timeout: opts.StartTimeout, logf: opts.Logf,
		hostname: opts.Alias,
		env:      map[string]string{"LYNCFAKE_PASSWORD": opts.Password},
		cmd:      cmd,
		files: []testcontainers.ContainerFile{{
			Reader: bytes.NewReader(opts.Topology), ContainerFilePath: lyncTopologyPath, FileMode: 0o444,
		}},
	})
	if err != nil {
		return nil, fmt.Errorf("start lyncfake: %w", err)
	}
	return &LyncInstance{Instance: inst, User: opts.User}, nil
}

// URL is the WinRM endpoint as the host sees it.
func (l *LyncInstance) URL() string { return "http://" + l.HostAddr() + "/wsman" }

// StateURL is the simulated chat servers' state read-back.
func (l *LyncInstance) StateURL() string { return "http://" + l.HostAddr() + "/state" }

// NetworkURL is the WinRM endpoint for clients inside the world's network.
func (l *LyncInstance) NetworkURL() string { return "http://" + l.NetworkAddr() + "/wsman" }
