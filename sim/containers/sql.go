package containers

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	mobynet "github.com/moby/moby/api/types/network"
	"github.com/testcontainers/testcontainers-go"
)

// SQLKind picks the SQL Server behind an instance.
type SQLKind int

const (
	// SQLSimulator is the project's simulator image (offline, default).
	SQLSimulator SQLKind = iota
	// SQLReal is mcr.microsoft.com/mssql/server; it must already be in the
	// local image store, nothing pulls it.
	SQLReal
)

func (k SQLKind) String() string {
	if k == SQLReal {
		return "real"
	}
	return "simulator"
}

// Real SQL Server image facts (reference/procedure-and-sql.md §9).
const (
	RealSQLImage = "mcr.microsoft.com/mssql/server:2022-latest"
	// SQLImageEnv selects the kind when SQLOptions.Kind is not set
	// explicitly: "real" (or an image reference of the real server) picks
	// SQLReal.
	SQLImageEnv   = "PCHAT_SQL_IMAGE"
	sqlPort       = "1433/tcp"
	sqlDataPath   = "/var/opt/mssql"
	sqlCertPath   = "/etc/mssqlsim/tls.crt"
	sqlKeyPath    = "/etc/mssqlsim/tls.key"
	sqlDomainPath = "/etc/mssqlsim/domain-accounts"
	simReadyLine  = "listening on"
	realReadyLog  = "Recovery is complete."
)

// KindFromEnv reads PCHAT_SQL_IMAGE: "real" or an mssql/server reference
// means SQLReal (with that image, if one is named); anything else, or
// unset, the simulator.
func KindFromEnv() (SQLKind, string) {
	v := strings.TrimSpace(os.Getenv(SQLImageEnv))
	switch {
	case v == "real":
		return SQLReal, RealSQLImage
	case strings.Contains(v, "mssql/server"):
		return SQLReal, v
	case v == "", v == "sim", v == "simulator":
		return SQLSimulator, ""
	default:
		return SQLSimulator, v
	}
}

// SQLOptions configure one SQL Server instance container.
type SQLOptions struct {
	// Kind and Image: with Image empty the kind's default image is used
	// (the simulator image is built or reused first). FromEnv makes
	// PCHAT_SQL_IMAGE decide instead of Kind.
	Kind    SQLKind
	Image   string
	FromEnv bool

	// Name is the server name: the simulator's @@SERVERNAME, and the
	// container's host name (the real server takes @@SERVERNAME from it, so
	// at most 15 characters).
	Name string
	// Alias is the host name on the world's network; default lower(Name).
	Alias      string
	DataCenter string
	Network    *Network // nil: the default bridge only

	// SAPassword reaches the container in its environment only, never in a
	// flag, label or log line. Required.
	SAPassword string

	// Data holds /var/opt/mssql (both images keep their databases there);
	// it survives Stop/Start and, with a named volume or host directory,
	// Terminate. Zero: a volume removed on Terminate.
	Data Mount
	// Share is mounted at SharePath (default /share) when set: the backup
	// share both data centers see.
	Share     Mount
	SharePath string
	// Mounts are further folders at container paths: a world gives the
	// simulator its C: and D: drives and the log-shipping copy folder this
	// way, and maps Windows paths onto them with Args.
	Mounts []PathMount

	// Aliases are further host names on the world's network, e.g. a
	// topology host's FQDN and short name, so a mirroring partner named
	// TCP://sqlpri.dc1.contoso.test:5022 resolves through Docker's DNS.
	Aliases []string
	// Args are further simulator flags (--mount, --access,
	// --endpoint-listen, --default-backup); the real image takes none and
	// refuses them.
	Args []string
	// HostPort publishes the SQL port on this loopback port (0: any free
	// one). Docker keeps the binding across Stop and Start, so a world
	// that restarts an instance finds it on the same address, as clients
	// of a real server would.
	HostPort int
	// Publish publishes further container ports ("5022/tcp") on loopback
	// host ports (0: any free one), kept across Stop and Start like
	// HostPort: a world whose link forwarders carry mirroring between the
	// data centers dials the mirroring endpoint there.
	Publish map[string]int

	// TLSCertPEM and TLSKeyPEM are the certificate the simulator presents
	// for TDS encryption (--tls-cert/--tls-key); without them it makes a
	// self-signed one at start, as SQL Server does.
	TLSCertPEM, TLSKeyPEM []byte

	// Domain joins the simulator to a Windows domain (Windows logins
	// over NTLM); nil: SQL logins only.
	Domain *SQLDomain

	// Simulator-only service facts (sys.dm_server_services).
	ServiceAccount string
	AgentAccount   string
	AgentStopped   bool

	StartTimeout time.Duration                    // default 60 s (simulator), 4 min (real)
	Build        BuildOptions                     // for the simulator image
	Docker       *Docker                          // nil: Network's, or a new connection
	Logf         func(format string, args ...any) // testcontainers' progress; nil drops it
}

// SQLDomain is the Windows domain of a simulator container: mssqlsim's
// --domain, --domain-dns, --domain-accounts-file (Accounts is that file's
// content, "DOMAIN\user:password" lines, copied into the container, never
// a flag) and --windows-login.
type SQLDomain struct {
	Name, DNS string
	Accounts  []byte
	Logins    []string
	// Sysadmins are the logins that are members of sysadmin from the
	// start (mssqlsim's --sysadmin).
	Sysadmins []string
}

// SQLInstance is a running SQL Server container.
type SQLInstance struct {
	*Instance
	Kind     SQLKind
	Name     string
	password string
}

// StartSQL starts a SQL Server instance container and waits until it
// accepts connections.
func StartSQL(ctx context.Context, opts SQLOptions) (*SQLInstance, error) {
	if opts.FromEnv {
		opts.Kind, opts.Image = KindFromEnv()
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	d, own, err := dockerFor(ctx, opts.Docker, opts.Network)
	if err != nil {
		return nil, err
	}
	closeOwn := func() {
		if own {
			d.Close()
		}
	}
	spec, err := opts.spec(ctx, d)
	if err != nil {
		closeOwn()
		return nil, fmt.Errorf("start sql %s: %w", opts.Name, err)
	}
	inst, err := start(ctx, d, own, opts.Network, spec)
	if err != nil {
		return nil, fmt.Errorf("start sql %s: %w", opts.Name, err)
	}
	return &SQLInstance{Instance: inst, Kind: opts.Kind, Name: opts.Name, password: opts.SAPassword}, nil
}

func (o *SQLOptions) validate() error {
	if o.Name == "" {
		return fmt.Errorf("sql options: Name is required")
	}
	if o.SAPassword == "" {
		return fmt.Errorf("sql options %s: SAPassword is required", o.Name)
	}
	if o.Kind == SQLReal && utf8.RuneCountInString(o.Name) > 15 {
		return fmt.Errorf("sql options %s: the real server's host name is at most 15 characters", o.Name)
	}
	if err := o.Data.validate("sql options " + o.Name + " data"); err != nil {
		return err
	}
	if err := o.Share.validate("sql options " + o.Name + " share"); err != nil {
		return err
	}
	if o.SharePath == "" {
		o.SharePath = "/share"
	}
	if (len(o.TLSCertPEM) == 0) != (len(o.TLSKeyPEM) == 0) {
		return fmt.Errorf("sql options %s: TLSCertPEM and TLSKeyPEM go together", o.Name)
	}
	if o.Kind == SQLReal && (len(o.Args) > 0 || len(o.TLSCertPEM) > 0 || o.Domain != nil) {
		return fmt.Errorf("sql options %s: simulator flags %q given for the real server image", o.Name, o.Args)
	}
	for i, m := range o.Mounts {
		if !strings.HasPrefix(m.Path, "/") {
			return fmt.Errorf("sql options %s: mount %d: container path %q must be absolute", o.Name, i, m.Path)
		}
		if err := m.Mount.validate(fmt.Sprintf("sql options %s mount %s", o.Name, m.Path)); err != nil {
			return err
		}
	}
	for cp, hp := range o.Publish {
		if _, err := mobynet.ParsePort(cp); err != nil || cp == sqlPort || hp < 0 || hp > 65535 {
			return fmt.Errorf("sql options %s: publish %q on %d: want another container port than the SQL port, as 5022/tcp, on a host port", o.Name, cp, hp)
		}
	}
	if o.Alias == "" {
		o.Alias = strings.ToLower(o.Name)
	}
	return nil
}

func (o *SQLOptions) spec(ctx context.Context, d *Docker) (instanceSpec, error) {
	s := instanceSpec{
		alias: o.Alias, dataCenter: o.DataCenter, role: "sql", port: sqlPort,
		hostname: o.Name, timeout: o.StartTimeout, logf: o.Logf, aliases: o.Aliases, hostPort: o.HostPort,
		publish: o.Publish,
		mounts:  []mountSpec{{m: o.Data, target: sqlDataPath, prefix: "pchat-" + sanitize(o.Alias) + "-data"}},
	}
	if o.Share != (Mount{}) {
		s.mounts = append(s.mounts, mountSpec{m: o.Share, target: o.SharePath})
	}
	for _, m := range o.Mounts {
		s.mounts = append(s.mounts, mountSpec{m: m.Mount, target: m.Path, prefix: "pchat-" + sanitize(o.Alias) + "-" + sanitize(m.Path)})
	}
	switch o.Kind {
	case SQLReal:
		s.image = o.Image
		if s.image == "" {
			s.image = RealSQLImage
		}
		ok, err := d.ImagePresent(ctx, s.image)
		if err != nil {
			return s, err
		}
		if !ok {
			return s, fmt.Errorf("%w: %s (no registry here: docker load or pull it where one is reachable)", ErrImageNotPresent, s.image)
		}
		if o.Share.Volume != "" {
			if err := d.chownVolume(ctx, o.Share.Volume, o.Build); err != nil {
				return s, err
			}
		}
		agent := "true"
		if o.AgentStopped {
			agent = "false"
		}
		s.env = map[string]string{"ACCEPT_EULA": "Y", "MSSQL_SA_PASSWORD": o.SAPassword, "MSSQL_AGENT_ENABLED": agent}
		s.readyLog = realReadyLog
		if s.timeout == 0 {
			s.timeout = 4 * time.Minute
		}
	default:
		s.image = o.Image
		if s.image == "" {
			img, err := d.EnsureImage(ctx, SimulatorSpec, o.Build)
			if err != nil {
				return s, err
			}
			s.image = img.RunRef()
		}
		s.env = map[string]string{"MSSQLSIM_SA_PASSWORD": o.SAPassword}
		s.cmd = []string{"--listen", "0.0.0.0:1433", "--data", sqlDataPath, "--name", o.Name}
		if o.ServiceAccount != "" {
			s.cmd = append(s.cmd, "--service-account", o.ServiceAccount)
		}
		if o.AgentAccount != "" {
			s.cmd = append(s.cmd, "--agent-account", o.AgentAccount)
		}
		if o.AgentStopped {
			s.cmd = append(s.cmd, "--agent=false")
		}
		if len(o.TLSCertPEM) > 0 {
			s.cmd = append(s.cmd, "--tls-cert", sqlCertPath, "--tls-key", sqlKeyPath)
			// Copied files belong to root and the image runs as ImageUID:
			// the key must be readable by others, which inside this
			// container is the simulator alone.
			s.files = append(s.files,
				testcontainers.ContainerFile{Reader: bytes.NewReader(o.TLSCertPEM), ContainerFilePath: sqlCertPath, FileMode: 0o444},
				testcontainers.ContainerFile{Reader: bytes.NewReader(o.TLSKeyPEM), ContainerFilePath: sqlKeyPath, FileMode: 0o444})
		}
		if d := o.Domain; d != nil {
			s.cmd = append(s.cmd, "--domain", d.Name, "--domain-accounts-file", sqlDomainPath)
			if d.DNS != "" {
				s.cmd = append(s.cmd, "--domain-dns", d.DNS)
			}
			for _, l := range d.Logins {
				s.cmd = append(s.cmd, "--windows-login", l)
			}
			for _, l := range d.Sysadmins {
				s.cmd = append(s.cmd, "--sysadmin", l)
			}
			s.files = append(s.files, testcontainers.ContainerFile{Reader: bytes.NewReader(d.Accounts), ContainerFilePath: sqlDomainPath, FileMode: 0o444})
		}
		s.cmd = append(s.cmd, o.Args...)
		s.readyLog = simReadyLine
		if s.timeout == 0 {
			s.timeout = 60 * time.Second
		}
	}
	return s, nil
}

func dockerFor(ctx context.Context, d *Docker, nw *Network) (*Docker, bool, error) {
	switch {
	case d != nil:
		return d, false, nil
	case nw != nil:
		return nw.d, false, nil
	}
	d, err := Connect(ctx)
	if err != nil {
		return nil, false, err
	}
	return d, true, nil
}

// DSN is a go-mssqldb URL for sa to database over the published port.
// It holds the password: never log it.
func (s *SQLInstance) DSN(database string) string { return sqlDSN(s.HostAddr(), s.password, database) }

// NetworkDSN is the same for a client inside the world's network.
func (s *SQLInstance) NetworkDSN(database string) string {
	return sqlDSN(s.NetworkAddr(), s.password, database)
}

// sqlDSN disables encryption: the simulator answers PRELOGIN with NOT_SUP
// (reference/tds-and-containers.md §2.3) and the real server accepts it.
func sqlDSN(addr, password, database string) string {
	q := url.Values{}
	if database != "" {
		q.Set("database", database)
	}
	q.Set("encrypt", "disable")
	u := url.URL{Scheme: "sqlserver", User: url.UserPassword("sa", password), Host: addr, RawQuery: q.Encode()}
	return u.String()
}

// String names the instance without its password.
func (s *SQLInstance) String() string {
	return fmt.Sprintf("%s (%s, %s, host %s)", s.Name, s.Kind, s.NetworkAddr(), s.HostAddr())
}
