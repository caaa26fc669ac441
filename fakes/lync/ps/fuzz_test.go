package ps

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// FuzzParse feeds arbitrary scripts to the parser and, when they parse, to
// the evaluator: neither may panic, and a refused script must come back as
// a ParseError that points inside the script.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`Set-Thing -Identity "global" -Servers @{Add="a","b"; Remove='c'}`,
		"$ProgressPreference = 'SilentlyContinue';Set-Thing \u2013State FailedOver -Confirm:$false",
		`Get-Thing | Where-Object { $_.State -eq "FailedOver" -and $_.Name -like 'a*' } | Select-Object -ExpandProperty Name | ConvertTo-Json -Depth 3 -Compress`,
		"\"$($x) `n ${y} $z.Name\"",
		`@(1, 2, (3)) + @{} ; -not $true; !$false; 0x1F; 1.5; -2`,
		"<# c #> # c\n`\n;;",
		`"unterminated`, `@{a=`, `(`, `{`, `$(`, `Set-Thing -`, `[int]5`, `$x.Method()`, `a::b`,
		"Set-Thing -Servers \"a\",\n'b'",
		`throw; exit; exit 2`,
		"if ($a -eq 1) { 'x' } elseif ($b) { 'y' }\r\nelse { 'z' }",
		`foreach ($s in Get-Thing) { if ($s.State -eq 'Normal') { $n += 1 } }; $n`,
		`try { Set-Thing boom } catch [System.Management.Automation.RuntimeException], [System.InvalidOperationException] { $_.Exception.Message } finally { 'f' }`,
		`$p = @{Identity='x'; Swap=$true}; Set-Thing @p; $a = @('y'); Set-Thing @a`,
		`if (`, `if ($x) {`, `foreach ($i in`, `try {} catch [`, `try { }`, `$x +=`, `@`, `else { }`,
		`Get-Thing | Format-Table Name, State | Out-String -Stream`, `Get-Thing | fl`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, script string) {
		if len(script) > 4096 {
			return
		}
		_, err := Parse(script)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("parse error is %T, not *ParseError", err)
			}
			if pe.Msg == "" || pe.Start < 0 || pe.Start > len([]rune(script)) {
				t.Fatalf("bad parse error %+v for %q", pe, script)
			}
			return
		}
		var got map[string]any
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		res := Run(ctx, testRegistry(&got), Hooks{}, script)
		for _, e := range res.Errors {
			if strings.TrimSpace(e.Text()) == "" {
				t.Fatalf("empty error text for %q", script)
			}
		}
		_ = CLIXML(res.Errors)
	})
}
