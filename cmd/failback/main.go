// Command failback fails a Persistent Chat pool back from the backup data
// center to the rebuilt primary one (--plan failback, the default), or
// over to the backup data center after the primary was lost (--plan
// failover), against the real instances and the management endpoint named
// in a topology file.
//
//	failback plan|run|resume|status --topology FILE [--plan failback|failover]
//	    [--journal FILE] [--confirm POOLFQDN]
//	    [--primary-site-lost [--force-with-live-primary]]
//	    [--metrics-textfile F] [--pushgateway URL] [--metrics-listen ADDR]
//	    [--json] [--allow-replace-newer-primary]
//
// run and resume of the failover also need --primary-site-lost: the
// operator's statement that the primary data center is lost, since a
// failover beside a live primary leaves two writable mgc copies. The
// statement acknowledges the decision; it does not silence the engine's
// own look: when the engine reaches a primary (or primary-mirror) mgc
// that is ONLINE and writable, precondition primary-site-lost still
// refuses, and only --force-with-live-primary in addition overrides it.
// --primary-site-lost alone overrides the weaker finding of an instance
// that answers but whose mgc cannot be read.
//
// An instance that does not answer while connecting is a refusal (exit 2)
// under the precondition it breaks: primary-data-center-back for the
// primary side of a failback, backup-data-center-reachable for its backup
// side (the failback takes its backup there), backup-data-center-up for
// the failover. A cut link is a state of the world to repair and retry,
// like a primary that is not back yet, so it is not reported as a
// configuration error (exit 3).
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
