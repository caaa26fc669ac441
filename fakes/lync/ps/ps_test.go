package ps

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// testRegistry has one recording cmdlet so tests see exactly what was bound.
func testRegistry(got *map[string]any) *Registry {
	r := NewRegistry()
	r.AddModule("Lync")
	r.Register(&Command{
		Name: "Set-Thing", Module: "Test", ShouldProcess: true, ImplementingType: "Test.SetThing",
		Params: []Param{
			{Name: "Identity", Kind: KindString, Position: 0},
			{Name: "Servers", Kind: KindAny, Position: -1},
			{Name: "State", Kind: KindEnum, TypeName: "Test.State", Enum: []string{"Normal", "FailedOver"}, Position: -1},
			{Name: "Swap", Kind: KindSwitch, Position: -1},
			{Name: "SwapAll", Kind: KindSwitch, Position: -1},
			{Name: "Count", Kind: KindInt, Position: -1},
		},
		Run: func(_ context.Context, c *Call) error {
			*got = c.Args
			if ok, err := c.ShouldProcess(c.String("Identity"), "Set-Thing"); err != nil || !ok {
				return err
			}
			if c.String("Identity") == "boom" {
				return NewError("InvalidOperation", "InvalidOperationException", "Boom", "It went boom.")
			}
			if c.String("Identity") == "softfail" {
				c.WriteError(NewError("InvalidOperation", "InvalidOperationException", "Soft", "soft failure"))
			}
			return nil
		},
	})
	r.Register(&Command{
		Name: "Get-Thing", Module: "Test",
		Params: []Param{{Name: "Name", Kind: KindString, Position: 0}},
		Run: func(_ context.Context, c *Call) error {
			c.Emit(NewObject("Test.Thing", "Name", "a", "State", Enum{Type: "Test.State", Name: "FailedOver", Value: 1}, "List", []any{"x", "y"}))
			c.Emit(NewObject("Test.Thing", "Name", "b", "State", Enum{Type: "Test.State", Name: "Normal", Value: 0}, "List", []any{}))
			return nil
		},
	})
	return r
}

func TestBinding(t *testing.T) {
	cases := []struct {
		name   string
		script string
		check  func(t *testing.T, args map[string]any)
	}{
		{"named", `Set-Thing -Identity "global" -Servers "a","b"`, func(t *testing.T, a map[string]any) {
			if a["Identity"] != "global" || Render(a["Servers"]) != "a,b" {
				t.Errorf("args %v", a)
			}
		}},
		{"case-insensitive and prefix", `set-thing -iden global -Ser a`, func(t *testing.T, a map[string]any) {
			if a["Identity"] != "global" || a["Servers"] != "a" {
				t.Errorf("args %v", a)
			}
		}},
		{"positional", `Set-Thing global`, func(t *testing.T, a map[string]any) {
			if a["Identity"] != "global" {
				t.Errorf("args %v", a)
			}
		}},
		{"en dash em dash bar", "Set-Thing \u2013Identity x \u2014State normal \u2015Count 3", func(t *testing.T, a map[string]any) {
			if a["Identity"] != "x" || a["State"] != "Normal" || a["Count"] != int64(3) {
				t.Errorf("args %v", a)
			}
		}},
		{"switch colon false", `Set-Thing x -Confirm:$false -Swap:$false`, func(t *testing.T, a map[string]any) {
			if a["Confirm"] != false || a["Swap"] != false {
				t.Errorf("args %v", a)
			}
		}},
		{"null", `Set-Thing x -Servers $Null`, func(t *testing.T, a map[string]any) {
			if v, ok := a["Servers"]; !ok || v != nil {
				t.Errorf("args %v", a)
			}
		}},
		{"hashtable", `Set-Thing x -Servers @{Replace="a","b"; add='c'}`, func(t *testing.T, a map[string]any) {
			h, ok := a["Servers"].(*Hashtable)
			if !ok {
				t.Fatalf("servers %T", a["Servers"])
			}
			r, _ := h.Get("replace")
			ad, _ := h.Get("ADD")
			if Render(r) != "a,b" || ad != "c" {
				t.Errorf("hash %s", Render(h))
			}
		}},
		{"array subexpression", `Set-Thing x -Servers @("a"; 'b')`, func(t *testing.T, a map[string]any) {
			if Render(a["Servers"]) != "a,b" {
				t.Errorf("args %v", a)
			}
		}},
		{"variable and expansion", "$p = 'pool.test'; Set-Thing \"service:$p\" -Servers \"`$x `\"q`\" $($p)\"", func(t *testing.T, a map[string]any) {
			if a["Identity"] != "service:pool.test" || a["Servers"] != `$x "q" pool.test` {
				t.Errorf("args %v", a)
			}
		}},
		{"single quote escaping", `Set-Thing 'it''s'`, func(t *testing.T, a map[string]any) {
			if a["Identity"] != "it's" {
				t.Errorf("args %v", a)
			}
		}},
		{"doubled smart quote keeps the second", "Set-Thing 'it\u2019\u2019s'", func(t *testing.T, a map[string]any) {
			if a["Identity"] != "it\u2019s" {
				t.Errorf("args %v", a)
			}
		}},
		{"smart quotes", "Set-Thing \u201cservice: a.b\u201d", func(t *testing.T, a map[string]any) {
			if a["Identity"] != "service: a.b" {
				t.Errorf("args %v", a)
			}
		}},
		{"line continuation and comments", "Set-Thing x `\n  -Count 2 # trailing\n<# block #>", func(t *testing.T, a map[string]any) {
			if a["Count"] != int64(2) {
				t.Errorf("args %v", a)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got map[string]any
			res := Run(context.Background(), testRegistry(&got), Hooks{}, tc.script)
			if len(res.Errors) > 0 || res.ExitCode != 0 {
				t.Fatalf("errors %v exit %d", errorTexts(res), res.ExitCode)
			}
			tc.check(t, got)
		})
	}
}

func errorTexts(res *Result) []string {
	var out []string
	for _, e := range res.Errors {
		out = append(out, e.Text())
	}
	return out
}

func TestErrorsHavePowerShellTexts(t *testing.T) {
	cases := []struct {
		script, want, id string
		exit             int
	}{
		{`Get-Nothing`, "The term 'Get-Nothing' is not recognized as the name of a cmdlet", "CommandNotFoundException", 1},
		{`Set-Thing -Bogus 1`, "A parameter cannot be found that matches parameter name 'Bogus'.", "NamedParameterNotFound,Test.SetThing", 1},
		{`Set-Thing -S x`, "Parameter cannot be processed because the parameter name 'S' is ambiguous. Possible matches include: -Servers -State -Swap -SwapAll.", "AmbiguousParameter,Test.SetThing", 1},
		{`Set-Thing -State Broken`, "Specify one of the following enumerator names and try again:\r\nNormal, FailedOver", "CannotConvertArgumentNoMessage,Test.SetThing", 1},
		{`Set-Thing -Identity`, "Missing an argument for parameter 'Identity'. Specify a parameter of type 'System.String' and try again.", "MissingArgument,Test.SetThing", 1},
		{`Set-Thing a b`, "A positional parameter cannot be found that accepts argument 'b'.", "PositionalParameterNotFound,Test.SetThing", 1},
		{`Set-Thing -Count x`, `Cannot convert value "x" to type "System.Int32"`, "CannotConvertArgumentNoMessage,Test.SetThing", 1},
		{`Set-Thing -Identity a -Identity b`, "is specified more than once", "ParameterAlreadyBound,Test.SetThing", 1},
		{`Set-Thing boom`, "Set-Thing : It went boom.", "Boom,Test.SetThing", 1},
		{`Set-Thing x -Confirm`, "NonInteractive mode", "HostFunctionNotImplemented,Test.SetThing", 1},
		{`Set-Thing "abc`, `The string is missing the terminator: ".`, "TerminatorExpectedAtEndOfString", 1},
		{`Set-Thing @{a=1`, "The hash literal was incomplete.", "IncompleteHashLiteral", 1},
		{`Set-Thing x |`, "An empty pipe element is not allowed.", "EmptyPipeElement", 1},
		{`Set-Thing x | "a"`, "Expressions are only allowed as the first element of a pipeline.", "ExpressionsMustBeFirstInPipeline", 1},
		{`while ($true) { Set-Thing }`, "The 'while' statement is not supported by this PowerShell subset.", "UnsupportedStatement", 1},
		{`if (1) 'a'`, "Missing statement block after if ( condition ).", "MissingStatementBlock", 1},
		{`try { 'x' }`, "The Try statement is missing its Catch or Finally block.", "MissingCatchOrFinally", 1},
		{`foreach ($i 1,2) { $i }`, "Missing 'in' after variable in foreach loop.", "MissingInInForeach", 1},
		{`Import-Module Nope`, "The specified module 'Nope' was not loaded because no valid module file was found in any module directory.", "Modules_ModuleNotFound,Microsoft.PowerShell.Commands.ImportModuleCommand", 1},
		{`throw "bad thing"`, "bad thing", "bad thing", 1},
	}
	for _, tc := range cases {
		t.Run(tc.script, func(t *testing.T) {
			var got map[string]any
			res := Run(context.Background(), testRegistry(&got), Hooks{}, tc.script)
			if len(res.Errors) != 1 {
				t.Fatalf("want 1 error, got %v", errorTexts(res))
			}
			text := res.Errors[0].Text()
			if !strings.Contains(text, tc.want) {
				t.Errorf("error text %q does not contain %q", text, tc.want)
			}
			if !strings.Contains(text, "FullyQualifiedErrorId : "+tc.id+"\r\n") {
				t.Errorf("error text %q lacks id %q", text, tc.id)
			}
			if !strings.Contains(text, "At line:1 char:") {
				t.Errorf("error text %q has no position", text)
			}
			if res.ExitCode != tc.exit {
				t.Errorf("exit %d, want %d", res.ExitCode, tc.exit)
			}
		})
	}
}

func TestErrorActionAndExitCodes(t *testing.T) {
	cases := []struct {
		script string
		exit   int
		errs   int
		out    string
	}{
		{`Set-Thing boom; "after"`, 0, 1, "after\r\n"},
		{`$ErrorActionPreference = 'Stop'; Set-Thing boom; "after"`, 1, 1, ""},
		{`Set-Thing boom -ErrorAction Stop; "after"`, 1, 1, ""},
		{`Set-Thing boom -ea SilentlyContinue`, 1, 0, ""},
		{`"a"; exit 3; "b"`, 3, 0, "a\r\n"},
		{`Set-Thing x -WhatIf`, 0, 0, "What if: Performing the operation \"Set-Thing\" on target \"x\".\r\n"},
	}
	for _, tc := range cases {
		t.Run(tc.script, func(t *testing.T) {
			var got map[string]any
			res := Run(context.Background(), testRegistry(&got), Hooks{}, tc.script)
			if res.ExitCode != tc.exit || len(res.Errors) != tc.errs || res.Stdout != tc.out {
				t.Errorf("exit %d errs %d out %q; want %d %d %q", res.ExitCode, len(res.Errors), res.Stdout, tc.exit, tc.errs, tc.out)
			}
		})
	}
}

func TestPipelines(t *testing.T) {
	cases := []struct{ script, want string }{
		{`Get-Thing | ConvertTo-Json -Compress`, `[{"Name":"a","State":1,"List":["x","y"]},{"Name":"b","State":0,"List":[]}]`},
		{`Get-Thing | Where-Object { $_.State -eq 'FailedOver' } | ConvertTo-Json -Compress`, `{"Name":"a","State":1,"List":["x","y"]}`},
		{`Get-Thing | Where-Object {$_.Name -ne "a"} | Select-Object -ExpandProperty Name`, "b"},
		{`Get-Thing | Select-Object Name,State | ConvertTo-Json -Compress`, `[{"Name":"a","State":1},{"Name":"b","State":0}]`},
		{`Get-Thing | Select-Object -ExpandProperty List`, "x\r\ny"},
		{`Get-Thing | Where-Object Name -EQ b | Select-Object -First 1 -ExpandProperty Name`, "b"},
		{`@{Replace="a","b"} | ConvertTo-Json -Compress`, `{"Replace":["a","b"]}`},
		{`$null | ConvertTo-Json`, `null`},
		{`(Get-Thing).Name -join ','`, ""},
		{`@(Get-Thing).Count`, "2"},
		{`(Get-Thing)[1].Name`, "b"},
		{`$x = Get-Thing; $x.Name`, "a\r\nb"},
		{`1,2,3 -contains 2`, "True"},
		{`'pc1.dc1' -like 'PC1.*'`, "True"},
		{`Get-Thing | ConvertTo-Json -Depth 1 -Compress`, `[{"Name":"a","State":1,"List":"x y"},{"Name":"b","State":0,"List":""}]`},
	}
	for _, tc := range cases {
		t.Run(tc.script, func(t *testing.T) {
			var got map[string]any
			res := Run(context.Background(), testRegistry(&got), Hooks{}, tc.script)
			if tc.script == `(Get-Thing).Name -join ','` {
				// -join is not in the subset: a clear parse error, not a panic.
				if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Message, "-join") {
					t.Fatalf("want unexpected token error, got %v", errorTexts(res))
				}
				return
			}
			if len(res.Errors) > 0 {
				t.Fatalf("errors: %v", errorTexts(res))
			}
			if got := strings.TrimRight(res.Stdout, "\r\n"); got != tc.want {
				t.Errorf("stdout %q, want %q", got, tc.want)
			}
		})
	}
}

// TestDefaultViewRule: objects with no registered view show as a table
// when they have four or fewer properties (consecutive ones of one shape
// in one table), as a list with five or more; the product's types
// (Microsoft.Rtc.*) keep their list view; Format-List, Format-Table and
// Out-String choose or capture the view.
func TestDefaultViewRule(t *testing.T) {
	var got map[string]any
	reg := testRegistry(&got)
	reg.Register(&Command{Name: "Get-Wide", Module: "Test", Run: func(_ context.Context, c *Call) error {
		c.Emit(NewObject("Test.Wide", "A", int64(1), "B", "two", "C", "three", "D", "four", "E", "five"))
		c.Emit(NewObject("Microsoft.Rtc.Management.Test", "Identity", "global", "N", int64(7)))
		return nil
	}})
	cases := []struct{ script, want string }{
		{`Get-Thing -Name a`, "\r\nName State      List\r\n---- -----      ----\r\na    FailedOver {x, y}\r\nb    Normal     {}\r\n\r\n"},
		{`Get-Wide`, "\r\nA : 1\r\nB : two\r\nC : three\r\nD : four\r\nE : five\r\n\r\nIdentity : global\r\nN        : 7\r\n\r\n\r\n"},
		{`Get-Thing -Name a | Format-List Name,State`, "\r\nName  : a\r\nState : FailedOver\r\n\r\nName  : b\r\nState : Normal\r\n\r\n\r\n"},
		{`Get-Wide | Select-Object A,B | Format-Table`, "\r\nA B\r\n- -\r\n1 two\r\n\r\n\r\nA B\r\n- -\r\n\r\n\r\n"},
		{`(Get-Thing -Name a | Format-Table Name | Out-String).Length`, "22\r\n"},
		{`Get-Thing -Name a | Out-String -Stream | Select-Object -First 2`, "\r\nName State      List\r\n"},
	}
	for _, tc := range cases {
		res := Run(context.Background(), reg, Hooks{}, tc.script)
		if len(res.Errors) > 0 {
			t.Fatalf("%s: %v", tc.script, errorTexts(res))
		}
		if res.Stdout != tc.want {
			t.Errorf("%s:\nstdout %q\nwant   %q", tc.script, res.Stdout, tc.want)
		}
	}
}

func TestCLIXML(t *testing.T) {
	var got map[string]any
	res := Run(context.Background(), testRegistry(&got), Hooks{}, `Set-Thing boom`)
	x := CLIXML(res.Errors)
	for _, want := range []string{
		"#< CLIXML\r\n<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">",
		`<S S="Error">Set-Thing : It went boom._x000D__x000A_</S>`,
		`<S S="Error">At line:1 char:1_x000D__x000A_</S>`,
		`<S S="Error">    + FullyQualifiedErrorId : Boom,Test.SetThing_x000D__x000A_</S>`,
		`</Objs>`,
	} {
		if !strings.Contains(x, want) {
			t.Errorf("CLIXML lacks %q:\n%s", want, x)
		}
	}
	if CLIXML(nil) != "" {
		t.Error("no errors must give no CLIXML")
	}
	if got := clixmlEscape("a_x\u0001<&"); got != "a_x005F_x_x0001_&lt;&amp;" {
		t.Errorf("escape %q", got)
	}
}

func TestHostCommand(t *testing.T) {
	enc := EncodeCommand("$ProgressPreference = 'SilentlyContinue';Get-Thing")
	cases := []struct {
		line    string
		script  string
		encoded bool
		err     error
	}{
		{"powershell.exe -EncodedCommand " + enc, "$ProgressPreference = 'SilentlyContinue';Get-Thing", true, nil},
		{"PowerShell -NoProfile -NonInteractive -ExecutionPolicy Bypass -enc " + enc, "$ProgressPreference = 'SilentlyContinue';Get-Thing", true, nil},
		{`powershell -Command "Get-Thing -Name 'a b'"`, "Get-Thing -Name 'a b'", false, nil},
		{`C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe -c Get-Thing a`, "Get-Thing a", false, nil},
		{`powershell "Get-Thing \"q\""`, `Get-Thing "q"`, false, nil},
		{"cmd.exe /c dir", "", false, ErrNotPowerShell},
	}
	for _, tc := range cases {
		hc, err := ParseHostCommand(tc.line)
		if !errors.Is(err, tc.err) {
			t.Errorf("%q: err %v want %v", tc.line, err, tc.err)
			continue
		}
		if err == nil && (hc.Script != tc.script || hc.Encoded != tc.encoded) {
			t.Errorf("%q: got %q encoded=%v", tc.line, hc.Script, hc.Encoded)
		}
	}
	if _, err := ParseHostCommand("powershell.exe -EncodedCommand !!!"); err == nil {
		t.Error("bad base64 must fail")
	}
	if _, err := ParseHostCommand("powershell.exe -Bogus"); err == nil {
		t.Error("unknown switch must fail")
	}
}

func TestWildcard(t *testing.T) {
	cases := []struct {
		pat, s string
		want   bool
	}{
		{"*.litwareinc.com", "service:PersistentChatServer:atl-gc-001.litwareinc.com", true},
		{"*.litwareinc.com", "pool.contoso.com", false},
		{"pc?.dc1*", "PC1.DC1.contoso", true},
		{"[ab]x", "bx", true},
		{"[a-c]x", "dx", false},
		{"a`*", "a*", true},
		{"a`*", "ab", false},
		{"*a*a*a*a*a*b", strings.Repeat("a", 200), false},
	}
	for _, tc := range cases {
		if got := WildcardMatch(tc.pat, tc.s, false); got != tc.want {
			t.Errorf("%q ~ %q = %v", tc.pat, tc.s, got)
		}
	}
}

func TestHooksSeeEveryCall(t *testing.T) {
	var got map[string]any
	var calls []Invocation
	hooks := Hooks{
		Before: func(_ context.Context, c *Call) error {
			if c.String("Identity") == "inject" {
				return NewError("NotSpecified", "InvalidOperationException", "Injected", "injected")
			}
			return nil
		},
		After: func(inv Invocation) { calls = append(calls, inv) },
	}
	res := Run(context.Background(), testRegistry(&got), hooks, `Set-Thing ok; Set-Thing inject; Set-Thing -Nope`)
	if len(calls) != 3 {
		t.Fatalf("calls %d", len(calls))
	}
	if calls[0].Err != nil || calls[1].Err == nil || calls[1].Err.Message != "injected" || calls[2].Err == nil {
		t.Errorf("outcomes %+v", calls)
	}
	if calls[0].Text != "Set-Thing ok" || calls[0].Params["Identity"] != "ok" {
		t.Errorf("call %+v", calls[0])
	}
	if len(res.Errors) != 2 {
		t.Errorf("errors %v", errorTexts(res))
	}
}

func TestValueSizeIsBounded(t *testing.T) {
	script := "$a = 1,2" + strings.Repeat("; $a = $a,$a", 40) + "; \"$a\""
	var got map[string]any
	res := Run(context.Background(), testRegistry(&got), Hooks{}, script)
	if len(res.Errors) == 0 || !strings.Contains(res.Errors[0].Message, "more than") {
		t.Fatalf("want a size error, got %v", errorTexts(res))
	}
}

func TestStringSizeIsBounded(t *testing.T) {
	script := "$a = 'xxxxxxxxxxxxxxxx'" + strings.Repeat("; $a = $a + $a", 40)
	var got map[string]any
	res := Run(context.Background(), testRegistry(&got), Hooks{}, script)
	if len(res.Errors) == 0 || !strings.Contains(res.Errors[0].Message, "more than") {
		t.Fatalf("want a size error, got %v", errorTexts(res))
	}
}
