package sqlserver

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"
)

// answer is what the fake server replies to one statement text.
type answer struct {
	cols []string
	rows [][]driver.Value
	err  error
	n    int64
}

// fakeServer records statements and answers them by exact text; anything
// unknown gets an error, so a test cannot pass on a statement it did not
// expect.
type fakeServer struct {
	mu      sync.Mutex
	answers map[string]answer
	sent    []string
}

func (s *fakeServer) reply(q string) (answer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, q)
	a, ok := s.answers[q]
	if !ok {
		return answer{}, fmt.Errorf("fake server: unexpected statement %q", q)
	}
	return a, a.err
}

func (s *fakeServer) statements() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.sent...)
}

var (
	fakeMu      sync.Mutex
	fakeServers = map[string]*fakeServer{}
)

type fakeDriver struct{}

func (fakeDriver) Open(name string) (driver.Conn, error) {
	fakeMu.Lock()
	defer fakeMu.Unlock()
	s, ok := fakeServers[name]
	if !ok {
		return nil, fmt.Errorf("no fake server %q", name)
	}
	return &fakeConn{s: s}, nil
}

func init() { sql.Register("sqlserver-fake", fakeDriver{}) }

type fakeConn struct{ s *fakeServer }

func (c *fakeConn) Prepare(string) (driver.Stmt, error) { return nil, errors.New("fake: no prepare") }
func (c *fakeConn) Close() error                        { return nil }
func (c *fakeConn) Begin() (driver.Tx, error)           { return nil, errors.New("fake: no tx") }

func (c *fakeConn) ExecContext(_ context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	if len(args) > 0 {
		return nil, errors.New("fake: statements must not carry parameters")
	}
	a, err := c.s.reply(q)
	if err != nil {
		return nil, err
	}
	return driver.RowsAffected(a.n), nil
}

func (c *fakeConn) QueryContext(_ context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	if len(args) > 0 {
		return nil, errors.New("fake: statements must not carry parameters")
	}
	a, err := c.s.reply(q)
	if err != nil {
		return nil, err
	}
	return &fakeRows{cols: a.cols, rows: a.rows}, nil
}

type fakeRows struct {
	cols []string
	rows [][]driver.Value
	i    int
}

func (r *fakeRows) Columns() []string { return r.cols }
func (r *fakeRows) Close() error      { return nil }
func (r *fakeRows) Next(dest []driver.Value) error {
	if r.i >= len(r.rows) {
		return io.EOF
	}
	copy(dest, r.rows[r.i])
	r.i++
	return nil
}

// newFakeDB registers a fake server and returns a DB over it plus the
// statements the observer saw.
func newFakeDB(t *testing.T, answers map[string]answer) (*DB, *fakeServer, *[]Statement) {
	t.Helper()
	s := &fakeServer{answers: answers}
	fakeMu.Lock()
	name := fmt.Sprintf("%s-%d", t.Name(), len(fakeServers))
	fakeServers[name] = s
	fakeMu.Unlock()
	sqldb, err := sql.Open("sqlserver-fake", name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sqldb.Close() })
	var seen []Statement
	var mu sync.Mutex
	db := OpenDB(sqldb, "sql1.contoso.com:1433").WithObserver(func(st Statement) {
		mu.Lock()
		seen = append(seen, st)
		mu.Unlock()
	})
	return db, s, &seen
}
