@embedded
Feature: The failback engine's preconditions
  The engine checks what the documented procedure assumes before it changes anything,
  reading the real state of the instances (TDS) and of the pool (WinRM). A refusal names
  the precondition and says what to do; the world shows nothing changed.

  Background:
    Given the world from "topologies/embedded.yaml"
    And the Persistent Chat stores on the "primary" instance
    And the Persistent Chat stores on the "backup" instance

  Scenario: A pool that never failed over is not failed back
    When the engine plans the failback
    Then precondition "primary-data-center-back" passes
    And precondition "primary-databases-rebuilt" passes
    And precondition "pool-failed-over" refuses
    And the engine refuses to fail back
    And nothing changed in the world

  @containers
  Scenario: The rebuilt primary must have its stores
    Given database "mgccomp" was dropped on the "primary" instance
    When the engine plans the failback
    Then precondition "primary-databases-rebuilt" refuses
    And the engine refuses to fail back
    And nothing changed in the world
