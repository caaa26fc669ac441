package tds

import (
	"errors"
	"fmt"
	"sync/atomic"
)

// ErrCancelled is returned by ResponseWriter methods once the client sent
// an ATTENTION: the request's output is no longer wanted, the handler
// should stop. Serve then ends the reply with DONE(ATTN).
var ErrCancelled = errors.New("tds: request cancelled by the client (attention)")

// ResponseWriter writes one request's reply as a token stream. It owns the
// DONE framing rules go-mssqldb depends on: the last DONE* written is held
// back until the request ends, so every DONE except the final token
// carries MORE and the final one does not; a reply with no DONE gets a
// bare one. Methods must be called from the handler's goroutine only.
type ResponseWriter struct {
	pw         *PacketWriter
	b          []byte // scratch for one token
	cols       []Column
	hasCols    bool
	pending    Done
	hasPending bool
	server     string
	attn       *atomic.Bool
	finalTok   byte
	// level is the client's TDS level (0 means Level74): types it does
	// not know are sent as SQL Server sends them (downgrade), and conv
	// turns the current result set's values to match.
	level int
	conv  []func(any) any
	vals  []any
}

func (w *ResponseWriter) reset(finalTok byte) {
	w.cols = w.cols[:0]
	w.hasCols = false
	w.hasPending = false
	w.finalTok = finalTok
	if cap(w.b) > 1<<20 {
		w.b = nil // do not pin one huge row's buffer for the connection's life
	}
}

// start runs before every token: it stops a cancelled request and writes
// the held-back DONE, now known not to be the last token, with MORE.
func (w *ResponseWriter) start() error {
	if w.attn != nil && w.attn.Load() {
		return ErrCancelled
	}
	if w.pw.err != nil {
		return w.pw.err
	}
	return w.writePending(true)
}

func (w *ResponseWriter) writePending(more bool) error {
	if !w.hasPending {
		return nil
	}
	w.hasPending = false
	d := w.pending
	if more {
		d.Status |= DoneMore
	} else {
		d.Status &^= DoneMore
	}
	return w.emit(appendDoneLevel(w.b[:0], d, w.level))
}

func (w *ResponseWriter) emit(b []byte) error {
	w.b = b[:0]
	_, err := w.pw.Write(b)
	return err
}

// PacketSize is the negotiated packet size (useful to size streaming).
func (w *ResponseWriter) PacketSize() int { return w.pw.PacketSize() }

// ColMetadata starts a result set.
func (w *ResponseWriter) ColMetadata(cols []Column) error {
	if err := w.start(); err != nil {
		return err
	}
	w.conv = nil
	if w.level != 0 && w.level < Level74 {
		down := make([]Column, len(cols))
		for i, c := range cols {
			var f func(any) any
			down[i] = c
			if down[i].Type, f = downgrade(c.Type, w.level); f != nil {
				if w.conv == nil {
					w.conv = make([]func(any) any, len(cols))
				}
				w.conv[i] = f
			}
		}
		cols = down
	}
	b, err := appendColMetadata(w.b[:0], cols, w.level)
	if err != nil {
		w.b = b[:0]
		return err
	}
	w.cols = append(w.cols[:0], cols...)
	w.hasCols = true
	return w.emit(b)
}

// Row writes one row of the current result set. A value that does not fit
// its column is an *EncodeError and nothing of the row is written.
func (w *ResponseWriter) Row(vals ...any) error {
	if !w.hasCols {
		return errors.New("tds: row written before column metadata")
	}
	if err := w.start(); err != nil {
		return err
	}
	if len(w.conv) > 0 {
		w.vals = append(w.vals[:0], vals...)
		for i, f := range w.conv {
			if f != nil && i < len(w.vals) && w.vals[i] != nil {
				w.vals[i] = f(w.vals[i])
			}
		}
		vals = w.vals
	}
	b, err := appendRow(w.b[:0], w.cols, vals)
	if err != nil {
		w.b = b[:0]
		return err
	}
	return w.emit(b)
}

// Done ends a statement (TokenDone), a procedure (TokenDoneProc) or a
// statement inside a procedure (TokenDoneInProc). Leave DoneMore out of
// Status: the writer sets it.
func (w *ResponseWriter) Done(d Done) error {
	if err := w.start(); err != nil {
		return err
	}
	switch d.Token {
	case 0:
		d.Token = TokenDone
	case TokenDone, TokenDoneProc, TokenDoneInProc:
	default:
		return fmt.Errorf("tds: 0x%02X is not a DONE token", d.Token)
	}
	w.pending, w.hasPending = d, true
	w.hasCols = false
	return nil
}

// Message writes e as INFO when its class is 10 or less, else as ERROR,
// which is how SQL Server chooses.
func (w *ResponseWriter) Message(e *ServerError) error {
	if e.Class <= 10 {
		return w.Info(e)
	}
	return w.Error(e)
}

// Info writes an INFO token (PRINT, progress, 5701...).
func (w *ResponseWriter) Info(e *ServerError) error { return w.message(TokenInfo, e) }

// Error writes an ERROR token; the client attaches it to the next
// DONE/DONEPROC, which should carry DoneError.
func (w *ResponseWriter) Error(e *ServerError) error { return w.message(TokenError, e) }

func (w *ResponseWriter) message(tok byte, e *ServerError) error {
	if err := w.start(); err != nil {
		return err
	}
	b, err := appendMessage(w.b[:0], tok, e, w.server)
	if err != nil {
		w.b = b[:0]
		return err
	}
	return w.emit(b)
}

// EnvDatabase reports a database change (USE).
func (w *ResponseWriter) EnvDatabase(newDB, oldDB string) error {
	return w.envString(EnvDatabase, newDB, oldDB)
}

// EnvLanguage reports a language change (SET LANGUAGE).
func (w *ResponseWriter) EnvLanguage(newLang, oldLang string) error {
	return w.envString(EnvLanguage, newLang, oldLang)
}

// EnvResetAck acknowledges a RESETCONNECTION request, as SQL Server does
// in the reply to the request that carried the flag.
func (w *ResponseWriter) EnvResetAck() error {
	if err := w.start(); err != nil {
		return err
	}
	return w.emit(appendEnvBytes(w.b[:0], EnvResetConnAck, nil, nil))
}

func (w *ResponseWriter) envString(typ byte, newVal, oldVal string) error {
	if err := w.start(); err != nil {
		return err
	}
	b, err := appendEnvString(w.b[:0], typ, newVal, oldVal)
	if err != nil {
		w.b = b[:0]
		return err
	}
	return w.emit(b)
}

// EnvBeginTran reports a new transaction. desc must be non-zero: the
// client sends it back in every request's ALL_HEADERS while the
// transaction is open, and go-mssqldb treats 0 as "no transaction".
func (w *ResponseWriter) EnvBeginTran(desc uint64) error {
	if desc == 0 {
		return errors.New("tds: transaction descriptor must be non-zero")
	}
	return w.envTran(EnvBeginTran, desc)
}

// EnvCommitTran reports the commit of transaction desc.
func (w *ResponseWriter) EnvCommitTran(desc uint64) error { return w.envTran(EnvCommitTran, desc) }

// EnvRollbackTran reports the rollback of transaction desc.
func (w *ResponseWriter) EnvRollbackTran(desc uint64) error {
	return w.envTran(EnvRollbackTran, desc)
}

func (w *ResponseWriter) envTran(typ byte, desc uint64) error {
	if err := w.start(); err != nil {
		return err
	}
	return w.emit(appendEnvTran(w.b[:0], typ, desc))
}

// ReturnStatus writes a procedure's return status.
func (w *ResponseWriter) ReturnStatus(status int32) error {
	if err := w.start(); err != nil {
		return err
	}
	return w.emit(appendReturnStatus(w.b[:0], status))
}

// ReturnValue writes an OUTPUT parameter's value.
func (w *ResponseWriter) ReturnValue(rv ReturnValue) error {
	if err := w.start(); err != nil {
		return err
	}
	if w.level != 0 && w.level < Level74 {
		var f func(any) any
		if rv.Type, f = downgrade(rv.Type, w.level); f != nil && rv.Value != nil {
			rv.Value = f(rv.Value)
		}
	}
	b, err := appendReturnValue(w.b[:0], rv, w.level)
	if err != nil {
		w.b = b[:0]
		return err
	}
	return w.emit(b)
}

// Flush sends everything written so far (except a held-back DONE) in a
// non-final packet, so the client sees e.g. progress messages now.
func (w *ResponseWriter) Flush() error {
	if w.attn != nil && w.attn.Load() {
		return ErrCancelled
	}
	return w.pw.Flush()
}

// finish ends the reply. attn: the client cancelled, so the final token is
// DONE(ATTN). herr: the handler failed; a *ServerError is sent as ERROR +
// DONE(ERROR), anything else as a severity 20 error with SRVERROR so
// clients drop the connection. Otherwise the held-back DONE becomes the
// final token, or a bare DONE is written.
func (w *ResponseWriter) finish(herr error, attn bool) error {
	if w.pw.err != nil {
		return w.pw.err
	}
	final := Done{Token: w.finalTok}
	switch {
	case attn:
		if err := w.writePending(true); err != nil {
			return err
		}
		final.Status = DoneAttn
	case herr != nil:
		if err := w.writePending(true); err != nil {
			return err
		}
		var se *ServerError
		if !errors.As(herr, &se) {
			se = &ServerError{Number: 0, Class: 20, State: 1, Message: "internal error: " + herr.Error()}
			final.Status = DoneSrvError
		}
		b, err := appendMessage(w.b[:0], TokenError, se, w.server)
		if err != nil {
			b, _ = appendMessage(w.b[:0], TokenError, &ServerError{Number: se.Number, Class: se.Class, State: se.State, Message: "message too long"}, w.server)
		}
		if err := w.emit(b); err != nil {
			return err
		}
		final.Status |= DoneError
	case w.hasPending:
		final = w.pending
		w.hasPending = false
		final.Status &^= DoneMore
	}
	if err := w.emit(appendDoneLevel(w.b[:0], final, w.level)); err != nil {
		return err
	}
	return w.pw.EndMessage()
}
