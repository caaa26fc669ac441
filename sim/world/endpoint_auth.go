package world

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/pchatdr/harness/failback/lync"
	"github.com/pchatdr/harness/fakes/lync/pool"
)

// managementHTTP is an HTTP client that trusts the endpoint's certificate,
// as the engine does (the topology's CA file).
func (w *World) managementHTTP() (*http.Client, string, error) {
	m := w.Topology.Management
	ca, err := os.ReadFile(m.CAFile)
	if err != nil {
		return nil, "", fmt.Errorf("world: management CA: %w", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(ca) {
		return nil, "", fmt.Errorf("world: management CA %s holds no certificate", m.CAFile)
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}}, m.URL, nil
}

// ManagementLogon is what the management endpoint answers a WinRM request
// with no credentials (the schemes its 401 offers) and one with the
// account's password in Basic (its HTTP status).
type ManagementLogon struct {
	Offered     []string
	BasicStatus int
}

// ProbeManagementLogon asks the endpoint, as any HTTP client could, how it
// authenticates.
func (w *World) ProbeManagementLogon(ctx context.Context) (ManagementLogon, error) {
	hc, url, err := w.managementHTTP()
	if err != nil {
		return ManagementLogon{}, err
	}
	pw, err := w.Topology.Management.Password.Resolve()
	if err != nil {
		return ManagementLogon{}, err
	}
	var out ManagementLogon
	for _, basic := range []bool{false, true} {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader("<s:Envelope/>"))
		if err != nil {
			return ManagementLogon{}, err
		}
		req.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
		if basic {
			req.SetBasicAuth(w.Topology.Management.User, pw)
		}
		resp, err := hc.Do(req)
		if err != nil {
			return ManagementLogon{}, fmt.Errorf("world: management endpoint: %w", err)
		}
		resp.Body.Close()
		if basic {
			out.BasicStatus = resp.StatusCode
		} else {
			out.Offered = resp.Header.Values("WWW-Authenticate")
		}
	}
	return out, nil
}

// RunOnPool runs a script on the management endpoint with the engine's
// client (NTLM, the topology's account) importing module first.
func (w *World) RunOnPool(ctx context.Context, module lync.Module, script string) (lync.Output, error) {
	c, err := w.PoolClient()
	if err != nil {
		return lync.Output{}, err
	}
	return c.Runner.Run(ctx, "$ErrorActionPreference = 'Stop'; Import-Module "+string(module)+"; "+script)
}

// EndpointCommands are the command lines the management endpoint ran, with
// who ran them and how WinRM authenticated them.
func (w *World) EndpointCommands(ctx context.Context) ([]pool.Event, error) {
	p := w.Pool()
	if p == nil {
		return nil, fmt.Errorf("world: no management endpoint")
	}
	ev, err := p.Events(ctx)
	if err != nil {
		return nil, err
	}
	var out []pool.Event
	for _, e := range ev {
		if e.Kind == pool.KindCommand {
			out = append(out, e)
		}
	}
	return out, nil
}
