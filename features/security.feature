@embedded @tls @windows-auth
Feature: The engine reaches SQL Server the way production does: TLS and Windows authentication
  topologies/example-production.yaml connects to every instance with encrypt: "true", the
  instance's certificate checked against a CA file, as the domain account
  CONTOSO\svc-pchat-failback (go-mssqldb's integrated authentication: NTLM inside TDS
  LOGIN7). The world's instances are joined to that domain, present their own certificate,
  and audit every login, so a run that fell back to SQL authentication or to clear text
  would fail here as it would be refused by a locked-down production server.

  Scenario: The failback runs over encrypted connections logged in with Windows authentication
    Given the embedded world from "topologies/embedded.yaml" where the engine logs in to SQL Server as "CONTOSO\svc-pchat-failback"
    And the pool failed over after a disaster, with 40 messages before it and 10 during failover
    And the primary data center was rebuilt
    When the engine runs the failback
    Then every step of the failback was verified
    And the "primary" instance holds every message the chat servers acknowledged
    And the engine logged in to SQL Server only as "CONTOSO\svc-pchat-failback" with NTLM authentication over fully encrypted connections

  Scenario: A stale password for the engine's Windows account is refused by every instance's domain
    Given the embedded world from "topologies/embedded.yaml" where the engine logs in to SQL Server as "CONTOSO\svc-pchat-failback"
    And the engine's SQL Server password is stale
    When the engine plans the failback
    Then the engine could not log in to SQL Server: error 18452
