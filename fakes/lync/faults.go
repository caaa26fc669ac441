package lync

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pchatdr/harness/fakes/lync/pool"
	"github.com/pchatdr/harness/fakes/lync/ps"
	"github.com/pchatdr/harness/fakes/lync/wsman"
)

// The fake's own fault injection: how the endpoint misbehaves (a cmdlet
// delayed or failing, a WS-Management request hung, dropped or answered
// with HTTP 500), armed in process (Server.Inject), from the command line
// (lyncfake --fault) or over HTTP (POST /faults). It is the mechanism, as
// Toxiproxy's proxy is for links: which fault a rehearsal injects, and
// when, is sim/fault's (EndpointHTTP500, CmdletLatency, CmdletFailure).

// FaultKind names an injectable fault.
type FaultKind string

// Fault kinds. Latency and Fail act on cmdlets; Hang, Drop and HTTP500 act
// on WS-Management requests (by action: Create, Command, Receive, Signal,
// Delete, Send).
const (
	// FaultLatency delays each matching cmdlet by Delay. A delay longer than
	// the client's patience is a hung cmdlet; it ends when the client
	// signals terminate, deletes the shell, or the server closes.
	FaultLatency FaultKind = "latency"
	// FaultFail makes matching cmdlets fail with Message.
	FaultFail FaultKind = "fail"
	// FaultHang never answers matching requests; the client times out.
	FaultHang FaultKind = "hang"
	// FaultDrop closes the TCP connection instead of answering.
	FaultDrop FaultKind = "drop"
	// FaultHTTP500 answers with a bare HTTP 500 (no SOAP body).
	FaultHTTP500 FaultKind = "http500"
)

// Fault is one injected fault. Count is how many times it fires; 0 means
// every time until cleared.
type Fault struct {
	Kind FaultKind `json:"kind"`
	// Cmdlet matches cmdlet names (wildcards allowed); "" matches every
	// cmdlet of the Lync module.
	Cmdlet string `json:"cmdlet,omitempty"`
	// Action matches the WS-Management action's last segment ("Receive");
	// "" matches every action.
	Action  string        `json:"action,omitempty"`
	Delay   time.Duration `json:"delay,omitempty"`
	Count   int           `json:"count,omitempty"`
	Message string        `json:"message,omitempty"`
}

func (f Fault) String() string {
	var b strings.Builder
	b.WriteString(string(f.Kind))
	switch f.Kind {
	case FaultLatency, FaultFail:
		fmt.Fprintf(&b, " cmdlet=%q", orAny(f.Cmdlet))
	default:
		fmt.Fprintf(&b, " action=%q", orAny(f.Action))
	}
	if f.Delay > 0 {
		fmt.Fprintf(&b, " delay=%s", f.Delay)
	}
	if f.Count > 0 {
		fmt.Fprintf(&b, " count=%d", f.Count)
	}
	return b.String()
}

func orAny(s string) string {
	if s == "" {
		return "*"
	}
	return s
}

// ParseFault reads the CLI form KIND:TARGET[:ARG[:COUNT]]:
//
//	latency:Set-CsPersistentChatState:2s[:N]
//	fail:Set-CsPersistentChatActiveServer:N[:message]
//	hang:Receive[:N]
//	drop:Receive[:N]
//	http500:Command[:N]
//
// TARGET "*" matches everything. Count defaults to 1 for fail, hang, drop
// and http500 and to unlimited for latency.
func ParseFault(spec string) (Fault, error) {
	parts := strings.SplitN(spec, ":", 4)
	if len(parts) < 2 {
		return Fault{}, fmt.Errorf("fault %q: want KIND:TARGET[:...]", spec)
	}
	f := Fault{Kind: FaultKind(strings.ToLower(parts[0]))}
	target := parts[1]
	if target == "*" {
		target = ""
	}
	count := func(s string) (int, error) {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("fault %q: count %q is not a non-negative integer", spec, s)
		}
		return n, nil
	}
	var err error
	switch f.Kind {
	case FaultLatency:
		f.Cmdlet = target
		if len(parts) < 3 {
			return Fault{}, fmt.Errorf("fault %q: latency needs a duration (latency:CMDLET:2s)", spec)
		}
		if f.Delay, err = time.ParseDuration(parts[2]); err != nil || f.Delay <= 0 {
			return Fault{}, fmt.Errorf("fault %q: bad duration %q", spec, parts[2])
		}
		if len(parts) == 4 {
			if f.Count, err = count(parts[3]); err != nil {
				return Fault{}, err
			}
		}
	case FaultFail:
		f.Cmdlet, f.Count = target, 1
		if len(parts) >= 3 {
			if f.Count, err = count(parts[2]); err != nil {
				return Fault{}, err
			}
		}
		if len(parts) == 4 {
			f.Message = parts[3]
		}
	case FaultHang, FaultDrop, FaultHTTP500:
		f.Action, f.Count = target, 1
		if len(parts) >= 3 {
			rest := strings.Join(parts[2:], ":")
			if f.Count, err = count(rest); err != nil {
				return Fault{}, err
			}
		}
	default:
		return Fault{}, fmt.Errorf("fault %q: unknown kind %q (latency, fail, hang, drop, http500)", spec, parts[0])
	}
	return f, nil
}

// faults is the set of armed faults.
type faults struct {
	mu   sync.Mutex
	list []*Fault
}

func (fs *faults) add(f Fault) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.list = append(fs.list, &f)
}

func (fs *faults) clear() {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.list = nil
}

func (fs *faults) snapshot() []Fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := make([]Fault, 0, len(fs.list))
	for _, f := range fs.list {
		out = append(out, *f)
	}
	return out
}

// take returns the first armed fault of one of kinds that matches, using up
// one of its shots.
func (fs *faults) take(match func(*Fault) bool, kinds ...FaultKind) (Fault, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, f := range fs.list {
		ok := false
		for _, k := range kinds {
			ok = ok || f.Kind == k
		}
		if !ok || !match(f) {
			continue
		}
		got := *f
		if f.Count > 0 {
			f.Count--
			if f.Count == 0 {
				fs.list = append(fs.list[:i], fs.list[i+1:]...)
			}
		}
		return got, true
	}
	return Fault{}, false
}

// beforeCmdlet applies cmdlet faults: latency first, then failure.
func (s *Server) beforeCmdlet(ctx context.Context, c *ps.Call) error {
	if c.Command.Module != s.profile.module {
		return nil
	}
	match := func(f *Fault) bool { return f.Cmdlet == "" || ps.WildcardMatch(f.Cmdlet, c.Command.Name, false) }
	if f, ok := s.faults.take(match, FaultLatency); ok {
		s.recordFault(f, c.Command.Name)
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ps.NewError("OperationStopped", "PipelineStoppedException", "PipelineStopped", "The pipeline has been stopped.")
		}
	}
	if f, ok := s.faults.take(match, FaultFail); ok {
		s.recordFault(f, c.Command.Name)
		msg := f.Message
		if msg == "" {
			msg = "Injected fault: the operation failed."
		}
		return ps.NewError("NotSpecified", "InvalidOperationException", "InjectedFault", "%s", msg)
	}
	return nil
}

func (s *Server) recordFault(f Fault, target string) {
	s.pool.Record(pool.Event{Kind: pool.KindFault, Text: f.String(), Cmdlet: target})
}

// intercept applies transport faults to WS-Management requests.
func (s *Server) intercept(w http.ResponseWriter, r *http.Request, env *wsman.Envelope) bool {
	action := wsman.ShortAction(env.Header.Action)
	f, ok := s.faults.take(func(f *Fault) bool { return f.Action == "" || strings.EqualFold(f.Action, action) }, FaultHang, FaultDrop, FaultHTTP500)
	if !ok {
		return false
	}
	s.recordFault(f, action)
	switch f.Kind {
	case FaultHang:
		select {
		case <-r.Context().Done():
		case <-s.wsman.Done():
		}
	case FaultDrop:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return true
			}
		}
		// HTTP/2 or no hijacking: abort the handler, which resets the stream.
		panic(http.ErrAbortHandler)
	case FaultHTTP500:
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
	}
	return true
}
