package containers

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
)

// deadPID is the pid of a process that has exited.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skipf("no process to spend: %v", err)
	}
	return cmd.Process.Pid
}

func TestOrphaned(t *testing.T) {
	host, _ := os.Hostname()
	dead := deadPID(t)
	for label, want := range map[string]bool{
		host + "/" + strconv.Itoa(dead):        true,
		host + "/" + strconv.Itoa(os.Getpid()): false, // this run's own
		host + "/1":                            false, // alive
		"other-host/" + strconv.Itoa(dead):     false, // not ours to judge
		"garbage":                              false,
		host + "/-3":                           false,
	} {
		if got := orphaned(label); got != want {
			t.Errorf("orphaned(%q) = %t, want %t", label, got, want)
		}
	}
}

// TestReapOrphans: a network left by a process that is gone is removed;
// one of this process is kept.
func TestReapOrphans(t *testing.T) {
	d := requireDocker(t)
	ctx := context.Background()
	host, _ := os.Hostname()
	mk := func(owner string) string {
		t.Helper()
		name := "pchat-reaptest-" + randomSuffix()
		labels := testcontainers.GenericLabels()
		labels[LabelProject] = "true"
		labels[LabelOwner] = owner
		id, err := d.createNetwork(ctx, name, labels)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.cli.NetworkRemove(context.Background(), id, client.NetworkRemoveOptions{}) })
		return name
	}
	orphan := mk(host + "/" + strconv.Itoa(deadPID(t)))
	mine := mk(owner())
	n, err := d.ReapOrphans(ctx)
	if err != nil {
		t.Fatal(err)
	}
	exists := func(name string) bool {
		l, err := d.cli.NetworkList(ctx, client.NetworkListOptions{Filters: make(client.Filters).Add("name", name)})
		if err != nil {
			t.Fatal(err)
		}
		return len(l.Items) > 0
	}
	if n < 1 || exists(orphan) {
		t.Errorf("reaped %d, orphan network still there: %t", n, exists(orphan))
	}
	if !exists(mine) {
		t.Errorf("this process's network was reaped")
	}
}
