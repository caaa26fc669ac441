@embedded @products
Feature: The management endpoint as each product's Front End serves it
  A Front End's WinRM service authenticates with Negotiate (NTLMv2 here, checked against
  the account's password), has Basic off, and has only its own product's PowerShell
  module. The engine fails the pool back through it with NTLM, as in production, on
  either product.

  Scenario Outline: On <product> the engine fails back over WinRM with NTLM only
    Given the world from "topologies/embedded.yaml" for a <product> pool
    Then the management endpoint offers Negotiate authentication only and refuses Basic
    And the management endpoint refuses the "<other>" module
    Given the pool failed over after a disaster, with 10 messages before it and 5 during failover
    And the primary data center was rebuilt
    When the engine runs the failback
    Then every step of the failback was verified
    And the "primary" instance holds every message the chat servers acknowledged
    And every command the management endpoint ran was authenticated with NTLM as "CONTOSO\lyncadmin"

    Examples:
      | product                        | other            |
      | Lync Server 2013               | SkypeForBusiness |
      | Skype for Business Server 2015 | Lync             |
