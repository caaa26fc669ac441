package evidence

import (
	"context"
	"os"
	"os/exec"
	"os/user"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
)

// Build identifies the harness binary: its module version and the commit
// it was built from.
type Build struct {
	Version string
	Commit  string
}

// CurrentBuild reads the binary's build information. `go build` stamps
// the commit; `go run` and `go test` do not, and then the commit is asked
// of git in the working directory (the source tree `make run` runs in),
// marked "(working tree)". Unknown stays "unknown": evidence never guesses.
func CurrentBuild(ctx context.Context) Build {
	b := Build{Version: "unknown", Commit: "unknown"}
	info, ok := debug.ReadBuildInfo()
	if ok {
		if v := info.Main.Version; v != "" {
			b.Version = v
		}
		var rev, modified string
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
		if rev != "" {
			b.Commit = rev
			if modified == "true" {
				b.Commit += "+dirty"
			}
			return b
		}
	}
	if c := gitCommit(ctx); c != "" {
		b.Commit = c + " (working tree)"
	}
	return b
}

// gitCommit asks git for HEAD and whether the tree is modified; "" when
// there is no git or no repository here.
func gitCommit(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "git", "rev-parse", "HEAD").Output()
	if err != nil {
		return ""
	}
	rev := strings.TrimSpace(string(out))
	st, err := exec.CommandContext(ctx, "git", "status", "--porcelain", "--untracked-files=no").Output()
	if err == nil && len(strings.TrimSpace(string(st))) > 0 {
		rev += "+dirty"
	}
	return rev
}

// Operator is the user running the process (the login name, else $USER).
func Operator() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "unknown"
}

// Hostname is the machine's name, "unknown" when it cannot be read.
func Hostname() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "unknown"
	}
	return h
}

// Run-start attributes the CLI records (failback.Runner.Attrs) so that
// `failback report` can write the header from the journal alone.
const (
	AttrVersion        = "harness-version"
	AttrCommit         = "harness-commit"
	AttrOperator       = "operator"
	AttrHost           = "host"
	AttrTopology       = "topology"
	AttrTopologyDigest = "topology-digest"
	AttrRTO            = "objective-rto"
	AttrOutage         = "objective-outage"
	AttrRPO            = "objective-rpo"
	AttrCommand        = "command"
	// A run's forecast (failback forecast's figures at its start), in
	// seconds: the report shows each beside the measured one.
	AttrForecastRTO    = "forecast_rto_seconds"
	AttrForecastOutage = "forecast_outage_seconds"
	AttrForecastStep   = "forecast_step_seconds_" // + the step's name
)

// RunAttrs are the attributes a real run records at its start.
func RunAttrs(b Build, topologyFile, digest string, o Objectives, command string) map[string]string {
	return map[string]string{
		AttrVersion: b.Version, AttrCommit: b.Commit, AttrOperator: Operator(), AttrHost: Hostname(),
		AttrTopology: topologyFile, AttrTopologyDigest: digest,
		AttrRTO: o.RTO.String(), AttrOutage: o.Outage.String(), AttrRPO: o.RPO.String(),
		AttrCommand: command,
	}
}

// objectivesFromAttrs reads what RunAttrs wrote; ok is false when the
// journal predates them.
func objectivesFromAttrs(a map[string]string) (Objectives, bool) {
	var o Objectives
	var err error
	if a[AttrRTO] == "" {
		return o, false
	}
	if o.RTO, err = time.ParseDuration(a[AttrRTO]); err != nil {
		return Objectives{}, false
	}
	if o.Outage, err = time.ParseDuration(a[AttrOutage]); err != nil {
		return Objectives{}, false
	}
	if o.RPO, err = time.ParseDuration(a[AttrRPO]); err != nil {
		return Objectives{}, false
	}
	return o, true
}

// CommandLine is name and args as a shell would need them quoted (never a
// secret: passwords are never flags).
func CommandLine(name string, args []string) string {
	parts := []string{name}
	for _, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\"'&|~!$*?;<>()\\") {
			a = strconv.Quote(a)
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}
