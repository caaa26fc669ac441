package mssql

import (
	"context"
	"errors"
	"fmt"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/tds"
	"github.com/pchatdr/harness/sim/ntlm"
)

// handler adapts one engine session to one TDS connection.
type handler struct {
	inst      *engine.Instance
	addr      string
	connCtx   context.Context // ends with the connection
	closeConn context.CancelFunc
	sess      *engine.Session
	windows   *ntlm.Server // the domain's NTLM acceptor; nil: no Windows logins
	onLogin   func(LoginEvent)
	// bulk is the INSERT BULK waiting for its BULK_LOAD (bulk.go).
	bulk        *insertBulk
	bulkOwnTran bool
}

func (h *handler) Login(ctx context.Context, l *tds.Login7) (tds.LoginReply, error) {
	user := l.UserName
	if l.SSPIUser != "" {
		user = l.SSPIUser
	}
	sess, err := h.inst.Login(ctx, engine.LoginRequest{
		User:       user,
		Windows:    l.SSPIUser != "",
		Encrypted:  l.Encryption == tds.EncryptionFull,
		Password:   l.Password,
		Database:   l.Database,
		AppName:    l.AppName,
		HostName:   l.HostName,
		ClientAddr: h.addr,
	})
	if h.onLogin != nil {
		ev := LoginEvent{User: user, AppName: l.AppName, AuthScheme: "SQL", Encryption: l.Encryption.String(), Err: err}
		if l.SSPIUser != "" {
			ev.AuthScheme = "NTLM"
		}
		h.onLogin(ev)
	}
	if err != nil {
		var e *engine.Error
		if errors.As(err, &e) {
			return tds.LoginReply{}, serverError(e)
		}
		return tds.LoginReply{}, fmt.Errorf("login: %w", err)
	}
	h.sess = sess
	// A killed session (KILL, SET SINGLE_USER WITH ROLLBACK IMMEDIATE)
	// loses its connection, as on SQL Server.
	go func() {
		select {
		case <-sess.Done():
			h.closeConn()
		case <-h.connCtx.Done():
		}
	}()
	return tds.LoginReply{Database: sess.Database(), SPID: uint16(sess.ID())}, nil
}

func (h *handler) Request(ctx context.Context, req *tds.Request, w *tds.ResponseWriter) error {
	if req.ResetConnection && !req.ResetSkipTran {
		h.sess.Reset()
		if err := w.EnvResetAck(); err != nil {
			return err
		}
	}
	out := &results{w: w}
	switch {
	case req.TM != nil:
		return h.transaction(ctx, req, w)
	case req.Bulk != nil:
		return h.bulkLoad(ctx, req.Bulk, w)
	case req.RPC != nil:
		call := engine.RPCCall{Name: req.RPC.ProcName, Params: make([]engine.Param, len(req.RPC.Params))}
		for i, p := range req.RPC.Params {
			t, v := engineValue(p.Type, p.Value)
			call.Params[i] = engine.Param{Name: p.Name, Type: t, Value: v, Output: p.Output()}
		}
		return h.sess.RPC(ctx, call, out)
	default:
		if ib, ok, err := parseInsertBulk(req.SQL); ok {
			if err != nil {
				return err
			}
			return h.startBulk(ctx, ib)
		}
		return h.sess.Batch(ctx, req.SQL, out)
	}
}

// transaction answers TDS transaction-manager requests (database/sql's
// BeginTx, Commit, Rollback), which carry no T-SQL.
func (h *handler) transaction(ctx context.Context, req *tds.Request, w *tds.ResponseWriter) error {
	var err error
	switch req.TM.Kind {
	case tds.TMBegin:
		var desc uint64
		if desc, err = h.sess.BeginTran(ctx, req.TM.Name); err == nil {
			err = w.EnvBeginTran(desc)
		}
	case tds.TMCommit:
		if err = h.sess.CommitTran(ctx); err == nil {
			err = w.EnvCommitTran(req.Headers.TransactionDescriptor)
		}
	case tds.TMRollback:
		if err = h.sess.RollbackTran(ctx); err == nil {
			err = w.EnvRollbackTran(req.Headers.TransactionDescriptor)
		}
	default:
		return &tds.ServerError{Number: 8522, Class: 16, State: 1,
			Message: fmt.Sprintf("Distributed transaction request %s is not supported by this server.", req.TM.Kind)}
	}
	var e *engine.Error
	if errors.As(err, &e) {
		return serverError(e)
	}
	return err
}

func (h *handler) Close() {
	if h.sess != nil {
		h.sess.Close()
	}
}

// results turns engine output into TDS tokens.
type results struct {
	w    *tds.ResponseWriter
	cols []engine.Column
}

func (r *results) Columns(cols []engine.Column) error {
	r.cols = cols
	wc := make([]tds.Column, len(cols))
	for i, c := range cols {
		wc[i] = tds.Column{Name: c.Name, Type: wireType(c.Type), Nullable: c.Nullable}
	}
	return r.w.ColMetadata(wc)
}

func (r *results) Row(vals []engine.Value) error { return r.w.Row(vals...) }

func (r *results) Done(d engine.DoneInfo) error {
	td := tds.Done{Token: tds.TokenDone, CurCmd: d.CurCmd}
	if d.InProc {
		td.Token = tds.TokenDoneInProc
	}
	if d.HasCount {
		td.Status |= tds.DoneCount
		td.RowCount = uint64(d.Count)
	}
	if d.Error {
		td.Status |= tds.DoneError
	}
	return r.w.Done(td)
}

func (r *results) Message(m *engine.Error) error {
	if m.IsInfo() {
		if err := r.w.Info(serverError(m)); err != nil {
			return err
		}
		// Informational messages (PRINT, BACKUP progress) reach the client
		// as they happen, as SQL Server's do.
		return r.w.Flush()
	}
	return r.w.Error(serverError(m))
}

func (r *results) EnvChange(c engine.EnvChange) error {
	switch c.Type {
	case engine.EnvDatabase:
		return r.w.EnvDatabase(c.New, c.Old)
	case engine.EnvBeginTran:
		return r.w.EnvBeginTran(c.TranDesc)
	case engine.EnvCommitTran:
		return r.w.EnvCommitTran(c.TranDesc)
	case engine.EnvRollbackTran:
		return r.w.EnvRollbackTran(c.TranDesc)
	}
	return nil
}

func (r *results) ReturnStatus(status int32) error { return r.w.ReturnStatus(status) }

func (r *results) ReturnValue(v engine.ReturnValue) error {
	return r.w.ReturnValue(tds.ReturnValue{Ordinal: uint16(v.Ordinal), Name: v.Name, Type: wireType(v.Type), Value: v.Value})
}

func serverError(e *engine.Error) *tds.ServerError {
	return &tds.ServerError{Number: e.Number, State: e.State, Class: e.Class, Message: e.Message,
		Server: e.Server, Proc: e.Proc, Line: e.Line}
}
