package ps

import (
	"context"
	"strings"
	"testing"
)

// TestOperatorStatements: what operators write in a remote session: if /
// elseif / else, foreach, try / catch / finally with throw, splatting and
// compound assignment, each with PowerShell's outcome (output, the errors
// written, the exit code).
func TestOperatorStatements(t *testing.T) {
	cases := []struct {
		name, script string
		out          string // stdout, trailing line ends trimmed
		errs         []string
		exit         int
	}{
		{"if", `if ($true) { 'a' }`, "a", nil, 0},
		{"if false, no else", `if (0) { 'a' }; 'b'`, "b", nil, 0},
		{"elseif", `if ($false) { 'a' } elseif ('x' -eq 'x') { 'b' } else { 'c' }`, "b", nil, 0},
		{"else on the next line", "if ($null) { 'a' }\r\nelse { 'c' }", "c", nil, 0},
		{"condition from a pipeline", `if (Get-Thing -Name a | Where-Object { $_.State -eq 'Normal' }) { 'some normal' }`, "some normal", nil, 0},
		{"if as a value", `$x = if ($true) { 'yes' } else { 'no' }; "got $x"`, "got yes", nil, 0},
		{"foreach", `foreach ($n in 'a','b','c') { "item $n" }`, "item a\r\nitem b\r\nitem c", nil, 0},
		{"foreach over pipeline output", `foreach ($t in Get-Thing -Name a) { $t.Name }`, "a\r\nb", nil, 0},
		{"foreach over null", `foreach ($n in $null) { 'never' }; 'done'`, "done", nil, 0},
		{"foreach variable keeps the last item", `foreach ($n in 1,2) { }; $n`, "2", nil, 0},
		{"compound assignment", `$a = 1; $a += 2; $a -= 1; $a`, "2", nil, 0},
		{"array append", `$l = @(); foreach ($n in 'x','y') { $l += $n }; $l.Count; $l`, "2\r\nx\r\ny", nil, 0},
		{"string append", `$s = 'a'; $s += 'b'; $s`, "ab", nil, 0},
		{"splatting a hashtable", `$p = @{Identity = 'global'; State = 'FailedOver'}; Set-Thing @p -Count 2`, "", nil, 0},
		{"splatting an array", `$a = @('global'); Set-Thing @a`, "", nil, 0},
		{"splatting an unknown parameter", `$p = @{Nope = 1}; Set-Thing @p`, "", []string{"A parameter cannot be found that matches parameter name 'Nope'."}, 1},
		{"try catch throw", `try { throw 'boom'; 'not here' } catch { "caught $($_.Exception.Message)" }; 'after'`, "caught boom\r\nafter", nil, 0},
		{"catch a cmdlet's error", `try { Set-Thing boom } catch { $_.FullyQualifiedErrorId }`, "Boom,Test.SetThing", nil, 0},
		{"typed catch", `try { Set-Thing -Bogus 1 } catch [System.Management.Automation.ParameterBindingException] { 'binding' } catch { 'other' }`, "binding", nil, 0},
		{"RuntimeException takes PowerShell's errors", `try { Get-Nothing } catch [System.Management.Automation.RuntimeException] { 'runtime' }`, "runtime", nil, 0},
		{"no matching catch", `try { throw 'x' } catch [System.IO.IOException] { 'io' }`, "", []string{"x"}, 1},
		{"finally always", `try { 'body' } finally { 'cleanup' }`, "body\r\ncleanup", nil, 0},
		{"finally after a terminating error", `try { throw 'bad' } finally { 'cleanup' }; 'never'`, "cleanup", []string{"bad"}, 1},
		// powershell.exe -Command exits 1 only when the last statement
		// failed: here the last one succeeded.
		{"non-terminating errors are not caught", `try { Set-Thing softfail; 'went on' } catch { 'caught' }`, "went on", []string{"soft failure"}, 0},
		{"ErrorAction Stop makes them catchable", `try { Set-Thing softfail -ErrorAction Stop; 'not here' } catch { 'caught ' + $_ }`, "caught soft failure", nil, 0},
		{"an error in a block goes on", `foreach ($n in 1,2) { Set-Thing boom; "n=$n" }`, "n=1\r\nn=2", []string{"It went boom.", "It went boom."}, 0},
		{"throw in a catch", `try { throw 'one' } catch { throw 'two' }`, "", []string{"two"}, 1},
		{"unknown catch type", `try { throw 'x' } catch [NoSuchType] { }`, "", []string{"Unable to find type [NoSuchType]."}, 1},
		{"exit inside try runs finally", `try { exit 3 } finally { 'bye' }`, "bye", nil, 3},
		// Comparison operators: case-insensitive by default and in the i- form,
		// case-sensitive in the c- form; a doubled prefix is no operator.
		{"eq ignores case", `'ABC' -eq 'abc'`, "True", nil, 0},
		{"ieq ignores case", `'ABC' -ieq 'abc'`, "True", nil, 0},
		{"ceq keeps case", `'ABC' -ceq 'abc'`, "False", nil, 0},
		{"cnotlike keeps case", `'ABC' -cnotlike 'a*'`, "True", nil, 0},
		{"doubled prefix", `'a' -cceq 'a'`, "", []string{"Unexpected token '-cceq' in expression or statement."}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got map[string]any
			res := Run(context.Background(), testRegistry(&got), Hooks{}, tc.script)
			if out := strings.TrimRight(res.Stdout, "\r\n"); out != tc.out {
				t.Errorf("%s\nstdout %q, want %q", tc.script, out, tc.out)
			}
			var errs []string
			for _, e := range res.Errors {
				errs = append(errs, e.Message)
			}
			if strings.Join(errs, "|") != strings.Join(tc.errs, "|") {
				t.Errorf("%s\nerrors %q, want %q", tc.script, errs, tc.errs)
			}
			if res.ExitCode != tc.exit {
				t.Errorf("%s\nexit %d, want %d", tc.script, res.ExitCode, tc.exit)
			}
		})
	}
}
