package containers

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/containerd/errdefs"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
)

// ErrNoDocker says no Docker daemon answered; callers skip or fall back to
// the embedded world.
var ErrNoDocker = errors.New("containers: no docker daemon")

// ErrImageNotPresent says an image that cannot be built here (the real SQL
// Server image) is not in the local image store; nothing tries to pull it.
var ErrImageNotPresent = errors.New("containers: image not present locally")

// ErrRyukEnabled says TESTCONTAINERS_RYUK_DISABLED holds something other than
// "true", so testcontainers would try to pull its reaper image.
var ErrRyukEnabled = errors.New("containers: " + RyukEnv + " must be exactly \"true\" (the reaper image cannot be pulled)")

// Label keys put on everything this package creates, so leftovers of a
// killed run can be found (docker ps -a --filter label=org.pchatdr.harness).
const (
	LabelProject     = "org.pchatdr.harness"
	LabelContentHash = "org.pchatdr.harness.content-hash"
	LabelRole        = "org.pchatdr.harness.role"
	LabelDataCenter  = "org.pchatdr.harness.datacenter"
	LabelInstance    = "org.pchatdr.harness.instance"
)

// Docker is a handle on the daemon for what testcontainers does not wrap:
// image tags, volumes, network connect and disconnect.
type Docker struct {
	cli *testcontainers.DockerClient
}

// Connect checks that Ryuk is off and a daemon answers within a few seconds.
// Without a daemon it returns an error wrapping ErrNoDocker.
func Connect(ctx context.Context) (*Docker, error) {
	if err := checkRyuk(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var cli *testcontainers.DockerClient
	err := func() (err error) {
		// testcontainers panics in some provider set-ups without a daemon.
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("%v", r)
			}
		}()
		cli, err = testcontainers.NewDockerClientWithOpts(ctx)
		if err != nil {
			return err
		}
		_, err = cli.Ping(ctx, client.PingOptions{})
		return err
	}()
	if err != nil {
		if cli != nil {
			cli.Close()
		}
		return nil, fmt.Errorf("%w: %v", ErrNoDocker, err)
	}
	return &Docker{cli: cli}, nil
}

// Available reports whether a daemon answers (nil) or why not.
func Available(ctx context.Context) error {
	d, err := Connect(ctx)
	if err != nil {
		return err
	}
	return d.Close()
}

func checkRyuk() error {
	if v := os.Getenv(RyukEnv); v != "true" {
		return fmt.Errorf("%w (it is %q)", ErrRyukEnabled, v)
	}
	return nil
}

// Close releases the client's connections.
func (d *Docker) Close() error { return d.cli.Close() }

// Client is the moby client, for callers that need more than this package.
func (d *Docker) Client() *client.Client { return d.cli.Client }

// ImagePresent reports whether ref is in the local image store.
func (d *Docker) ImagePresent(ctx context.Context, ref string) (bool, error) {
	_, err := d.cli.ImageInspect(ctx, ref)
	if err == nil {
		return true, nil
	}
	if errdefs.IsNotFound(err) {
		return false, nil
	}
	return false, fmt.Errorf("inspect image %s: %w", ref, err)
}

// goArch maps the daemon's architecture to GOARCH, so the binaries built for
// an image run on the daemon even when it is not the local machine.
func (d *Docker) goArch(ctx context.Context) (string, error) {
	info, err := d.cli.Info(ctx, client.InfoOptions{})
	if err != nil {
		return "", fmt.Errorf("docker info: %w", err)
	}
	switch a := info.Info.Architecture; a {
	case "x86_64", "amd64":
		return "amd64", nil
	case "aarch64", "arm64":
		return "arm64", nil
	default:
		return "", fmt.Errorf("docker daemon architecture %q is not supported", a)
	}
}
