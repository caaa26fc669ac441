@embedded @rehearsal
Feature: The failback refuses a world that breaks one of its preconditions
  The documented procedure states what it assumes (reference §4). For each of the
  engine's eight preconditions, a failed-over world with only that assumption broken:
  the engine refuses before it changes anything, names that precondition (and only
  that one), and the world is exactly as it was.

  Scenario Outline: The engine refuses when <broken>
    Given the embedded world from "<topology>"
    And the pool failed over after a disaster, with 30 messages before it and 20 during failover
    And the primary data center was rebuilt
    And <break>
    When the engine attempts the failback
    Then the engine refuses to fail back, naming only precondition "<precondition>"
    And nothing changed in the world

    Examples:
      | broken                                              | topology                             | break                                                                                   | precondition              |
      | the rebuilt primary instance is down                | topologies/embedded.yaml             | the "primary" instance is down                                                          | primary-data-center-back  |
      | the backup instance is down                        | topologies/embedded.yaml             | the "backup" instance is down                                                           | backup-data-center-reachable |
      | mgccomp is missing on the primary                   | topologies/embedded.yaml             | database "mgccomp" was dropped on the "primary" instance                                | primary-databases-rebuilt |
      | a backup server was deployed during failover        | topologies/embedded.yaml             | the backup mgc ships its log to "SQLNEW", a server the topology does not know           | no-new-servers            |
      | the Agent runs as a built-in low-privilege account  | topologies/embedded.yaml             | SQL Server Agent on the "backup" instance runs as "NT AUTHORITY\LOCAL SERVICE"          | secondary-agent-account   |
      | the Agent runs as an account without share rights   | topologies/embedded.yaml             | SQL Server Agent on the "backup" instance runs as "CONTOSO\otheragent"                  | secondary-agent-account   |
      | a wanted active server is behind a slow link        | topologies/three-datacenters.yaml    | chat users post 5 messages                                                              | active-server-placement   |
      | the pool is not FailedOver                          | topologies/embedded.yaml             | an operator set the pool state to Normal                                                | pool-failed-over          |
      | the share is unreachable from the primary           | topologies/embedded.yaml             | the share is unreachable from the "primary" instance                                    | share-reachable           |
      | the primary mgc holds newer data than the backup    | topologies/embedded.yaml             | 60 chat messages acknowledged by "pc1.dc1.contoso.test" on the "primary" instance       | primary-not-newer         |
