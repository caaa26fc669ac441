@embedded @rehearsal
Feature: The failover and the failback on each product with Persistent Chat
  Lync Server 2013 and Skype for Business Server 2015 run the same documented procedures
  with the same cmdlets, but from PowerShell modules of different names (Lync,
  SkypeForBusiness), and a Front End has only its own product's. The topology says which
  product the pool runs (pool.product); the engine imports that product's module, and the
  management endpoint refuses the other's as PowerShell does.

  @lync2013
  Scenario: A Lync Server 2013 pool fails over and back with every acknowledged message
    Given the world from "topologies/embedded.yaml" for a Lync Server 2013 pool
    And the pool failed over after a disaster, with 10 messages before it and 5 during failover
    And the primary data center was rebuilt
    When the engine plans the failback
    Then the plan says the pool runs Lync Server 2013
    When the engine runs the failback
    Then every precondition passed
    And every step of the failback was verified
    And the "primary" instance holds every message the chat servers acknowledged
    And the pool state is Normal
    And the pool's active servers are "pc1.dc1.contoso.test, pc2.dc1.contoso.test"
    And every cmdlet script the engine sent imported the "Lync" module

  @skype2015
  Scenario: A Skype for Business Server 2015 pool fails over and back with every acknowledged message
    Given the world from "topologies/embedded.yaml" for a Skype for Business Server 2015 pool
    And the pool failed over after a disaster, with 10 messages before it and 5 during failover
    And the primary data center was rebuilt
    When the engine plans the failback
    Then the plan says the pool runs Skype for Business Server 2015
    When the engine runs the failback
    Then every precondition passed
    And every step of the failback was verified
    And the "primary" instance holds every message the chat servers acknowledged
    And the pool state is Normal
    And the pool's active servers are "pc1.dc1.contoso.test, pc2.dc1.contoso.test"
    And every cmdlet script the engine sent imported the "SkypeForBusiness" module
