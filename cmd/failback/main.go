// Command failback fails a Persistent Chat pool back from the backup data
// center to the rebuilt primary one, against the real instances and the
// management endpoint named in a topology file.
//
//	failback plan|run|resume|status --topology FILE [--journal FILE]
//	    [--confirm POOLFQDN] [--metrics-textfile F] [--pushgateway URL]
//	    [--metrics-listen ADDR] [--json] [--allow-replace-newer-primary]
//
// Exit codes (design.md §3.2): 0 done, 1 a step failed (or the run was
// interrupted), 2 a precondition refused the run, 3 usage or configuration
// error. Human progress goes to stderr; --json writes every event to stdout
// as a JSON line for machines.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := runCtx(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
