package lync

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/pchatdr/harness/failback/topology"
)

// ErrBadScript is wrapped by every builder error so callers can tell a
// refused input from a failed run.
var ErrBadScript = errors.New("bad script input")

var (
	paramNameRE   = regexp.MustCompile(`^[A-Za-z]+$`)
	commandNameRE = regexp.MustCompile(`^[A-Za-z]+-[A-Za-z]+$`)
)

// Value is a PowerShell argument value. The set is closed (String, Strings,
// Hashtable, Null, Bool) so that no caller can hand the builder raw script
// text.
type Value interface {
	appendPS(b *strings.Builder) error
}

type strValue string
type strsValue []string
type nullValue struct{}
type boolValue bool

// Entry is one key of a Hashtable value.
type Entry struct {
	Key   string
	Value Value
}
type hashValue []Entry

// String is a single-quoted literal.
func String(s string) Value { return strValue(s) }

// Strings is an array of literals, @('a','b'); an empty list is @().
func Strings(ss ...string) Value { return strsValue(append([]string(nil), ss...)) }

// Hashtable is @{Key=value; ...}. Keys made of letters only are written bare
// (the form PSListModifier examples use); any other key is a quoted literal.
func Hashtable(entries ...Entry) Value { return hashValue(append([]Entry(nil), entries...)) }

// Null is $null. It exists as its own constructor because $null changes a
// cmdlet's meaning (Set-CsPersistentChatActiveServer -ActiveServers $null
// clears the list); it must never come from an empty string by accident.
func Null() Value { return nullValue{} }

// Bool is $true or $false.
func Bool(v bool) Value { return boolValue(v) }

func checkLiteral(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: value %q is not valid UTF-8", ErrBadScript, s)
	}
	if strings.ContainsRune(s, 0) {
		return fmt.Errorf("%w: value %q contains a NUL character", ErrBadScript, s)
	}
	return nil
}

func (v strValue) appendPS(b *strings.Builder) error {
	if err := checkLiteral(string(v)); err != nil {
		return err
	}
	b.WriteString(Quote(string(v)))
	return nil
}

func (v strsValue) appendPS(b *strings.Builder) error {
	b.WriteString("@(")
	for i, s := range v {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := strValue(s).appendPS(b); err != nil {
			return err
		}
	}
	b.WriteByte(')')
	return nil
}

func (nullValue) appendPS(b *strings.Builder) error {
	b.WriteString("$null")
	return nil
}

func (v boolValue) appendPS(b *strings.Builder) error {
	if v {
		b.WriteString("$true")
	} else {
		b.WriteString("$false")
	}
	return nil
}

func (v hashValue) appendPS(b *strings.Builder) error {
	b.WriteString("@{")
	for i, e := range v {
		if i > 0 {
			b.WriteString("; ")
		}
		if paramNameRE.MatchString(e.Key) {
			b.WriteString(e.Key)
		} else if err := strValue(e.Key).appendPS(b); err != nil {
			return err
		}
		b.WriteByte('=')
		if e.Value == nil {
			return fmt.Errorf("%w: hashtable key %q has no value (use Null() for $null)", ErrBadScript, e.Key)
		}
		if err := e.Value.appendPS(b); err != nil {
			return err
		}
	}
	b.WriteByte('}')
	return nil
}

// Command builds one cmdlet invocation. Errors are sticky: the first bad
// name or value is reported by Build, so call chains stay readable.
type Command struct {
	b   strings.Builder
	err error
}

// NewCommand starts an invocation of a Verb-Noun cmdlet.
func NewCommand(name string) *Command {
	c := &Command{}
	if !commandNameRE.MatchString(name) {
		c.err = fmt.Errorf("%w: command name %q is not Verb-Noun letters", ErrBadScript, name)
		return c
	}
	c.b.WriteString(name)
	return c
}

func (c *Command) param(name string) bool {
	if c.err != nil {
		return false
	}
	if !paramNameRE.MatchString(name) {
		c.err = fmt.Errorf("%w: parameter name %q is not letters only", ErrBadScript, name)
		return false
	}
	c.b.WriteString(" -")
	c.b.WriteString(name)
	return true
}

// Param adds -Name value.
func (c *Command) Param(name string, v Value) *Command {
	if !c.param(name) {
		return c
	}
	if v == nil {
		c.err = fmt.Errorf("%w: parameter -%s has no value (use Null() for $null)", ErrBadScript, name)
		return c
	}
	c.b.WriteByte(' ')
	if err := v.appendPS(&c.b); err != nil {
		c.err = fmt.Errorf("parameter -%s: %w", name, err)
	}
	return c
}

// Switch adds a bare switch, -Name.
func (c *Command) Switch(name string) *Command {
	c.param(name)
	return c
}

// SwitchValue adds -Name:$true or -Name:$false (the only way to turn a
// switch such as -Confirm off).
func (c *Command) SwitchValue(name string, on bool) *Command {
	if c.param(name) {
		c.b.WriteByte(':')
		_ = boolValue(on).appendPS(&c.b)
	}
	return c
}

// Build returns the invocation text or the first error met.
func (c *Command) Build() (string, error) {
	if c.err != nil {
		return "", c.err
	}
	return c.b.String(), nil
}

// Module names the PowerShell module holding the Cs cmdlets.
type Module string

// The two module names: SfB 2015 ships SkypeForBusiness, Lync 2013 ships Lync.
const (
	ModuleSkypeForBusiness Module = "SkypeForBusiness"
	ModuleLync             Module = "Lync"
)

// ModuleFor is the module of the product the topology names: Lync Server
// 2013 ships Lync, Skype for Business Server 2015 SkypeForBusiness. Neither
// product has the other's module, so importing the wrong one fails before
// the first cmdlet ("The specified module ... was not loaded").
func ModuleFor(p topology.Product) Module {
	if p == topology.ProductLync2013 {
		return ModuleLync
	}
	return ModuleSkypeForBusiness
}

func (m Module) valid() error {
	switch m {
	case ModuleSkypeForBusiness, ModuleLync:
		return nil
	}
	return fmt.Errorf("%w: module %q is not %q or %q", ErrBadScript, string(m), ModuleSkypeForBusiness, ModuleLync)
}

// Prelude is the text every script starts with. Progress records are
// switched off (over WinRM they arrive as CLIXML noise on stderr), every
// error is made terminating so the process exit code is 1 on failure, and
// the module is imported explicitly because a remote session does not load
// it. The module is chosen by configuration rather than probed with
// if/Get-Command so the script stays in the small PowerShell subset the
// harness's fake endpoint parses.
func Prelude(m Module) (string, error) {
	if m == "" {
		m = ModuleSkypeForBusiness
	}
	if err := m.valid(); err != nil {
		return "", err
	}
	return "$ProgressPreference = 'SilentlyContinue'; $ErrorActionPreference = 'Stop'; Import-Module " + string(m), nil
}

// script joins the prelude and statements with "; ". It is unexported so
// statements can only come from Command.Build or this package's fixed
// pipelines, never from a caller's raw text.
func script(m Module, stmts ...string) (string, error) {
	p, err := Prelude(m)
	if err != nil {
		return "", err
	}
	return strings.Join(append([]string{p}, stmts...), "; "), nil
}
