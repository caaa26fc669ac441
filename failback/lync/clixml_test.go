package lync

import (
	"strings"
	"testing"
)

const objsOpen = `<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">`

const progressObj = `<Obj S="progress" RefId="0"><TN RefId="0"><T>System.Management.Automation.PSCustomObject</T><T>System.Object</T></TN><MS><I64 N="SourceId">1</I64><PR N="Record"><AV>Preparing modules for first use.</AV><AI>0</AI><Nil /><PI>-1</PI><PC>-1</PC><T>Completed</T><SR>-1</SR><SD> </SD></PR></MS></Obj>`

var clixmlSetActiveFail = "#< CLIXML\r\n" + objsOpen + progressObj +
	`<S S="Error">Set-CsPersistentChatActiveServer : The server "pc9.contoso.com" is not a member of the Persistent _x000D__x000A_</S>` +
	`<S S="Error">Chat pool "pchat.contoso.com"._x000D__x000A_</S>` +
	`<S S="Error">At line:1 char:103_x000D__x000A_</S>` +
	`<S S="Error">+ ... Business; Set-CsPersistentChatActiveServer -Identity 'global' -ActiveSe ..._x000D__x000A_</S>` +
	`<S S="Error">+                ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~_x000D__x000A_</S>` +
	`<S S="Error">    + CategoryInfo          : InvalidArgument: (:) [Set-CsPersistentChatActiveServer], ArgumentException_x000D__x000A_</S>` +
	`<S S="Error">    + FullyQualifiedErrorId : InvalidActiveServer,Microsoft.Rtc.Management.Internal.SetPersistentChatActiveServerCmdlet_x000D__x000A_</S>` +
	`<S S="Error"> _x000D__x000A_</S></Objs>`

var clixmlThrow = "#< CLIXML\r\n" + objsOpen +
	`<S S="Error">boom &amp; &lt;bust&gt;_x000D__x000A_</S>` +
	`<S S="Error">At line:1 char:96_x000D__x000A_</S>` +
	`<S S="Error">+ ... ionPreference = 'Stop'; Import-Module SkypeForBusiness; throw 'boom'_x000D__x000A_</S>` +
	`<S S="Error">+                                                             ~~~~~~~~~~~~_x000D__x000A_</S>` +
	`<S S="Error">    + CategoryInfo          : OperationStopped: (boom:String) [], RuntimeException_x000D__x000A_</S>` +
	`<S S="Error">    + FullyQualifiedErrorId : boom_x000D__x000A_</S>` +
	`<S S="Error"> _x000D__x000A_</S></Objs>`

var clixmlImportFail = "#< CLIXML\r\n" + objsOpen +
	`<S S="Error">Import-Module : The specified module 'SkypeForBusiness' was not loaded because no valid module file was found in any _x000D__x000A_</S>` +
	`<S S="Error">module directory._x000D__x000A_</S>` +
	`<S S="Error">At line:1 char:74_x000D__x000A_</S>` +
	`<S S="Error">+ ... entlyContinue'; $ErrorActionPreference = 'Stop'; Import-Module SkypeForBusiness; ..._x000D__x000A_</S>` +
	`<S S="Error">+                                                    ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~_x000D__x000A_</S>` +
	`<S S="Error">    + CategoryInfo          : ResourceUnavailable: (SkypeForBusiness:String) [Import-Module], FileNotFoundException_x000D__x000A_</S>` +
	`<S S="Error">    + FullyQualifiedErrorId : Modules_ModuleNotFound,Microsoft.PowerShell.Commands.ImportModuleCommand_x000D__x000A_</S>` +
	`<S S="Error"> _x000D__x000A_</S></Objs>`

// An ErrorRecord serialised as an object (as with -OutputFormat xml).
var clixmlErrorObj = "#< CLIXML\r\n" + objsOpen +
	`<Obj S="Error" RefId="0"><TN RefId="0"><T>System.Management.Automation.ErrorRecord</T><T>System.Object</T></TN>` +
	`<ToString>Cannot bind parameter 'PoolState'. Cannot convert value "Broken" to type "Microsoft.Rtc.Management.WritableConfig.Settings.PersistentChat.PoolState".</ToString>` +
	`<MS><Obj N="Exception" RefId="1"><TN RefId="1"><T>System.Management.Automation.ParameterBindingException</T></TN><ToString>inner text</ToString></Obj>` +
	`<Nil N="TargetObject" /><S N="FullyQualifiedErrorId">CannotConvertArgumentNoMessage,Microsoft.Rtc.Management.Internal.SetPersistentChatStateCmdlet</S>` +
	`<I32 N="ErrorCategory_Category">5</I32><S N="ErrorCategory_Activity">Set-CsPersistentChatState</S></MS></Obj></Objs>`

var clixmlWarningOnly = "#< CLIXML\r\n" + objsOpen + progressObj +
	`<S S="warning">The cmdlet is deprecated._x000D__x000A_</S><S S="verbose">loading_x000D__x000A_</S></Objs>`

func TestDecodeCLIXML(t *testing.T) {
	cases := []struct {
		name      string
		in        string
		wantErr   bool
		errorText string // substring of Streams.Error
		warning   string
		plain     string
		wantIDs   int
	}{
		{name: "cmdlet error", in: clixmlSetActiveFail, errorText: "is not a member of the Persistent \r\nChat pool"},
		{name: "throw with entities", in: clixmlThrow, errorText: "boom & <bust>\r\nAt line:1"},
		{name: "error object", in: clixmlErrorObj, errorText: "Cannot bind parameter 'PoolState'", wantIDs: 1},
		{name: "warning only", in: clixmlWarningOnly, warning: "The cmdlet is deprecated.\r\n"},
		{name: "plain text", in: "'powershell.exe' is not recognized\r\n", plain: "'powershell.exe' is not recognized"},
		{name: "text around block", in: "before\r\n" + clixmlWarningOnly + "\r\n", plain: "before", warning: "deprecated"},
		{name: "escapes", in: "#< CLIXML\r\n" + objsOpen + `<S S="Error">tab_x0009_smile_xD83D__xDE00_lone_xD800_end_x005F_x_</S></Objs>`,
			errorText: "tab\tsmile\U0001F600lone\uFFFDend_x_"},
		{name: "truncated", in: "#< CLIXML\r\n" + objsOpen + `<S S="Error">half`, wantErr: true, plain: "<S S=\"Error\">half"},
		{name: "garbage", in: "#< CLIXML\r\n<Objs><<<", wantErr: true, plain: "<Objs><<<"},
		{name: "empty", in: ""},
	}
	for _, c := range cases {
		st, err := DecodeCLIXML(c.in)
		if (err != nil) != c.wantErr {
			t.Errorf("%s: err = %v, wantErr %v", c.name, err, c.wantErr)
		}
		if c.errorText != "" && !strings.Contains(st.Error, c.errorText) {
			t.Errorf("%s: Error stream %q lacks %q", c.name, st.Error, c.errorText)
		}
		if c.errorText == "" && st.Error != "" {
			t.Errorf("%s: unexpected Error stream %q", c.name, st.Error)
		}
		if !strings.Contains(st.Warning, c.warning) {
			t.Errorf("%s: Warning %q lacks %q", c.name, st.Warning, c.warning)
		}
		if !strings.Contains(st.Plain, c.plain) || (c.plain == "" && st.Plain != "") {
			t.Errorf("%s: Plain %q, want %q", c.name, st.Plain, c.plain)
		}
		if len(st.ErrorIDs) != c.wantIDs {
			t.Errorf("%s: ErrorIDs %q, want %d", c.name, st.ErrorIDs, c.wantIDs)
		}
	}
}

func TestDecodeFailure(t *testing.T) {
	cases := []struct {
		name             string
		out              Output
		wantNil          bool
		command, message string
		fqid, category   string
	}{
		{name: "cmdlet", out: Output{ExitCode: 1, Stderr: clixmlSetActiveFail},
			command:  "Set-CsPersistentChatActiveServer",
			message:  `The server "pc9.contoso.com" is not a member of the Persistent Chat pool "pchat.contoso.com".`,
			fqid:     "InvalidActiveServer,Microsoft.Rtc.Management.Internal.SetPersistentChatActiveServerCmdlet",
			category: "InvalidArgument: (:) [Set-CsPersistentChatActiveServer], ArgumentException"},
		{name: "throw", out: Output{ExitCode: 1, Stderr: clixmlThrow}, message: "boom & <bust>", fqid: "boom",
			category: "OperationStopped: (boom:String) [], RuntimeException"},
		{name: "import", out: Output{ExitCode: 1, Stderr: clixmlImportFail}, command: "Import-Module",
			message: "The specified module 'SkypeForBusiness' was not loaded because no valid module file was found in any module directory.",
			fqid:    "Modules_ModuleNotFound,Microsoft.PowerShell.Commands.ImportModuleCommand"},
		{name: "error object", out: Output{ExitCode: 1, Stderr: clixmlErrorObj},
			message: `Cannot bind parameter 'PoolState'. Cannot convert value "Broken" to type "Microsoft.Rtc.Management.WritableConfig.Settings.PersistentChat.PoolState".`,
			fqid:    "CannotConvertArgumentNoMessage,Microsoft.Rtc.Management.Internal.SetPersistentChatStateCmdlet"},
		{name: "error record with exit 0", out: Output{ExitCode: 0, Stderr: clixmlThrow}, message: "boom & <bust>", fqid: "boom"},
		{name: "warnings exit 0", out: Output{ExitCode: 0, Stderr: clixmlWarningOnly}, wantNil: true},
		{name: "clean", out: Output{Stdout: "ok"}, wantNil: true},
		{name: "plain exit 0", out: Output{Stderr: "banner\r\n"}, wantNil: true},
		{name: "plain exit 1", out: Output{ExitCode: 1, Stderr: "'powershell.exe' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n"},
			message: "'powershell.exe' is not recognized as an internal or external command, operable program or batch file."},
		{name: "silent exit 3", out: Output{ExitCode: 3}, message: "powershell exited with code 3 and no error text"},
	}
	for _, c := range cases {
		e := decodeFailure(c.out)
		if c.wantNil {
			if e != nil {
				t.Errorf("%s: got %+v, want nil", c.name, e)
			}
			continue
		}
		if e == nil {
			t.Errorf("%s: got nil", c.name)
			continue
		}
		if e.Command != c.command || e.Message != c.message || e.FullyQualifiedErrorId != c.fqid || e.ExitCode != c.out.ExitCode {
			t.Errorf("%s:\n got  cmd=%q msg=%q fqid=%q exit=%d\n want cmd=%q msg=%q fqid=%q exit=%d",
				c.name, e.Command, e.Message, e.FullyQualifiedErrorId, e.ExitCode, c.command, c.message, c.fqid, c.out.ExitCode)
		}
		if c.category != "" && e.Category != c.category {
			t.Errorf("%s: category %q, want %q", c.name, e.Category, c.category)
		}
		if msg := e.Error(); !strings.Contains(msg, c.message) || !strings.HasPrefix(msg, "cmdlet error") {
			t.Errorf("%s: Error() = %q", c.name, msg)
		}
	}
}

func FuzzCLIXML(f *testing.F) {
	for _, s := range []string{clixmlSetActiveFail, clixmlThrow, clixmlImportFail, clixmlErrorObj, clixmlWarningOnly,
		"plain", "#< CLIXML", "#< CLIXML\r\n<Objs><S S=\"Error\">_xD83D_</S></Objs>#< CLIXML\r\n<Objs/>", "_x000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		st, _ := DecodeCLIXML(s)
		// Nothing outside a CLIXML block may be lost.
		if !strings.Contains(s, clixmlMarker) && st.Plain != strings.TrimSpace(s) {
			t.Fatalf("plain text changed: %q -> %q", s, st.Plain)
		}
		e := decodeFailure(Output{ExitCode: 1, Stderr: s})
		if e == nil {
			t.Fatal("exit code 1 decoded as success")
		}
		_ = e.Error()
	})
}
