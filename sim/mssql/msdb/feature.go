package msdb

import "github.com/pchatdr/harness/sim/mssql/engine"

// LogShipping is the log-shipping feature: the master procedures
// (sp_add_log_shipping_primary_database, ...), sp_help_log_shipping_monitor
// and, at Start, msdb's log_shipping_* tables (before the Agent starts).
func LogShipping() engine.Feature {
	return engine.Feature{Name: "logshipping", Install: func(r *engine.Registry) {
		installLogShippingProcs(r)
		installLogShippingMonitor(r)
	}, Start: startLogShipping}
}

// Agent is the SQL Server Agent feature: msdb's job procedures and the
// instance's Agent host, started after recovery (Config.AgentRunning) and
// stopped, its running jobs cancelled, while msdb is still open.
func Agent() engine.Feature {
	return engine.Feature{Name: "agent", Install: installAgentProcs, Start: startAgent, Stop: stopAgent}
}

// LogShippingAlert is the log-shipping alert job's procedures
// (sp_add_log_shipping_alert_job, sp_check_log_shipping_monitor_alert).
func LogShippingAlert() engine.Feature {
	return engine.Feature{Name: "logshipping-alert", Install: installLogShippingAlert}
}

// AgentHelp is sp_help_job: a T-SQL procedure over msdb's Agent tables
// (it needs no running Agent).
func AgentHelp() engine.Feature { return engine.Feature{Name: "agent-help", Install: installAgentHelp} }
