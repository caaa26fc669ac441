package containers

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/testcontainers/testcontainers-go"
)

// TestMain disables Ryuk before any testcontainers call (callers outside
// this package must do the same; the package's init only covers an unset
// variable).
func TestMain(m *testing.M) {
	os.Setenv(RyukEnv, "true")
	os.Exit(m.Run())
}

var shared struct {
	once   sync.Once
	docker *Docker
	err    error

	simOnce, lyncOnce sync.Once
	sim, lync         Image
	simErr, lyncErr   error
}

// requireDocker skips the test when no daemon answers.
func requireDocker(t *testing.T) *Docker {
	t.Helper()
	if testing.Short() {
		t.Skip("containers: skipped in -short mode")
	}
	shared.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		shared.docker, shared.err = Connect(ctx)
	})
	if errors.Is(shared.err, ErrNoDocker) {
		t.Skipf("no Docker daemon, container tests skipped: %v", shared.err)
	}
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	testcontainers.SkipIfProviderIsNotHealthy(t)
	return shared.docker
}

// simImage builds (or reuses) the simulator image once per test binary.
func simImage(t *testing.T) Image {
	t.Helper()
	d := requireDocker(t)
	shared.simOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		shared.sim, shared.simErr = d.EnsureImage(ctx, SimulatorSpec, BuildOptions{Log: testWriter{t}})
	})
	if shared.simErr != nil {
		t.Fatalf("simulator image: %v", shared.simErr)
	}
	return shared.sim
}

func lyncImage(t *testing.T) Image {
	t.Helper()
	d := requireDocker(t)
	shared.lyncOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		shared.lync, shared.lyncErr = d.EnsureImage(ctx, LyncFakeSpec, BuildOptions{Log: testWriter{t}})
	})
	if shared.lyncErr != nil {
		t.Skipf("lyncfake image does not build yet (cmd/lyncfake is another helper's work): %v", shared.lyncErr)
	}
	return shared.lync
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Logf("%s", p)
	return len(p), nil
}

// newNetwork creates a network removed when the test ends.
func newNetwork(t *testing.T, d *Docker, world string) *Network {
	t.Helper()
	nw, err := d.NewNetwork(context.Background(), world)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := nw.Remove(context.Background()); err != nil {
			t.Errorf("remove network: %v", err)
		}
	})
	return nw
}

// cleanupInstance terminates inst when the test ends (registered after the
// network, so it runs before the network's removal).
func cleanupInstance(t *testing.T, inst interface{ Terminate(context.Context) error }) {
	t.Helper()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := inst.Terminate(ctx); err != nil {
			t.Errorf("terminate: %v", err)
		}
	})
}
