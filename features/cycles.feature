@embedded @rehearsal @cycles
Feature: Repeated disaster cycles on one deployment
  Real pools go through a failover and a failback every quarter. The second failover
  starts from what the first failback left, not from a freshly configured deployment:
  the backup-mirror still holds the copy of mgc (and mgccomp) that the first failover's
  mirroring left RESTORING, the backup mgc is a log-shipping secondary of the restored
  primary, and the chat servers run on the primary data center. Two whole cycles run on
  one world, every acknowledged message is checked after each failover and failback.

  Scenario: Two disaster cycles keep every acknowledged message and leave the pool Normal on the primary
    Given the world from "topologies/embedded.yaml"
    And the pool failed over after a disaster, with 20 messages before it and 10 during failover
    Then the "backup" instance holds every message the chat servers acknowledged
    And "mgc" on the "backup" instance is mirrored to the "backup-mirror" instance
    And "mgccomp" on the "backup" instance is mirrored to the "backup-mirror" instance
    Given the primary data center was rebuilt
    When the engine runs the failback
    Then every step of the failback was verified
    And the "primary" instance holds every message the chat servers acknowledged
    And the pool state is Normal
    And the "backup-mirror" instance has database "mgc" RESTORING in FULL recovery
    When the pool fails over again after another disaster, with 20 messages before it and 10 during failover
    Then the pool state is FailedOver
    And the pool's active servers are "pc5.dc2.contoso.test, pc6.dc2.contoso.test"
    And "mgc" on the "backup" instance is mirrored to the "backup-mirror" instance
    And "mgccomp" on the "backup" instance is mirrored to the "backup-mirror" instance
    And the "backup" instance holds every message the chat servers acknowledged
    Given the primary data center was rebuilt
    When the engine runs the failback
    Then every precondition passed
    And every step of the failback was verified
    And the "primary" instance holds every message the chat servers acknowledged
    And the pool state is Normal
    And the pool's active servers are "pc1.dc1.contoso.test, pc2.dc1.contoso.test"
    When chat users post 10 messages
    Then the "primary" instance holds every message the chat servers acknowledged
