@embedded @rehearsal
Feature: The failback refuses a world that breaks one of its preconditions
  The documented procedure states what it assumes (reference §4). For each of the
  engine's preconditions, a failed-over world with only that assumption broken:
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

    # Issue 12, defect 5: assumptions that the old engine only met in the middle of the
    # outage (a RESTORE refused with 3104, 3257 or 3110, a log-shipping procedure refused, a
    # BACKUP that runs out of room on the share, a read-back that fails after step 1).
    @capacity
    Examples:
      | broken                                              | topology                             | break                                                                                   | precondition              |
      | the rebuilt primary mgc is mirrored                 | topologies/embedded.yaml             | the rebuilt primary databases are mirrored to the "primary-mirror" instance             | primary-not-mirrored      |
      | the primary mgccomp is in SIMPLE recovery           | topologies/embedded.yaml             | database "mgccomp" on the "primary" instance uses the SIMPLE recovery model             | full-recovery             |
      | SQL Server Agent is stopped on the primary          | topologies/embedded.yaml             | SQL Server Agent is stopped on the "primary" instance                                   | agents-running            |
      | SQL Server Agent is stopped on the backup           | topologies/embedded.yaml             | SQL Server Agent is stopped on the "backup" instance                                    | agents-running            |
      | the primary's data volume lacks room for mgc        | topologies/embedded.yaml             | the backup mgc grew to 64 MB and the "primary" instance's mgc volume has 16 MB free    | primary-disk-space        |
      | the share is not writable by the backup's service   | topologies/embedded.yaml             | the SQL Server service account "CONTOSO\sqlsvc" cannot write the share from the "backup" instance | share-reachable |
      | the share lacks room for the backup                 | topologies/embedded.yaml             | the share has 0 MB free                                                                 | share-reachable           |
      | the active list cannot be read back                 | topologies/embedded.yaml             | the management endpoint fails every "Get-CsService" with "Cannot find the active server collection." | active-list-readable |

    # Issue 12, defect 5: the failback's BACKUP, RESTORE, ALTER DATABASE and msdb
    # procedures need a login in sysadmin on every instance it works on.
    @capacity @logins
    Examples:
      | broken                                              | topology                             | break                                                                                   | precondition              |
      | the engine's login is not sysadmin on the primary   | topologies/embedded.yaml             | the engine's login on the "primary" instance is not a member of sysadmin               | login-sysadmin            |
