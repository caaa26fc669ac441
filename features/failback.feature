@embedded @rehearsal
Feature: Failing back Persistent Chat to the primary data center
  The documented procedure (Lync Server 2013 / Skype for Business Server 2015, "Failing
  back Persistent Chat Server"), run by the real engine over TDS and WinRM against a
  deployment that failed over after losing its primary data center and had that data
  center rebuilt with empty stores.

  Background:
    Given the embedded world from "topologies/embedded.yaml"

  Scenario Outline: The failback restores the pool to the primary data center without losing any of <before>+<during> messages
    Given the pool failed over after a disaster, with <before> messages before it and <during> during failover
    And the primary data center was rebuilt
    When the engine runs the failback
    Then every precondition passed
    And every step of the failback was verified
    And no chat server held a session to "mgc" on the "primary" instance while it was restored
    And the "primary" instance holds every message the chat servers acknowledged
    And "mgc" on the "backup" instance is not mirrored
    And the pool state is Normal
    And the pool's active servers are "pc1.dc1.contoso.test, pc2.dc1.contoso.test"
    And the chat outage was within the topology's objective
    And the failback finished within the topology's RTO
    And the metrics of design.md §3.4 were exported with the right names and values
    When chat users post 10 messages
    Then the "primary" instance holds every message the chat servers acknowledged

    Examples:
      | before | during |
      | 10     | 5      |
      | 40     | 25     |
      | 1000   | 200    |

    @slow
    Examples: a large chat history
      | before | during |
      | 20000  | 2000   |
