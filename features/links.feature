@embedded @rehearsal
Feature: The failback across data-center links
  Clients in one data center reach SQL Server instances in the other through the
  link between them (an in-process Toxiproxy per link and instance, which can be
  cut, in front of the WAN link model that holds the connection to the
  topology's RTT and shares the link's bandwidth with the share's and mirroring's
  traffic). The engine runs in the primary data center, as an
  operator failing back would: it reaches the backup instances over the link.

  Background:
    Given the world from "topologies/embedded.yaml" with its data-center links
    And the pool failed over after a disaster, with 30 messages before it and 20 during failover
    And the primary data center was rebuilt

  Scenario: The failback crosses the link to the backup data center
    Then the "backup" instance answers a client in "dc1" no faster than the link's RTT
    When the engine runs the failback
    Then every step of the failback was verified
    And the "primary" instance holds every message the chat servers acknowledged
    And the failback finished within the topology's RTO

  # On containers the cut stops the same traffic: the engine's TDS behind the
  # proxies, mirroring between the data centers and dc2's share traffic
  # (sim/world/containers_wan.go); each data center's own traffic goes on.
  @containers
  Scenario: The link to the backup data center is down: the engine refuses, nothing changed
    Given the link between "dc1" and "dc2" is cut
    When the engine attempts the failback
    Then the engine refuses to fail back, naming only precondition "backup-data-center-reachable"
    And the engine refuses, naming the unreachable instance "sql-backup"
    And nothing changed in the world
    And the pool state is FailedOver
