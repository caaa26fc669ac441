package containers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/api/types/container"
	mobynet "github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	tcexec "github.com/testcontainers/testcontainers-go/exec"
	tclog "github.com/testcontainers/testcontainers-go/log"
	"github.com/testcontainers/testcontainers-go/wait"
)

type (
	containerConfig = container.Config
	hostConfig      = container.HostConfig
)

// Instance is one running container of the world: what SQL instances and
// the Lync fake have in common.
type Instance struct {
	d          *Docker
	ownDocker  bool // d was opened for this instance and is closed with it
	ctr        *testcontainers.DockerContainer
	net        *Network
	alias      string
	aliases    []string // further names on the world's network
	dataCenter string
	port       string // container port, e.g. "1433/tcp"
	readyLog   string
	timeout    time.Duration
	volumes    []string // created for this instance; removed on Terminate

	mu       sync.Mutex
	hostAddr string
	stopped  bool
}

// instanceSpec is what StartSQL and StartLyncFake hand to start.
type instanceSpec struct {
	image    string
	alias    string
	aliases  []string
	hostPort int // 0: any
	// publish are further container ports published on loopback host
	// ports (0: any).
	publish    map[string]int
	dataCenter string
	role       string
	port       string
	readyLog   string
	timeout    time.Duration
	env        map[string]string
	entrypoint []string
	cmd        []string
	hostname   string
	mounts     []mountSpec
	files      []testcontainers.ContainerFile
	// extraHosts are "name:address" lines for the container's
	// /etc/hosts (they win over the network's DNS).
	extraHosts []string
	logf       func(string, ...any)
}

type mountSpec struct {
	m      Mount
	target string
	prefix string // for a generated volume
}

// start creates and starts the container, waiting for readyLog and the
// published port. Everything created on the way is removed again when it
// fails.
func start(ctx context.Context, d *Docker, ownDocker bool, nw *Network, s instanceSpec) (inst *Instance, err error) {
	inst = &Instance{d: d, ownDocker: ownDocker, net: nw, alias: s.alias, aliases: s.aliases, dataCenter: s.dataCenter,
		port: s.port, readyLog: s.readyLog, timeout: s.timeout}
	defer func() {
		if err != nil {
			inst.Terminate(context.WithoutCancel(ctx))
			inst = nil
		}
	}()
	var mounts []mountSpec
	for _, ms := range s.mounts {
		if ms.m.HostDir == "" && ms.m.Volume == "" {
			name, err := d.newVolume(ctx, ms.prefix)
			if err != nil {
				return inst, err
			}
			inst.volumes = append(inst.volumes, name)
			ms.m.Volume = name
		}
		mounts = append(mounts, ms)
	}
	world := "none"
	if nw != nil {
		world = nw.world
	}
	labels := map[string]string{
		LabelProject: "true", LabelRole: s.role, LabelInstance: s.alias,
		LabelDataCenter: s.dataCenter, LabelProject + ".world": world, LabelOwner: owner(),
	}
	opts := []testcontainers.ContainerCustomizer{
		testcontainers.WithLogger(logAdapter(s.logf)),
		testcontainers.WithName("pchat-" + sanitize(world) + "-" + sanitize(s.alias) + "-" + randomSuffix()),
		testcontainers.WithLabels(labels),
		testcontainers.WithEnv(s.env),
		testcontainers.WithExposedPorts(append([]string{s.port}, slices.Sorted(maps.Keys(s.publish))...)...),
		testcontainers.WithFiles(s.files...),
		testcontainers.WithConfigModifier(func(c *containerConfig) { c.Hostname = s.hostname }),
		testcontainers.WithHostConfigModifier(func(h *hostConfig) {
			// Published on loopback only: nothing outside this machine
			// talks to the world.
			p, _ := mobynet.ParsePort(s.port)
			h.PortBindings = mobynet.PortMap{p: {{HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: strconv.Itoa(s.hostPort)}}}
			for cp, hp := range s.publish {
				if p, err := mobynet.ParsePort(cp); err == nil {
					h.PortBindings[p] = []mobynet.PortBinding{{HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: strconv.Itoa(hp)}}
				}
			}
			h.ExtraHosts = append(h.ExtraHosts, s.extraHosts...)
			for _, ms := range mounts {
				dm, err := ms.m.dockerMount(ms.target)
				if err == nil {
					h.Mounts = append(h.Mounts, dm)
				}
			}
		}),
		testcontainers.WithWaitStrategy(inst.readiness(1)),
	}
	for _, ms := range mounts { // surface mount errors before Docker sees them
		if _, err := ms.m.dockerMount(ms.target); err != nil {
			return inst, err
		}
	}
	if s.entrypoint != nil {
		opts = append(opts, testcontainers.WithEntrypoint(s.entrypoint...))
	}
	if s.cmd != nil {
		opts = append(opts, testcontainers.WithCmd(s.cmd...))
	}
	if nw != nil {
		// The default bridge first: it carries the published port, so a cut
		// of the world's network leaves the host-side path alone.
		opts = append(opts, testcontainers.CustomizeRequestOption(func(req *testcontainers.GenericContainerRequest) error {
			req.Networks = []string{"bridge", nw.Name()}
			req.NetworkAliases = map[string][]string{nw.Name(): inst.networkAliases()}
			return nil
		}))
	}
	ctr, err := testcontainers.Run(ctx, s.image, opts...)
	inst.ctr = ctr
	if err != nil {
		return inst, fmt.Errorf("start %s: %w", s.alias, err)
	}
	if nw != nil {
		nw.join(inst)
	}
	if err := inst.refreshAddr(ctx); err != nil {
		return inst, err
	}
	return inst, nil
}

// readiness waits for the n-th ready line (a restarted container's log
// still holds the earlier ones) and then for the published port.
func (i *Instance) readiness(n int) wait.Strategy {
	return wait.ForAll(
		wait.ForLog(i.readyLog).WithOccurrence(n).WithPollInterval(50*time.Millisecond),
		loopbackPort{port: i.port, poll: 50 * time.Millisecond},
	).WithDeadline(i.timeout)
}

func (i *Instance) refreshAddr(ctx context.Context) error {
	p, err := i.ctr.MappedPort(ctx, i.port)
	if err != nil {
		return fmt.Errorf("%s: mapped port: %w", i.alias, err)
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	i.hostAddr = net.JoinHostPort("127.0.0.1", fmt.Sprint(p.Num()))
	return nil
}

// networkAliases are every name the instance answers to on the world's
// network.
func (i *Instance) networkAliases() []string {
	return append([]string{i.alias}, i.aliases...)
}

// Alias is the instance's host name on the world's network.
func (i *Instance) Alias() string { return i.alias }

// DataCenter is the data center the instance belongs to ("" for none).
func (i *Instance) DataCenter() string { return i.dataCenter }

// ID is the container id.
func (i *Instance) ID() string { return i.ctr.GetContainerID() }

// Container is the testcontainers handle, for what this type does not offer.
func (i *Instance) Container() *testcontainers.DockerContainer { return i.ctr }

// HostAddr is 127.0.0.1:PORT, the published port as the host sees it. It
// changes when the container restarts.
func (i *Instance) HostAddr() string {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.hostAddr
}

// NetworkAddr is alias:port, the address other containers of the world use.
func (i *Instance) NetworkAddr() string {
	p, _ := mobynet.ParsePort(i.port)
	return net.JoinHostPort(i.alias, fmt.Sprint(p.Num()))
}

// Stop stops the container gracefully (SIGTERM; SIGKILL after timeout).
// Its file system and volumes stay; Start brings it back.
func (i *Instance) Stop(ctx context.Context, timeout time.Duration) error {
	if err := i.ctr.Stop(ctx, &timeout); err != nil {
		return fmt.Errorf("stop %s: %w", i.alias, err)
	}
	i.mu.Lock()
	i.stopped = true
	i.mu.Unlock()
	return nil
}

// Kill ends the container with SIGKILL, as a crash would: no shutdown code
// runs. Start brings it back.
func (i *Instance) Kill(ctx context.Context) error {
	if _, err := i.d.cli.ContainerKill(ctx, i.ID(), client.ContainerKillOptions{Signal: "KILL"}); err != nil {
		return fmt.Errorf("kill %s: %w", i.alias, err)
	}
	for {
		st, err := i.ctr.State(ctx)
		if err != nil {
			return fmt.Errorf("kill %s: %w", i.alias, err)
		}
		if !st.Running {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("kill %s: %w", i.alias, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
	i.mu.Lock()
	i.stopped = true
	i.mu.Unlock()
	return nil
}

// Start starts a stopped container and waits until it is ready again.
func (i *Instance) Start(ctx context.Context) error {
	logs, err := i.Logs(ctx)
	if err != nil {
		return fmt.Errorf("start %s: %w", i.alias, err)
	}
	i.ctr.WaitingFor = i.readiness(strings.Count(logs, i.readyLog) + 1)
	if err := i.ctr.Start(ctx); err != nil {
		return fmt.Errorf("start %s: %w", i.alias, err)
	}
	i.mu.Lock()
	i.stopped = false
	i.mu.Unlock()
	return i.refreshAddr(ctx)
}

// Restart is a graceful Stop then Start.
func (i *Instance) Restart(ctx context.Context) error {
	if err := i.Stop(ctx, 30*time.Second); err != nil {
		return err
	}
	return i.Start(ctx)
}

// Logs is everything the container wrote to stdout and stderr so far.
func (i *Instance) Logs(ctx context.Context) (string, error) {
	rc, err := i.ctr.Logs(ctx)
	if err != nil {
		return "", fmt.Errorf("logs of %s: %w", i.alias, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		return "", fmt.Errorf("logs of %s: %w", i.alias, err)
	}
	return string(b), nil
}

// Networks lists the Docker networks the container is attached to.
func (i *Instance) Networks(ctx context.Context) ([]string, error) {
	return i.ctr.Networks(ctx)
}

// Exec runs argv inside the container (no shell: argv[0] is a path) and
// returns its exit code and combined output.
func (i *Instance) Exec(ctx context.Context, argv ...string) (int, string, error) {
	code, r, err := i.ctr.Exec(ctx, argv, tcexec.Multiplexed())
	if err != nil {
		return 0, "", fmt.Errorf("exec in %s: %w", i.alias, err)
	}
	var out bytes.Buffer
	if r != nil {
		io.Copy(&out, r)
	}
	return code, out.String(), nil
}

// ErrNoProbe says the instance's image has no /probe (the real SQL Server
// image); reachability checks need one of this package's images.
var ErrNoProbe = errors.New("containers: image has no /probe")

// Reaches reports whether a TCP connection from inside this container to
// addr (alias:port on the world's network) opens within timeout.
func (i *Instance) Reaches(ctx context.Context, addr string, timeout time.Duration) (bool, error) {
	code, out, err := i.Exec(ctx, "/probe", "dial", addr, timeout.String())
	switch {
	case err != nil:
		return false, err
	case code == 0:
		return true, nil
	case code == 1:
		return false, nil
	case code == 126 || code == 127 || strings.Contains(out, "no such file"):
		return false, fmt.Errorf("reach %s from %s: %w", addr, i.alias, ErrNoProbe)
	default:
		return false, fmt.Errorf("reach %s from %s: probe exited %d: %s", addr, i.alias, code, strings.TrimSpace(out))
	}
}

// Terminate removes the container and the volumes created for it, and
// takes it off its network's books. Safe on a partly started instance and
// when called twice.
func (i *Instance) Terminate(ctx context.Context) error {
	var errs []error
	if i.net != nil {
		i.net.leave(i)
	}
	if i.ctr != nil {
		if err := i.ctr.Terminate(ctx); err != nil {
			errs = append(errs, fmt.Errorf("terminate %s: %w", i.alias, err))
		}
		i.ctr = nil
	}
	for _, v := range i.volumes {
		errs = append(errs, i.d.RemoveVolume(ctx, v))
	}
	i.volumes = nil
	if i.ownDocker && i.d != nil {
		errs = append(errs, i.d.Close())
		i.ownDocker = false
	}
	return errors.Join(errs...)
}

// sanitize keeps container names to [a-z0-9-].
func sanitize(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	if b.Len() == 0 {
		return "x"
	}
	return b.String()
}

type funcLogger func(string, ...any)

func (f funcLogger) Printf(format string, args ...any) { f(format, args...) }

func logAdapter(logf func(string, ...any)) tclog.Logger {
	if logf == nil {
		return quietLogger{}
	}
	return funcLogger(logf)
}
