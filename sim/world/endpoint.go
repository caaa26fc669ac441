package world

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	lyncfake "github.com/pchatdr/harness/fakes/lync"
	"github.com/pchatdr/harness/fakes/lync/pool"
	"github.com/pchatdr/harness/sim/containers"
)

// PoolEndpoint is the fake management endpoint as the world and the
// scenarios use it beside the engine's WinRM: the pool's true state (what
// the Central Management Store holds, not what a client reads back), the
// endpoint's event log, and fault injection. In process it is the fake's
// Server; on the containers target it is the container's HTTP API (GET
// /state, GET /events, POST /faults), so every call can fail, and says so.
type PoolEndpoint interface {
	// URL is the base URL as the host sees it: WinRM at URL()+"/wsman",
	// the chat servers' state read-back at URL()+"/state".
	URL() string
	// InContainer is whether the endpoint runs in a container.
	InContainer() bool
	// State is the pool's configuration as the endpoint holds it.
	State(ctx context.Context) (pool.State, error)
	// Events is the endpoint's event log since it (last) started.
	Events(ctx context.Context) ([]pool.Event, error)
	// Inject arms a fault in the endpoint.
	Inject(ctx context.Context, f lyncfake.Fault) error
}

// poolEndpoint is what the world itself needs beyond PoolEndpoint.
type poolEndpoint interface {
	PoolEndpoint
	close() error
}

// processEndpoint is the fake running in this process.
type processEndpoint struct{ srv *lyncfake.Server }

func (e processEndpoint) URL() string       { return e.srv.URL }
func (e processEndpoint) InContainer() bool { return false }
func (e processEndpoint) State(context.Context) (pool.State, error) {
	return e.srv.State(), nil
}
func (e processEndpoint) Events(context.Context) ([]pool.Event, error) {
	return e.srv.Events(), nil
}
func (e processEndpoint) Inject(_ context.Context, f lyncfake.Fault) error {
	e.srv.Inject(f)
	return nil
}
func (e processEndpoint) close() error {
	e.srv.Close()
	return nil
}

// containerEndpoint is the fake in its container, reached over HTTPS on
// its published port with the world's CA and the endpoint's Basic
// credentials, as the engine reaches it. A goroutine brings its events
// onto the world's timeline (the container cannot call back into the
// world); it ends in close.
type containerEndpoint struct {
	ctr            *containers.LyncInstance
	base           string // https://127.0.0.1:PORT: a fixed host port, the same after a restart
	user, password string
	client         *http.Client
	onEvent        func(pool.Event)
	report         func(err error) // a failed poll, once per distinct failure

	// pullMu orders pulls: since is the last event brought onto the
	// timeline, so each event arrives once.
	pullMu  sync.Mutex
	since   int64
	closed  bool
	lastErr string

	cancel context.CancelFunc
	done   chan struct{}
}

// pollInterval is how often the events of the endpoint container are
// brought onto the timeline (a timeline reader pulls the rest).
const pollInterval = 100 * time.Millisecond

func newContainerEndpoint(ctr *containers.LyncInstance, caPEM []byte, user, password string, onEvent func(pool.Event), report func(error)) (*containerEndpoint, error) {
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		return nil, errors.New("world: management endpoint: no certificate in the CA")
	}
	return &containerEndpoint{
		ctr: ctr, base: ctr.BaseURL(), user: user, password: password,
		client: &http.Client{
			Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}},
			Timeout:   30 * time.Second,
		},
		onEvent: onEvent, report: report,
	}, nil
}

func (e *containerEndpoint) URL() string       { return e.base }
func (e *containerEndpoint) InContainer() bool { return true }

func (e *containerEndpoint) State(ctx context.Context) (pool.State, error) {
	var st pool.State
	err := e.do(ctx, http.MethodGet, "/state", nil, http.StatusOK, &st)
	return st, err
}

func (e *containerEndpoint) Events(ctx context.Context) ([]pool.Event, error) {
	return e.eventsSince(ctx, 0)
}

func (e *containerEndpoint) eventsSince(ctx context.Context, since int64) ([]pool.Event, error) {
	var ev []pool.Event
	err := e.do(ctx, http.MethodGet, "/events?since="+strconv.FormatInt(since, 10), nil, http.StatusOK, &ev)
	return ev, err
}

func (e *containerEndpoint) Inject(ctx context.Context, f lyncfake.Fault) error {
	body, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("world: inject %s: %w", f, err)
	}
	if err := e.do(ctx, http.MethodPost, "/faults", body, http.StatusNoContent, nil); err != nil {
		return fmt.Errorf("world: inject %s: %w", f, err)
	}
	return nil
}

// do sends one request with the endpoint's credentials (only /faults asks
// for them; sending them everywhere costs nothing) and decodes the answer.
func (e *containerEndpoint) do(ctx context.Context, method, path string, body []byte, want int, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, e.base+path, rd)
	if err != nil {
		return fmt.Errorf("management endpoint: %w", err)
	}
	req.SetBasicAuth(e.user, e.password)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return fmt.Errorf("management endpoint: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("management endpoint: %s %s: %s %s", method, path, resp.Status, bytes.TrimSpace(msg))
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("management endpoint: %s %s: %w", method, path, err)
	}
	return nil
}

// start runs the goroutine that polls the endpoint's events.
func (e *containerEndpoint) start() {
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel, e.done = cancel, make(chan struct{})
	go func() {
		defer close(e.done)
		t := time.NewTicker(pollInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				e.poll(ctx)
			}
		}
	}()
}

// poll brings new events onto the timeline, reporting a failure once
// until the endpoint answers again.
func (e *containerEndpoint) poll(ctx context.Context) {
	e.pullMu.Lock()
	defer e.pullMu.Unlock()
	e.pullLocked(ctx)
}

func (e *containerEndpoint) pullLocked(ctx context.Context) {
	if e.closed {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	ev, err := e.eventsSince(ctx, e.since)
	if err != nil {
		if ctx.Err() == nil || errors.Is(ctx.Err(), context.DeadlineExceeded) {
			if msg := err.Error(); msg != e.lastErr {
				e.lastErr = msg
				e.report(err)
			}
		}
		return
	}
	e.lastErr = ""
	for _, ev := range ev {
		if ev.Seq <= e.since {
			continue
		}
		e.since = ev.Seq
		e.onEvent(ev)
	}
}

// sync is the timeline's read hook: what happened up to now is on it.
func (e *containerEndpoint) sync() { e.poll(context.Background()) }

// restart stops the container and starts it again on the same host port:
// the pool state survives in its state file, its event log starts over.
func (e *containerEndpoint) restart(ctx context.Context) error {
	e.pullMu.Lock()
	defer e.pullMu.Unlock()
	e.pullLocked(ctx) // the old process's last events
	if err := e.ctr.Stop(ctx, 10*time.Second); err != nil {
		return fmt.Errorf("world: restart management endpoint: %w", err)
	}
	if err := e.ctr.Start(ctx); err != nil {
		return fmt.Errorf("world: restart management endpoint: %w", err)
	}
	e.since = 0
	if got := e.ctr.BaseURL(); got != e.base {
		return fmt.Errorf("world: restart management endpoint: it came back on %s, not %s", got, e.base)
	}
	return nil
}

// close stops the poller and brings the last events in; the container
// itself goes with the backend (containerBackend.close).
func (e *containerEndpoint) close() error {
	if e.cancel != nil {
		e.cancel()
		<-e.done
	}
	e.pullMu.Lock()
	defer e.pullMu.Unlock()
	e.pullLocked(context.Background())
	e.closed = true
	e.client.CloseIdleConnections()
	return nil
}
