@embedded @wan
Feature: The chat outage is made of moving mgc across the WAN link
  The failback moves mgc across the link between the data centers: the share lives in the
  primary data center, so the backup instance writes its full backup across the link (step 3);
  the primary verifies it and restores it from its own side (steps 3 and 4), so one copy
  of mgc crosses during the outage.
  Every such byte is held to the link's bandwidth (a transfer of N bytes takes N·8/B plus its
  round trips), each data center's own disks keep their speed, so a congested link makes the
  outage grow by the time the extra transfer needs.

  Background:
    Given the world from "topologies/embedded.yaml" with data-center links of 20 Mbit/s
    And the pool failed over after a disaster, with 10 messages before it and 5 during failover
    And the backup mgc holds a chat history of 2 MiB
    And the primary data center was rebuilt

  Scenario Outline: The link carries <share>% of its bandwidth: the outage is at least what the link needs
    Given the link between "dc1" and "dc2" carries <share>% of its bandwidth
    When the engine runs the failback
    Then every step of the failback was verified
    And the "primary" instance holds every message the chat servers acknowledged
    And at least 1 copy of the backup mgc's full backup crossed the link during the failback
    And the chat outage took at least the time the link needs for what crossed it

    Examples:
      | share |
      | 100   |
      | 50    |
