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
}

// NewLedger returns an empty ledger.
func NewLedger() *Ledger { return &Ledger{msgs: map[mssqldb.UniqueIdentifier]Message{}} }

// Ack records a message the store committed.
func (l *Ledger) Ack(m Message) {
	l.mu.Lock()
	l.msgs[m.ID] = m
	l.mu.Unlock()
}

// Len is the number of acknowledged messages.
func (l *Ledger) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.msgs)
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
}

// OK reports a store that holds exactly the acknowledged messages, once.
func (r Report) OK() bool { return len(r.Lost) == 0 && len(r.Duplicated) == 0 && len(r.Phantom) == 0 }

func (r Report) String() string {
	if r.OK() {
		return fmt.Sprintf("%d acknowledged messages, all stored once", r.Acknowledged)
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
	return fmt.Sprintf("%d acknowledged, %d stored: %s", r.Acknowledged, r.Stored, strings.Join(parts, ", "))
}

// Check compares the messages stored in mgc (through db) with the ledger.
// Phantoms are only counted when strict: a store may legitimately hold
// messages the ledger never saw (posted before the ledger began).
func (l *Ledger) Check(ctx context.Context, db *sql.DB, strict bool) (Report, error) {
	rows, err := db.QueryContext(ctx, "SELECT msgId FROM dbo.tblChat")
	if err != nil {
		return Report{}, fmt.Errorf("check chat history: %w", err)
	}
	defer rows.Close()
	seen := map[mssqldb.UniqueIdentifier]int{}
	stored := 0
	for rows.Next() {
		var id mssqldb.UniqueIdentifier
		if err := rows.Scan(&id); err != nil {
			return Report{}, fmt.Errorf("check chat history: %w", err)
		}
		seen[id]++
		stored++
	}
	if err := rows.Err(); err != nil {
		return Report{}, fmt.Errorf("check chat history: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	r := Report{Acknowledged: len(l.msgs), Stored: stored}
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
