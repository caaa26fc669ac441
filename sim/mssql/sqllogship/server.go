package sqllogship

import (
	"context"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"time"

	"github.com/pchatdr/harness/sim/mssql/hostfs"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sqlerr"
)

// Server is the instance as the agent sees it: a connection of its own for
// T-SQL (msdb's log-shipping tables, BACKUP LOG, RESTORE HEADERONLY,
// RESTORE LOG), the file system as the SQL Server Agent's account, and the
// two things sqllogship.exe learns outside T-SQL.
type Server interface {
	// Exec runs a batch and returns what it produced; the error is the
	// batch's first error message (the Result still holds all of them).
	Exec(ctx context.Context, text string) (*Result, error)
	// Now is the instance's clock (GETDATE's).
	Now() time.Time
	// Files is how the Agent's account sees the disks and the share.
	Files() (*hostfs.FS, error)
	// AgentAccount is the account the Agent (and so the agent) runs as.
	AgentAccount() string
	// RedoLSN is the first LSN a RESTORING database still needs; ok is
	// false when the database is not restoring.
	RedoLSN(db string) (lsn *big.Int, ok bool)
	// KillSessionsIn disconnects the users of a database before a restore
	// (the secondary's @disconnect_users).
	KillSessionsIn(db string)
}

// Result is what one batch produced: result sets (column names and rows)
// and error messages, in order.
type Result struct {
	Cols   [][]string
	Sets   [][][]sqltypes.Value
	Errors []*sqlerr.Error
}

// Rows returns result set i (nil when the batch produced fewer).
func (r *Result) Rows(i int) [][]sqltypes.Value {
	if r == nil || i >= len(r.Sets) {
		return nil
	}
	return r.Sets[i]
}

// ColIndex finds a column of result set i by name (case-insensitive), -1
// when absent.
func (r *Result) ColIndex(i int, name string) int {
	if r == nil || i >= len(r.Cols) {
		return -1
	}
	for j, c := range r.Cols[i] {
		if strings.EqualFold(c, name) {
			return j
		}
	}
	return -1
}

// HasError says whether the batch raised message n.
func (r *Result) HasError(n int32) bool {
	if r == nil {
		return false
	}
	for _, e := range r.Errors {
		if e.Number == n {
			return true
		}
	}
	return false
}

// online says whether database db is ONLINE, as the backup agent checks
// before BACKUP LOG (a mirror configured as a primary for after a
// mirroring failover is RESTORING and has nothing to back up).
func (r *lsRun) online(db string) (bool, *Result, error) {
	sink, err := r.sql("SELECT state_desc FROM sys.databases WHERE name = " + lit(db))
	if err != nil {
		return false, sink, err
	}
	rows := sink.Rows(0)
	return len(rows) == 1 && vStr(rows[0][0]) == "ONLINE", sink, nil
}

// Agent types of the monitor tables (agent_type).
const (
	lsBackupAgent  = 0
	lsCopyAgent    = 1
	lsRestoreAgent = 2
)

// Session statuses of log_shipping_monitor_history_detail.
const (
	lsStarting = 0
	lsRunning  = 1
	lsSuccess  = 2
	lsError    = 3
	lsWarning  = 4
)

// exe is the agent executable's path in the job steps SQL Server creates
// (SQL Server 2019's tools folder).
const exe = `"C:\Program Files\Microsoft SQL Server\150\Tools\Binn\sqllogship.exe"`

// Command is the command line of a log-shipping job step, as
// sp_add_log_shipping_primary_database and _secondary_primary write it.
func Command(kind string, id sqltypes.GUID, server string) string {
	return fmt.Sprintf("%s -%s %s -server %s", exe, kind, id.String(), server)
}

var commandRE = regexp.MustCompile(`(?i)sqllogship(?:\.exe)?"?\s+-(backup|copy|restore)\s+\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?`)

// Parse reads a job step's command line: the agent's kind ("backup",
// "copy", "restore") and the primary or secondary id.
func Parse(cmd string) (kind string, id sqltypes.GUID, ok bool) {
	m := commandRE.FindStringSubmatch(cmd)
	if m == nil {
		return "", sqltypes.GUID{}, false
	}
	v, err := sqltypes.Convert(m[2], sqltypes.NVarChar(36), sqltypes.TypeGUID)
	if err != nil {
		return "", sqltypes.GUID{}, false
	}
	g, ok := v.(sqltypes.GUID)
	return strings.ToLower(m[1]), g, ok
}

func lit(v any) string          { return sqltypes.Literal(v) }
func quoteName(s string) string { return sqltypes.QuoteName(s) }

func vStr(v sqltypes.Value) string {
	s, _ := v.(string)
	return s
}

func vInt(v sqltypes.Value) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case bool:
		if x {
			return 1
		}
	case sqltypes.Decimal:
		if x.Unscaled != nil && x.Scale == 0 && x.Unscaled.IsInt64() {
			return x.Unscaled.Int64()
		}
	}
	return 0
}

// wallClock is t's local wall-clock reading labelled UTC, as DATETIME
// columns hold it.
func wallClock(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}
