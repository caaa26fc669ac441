package wsman

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pchatdr/harness/sim/ntlm"
)

// Command is a command line a client asked a shell to run.
type Command struct {
	ShellID   string
	CommandID string
	User      string
	// Auth is the scheme that authenticated the user: Negotiate, NTLM or
	// Basic.
	Auth string
	// CommandLine is rsp:Command and every rsp:Arguments joined with
	// spaces, as WinRS hands them to the process: one command line the
	// process splits itself (CommandLineToArgvW rules), so an argument
	// with spaces arrives split unless the client quoted it.
	CommandLine string
	// Arguments are the rsp:Arguments as sent (already in CommandLine).
	Arguments []string
}

// MaxCommandLine is cmd.exe's limit on a command line (8191 characters):
// the cmd shell refuses a longer one with "The command line is too long."
const MaxCommandLine = 8191

// Code pages a shell may ask for with WINRS_CODEPAGE; 437 is WinRS's
// default (the OEM code page of an en-US Windows Server).
const (
	CodePageOEM  = 437
	CodePageUTF8 = 65001
)

// Output is what the command produced when it ended.
type Output struct {
	Stdout   []byte
	Stderr   []byte
	ExitCode int
}

// Executor runs a command. ctx ends when the client signals terminate,
// deletes the shell, or the server closes.
type Executor func(ctx context.Context, cmd Command) Output

// Interceptor sees every authenticated, well-formed request before it is
// handled; returning true means it wrote the response itself (fault
// injection: hang, drop the connection, HTTP 500).
type Interceptor func(w http.ResponseWriter, r *http.Request, env *Envelope) bool

// Config configures a Handler.
type Config struct {
	// Authenticate checks Basic credentials; used only with AllowBasic.
	Authenticate func(user, password string) bool
	// NTLM accepts Negotiate (NTLM, raw or in SPNEGO) logons, WinRM's
	// default; nil turns Negotiate off.
	NTLM *ntlm.Server
	// AllowBasic is WinRM's Auth/Basic (off on Windows by default); even
	// then Basic is accepted over HTTPS only.
	AllowBasic bool
	// AllowUnencrypted is WinRM's AllowUnencrypted (false on Windows):
	// without it a request over plain HTTP is refused, because this
	// service does not implement WinRM's message encryption.
	AllowUnencrypted bool
	// ChannelBinding is the HTTPS channel's binding (ntlm.TLSServerEndPoint
	// of the server's certificate): an NTLM logon over HTTPS that carries a
	// channel binding must carry this one (WinRM's CbtHardeningLevel
	// Relaxed, its default).
	ChannelBinding []byte
	// OnAuthFailure, when set, hears why a logon failed (the service's
	// log; the client only ever sees 401).
	OnAuthFailure func(r *http.Request, err error)
	// Exec runs commands. Required.
	Exec Executor
	// MaxReceiveWait caps how long a Receive waits for output before the
	// w:TimedOut fault; 0 means the request's OperationTimeout (default 60s).
	MaxReceiveWait time.Duration
	// MaxEnvelopeBytes bounds request bodies (default 512 KiB).
	MaxEnvelopeBytes int64
	// MaxShellsPerUser mirrors WinRM's quota (default 30).
	MaxShellsPerUser int
	// Intercept, when set, is consulted for each request.
	Intercept Interceptor
}

type command struct {
	id     string
	cancel context.CancelFunc
	done   chan struct{}
	out    Output
	stdin  []byte
	// sentOut and sentErr are how much of each stream Receive has
	// delivered; drained means the Done state went out.
	sentOut, sentErr int
	drained          bool
}

type shell struct {
	id       string
	user     string
	codePage int
	commands map[string]*command
}

// Handler is the /wsman endpoint.
type Handler struct {
	cfg    Config
	ctx    context.Context
	stop   context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	shells map[string]*shell
	conns  conns
}

// NewHandler builds a handler.
func NewHandler(cfg Config) *Handler {
	if cfg.MaxEnvelopeBytes == 0 {
		cfg.MaxEnvelopeBytes = 512 << 10
	}
	if cfg.MaxShellsPerUser == 0 {
		cfg.MaxShellsPerUser = 30
	}
	ctx, stop := context.WithCancel(context.Background())
	return &Handler{cfg: cfg, ctx: ctx, stop: stop, shells: map[string]*shell{}}
}

// Done is closed when the handler is closing; interceptors that block
// select on it.
func (h *Handler) Done() <-chan struct{} { return h.ctx.Done() }

// Close ends every running command and waits for them.
func (h *Handler) Close() {
	h.stop()
	h.wg.Wait()
}

// Shells returns the number of open shells.
func (h *Handler) Shells() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.shells)
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return strings.ToUpper(fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]))
}

// ServeHTTP implements the WS-Management shell protocol.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	user, scheme, ok := h.authenticate(w, r)
	if !ok {
		return
	}
	if r.TLS == nil && !h.cfg.AllowUnencrypted {
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, h.cfg.MaxEnvelopeBytes))
		h.fault(w, &Fault{Code: "s:Sender", Subcode: "w:AccessDenied", WSManCode: 2150858770,
			Reason: "The WS-Management service cannot process the request: " + ErrUnencrypted.Error() + " (AllowUnencrypted is false) and this service does not implement message encryption. Use HTTPS."}, "")
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.Contains(strings.ToLower(ct), "application/soap+xml") {
		http.Error(w, "unsupported content type", http.StatusUnsupportedMediaType)
		return
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxEnvelopeBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			h.fault(w, &Fault{Code: "s:Sender", Subcode: "w:EncodingLimit", WSManCode: 2150858817,
				Reason: fmt.Sprintf("The WS-Management service cannot process the request because the envelope size exceeds the limit of %d bytes.", h.cfg.MaxEnvelopeBytes)}, "")
			return
		}
		return
	}
	env, err := ParseEnvelope(raw)
	if err != nil {
		var f *Fault
		if errors.As(err, &f) {
			h.fault(w, f, "")
		}
		return
	}
	if h.cfg.Intercept != nil && h.cfg.Intercept(w, r, env) {
		return
	}
	msgID := "uuid:" + newID()
	var resp []byte
	var ferr *Fault
	switch env.Header.Action {
	case ActionCreate:
		resp, ferr = h.create(env, user, msgID, r)
	case ActionCommand:
		resp, ferr = h.command(env, user, scheme, msgID)
	case ActionReceive:
		resp, ferr = h.receive(r.Context(), env, msgID)
	case ActionSend:
		resp, ferr = h.send(env, msgID)
	case ActionSignal:
		resp, ferr = h.signal(env, msgID)
	case ActionDelete:
		resp, ferr = h.delete(env, msgID)
	default:
		ferr = &Fault{Code: "s:Sender", Subcode: "a:ActionNotSupported", WSManCode: 2150858760,
			Reason: fmt.Sprintf("The WS-Management service cannot process the request because the action %q is not supported.", env.Header.Action)}
	}
	if ferr != nil {
		h.fault(w, ferr, env.Header.MessageID)
		return
	}
	if resp == nil {
		return // client went away
	}
	w.Header().Set("Content-Type", "application/soap+xml;charset=UTF-8")
	_, _ = w.Write(resp)
}

func (h *Handler) fault(w http.ResponseWriter, f *Fault, relatesTo string) {
	w.Header().Set("Content-Type", "application/soap+xml;charset=UTF-8")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write(faultXML(f, relatesTo, "uuid:"+newID()))
}

func (h *Handler) create(env *Envelope, user, msgID string, r *http.Request) ([]byte, *Fault) {
	if env.Header.ResourceURI != ResourceCmd {
		return nil, &Fault{Code: "s:Sender", Subcode: "w:DestinationUnreachable", WSManCode: 2150858770,
			Reason: fmt.Sprintf("The WS-Management service cannot process the request. The resource URI %q is not supported.", env.Header.ResourceURI)}
	}
	if env.Body.Shell == nil {
		return nil, &Fault{Code: "s:Sender", Subcode: "w:SchemaValidationError", WSManCode: 2150858817,
			Reason: "The WS-Management service cannot process the request because the Create body has no rsp:Shell element."}
	}
	codePage := CodePageOEM
	if v, ok := env.Option("WINRS_CODEPAGE"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || (n != CodePageOEM && n != CodePageUTF8) {
			return nil, &Fault{Code: "s:Sender", Subcode: "w:InvalidOptions", WSManCode: 2150858882,
				Reason: fmt.Sprintf("The WinRS service cannot process the request: code page %q is not supported here; use %d (the default) or %d.", v, CodePageOEM, CodePageUTF8)}
		}
		codePage = n
	}
	h.mu.Lock()
	n := 0
	for _, s := range h.shells {
		if s.user == user {
			n++
		}
	}
	if n >= h.cfg.MaxShellsPerUser {
		h.mu.Unlock()
		return nil, &Fault{Code: "s:Receiver", Subcode: "w:QuotaLimit", WSManCode: 2150859174,
			Reason: fmt.Sprintf("The WS-Management service cannot process the request. This user is allowed a maximum number of %d concurrent shells, which has been exceeded. Close existing shells or raise the quota for this user.", h.cfg.MaxShellsPerUser)}
	}
	id := newID()
	h.shells[id] = &shell{id: id, user: user, codePage: codePage, commands: map[string]*command{}}
	h.mu.Unlock()
	addr := "http://" + r.Host + "/wsman"
	if r.TLS != nil {
		addr = "https://" + r.Host + "/wsman"
	}
	body := `<x:ResourceCreated><a:Address>` + xmlEscape(addr) + `</a:Address><a:ReferenceParameters><w:ResourceURI>` + ResourceCmd +
		`</w:ResourceURI><w:SelectorSet><w:Selector Name="ShellId">` + id + `</w:Selector></w:SelectorSet></a:ReferenceParameters></x:ResourceCreated>` +
		`<rsp:Shell><rsp:ShellId>` + id + `</rsp:ShellId><rsp:ResourceUri>` + ResourceCmd + `</rsp:ResourceUri><rsp:Owner>` + xmlEscape(user) +
		`</rsp:Owner><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>`
	return wrap(NSTransfer+"/CreateResponse", env.Header.MessageID, msgID, body), nil
}

func (h *Handler) lookup(env *Envelope) (*shell, *Fault) {
	id := env.ShellID()
	h.mu.Lock()
	defer h.mu.Unlock()
	s, ok := h.shells[id]
	if !ok {
		return nil, invalidSelectors(id)
	}
	return s, nil
}

func (h *Handler) command(env *Envelope, user, scheme, msgID string) ([]byte, *Fault) {
	s, f := h.lookup(env)
	if f != nil {
		return nil, f
	}
	if env.Body.CommandLine == nil || strings.TrimSpace(env.Body.CommandLine.Command) == "" {
		return nil, &Fault{Code: "s:Sender", Subcode: "w:SchemaValidationError", WSManCode: 2150858817,
			Reason: "The WS-Management service cannot process the request because the CommandLine element is missing or empty."}
	}
	c := &command{id: newID(), done: make(chan struct{})}
	ctx, cancel := context.WithCancel(h.ctx)
	c.cancel = cancel
	line := strings.TrimSpace(env.Body.CommandLine.Command)
	for _, a := range env.Body.CommandLine.Arguments {
		line += " " + a
	}
	cmd := Command{ShellID: s.id, CommandID: c.id, User: user, Auth: scheme, CommandLine: line, Arguments: env.Body.CommandLine.Arguments}
	exec := h.cfg.Exec
	if len([]rune(line)) > MaxCommandLine {
		exec = func(context.Context, Command) Output {
			return Output{Stderr: []byte("The command line is too long.\r\n"), ExitCode: 1}
		}
	}
	h.mu.Lock()
	if _, still := h.shells[s.id]; !still {
		h.mu.Unlock()
		cancel()
		return nil, invalidSelectors(s.id)
	}
	s.commands[c.id] = c
	h.wg.Add(1)
	h.mu.Unlock()
	go func() {
		defer h.wg.Done()
		defer cancel()
		out := exec(ctx, cmd)
		out.Stdout, out.Stderr = encodeCodePage(out.Stdout, s.codePage), encodeCodePage(out.Stderr, s.codePage)
		h.mu.Lock()
		c.out = out
		h.mu.Unlock()
		close(c.done)
	}()
	body := `<rsp:CommandResponse><rsp:CommandId>` + c.id + `</rsp:CommandId></rsp:CommandResponse>`
	return wrap(NSShell+"/CommandResponse", env.Header.MessageID, msgID, body), nil
}

func (h *Handler) findCommand(env *Envelope, id string) (*command, *Fault) {
	s, f := h.lookup(env)
	if f != nil {
		return nil, f
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	c, ok := s.commands[id]
	if !ok {
		return nil, &Fault{Code: "s:Sender", Subcode: "w:InvalidParameter", WSManCode: 2150858843,
			Reason: fmt.Sprintf("The request for the Windows Remote Shell with ShellId %s failed because the command with CommandId %s was not found.", s.id, id)}
	}
	return c, nil
}

// chunk is the most bytes one rsp:Stream element carries.
const chunk = 8192

func streamXML(name, cmdID string, data []byte, end bool) string {
	var b strings.Builder
	for len(data) > 0 {
		n := min(chunk, len(data))
		attr := ""
		if end && n == len(data) {
			attr = ` End="true"`
		}
		b.WriteString(`<rsp:Stream Name="` + name + `" CommandId="` + cmdID + `"` + attr + `>` + base64.StdEncoding.EncodeToString(data[:n]) + `</rsp:Stream>`)
		data = data[n:]
		if attr != "" {
			return b.String()
		}
	}
	if end {
		b.WriteString(`<rsp:Stream Name="` + name + `" CommandId="` + cmdID + `" End="true"></rsp:Stream>`)
	}
	return b.String()
}

// DefaultMaxEnvelopeSize is the WinRM service's MaxEnvelopeSizekb default
// (500 KB), used when a request names none.
const DefaultMaxEnvelopeSize = 500 * 1024

// envelopeOverhead is room kept for the SOAP header and the ReceiveResponse
// elements around the streams.
const envelopeOverhead = 4096

// receiveBudget is how many output bytes fit one ReceiveResponse within the
// client's MaxEnvelopeSize: base64 makes 3 bytes 4 characters.
func receiveBudget(env *Envelope) (int, *Fault) {
	max := DefaultMaxEnvelopeSize
	if v := strings.TrimSpace(env.Header.MaxEnvelopeSize); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 8192 {
			return 0, &Fault{Code: "s:Sender", Subcode: "w:EncodingLimit", WSManCode: 2150858817,
				Reason: fmt.Sprintf("The WS-Management service cannot process the request because the MaxEnvelopeSize %q is below the minimum of 8192 bytes.", v)}
		}
		max = n
	}
	return (max - envelopeOverhead) / 4 * 3, nil
}

// receive answers with the output the command has produced so far that
// fits the client's MaxEnvelopeSize: State Running while more is to come
// (the command still runs, or its output needs more responses), Done with
// the exit code in the response that delivers the last byte. A command
// with no output yet holds the request until OperationTimeout (w:TimedOut).
func (h *Handler) receive(ctx context.Context, env *Envelope, msgID string) ([]byte, *Fault) {
	if env.Body.Receive == nil {
		return nil, &Fault{Code: "s:Sender", Subcode: "w:SchemaValidationError", WSManCode: 2150858817,
			Reason: "The WS-Management service cannot process the request because the Receive body is missing."}
	}
	budget, f := receiveBudget(env)
	if f != nil {
		return nil, f
	}
	id := strings.TrimSpace(env.Body.Receive.DesiredStream.CommandID)
	c, f := h.findCommand(env, id)
	if f != nil {
		return nil, f
	}
	wait, ok := env.Timeout()
	if !ok || wait <= 0 {
		wait = 60 * time.Second
	}
	if h.cfg.MaxReceiveWait > 0 && wait > h.cfg.MaxReceiveWait {
		wait = h.cfg.MaxReceiveWait
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-c.done:
	case <-t.C:
		return nil, timedOut()
	case <-ctx.Done():
		return nil, nil
	case <-h.ctx.Done():
		return nil, timedOut()
	}
	h.mu.Lock()
	out := c.out
	if c.drained {
		c.sentOut, c.sentErr = len(out.Stdout), len(out.Stderr)
	}
	so := out.Stdout[c.sentOut:]
	so = so[:min(len(so), budget)]
	left := budget - len(so)
	se := out.Stderr[c.sentErr:]
	se = se[:min(len(se), left)]
	c.sentOut += len(so)
	c.sentErr += len(se)
	doneOut, doneErr := c.sentOut == len(out.Stdout), c.sentErr == len(out.Stderr)
	finished := doneOut && doneErr
	c.drained = finished
	h.mu.Unlock()
	state := `<rsp:CommandState CommandId="` + id + `" State="` + StateRunning + `"></rsp:CommandState>`
	if finished {
		state = `<rsp:CommandState CommandId="` + id + `" State="` + StateDone + `"><rsp:ExitCode>` + fmt.Sprint(out.ExitCode) + `</rsp:ExitCode></rsp:CommandState>`
	}
	body := `<rsp:ReceiveResponse>` + streamXML("stdout", id, so, doneOut) + streamXML("stderr", id, se, doneErr) + state + `</rsp:ReceiveResponse>`
	return wrap(NSShell+"/ReceiveResponse", env.Header.MessageID, msgID, body), nil
}

func (h *Handler) send(env *Envelope, msgID string) ([]byte, *Fault) {
	if env.Body.Send == nil {
		return nil, &Fault{Code: "s:Sender", Subcode: "w:SchemaValidationError", WSManCode: 2150858817,
			Reason: "The WS-Management service cannot process the request because the Send body is missing."}
	}
	for _, st := range env.Body.Send.Streams {
		c, f := h.findCommand(env, strings.TrimSpace(st.CommandID))
		if f != nil {
			return nil, f
		}
		data, err := base64.StdEncoding.DecodeString(strings.TrimSpace(st.Data))
		if err != nil {
			return nil, &Fault{Code: "s:Sender", Subcode: "w:SchemaValidationError", WSManCode: 2150858817,
				Reason: "The WS-Management service cannot process the request because the stdin stream is not valid base64."}
		}
		h.mu.Lock()
		if len(c.stdin)+len(data) <= 1<<20 {
			c.stdin = append(c.stdin, data...)
		}
		h.mu.Unlock()
	}
	return wrap(NSShell+"/SendResponse", env.Header.MessageID, msgID, `<rsp:SendResponse/>`), nil
}

func (h *Handler) signal(env *Envelope, msgID string) ([]byte, *Fault) {
	if env.Body.Signal == nil {
		return nil, &Fault{Code: "s:Sender", Subcode: "w:SchemaValidationError", WSManCode: 2150858817,
			Reason: "The WS-Management service cannot process the request because the Signal body is missing."}
	}
	id := strings.TrimSpace(env.Body.Signal.CommandID)
	c, f := h.findCommand(env, id)
	if f != nil {
		return nil, f
	}
	code := strings.TrimSpace(env.Body.Signal.Code)
	if code == SignalTerm || code == SignalCtrlC {
		c.cancel()
		s, _ := h.lookup(env)
		if s != nil && code == SignalTerm {
			h.mu.Lock()
			delete(s.commands, id)
			h.mu.Unlock()
		}
	}
	return wrap(NSShell+"/SignalResponse", env.Header.MessageID, msgID, `<rsp:SignalResponse/>`), nil
}

func (h *Handler) delete(env *Envelope, msgID string) ([]byte, *Fault) {
	id := env.ShellID()
	h.mu.Lock()
	s, ok := h.shells[id]
	if ok {
		delete(h.shells, id)
	}
	h.mu.Unlock()
	if !ok {
		return nil, invalidSelectors(id)
	}
	h.mu.Lock()
	for _, c := range s.commands {
		c.cancel()
	}
	h.mu.Unlock()
	return wrap(NSTransfer+"/DeleteResponse", env.Header.MessageID, msgID, ``), nil
}

// Authenticator returns a constant-time checker over user -> password.
func Authenticator(users map[string]string) func(user, password string) bool {
	return func(user, password string) bool {
		for u, p := range users {
			if strings.EqualFold(u, user) {
				return subtle.ConstantTimeCompare([]byte(p), []byte(password)) == 1
			}
		}
		return false
	}
}
