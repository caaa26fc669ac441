package mssql

import (
	"context"
	"errors"
	"fmt"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tds"
	"github.com/pchatdr/harness/sim/ntlm"
)

// handler adapts one engine session to one TDS connection.
type handler struct {
	inst      *engine.Instance
	addr      string
	localAddr string          // the listener address the client reached
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
	auth := "SQL"
	if l.SSPIUser != "" {
		auth = "NTLM"
	}
	sess, err := h.inst.Login(ctx, engine.LoginRequest{
		User:       user,
		AuthScheme: auth,
		Windows:    l.SSPIUser != "",
		Encrypted:  l.Encryption == tds.EncryptionFull,
		Password:   l.Password,
		Database:   l.Database,
		AppName:    l.AppName,
		HostName:   l.HostName,
		ClientAddr: h.addr,
		LocalAddr:  h.localAddr,
		TDSVersion: l.TDSVersion,
		PacketSize: int(l.PacketSize),
	})
	if h.onLogin != nil {
		h.onLogin(LoginEvent{User: user, AppName: l.AppName, AuthScheme: auth, Encryption: l.Encryption.String(), Err: err})
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
		out.rpc = true
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
// BeginTx, Commit, Rollback; ODBC's SQLEndTran), which carry no T-SQL.
// A Commit or Rollback with "begin a new transaction" (MS-TDS 2.2.6.9,
// fBeginXact) starts the next transaction at once, as ODBC's manual-commit
// mode relies on: its ENVCHANGE follows the commit's or rollback's.
func (h *handler) transaction(ctx context.Context, req *tds.Request, w *tds.ResponseWriter) error {
	var err error
	tm := req.TM
	switch tm.Kind {
	case tds.TMBegin:
		err = h.beginTran(ctx, w, tm.Name, tm.Isolation)
	case tds.TMCommit, tds.TMRollback:
		if tm.Kind == tds.TMCommit {
			if err = h.sess.CommitTran(ctx); err == nil {
				err = w.EnvCommitTran(req.Headers.TransactionDescriptor)
			}
		} else if err = h.sess.RollbackTran(ctx); err == nil {
			err = w.EnvRollbackTran(req.Headers.TransactionDescriptor)
		}
		if err == nil && tm.Flags&tds.TMBeginNew != 0 {
			err = h.beginTran(ctx, w, tm.NewName, tm.NewIsolation)
		}
	default:
		return &tds.ServerError{Number: 8522, Class: 16, State: 1,
			Message: fmt.Sprintf("Distributed transaction request %s is not supported by this server.", tm.Kind)}
	}
	var e *engine.Error
	if errors.As(err, &e) {
		return serverError(e)
	}
	return err
}

func (h *handler) beginTran(ctx context.Context, w *tds.ResponseWriter, name string, iso uint8) error {
	desc, err := h.sess.BeginTran(ctx, name, isolationName(iso))
	if err != nil {
		return err
	}
	return w.EnvBeginTran(desc)
}

// isolationName maps a TM request's isolation level to SET TRANSACTION
// ISOLATION LEVEL's words; "" (0) keeps the session's level.
func isolationName(iso uint8) string {
	switch iso {
	case tds.IsoReadUncommited:
		return "READ UNCOMMITTED"
	case tds.IsoReadCommitted:
		return "READ COMMITTED"
	case tds.IsoRepeatableRead:
		return "REPEATABLE READ"
	case tds.IsoSerializable:
		return "SERIALIZABLE"
	case tds.IsoSnapshot:
		return "SNAPSHOT"
	}
	return ""
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
	// rpc: the request is an RPC, whose closing DONE is a DONEPROC
	// (MS-TDS 2.2.7.8: one DONEPROC per procedure called).
	rpc bool
}

func (r *results) Columns(cols []engine.Column) error {
	r.cols = cols
	wc := make([]tds.Column, len(cols))
	for i, c := range cols {
		wc[i] = tds.Column{Name: c.Name, Type: wireType(c.Type), Nullable: c.Nullable}
	}
	return r.w.ColMetadata(wc)
}

// Row writes a row; a sql_variant value goes with its base type's
// TYPE_INFO (the engine's row is not changed: it may be kept).
func (r *results) Row(vals []engine.Value) error {
	copied := false
	for i, v := range vals {
		if x, ok := v.(sqltypes.Variant); ok {
			if !copied {
				vals, copied = append([]engine.Value(nil), vals...), true
			}
			vals[i] = wireVariant(x)
		}
	}
	return r.w.Row(vals...)
}

func (r *results) Done(d engine.DoneInfo) error {
	td := tds.Done{Token: tds.TokenDone, CurCmd: d.CurCmd}
	switch {
	case d.InProc:
		td.Token = tds.TokenDoneInProc
	case r.rpc:
		td.Token = tds.TokenDoneProc
	}
	if d.InXact {
		td.Status |= tds.DoneInXact
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
	val := v.Value
	if x, ok := val.(sqltypes.Variant); ok {
		val = wireVariant(x)
	}
	return r.w.ReturnValue(tds.ReturnValue{Ordinal: uint16(v.Ordinal), Name: v.Name, Type: wireType(v.Type), Value: val})
}

func serverError(e *engine.Error) *tds.ServerError {
	return &tds.ServerError{Number: e.Number, State: e.State, Class: e.Class, Message: e.Message,
		Server: e.Server, Proc: e.Proc, Line: e.Line}
}
