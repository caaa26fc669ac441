// Package chat simulates Persistent Chat traffic: servers that post users'
// messages into mgc and acknowledge them only after the commit returns, and
// the ledger that remembers every acknowledged message so a check after
// failback can name what was lost, duplicated or invented.
package chat

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	mssqldb "github.com/microsoft/go-mssqldb"
)

// Message is one acknowledged chat message.
type Message struct {
	ID      mssqldb.UniqueIdentifier
	Channel int
	User    int
	Content string
	Server  string // the chat server that acknowledged it
	AckedAt time.Time
}

// Ledger records acknowledged messages; safe for concurrent use.
type Ledger struct {
	mu   sync.Mutex
	msgs map[mssqldb.UniqueIdentifier]Message
	// history counts messages seeded into mgc as old history (the world's
	// SeedHistory), all dated before historyBefore: too many to remember
	// one by one, checked by count.
	history       int64
	historyBefore time.Time
}

// NewLedger returns an empty ledger.
func NewLedger() *Ledger { return &Ledger{msgs: map[mssqldb.UniqueIdentifier]Message{}} }

// Ack records a message the store committed.
func (l *Ledger) Ack(m Message) {
	l.mu.Lock()
	l.msgs[m.ID] = m
	l.mu.Unlock()
}

// AddHistory records n messages seeded into the store as history, every
// one dated (chatDate) before before, which must be earlier than any
// message the ledger acknowledges. A check then expects exactly that many
// stored messages dated before it (none lost, none duplicated) beside the
// acknowledged ones, so a production-sized history neither counts as
// phantom nor goes unchecked.
func (l *Ledger) AddHistory(n int64, before time.Time) {
	l.mu.Lock()
	l.history += n
	if l.historyBefore.IsZero() || before.Before(l.historyBefore) {
		l.historyBefore = before
	}
	l.mu.Unlock()
}

// Len is the number of acknowledged messages.
func (l *Ledger) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.msgs)
}

// Messages returns a copy of the acknowledged messages, in no particular
// order: what a check sorts by acknowledgement time (before, during, after
// a failback) or by server.
func (l *Ledger) Messages() []Message {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Message, 0, len(l.msgs))
	for _, m := range l.msgs {
		out = append(out, m)
	}
	return out
}

// Post writes one message through db (a connection to mgc) and acknowledges
// it in the ledger only after the INSERT committed, as a chat server
// acknowledges a post only once the store has it.
func Post(ctx context.Context, db *sql.DB, l *Ledger, server string, channel, user int, content string) (Message, error) {
	var id mssqldb.UniqueIdentifier
	if _, err := rand.Read(id[:]); err != nil {
		return Message{}, err
	}
	_, err := db.ExecContext(ctx,
		"INSERT INTO dbo.tblChat (channelId, userId, msgId, content, chatDate, serverFqdn) VALUES (@p1, @p2, @p3, @p4, SYSUTCDATETIME(), @p5)",
		channel, user, id, content, server)
	if err != nil {
		return Message{}, fmt.Errorf("post to %s: %w", server, err)
	}
	m := Message{ID: id, Channel: channel, User: user, Content: content, Server: server, AckedAt: time.Now()}
	l.Ack(m)
	return m, nil
}

// Report is what a check of a store against the ledger found.
type Report struct {
	Acknowledged int
	Stored       int
	Lost         []mssqldb.UniqueIdentifier // acknowledged, not stored
	Duplicated   []mssqldb.UniqueIdentifier // stored more than once
	Phantom      []mssqldb.UniqueIdentifier // stored, never acknowledged
	// LostSince is the earliest acknowledgement among the lost messages
	// (zero when none is lost): how far back the loss reaches, for the
	// RPO.
	LostSince time.Time
	// HistoryWant and HistoryStored count the seeded history (AddHistory)
	// the ledger expects and the store holds.
	HistoryWant, HistoryStored int64
}

// OK reports a store that holds exactly the acknowledged messages, once.
func (r Report) OK() bool {
	return len(r.Lost) == 0 && len(r.Duplicated) == 0 && len(r.Phantom) == 0 && r.HistoryStored == r.HistoryWant
}

func (r Report) String() string {
	if r.OK() {
		s := fmt.Sprintf("%d acknowledged messages, all stored once", r.Acknowledged)
		if r.HistoryWant > 0 {
			s += fmt.Sprintf(", beside the %d messages of seeded history", r.HistoryWant)
		}
		return s
	}
	var parts []string
	for _, p := range []struct {
		what string
		ids  []mssqldb.UniqueIdentifier
	}{{"lost", r.Lost}, {"duplicated", r.Duplicated}, {"phantom", r.Phantom}} {
		if len(p.ids) > 0 {
			parts = append(parts, fmt.Sprintf("%d %s (first %s)", len(p.ids), p.what, p.ids[0]))
		}
	}
	if r.HistoryStored != r.HistoryWant {
		parts = append(parts, fmt.Sprintf("%d messages of seeded history stored, %d seeded", r.HistoryStored, r.HistoryWant))
	}
	return fmt.Sprintf("%d acknowledged, %d stored: %s", r.Acknowledged, r.Stored, strings.Join(parts, ", "))
}

// Check compares the messages stored in mgc (through db) with the ledger.
// Phantoms are only counted when strict: a store may legitimately hold
// messages the ledger never saw (posted before the ledger began).
func (l *Ledger) Check(ctx context.Context, db *sql.DB, strict bool) (Report, error) {
	l.mu.Lock()
	before := l.historyBefore
	l.mu.Unlock()
	rows, err := db.QueryContext(ctx, "SELECT msgId, chatDate FROM dbo.tblChat")
	if err != nil {
		return Report{}, fmt.Errorf("check chat history: %w", err)
	}
	defer rows.Close()
	seen := map[mssqldb.UniqueIdentifier]int{}
	stored := 0
	var history int64
	for rows.Next() {
		var id mssqldb.UniqueIdentifier
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			return Report{}, fmt.Errorf("check chat history: %w", err)
		}
		if !before.IsZero() && at.Before(before) {
			history++
			stored++
			continue
		}
		seen[id]++
		stored++
	}
	if err := rows.Err(); err != nil {
		return Report{}, fmt.Errorf("check chat history: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	r := Report{Acknowledged: len(l.msgs), Stored: stored, HistoryWant: l.history, HistoryStored: history}
	for id := range l.msgs {
		if seen[id] == 0 {
			r.Lost = append(r.Lost, id)
			if at := l.msgs[id].AckedAt; r.LostSince.IsZero() || at.Before(r.LostSince) {
				r.LostSince = at
			}
		}
	}
	for id, n := range seen {
		if n > 1 {
			r.Duplicated = append(r.Duplicated, id)
		}
		if _, ok := l.msgs[id]; !ok && strict {
			r.Phantom = append(r.Phantom, id)
		}
	}
	for _, s := range [][]mssqldb.UniqueIdentifier{r.Lost, r.Duplicated, r.Phantom} {
		sort.Slice(s, func(i, j int) bool { return s[i].String() < s[j].String() })
	}
	return r, nil
}
