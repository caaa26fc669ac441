@embedded @rehearsal
Feature: Failing back Persistent Chat to the primary data center
  The documented procedure (Lync Server 2013 / Skype for Business Server 2015, "Failing
  back Persistent Chat Server"), run by the real engine over TDS and WinRM against a
  deployment that failed over after losing its primary data center and had that data
  center rebuilt with empty stores. The world gets there as a real deployment does:
  mirroring and log shipping configured before the disaster, then the engine's own
  failover plan (Install-CsMirrorDatabase mirrors the backup mgc to the backup-mirror).

  Background:
    Given the world from "topologies/embedded.yaml"

  Scenario Outline: The failback restores the pool to the primary data center without losing any of <before>+<during> messages
    Given the pool failed over after a disaster, with <before> messages before it and <during> during failover
    And the primary data center was rebuilt
    And "mgc" on the "backup" instance is mirrored to the "backup-mirror" instance
    When the engine runs the failback
    Then every precondition passed
    And every step of the failback was verified
    And no chat server held a session to "mgc" on the "primary" instance while it was restored
    And the backup databases were not mirrored when the engine restored the primary mgc
    And the "primary" instance holds every message the chat servers acknowledged
    And "mgc" on the "backup" instance is not mirrored
    And "mgc" on the "backup-mirror" instance is not mirrored
    And the "backup-mirror" instance has database "mgc" RESTORING in FULL recovery
    And the pool state is Normal
    And the pool's active servers are "pc1.dc1.contoso.test, pc2.dc1.contoso.test"
    And the chat outage was within the topology's objective
    And the failback finished within the topology's RTO
    And the metrics of design.md §3.4 were exported with the right names and values
    When chat users post 10 messages
    Then the "primary" instance holds every message the chat servers acknowledged

    # The small history also runs with every SQL Server in a container (drill --target
    # containers): mirroring between containers, log shipping through a shared folder.
    @happy @containers
    Examples:
      | before | during |
      | 10     | 5      |

    @happy
    Examples: larger histories
      | before | during |
      | 40     | 25     |
      | 1000   | 200    |

    # 10000+1000 since the world fails over for real: with mgc mirrored synchronously to
    # the primary-mirror every post waits for the mirror, and 20000+2000 took 46 s of the
    # drill's 60 s budget on the 2-core CI machine (10000+1000: about 24 s).
    @slow
    Examples: a large chat history
      | before | during |
      | 10000  | 1000   |
