@embedded
Feature: Chat servers follow the pool's configuration
  Simulated Persistent Chat servers read the pool's configuration as real ones read the
  configuration store: active servers hold a session (program name "Persistent Chat") to
  the store the pool state selects and acknowledge a post only after the store committed
  it; inactive servers refuse posts and close their sessions.

  Background:
    Given the embedded world from "topologies/embedded.yaml"
    And the Persistent Chat stores on the "primary" instance
    And the chat servers follow the pool

  Scenario: The active list decides who holds sessions to mgc
    Then 2 chat servers hold sessions to "mgc" on the "primary" instance
    And 2 chat servers hold sessions to "mgccomp" on the "primary" instance
    When chat users post 20 messages
    And the engine clears the active server list
    Then no chat server holds a session to "mgc" on the "primary" instance
    And chat users cannot post
    When the engine sets the active servers to "pc1.dc1.contoso.test, pc3.dc1.contoso.test, pc4.dc1.contoso.test"
    Then 3 chat servers hold sessions to "mgc" on the "primary" instance
    When chat users post 20 messages
    Then the "primary" instance holds every message the chat servers acknowledged
