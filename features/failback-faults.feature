@embedded @rehearsal
Feature: Faults during the failback
  What goes wrong while the engine runs: the share, the Agent's rights, a chat server
  that does not let go, an instance restarting under the engine, the management
  endpoint failing or slow, the link to the backup data center down. Each case says
  what the engine does and what the operator sees, and that nothing acknowledged is lost.

  Background:
    Given the world from "topologies/embedded.yaml"
    And the pool failed over after a disaster, with 30 messages before it and 20 during failover
    And the primary data center was rebuilt

  # On containers the share is a folder every container mounts: making it unreachable
  # from one instance reaches into an in-process engine, so the scenario is skipped
  # there and the report says why.
  @containers
  Scenario: The share becomes unreachable mid-run: the backup step fails with 3201, nothing is restored
    Given the share becomes unreachable from the "backup" instance when the engine starts step "backup-backup-mgc"
    When the engine attempts the failback
    Then the failback stopped at step "backup-backup-mgc" with SQL Server error 3201
    And the failback's error says "Operating system error 53"
    And the "primary" instance holds no chat messages
    And the "backup" instance holds every message the chat servers acknowledged
    And the pool state is FailedOver

  # The engine watches the job's history while it waits: the failed run stops step 5 at
  # once (well before the job timeout) with the failed step's own error, which is what
  # the operator needs to fix the Agent account's access to the share.
  Scenario: The Agent cannot read the share: the copy job fails and step 5 stops at once with the job's error
    Given the SQL Server Agent account "CONTOSO\sqlagent" cannot read the share from the "backup" instance
    And the engine waits at most 10 seconds for each log-shipping job
    When the engine attempts the failback
    Then the failback stopped at step "configure-log-shipping"
    And the failback's error says "LSCopy_sqlpri_mgc failed"
    And the failback's error says "step 1 (Log shipping copy job step.)"
    And the failback's error says "Operating system error 5(Access is denied.)"
    And the last run of job "LSCopy_sqlpri_mgc" on the "backup" instance failed with "Access is denied"
    And the "primary" instance holds every message the chat servers acknowledged

  Scenario: A chat server that keeps its session to the backup mgc stops the failback at step 1
    Given the chat server "pc5.dc2.contoso.test" ignores the pool's configuration
    And the engine waits at most 2 seconds for chat sessions to drain
    When the engine attempts the failback
    Then the failback stopped at step "clear-active-servers"
    And the failback's error says "pc5.dc2.contoso.test"
    And the "primary" instance holds no chat messages
    And 1 chat server holds sessions to "mgc" on the "backup" instance
    And "mgc" on the "backup" instance is mirrored to the "backup-mirror" instance
    When an operator restores "mgc" on the "backup" instance from the share
    Then it fails with SQL Server error 3104

  # What really happens: the RESTORE goes out on the engine's pooled connection to the
  # instance that just restarted and fails with EOF; the engine takes that as transient,
  # re-runs step 4's apply (sessions, HEADERONLY, FILELISTONLY, RESTORE) on a new
  # connection, and the run completes. Were it to stop instead, the step resumes it.
  @containers
  Scenario: The primary instance restarts just before the RESTORE: the failback still ends with every message
    Given the "primary" instance restarts just before the engine sends its RESTORE
    When the engine runs the failback, resuming it once if it stops
    Then the engine retried step "restore-primary-mgc" after "EOF"
    And every step of the failback was verified
    And the pool state is Normal
    And the "primary" instance holds every message the chat servers acknowledged

  Scenario: Transient HTTP 500s from the management endpoint during a step are retried
    Given the management endpoint answers the next 2 WinRM commands with HTTP 500 once the engine starts step "set-active-servers"
    When the engine runs the failback
    Then 2 injected endpoint faults fired
    And the engine retried step "set-active-servers" after "http error 500"
    And every step of the failback was verified
    And the pool state is Normal

  # A precondition that cannot decide because of a transient failure is run again with
  # the same backoff as a step; only a definite answer refuses the run.
  Scenario: An HTTP 500 while the engine checks its preconditions is retried and the failback completes
    Given the management endpoint answers the next 1 WinRM commands with HTTP 500
    When the engine runs the failback
    Then 1 injected endpoint fault fired
    And the engine retried precondition "primary-data-center-back" after "http error 500"
    And every step of the failback was verified
    And the pool state is Normal

  Scenario: A slow management endpoint slows the failback but it completes
    Given the management endpoint delays every "Set-CsPersistentChatState" by 500 ms
    When the engine runs the failback
    Then every step of the failback was verified
    And the failback finished within the topology's RTO

  Scenario: A cmdlet that keeps failing stops the failback at its step with the cmdlet's error
    Given the management endpoint fails every "Set-CsPersistentChatState" with "The Central Management Store is read-only"
    When the engine attempts the failback
    Then the failback stopped at step "pool-normal"
    And the failback's error says "The Central Management Store is read-only"
    And the "primary" instance holds every message the chat servers acknowledged
