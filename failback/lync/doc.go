// Package lync runs Lync Server 2013 / Skype for Business Server 2015
// Persistent Chat cmdlets for the failback engine.
//
// The engine talks to a real pool, so this package never builds PowerShell by
// string concatenation of caller values: every value goes through Quote and
// the Command builder, which make a value always one single-quoted literal.
// Scripts travel over WinRM (WinRMRunner) or any other Runner; errors that
// powershell.exe writes to stderr as CLIXML are decoded into *CmdletError so
// the engine can tell a refused cmdlet from a broken connection (IsTransient).
//
// The package must not import anything under sim/ or fakes/: the engine must
// not know whether it talks to a simulation.
package lync
