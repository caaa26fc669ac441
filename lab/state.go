package lab

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Names inside the lab folder.
const (
	stateFile    = "lab.json"
	markerFile   = ".pchat-lab" // says the folder is a lab's, so Down may remove it
	topologyFile = "topology.yaml"
	journalFile  = "failback.journal"
	logFile      = "lab.log"
	worldDir     = "world"
)

// State is what a running lab writes to <dir>/lab.json for Check and Down.
// It holds the control endpoint's token: the file is mode 0600 in a 0700
// folder, like the secrets beside it.
type State struct {
	PID int `json:"pid"`
	// ProcStart is the process's start time as the kernel counts it
	// (Linux /proc/PID/stat field 22), so a pid the system has since given
	// to another process is not taken for the lab ("" elsewhere).
	ProcStart string    `json:"procStart,omitempty"`
	Control   string    `json:"control"` // 127.0.0.1:PORT
	Token     string    `json:"token"`
	Target    string    `json:"target"`
	Dir       string    `json:"dir"`
	Topology  string    `json:"topology"` // the lab's topology file, once written
	Journal   string    `json:"journal"`
	Pool      string    `json:"pool"`
	Phase     string    `json:"phase"` // PhaseStarting, PhaseReady, PhaseStopping
	Started   time.Time `json:"started"`
	// ComposeFile, ComposeProject and ComposeEnv are the compose target's
	// services (absolute file paths), for a clean-up after the lab died:
	// they outlive the lab's process.
	ComposeFile    string `json:"composeFile,omitempty"`
	ComposeProject string `json:"composeProject,omitempty"`
	ComposeEnv     string `json:"composeEnv,omitempty"`
}

// Phases of a lab's life, as its state file records them.
const (
	PhaseStarting = "starting"
	PhaseReady    = "ready"
	PhaseStopping = "stopping"
)

// ErrNoLab means the folder holds no lab's state file: nothing runs there.
var ErrNoLab = errors.New("no lab")

// readState reads dir's state file.
func readState(dir string) (State, error) {
	var st State
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if errors.Is(err, os.ErrNotExist) {
		return st, fmt.Errorf("%w in %s (no %s): start one with `make lab`", ErrNoLab, dir, stateFile)
	}
	if err != nil {
		return st, fmt.Errorf("lab: %w", err)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return st, fmt.Errorf("lab: state file %s is damaged (%v); `make lab-down` removes what the lab left", filepath.Join(dir, stateFile), err)
	}
	if st.PID <= 0 {
		return st, fmt.Errorf("lab: state file %s names no process; `make lab-down` removes what the lab left", filepath.Join(dir, stateFile))
	}
	return st, nil
}

// writeState replaces dir's state file atomically (a reader never sees
// half of it).
func writeState(dir string, st State) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("lab: state: %w", err)
	}
	tmp := filepath.Join(dir, stateFile+".tmp")
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("lab: state: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, stateFile)); err != nil {
		return fmt.Errorf("lab: state: %w", err)
	}
	return nil
}

// alive reports whether the process the state names still runs and is the
// one that wrote it.
func (st State) alive() bool {
	if err := syscall.Kill(st.PID, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	if st.ProcStart == "" {
		return true
	}
	now, err := procStart(st.PID)
	return err != nil || now == st.ProcStart // unreadable: trust the pid
}

// procStart is pid's start time in clock ticks since boot (Linux), "" and
// an error where /proc is not there.
func procStart(pid int) (string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", err
	}
	// The command name (field 2) is in parentheses and may hold spaces;
	// the fields after its closing one are space-separated.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return "", fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	f := strings.Fields(s[i+1:])
	const startTime = 22 - 3 // field 22, counted from field 3
	if len(f) <= startTime {
		return "", fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f)+2)
	}
	return f[startTime], nil
}
