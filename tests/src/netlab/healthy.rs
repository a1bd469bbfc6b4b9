//! Measurements of a healthy network, as data (nothing probed).

/// Network measurements under which every network check of `profile` passes now
/// (`readiness::samples::healthy_network` at this moment): for tests that need a report (the
/// collector's) without probing anything.
pub fn healthy_network(
    profile: &readiness::Profile,
) -> readiness::measurements::NetworkMeasurements {
    readiness::samples::healthy_network(profile, jiff::Timestamp::now())
}
