package ps

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
)

// ErrNotPowerShell means the command line does not start powershell.exe.
var ErrNotPowerShell = errors.New("not a powershell.exe command line")

// HostCommand is a powershell.exe invocation as WinRM hands it over.
type HostCommand struct {
	// Script is the decoded script text.
	Script string
	// Encoded is true for -EncodedCommand, which makes powershell.exe write
	// its error stream as CLIXML.
	Encoded bool
}

// SplitCommandLine splits a Windows command line with the
// CommandLineToArgvW rules (quotes group, backslashes escape quotes).
func SplitCommandLine(s string) []string {
	var args []string
	var cur strings.Builder
	inQuote, have := false, false
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == '\\':
			n := 0
			for i < len(rs) && rs[i] == '\\' {
				n++
				i++
			}
			if i < len(rs) && rs[i] == '"' {
				cur.WriteString(strings.Repeat("\\", n/2))
				if n%2 == 1 {
					cur.WriteRune('"')
				} else {
					inQuote = !inQuote
				}
			} else {
				cur.WriteString(strings.Repeat("\\", n))
				i--
			}
			have = true
		case r == '"':
			if inQuote && i+1 < len(rs) && rs[i+1] == '"' {
				cur.WriteRune('"')
				i++
			} else {
				inQuote = !inQuote
			}
			have = true
		case (r == ' ' || r == '\t') && !inQuote:
			if have {
				args = append(args, cur.String())
				cur.Reset()
				have = false
			}
		default:
			cur.WriteRune(r)
			have = true
		}
	}
	if have {
		args = append(args, cur.String())
	}
	return args
}

// powershell.exe's own switches that take a value; prefixes are accepted as
// powershell.exe does (-enc, -e, -ec).
var hostValueSwitches = []string{"executionpolicy", "inputformat", "outputformat", "windowstyle", "version", "psconsolefile", "configurationname"}
var hostFlagSwitches = []string{"noprofile", "noninteractive", "nologo", "noexit", "sta", "mta"}

// ParseHostCommand interprets "powershell.exe [switches] -EncodedCommand B64"
// or "powershell -Command ...". Anything after -Command is the script, joined
// with spaces, as powershell.exe does.
func ParseHostCommand(cmdline string, extraArgs ...string) (*HostCommand, error) {
	args := append(SplitCommandLine(cmdline), extraArgs...)
	if len(args) == 0 {
		return nil, ErrNotPowerShell
	}
	exe := strings.ToLower(args[0])
	if i := strings.LastIndexAny(exe, `\/`); i >= 0 {
		exe = exe[i+1:]
	}
	if exe != "powershell" && exe != "powershell.exe" {
		return nil, ErrNotPowerShell
	}
	for i := 1; i < len(args); i++ {
		a := args[i]
		if a == "" || !(isDash([]rune(a)[0]) || a[0] == '/') {
			// A bare argument starts the command, like -Command.
			return &HostCommand{Script: strings.Join(args[i:], " ")}, nil
		}
		name := strings.ToLower(string([]rune(a)[1:]))
		switch {
		case name == "":
			return nil, fmt.Errorf("powershell.exe: reading a script from standard input (-Command -) is not supported")
		case name == "e" || name == "ec" || strings.HasPrefix("encodedcommand", name) && len(name) >= 2 && name[1] == 'n':
			if i+1 >= len(args) {
				return nil, fmt.Errorf("powershell.exe: -EncodedCommand needs an argument")
			}
			script, err := DecodeEncodedCommand(args[i+1])
			if err != nil {
				return nil, err
			}
			return &HostCommand{Script: script, Encoded: true}, nil
		case strings.HasPrefix("command", name):
			if i+1 >= len(args) {
				return nil, fmt.Errorf("powershell.exe: -Command needs an argument")
			}
			if args[i+1] == "-" {
				return nil, fmt.Errorf("powershell.exe: reading a script from standard input (-Command -) is not supported")
			}
			return &HostCommand{Script: strings.Join(args[i+1:], " ")}, nil
		case strings.HasPrefix("file", name) && len(name) >= 1 && name[0] == 'f':
			return nil, fmt.Errorf("powershell.exe: -File is not supported by the fake; use -Command or -EncodedCommand")
		}
		matched := false
		for _, v := range hostValueSwitches {
			if strings.HasPrefix(v, name) {
				i++
				matched = true
				break
			}
		}
		for _, f := range hostFlagSwitches {
			if !matched && strings.HasPrefix(f, name) {
				matched = true
			}
		}
		if !matched {
			return nil, fmt.Errorf("powershell.exe: -%s is not a recognized switch", name)
		}
	}
	return &HostCommand{}, nil
}

// DecodeEncodedCommand decodes base64 of UTF-16LE text.
func DecodeEncodedCommand(b64 string) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil {
		return "", fmt.Errorf("powershell.exe: -EncodedCommand is not valid base64: %w", err)
	}
	if len(raw)%2 != 0 {
		return "", fmt.Errorf("powershell.exe: -EncodedCommand is not UTF-16LE (odd length %d)", len(raw))
	}
	u := make([]uint16, len(raw)/2)
	for i := range u {
		u[i] = uint16(raw[2*i]) | uint16(raw[2*i+1])<<8
	}
	return string(utf16.Decode(u)), nil
}

// EncodeCommand is the inverse of DecodeEncodedCommand (for tests and tools).
func EncodeCommand(script string) string {
	u := utf16.Encode([]rune(script))
	raw := make([]byte, 2*len(u))
	for i, c := range u {
		raw[2*i], raw[2*i+1] = byte(c), byte(c>>8)
	}
	return base64.StdEncoding.EncodeToString(raw)
}

// Exec runs a powershell.exe command line and returns what the process
// would write: stdout, stderr (CLIXML for -EncodedCommand, text otherwise)
// and the exit code.
func Exec(ctx context.Context, reg *Registry, hooks Hooks, hc *HostCommand) (stdout, stderr string, exitCode int, res *Result) {
	res = Run(ctx, reg, hooks, hc.Script)
	if hc.Encoded {
		stderr = CLIXML(res.Errors)
	} else {
		var b strings.Builder
		for _, e := range res.Errors {
			b.WriteString(e.Text())
		}
		stderr = b.String()
	}
	return res.Stdout, stderr, res.ExitCode, res
}
