package steps

import "github.com/cucumber/godog"

// registerFaults binds the precondition, fault, link, metrics and failover
// steps (issue 6).
func registerFaults(sc *godog.ScenarioContext) {
	// Breaking one precondition.
	sc.Step(`^the "([^"]*)" instance is down$`, instanceDown)
	sc.Step(`^the backup mgc ships its log to "([^"]*)", a server the topology does not know$`, shipsLogToUnknown)
	sc.Step(`^SQL Server Agent on the "([^"]*)" instance runs as "([^"]*)"$`, agentRunsAs)
	sc.Step(`^an operator set the pool state to (Normal|FailedOver)$`, setPoolState)
	sc.Step(`^the share is unreachable from the "([^"]*)" instance$`, shareUnreachable)
	sc.Step(`^the engine refuses to fail back, naming only precondition "([^"]*)"$`, refusedNamingOnly)

	// Faults during a run.
	sc.Step(`^the share becomes unreachable from the "([^"]*)" instance when the engine starts step "([^"]*)"$`, shareUnreachableAtStep)
	sc.Step(`^the "([^"]*)" instance restarts just before the engine sends its RESTORE$`, restartBeforeRestore)
	sc.Step(`^the engine attempts the failback$`, attemptFailback)
	sc.Step(`^the engine runs the failback, resuming it once if it stops$`, failbackResumingOnce)
	sc.Step(`^the failback stopped at step "([^"]*)"$`, failedAtStep)
	sc.Step(`^the failback stopped at step "([^"]*)" with SQL Server error (\d+)$`, failedAtStepWithSQLError)
	sc.Step(`^the failback's error says "([^"]*)"$`, failureSays)
	sc.Step(`^the SQL Server Agent account "([^"]*)" cannot read the share from the "([^"]*)" instance$`, agentCannotReadShare)
	sc.Step(`^the engine waits at most (\d+) seconds? for each log-shipping job$`, engineJobTimeout)
	sc.Step(`^the engine waits at most (\d+) seconds? for chat sessions to drain$`, engineDrainTimeout)
	sc.Step(`^the last run of job "([^"]*)" on the "([^"]*)" instance failed with "([^"]*)"$`, jobFailedWith)
	sc.Step(`^the chat server "([^"]*)" ignores the pool's configuration$`, stickChatServer)
	sc.Step(`^an operator restores "([^"]*)" on the "([^"]*)" instance from the share$`, operatorRestores)
	sc.Step(`^the management endpoint answers the next (\d+) WinRM commands with HTTP 500$`, endpointHTTP500)
	sc.Step(`^the management endpoint answers the next (\d+) WinRM commands with HTTP 500 once the engine starts step "([^"]*)"$`, endpointHTTP500AtStep)
	sc.Step(`^the management endpoint fails every "([^"]*)" with "([^"]*)"$`, endpointFailsCmdlet)
	sc.Step(`^the management endpoint delays every "([^"]*)" by (\d+) ms$`, endpointDelays)
	sc.Step(`^(\d+) injected endpoint faults? fired$`, faultsFired)
	sc.Step(`^the failback succeeded$`, failbackSucceeded)
	sc.Step(`^the engine retried (step|precondition) "([^"]*)" after "([^"]*)"$`, retriedStep)

	// Data-center links.
	sc.Step(`^the link between "([^"]*)" and "([^"]*)" is cut$`, cutLink)
	sc.Step(`^the "([^"]*)" instance answers a client in "([^"]*)" no faster than the link's RTT$`, answersOverLink)
	sc.Step(`^the engine refuses, naming the unreachable instance "([^"]*)"$`, refusedNamingInstance)

	// Failover.
	sc.Step(`^log shipping of mgc from the primary instance to the backup instance, as configured before a disaster$`, shipLogs)
	sc.Step(`^the log-shipping backup job runs on the primary instance$`, logBackupRuns)
	sc.Step(`^the primary data center is lost$`, primaryLost)
	sc.Step(`^the topology has no "([^"]*)" instance$`, noInstance)
	sc.Step(`^the engine runs the failover$`, runFailover)
	sc.Step(`^every step of the failover was verified$`, everyStepVerified)

	// Metrics.
	sc.Step(`^the metrics of design\.md §3\.4 were exported with the right names and values$`, metricsExported)
}
