package tds

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-sql/civil"
	mssql "github.com/microsoft/go-mssqldb"
)

// recorder is shared by all connections of one test server; the fake
// handler stores what it decoded so tests can check the server's view.
type recorder struct {
	mu        sync.Mutex
	logins    []*Login7
	requests  []*Request
	cancelled int
	nextDesc  uint64
}

func (r *recorder) last() *Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests[len(r.requests)-1]
}

func (r *recorder) count() (logins, cancelled int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.logins), r.cancelled
}

type fakeHandler struct {
	rec  *recorder
	desc uint64 // open transaction, 0 if none
}

func (h *fakeHandler) Close() {}

func (h *fakeHandler) Login(ctx context.Context, l *Login7) (LoginReply, error) {
	h.rec.mu.Lock()
	h.rec.logins = append(h.rec.logins, l)
	h.rec.mu.Unlock()
	if l.UserName != "sa" || l.Password != "pw" {
		return LoginReply{}, LoginFailed(l.UserName)
	}
	return LoginReply{Database: l.Database, SPID: 53}, nil
}

var (
	longText   = strings.Repeat("αβγ-", 2500) // 10000 chars, 20000 bytes: several packets
	longBinary = bytes.Repeat([]byte{0xCD}, 9000)
	allTypes   = []Column{
		{"ti", IntN(1), true}, {"si", IntN(2), true}, {"i", IntN(4), true}, {"bi", IntN(8), true},
		{"b", Bit(), true}, {"r", FltN(4), true}, {"f", FltN(8), true},
		{"d", DecimalN(25, 0), true}, {"n", NumericN(10, 3), true},
		{"nv", NVarChar(10), true}, {"nvmax", NVarCharMax(), true}, {"v", VarChar(20), true}, {"nc", NChar(5), true},
		{"dt", DateTime(), true}, {"dt2", DateTime2(7), true}, {"da", Date(), true},
		{"g", GUID(), true}, {"vb", VarBinary(10), true}, {"vbmax", VarBinaryMax(), true},
	}
	allValues = []any{
		int64(200), int64(-300), int64(70000), int64(1) << 40,
		true, 1.5, 3.25,
		dec("1234567890123456789012345", 0), dec("-12345678", 3),
		"héllo", longText, "café", "ab",
		time.Date(2024, 3, 5, 10, 20, 30, 500_000_000, time.UTC),
		time.Date(2024, 3, 5, 10, 20, 30, 123456700, time.UTC),
		time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC),
		testGUID, []byte{1, 2, 3}, longBinary,
	}
)

func (h *fakeHandler) Request(ctx context.Context, req *Request, w *ResponseWriter) error {
	h.rec.mu.Lock()
	h.rec.requests = append(h.rec.requests, req)
	h.rec.mu.Unlock()
	switch {
	case req.TM != nil:
		return h.tm(req.TM, w)
	case req.RPC != nil:
		return h.rpc(req.RPC, w)
	}
	switch strings.TrimSpace(req.SQL) {
	case "select 1;":
		if err := w.ColMetadata([]Column{{"", IntN(4), false}}); err != nil {
			return err
		}
		if err := w.Row(int64(1)); err != nil {
			return err
		}
		return w.Done(Done{Status: DoneCount, CurCmd: CurCmdSelect, RowCount: 1})
	case "SELECT alltypes":
		if err := w.ColMetadata(allTypes); err != nil {
			return err
		}
		if err := w.Row(allValues...); err != nil {
			return err
		}
		if err := w.Row(make([]any, len(allTypes))...); err != nil {
			return err
		}
		return w.Done(Done{Status: DoneCount, CurCmd: CurCmdSelect, RowCount: 2})
	case "SELECT multi":
		if err := w.ColMetadata([]Column{{"a", IntN(4), false}}); err != nil {
			return err
		}
		for i := int64(1); i <= 2; i++ {
			if err := w.Row(i); err != nil {
				return err
			}
		}
		if err := w.Done(Done{Status: DoneCount, CurCmd: CurCmdSelect, RowCount: 2}); err != nil {
			return err
		}
		if err := w.Info(&ServerError{Number: 0, Class: 0, State: 1, Message: "between"}); err != nil {
			return err
		}
		if err := w.ColMetadata([]Column{{"s", NVarChar(5), false}}); err != nil {
			return err
		}
		if err := w.Row("x"); err != nil {
			return err
		}
		return w.Done(Done{Status: DoneCount, CurCmd: CurCmdSelect, RowCount: 1})
	case "SELECT err":
		return &ServerError{Number: 50000, Class: 16, State: 2, Line: 7, Message: "boom"}
	case "SELECT toolong":
		if err := w.ColMetadata([]Column{{"s", NVarChar(2), false}}); err != nil {
			return err
		}
		if err := w.Row("abc"); err == nil {
			return errors.New("row too long was accepted")
		}
		return &ServerError{Number: 8152, Class: 16, State: 13, Message: "String or binary data would be truncated."}
	case "SELECT block":
		<-ctx.Done()
		h.rec.mu.Lock()
		h.rec.cancelled++
		h.rec.mu.Unlock()
		if err := w.Row(int64(1)); !errors.Is(err, ErrCancelled) {
			return fmt.Errorf("write after attention: %v", err)
		}
		return ctx.Err()
	case "SELECT desc":
		if err := w.ColMetadata([]Column{{"d", IntN(8), false}}); err != nil {
			return err
		}
		if err := w.Row(int64(req.Headers.TransactionDescriptor)); err != nil {
			return err
		}
		return w.Done(Done{Status: DoneCount | h.inXact(), CurCmd: CurCmdSelect, RowCount: 1})
	}
	return &ServerError{Number: 102, Class: 15, State: 1, Line: 1, Message: "Incorrect syntax near '" + req.SQL + "'."}
}

func (h *fakeHandler) inXact() uint16 {
	if h.desc != 0 {
		return DoneInXact
	}
	return 0
}

func (h *fakeHandler) tm(tm *TMRequest, w *ResponseWriter) error {
	switch tm.Kind {
	case TMBegin:
		h.rec.mu.Lock()
		h.rec.nextDesc++
		h.desc = 0x1000 + h.rec.nextDesc
		h.rec.mu.Unlock()
		if err := w.EnvBeginTran(h.desc); err != nil {
			return err
		}
	case TMCommit, TMRollback:
		if h.desc == 0 {
			return &ServerError{Number: 3902, Class: 16, State: 1, Message: "The COMMIT TRANSACTION request has no corresponding BEGIN TRANSACTION."}
		}
		var err error
		if tm.Kind == TMCommit {
			err = w.EnvCommitTran(h.desc)
		} else {
			err = w.EnvRollbackTran(h.desc)
		}
		h.desc = 0
		if err != nil {
			return err
		}
	default:
		return &ServerError{Number: 8522, Class: 16, State: 1, Message: "unsupported"}
	}
	return w.Done(Done{})
}

// rpc echoes every parameter as a column of one row (for sp_executesql:
// the user parameters only), returns status 5, and for each OUTPUT
// parameter a value derived from its input.
func (h *fakeHandler) rpc(rpc *RPC, w *ResponseWriter) error {
	params := rpc.Params
	if rpc.ProcID == ProcExecuteSQL {
		params = params[2:]
	} else if rpc.ProcName != "dbo.usp_test" {
		return &ServerError{Number: 2812, Class: 16, State: 62, Message: "Could not find stored procedure '" + rpc.ProcName + "'."}
	}
	var cols []Column
	var vals []any
	for i, p := range params {
		if p.Output() {
			continue
		}
		ti := p.Type
		if ti.ID == TypeNull {
			ti = IntN(4)
		}
		cols = append(cols, Column{Name: fmt.Sprintf("c%d", i), Type: ti, Nullable: true})
		vals = append(vals, p.Value)
	}
	if len(cols) > 0 {
		if err := w.ColMetadata(cols); err != nil {
			return err
		}
		if err := w.Row(vals...); err != nil {
			return err
		}
		if err := w.Done(Done{Token: TokenDoneInProc, Status: DoneCount, CurCmd: CurCmdSelect, RowCount: 1}); err != nil {
			return err
		}
	}
	if err := w.ReturnStatus(5); err != nil {
		return err
	}
	for i, p := range rpc.Params {
		if !p.Output() {
			continue
		}
		v := p.Value
		switch x := v.(type) {
		case int64:
			v = x * 2
		case string:
			v = x + "!"
		}
		if err := w.ReturnValue(ReturnValue{Ordinal: uint16(i), Name: p.Name, Type: p.Type, Value: v}); err != nil {
			return err
		}
	}
	return w.Done(Done{Token: TokenDoneProc, CurCmd: CurCmdExecute})
}

// startServer runs Serve for every connection on a loopback listener
// until the test ends.
func startServer(t testing.TB) (string, *recorder) {
	t.Helper()
	return startServerWith(t, Options{ServerName: "SIMSRV"})
}

// startServerWith serves the fake handler with opts on a loopback port.
func startServerWith(t testing.TB, opts Options) (string, *recorder) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				_ = Serve(ctx, conn, func() Handler { return &fakeHandler{rec: rec} }, opts)
			}()
		}
	}()
	t.Cleanup(func() {
		cancel()
		ln.Close()
		wg.Wait()
	})
	return ln.Addr().String(), rec
}

func openDB(t *testing.T, addr, password string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlserver", fmt.Sprintf("sqlserver://sa:%s@%s?database=master&encrypt=disable", password, addr))
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

func TestGoMssqldb(t *testing.T) {
	addr, rec := startServer(t)
	db := openDB(t, addr, "pw")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	t.Run("ping and login", func(t *testing.T) {
		if err := db.PingContext(ctx); err != nil {
			t.Fatal(err)
		}
		rec.mu.Lock()
		l := rec.logins[0]
		rec.mu.Unlock()
		if l.UserName != "sa" || l.Password != "pw" || l.Database != "master" || l.PacketSize != 4096 ||
			l.AppName != "go-mssqldb" || l.TDSVersion != VerTDS74 {
			t.Errorf("login decoded as %v", l)
		}
		if strings.Contains(fmt.Sprint(l), "pw") || strings.Contains(fmt.Sprintf("%#v", *l), "pw") {
			t.Errorf("login formatting leaks the password: %v", l)
		}
	})

	t.Run("all types", func(t *testing.T) {
		rows, err := db.QueryContext(ctx, "SELECT alltypes")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cts, err := rows.ColumnTypes()
		if err != nil {
			t.Fatal(err)
		}
		if name := cts[7].DatabaseTypeName(); name != "DECIMAL" {
			t.Errorf("decimal column type name %q", name)
		}
		if p, s, ok := cts[7].DecimalSize(); !ok || p != 25 || s != 0 {
			t.Errorf("decimal size = %d,%d,%v", p, s, ok)
		}
		if !rows.Next() {
			t.Fatalf("no first row: %v", rows.Err())
		}
		var (
			ti, si, i, bi int64
			b             bool
			r, f          float64
			d, n          string
			nv, nvmax, v  string
			nc            string
			dt, dt2, da   time.Time
			g             mssql.UniqueIdentifier
			vb, vbmax     []byte
		)
		if err := rows.Scan(&ti, &si, &i, &bi, &b, &r, &f, &d, &n, &nv, &nvmax, &v, &nc, &dt, &dt2, &da, &g, &vb, &vbmax); err != nil {
			t.Fatal(err)
		}
		got := []any{ti, si, i, bi, b, r, f, d, n, nv, nvmax, v, nc, dt, dt2, da, [16]byte(g), vb, vbmax}
		want := append([]any(nil), allValues...)
		want[7], want[8], want[12] = "1234567890123456789012345", "-12345.678", "ab   "
		for k := range want {
			if !valueEqual(got[k], want[k]) {
				t.Errorf("column %s: got %v, want %v", allTypes[k].Name, short(got[k]), short(want[k]))
			}
		}
		if !rows.Next() {
			t.Fatalf("no NULL row: %v", rows.Err())
		}
		nulls := make([]any, len(allTypes))
		ptrs := make([]any, len(nulls))
		for k := range nulls {
			ptrs[k] = &nulls[k]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for k, v := range nulls {
			if v != nil {
				t.Errorf("column %s: got %v, want NULL", allTypes[k].Name, v)
			}
		}
		if rows.Next() {
			t.Error("unexpected third row")
		}
		if err := rows.Err(); err != nil {
			t.Error(err)
		}
	})

	t.Run("multiple result sets", func(t *testing.T) {
		rows, err := db.QueryContext(ctx, "SELECT multi")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var ints []int64
		for rows.Next() {
			var x int64
			if err := rows.Scan(&x); err != nil {
				t.Fatal(err)
			}
			ints = append(ints, x)
		}
		if !rows.NextResultSet() {
			t.Fatalf("no second result set: %v", rows.Err())
		}
		var s []string
		for rows.Next() {
			var x string
			if err := rows.Scan(&x); err != nil {
				t.Fatal(err)
			}
			s = append(s, x)
		}
		if fmt.Sprint(ints, s) != "[1 2] [x]" {
			t.Errorf("got %v %v", ints, s)
		}
		if rows.NextResultSet() {
			t.Error("unexpected third result set")
		}
	})

	t.Run("errors", func(t *testing.T) {
		cases := []struct {
			sql           string
			number        int32
			class, state  uint8
			line          int32
			msg           string
			affectedQuery bool
		}{
			{"SELECT err", 50000, 16, 2, 7, "boom", false},
			{"SELECT toolong", 8152, 16, 13, 0, "String or binary data would be truncated.", false},
			{"nonsense here", 102, 15, 1, 1, "Incorrect syntax near 'nonsense here'.", false},
		}
		for _, c := range cases {
			_, err := db.ExecContext(ctx, c.sql)
			var me mssql.Error
			if !errors.As(err, &me) {
				t.Fatalf("%s: error %v (%T) is not an mssql.Error", c.sql, err, err)
			}
			if me.Number != c.number || me.Class != c.class || me.State != c.state || me.LineNo != c.line ||
				me.Message != c.msg || me.ServerName != "SIMSRV" {
				t.Errorf("%s: got %+v", c.sql, me)
			}
		}
		if err := db.PingContext(ctx); err != nil {
			t.Errorf("connection broken after errors: %v", err)
		}
	})

	t.Run("rpc named and output", func(t *testing.T) {
		var out int64 = 21
		var outs = "in"
		var rs mssql.ReturnStatus
		_, err := db.ExecContext(ctx, "dbo.usp_test",
			sql.Named("a", int64(7)), sql.Named("s", "hi"),
			sql.Named("out", sql.Out{Dest: &out}), sql.Named("outs", sql.Out{Dest: &outs}), &rs)
		if err != nil {
			t.Fatal(err)
		}
		if out != 42 || outs != "in!" || rs != 5 {
			t.Errorf("out=%d outs=%q rs=%d, want 42 \"in!\" 5", out, outs, rs)
		}
		req := rec.last()
		if req.RPC == nil || req.RPC.ProcName != "dbo.usp_test" || req.RPC.ProcID != 0 {
			t.Fatalf("request %+v", req)
		}
		var names []string
		for _, p := range req.RPC.Params {
			names = append(names, fmt.Sprintf("%s:%v:%v", p.Name, p.Output(), p.Type))
		}
		if got := strings.Join(names, " "); got != "@a:false:bigint @s:false:nvarchar(2) @out:true:bigint @outs:true:nvarchar(max)" {
			t.Errorf("params %s", got)
		}
	})

	t.Run("rpc positional", func(t *testing.T) {
		if _, err := db.ExecContext(ctx, "dbo.usp_test", int64(9), "pos"); err != nil {
			t.Fatal(err)
		}
		ps := rec.last().RPC.Params
		if len(ps) != 2 || ps[0].Name != "" || ps[0].Value != int64(9) || ps[1].Name != "" || ps[1].Value != "pos" {
			t.Errorf("params %+v", ps)
		}
	})

	t.Run("sp_executesql parameter types", func(t *testing.T) {
		ts := time.Date(2024, 3, 5, 10, 20, 30, 123456700, time.FixedZone("", 3600))
		long := strings.Repeat("z", 9000)
		args := []struct {
			arg  any
			want any
			typ  string
		}{
			{nil, nil, "null"},
			{int64(-5), int64(-5), "bigint"},
			{int32(-6), int64(-6), "int"},
			{int16(-7), int64(-7), "smallint"},
			{int8(8), int64(8), "tinyint"},
			{2.5, 2.5, "float"},
			{float32(1.25), 1.25, "real"},
			{true, true, "bit"},
			{"héllo", "héllo", "nvarchar(5)"},
			{"", "", "nvarchar(max)"},
			{long, long, "nvarchar(max)"},
			{[]byte{9, 8}, []byte{9, 8}, "varbinary(2)"},
			{[]byte{}, []byte{}, "varbinary(max)"},
			{ts, ts, "datetimeoffset(7)"},
			{mssql.VarChar("abc"), "abc", "varchar(3)"},
			{mssql.NVarCharMax("m"), "m", "nvarchar(max)"},
			{mssql.DateTime1(time.Date(2020, 2, 29, 1, 2, 3, 0, time.UTC)), time.Date(2020, 2, 29, 1, 2, 3, 0, time.UTC), "datetime"},
			{civil.Date{Year: 2021, Month: 7, Day: 4}, time.Date(2021, 7, 4, 0, 0, 0, 0, time.UTC), "date"},
			{civil.DateTime{Date: civil.Date{Year: 2021, Month: 7, Day: 4}, Time: civil.Time{Hour: 5, Minute: 6, Second: 7, Nanosecond: 800}},
				time.Date(2021, 7, 4, 5, 6, 7, 800, time.UTC), "datetime2(7)"},
			{civil.Time{Hour: 23, Minute: 1, Second: 2, Nanosecond: 300}, time.Date(1, 1, 1, 23, 1, 2, 300, time.UTC), "time(7)"},
			{mssql.UniqueIdentifier(testGUID), testGUID, "uniqueidentifier"},
			{sql.NullInt64{}, nil, "bigint"},
			{sql.NullString{}, nil, "nvarchar(4000)"},
		}
		var texts []string
		var argv []any
		for k, a := range args {
			texts = append(texts, fmt.Sprintf("@p%d", k+1))
			argv = append(argv, a.arg)
		}
		rows, err := db.QueryContext(ctx, "SELECT "+strings.Join(texts, ","), argv...)
		if err != nil {
			t.Fatal(err)
		}
		rows.Close()
		rpc := rec.last().RPC
		if rpc == nil || rpc.ProcID != ProcExecuteSQL || rpc.ProcName != "sp_executesql" {
			t.Fatalf("not an sp_executesql RPC: %+v", rec.last())
		}
		if rpc.Params[0].Value != "SELECT "+strings.Join(texts, ",") || !strings.HasPrefix(rpc.Params[1].Value.(string), "@p1 ") {
			t.Errorf("statement/declaration params: %q %q", rpc.Params[0].Value, rpc.Params[1].Value)
		}
		for k, a := range args {
			p := rpc.Params[k+2]
			if p.Name != fmt.Sprintf("@p%d", k+1) || p.Type.String() != a.typ || !valueEqual(p.Value, a.want) {
				t.Errorf("arg %d (%T): got %s %v %v, want %s %v", k, a.arg, p.Name, p.Type, short(p.Value), a.typ, short(a.want))
			}
		}
	})

	t.Run("transactions", func(t *testing.T) {
		for _, commit := range []bool{true, false} {
			tx, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelSerializable})
			if err != nil {
				t.Fatal(err)
			}
			begin := rec.last()
			if begin.TM == nil || begin.TM.Kind != TMBegin || begin.TM.Isolation != IsoSerializable {
				t.Fatalf("begin request %+v", begin)
			}
			var desc int64
			if err := tx.QueryRowContext(ctx, "SELECT desc").Scan(&desc); err != nil {
				t.Fatal(err)
			}
			if desc < 0x1001 {
				t.Errorf("descriptor in ALL_HEADERS = %#x, want the one from ENVCHANGE 8", desc)
			}
			if commit {
				err = tx.Commit()
			} else {
				err = tx.Rollback()
			}
			if err != nil {
				t.Fatal(err)
			}
			end := rec.last()
			want := TMRollback
			if commit {
				want = TMCommit
			}
			if end.TM == nil || end.TM.Kind != want || end.Headers.TransactionDescriptor != uint64(desc) {
				t.Errorf("end request %+v (tm %+v), want %v with descriptor %#x", end, end.TM, want, desc)
			}
		}
	})

	t.Run("cancel with attention", func(t *testing.T) {
		logins, _ := rec.count()
		cctx, ccancel := context.WithCancel(ctx)
		time.AfterFunc(200*time.Millisecond, ccancel)
		start := time.Now()
		_, err := db.ExecContext(cctx, "SELECT block")
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
		// A hang guard, not a speed check: the statement blocks until cancelled.
		if d := time.Since(start); d > 30*time.Second {
			t.Errorf("cancel took %v", d)
		}
		if err := db.PingContext(ctx); err != nil {
			t.Fatalf("ping after cancel: %v", err)
		}
		logins2, cancelled := rec.count()
		if cancelled != 1 {
			t.Errorf("handler saw %d cancellations, want 1", cancelled)
		}
		if logins2 != logins {
			t.Errorf("connection was replaced after cancel (%d logins, was %d)", logins2, logins)
		}
	})

	t.Run("reset connection flag", func(t *testing.T) {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		resets := 0
		for _, r := range rec.requests {
			if r.ResetConnection {
				resets++
			}
		}
		if resets == 0 {
			t.Error("no request carried RESETCONNECTION; database/sql resets pooled sessions")
		}
	})

	t.Run("default encrypt setting", func(t *testing.T) {
		db, err := sql.Open("sqlserver", fmt.Sprintf("sqlserver://sa:pw@%s?database=mgc", addr))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.PingContext(ctx); err != nil {
			t.Fatalf("encrypt absent (client sends OFF, server answers NOT_SUP): %v", err)
		}
	})

	t.Run("login failure", func(t *testing.T) {
		bad := openDB(t, addr, "wrong")
		err := bad.PingContext(ctx)
		var me mssql.Error
		if !errors.As(err, &me) || me.Number != 18456 || me.Class != 14 ||
			!strings.Contains(me.Message, "Login failed for user 'sa'.") {
			t.Errorf("got %v (%T)", err, err)
		}
	})
}

func short(v any) string {
	s := fmt.Sprintf("%v", v)
	if len(s) > 60 {
		s = s[:60] + "..."
	}
	return s
}
