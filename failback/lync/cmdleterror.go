package lync

import (
	"fmt"
	"regexp"
	"strings"
)

// CmdletError is a script that ran and failed: PowerShell reported an error
// record, or the process exited non-zero. It is permanent for IsTransient:
// running the same cmdlet again gives the same answer.
type CmdletError struct {
	Command               string // cmdlet named in the error ("Set-CsPersistentChatState"), if any
	Message               string // the error message, without position and category lines
	FullyQualifiedErrorId string // e.g. "ParameterArgumentValidationError,Microsoft.Rtc..."; may be empty
	Category              string // the CategoryInfo line, if present
	ExitCode              int
	// Detail is the whole decoded error text (position lines included). It
	// never holds secrets: scripts carry no passwords.
	Detail string
}

func (e *CmdletError) Error() string {
	var b strings.Builder
	b.WriteString("cmdlet error")
	if e.Command != "" {
		b.WriteString(" in ")
		b.WriteString(e.Command)
	}
	b.WriteString(": ")
	if e.Message != "" {
		b.WriteString(e.Message)
	} else {
		b.WriteString("no error text")
	}
	if e.FullyQualifiedErrorId != "" {
		fmt.Fprintf(&b, " [%s]", e.FullyQualifiedErrorId)
	}
	fmt.Fprintf(&b, " (exit code %d)", e.ExitCode)
	return b.String()
}

var (
	cmdPrefixRE = regexp.MustCompile(`^([A-Za-z]+-[A-Za-z0-9]+) : (.*)$`)
	positionRE  = regexp.MustCompile(`^At (line:\d+|.*:\d+) char:\d+`)
)

// parseErrorText fills a CmdletError from PowerShell's default error view:
//
//	Set-CsX : message
//	continued message
//	At line:1 char:1
//	+ Set-CsX -Identity 'global'
//	+ ~~~~~~~
//	    + CategoryInfo          : InvalidArgument: (:) [Set-CsX], ...
//	    + FullyQualifiedErrorId : SomeId,Microsoft.Rtc...
func parseErrorText(text string) CmdletError {
	e := CmdletError{Detail: strings.TrimSpace(text)}
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	var msg []string
	inMessage := true
	for _, raw := range lines {
		line := strings.TrimSpace(strings.TrimRight(raw, "\r"))
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "+") {
			inMessage = false
			body := strings.TrimSpace(strings.TrimPrefix(line, "+"))
			if k, v, ok := strings.Cut(body, ":"); ok {
				switch strings.TrimSpace(k) {
				case "FullyQualifiedErrorId":
					if e.FullyQualifiedErrorId == "" {
						e.FullyQualifiedErrorId = strings.TrimSpace(v)
					}
				case "CategoryInfo":
					if e.Category == "" {
						e.Category = strings.TrimSpace(v)
					}
				}
			}
			continue
		}
		if positionRE.MatchString(line) {
			inMessage = false
			continue
		}
		if !inMessage {
			// A second error record starts after the first one's footer;
			// only the first is summarised, Detail keeps them all.
			if e.Message != "" || len(msg) > 0 {
				continue
			}
			inMessage = true
		}
		if len(msg) == 0 && e.Command == "" {
			if m := cmdPrefixRE.FindStringSubmatch(line); m != nil {
				e.Command = m[1]
				line = m[2]
			}
		}
		msg = append(msg, line)
	}
	e.Message = strings.Join(msg, " ")
	return e
}

// decodeFailure turns a finished process into a *CmdletError when it
// failed: a non-zero exit code or any text on the error stream. Warnings,
// verbose output and progress records do not count as failure.
func decodeFailure(out Output) *CmdletError {
	st, xmlErr := DecodeCLIXML(out.Stderr)
	errText := st.Error
	if strings.TrimSpace(errText) == "" {
		errText = st.Plain
	}
	if out.ExitCode == 0 && strings.TrimSpace(errText) == "" {
		return nil
	}
	if out.ExitCode == 0 && st.Error == "" && xmlErr == nil && !strings.Contains(out.Stderr, clixmlMarker) {
		// Plain stderr text with exit code 0: powershell.exe did not fail.
		// Some hosts print banners or module-load notes there.
		return nil
	}
	e := parseErrorText(errText)
	e.ExitCode = out.ExitCode
	if e.FullyQualifiedErrorId == "" && len(st.ErrorIDs) > 0 {
		e.FullyQualifiedErrorId = st.ErrorIDs[0]
	}
	if e.Message == "" && e.Detail == "" {
		e.Message = fmt.Sprintf("powershell exited with code %d and no error text", out.ExitCode)
	}
	return &e
}
