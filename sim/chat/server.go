package chat

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	mssqldb "github.com/microsoft/go-mssqldb"
)

// ProgramName is what real Persistent Chat servers put in the TDS login, so
// the engine (and an operator with sys.dm_exec_sessions) can tell chat
// sessions from its own.
const ProgramName = "Persistent Chat"

// ErrInactive is a post to a server that is not in the active list: real
// inactive servers refuse new client connections.
var ErrInactive = errors.New("chat server is not active")

// PoolView is the part of the pool's configuration a chat server reads
// (the fake endpoint's GET /state), as real ones read their configuration
// store.
type PoolView struct {
	PoolFQDN      string   `json:"poolFqdn"`
	PoolState     string   `json:"poolState"` // Normal | FailedOver
	ActiveServers []string `json:"activeServers"`
}

// Stores says which SQL instance holds mgc and mgccomp for a pool state:
// the primary for Normal, the backup for FailedOver. DSNs come back ready
// for go-mssqldb; compliance is "" when compliance is off.
type Stores func(poolState string) (mgc, compliance string, err error)

// Config configures one simulated chat server.
type Config struct {
	FQDN       string
	StateURL   string       // e.g. https://127.0.0.1:port/state
	HTTPClient *http.Client // with the endpoint's CA
	Stores     Stores
	Poll       time.Duration // how often the configuration is re-read (default 100ms)
	Ledger     *Ledger
	// Report receives connects, disconnects and failures for the timeline.
	Report func(kind, detail string, err error)
}

// Server is a simulated Persistent Chat server: while active it holds one
// session to mgc (and mgccomp) on the store the pool state selects, and
// posts through it; when made inactive it closes its sessions.
type Server struct {
	cfg    Config
	cancel context.CancelFunc
	done   chan struct{}

	mu       sync.Mutex
	active   bool
	store    string // DSN of the mgc it is connected to
	mgc      *sql.DB
	comp     *sql.DB
	conn     *sql.Conn // the held mgc session
	compConn *sql.Conn
	lastErr  error
	stuck    bool // ignores the configuration (stuck.go)
}

// Start runs the server's configuration loop until Close.
func Start(ctx context.Context, cfg Config) *Server {
	if cfg.Poll <= 0 {
		cfg.Poll = 100 * time.Millisecond
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	if cfg.Ledger == nil {
		cfg.Ledger = NewLedger()
	}
	ctx, cancel := context.WithCancel(ctx)
	s := &Server{cfg: cfg, cancel: cancel, done: make(chan struct{})}
	go s.loop(ctx)
	return s
}

func (s *Server) report(kind, detail string, err error) {
	if s.cfg.Report != nil {
		s.cfg.Report(kind, detail, err)
	}
}

func (s *Server) loop(ctx context.Context) {
	defer close(s.done)
	defer s.disconnect("server stopped")
	t := time.NewTicker(s.cfg.Poll)
	defer t.Stop()
	seen := ""
	for {
		seen = s.sync(ctx, seen)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// sync reads the pool's configuration and connects or disconnects. seen
// is the configuration's version the last sync acted on ("" for none):
// the read then waits for the next change (GET /state?after=), so a server
// whose configuration has not changed costs one request a second, not ten
// (the endpoint answers at once when a change is already there). It returns
// the version it acted on, or "" when it must read again at the next poll:
// a failure to retry, a stuck server, or an endpoint that gives no version.
func (s *Server) sync(ctx context.Context, seen string) string {
	if s.isStuck() {
		return ""
	}
	view, version, err := s.readView(ctx, seen)
	if err != nil {
		if seen != "" {
			// A wait the endpoint's restart cut short: read again at the
			// next poll, as a plain poll would have, before calling it a
			// failure.
			return ""
		}
		s.fail(fmt.Errorf("read pool configuration: %w", err))
		return ""
	}
	if s.isStuck() {
		return "" // made stuck while the read waited
	}
	active := false
	for _, a := range view.ActiveServers {
		if strings.EqualFold(a, s.cfg.FQDN) {
			active = true
		}
	}
	if !active {
		s.mu.Lock()
		s.active = false
		s.mu.Unlock()
		s.disconnect("removed from the active list")
		return version
	}
	mgcDSN, compDSN, err := s.cfg.Stores(view.PoolState)
	if err != nil {
		s.fail(err)
		return ""
	}
	s.mu.Lock()
	same := s.conn != nil && s.store == mgcDSN
	s.mu.Unlock()
	if same {
		s.mu.Lock()
		s.active = true
		s.mu.Unlock()
		return version
	}
	s.disconnect("pool state " + view.PoolState)
	if err := s.connect(ctx, mgcDSN, compDSN); err != nil {
		s.fail(err)
		return ""
	}
	s.report("connect", fmt.Sprintf("active, pool %s: session to mgc", view.PoolState), nil)
	return version
}

func (s *Server) fail(err error) {
	s.mu.Lock()
	repeat := s.lastErr != nil && s.lastErr.Error() == err.Error()
	s.lastErr = err
	s.mu.Unlock()
	if !repeat {
		s.report("error", "", err)
	}
}

// readView reads the pool's configuration, after a version: waiting for
// the next change (see sync). It returns the endpoint's version of what
// it read ("" when the endpoint gives none).
func (s *Server) readView(ctx context.Context, after string) (PoolView, string, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	u := s.cfg.StateURL
	if after != "" {
		u += "?after=" + url.QueryEscape(after)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return PoolView{}, "", err
	}
	resp, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		return PoolView{}, "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return PoolView{}, "", fmt.Errorf("GET %s: %s", s.cfg.StateURL, resp.Status)
	}
	var v PoolView
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		return PoolView{}, "", fmt.Errorf("GET %s: %w", s.cfg.StateURL, err)
	}
	return v, resp.Header.Get(StateVersionHeader), nil
}

// StateVersionHeader is the header the management endpoint gives its
// configuration's version in (fakes/lync's StateVersionHeader).
const StateVersionHeader = "X-Pool-Version"

func (s *Server) connect(ctx context.Context, mgcDSN, compDSN string) error {
	open := func(dsn string) (*sql.DB, *sql.Conn, error) {
		db, err := sql.Open("sqlserver", withApp(dsn, s.cfg.FQDN))
		if err != nil {
			return nil, nil, err
		}
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		c, err := db.Conn(cctx)
		if err == nil {
			err = c.PingContext(cctx)
		}
		if err != nil {
			if c != nil {
				c.Close()
			}
			db.Close()
			return nil, nil, err
		}
		return db, c, nil
	}
	mgc, conn, err := open(mgcDSN)
	if err != nil {
		return fmt.Errorf("connect to mgc: %w", err)
	}
	var comp *sql.DB
	var compConn *sql.Conn
	if compDSN != "" {
		if comp, compConn, err = open(compDSN); err != nil {
			conn.Close()
			mgc.Close()
			return fmt.Errorf("connect to mgccomp: %w", err)
		}
	}
	s.mu.Lock()
	// Active together with the session: a post may come the moment the
	// session is visible to the store.
	s.mgc, s.conn, s.comp, s.compConn, s.store, s.lastErr = mgc, conn, comp, compConn, mgcDSN, nil
	s.active = true
	s.mu.Unlock()
	return nil
}

// withApp sets the program and host names the login carries.
func withApp(dsn, host string) string {
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + "app+name=" + strings.ReplaceAll(ProgramName, " ", "+") + "&workstation+id=" + host
}

func (s *Server) disconnect(why string) {
	s.mu.Lock()
	had := s.conn != nil
	for _, c := range []*sql.Conn{s.conn, s.compConn} {
		if c != nil {
			c.Close()
		}
	}
	for _, d := range []*sql.DB{s.mgc, s.comp} {
		if d != nil {
			d.Close()
		}
	}
	s.mgc, s.conn, s.comp, s.compConn, s.store = nil, nil, nil, nil, ""
	s.mu.Unlock()
	if had {
		s.report("disconnect", why, nil)
	}
}

// Active reports whether the server accepts posts now.
func (s *Server) Active() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.active && s.conn != nil
}

// FQDN is the server's name.
func (s *Server) FQDN() string { return s.cfg.FQDN }

// Post stores a user's message and acknowledges it (in the ledger) only
// after the store committed it; the compliance copy goes to mgccomp.
func (s *Server) Post(ctx context.Context, channel, user int, content string) (Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.active || s.conn == nil {
		return Message{}, fmt.Errorf("post to %s: %w", s.cfg.FQDN, ErrInactive)
	}
	var id mssqldb.UniqueIdentifier
	if _, err := rand.Read(id[:]); err != nil {
		return Message{}, err
	}
	if _, err := s.conn.ExecContext(ctx,
		"INSERT INTO dbo.tblChat (channelId, userId, msgId, content, chatDate, serverFqdn) VALUES (@p1, @p2, @p3, @p4, SYSUTCDATETIME(), @p5)",
		channel, user, id, content, s.cfg.FQDN); err != nil {
		return Message{}, fmt.Errorf("post to %s: %w", s.cfg.FQDN, err)
	}
	m := Message{ID: id, Channel: channel, User: user, Content: content, Server: s.cfg.FQDN, AckedAt: time.Now()}
	s.cfg.Ledger.Ack(m)
	if s.compConn != nil {
		// The compliance adapter's copy; a failure here does not un-acknowledge
		// the post (mgccomp is transient content, reference §3).
		if _, err := s.compConn.ExecContext(ctx,
			"INSERT INTO dbo.tblComplianceChat (msgId, channelId, content, eventDate) VALUES (@p1, @p2, @p3, SYSUTCDATETIME())",
			id, channel, content); err != nil {
			s.report("error", "compliance copy", err)
		}
	}
	return m, nil
}

// Close stops the server and closes its sessions.
func (s *Server) Close() {
	s.cancel()
	<-s.done
}
