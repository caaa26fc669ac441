package lab

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/pchatdr/harness/sim/containers"
	"github.com/pchatdr/harness/sim/world"
)

// DeadError is a lab whose state file is there but whose process is gone:
// it was killed, or crashed, before it could stop what it started.
type DeadError struct{ State State }

func (e *DeadError) Error() string {
	return fmt.Sprintf("the lab in %s (pid %d, started %s) is no longer running: it died without stopping; `make lab-down` removes what it left",
		display(e.State.Dir), e.State.PID, e.State.Started.Format(time.RFC3339))
}

// running reads dir's state file and checks that its lab still runs.
func running(dir string) (State, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return State{}, fmt.Errorf("lab: %w", err)
	}
	st, err := readState(abs)
	if err != nil {
		return st, err
	}
	if st.Dir == "" {
		st.Dir = abs
	}
	if !st.alive() {
		return st, &DeadError{State: st}
	}
	return st, nil
}

// call sends one request to the lab's control endpoint and decodes a 2xx
// answer into out; any other answer comes back as an error with the lab's
// message (ErrBusy for 409).
func call(ctx context.Context, st State, method, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, "http://"+st.Control+path, nil)
	if err != nil {
		return fmt.Errorf("lab: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+st.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("lab: the lab (pid %d) runs but its control endpoint %s does not answer: %w", st.PID, st.Control, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("lab: %s %s: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		var e errorBody
		msg := string(bytes.TrimSpace(body))
		if json.Unmarshal(body, &e) == nil && e.Error != "" {
			msg = e.Error
		}
		if resp.StatusCode == http.StatusConflict {
			return fmt.Errorf("%w: %s", ErrBusy, trimBusy(msg))
		}
		return fmt.Errorf("lab: %s %s: %s: %s", method, path, resp.Status, msg)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("lab: %s %s: %w", method, path, err)
	}
	return nil
}

// trimBusy drops the lab's own "lab busy: " prefix (the client adds it).
func trimBusy(msg string) string {
	p := ErrBusy.Error() + ": "
	if len(msg) > len(p) && msg[:len(p)] == p {
		return msg[len(p):]
	}
	return msg
}

// Check asks the lab running in dir to check its chat history (see
// CheckResult). A dead lab is a *DeadError; no lab wraps ErrNoLab; a lab
// that cannot check now wraps ErrBusy.
func Check(ctx context.Context, dir string) (CheckResult, error) {
	return ask[CheckResult](ctx, dir, http.MethodPost, pathCheck)
}

// Status asks the lab running in dir how it is.
func Status(ctx context.Context, dir string) (StatusResult, error) {
	return ask[StatusResult](ctx, dir, http.MethodGet, pathStatus)
}

// ask sends one request to the lab running in dir.
func ask[T any](ctx context.Context, dir, method, path string) (T, error) {
	var r T
	st, err := running(dir)
	if err != nil {
		return r, err
	}
	err = call(ctx, st, method, path, &r)
	return r, err
}

// Down stops the lab running in dir and waits until its process is gone;
// for a lab that died, it removes what the lab left (its containers and
// network, its folder). keep leaves the folder. It reports what it did on
// out. Nothing to stop is not an error.
func Down(ctx context.Context, dir string, keep bool, out io.Writer) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("lab: %w", err)
	}
	st, err := running(abs)
	var dead *DeadError
	switch {
	case errors.Is(err, ErrNoLab):
		if !isLabDir(abs) {
			fmt.Fprintf(out, "lab down: no lab in %s; nothing to stop\n", display(abs))
			return nil
		}
		fmt.Fprintf(out, "lab down: %s holds a stopped lab's files\n", display(abs))
		return removeDir(abs, keep, out)
	case errors.As(err, &dead):
		fmt.Fprintf(out, "lab down: the lab (pid %d) is no longer running: it died without stopping; removing what it left\n", dead.State.PID)
		return cleanUp(ctx, dead.State, abs, keep, out)
	case err != nil:
		// A damaged state file: what the lab left is still to remove.
		fmt.Fprintf(out, "lab down: %v\n", err)
		return cleanUp(ctx, State{Dir: abs}, abs, keep, out)
	}
	path := pathDown
	if keep {
		path += "?keep=1"
	}
	wait := 2 * time.Minute
	if st.Target != string(world.TargetEmbedded) {
		wait = 5 * time.Minute // a container's clean shutdown alone may take 30s
	}
	if err := call(ctx, st, http.MethodPost, path, nil); err != nil {
		fmt.Fprintf(out, "lab down: %v; sending SIGTERM to pid %d\n", err, st.PID)
		if err := syscall.Kill(st.PID, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
			return fmt.Errorf("lab down: signal pid %d: %w", st.PID, err)
		}
	} else {
		fmt.Fprintf(out, "lab down: asked the lab (pid %d) to stop; waiting for it\n", st.PID)
	}
	if !waitGone(ctx, st, wait) {
		fmt.Fprintf(out, "lab down: the lab (pid %d) did not stop within %s; killing it\n", st.PID, wait)
		if err := syscall.Kill(st.PID, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			return fmt.Errorf("lab down: kill pid %d: %w", st.PID, err)
		}
		if !waitGone(ctx, st, 10*time.Second) {
			return fmt.Errorf("lab down: pid %d survived SIGKILL", st.PID)
		}
	}
	if _, err := os.Stat(filepath.Join(abs, stateFile)); err == nil {
		// It did not get to remove its state file: treat it as dead.
		fmt.Fprintf(out, "lab down: the lab (pid %d) ended without cleaning up; removing what it left\n", st.PID)
		return cleanUp(ctx, st, abs, keep, out)
	}
	fmt.Fprintf(out, "lab down: the lab (pid %d) stopped everything it started\n", st.PID)
	if keep {
		fmt.Fprintf(out, "lab down: kept %s\n", display(abs))
	} else if isLabDir(abs) {
		return removeDir(abs, false, out)
	}
	return nil
}

// waitGone polls until st's process is gone, up to d.
func waitGone(ctx context.Context, st State, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for st.alive() {
		if time.Now().After(deadline) {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(50 * time.Millisecond):
		}
	}
	return true
}

// cleanUp removes what a dead lab left: on the containers target its
// containers and network (the project's owner label names its gone pid,
// so Docker's orphans are found as a world finds them before it starts),
// then its folder. An embedded lab's instances died with its process. An
// unknown target (a damaged state file) gets the containers' clean-up
// where Docker answers.
func cleanUp(ctx context.Context, st State, dir string, keep bool, out io.Writer) error {
	var errs []error
	if st.Target == TargetCompose {
		errs = append(errs, composeCleanUp(st, out))
	} else if st.Target != string(world.TargetEmbedded) {
		d, err := containers.Connect(ctx)
		switch {
		case err != nil && st.Target == "":
		case err != nil:
			fmt.Fprintf(out, "lab down: Docker does not answer (%v): remove the lab's containers by hand: docker ps -a --filter label=%s\n", err, containers.LabelOwner)
			errs = append(errs, err)
		default:
			n, err := d.ReapOrphans(ctx)
			fmt.Fprintf(out, "lab down: removed %d containers and networks the lab left\n", n)
			errs = append(errs, err, d.Close())
		}
	}
	errs = append(errs, removeDir(dir, keep, out))
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("lab down: %w", err)
	}
	return nil
}

// removeDir removes a lab folder (only one with the lab's marker), or with
// keep only its state file.
func removeDir(dir string, keep bool, out io.Writer) error {
	if keep {
		if err := os.Remove(filepath.Join(dir, stateFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		fmt.Fprintf(out, "lab down: kept %s\n", display(dir))
		return nil
	}
	if !isLabDir(dir) {
		return fmt.Errorf("%s has no %s marker: not removing a folder the lab did not make", dir, markerFile)
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	fmt.Fprintf(out, "lab down: removed %s\n", display(dir))
	return nil
}

// composeCleanUp takes a dead compose lab's services down: `compose down`
// with the lab's env file, or, without it, every container and network of
// the project by compose's own labels.
func composeCleanUp(st State, out io.Writer) error {
	if st.ComposeProject == "" {
		return nil // died before it started any service
	}
	cli, err := composeCLI()
	if err == nil {
		if _, serr := os.Stat(st.ComposeEnv); serr == nil {
			run := composeRunner{cli: cli, dir: filepath.Dir(st.ComposeFile), file: st.ComposeFile, project: st.ComposeProject,
				env: st.ComposeEnv, logf: func(string, ...any) {}}
			if err = composeDown(run); err == nil {
				fmt.Fprintf(out, "lab down: took compose project %s down\n", st.ComposeProject)
				return nil
			}
		}
	}
	fmt.Fprintf(out, "lab down: removing compose project %s's containers and network by label\n", st.ComposeProject)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	label := "label=com.docker.compose.project=" + st.ComposeProject
	ids, lerr := exec.CommandContext(ctx, "docker", "ps", "-aq", "--filter", label).Output()
	if lerr != nil {
		return errors.Join(err, fmt.Errorf("docker ps: %w", lerr))
	}
	if f := strings.Fields(string(ids)); len(f) > 0 {
		if b, rerr := exec.CommandContext(ctx, "docker", append([]string{"rm", "-f"}, f...)...).CombinedOutput(); rerr != nil {
			return fmt.Errorf("docker rm: %w: %s", rerr, b)
		}
	}
	nets, nerr := exec.CommandContext(ctx, "docker", "network", "ls", "-q", "--filter", label).Output()
	if nerr != nil {
		return fmt.Errorf("docker network ls: %w", nerr)
	}
	if f := strings.Fields(string(nets)); len(f) > 0 {
		if b, rerr := exec.CommandContext(ctx, "docker", append([]string{"network", "rm"}, f...)...).CombinedOutput(); rerr != nil {
			return fmt.Errorf("docker network rm: %w: %s", rerr, b)
		}
	}
	return nil
}
