package containers

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/moby/moby/client"
)

// LabelOwner names the process that created a container or network:
// "<host name>/<pid>". Without Ryuk nothing else removes what a killed run
// (a test timeout, SIGKILL, a CI job cancelled) left behind; ReapOrphans
// does, for owners on this host that are gone.
const LabelOwner = "org.pchatdr.harness.owner"

// owner is this process's LabelOwner value.
func owner() string {
	host, _ := os.Hostname()
	return host + "/" + strconv.Itoa(os.Getpid())
}

// orphaned reports whether an owner label names a process of this host
// that no longer runs. Other hosts' labels (a shared daemon) are left
// alone, as are labels this package did not write.
func orphaned(label string) bool {
	host, pid, ok := strings.Cut(label, "/")
	if !ok {
		return false
	}
	me, _ := os.Hostname()
	n, err := strconv.Atoi(pid)
	if host != me || err != nil || n <= 0 || n == os.Getpid() {
		return false
	}
	return errors.Is(syscall.Kill(n, 0), syscall.ESRCH)
}

// ReapOrphans removes the project's containers (with their anonymous
// volumes) and networks whose owning process on this host is gone, and
// says how many it removed. Worlds call it before they start.
func (d *Docker) ReapOrphans(ctx context.Context) (int, error) {
	f := make(client.Filters).Add("label", LabelOwner)
	cs, err := d.cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		return 0, fmt.Errorf("reap orphans: %w", err)
	}
	n := 0
	var errs []error
	for _, c := range cs.Items {
		if !orphaned(c.Labels[LabelOwner]) {
			continue
		}
		if _, err := d.cli.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true}); err != nil {
			errs = append(errs, fmt.Errorf("reap container %s: %w", c.ID, err))
			continue
		}
		n++
	}
	ns, err := d.cli.NetworkList(ctx, client.NetworkListOptions{Filters: f})
	if err != nil {
		return n, fmt.Errorf("reap orphans: %w", err)
	}
	for _, nw := range ns.Items {
		if !orphaned(nw.Labels[LabelOwner]) {
			continue
		}
		if _, err := d.cli.NetworkRemove(ctx, nw.ID, client.NetworkRemoveOptions{}); err != nil {
			errs = append(errs, fmt.Errorf("reap network %s: %w", nw.Name, err))
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}
