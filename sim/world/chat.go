package world

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"

	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/sim/chat"
	"github.com/pchatdr/harness/sim/mssql"
)

// StartChat starts one simulated Persistent Chat server per pool server.
// They read the pool's configuration from the management endpoint and hold
// sessions to the store its state selects: the primary instance when
// Normal, the backup instance when FailedOver.
func (w *World) StartChat(ctx context.Context) error {
	ep := w.Pool()
	if ep == nil {
		return errors.New("world: chat servers need the management endpoint")
	}
	if len(w.chat) > 0 {
		return nil
	}
	ca, err := os.ReadFile(w.Topology.Management.CAFile)
	if err != nil {
		return fmt.Errorf("world: chat: %w", err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(ca)
	// Every chat server polls the pool's configuration through this one
	// client, several times a second: with net/http's default of two idle
	// connections per host, all but two of them closed their connection
	// after each poll and paid a fresh TLS handshake for the next (a
	// hybrid ML-KEM key exchange on both ends, in this process), which
	// took a third of the simulator's CPU during a failback's outage. A
	// real chat server keeps its own connection to its configuration
	// store, so one idle connection per server is the faithful figure.
	client := &http.Client{Transport: &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		MaxIdleConnsPerHost: len(w.Topology.Pool.Servers) + 1,
	}}
	w.httpClient = client
	if w.Ledger == nil {
		w.Ledger = chat.NewLedger()
	}
	for _, sv := range w.Topology.Pool.Servers {
		name, dc := sv.FQDN, sv.DataCenter
		w.chat = append(w.chat, chat.Start(ctx, chat.Config{
			FQDN:       name,
			StateURL:   ep.URL() + "/state",
			HTTPClient: client,
			Stores:     func(state string) (string, string, error) { return w.stores(dc, state) },
			Ledger:     w.Ledger,
			Report: func(kind, detail string, err error) {
				w.Timeline.Add("chat/"+name, kind, detail, err)
			},
		}))
	}
	return nil
}

// stores maps a pool state to the instance serving it, as a chat server
// in data center from reaches it (over a link when elsewhere).
func (w *World) stores(from, poolState string) (string, string, error) {
	role := topology.RolePrimary
	if poolState == "FailedOver" {
		role = topology.RoleBackup
	}
	inst, err := w.InstanceByRole(role)
	if err != nil {
		return "", "", err
	}
	mgc := mssql.DSN(w.Via(from, inst), "sa", inst.password, "mgc")
	comp := ""
	if w.Topology.Compliance {
		if ci, ok := w.Topology.ComplianceInstance(role); ok {
			if c, ok := w.Instance(ci.Name); ok {
				comp = mssql.DSN(w.Via(from, c), "sa", c.password, "mgccomp")
			}
		}
	}
	return mgc, comp, nil
}

// ChatServers are the running chat servers.
func (w *World) ChatServers() []*chat.Server { return w.chat }

// Post sends one user's message through the next active chat server; it
// fails with chat.ErrInactive when no server is active (the outage).
func (w *World) Post(ctx context.Context, channel, user int) (chat.Message, error) {
	n := len(w.chat)
	start := int(w.postSeq.Add(1))
	for i := 0; i < n; i++ {
		s := w.chat[(start+i)%n]
		if s.Active() {
			m, err := s.Post(ctx, channel, user, fmt.Sprintf("message %d from user %d", start, user))
			if errors.Is(err, chat.ErrInactive) {
				continue
			}
			return m, err
		}
	}
	return chat.Message{}, fmt.Errorf("world: no chat server accepts posts: %w", chat.ErrInactive)
}

func (w *World) stopChat() {
	for _, s := range w.chat {
		s.Close()
	}
	w.chat = nil
	if w.httpClient != nil {
		w.httpClient.CloseIdleConnections()
	}
}

// PostWhenActive posts n messages, waiting (bounded) for an active chat
// server when none takes posts yet, as users' clients retry until a
// server of the new active list accepts them.
func (w *World) PostWhenActive(ctx context.Context, n int) error { return w.postWhenActive(ctx, n) }
