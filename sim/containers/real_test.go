package containers

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// TestRealSQLServer runs the real image when it is in the local store; it
// cannot be pulled here, so the test says so and skips otherwise.
func TestRealSQLServer(t *testing.T) {
	d := requireDocker(t)
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	ok, err := d.ImagePresent(ctx, RealSQLImage)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		// StartSQL must refuse without pulling.
		_, err := StartSQL(ctx, SQLOptions{Kind: SQLReal, Name: "REALSQL", SAPassword: "Real-Passw0rd!", Docker: d})
		if !errors.Is(err, ErrImageNotPresent) {
			t.Fatalf("StartSQL without the image: %v, want ErrImageNotPresent", err)
		}
		t.Skipf("%s is not present locally and no registry is reachable; docker load it to run this test", RealSQLImage)
	}
	simImage(t) // the share volume is handed to uid 10001 by the probe
	nw := newNetwork(t, d, "test-real")
	share := filepath.Join(t.TempDir(), "share")
	inst, err := StartSQL(ctx, SQLOptions{Kind: SQLReal, Name: "REALSQL", Network: nw, SAPassword: "Real-Passw0rd!", Share: Mount{HostDir: share}})
	if err != nil {
		t.Fatal(err)
	}
	cleanupInstance(t, inst)
	db := openSQL(t, inst.DSN("master"))
	if got := queryString(t, db, "SELECT @@SERVERNAME"); got != "REALSQL" {
		t.Errorf("@@SERVERNAME = %q", got)
	}
	execSQL(t, db, "BACKUP DATABASE master TO DISK = N'/share/master.bak' WITH INIT")
}
