package containers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"
)

// Mount says where a folder of an instance lives outside the container, so
// it survives the container: a host directory (bind mount) or a named Docker
// volume. The zero Mount means "a new volume for this instance, removed when
// it is terminated".
type Mount struct {
	HostDir string // absolute host path; made writable by ImageUID
	Volume  string // named volume; created if missing, kept on Terminate
}

// PathMount is a Mount at a path inside the container.
type PathMount struct {
	Mount
	Path string
}

func (m Mount) validate(what string) error {
	if m.HostDir != "" && m.Volume != "" {
		return fmt.Errorf("%s: give a host directory or a volume, not both", what)
	}
	if m.HostDir != "" && !filepath.IsAbs(m.HostDir) {
		return fmt.Errorf("%s: host directory %q must be absolute", what, m.HostDir)
	}
	return nil
}

// dockerMount turns m into a mount at target. A bind-mounted directory is
// handed to ImageUID, the user both images run as, or opened to all if this
// process may not chown.
func (m Mount) dockerMount(target string) (mount.Mount, error) {
	if m.HostDir != "" {
		if err := os.MkdirAll(m.HostDir, 0o755); err != nil {
			return mount.Mount{}, fmt.Errorf("mount %s: %w", target, err)
		}
		if err := os.Chown(m.HostDir, ImageUID, ImageUID); err != nil {
			if err := os.Chmod(m.HostDir, 0o777); err != nil {
				return mount.Mount{}, fmt.Errorf("mount %s: make %s writable for uid %d: %w", target, m.HostDir, ImageUID, err)
			}
		}
		return mount.Mount{Type: mount.TypeBind, Source: m.HostDir, Target: target}, nil
	}
	return mount.Mount{Type: mount.TypeVolume, Source: m.Volume, Target: target}, nil
}

// newVolume creates a labelled volume named after prefix.
func (d *Docker) newVolume(ctx context.Context, prefix string) (string, error) {
	name := prefix + "-" + randomSuffix()
	_, err := d.cli.VolumeCreate(ctx, client.VolumeCreateOptions{Name: name, Labels: map[string]string{LabelProject: "true"}})
	if err != nil {
		return "", fmt.Errorf("create volume %s: %w", name, err)
	}
	return name, nil
}

// RemoveVolume deletes a named volume (no container may use it).
func (d *Docker) RemoveVolume(ctx context.Context, name string) error {
	if _, err := d.cli.VolumeRemove(ctx, name, client.VolumeRemoveOptions{Force: true}); err != nil {
		return fmt.Errorf("remove volume %s: %w", name, err)
	}
	return nil
}

// chownVolume hands a named volume's root to ImageUID by running the probe
// as root in a throw-away simulator container: the real SQL Server image
// runs as uid 10001 and an empty volume mounted where that image has no
// directory is owned by root, so BACKUP to it would fail with OS error 5.
func (d *Docker) chownVolume(ctx context.Context, volume string, build BuildOptions) error {
	img, err := d.EnsureImage(ctx, SimulatorSpec, build)
	if err != nil {
		return err
	}
	ctr, err := testcontainers.Run(ctx, img.RunRef(),
		testcontainers.WithLogger(quietLogger{}),
		testcontainers.WithEntrypoint("/probe"),
		testcontainers.WithCmd("chown", fmt.Sprintf("%d:%d", ImageUID, ImageUID), "/v"),
		testcontainers.WithLabels(map[string]string{LabelProject: "true"}),
		testcontainers.WithConfigModifier(func(c *containerConfig) { c.User = "0:0" }),
		testcontainers.WithHostConfigModifier(func(h *hostConfig) {
			h.Mounts = append(h.Mounts, mount.Mount{Type: mount.TypeVolume, Source: volume, Target: "/v"})
		}),
		testcontainers.WithWaitStrategy(wait.ForExit()),
	)
	if ctr != nil {
		defer ctr.Terminate(context.WithoutCancel(ctx))
	}
	if err != nil {
		return fmt.Errorf("chown volume %s: %w", volume, err)
	}
	st, err := ctr.State(ctx)
	if err != nil {
		return fmt.Errorf("chown volume %s: %w", volume, err)
	}
	if st.ExitCode != 0 {
		return fmt.Errorf("chown volume %s: probe exited %d", volume, st.ExitCode)
	}
	return nil
}

func randomSuffix() string {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(errors.New("crypto/rand failed")) // cannot happen on Linux
	}
	return hex.EncodeToString(b[:])
}

// quietLogger drops testcontainers' progress lines; errors still come back
// as values.
type quietLogger struct{}

func (quietLogger) Printf(string, ...any) {}
