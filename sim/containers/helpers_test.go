package containers

import (
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/pchatdr/harness/sim/mssql"
	"github.com/pchatdr/harness/sim/mssql/engine"
)

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }

func fileUID(fi os.FileInfo) int {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid)
	}
	return -1
}

// inProcessStart times mssql.Start with a data folder, as the embedded
// world starts an instance.
func inProcessStart(t *testing.T, runs int) []time.Duration {
	t.Helper()
	var out []time.Duration
	for range runs {
		began := time.Now()
		srv, err := mssql.Start(mssql.Config{Engine: engine.Config{Name: "SQLTIME", DataDir: t.TempDir(), SAPassword: testSAPassword}})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, time.Since(began))
		if err := srv.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}
