@embedded @rehearsal @chaos
Feature: Seeded fault schedules during the failback
  Each rehearsal draws its own faults from the run's seed and its name (drill --seed N
  prints the seed; the same seed draws the same faults again): which steps of the
  failback are hit, and by what. The catalogue holds only faults the documented
  procedure must survive: HTTP 500s and slow cmdlets on the management endpoint, a SQL
  Server instance restarting under a step, the engine stopping at a step and an
  operator resuming it, the data-center link going down for a moment, chat users
  posting while a step runs. Whatever was drawn, the failback ends complete and every
  acknowledged message is on the primary exactly once.

  Background:
    Given the embedded world from "topologies/embedded.yaml"
    And the pool failed over after a disaster, with 30 messages before it and 20 during failover
    And the primary data center was rebuilt
    And the engine waits at most 20 seconds for each log-shipping job

  Scenario Outline: Rehearsal <n> under the run's seeded fault schedule ends with the failback complete
    Given the run's seeded fault schedule
    When the engine runs the failback, resuming it after every stop
    Then every scheduled fault fired
    And the engine stopped only where the schedule stopped it
    And every step of the failback was verified
    And no chat server held a session to "mgc" on the "primary" instance while it was restored
    And the pool state is Normal
    And the pool's active servers are "pc1.dc1.contoso.test, pc2.dc1.contoso.test"
    And the "primary" instance holds every message the chat servers acknowledged

    Examples:
      | n |
      | 1 |
      | 2 |
      | 3 |
