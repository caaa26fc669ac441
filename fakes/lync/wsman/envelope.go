// Package wsman is a WS-Management server for the Windows Remote Shell
// (WinRS) resource: the subset a WinRM client uses to run a command line —
// Create a shell, Command, Receive output, Send input, Signal, Delete. It is
// written against what github.com/masterzen/winrm sends and parses, so that
// client works unchanged. What the command does is the Executor's business.
package wsman

import (
	"encoding/xml"
	"fmt"
	"strings"
	"time"
)

// Namespaces used on the wire.
const (
	NSSoap       = "http://www.w3.org/2003/05/soap-envelope"
	NSAddressing = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
	NSTransfer   = "http://schemas.xmlsoap.org/ws/2004/09/transfer"
	NSWsman      = "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"
	NSWsmanMSFT  = "http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd"
	NSShell      = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
	NSFault      = "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault"
)

// Actions.
const (
	ActionCreate  = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create"
	ActionDelete  = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete"
	ActionCommand = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Command"
	ActionReceive = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive"
	ActionSend    = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Send"
	ActionSignal  = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Signal"

	ResourceCmd   = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd"
	StateDone     = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done"
	StateRunning  = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Running"
	SignalTerm    = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/terminate"
	SignalCtrlC   = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/ctrl_c"
	anonymousAddr = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"
)

// ShortAction names an action URI by its last segment ("Receive").
func ShortAction(action string) string {
	if i := strings.LastIndexByte(action, '/'); i >= 0 {
		return action[i+1:]
	}
	return action
}

type selector struct {
	Name  string `xml:"Name,attr"`
	Value string `xml:",chardata"`
}

type selectorSet struct {
	Selectors []selector `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd Selector"`
}

type option struct {
	Name  string `xml:"Name,attr"`
	Value string `xml:",chardata"`
}

type optionSet struct {
	Options []option `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd Option"`
}

type header struct {
	To               string       `xml:"http://schemas.xmlsoap.org/ws/2004/08/addressing To"`
	Action           string       `xml:"http://schemas.xmlsoap.org/ws/2004/08/addressing Action"`
	MessageID        string       `xml:"http://schemas.xmlsoap.org/ws/2004/08/addressing MessageID"`
	ResourceURI      string       `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd ResourceURI"`
	OperationTimeout string       `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd OperationTimeout"`
	MaxEnvelopeSize  string       `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd MaxEnvelopeSize"`
	SelectorSet      *selectorSet `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd SelectorSet"`
	OptionSet        *optionSet   `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd OptionSet"`
}

type shellBody struct {
	InputStreams  string `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell InputStreams"`
	OutputStreams string `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell OutputStreams"`
}

type commandLineBody struct {
	Command   string   `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Command"`
	Arguments []string `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Arguments"`
}

type desiredStream struct {
	CommandID string `xml:"CommandId,attr"`
	Streams   string `xml:",chardata"`
}

type receiveBody struct {
	DesiredStream desiredStream `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell DesiredStream"`
}

type signalBody struct {
	CommandID string `xml:"CommandId,attr"`
	Code      string `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Code"`
}

type sendStream struct {
	Name      string `xml:"Name,attr"`
	CommandID string `xml:"CommandId,attr"`
	End       string `xml:"End,attr"`
	Data      string `xml:",chardata"`
}

type sendBody struct {
	Streams []sendStream `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Stream"`
}

type body struct {
	Shell       *shellBody       `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Shell"`
	CommandLine *commandLineBody `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell CommandLine"`
	Receive     *receiveBody     `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Receive"`
	Signal      *signalBody      `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Signal"`
	Send        *sendBody        `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Send"`
}

// Envelope is a parsed request.
type Envelope struct {
	XMLName xml.Name `xml:"http://www.w3.org/2003/05/soap-envelope Envelope"`
	Header  header   `xml:"http://www.w3.org/2003/05/soap-envelope Header"`
	Body    body     `xml:"http://www.w3.org/2003/05/soap-envelope Body"`
}

// ParseEnvelope decodes and checks a request envelope. Errors are *Fault.
func ParseEnvelope(raw []byte) (*Envelope, error) {
	var env Envelope
	dec := xml.NewDecoder(strings.NewReader(string(raw)))
	if err := dec.Decode(&env); err != nil {
		return nil, &Fault{Code: "s:Sender", Subcode: "w:SchemaValidationError", WSManCode: 2150858817,
			Reason: fmt.Sprintf("The WS-Management service cannot process the request because the XML is invalid: %v.", err)}
	}
	if env.Header.Action == "" {
		return nil, &Fault{Code: "s:Sender", Subcode: "a:MessageInformationHeaderRequired", WSManCode: 2150858817,
			Reason: "The WS-Management service cannot process the request because the header is missing the Action."}
	}
	return &env, nil
}

// ShellID returns the ShellId selector, if any.
func (e *Envelope) ShellID() string {
	if e.Header.SelectorSet == nil {
		return ""
	}
	for _, s := range e.Header.SelectorSet.Selectors {
		if s.Name == "ShellId" {
			return strings.TrimSpace(s.Value)
		}
	}
	return ""
}

// Option is the value of a header w:Option (WINRS_CODEPAGE, ...).
func (e *Envelope) Option(name string) (string, bool) {
	if e.Header.OptionSet == nil {
		return "", false
	}
	for _, o := range e.Header.OptionSet.Options {
		if strings.EqualFold(o.Name, name) {
			return strings.TrimSpace(o.Value), true
		}
	}
	return "", false
}

// Timeout parses the OperationTimeout header (xs:duration, e.g. PT60S).
func (e *Envelope) Timeout() (time.Duration, bool) {
	return parseDuration(e.Header.OperationTimeout)
}

// parseDuration handles the PTnHnMn.nS subset WinRM clients send.
func parseDuration(s string) (time.Duration, bool) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "PT") || len(s) < 4 {
		return 0, false
	}
	var total time.Duration
	num := ""
	for _, r := range s[2:] {
		switch {
		case r >= '0' && r <= '9' || r == '.':
			num += string(r)
		case r == 'H' || r == 'M' || r == 'S':
			if num == "" {
				return 0, false
			}
			var f float64
			if _, err := fmt.Sscanf(num, "%g", &f); err != nil || f < 0 || f > 1e6 {
				return 0, false
			}
			unit := map[rune]time.Duration{'H': time.Hour, 'M': time.Minute, 'S': time.Second}[r]
			total += time.Duration(f * float64(unit))
			num = ""
		default:
			return 0, false
		}
	}
	if num != "" {
		return 0, false
	}
	return total, true
}

// Fault is a SOAP fault as WinRM sends it (HTTP 500).
type Fault struct {
	Code      string // s:Sender or s:Receiver
	Subcode   string // w:TimedOut, w:InvalidSelectors, ...
	Reason    string
	WSManCode uint32
}

func (f *Fault) Error() string { return f.Reason }

// Standard faults.
func timedOut() *Fault {
	return &Fault{Code: "s:Receiver", Subcode: "w:TimedOut", WSManCode: 2150858793,
		Reason: "The WS-Management service cannot complete the operation within the time specified in OperationTimeout."}
}

func invalidSelectors(what string) *Fault {
	return &Fault{Code: "s:Sender", Subcode: "w:InvalidSelectors", WSManCode: 2150858843,
		Reason: fmt.Sprintf("The request for the Windows Remote Shell with ShellId %s failed because the shell was not found on the server. Possible causes are: the specified ShellId is incorrect or the shell no longer exists on the server. Provide the correct ShellId or create a new shell and retry the operation.", what)}
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

const envelopeOpen = `<s:Envelope xml:lang="en-US" xmlns:s="` + NSSoap + `" xmlns:a="` + NSAddressing + `" xmlns:x="` + NSTransfer + `" xmlns:w="` + NSWsman + `" xmlns:rsp="` + NSShell + `" xmlns:p="` + NSWsmanMSFT + `">`

func respHeader(action, relatesTo, msgID string) string {
	return `<s:Header><a:Action>` + action + `</a:Action><a:MessageID>` + msgID + `</a:MessageID><a:To>` + anonymousAddr +
		`</a:To><a:RelatesTo>` + xmlEscape(relatesTo) + `</a:RelatesTo></s:Header>`
}

func wrap(action, relatesTo, msgID, bodyXML string) []byte {
	return []byte(envelopeOpen + respHeader(action, relatesTo, msgID) + `<s:Body>` + bodyXML + `</s:Body></s:Envelope>`)
}

// faultXML renders a fault envelope.
func faultXML(f *Fault, relatesTo, msgID string) []byte {
	body := `<s:Fault><s:Code><s:Value>` + f.Code + `</s:Value><s:Subcode><s:Value>` + f.Subcode + `</s:Value></s:Subcode></s:Code>` +
		`<s:Reason><s:Text xml:lang="en-US">` + xmlEscape(f.Reason) + `</s:Text></s:Reason>` +
		`<s:Detail><f:WSManFault xmlns:f="` + NSFault + `" Code="` + fmt.Sprint(f.WSManCode) + `" Machine="127.0.0.1"><f:Message>` + xmlEscape(f.Reason) + `</f:Message></f:WSManFault>`
	if f.Subcode == "w:TimedOut" {
		body += `<w:FaultDetail>http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/OperationTimeout</w:FaultDetail>`
	}
	body += `</s:Detail></s:Fault>`
	return wrap("http://schemas.dmtf.org/wbem/wsman/1/wsman/fault", relatesTo, msgID, body)
}
