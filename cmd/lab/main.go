// Command lab runs the operator's rehearsal lab (package lab): a whole
// simulated deployment in the state a failback starts from, with steady chat
// traffic, for the real `failback` CLI to fail back; then checks that no
// acknowledged chat message was lost, and stops it.
//
//	lab up [--dir .lab] [--topology FILE] [--target embedded|containers|compose] [--state failed-over|normal]
//	       [--compose-file F] [--compose-project P] [--any-ports] [--rate N] [--seed N] [--keep] [--failback-cmd CMD]
//	lab check [--dir .lab] [--json]
//	lab status [--dir .lab]
//	lab down [--dir .lab] [--keep]
//
// `make lab`, `make lab-check` and `make lab-down` run these.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	tclog "github.com/testcontainers/testcontainers-go/log"

	"github.com/pchatdr/harness/lab"
	"github.com/pchatdr/harness/sim/world"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailed  = 1 // the check found lost or duplicated messages; the lab failed
	exitNoLab   = 2 // no lab runs there, it died, or it cannot answer now
	exitUsage   = 3
	defaultDir  = ".lab"
	usageHeader = `usage: lab up [--dir .lab] [--topology FILE] [--target embedded|containers|compose] [--state failed-over|normal]
              [--compose-file F] [--compose-project P] [--any-ports] [--rate N] [--seed N] [--keep] [--failback-cmd CMD]
       lab check [--dir .lab] [--json]
       lab status [--dir .lab]
       lab down [--dir .lab] [--keep]
       lab compose-ports

  up      start the lab and run it until ` + "`lab down`" + ` or Ctrl-C; its start-up ends with
          "lab ready: topology <path>"
  check   compare the pool's mgc with every chat message the lab's servers acknowledged
  status  what the lab runs and how far its pool and traffic are
  down    stop the lab and everything it started; clean up after a lab that died
  compose-ports  free host ports for docker-compose.yml (VAR=PORT words; defaults where free)
exit codes: 0 done (check: nothing lost), 1 messages lost or duplicated, or the lab failed,
            2 no lab running there (or it died, or it cannot check now), 3 usage error
`
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, usageHeader)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	cmd := args[0]
	fs := flag.NewFlagSet("lab "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", defaultDir, "the lab folder (ignored by git; holds the lab's topology, secrets and data)")
	var (
		cfg     lab.Config
		target  string
		seed    uint64
		asJSON  bool
		keep    bool
		failCmd string
	)
	switch cmd {
	case "up":
		fs.StringVar(&cfg.Topology, "topology", "topologies/embedded.yaml", "the deployment to build (a file, or a shipped topology's name)")
		fs.StringVar(&target, "target", string(world.TargetEmbedded), "where the SQL Server instances run: embedded, containers, or compose (the services of --compose-file, seeded by an embedded world)")
		fs.StringVar(&cfg.ComposeFile, "compose-file", "docker-compose.sim.yml", "target compose: the compose file")
		fs.StringVar(&cfg.ComposeProject, "compose-project", "pchat-lab", "target compose: the compose project name")
		fs.BoolVar(&cfg.AnyPorts, "any-ports", false, "target compose: publish on any free host ports, not the defaults (14331-14334, 15985) where free")
		fs.StringVar(&cfg.State, "state", lab.StateFailedOver, "failed-over (disaster, failover, rebuilt primary) or normal (before any disaster)")
		fs.Float64Var(&cfg.Rate, "rate", 5, "steady chat traffic, posts per second")
		fs.Uint64Var(&seed, "seed", 0, "seed of the traffic's channels and users (0: pick one and print it)")
		fs.IntVar(&cfg.Before, "history-before", 40, "chat messages acknowledged before the disaster")
		fs.IntVar(&cfg.During, "history-during", 25, "chat messages acknowledged while failed over")
		fs.BoolVar(&keep, "keep", false, "keep the lab folder when the lab stops")
		fs.StringVar(&failCmd, "failback-cmd", "failback", "how the printed commands call the failback CLI")
	case "check":
		fs.BoolVar(&asJSON, "json", false, "print the result as JSON")
	case "status", "compose-ports":
	case "down":
		fs.BoolVar(&keep, "keep", false, "keep the lab folder (data, topology, secrets, log)")
	default:
		fmt.Fprintf(stderr, "lab: unknown command %q\n%s", cmd, usageHeader)
		return exitUsage
	}
	if err := fs.Parse(args[1:]); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "lab %s: unexpected argument %q\n", cmd, fs.Arg(0))
		return exitUsage
	}
	switch cmd {
	case "up":
		cfg.Dir, cfg.Target, cfg.Seed, cfg.Keep, cfg.FailbackCmd, cfg.Out = *dir, target, seed, keep, failCmd, stdout
		cfg.CheckCmd, cfg.DownCmd = "make lab-check"+dirVar(*dir), "make lab-down"+dirVar(*dir)
		return up(cfg, stderr)
	case "check":
		return check(*dir, asJSON, stdout, stderr)
	case "status":
		return status(*dir, stdout, stderr)
	case "compose-ports":
		ports, err := lab.ComposePorts()
		if err != nil {
			fmt.Fprintf(stderr, "lab compose-ports: %v\n", err)
			return exitFailed
		}
		fmt.Fprintln(stdout, strings.Join(ports, " "))
		return exitOK
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := lab.Down(ctx, *dir, keep, stdout); err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return exitFailed
	}
	return exitOK
}

// dirVar is the make variable that points `make lab-*` at a folder other
// than the default.
func dirVar(dir string) string {
	if filepath.Clean(dir) == defaultDir {
		return ""
	}
	return " LAB_DIR=" + dir
}

// up runs the lab. The first SIGINT/SIGTERM stops it cleanly; a second
// one abandons the clean-up (`lab down` finishes it).
func up(cfg lab.Config, stderr io.Writer) int {
	// testcontainers' banner and progress lines would bury the lab's own
	// among the operator's; its failures come back as errors.
	tclog.SetDefault(tclog.NewNoopLogger())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case s := <-sigs:
			fmt.Fprintf(stderr, "lab: %s: stopping everything the lab started (again to abandon the clean-up)\n", s)
			cancel()
		case <-done:
			return
		}
		select {
		case s := <-sigs:
			fmt.Fprintf(stderr, "lab: %s: exiting without cleaning up; `make lab-down` removes what is left\n", s)
			os.Exit(exitFailed)
		case <-done:
		}
	}()
	if err := lab.Up(ctx, cfg); err != nil {
		if !lab.Reported(err) {
			fmt.Fprintf(stderr, "%v\n", err)
		}
		return exitFailed
	}
	return exitOK
}

func check(dir string, asJSON bool, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	r, err := lab.Check(ctx, dir)
	if code, ok := noLab(err, "lab check", stderr); ok {
		return code
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(r)
	} else {
		r.Write(stdout)
	}
	if !r.OK() {
		return exitFailed
	}
	return exitOK
}

func status(dir string, stdout, stderr io.Writer) int {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := lab.Status(ctx, dir)
	if code, ok := noLab(err, "lab status", stderr); ok {
		return code
	}
	fmt.Fprintf(stdout, "lab status: %s since %s (pid %d, target %s)\n", s.Phase, s.Started.Format(time.RFC3339), s.PID, s.Target)
	if s.Topology != "" {
		fmt.Fprintf(stdout, "topology: %s\njournal: %s\n", s.Topology, s.Journal)
	}
	if s.PoolState != "" {
		fmt.Fprintf(stdout, "pool %s: %s, active servers %s\n", s.Pool, s.PoolState, strings.Join(s.ActiveServers, " "))
		t := s.Traffic
		fmt.Fprintf(stdout, "traffic: %g posts/s, %d posts: %d acknowledged, %d refused, %d failed\n", t.Rate, t.Attempted, t.Acknowledged, t.Refused, t.Failed)
	}
	return exitOK
}

// noLab turns the errors that mean "nothing to talk to" into exit 2 with
// their message, and any other error into exit 1.
func noLab(err error, what string, stderr io.Writer) (int, bool) {
	if err == nil {
		return 0, false
	}
	var dead *lab.DeadError
	fmt.Fprintf(stderr, "%s: %v\n", what, err)
	if errors.Is(err, lab.ErrNoLab) || errors.As(err, &dead) || errors.Is(err, lab.ErrBusy) {
		return exitNoLab, true
	}
	return exitFailed, true
}
