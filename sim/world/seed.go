package world

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/sim/chat"
	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
)

// History is a production-sized chat history seeded into mgc.
type History struct {
	// Bytes is the target size of the history: the sum of the rows'
	// stored sizes, about what a full backup of it holds.
	Bytes int64
	// Seed makes the history reproducible (channels, users, texts, GUIDs).
	Seed uint64
	// Channels and Users shape the tables (defaults 400 and 5000).
	Channels, Users int
	// Span is how far back the history reaches (default a year).
	Span time.Duration
}

// Seeded is what SeedHistory stored.
type Seeded struct {
	Messages, Bytes int64
	Channels, Users int
	Took            time.Duration
}

// Throughput is the bytes seeded per second.
func (s Seeded) Throughput() float64 { return float64(s.Bytes) / max(s.Took.Seconds(), 1e-9) }

// seedDate anchors the seeded history's dates (before any scenario's).
var seedDate = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// SeedHistory fills mgc on the instance with the role with an old chat
// history of about h.Bytes, at storage speed (engine.Session.BulkLoad: the
// rows INSERT would store, committed in batches to the durable log, no
// T-SQL or TDS per message; the engine keeps each committed batch as a
// compact segment of stored rows, so the history costs about its size in
// memory, not several times it). Channels go to tblNode, users to tblPrincipal,
// messages to tblChat with the shape chat servers give them: a channel and
// user per message (a few channels and users carry most of the traffic),
// texts of chat length (most short, a few long pastes), dates spread over
// the span in order, the server that took each post.
//
// The seeded messages are in the ledger as history (Ledger.AddHistory: a
// count of messages dated before seedDate, not one entry each), so a check
// after failback finds every acknowledged message by id and the history by
// count, lost or duplicated rows of it included. Embedded target
// only (it reaches into the instance's engine).
func (w *World) SeedHistory(ctx context.Context, role topology.Role, h History) (Seeded, error) {
	if h.Bytes <= 0 {
		return Seeded{}, fmt.Errorf("world: seed history: size %d: must be greater than 0", h.Bytes)
	}
	h.Channels = cmpOr(h.Channels, 400)
	h.Users = cmpOr(h.Users, 5000)
	if h.Span <= 0 {
		h.Span = 365 * 24 * time.Hour
	}
	inst, err := w.InstanceByRole(role)
	if err != nil {
		return Seeded{}, err
	}
	e, err := w.engineOf(inst, "seed a chat history into mgc on "+inst.Name)
	if err != nil {
		return Seeded{}, err
	}
	s, err := e.Login(ctx, engine.LoginRequest{User: "sa", Password: inst.password, Database: "mgc", AppName: "pchat-world-seed"})
	if err != nil {
		return Seeded{}, fmt.Errorf("world: seed history on %s: %w", inst.Name, err)
	}
	defer s.Close() // a session left in mgc would hold it in use (3101)
	start := time.Now()
	out := Seeded{Channels: h.Channels, Users: h.Users}
	rng := rand.New(rand.NewPCG(h.Seed, 0x6d6763))
	intT := engine.Type{Kind: sqltypes.KindInt}
	nvT := engine.Type{Kind: sqltypes.KindNVarChar, Length: 256}

	// Channels and users (only ids the tables do not have yet).
	i := 0
	if _, err := s.BulkLoad(ctx, "dbo.tblNode", []string{"nodeID", "nodeName", "nodeType"}, []engine.Type{intT, nvT, intT}, 10000, func() ([]engine.Value, error) {
		if i == h.Channels {
			return nil, io.EOF
		}
		i++
		return []engine.Value{int64(1_000_000 + i), fmt.Sprintf("%s-%d", pick(rng, channelWords), i), int64(2)}, nil
	}); err != nil {
		return out, fmt.Errorf("world: seed channels on %s: %w", inst.Name, err)
	}
	i = 0
	if _, err := s.BulkLoad(ctx, "dbo.tblPrincipal", []string{"prinUri"}, []engine.Type{nvT}, 10000, func() ([]engine.Value, error) {
		if i == h.Users {
			return nil, io.EOF
		}
		i++
		return []engine.Value{fmt.Sprintf("sip:user%05d@contoso.test", i)}, nil
	}); err != nil {
		return out, fmt.Errorf("world: seed users on %s: %w", inst.Name, err)
	}

	servers := make([]string, 0, len(w.Topology.Pool.Servers))
	for _, sv := range w.Topology.Pool.Servers {
		servers = append(servers, sv.FQDN)
	}
	// About 100 bytes of each row are not the text (ids, GUID, date, the
	// server); the mean text is about 260 characters.
	const perRow = 100 + 260
	want := max(1, h.Bytes/perRow)
	step := h.Span / time.Duration(want)
	at := seedDate.Add(-h.Span)
	var text strings.Builder
	types := []engine.Type{intT, intT, {Kind: sqltypes.KindUniqueIdentifier}, {Kind: sqltypes.KindNVarChar, Length: sqltypes.MaxLength},
		{Kind: sqltypes.KindDateTime2, Scale: 7}, nvT}
	n, err := s.BulkLoad(ctx, "dbo.tblChat", []string{"channelId", "userId", "msgId", "content", "chatDate", "serverFqdn"}, types, 20000, func() ([]engine.Value, error) {
		if out.Bytes >= h.Bytes {
			return nil, io.EOF
		}
		var id sqltypes.GUID
		for k := 0; k < 16; k += 8 {
			v := rng.Uint64()
			for b := 0; b < 8; b++ {
				id[k+b] = byte(v >> (8 * b))
			}
		}
		id[6], id[8] = id[6]&0x0f|0x40, id[8]&0x3f|0x80 // version 4, RFC 4122 variant
		chatText(rng, &text)
		at = at.Add(step/2 + time.Duration(rng.Int64N(int64(step)+1)))
		srv := servers[rng.IntN(len(servers))]
		out.Bytes += int64(text.Len()) + 100
		return []engine.Value{zipf(rng, h.Channels), zipf(rng, h.Users), id, text.String(), at, srv}, nil
	})
	out.Messages = n
	out.Took = time.Since(start)
	if err != nil {
		return out, fmt.Errorf("world: seed chat history on %s after %d messages: %w", inst.Name, n, err)
	}
	if w.Ledger == nil {
		w.Ledger = chat.NewLedger() // StartChat keeps it
	}
	w.Ledger.AddHistory(n, seedDate)
	w.Timeline.Add(inst.Name, "seed", fmt.Sprintf("mgc history: %d messages, %.0f MiB, %d channels, %d users in %s (%.0f MiB/s)",
		out.Messages, float64(out.Bytes)/(1<<20), out.Channels, out.Users, out.Took.Round(time.Millisecond), out.Throughput()/(1<<20)), nil)
	return out, nil
}

func cmpOr(v, d int) int {
	if v <= 0 {
		return d
	}
	return v
}

// zipf picks 1..n with a heavy head: a few channels and users carry most
// of the traffic, as in real chat rooms.
func zipf(rng *rand.Rand, n int) int64 {
	u := rng.Float64()
	return int64(min(n, max(1, int(math.Pow(float64(n), u*u)))))
}

var channelWords = []string{"ops", "trading", "support", "release", "incident", "desk", "project", "infra", "sales", "news"}

var chatWords = strings.Fields(`the a to and of is in it for on that this we you I can be will please
check deploy build server pool database backup restore log ship mirror channel meeting today tomorrow
ticket issue fixed done ok thanks yes no maybe later update status price order client risk report
failover failback primary secondary network link latency change window approved rollback`)

// chatText writes one message: a length drawn long-tailed (most a line,
// some a paragraph, a few a pasted log), words from a chat vocabulary.
func chatText(rng *rand.Rand, b *strings.Builder) {
	b.Reset()
	n := int(math.Exp(rng.NormFloat64()*0.9 + 4.9)) // median ~130 chars, mean ~200
	if rng.IntN(50) == 0 {
		n += 2000 + rng.IntN(3000) // a pasted log
	}
	for b.Len() < n {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(chatWords[rng.IntN(len(chatWords))])
	}
}

func pick(rng *rand.Rand, words []string) string { return words[rng.IntN(len(words))] }
