// Package loadtest drives the simulated deployment under steady chat
// traffic: a load generator that posts users' messages at a fixed rate
// through the world's chat servers while the failback (or days of log
// shipping on a sped-up SQL Server Agent clock) runs, so the ledger check
// afterwards covers messages acknowledged at every moment of the procedure,
// not only the few a scenario posts between its steps.
package loadtest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/pchatdr/harness/sim/chat"
)

// Poster posts one user's message to a channel through whichever chat
// server takes it (*world.World is one). A post refused because no server
// is active wraps chat.ErrInactive.
type Poster interface {
	Post(ctx context.Context, channel, user int) (chat.Message, error)
}

// Config configures a load generator.
type Config struct {
	// Rate is the steady rate in messages per second (required).
	Rate float64
	// Channels and Users are how many channels and users the posts are
	// spread over (defaults 4 and 25, the world's scenario traffic).
	Channels, Users int
	// Seed makes the channel and user of every post reproducible.
	Seed uint64
	// MaxInFlight bounds the posts outstanding at once (default 4). A tick
	// that finds them all busy is counted as missed rather than queued, so
	// the generator never builds a backlog that bursts when the store comes
	// back: the rate stays the rate.
	MaxInFlight int
	// PostTimeout bounds one post (default 30s). Posts are not cancelled
	// when the traffic stops: an INSERT interrupted after its commit would
	// be stored but never acknowledged, a phantom the harness made, not
	// the procedure.
	PostTimeout time.Duration
}

func (c Config) withDefaults() (Config, error) {
	if c.Rate <= 0 || c.Rate > 1e6 {
		return c, fmt.Errorf("loadtest: rate must be in (0, 1e6] messages per second, got %v", c.Rate)
	}
	if c.Channels <= 0 {
		c.Channels = 4
	}
	if c.Users <= 0 {
		c.Users = 25
	}
	if c.MaxInFlight <= 0 {
		c.MaxInFlight = 4
	}
	if c.PostTimeout <= 0 {
		c.PostTimeout = 30 * time.Second
	}
	return c, nil
}

// Stats is what a load generator did so far.
type Stats struct {
	// Attempted posts were sent to the pool; each ends as exactly one of
	// Acknowledged, Refused or Failed (InFlight while it has not ended).
	Attempted    int
	Acknowledged int // stored and recorded in the ledger by a chat server
	Refused      int // no active chat server took it (chat.ErrInactive)
	Failed       int // any other error: not acknowledged, so not expected
	InFlight     int
	// Missed ticks found MaxInFlight posts outstanding: the pool could not
	// keep up with the rate.
	Missed int
	// ByServer counts acknowledgements per chat server FQDN, which tells
	// the data center that served them.
	ByServer map[string]int
	// FirstAck and LastAck bound the acknowledgements; FirstRefusal and
	// LastRefusal the refusals (zero when none).
	FirstAck, LastAck         time.Time
	FirstRefusal, LastRefusal time.Time
	// Errors holds the first few failures' texts.
	Errors []string
	// Started is when the generator started; Elapsed how long it ran.
	Started time.Time
	Elapsed time.Duration
}

func (s Stats) String() string {
	return fmt.Sprintf("%d attempted, %d acknowledged, %d refused, %d failed, %d missed ticks in %s",
		s.Attempted, s.Acknowledged, s.Refused, s.Failed, s.Missed, s.Elapsed.Round(time.Millisecond))
}

const keepErrors = 5

// Generator is a running load generator.
type Generator struct {
	cfg    Config
	poster Poster
	cancel context.CancelFunc
	done   chan struct{}

	mu    sync.Mutex
	stats Stats
	ended bool
}

// Start starts posting at cfg.Rate until Stop or until ctx is done.
func Start(ctx context.Context, p Poster, cfg Config) (*Generator, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, errors.New("loadtest: no poster")
	}
	ctx, cancel := context.WithCancel(ctx)
	g := &Generator{cfg: cfg, poster: p, cancel: cancel, done: make(chan struct{}),
		stats: Stats{ByServer: map[string]int{}, Started: time.Now()}}
	go g.run(ctx)
	return g, nil
}

// Run posts at cfg.Rate until ctx is done and returns what it did once
// every post it started has ended.
func Run(ctx context.Context, p Poster, cfg Config) (Stats, error) {
	g, err := Start(ctx, p, cfg)
	if err != nil {
		return Stats{}, err
	}
	<-g.done
	return g.Stats(), nil
}

// Stop stops the ticking, waits for the posts in flight to end and
// returns the final figures. It may be called more than once.
func (g *Generator) Stop() Stats {
	g.cancel()
	<-g.done
	return g.Stats()
}

// Stats returns the figures so far (final once Stop returned).
func (g *Generator) Stats() Stats {
	g.mu.Lock()
	defer g.mu.Unlock()
	s := g.stats
	s.ByServer = make(map[string]int, len(g.stats.ByServer))
	for k, v := range g.stats.ByServer {
		s.ByServer[k] = v
	}
	s.Errors = append([]string(nil), g.stats.Errors...)
	if !g.ended {
		s.Elapsed = time.Since(s.Started)
	}
	return s
}

func (g *Generator) run(ctx context.Context) {
	defer close(g.done)
	var wg sync.WaitGroup
	defer func() {
		wg.Wait()
		g.mu.Lock()
		g.stats.Elapsed = time.Since(g.stats.Started)
		g.ended = true
		g.mu.Unlock()
	}()
	// One source, drawn only here and only for posts sent: the sequence of
	// (channel, user) the pool sees is the seed's whatever the timing.
	rng := rand.New(rand.NewPCG(g.cfg.Seed, g.cfg.Seed^0x9e3779b97f4a7c15))
	slots := make(chan struct{}, g.cfg.MaxInFlight)
	// The posts outlive the ticking (see Config.PostTimeout) but not Run.
	postCtx := context.WithoutCancel(ctx)
	t := time.NewTicker(time.Duration(float64(time.Second) / g.cfg.Rate))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if ctx.Err() != nil {
			return
		}
		select {
		case slots <- struct{}{}:
		default:
			g.mu.Lock()
			g.stats.Missed++
			g.mu.Unlock()
			continue
		}
		channel, user := 1+rng.IntN(g.cfg.Channels), 1+rng.IntN(g.cfg.Users)
		g.mu.Lock()
		g.stats.Attempted++
		g.stats.InFlight++
		g.mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			pctx, cancel := context.WithTimeout(postCtx, g.cfg.PostTimeout)
			m, err := g.poster.Post(pctx, channel, user)
			cancel()
			g.record(m, err)
		}()
	}
}

func (g *Generator) record(m chat.Message, err error) {
	now := time.Now()
	g.mu.Lock()
	defer g.mu.Unlock()
	g.stats.InFlight--
	switch {
	case err == nil:
		g.stats.Acknowledged++
		g.stats.ByServer[m.Server]++
		if g.stats.FirstAck.IsZero() {
			g.stats.FirstAck = now
		}
		g.stats.LastAck = now
	case errors.Is(err, chat.ErrInactive):
		g.stats.Refused++
		if g.stats.FirstRefusal.IsZero() {
			g.stats.FirstRefusal = now
		}
		g.stats.LastRefusal = now
	default:
		g.stats.Failed++
		if len(g.stats.Errors) < keepErrors {
			g.stats.Errors = append(g.stats.Errors, err.Error())
		}
	}
}
