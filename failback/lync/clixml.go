package lync

import (
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"
)

// clixmlMarker starts every CLIXML block powershell.exe writes to a
// redirected stream (its -OutputFormat for non-console hosts).
const clixmlMarker = "#< CLIXML"

// Streams is the decoded content of a powershell.exe stderr. Each field is
// the concatenated text of that PowerShell stream; Plain is any text that
// was not inside a CLIXML block.
type Streams struct {
	Error       string
	Warning     string
	Verbose     string
	Debug       string
	Information string
	Output      string
	Plain       string
	// ErrorIDs are FullyQualifiedErrorId values found in serialised
	// ErrorRecord objects (<Obj S="Error">), in order.
	ErrorIDs []string
}

// DecodeCLIXML splits a stderr text into PowerShell streams. Text outside
// "#< CLIXML" blocks is returned as Plain. Malformed XML does not lose data:
// what was decoded before the fault is kept, the undecodable rest is added to
// Plain, and the XML error is returned alongside.
func DecodeCLIXML(stderr string) (Streams, error) {
	var st Streams
	var plain strings.Builder
	var firstErr error
	rest := stderr
	for {
		i := strings.Index(rest, clixmlMarker)
		if i < 0 {
			plain.WriteString(rest)
			break
		}
		plain.WriteString(rest[:i])
		rest = rest[i+len(clixmlMarker):]
		j := strings.Index(rest, clixmlMarker)
		block := rest
		if j >= 0 {
			block, rest = rest[:j], rest[j:]
		} else {
			rest = ""
		}
		if err := decodeBlock(block, &st); err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("clixml: %w", err)
			}
			plain.WriteString(block)
		}
	}
	st.Plain = strings.TrimSpace(plain.String())
	return st, firstErr
}

// decodeBlock reads one <Objs> document. Stream strings are <S S="Error">
// children of <Objs>; a serialised ErrorRecord is <Obj S="Error"> whose
// <ToString> is the message and whose <S N="FullyQualifiedErrorId"> is the id.
// Progress records (<Obj S="progress">) and other objects are skipped.
func decodeBlock(block string, st *Streams) error {
	dec := xml.NewDecoder(strings.NewReader(block))
	type frame struct {
		name   string
		stream string // S attribute
		n      string // N attribute
	}
	var stack []frame
	var errObjDepth = -1 // depth of the <Obj S="Error"> being read
	var text strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			if len(stack) != 0 {
				return fmt.Errorf("unexpected end of CLIXML inside <%s>", stack[len(stack)-1].name)
			}
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			f := frame{name: t.Name.Local}
			for _, a := range t.Attr {
				switch a.Name.Local {
				case "S":
					f.stream = a.Value
				case "N":
					f.n = a.Value
				}
			}
			if f.name == "Obj" && strings.EqualFold(f.stream, "Error") && errObjDepth < 0 {
				errObjDepth = len(stack)
			}
			stack = append(stack, f)
			text.Reset()
		case xml.CharData:
			text.Write(t)
		case xml.EndElement:
			if len(stack) == 0 {
				return fmt.Errorf("unbalanced </%s>", t.Name.Local)
			}
			f := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			depth := len(stack)
			switch {
			case f.name == "S" && depth == 1 && stack[0].name == "Objs" && f.stream != "":
				appendStream(st, f.stream, decodeXEscapes(text.String()))
			case errObjDepth >= 0 && f.name == "ToString" && depth == errObjDepth+1:
				st.Error += decodeXEscapes(text.String()) + "\n"
			case errObjDepth >= 0 && f.name == "S" && f.n == "FullyQualifiedErrorId":
				st.ErrorIDs = append(st.ErrorIDs, decodeXEscapes(text.String()))
			}
			if depth == errObjDepth {
				errObjDepth = -1
			}
			text.Reset()
		}
	}
}

func appendStream(st *Streams, stream, s string) {
	switch strings.ToLower(stream) {
	case "error":
		st.Error += s
	case "warning":
		st.Warning += s
	case "verbose":
		st.Verbose += s
	case "debug":
		st.Debug += s
	case "information":
		st.Information += s
	default:
		st.Output += s
	}
}

var xEscapeRE = regexp.MustCompile(`_x[0-9A-Fa-f]{4}_`)

// decodeXEscapes undoes the _xHHHH_ escapes the PowerShell serializer uses
// for characters XML cannot carry (CR, LF, other controls, surrogates).
// A high and a low surrogate escape in a row become one character; a lone
// surrogate becomes U+FFFD.
func decodeXEscapes(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var b strings.Builder
	last := 0
	locs := xEscapeRE.FindAllStringIndex(s, -1)
	for k := 0; k < len(locs); k++ {
		start, end := locs[k][0], locs[k][1]
		b.WriteString(s[last:start])
		v, _ := strconv.ParseUint(s[start+2:start+6], 16, 16)
		r := rune(v)
		switch {
		case utf16.IsSurrogate(r) && r < 0xDC00 && k+1 < len(locs) && locs[k+1][0] == end:
			v2, _ := strconv.ParseUint(s[end+2:end+6], 16, 16)
			if pair := utf16.DecodeRune(r, rune(v2)); pair != '\uFFFD' {
				b.WriteRune(pair)
				end = locs[k+1][1]
				k++
			} else {
				b.WriteRune('\uFFFD')
			}
		case utf16.IsSurrogate(r):
			b.WriteRune('\uFFFD')
		default:
			b.WriteRune(r)
		}
		last = end
	}
	b.WriteString(s[last:])
	return b.String()
}
