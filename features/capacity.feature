@embedded @rehearsal @capacity
Feature: The failback is harmless on a large production mgc
  On a 200 GB mgc a COUNT_BIG(*) or CHECKSUM_AGG over every table reads every page: plan
  must never do it, nor any verification inside the outage. The engine compares copies of
  mgc from metadata (row counts in sys.partitions, restore history, LSNs). The simulator
  counts every row of a user table a client program reads, so reading one is caught.

  Scenario: Plan and the failback read no row of a user table
    Given the embedded world from "topologies/embedded.yaml"
    And the pool failed over after a disaster, with 30 messages before it and 20 during failover
    And the primary data center was rebuilt
    When the engine plans the failback
    Then the engine read no row of a user table on any instance
    When the engine runs the failback
    Then every step of the failback was verified
    And the engine read no row of a user table on any instance

  Scenario: A backup and restore slower than their budget warn, show their progress and finish
    Given the embedded world from "topologies/embedded.yaml"
    And the pool failed over after a disaster, with 30 messages before it and 20 during failover
    And the primary data center was rebuilt
    And the topology's backups section says 100 MB/s with a budget factor of 1 and compression
    And the backup devices of the "backup" and "primary" instances move 4 KB per second
    When the engine runs the failback
    Then every step of the failback was verified
    And the engine warned that step "backup-backup-mgc" ran past its budget, without stopping it
    And the engine reported the progress of its "BACKUP DATABASE" on the "backup" instance while it ran: percent, MB/s and time left
    And the engine reported the progress of its "RESTORE DATABASE" on the "primary" instance while it ran: percent, MB/s and time left
    And the engine's backups were sent WITH COMPRESSION
