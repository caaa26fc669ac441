@embedded
Feature: The simulated deployment
  The drill rehearses failback in a world built from the topology file: SQL Server
  instances that speak TDS and follow SQL Server's rules, with the Persistent Chat
  stores Topology Builder installs and chat history that chat servers acknowledged.

  Background:
    Given the embedded world from "topologies/embedded.yaml"

  Scenario: The rebuilt primary has the stores Topology Builder installs
    When Topology Builder installs the Persistent Chat stores on the "primary" instance
    Then the "primary" instance has database "mgc" ONLINE in FULL recovery
    And the "primary" instance has database "mgccomp" ONLINE in FULL recovery
    And the "primary" instance holds no chat messages

  Scenario Outline: <messages> acknowledged messages survive a restart of their instance
    Given the Persistent Chat stores on the "backup" instance
    And <messages> chat messages acknowledged by "pc5.dc2.contoso.test" on the "backup" instance
    When the "backup" instance restarts
    Then the "backup" instance holds every acknowledged message exactly once

    Examples:
      | messages |
      | 10       |
      | 500      |

  Scenario: A database in use cannot be dropped
    Given the Persistent Chat stores on the "primary" instance
    And a chat server holds a session to "mgc" on the "primary" instance
    When database "mgc" is dropped on the "primary" instance
    Then it fails with SQL Server error 3702
