// Package wan models the network between two data centers: a link of a
// given bandwidth and round-trip time that every byte crossing between the
// data centers must go through.
//
// In production the failback's outage is dominated by moving mgc across
// that link (the full backup written to, or read from, the share in the
// other data center). A simulator that lets those bytes cross at memory
// speed measures nothing an operator can use, so the world holds each such
// byte to the link: a transfer of N bytes takes N·8/B seconds at B bit/s
// plus the round trips its protocol needs, and flows crossing at the same
// time share B (one queue, first come first served, as a saturated WAN
// link behaves on average).
//
// The model is a reservation clock, not a token bucket that refills on a
// timer: each Pace call books the next n·8/B seconds of the link after what
// is already booked and waits until then. A caller that is itself slower
// than the link (a slow disk) never lets the link bank credit, and a caller
// that oversleeps does not make the link slower, because the booking is
// against the link's own timeline. The clock is injectable so tests can
// check the arithmetic without the wall clock.
//
// A cut link fails every Pace with ErrCut (callers turn it into their
// protocol's error: SMB's "network name is no longer available"); a
// congested link is SetBandwidth with a lower figure, felt by the next
// booking.
package wan
