package lab

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/pchatdr/harness/failback/topology"
	lyncfake "github.com/pchatdr/harness/fakes/lync"
	"github.com/pchatdr/harness/sim/chat"
	"github.com/pchatdr/harness/sim/containers"
	"github.com/pchatdr/harness/sim/mssql"
	"github.com/pchatdr/harness/sim/world"
)

// The compose target. A compose file cannot run a disaster, a failover and
// a rebuild, so the lab seeds the deployment in an embedded world (the same
// procedure as the other targets: HA/DR configured, chat history, the
// primary data center lost, the engine's failover plan, the rebuilt
// primary), stops it cleanly, and hands its folders to the compose file's
// services: every SQL Server restarts in a container on its own data
// folder, C: and D: drives, the share and the copy folder, with the same
// accounts and access rules; the management endpoint restarts on the
// pool's saved state. Mirroring partners find each other by their host
// names on the compose network. The lab then attaches its chat servers and
// traffic to the published ports.
//
// The compose file says what it runs in a top-level extension:
//
//	x-pchat-lab:
//	  sql: simulator            # or real
//	  topology: topologies/embedded.yaml
//
// Its SQL services are named after the topology's instances and take their
// host folders, ports, env files and TLS certificate folders from variables
// the lab writes to <dir>/compose.env (PCHAT_<ROLE>_DATA, _C, _D, _PORT,
// _ENV, _TLS; PCHAT_SHARE,
// PCHAT_LYNC_DIR, PCHAT_LYNC_ENV, PCHAT_LYNC_PORT, PCHAT_UID, PCHAT_GID,
// PCHAT_SIM_IMAGE, PCHAT_LYNCFAKE_IMAGE).

// errRealImage is the compose lab on the real SQL Server image.
var errRealImage = errors.New("SQL Server on Linux (the mcr.microsoft.com/mssql/server image) has no UNC paths, no Windows service accounts and no database mirroring, so the lab cannot configure the pool's HA/DR, fail it over or fail it back there (the world refuses that image for the same reason); rehearse with LAB=sim (docker-compose.sim.yml, the simulator image) or `make lab`")

// composeFile is what the lab reads of a compose file.
type composeFile struct {
	Lab struct {
		SQL      string `yaml:"sql"`
		Topology string `yaml:"topology"`
	} `yaml:"x-pchat-lab"`
	Services map[string]struct {
		Command []string `yaml:"command"`
	} `yaml:"services"`
}

func readComposeFile(path string) (composeFile, error) {
	var cf composeFile
	b, err := os.ReadFile(path)
	if err != nil {
		return cf, fmt.Errorf("lab: compose file: %w", err)
	}
	if err := yaml.Unmarshal(b, &cf); err != nil {
		return cf, fmt.Errorf("lab: compose file %s: %w", path, err)
	}
	switch cf.Lab.SQL {
	case "real":
		return cf, fmt.Errorf("lab: %s runs the real SQL Server image: %w", path, errRealImage)
	case "simulator":
	default:
		return cf, fmt.Errorf("lab: compose file %s has no x-pchat-lab.sql (simulator or real): not a rehearsal lab's compose file", path)
	}
	return cf, nil
}

// envPrefix is the variables' prefix for an instance role:
// primary-mirror -> PCHAT_PRIMARY_MIRROR.
func envPrefix(r topology.Role) string {
	return "PCHAT_" + strings.ToUpper(strings.ReplaceAll(string(r), "-", "_"))
}

// driveVar names the variable of one of an instance's mounts: its C:
// drive, the share (one for every instance), or its D: drive or copy
// folder.
func driveVar(r topology.Role, prefix, share string) string {
	switch {
	case strings.EqualFold(prefix, share):
		return "PCHAT_SHARE"
	case strings.EqualFold(prefix, `C:\`):
		return envPrefix(r) + "_C"
	}
	return envPrefix(r) + "_D"
}

// checkService verifies that the compose file runs an instance as the world
// ran it: its service exists and passes the same server name, accounts,
// Windows mounts and access rules. A mismatch would start a different
// server on the seeded folders.
func checkService(cf composeFile, file string, l world.InstanceLayout) error {
	s, ok := cf.Services[l.Name]
	if !ok {
		return fmt.Errorf("lab: %s has no service %s for the topology's instance %s (it describes %s)", file, l.Name, l.Name, cf.Lab.Topology)
	}
	flags := map[string][]string{}
	for i := 0; i+1 < len(s.Command); i++ {
		if strings.HasPrefix(s.Command[i], "--") {
			flags[s.Command[i]] = append(flags[s.Command[i]], s.Command[i+1])
		}
	}
	want := []struct{ flag, value string }{
		{"--name", l.ServerName}, {"--service-account", l.ServiceAccount}, {"--agent-account", l.AgentAccount},
		{"--default-data", l.Files.DefaultData}, {"--default-backup", l.Files.DefaultBackup},
	}
	var missing []string
	for _, w := range want {
		if w.value != "" && !slices.Contains(flags[w.flag], w.value) {
			missing = append(missing, w.flag+" "+w.value)
		}
	}
	for _, m := range l.Files.Mounts {
		if !slices.ContainsFunc(flags["--mount"], func(v string) bool {
			p, _, ok := strings.Cut(v, "=")
			return ok && strings.EqualFold(p, m.Prefix)
		}) {
			missing = append(missing, "--mount "+m.Prefix+"=...")
		}
	}
	for _, r := range l.Files.Rules {
		v := r.Account + ":" + r.Access.Flag() + ":" + r.Prefix
		if !slices.ContainsFunc(flags["--access"], func(x string) bool { return strings.EqualFold(x, v) }) {
			missing = append(missing, "--access "+v)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("lab: %s: service %s does not run instance %s as the topology says (it describes %s); missing: %s",
			file, l.Name, l.Name, cf.Lab.Topology, strings.Join(missing, ", "))
	}
	return nil
}

// composeCLI finds `docker compose` (v2) or `docker-compose` (v1).
func composeCLI() ([]string, error) {
	if exec.Command("docker", "compose", "version").Run() == nil {
		return []string{"docker", "compose"}, nil
	}
	if p, err := exec.LookPath("docker-compose"); err == nil {
		return []string{p}, nil
	}
	return nil, errors.New("lab: neither `docker compose` nor `docker-compose` is installed")
}

// compose runs one compose command for the lab's project.
type composeRunner struct {
	cli                []string
	dir                string // where the compose file is
	file, project, env string
	logf               func(string, ...any)
}

func (c composeRunner) run(ctx context.Context, args ...string) (string, error) {
	full := append(append([]string{}, c.cli[1:]...), "-p", c.project, "-f", c.file, "--env-file", c.env)
	cmd := exec.CommandContext(ctx, c.cli[0], append(full, args...)...)
	cmd.Dir = c.dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	c.logf("compose %s: %v\n%s", strings.Join(args, " "), err, out.String())
	if err != nil {
		return out.String(), fmt.Errorf("%s %s: %w\n%s", strings.Join(c.cli, " "), strings.Join(args, " "), err, lastLines(out.String(), 15))
	}
	return out.String(), nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// Default host ports of the compose lab's services; a taken one is
// replaced by a free one.
var defaultPorts = map[string]int{
	"PCHAT_PRIMARY_PORT": 14331, "PCHAT_BACKUP_PORT": 14332,
	"PCHAT_PRIMARY_MIRROR_PORT": 14333, "PCHAT_BACKUP_MIRROR_PORT": 14334,
	"PCHAT_LYNC_PORT": 15985,
}

// ComposePorts picks the host ports of a compose lab started by hand
// (docker-compose.yml's services): each default where it is free, a free
// one where something listens on it; as VAR=PORT words for env(1).
func ComposePorts() ([]string, error) {
	defaults := map[string]int{"PCHAT_PRIMARY_PORT": 14331, "PCHAT_BACKUP_PORT": 14332, "PCHAT_LYNC_PORT": 15985, "PCHAT_PUSHGATEWAY_PORT": 19091}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(defaults)) {
		p, err := hostPort(defaults[k])
		if err != nil {
			return nil, err
		}
		out = append(out, k+"="+strconv.Itoa(p))
	}
	return out, nil
}

// hostPort is the host port for a compose lab's variable.
func (l *lab) hostPort(v string) (int, error) {
	if l.cfg.AnyPorts {
		return hostPort(0)
	}
	return hostPort(defaultPorts[v])
}

// hostPort is want when nothing listens on 127.0.0.1:want, else a free
// port. (Another program may take it before compose binds it; compose
// then fails with the port named, and the next lab picks again.)
func hostPort(want int) (int, error) {
	if want > 0 {
		if ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(want)); err == nil {
			ln.Close()
			return want, nil
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("lab: free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// buildCompose seeds the deployment in an embedded world, starts the
// compose file's services on its folders and attaches the lab's chat
// servers; it returns the lab's topology (published ports, the compose
// endpoint's URL and CA).
func (l *lab) buildCompose(ctx context.Context, top *topology.Topology) (*topology.Topology, error) {
	cfg := l.cfg
	file, err := filepath.Abs(cfg.ComposeFile)
	if err != nil {
		return nil, fmt.Errorf("lab: %w", err)
	}
	cf, err := readComposeFile(file)
	if err != nil {
		return nil, err
	}
	cli, err := composeCLI()
	if err != nil {
		return nil, err
	}
	l.printf("lab: compose file %s (project %s); building or finding the images", display(file), cfg.ComposeProject)
	images, err := composeImages(ctx)
	if err != nil {
		return nil, err
	}
	w, err := l.startWorld(ctx, top, world.TargetEmbedded)
	if err != nil {
		if w != nil {
			w.Close()
		}
		return nil, err
	}
	seeded, err := l.handOver(w, cf, file)
	if err != nil {
		return nil, err
	}
	run := composeRunner{cli: cli, dir: filepath.Dir(file), file: file, project: cfg.ComposeProject,
		env: filepath.Join(l.dir, "compose.env"), logf: l.logf}
	d := &composeDeployment{run: run, led: seeded.ledger}
	l.update(func(st *State) { st.ComposeFile, st.ComposeProject, st.ComposeEnv = file, cfg.ComposeProject, run.env })
	l.d = d // from here on, close takes the services down
	l.printf("lab: starting the compose services on the seeded folders")
	began := time.Now()
	var lab *topology.Topology
	// A host port found free can be taken by another program before
	// compose binds it; compose then fails naming it. The services are
	// taken down and the ports picked again, a few times.
	for attempt := 1; ; attempt++ {
		var env string
		env, lab, err = l.composeEnv(seeded, images)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(run.env, []byte(env), 0o600); err != nil {
			return nil, fmt.Errorf("lab: %w", err)
		}
		out, err := run.run(ctx, "up", "-d", "--remove-orphans")
		if err == nil {
			break
		}
		if attempt == maxPortAttempts || !portTaken(out) {
			return nil, fmt.Errorf("lab: %w", err)
		}
		l.printf("lab: a host port was taken before compose could bind it; picking the ports again (attempt %d of %d)", attempt+1, maxPortAttempts)
		if _, err := run.run(ctx, "down", "--remove-orphans"); err != nil {
			return nil, fmt.Errorf("lab: %w", err)
		}
	}
	if err := d.attach(ctx, lab, l.logf); err != nil {
		return nil, err
	}
	l.printf("lab: compose services up in %s", since(began))
	return lab, nil
}

// maxPortAttempts bounds how often compose's services are started again
// on freshly picked host ports.
const maxPortAttempts = 3

// portTaken tells whether compose's output says a published host port was
// already in use (the Docker daemon's words for it).
func portTaken(out string) bool {
	return strings.Contains(out, "address already in use") || strings.Contains(out, "port is already allocated")
}

// composeImages builds (or finds) the simulator and endpoint images and
// returns their content-addressed references: another worktree re-tagging
// :dev cannot change what the lab runs.
func composeImages(ctx context.Context) (map[string]string, error) {
	d, err := containers.Connect(ctx)
	if err != nil {
		return nil, fmt.Errorf("lab: target %s: %w", TargetCompose, err)
	}
	defer d.Close()
	out := map[string]string{}
	for env, spec := range map[string]containers.ImageSpec{"PCHAT_SIM_IMAGE": containers.SimulatorSpec, "PCHAT_LYNCFAKE_IMAGE": containers.LyncFakeSpec} {
		img, err := d.EnsureImage(ctx, spec, containers.BuildOptions{})
		if err != nil {
			return nil, fmt.Errorf("lab: target %s: %w", TargetCompose, err)
		}
		out[env] = img.HashRef
	}
	return out, nil
}

// seeded is what the embedded world left for the compose services.
type seeded struct {
	topo      *topology.Topology
	layouts   []world.InstanceLayout
	share     string
	poolState string
	secrets   string
	ledger    *chat.Ledger
}

// handOver checks that the compose file runs every instance as the world
// did, then stops the world cleanly (every committed row on disk) and
// returns what the services need.
func (l *lab) handOver(w *world.World, cf composeFile, file string) (_ seeded, err error) {
	defer func() {
		if cerr := w.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("lab: stop the seeding world: %w", cerr)
		}
	}()
	s := seeded{topo: w.Topology, share: w.ShareDir, poolState: w.PoolStateFile(),
		secrets: filepath.Join(w.Dir(), "secrets"), ledger: w.Ledger}
	for _, in := range w.Topology.Instances {
		lay, ok := w.Layout(in.Name)
		if !ok {
			return s, fmt.Errorf("lab: instance %s did not start", in.Name)
		}
		if err := checkService(cf, file, lay); err != nil {
			return s, err
		}
		s.layouts = append(s.layouts, lay)
	}
	if _, ok := cf.Services["lyncfake"]; !ok {
		return s, fmt.Errorf("lab: %s has no lyncfake service", file)
	}
	if s.poolState == "" {
		return s, errors.New("lab: the seeding world kept no pool state")
	}
	l.printf("lab: seeded; stopping the embedded world cleanly and handing its folders to %s", display(file))
	return s, nil
}

// composeEnv writes the compose services' secrets and endpoint files and
// returns the env file's text and the lab's topology.
func (l *lab) composeEnv(s seeded, images map[string]string) (string, *topology.Topology, error) {
	vars := map[string]string{
		"PCHAT_UID": strconv.Itoa(os.Getuid()), "PCHAT_GID": strconv.Itoa(os.Getgid()),
		"PCHAT_SHARE": s.share,
	}
	for k, v := range images {
		vars[k] = v
	}
	cdir := filepath.Join(l.dir, "compose")
	lyncDir := filepath.Join(cdir, "lync")
	if err := os.MkdirAll(lyncDir, 0o700); err != nil {
		return "", nil, fmt.Errorf("lab: %w", err)
	}
	lab := *s.topo
	lab.Instances = append([]topology.Instance(nil), s.topo.Instances...)
	for i := range lab.Instances {
		in := &lab.Instances[i]
		lay := s.layouts[i]
		p := envPrefix(in.Role)
		port, err := l.hostPort(p + "_PORT")
		if err != nil {
			return "", nil, err
		}
		vars[p+"_PORT"] = strconv.Itoa(port)
		vars[p+"_DATA"] = lay.DataDir
		for _, m := range lay.Files.Mounts {
			vars[driveVar(in.Role, m.Prefix, s.topo.Share.UNC)] = m.Host
		}
		pw, err := in.Password.Resolve()
		if err != nil {
			return "", nil, fmt.Errorf("lab: %w", err)
		}
		envFile := filepath.Join(cdir, in.Name+".env")
		if err := os.WriteFile(envFile, []byte("MSSQLSIM_SA_PASSWORD="+pw+"\n"), 0o600); err != nil {
			return "", nil, fmt.Errorf("lab: %w", err)
		}
		vars[p+"_ENV"] = envFile
		// The certificate the instance presented in the world, so the
		// topology's caFile still verifies it (a sim started without one
		// makes a new self-signed certificate, as SQL Server does).
		if in.CAFile != "" {
			tlsDir := filepath.Join(cdir, "tls", in.Name)
			if err := os.MkdirAll(tlsDir, 0o700); err != nil {
				return "", nil, fmt.Errorf("lab: %w", err)
			}
			for _, f := range []string{"cert.pem", "key.pem"} {
				b, err := os.ReadFile(filepath.Join(filepath.Dir(in.CAFile), f))
				if err == nil {
					err = os.WriteFile(filepath.Join(tlsDir, f), b, 0o600)
				}
				if err != nil {
					return "", nil, fmt.Errorf("lab: instance %s certificate: %w", in.Name, err)
				}
			}
			vars[p+"_TLS"] = tlsDir
		}
		in.Address = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	}
	// The endpoint: the pool's saved state, a certificate for 127.0.0.1
	// and the service's network name, the same user and password.
	state, err := os.ReadFile(s.poolState)
	if err != nil {
		return "", nil, fmt.Errorf("lab: pool state: %w", err)
	}
	_, certPEM, keyPEM, err := lyncfake.SelfSigned("lyncfake", "lyncfake", "lync.contoso.test")
	if err != nil {
		return "", nil, err
	}
	m := &lab.Management
	pw, err := m.Password.Resolve()
	if err != nil {
		return "", nil, fmt.Errorf("lab: %w", err)
	}
	port, err := l.hostPort("PCHAT_LYNC_PORT")
	if err != nil {
		return "", nil, err
	}
	m.URL = fmt.Sprintf("https://127.0.0.1:%d/wsman", port)
	m.CAFile = filepath.Join(lyncDir, "tls.crt")
	// The endpoint's own topology reaches the SQL Servers from inside the
	// lab network, as a Front End does (its database cmdlets, among them
	// Install-CsMirrorDatabase, talk TDS to them): each instance by host
	// name on 1433, its password from the endpoint's env file, its CA file
	// copied into the endpoint's folder.
	files := map[string][]byte{"state.json": state, "tls.crt": certPEM, "tls.key": keyPEM}
	env := "LYNCFAKE_PASSWORD=" + pw + "\n"
	lt := lab
	lt.Instances = append([]topology.Instance(nil), lab.Instances...)
	for i := range lt.Instances {
		in := &lt.Instances[i]
		ipw, err := in.Password.Resolve()
		if err != nil {
			return "", nil, fmt.Errorf("lab: %w", err)
		}
		name := fmt.Sprintf("PCHAT_SQL_%d_PASSWORD", i)
		env += name + "=" + ipw + "\n"
		in.Password = topology.SecretRef{Env: name, Key: in.Password.Key}
		if in.Host != "" {
			in.Address = net.JoinHostPort(strings.ToLower(in.Host), "1433")
		}
		if in.CAFile != "" {
			ca, err := os.ReadFile(in.CAFile)
			if err != nil {
				return "", nil, fmt.Errorf("lab: %w", err)
			}
			f := fmt.Sprintf("sql-ca-%d.pem", i)
			files[f], in.CAFile = ca, "/lync/"+f
		}
	}
	topo, err := topology.Marshal(&lt)
	if err != nil {
		return "", nil, err
	}
	files["topology.yaml"] = topo
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(lyncDir, name), b, 0o600); err != nil {
			return "", nil, fmt.Errorf("lab: %w", err)
		}
	}
	lyncEnv := filepath.Join(cdir, "lync.env")
	if err := os.WriteFile(lyncEnv, []byte(env), 0o600); err != nil {
		return "", nil, fmt.Errorf("lab: %w", err)
	}
	vars["PCHAT_LYNC_DIR"], vars["PCHAT_LYNC_ENV"], vars["PCHAT_LYNC_PORT"] = lyncDir, lyncEnv, strconv.Itoa(port)
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteString("# written by `lab up --target compose`: the seeded lab's folders, ports and images\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%s\n", k, vars[k])
	}
	return b.String(), &lab, nil
}

// composeDeployment is the compose services and the chat servers the lab
// runs beside them.
type composeDeployment struct {
	run    composeRunner
	led    *chat.Ledger
	ep     world.PoolEndpoint
	cancel context.CancelFunc
	chat   []*chat.Server
	client *http.Client
	stores map[topology.Role]store
	seq    atomic.Int64
}

type store struct{ name, mgc, comp string }

// attach waits for the services to answer, then starts one chat server
// per pool server against them.
func (d *composeDeployment) attach(ctx context.Context, top *topology.Topology, logf func(string, ...any)) error {
	m := top.Management
	ca, err := os.ReadFile(m.CAFile)
	if err != nil {
		return fmt.Errorf("lab: %w", err)
	}
	pw, err := m.Password.Resolve()
	if err != nil {
		return fmt.Errorf("lab: %w", err)
	}
	base := strings.TrimSuffix(m.URL, "/wsman")
	if d.ep, err = world.RemotePoolEndpoint(base, ca, m.User, pw); err != nil {
		return err
	}
	d.stores = map[topology.Role]store{}
	for _, in := range top.Instances {
		pw, err := in.Password.Resolve()
		if err != nil {
			return fmt.Errorf("lab: %w", err)
		}
		if err := d.waitSQL(ctx, in, pw); err != nil {
			return err
		}
		s := d.stores[in.Role]
		s.name, s.mgc = in.Name, mssql.DSN(in.Address, in.User, pw, "mgc")
		d.stores[in.Role] = s
	}
	if top.Compliance {
		for _, role := range []topology.Role{topology.RolePrimary, topology.RoleBackup} {
			if ci, ok := top.ComplianceInstance(role); ok {
				pw, err := ci.Password.Resolve()
				if err != nil {
					return fmt.Errorf("lab: %w", err)
				}
				s := d.stores[role]
				s.comp = mssql.DSN(ci.Address, ci.User, pw, "mgccomp")
				d.stores[role] = s
			}
		}
	}
	if err := waitFor(ctx, 2*time.Minute, func(ctx context.Context) error {
		_, err := d.ep.State(ctx)
		return err
	}); err != nil {
		return fmt.Errorf("lab: the compose management endpoint does not answer: %w\n%s", err, d.logs("lyncfake"))
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(ca)
	d.client = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}}
	cctx, cancel := context.WithCancel(context.Background())
	d.cancel = cancel
	for _, sv := range top.Pool.Servers {
		name := sv.FQDN
		d.chat = append(d.chat, chat.Start(cctx, chat.Config{
			FQDN: name, StateURL: base + "/state", HTTPClient: d.client, Ledger: d.led,
			Stores: func(state string) (string, string, error) {
				role := topology.RolePrimary
				if state == "FailedOver" {
					role = topology.RoleBackup
				}
				s, ok := d.stores[role]
				if !ok {
					return "", "", fmt.Errorf("no %s instance", role)
				}
				return s.mgc, s.comp, nil
			},
			Report: func(kind, detail string, err error) {
				if err != nil {
					logf("chat/%s %s: %s: %v", name, kind, detail, err)
				}
			},
		}))
	}
	return nil
}

// waitSQL waits until an instance's service logs in as sa.
func (d *composeDeployment) waitSQL(ctx context.Context, in topology.Instance, pw string) error {
	db, err := sql.Open("sqlserver", mssql.DSN(in.Address, in.User, pw, "master"))
	if err != nil {
		return fmt.Errorf("lab: %w", err)
	}
	defer db.Close()
	if err := waitFor(ctx, 2*time.Minute, db.PingContext); err != nil {
		return fmt.Errorf("lab: compose service %s does not answer on %s: %w\n%s", in.Name, in.Address, err, d.logs(in.Name))
	}
	return nil
}

// logs is the end of a service's log, for an error message.
func (d *composeDeployment) logs(service string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, _ := d.run.run(ctx, "logs", "--tail", "20", service)
	return out
}

// waitFor retries f until it succeeds, ctx ends or d passed.
func waitFor(ctx context.Context, d time.Duration, f func(context.Context) error) error {
	deadline := time.Now().Add(d)
	for {
		actx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := f(actx)
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Post sends one user's message through the next active chat server, as
// the world's Post does.
func (d *composeDeployment) Post(ctx context.Context, channel, user int) (chat.Message, error) {
	n := len(d.chat)
	start := int(d.seq.Add(1))
	for i := 0; i < n; i++ {
		s := d.chat[(start+i)%n]
		if !s.Active() {
			continue
		}
		m, err := s.Post(ctx, channel, user, fmt.Sprintf("message %d from user %d", start, user))
		if errors.Is(err, chat.ErrInactive) {
			continue
		}
		return m, err
	}
	return chat.Message{}, fmt.Errorf("lab: no chat server accepts posts: %w", chat.ErrInactive)
}

func (d *composeDeployment) Pool() world.PoolEndpoint { return d.ep }

func (d *composeDeployment) mgc(role topology.Role) (*sql.DB, string, error) {
	s, ok := d.stores[role]
	if !ok {
		return nil, "", fmt.Errorf("no %s instance", role)
	}
	db, err := sql.Open("sqlserver", s.mgc)
	return db, s.name, err
}

func (d *composeDeployment) ledger() *chat.Ledger { return d.led }

// close stops the chat servers and takes the services down.
func (d *composeDeployment) close() error {
	if d.cancel != nil {
		d.cancel()
	}
	for _, s := range d.chat {
		s.Close()
	}
	if d.client != nil {
		d.client.CloseIdleConnections()
	}
	return composeDown(d.run)
}

// composeDown removes the project's containers and network.
func composeDown(run composeRunner) error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	_, err := run.run(ctx, "down", "--remove-orphans", "--timeout", "10")
	return err
}
