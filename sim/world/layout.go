package world

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/sim/mssql/hostfs"
)

// InstanceLayout is where an instance of the world keeps its data on the
// host and how its server sees Windows paths there: what another runner
// (a compose service of the rehearsal lab) must hand the same server so it
// starts again, after the world stopped it, on the same folders with the
// same rules. Every committed row survives such a restart.
type InstanceLayout struct {
	Name       string // the topology's name
	Role       topology.Role
	Host       string // the machine FQDN, the name mirroring partners use
	ServerName string // @@SERVERNAME
	DataDir    string // the server's data folder (mssqlsim --data)
	// Files maps the server's Windows paths to host folders and says who
	// may use them (mssqlsim --mount, --access, --default-*).
	Files          hostfs.Config
	ServiceAccount string
	AgentAccount   string
}

// Layout is the named instance's layout, as of its last start (a rebuild
// moves it to a new data folder).
func (w *World) Layout(name string) (InstanceLayout, bool) {
	inst, ok := w.Instance(name)
	if !ok {
		return InstanceLayout{}, false
	}
	c := inst.cfg
	l := InstanceLayout{
		Name: inst.Name, Role: inst.Role, Host: inst.host, ServerName: c.Name, DataDir: c.DataDir,
		ServiceAccount: c.ServiceAccount, AgentAccount: c.AgentAccount,
	}
	if c.Files != nil {
		l.Files = *c.Files
		l.Files.Mounts = append([]hostfs.Mount(nil), c.Files.Mounts...)
		l.Files.Rules = append([]hostfs.Rule(nil), c.Files.Rules...)
	}
	return l, true
}

// PoolStateFile is where the in-process management endpoint keeps the
// pool's state ("" on the containers target): a standalone endpoint
// (lyncfake --state) started on a copy carries on from it.
func (w *World) PoolStateFile() string {
	if w.restarter == nil {
		return ""
	}
	return w.restarter.state
}

// Dir is the folder the world keeps everything in (Options.Dir).
func (w *World) Dir() string { return w.dir }

// RemotePoolEndpoint reaches a management endpoint this world did not
// start (a compose service, say) the way the world reaches its endpoint
// container: HTTPS at baseURL (https://HOST:PORT) trusting caPEM, with the
// endpoint's Basic credentials; State, Events and Inject as for the
// world's own. It holds no goroutine: Close only drops idle connections.
func RemotePoolEndpoint(baseURL string, caPEM []byte, user, password string) (PoolEndpoint, error) {
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		return nil, errors.New("world: management endpoint: no certificate in the CA")
	}
	return &containerEndpoint{
		base: strings.TrimSuffix(baseURL, "/"), user: user, password: password,
		client: &http.Client{
			Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}},
			Timeout:   30 * time.Second,
		},
	}, nil
}
