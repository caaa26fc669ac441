@embedded @rehearsal
Feature: Failing Persistent Chat over to the backup data center
  The documented failover (reference §3), run by the real engine (its failover plan)
  against a healthy deployment that ships mgc's log from the primary to the backup
  instance, after the primary data center is lost: the outstanding log backups are
  copied and applied, the backup mgc is recovered, the pool is FailedOver and the
  backup data center's servers carry chat, with every acknowledged message.

  # HA/DR as a DBA configures it before a disaster (reference §2): the primary stores
  # mirrored to the primary-mirror instance, mgc log shipped to the backup instance.
  # The failover's step 6 runs Install-CsMirrorDatabase, which the fake endpoint
  # carries out on the simulated SQL Servers: a real mirroring session between the
  # backup and backup-mirror instances.
  Background:
    Given the embedded world from "topologies/embedded.yaml"
    And the Persistent Chat stores on the "primary" instance
    And the Persistent Chat stores on the "backup" instance
    And database mirroring of the Persistent Chat stores from the "primary" instance to the "primary-mirror" instance, as configured before a disaster
    And the chat servers follow the pool
    And log shipping of mgc from the primary instance to the backup instance, as configured before a disaster

  Scenario Outline: The failover brings chat up on the backup with all <messages> acknowledged messages
    When chat users post <messages> messages
    And the log-shipping backup job runs on the primary instance
    And the primary data center is lost
    And the engine runs the failover
    Then every step of the failover was verified
    And the pool state is FailedOver
    And the pool's active servers are "pc5.dc2.contoso.test, pc6.dc2.contoso.test"
    And "mgc" on the "backup" instance is mirrored to the "backup-mirror" instance
    And the "backup-mirror" instance has database "mgc" RESTORING in FULL recovery
    And the "backup" instance holds every message the chat servers acknowledged
    When chat users post 10 messages
    Then the "backup" instance holds every message the chat servers acknowledged

    Examples:
      | messages |
      | 20       |
      | 500      |

  # Install-CsMirrorDatabase is the failover's longest step and the one most likely to
  # fail once the pool has switched: chat must not wait for it (issue 12 defect 2).
  Scenario: The backup-mirror stops as the failover starts mirroring: chat already runs on the backup
    When chat users post 20 messages
    And the log-shipping backup job runs on the primary instance
    And the primary data center is lost
    And the "backup-mirror" instance goes down when the engine starts step "install-mirroring"
    And the engine attempts the failover
    Then the failover stopped at step "install-mirroring"
    And the pool state is FailedOver
    And the pool's active servers are "pc5.dc2.contoso.test, pc6.dc2.contoso.test"
    And the "backup" instance holds every message the chat servers acknowledged
    When chat users post 10 messages
    Then the "backup" instance holds every message the chat servers acknowledged
