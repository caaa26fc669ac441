package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
)

// TestBulkLoad: rows loaded without T-SQL are what INSERT would have
// stored (identity, defaults, conversions), survive a restart, and a bad
// row fails with INSERT's error, keeping the batches committed before it.
func TestBulkLoad(t *testing.T) {
	dir := t.TempDir()
	inst := openDir(t, dir, true)
	s := login(t, inst, "t")
	mustRun(t, s, "CREATE DATABASE mgc")
	mustRun(t, s, "USE mgc; CREATE TABLE dbo.tblChat (chatId bigint IDENTITY(1,1) NOT NULL PRIMARY KEY, channelId int NOT NULL, content nvarchar(max) NOT NULL, chatDate datetime2 NOT NULL, kind int NOT NULL DEFAULT 7)")
	ctx := context.Background()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	types := []Type{{Kind: sqltypes.KindBigInt}, {Kind: sqltypes.KindNVarChar, Length: sqltypes.MaxLength}, {Kind: sqltypes.KindDateTime2, Scale: 7}}
	i := 0
	n, err := s.BulkLoad(ctx, "dbo.tblChat", []string{"channelId", "content", "chatDate"}, types, 1000, func() ([]Value, error) {
		if i == 2500 {
			return nil, io.EOF
		}
		i++
		return []Value{int64(i % 7), fmt.Sprintf("message %d", i), at}, nil
	})
	if err != nil || n != 2500 {
		t.Fatalf("BulkLoad: %d rows, %v", n, err)
	}
	wantRows(t, s, "SELECT COUNT(*), MIN(chatId), MAX(chatId), MAX(kind), MIN(kind) FROM tblChat", "2500|1|2500|7|7")
	wantRows(t, s, "SELECT content, channelId FROM tblChat WHERE chatId = 2500", "message 2500|1")

	// A NULL in a NOT NULL column at row 1500 of the next load: 515, the
	// first batch of 1000 stays.
	i = 0
	n, err = s.BulkLoad(ctx, "tblChat", []string{"channelId", "content", "chatDate"}, types, 1000, func() ([]Value, error) {
		i++
		if i == 1500 {
			return []Value{int64(1), nil, at}, nil
		}
		return []Value{int64(1), "x", at}, nil
	})
	var e *Error
	if !errors.As(err, &e) || e.Number != 515 || n != 1000 {
		t.Fatalf("bad row: %d rows kept, %v; want 515 after 1000", n, err)
	}
	if _, err := s.BulkLoad(ctx, "dbo.nosuch", []string{"a"}, types[:1], 10, nil); !errors.As(err, &e) || e.Number != 208 {
		t.Fatalf("unknown table: %v, want 208", err)
	}
	if _, err := s.BulkLoad(ctx, "tblChat", []string{"chatId"}, types[:1], 10, nil); !errors.As(err, &e) || e.Number != 544 {
		t.Fatalf("identity column: %v, want 544", err)
	}
	s.Close()
	if err := inst.Close(); err != nil {
		t.Fatal(err)
	}
	inst = openDir(t, dir, true)
	defer inst.Close()
	s = login(t, inst, "t")
	wantRows(t, s, "SELECT COUNT(*) FROM mgc.dbo.tblChat", "3500")
}
