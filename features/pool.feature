@embedded
Feature: The pool's management endpoint
  The engine changes the Persistent Chat pool only through the cmdlets an operator
  would type, run by powershell.exe over WinRM (HTTPS, certificate verified), and reads
  every change back. The fake endpoint keeps the pool's rules: at most 4 active of the
  pool's 8 servers, no server from outside the pool.

  Background:
    Given the embedded world from "topologies/embedded.yaml"

  Scenario: The active server list is cleared and set again
    When the engine clears the active server list
    Then the pool has no active servers
    And the engine reads back no active servers
    When the engine sets the active servers to "pc1.dc1.contoso.test, pc2.dc1.contoso.test"
    Then the pool's active servers are "pc1.dc1.contoso.test, pc2.dc1.contoso.test"
    And the engine reads back the active servers "pc1.dc1.contoso.test, pc2.dc1.contoso.test"

  Scenario: The pool state follows Set-CsPersistentChatState
    When the engine sets the pool state to FailedOver
    Then the pool state is FailedOver
    When the engine sets the pool state to Normal
    Then the pool state is Normal

  Scenario Outline: The pool refuses <what>
    When an operator runs "<command>"
    Then the cmdlet is refused with a message containing "<message>"
    And the pool's active servers are "pc1.dc1.contoso.test, pc2.dc1.contoso.test"

    Examples:
      | what                      | command                                                                                                                                       | message              |
      | a fifth active server     | Set-CsPersistentChatActiveServer -Identity global -ActiveServers @{Add='pc3.dc1.contoso.test','pc4.dc1.contoso.test','pc5.dc2.contoso.test'} | 4                    |
      | a server outside the pool | Set-CsPersistentChatActiveServer -Identity global -ActiveServers @{Replace='rogue.contoso.test'}                                              | rogue.contoso.test   |
      | an unknown list modifier  | Set-CsPersistentChatActiveServer -Identity global -ActiveServers @{Append='pc3.dc1.contoso.test'}                                             | Valid list modifiers |

  Scenario: The engine refuses a fifth active server before sending anything
    When the engine sets the active servers to "pc1.dc1.contoso.test, pc2.dc1.contoso.test, pc3.dc1.contoso.test, pc4.dc1.contoso.test, pc5.dc2.contoso.test"
    Then the cmdlet is refused with a message containing "at most 4"
    And the pool's active servers are "pc1.dc1.contoso.test, pc2.dc1.contoso.test"
