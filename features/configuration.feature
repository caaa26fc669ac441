@embedded @rehearsal @configuration
Feature: The failback restores the configuration the pool had before the disaster
  "Failing back Persistent Chat Server" states its goal as the pre-disaster configuration.
  Before the disaster the primary mgc and mgccomp were mirrored to the primary-mirror, and
  mgc was log shipped to the backup server from the primary and, so that log shipping
  survives a mirroring failover on the primary side, from the primary-mirror too
  ("Configuring Persistent Chat Server for high availability and disaster recovery").
  After the failback the same holds, and nothing is left of the failover period's log
  shipping on any instance.

  Background:
    Given the world from "topologies/embedded.yaml"
    And the pool failed over after a disaster, with 20 messages before it and 10 during failover
    And the primary data center was rebuilt

  Scenario: After the failback a mirroring failover on the primary side keeps log shipping to the backup working
    When the engine runs the failback
    Then every step of the failback was verified
    And the pool has its pre-disaster configuration
    When chat users post 5 messages
    And the primary mgc fails over to the "primary-mirror" instance
    And the log-shipping backup job runs on the "primary-mirror" instance
    And the log-shipping copy and restore jobs run on the backup instance
    Then the backup instance restored a log backup taken by the "primary-mirror" instance

  # During a long failover period an administrator set up the HA/DR configuration on the
  # backup side too (the backup-mirror a log-shipping primary of mgc, for after a mirroring
  # failover there) and left it when the failback was planned. The failback leaves nothing
  # of the failover period's log shipping on any instance, the backup-mirror included.
  Scenario: The backup-mirror's log-shipping leftovers of the failover period are removed
    Given during the failover period the backup-mirror was made a log-shipping primary of mgc, shipping to the primary instance
    And the "backup-mirror" instance holds log-shipping jobs "LSAlert, LSBackup_mgc"
    When the engine runs the failback
    Then every step of the failback was verified
    And the pool has its pre-disaster configuration
