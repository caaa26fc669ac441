@embedded @rehearsal @intervention
Feature: An operator steps in while the failback is stopped
  A failback that stops part-way (the engine's host rebooted, the operator pressed
  Ctrl-C) leaves chat down. The operator may give chat back to the backup data center
  before anyone looks into why it stopped: the failover procedure's own steps (log
  shipping removed from the backup mgc, RESTORE DATABASE mgc WITH RECOVERY if it is
  restoring, pool FailedOver, the backup data center's servers active), and chat goes
  on there. Later the operator clears the active list again and resumes the failback
  from its journal. Whatever step it stopped after, no message acknowledged on the
  backup mgc, before or after the stop, may be lost: the resume re-checks what protects
  the data (no session on the backup databases, the backup mgc fenced by this run's
  tail-log backup) instead of trusting the journal, and never restores over a database
  that changed.

  Background:
    Given the world from "topologies/embedded.yaml"
    And the pool failed over after a disaster, with 20 messages before it and 10 during failover
    And the primary data center was rebuilt

  Scenario Outline: The failback stops after step <step>, chat goes on at the backup site, the resumed failback keeps every message
    Given the engine runs the failback and stops after step "<step>"
    When an operator restores service on the backup site
    And chat users post 10 messages
    And an operator clears the active server list
    And no chat server holds a session to "mgc" on the "backup" instance
    And the operator resumes the failback
    Then the resumed failback completed
    And the "primary" instance holds every message the chat servers acknowledged
    And the pool state is Normal
    And the pool's active servers are "pc1.dc1.contoso.test, pc2.dc1.contoso.test"
    When chat users post 5 messages
    Then the "primary" instance holds every message the chat servers acknowledged

    Examples:
      | step                   |
      | clear-active-servers   |
      | remove-mirroring       |
      | backup-backup-mgc      |
      | restore-primary-mgc    |
      | configure-log-shipping |
      | set-active-servers     |

  # After the run completed the pool ran on the primary; chat then went back to the backup
  # site, and someone resumes the same journal. Both copies took messages the other lacks:
  # the resume backs the backup mgc up and fences it again (nothing of it is lost), then
  # refuses to restore over the primary, and says where the backup's messages are and what
  # to do.
  Scenario: Chat went back to the backup site after the failback completed: the resume overwrites neither copy and says what to do
    Given the engine runs the failback
    And chat users post 5 messages
    When an operator restores service on the backup site
    And chat users post 5 messages
    And an operator clears the active server list
    And no chat server holds a session to "mgc" on the "backup" instance
    And the operator resumes the failback
    Then the resumed failback refused at step "restore-primary-mgc", saying "each copy may hold messages the other lacks"

  # While the run was stopped after step 6, an operator set the pool Normal by hand: chat
  # ran on the primary mgc. Then chat went back to the backup site, and the operator
  # resumes. The journal holds no "pool Normal sent" and the pool is FailedOver again with
  # no session in the primary mgc, yet the primary mgc took messages since its restore:
  # the resume must see that in the database itself (its row counts since step 4), and
  # overwrite neither copy.
  Scenario: An operator ran the pool on the primary by hand while the failback was stopped: the resume overwrites neither copy
    Given the engine runs the failback and stops after step "set-active-servers"
    When an operator set the pool state to Normal
    And chat users post 5 messages
    And an operator restores service on the backup site
    And chat users post 5 messages
    And an operator clears the active server list
    And no chat server holds a session to "mgc" on the "backup" instance
    And the operator resumes the failback
    Then the resumed failback refused at step "restore-primary-mgc", saying "each copy may hold messages the other lacks"
